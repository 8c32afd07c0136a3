//! Render benchmarks. `cargo bench` reports time per block; divide by the 11.61 ms budget of a
//! 512-sample block at 44.1 kHz for the real-time load.
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use phonon::bench::wide_scene;
use phonon::{Engine, EngineConfig};
use std::hint::black_box;

/// One block of a 16-branch scene (16 saw+noise → swept lpf → feedback delay chains), with the
/// DSP inline and on 2 threads. One second of audio is 86 blocks.
fn sixteen_branches(c: &mut Criterion) {
    let scene = wide_scene(16);
    let mut group = c.benchmark_group("render_block_16_branches");
    group.throughput(Throughput::Elements(512));
    for threads in [1, 2] {
        let cfg = EngineConfig { threads, ..EngineConfig::default() };
        let mut engine = Engine::from_scene(&scene, "wide16", cfg).expect("bench scene builds");
        for _ in 0..50 {
            engine.process_block();
        }
        group.bench_with_input(BenchmarkId::new("threads", threads), &threads, |b, _| b.iter(|| black_box(engine.process_block()[0])));
    }
    group.finish();
}

/// The bare cost of the six-system schedule on an almost empty graph.
fn schedule_overhead(c: &mut Criterion) {
    let mut scene = phonon::Scene::default();
    scene.outputs.insert("out".into(), phonon::Expr::Num(0.0));
    let mut engine = Engine::from_scene(&scene, "empty", EngineConfig { threads: 1, ..EngineConfig::default() }).unwrap();
    c.bench_function("render_block_empty_scene", |b| b.iter(|| black_box(engine.process_block()[0])));
}

/// Where parallelism starts to pay: `branches` cheap chains on 2 threads, forced inline
/// (threshold ∞) or forced parallel (threshold 0). The crossover sets `min_parallel_samples`.
fn parallel_threshold(c: &mut Criterion) {
    let mut group = c.benchmark_group("parallel_threshold");
    for branches in [2, 4, 8] {
        for (label, threshold) in [("inline", usize::MAX), ("parallel", 0)] {
            let scene = wide_scene(branches);
            let mut engine = Engine::from_scene(&scene, "wide", EngineConfig { threads: 2, ..EngineConfig::default() }).unwrap();
            engine.world_mut().resource_mut::<phonon::systems::DspPool>().min_parallel_samples = threshold;
            group.bench_function(BenchmarkId::new(label, branches), |b| b.iter(|| black_box(engine.process_block()[0])));
        }
    }
    group.finish();
}

criterion_group!(benches, sixteen_branches, schedule_overhead, parallel_threshold);
criterion_main!(benches);
