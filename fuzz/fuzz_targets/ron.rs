//! Fuzz target `ron`: see fuzz/checks.rs (`checks::ron`) for what one input goes through.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    checks::init(true);
    checks::ron(data);
});
