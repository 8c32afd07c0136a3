//! Values the embedding program sets from outside: the scene's `cF` controls.

use bevy_ecs::prelude::*;

/// One named control: its value now, and the control nodes (arena offsets) it fills.
#[derive(Debug, Clone, PartialEq)]
pub struct ExternalControl {
    /// The name the scene gives it (`cF 1000 "cutoff"` → `"cutoff"`).
    pub name: String,
    /// The value every one of its nodes holds for the whole of the next block.
    pub value: f32,
    /// The scene's default (the first argument of `cF`).
    pub default: f32,
    /// True once [`Controls::set`] has been called: a hot swap then carries the value into the
    /// new scene instead of the new scene's default.
    pub set: bool,
    /// Arena offsets of the mono control nodes it fills.
    pub targets: Vec<usize>,
}

/// Named values set from outside the scene, read by its `cF default "name"` controls (as in
/// TidalCycles, where `cF` reads a controller input): a resource of the World.
///
/// A system of the embedding program writes them (`ResMut<Controls>`), at any hook before
/// DSP (`phonon_systems::Hook`); Phonon copies each value into its control nodes' buffers at the start of the DSP phase,
/// so a value holds for a whole block. Names are looked up linearly: a scene has a handful.
/// Setting allocates nothing.
///
/// ```
/// use phonon_components::{Controls, ExternalControl};
/// let mut c = Controls(vec![ExternalControl { name: "cutoff".into(), value: 1000.0, default: 1000.0, set: false, targets: vec![] }]);
/// assert!(c.set("cutoff", 400.0));
/// assert_eq!(c.get("cutoff"), Some(400.0));
/// assert!(!c.set("resonance", 0.5)); // this scene has no such control
/// ```
#[derive(Resource, Debug, Clone, Default, PartialEq)]
pub struct Controls(pub Vec<ExternalControl>);

impl Controls {
    /// Set control `name` to `value` (non-finite values are ignored); false if the scene has no
    /// control of that name.
    pub fn set(&mut self, name: &str, value: f32) -> bool {
        match self.0.iter_mut().find(|c| c.name == name) {
            Some(c) => {
                if value.is_finite() {
                    c.value = value;
                    c.set = true;
                }
                true
            }
            None => false,
        }
    }

    /// The value control `name` holds, if the scene has it.
    pub fn get(&self, name: &str) -> Option<f32> {
        self.0.iter().find(|c| c.name == name).map(|c| c.value)
    }

    /// The names of the scene's controls.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|c| c.name.as_str())
    }

    /// Take over the values `old` was given with [`Controls::set`], by name (a hot swap).
    /// Allocates nothing.
    pub fn carry_from(&mut self, old: &Controls) {
        for c in &mut self.0 {
            if let Some(o) = old.0.iter().find(|o| o.name == c.name && o.set) {
                c.value = o.value;
                c.set = true;
            }
        }
    }
}
