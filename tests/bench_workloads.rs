//! The benchmark workloads (issue #8): the committed scenes and sample are what `src/bench.rs`
//! generates, and each workload renders the sound it claims to (so a benchmark never times a
//! scene that has silently stopped doing its work).
use phonon::bench::{self, WORKLOADS};

fn render(name: &str, blocks: usize) -> (phonon::Engine, Vec<f32>) {
    let (mut engine, _) = bench::engine_for(name, 1).expect("the workload builds");
    let mut out = Vec::new();
    for _ in 0..blocks {
        out.extend_from_slice(engine.process_block());
    }
    assert!(out.iter().all(|x| x.is_finite() && x.abs() <= 1.0), "{name}: finite and within full scale");
    (engine, out)
}

fn rms(xs: impl Iterator<Item = f32>) -> f64 {
    let (mut s, mut n) = (0.0, 0usize);
    for x in xs {
        s += (x as f64).powi(2);
        n += 1;
    }
    (s / n.max(1) as f64).sqrt()
}

#[test]
fn committed_assets_are_what_the_generators_make() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/bench");
    for w in WORKLOADS {
        let on_disk = std::fs::read_to_string(dir.join(format!("{}.ph", w.name))).expect("scene committed");
        assert!(
            on_disk == bench::scene_text(w.name).unwrap(),
            "assets/bench/{}.ph is stale: run `phonon bench --write-assets assets/bench`",
            w.name
        );
    }
    let mut wav = hound::WavReader::open(dir.join("samples/loop/loop.wav")).expect("sample committed");
    let data: Vec<f32> = wav.samples::<f32>().map(Result::unwrap).collect();
    assert_eq!(data, bench::loop_sample());
    assert_eq!((data.len(), wav.spec().sample_rate, wav.spec().channels), (bench::LOOP_FRAMES, 44_100, 1));
}

/// 1000 sines of amplitude 0.001 at distinct frequencies: RMS √(1000/2)·0.001 = 0.02236, both
/// channels the same. This also checks the fused sum of 1000 scaled terms.
#[test]
fn w1_is_a_thousand_sines() {
    let (engine, out) = render("w1", 200);
    let want = (500.0f64).sqrt() * 0.001;
    let got = rms(out.iter().step_by(2).copied());
    assert!((got - want).abs() < 0.01 * want, "w1 RMS {got}, want {want}");
    assert!(out.chunks(2).all(|f| f[0] == f[1]));
    let stages = engine.world().resource::<phonon::components::Stages>();
    assert!(stages.groups.len() < 10, "the sum of 1000 terms is fused, not 2000 nodes deep: {} groups", stages.groups.len());
}

/// w2 and voices4k: every voice sounds at once and keeps looping.
#[test]
fn sample_workloads_keep_every_voice_looping() {
    for (name, voices) in [("w2", 256), ("voices4k", 4096)] {
        let (engine, out) = render(name, 400); // 4.6 s: past the sample's first 2 s
        assert_eq!(engine.voice_stats().active, voices, "{name}");
        // the voices loop the sample, so the last 2 s still sound; quieter than the first 2 s,
        // where every voice starts in phase (their sum is coherent), then they drift apart
        let head = rms(out[..4 * 44_100].iter().copied());
        let tail = rms(out[out.len() - 4 * 44_100..].iter().copied());
        assert!(head > 0.0 && tail > 0.02 * head, "{name}: still sounding after its sample's length ({head} then {tail})");
    }
}

#[test]
fn chains_and_pattern_workloads_are_audible_and_stereo() {
    for (name, blocks) in [("w3", 100), ("mph", 350), ("stress16", 350)] {
        let (engine, out) = render(name, blocks);
        let (l, r) = (rms(out.iter().step_by(2).copied()), rms(out.iter().skip(1).step_by(2).copied()));
        assert!(l > 0.01 && r > 0.01, "{name}: RMS {l} {r}");
        if name != "w3" {
            assert!(out.chunks(2).any(|f| (f[0] - f[1]).abs() > 1e-3), "{name}: jux makes left and right differ");
            assert!(engine.voice_stats().started > 100, "{name}: {:?}", engine.voice_stats());
        }
    }
}
