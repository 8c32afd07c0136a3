//! The issue #8 workloads (assets/bench/*.ph, see `phonon bench`): time per 512-sample block
//! on one DSP thread, and on two for stress16. One block's budget at 44.1 kHz is 11 610 µs.
//! scsynth's times for the same workloads come from `scripts/scsynth/bench.py`; BENCHMARKS.md
//! puts them side by side.
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use phonon::bench::{WORKLOADS, engine_for};
use std::hint::black_box;

fn workloads(c: &mut Criterion) {
    let mut group = c.benchmark_group("workload");
    group.throughput(Throughput::Elements(512));
    group.sample_size(20);
    for w in WORKLOADS {
        let threads: &[usize] = if w.name == "stress16" { &[1, 2] } else { &[1] };
        for &t in threads {
            let (mut engine, warmup) = engine_for(w.name, t).expect("bench scenes build");
            for _ in 0..warmup {
                engine.process_block();
            }
            group.bench_function(BenchmarkId::new(w.name, format!("{t}t")), |b| b.iter(|| black_box(engine.process_block()[0])));
        }
    }
    group.finish();
}

criterion_group!(benches, workloads);
criterion_main!(benches);
