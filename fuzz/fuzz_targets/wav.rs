//! Fuzz target `wav`: see fuzz/checks.rs (`checks::wav`) for what one input goes through.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    checks::init(true);
    checks::wav(data);
});
