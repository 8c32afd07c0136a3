//! Fuzz target `mini`: see fuzz/checks.rs (`checks::mini`) for what one input goes through.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    checks::init(true);
    checks::mini(data);
});
