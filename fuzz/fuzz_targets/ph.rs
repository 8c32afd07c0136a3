//! Fuzz target `ph`: see fuzz/checks.rs (`checks::ph`) for what one input goes through.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    checks::init(true);
    checks::ph(data);
});
