//! Pattern query benchmarks: how long one cycle of a typical live-coded pattern takes to query.
use criterion::{Criterion, criterion_group, criterion_main};
use phonon::pattern::Span;
use phonon_components::Rational;
use std::hint::black_box;

fn query_one_cycle(c: &mut Criterion) {
    for (name, expr) in [
        ("jux_rev_stut_euclid", r#"jux rev $ stut 8 0.125 0.1 $ s "bd(3,8,1)""#),
        ("every_chunk_mini", r#"every 3 (fast 2) $ chunk 4 (# speed 2) $ s "bd*2 [sn cp] <hh oh> {a b c}%4" # n "0 .. 3""#),
    ] {
        let pat = phonon::lang::eval_pattern(expr, "bench").expect("bench expression evaluates");
        let mut cycle = 0i64;
        c.bench_function(&format!("query_cycle/{name}"), |b| {
            b.iter(|| {
                cycle += 1;
                black_box(pat.query(Span::new(Rational::integer(cycle), Rational::integer(cycle + 1))).len())
            })
        });
    }
}

criterion_group!(benches, query_one_cycle);
criterion_main!(benches);
