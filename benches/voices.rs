//! Voice rendering cost: 256 and 4096 simultaneous sample voices (the built-in `arpy`, 1 s
//! long, retriggered so the pool stays full), time per 512-sample block.
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use phonon::{Engine, EngineConfig, Scene};
use std::hint::black_box;

fn simultaneous_voices(c: &mut Criterion) {
    let mut group = c.benchmark_group("voices");
    for voices in [256usize, 4096] {
        // `voices` onsets per second, each sounding 1 s: `voices` voices at once
        let ph = format!("cps: 1\nout: s \"arpy*{voices}\" # n \"0 .. 5\" # gain 0.01");
        let scene = Scene::from_ph(&ph, "bench.ph").expect("bench scene parses");
        let cfg = EngineConfig { threads: 1, voices: voices + voices / 8, ..EngineConfig::default() };
        let mut engine = Engine::from_scene(&scene, "bench.ph", cfg).expect("bench scene builds");
        for _ in 0..200 {
            engine.process_block();
        }
        let active = engine.voice_stats().active;
        assert!(active >= voices * 9 / 10, "only {active} voices active");
        group.throughput(Throughput::Elements((active * 512) as u64));
        group.bench_with_input(BenchmarkId::new("active", voices), &voices, |b, _| b.iter(|| black_box(engine.process_block()[0])));
    }
    group.finish();
}

criterion_group!(benches, simultaneous_voices);
criterion_main!(benches);
