//! The embedding API: `Engine::new` + `load`, `render` of any length, systems at hooks,
//! carried resources, `cF` controls, user event sources, and the cross-thread `Handle`.

mod common;

use bevy_ecs::prelude::*;
use common::{amplitude_at, cfg, left, rms, zero_crossing_freq};
use phonon::{Controls, Engine, EventSource, Hook, Instrument, OutputBuffers, Rational, Scene, Trigger};

fn engine() -> Engine {
    Engine::new(cfg(512, 1)).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn a_new_engine_is_silent_and_a_load_plays() {
    let mut e = engine();
    assert!(e.process_block().iter().all(|&x| x == 0.0));
    e.load_str("out: sine 441 * 0.5").unwrap();
    let mut buf = vec![0.0; 2 * 44_100];
    e.render(&mut buf);
    let l = left(&buf[2 * 4410..]);
    assert!((zero_crossing_freq(&l, 44_100.0) - 441.0).abs() < 0.5);
    assert!((rms(&l) - 0.5 / 2f64.sqrt()).abs() < 0.01, "rms {}", rms(&l));
}

#[test]
fn render_of_any_length_is_the_block_stream() {
    let text = "out: saw \"110 165\" # lpf 900 0.7 * 0.3 + s \"bd hh\" * 0.5";
    let mut a = engine();
    a.load_str(text).unwrap();
    let mut blocks = Vec::new();
    for _ in 0..40 {
        blocks.extend_from_slice(a.process_block());
    }
    let mut b = engine();
    b.load_str(text).unwrap();
    let mut pieces = vec![0.0; blocks.len()];
    let sizes = [1usize, 3, 2, 511, 1024, 1025, 7, 4096, 333];
    let (mut at, mut k) = (0, 0);
    while at < pieces.len() {
        let n = sizes[k % sizes.len()].min(pieces.len() - at);
        b.render(&mut pieces[at..at + n]);
        at += n;
        k += 1;
    }
    assert!(blocks.iter().any(|&x| x != 0.0));
    assert_eq!(blocks, pieces, "render() in odd pieces differs from whole blocks");
}

#[test]
fn a_bad_load_keeps_the_old_scene() {
    let mut e = engine();
    e.load_str("out: sine 441 * 0.5").unwrap();
    let err = e.load_str("out: sine 441 # lpff 300").unwrap_err().to_string();
    assert!(err.contains("<text>:1:") && err.contains("lpf"), "{err}");
    let err = e.load_file("no/such.ph").unwrap_err().to_string();
    assert!(err.contains("no/such.ph"), "{err}");
    let mut buf = vec![0.0; 2 * 8820];
    e.render(&mut buf);
    assert!((zero_crossing_freq(&left(&buf), 44_100.0) - 441.0).abs() < 1.0);
}

/// Which hooks ran, in order, in the last block (room for 16: no allocation).
#[derive(Resource, Clone, Default)]
struct Order([u8; 16], usize);

fn mark<const K: u8>(mut o: ResMut<Order>) {
    let i = o.1;
    if i < 16 {
        o.0[i] = K;
        o.1 += 1;
    }
}
fn reset(mut o: ResMut<Order>) {
    o.1 = 0;
}

#[test]
fn hooks_run_in_pipeline_order_and_survive_loads() {
    let mut e = engine();
    e.insert_resource(Order::default());
    // added out of order on purpose
    e.add_systems(Hook::AfterMix, mark::<8>)
        .add_systems_with(Hook::BeforeSchedule, || (reset, mark::<1>).chain())
        .add_systems(Hook::AfterDsp, mark::<6>)
        .add_systems(Hook::BeforeVoices, mark::<3>)
        .add_systems(Hook::AfterSchedule, mark::<2>)
        .add_systems(Hook::BeforeMix, mark::<7>)
        .add_systems(Hook::BeforeDsp, mark::<5>)
        .add_systems(Hook::AfterVoices, mark::<4>);
    for text in ["out: sine 100", "out: saw 200 # lpf 500 0.7"] {
        e.load_str(text).unwrap();
        e.process_block();
        let o = e.world().resource::<Order>();
        assert_eq!(&o.0[..o.1], &[1, 2, 3, 4, 5, 6, 7, 8], "after loading {text}");
    }
}

/// Peak of every output, by name, as a system measures it.
#[derive(Resource, Clone, Default)]
struct Peaks {
    out: f32,
    o1: f32,
}

fn meter(outputs: OutputBuffers, mut p: ResMut<Peaks>) {
    for o in outputs.iter() {
        let peak = o.left().iter().chain(o.right()).fold(0.0f32, |m, x| m.max(x.abs()));
        match o.name() {
            "out" => p.out = peak,
            "o1" => p.o1 = peak,
            _ => {}
        }
    }
}

#[test]
fn a_meter_reads_every_output() {
    let mut e = engine();
    e.insert_resource(Peaks::default());
    e.add_systems(Hook::AfterDsp, meter);
    e.load_str("out: sine 441 * 0.25\no1: sine 882 * 0.125").unwrap();
    for _ in 0..4 {
        e.process_block();
    }
    let p = e.world().resource::<Peaks>();
    assert!((p.out - 0.25).abs() < 0.002 && (p.o1 - 0.125).abs() < 0.002, "out {} o1 {}", p.out, p.o1);
}

/// The brightness of a saw through `lpf (cF 300 "cutoff")`: the amplitude of its 20th harmonic.
fn harmonic_20(e: &mut Engine) -> f64 {
    let mut buf = vec![0.0; 2 * 22_050];
    e.render(&mut buf);
    amplitude_at(&left(&buf[2 * 4410..]), 2200.0, 44_100.0)
}

#[derive(Resource, Clone)]
struct Wanted(f32);

fn follow(w: Res<Wanted>, mut c: ResMut<Controls>) {
    c.set("cutoff", w.0);
}

#[test]
fn a_control_set_from_outside_moves_the_cutoff_and_survives_loads() {
    let text = "out: saw 110 # lpf (cF 300 \"cutoff\") 0.7 * 0.5";
    let mut e = engine();
    e.load_str(text).unwrap();
    assert_eq!(e.controls().get("cutoff"), Some(300.0));
    let dark = harmonic_20(&mut e);
    assert!(e.set_control("cutoff", 6000.0));
    assert!(!e.set_control("nope", 1.0));
    let bright = harmonic_20(&mut e);
    assert!(bright > 10.0 * dark, "2.2 kHz at cutoff 300: {dark}, at 6000: {bright}");
    // an edit of the scene keeps the value set from outside (not the new default)
    e.load_str("out: saw 110 # lpf (cF 500 \"cutoff\") 0.7 * 0.4").unwrap();
    assert_eq!(e.controls().get("cutoff"), Some(6000.0));
    // a system driving it from a resource
    e.insert_resource(Wanted(300.0));
    e.add_systems(Hook::BeforeDsp, follow);
    let dark_again = harmonic_20(&mut e);
    assert!(dark_again < bright / 10.0, "{dark_again} vs {bright}");
    // the `.ph` form round-trips through RON and back
    let scene = Scene::from_ph(text, "t.ph").unwrap();
    let back = Scene::from_ron(&scene.to_ron(), "t.ron").unwrap();
    assert_eq!(scene, back);
    assert_eq!(Scene::from_ph(&phonon::lang::ph::to_ph(&scene).unwrap(), "t2.ph").unwrap(), scene);
    let err = Scene::from_ph("out: saw 110 # lpf (cF \"cutoff\") 0.7", "t.ph").unwrap_err().to_string();
    assert!(err.contains("cF DEFAULT"), "{err}");
}

/// Plays `instrument` at every quarter cycle.
struct Quarters(Instrument);

impl EventSource for Quarters {
    fn query(&mut self, begin: Rational, end: Rational, out: &mut Vec<Trigger>) {
        let mut k = (begin.to_f64() * 4.0).ceil() as i64;
        while Rational::new(k, 4) < end {
            // a pattern's sample events: no attack, a 5 ms release
            let (attack, release) = (0.0, 0.005);
            out.push(Trigger {
                onset: Rational::new(k, 4),
                duration: Rational::new(1, 4),
                instrument: self.0,
                attack,
                release,
                ..Trigger::default()
            });
            k += 1;
        }
    }
}

#[test]
fn a_user_source_plays_samples_exactly_like_a_pattern() {
    // the same events from `s "bd*4"` and from a hand-written source render the same samples
    let mut pattern = engine();
    pattern.load_str("tempo: 1\nout: s \"bd*4\"").unwrap();
    let mut mine = engine();
    let bd = mine.sound("bd").unwrap();
    assert!(matches!(bd, Instrument::Sample(0)));
    mine.add_source("quarters", Quarters(bd)).unwrap();
    mine.set_cps(1.0).unwrap();
    let (mut a, mut b) = (vec![0.0; 2 * 88_200], vec![0.0; 2 * 88_200]);
    pattern.render(&mut a);
    mine.render(&mut b);
    assert!(rms(&a) > 0.01);
    if let Some(i) = a.iter().zip(&b).position(|(x, y)| x != y) {
        panic!("a user source's voices differ from the pattern's at sample {i}: {:?} vs {:?}", &a[i..i + 8], &b[i..i + 8]);
    }
    // a scene loaded later plays alongside; the source and its sample handle live on
    mine.load_str("tempo: 1\nout: sine 1000 * 0.1").unwrap();
    assert_eq!(mine.sound("bd").unwrap(), bd);
    mine.render(&mut b);
    let kick_band = amplitude_at(&left(&b), 60.0, 44_100.0);
    assert!(kick_band > 0.01 && amplitude_at(&left(&b), 1000.0, 44_100.0) > 0.05, "kick {kick_band}");
    assert!(mine.add_source("quarters", Quarters(bd)).is_err(), "a second source of the same name");
}

#[test]
fn a_handle_swaps_scenes_from_another_thread() {
    let mut e = engine();
    e.insert_resource(Peaks::default());
    e.add_systems(Hook::AfterDsp, meter);
    e.load_str("out: sine 441 * 0.5").unwrap();
    let h = e.handle();
    let h2 = h.clone();
    std::thread::spawn(move || h2.load_str("out: sine 882 * 0.5")).join().unwrap().unwrap();
    assert!(h.load_str("out: sine 441 # nope").is_err());
    let mut buf = vec![0.0; 2 * 22_050];
    e.render(&mut buf);
    assert_eq!(h.swaps(), 1);
    assert!((zero_crossing_freq(&left(&buf[2 * 4410..]), 44_100.0) - 882.0).abs() < 1.0);
    assert!(e.world().resource::<Peaks>().out > 0.4, "the meter system came along");
    // tempo and hush
    h.set_cps(2.0).unwrap();
    h.hush().unwrap();
    // (commands apply at the next block boundary: render() still had part of a block to hand out)
    let bridged = left(e.process_block());
    assert!(bridged[..8].iter().any(|&x| x != 0.0), "the hush cut without its bridge");
    assert!(bridged[221..].iter().all(|&x| x == 0.0), "hush left sound after its 5 ms bridge");
    assert!(e.process_block().iter().all(|&x| x == 0.0));
    assert_eq!(e.cps(), 2.0, "hush kept the tempo just set");
    assert!(h.set_cps(-1.0).is_err());
    // a load built before the engine gained a system is dropped, not half-applied
    let before = h.stale_loads();
    h.load_str("out: sine 100").unwrap();
    e.add_systems(Hook::AfterMix, reset_peaks);
    e.process_block();
    assert_eq!(h.stale_loads(), before + 1);
    assert!(e.process_block().iter().all(|&x| x == 0.0));
}

fn reset_peaks(mut p: ResMut<Peaks>) {
    p.out = 0.0;
}
