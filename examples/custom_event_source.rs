//! A hand-written step sequencer as an event source: its steps play samples through the same
//! voices as patterns do.
//!
//! ```sh
//! cargo run --release --example custom_event_source
//! ```

use phonon::{Engine, EngineConfig, EventSource, Instrument, Rational, Trigger};

/// 16 steps per cycle; each row is an instrument and its steps (`x` plays).
struct StepSequencer {
    rows: Vec<(Instrument, f32, [bool; 16])>,
}

impl StepSequencer {
    fn row(steps: &str) -> [bool; 16] {
        let mut row = [false; 16];
        for (i, c) in steps.chars().filter(|c| !c.is_whitespace()).take(16).enumerate() {
            row[i] = c == 'x';
        }
        row
    }
}

impl EventSource for StepSequencer {
    /// Every step whose start lies in `[begin, end)`. Called on the render thread once per
    /// block: it only pushes into `out` (which keeps its capacity), so it allocates nothing.
    fn query(&mut self, begin: Rational, end: Rational, out: &mut Vec<Trigger>) {
        let first = (begin.to_f64() * 16.0).ceil() as i64;
        let mut step = first;
        loop {
            let onset = Rational::new(step, 16);
            if onset >= end {
                break;
            }
            for (instrument, gain, steps) in &self.rows {
                if steps[step.rem_euclid(16) as usize] {
                    out.push(Trigger { onset, duration: Rational::new(1, 16), instrument: *instrument, gain: *gain, ..Trigger::default() });
                }
            }
            step += 1;
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut engine = Engine::new(EngineConfig { threads: 1, ..EngineConfig::default() })?;
    engine.set_cps(0.5)?; // one 16-step bar every 2 seconds
    let (bd, sn, hh) = (engine.sound("bd")?, engine.sound("sn")?, engine.sound("hh:1")?);
    let kick = StepSequencer::row("x... .... x..x ....");
    let seq = StepSequencer {
        rows: vec![
            (bd, 0.9, kick),
            (sn, 0.7, StepSequencer::row(".... x... .... x...")),
            (hh, 0.3, StepSequencer::row("x.x. x.x. x.x. x.x.")),
        ],
    };
    engine.add_source("seq", seq)?;
    // a scene loaded now would play alongside: the sequencer's voices have their own output
    // (`source:seq`), and the sequencer lives on across loads

    let sr = engine.sample_rate() as usize;
    let mut audio = vec![0.0f32; 2 * 2 * sr]; // one bar
    engine.render(&mut audio);

    // which steps start a sound? a step whose first 5 ms move much faster (the largest
    // sample-to-sample step) than the last 20 ms of the step before it
    let left: Vec<f32> = audio.iter().step_by(2).copied().collect();
    let slope =
        |a: usize, b: usize| left[a.max(1)..b].iter().zip(&left[a.max(1) - 1..b - 1]).fold(0.0f32, |m, (x, y)| m.max((x - y).abs()));
    let step_len = sr / 8; // 16 steps in 2 s
    let mut pattern = String::new();
    for s in 0..16 {
        let start = s * step_len;
        let before = if s == 0 { 0.0 } else { slope(start - sr / 50, start) };
        let onset = slope(start, start + sr / 200);
        pattern.push(if onset > 3.0 * before + 1e-3 { 'x' } else { '.' });
    }
    println!("steps heard: {pattern}");
    println!("voices: {:?}", engine.voice_stats());
    // the hats play every other step; on steps with nothing the saw alone stays quiet
    let expected: String = (0..16).map(|s| if s % 2 == 0 || kick[s] { 'x' } else { '.' }).collect();
    if pattern != expected {
        return Err(format!("expected {expected}, heard {pattern}").into());
    }
    Ok(())
}
