//! Catalogue family: filters.

use phonon_components::UgenDef;

/// This family's catalogue entries.
pub const DEFS: &[UgenDef] = &[];
