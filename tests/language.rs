//! The `.ph` language as documented: every example in docs/LANGUAGE.md and assets/ renders
//! finite, audible audio; `.ph` and its RON conversion are the same scene and the same sound.
mod common;
use common::*;
use phonon::render::render_to_vec;
use phonon::{Engine, Scene};

/// The ```ph blocks of a markdown file.
fn ph_blocks(md: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur: Option<String> = None;
    for line in md.lines() {
        match (&mut cur, line.trim_start()) {
            (None, l) if l.starts_with("```ph") => cur = Some(String::new()),
            (Some(_), l) if l.starts_with("```") => out.push(cur.take().unwrap_or_default()),
            (Some(c), _) => {
                c.push_str(line);
                c.push('\n');
            }
            _ => {}
        }
    }
    out
}

fn render_ph(src: &str, name: &str, seconds: f64) -> Vec<f32> {
    let scene = Scene::from_ph(src, name).unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut engine = Engine::from_scene(&scene, name, cfg(512, 1)).unwrap_or_else(|e| panic!("{name}: {e}"));
    render_to_vec(&mut engine, (seconds * 44_100.0) as u64)
}

fn assert_audible(out: &[f32], what: &str) {
    assert_finite(out);
    let r = rms(out);
    assert!(r > 1e-3, "{what}: silent (RMS {r})");
    assert!(peak(out) <= 1.0, "{what}: peak {} above 0 dBFS", peak(out));
}

/// Every example program in docs/LANGUAGE.md renders 4 s of finite, audible sound.
#[test]
fn every_documented_example_renders() {
    let md = include_str!("../docs/LANGUAGE.md");
    let blocks = ph_blocks(md);
    assert!(blocks.len() >= 6, "found {} examples", blocks.len());
    for (i, src) in blocks.iter().enumerate() {
        let out = render_ph(src, &format!("LANGUAGE.md example {}", i + 1), 4.0);
        assert_audible(&out, &format!("example {}:\n{src}", i + 1));
    }
}

/// Every .ph file in assets/ renders 4 s of finite, audible sound.
#[test]
fn every_asset_renders() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/assets");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("ph") {
            continue;
        }
        let src = std::fs::read_to_string(&path).unwrap();
        assert_audible(&render_ph(&src, &path.display().to_string(), 4.0), &path.display().to_string());
        n += 1;
    }
    assert!(n >= 1, "no .ph assets");
}

/// `.ph` → Scene → RON → Scene is the same scene, and both render bit-identical audio.
#[test]
fn ph_and_its_ron_are_the_same_scene() {
    let src = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/demo.ph")).unwrap();
    let a = Scene::from_ph(&src, "demo.ph").unwrap();
    let b = Scene::from_ron(&a.to_ron(), "demo.ron").unwrap();
    assert_eq!(a, b);
    let render = |s: &Scene| render_to_vec(&mut Engine::from_scene(s, "demo", cfg(512, 1)).unwrap(), 44_100 * 3);
    assert!(render(&a) == render(&b));
}

/// A pattern used as a control signal switches at exactly the event's first sample:
/// `sine "220 440" * 0.5` at 0.5 cps changes pitch at sample 44100, phase-continuous.
#[test]
fn control_patterns_switch_at_exact_samples() {
    let out = left(&render_ph("out: sine \"220 440\" * 0.5", "t.ph", 2.0));
    let mut phase = 0.0f64;
    for (n, &x) in out.iter().enumerate() {
        let want = 0.5 * (phase * std::f64::consts::TAU).sin() as f32;
        assert!((x - want).abs() < 1e-4, "sample {n}: {x} vs {want}");
        phase = (phase + if n < 44_100 { 220.0 } else { 440.0 } / 44_100.0).fract();
    }
}

/// The catalogue section of docs/LANGUAGE.md is exactly what the catalogue generates (rewrite it
/// with `PHONON_WRITE_DOCS=1 cargo test --release --test language`), so every node is documented
/// with its arguments, defaults and units, and its example is rendered by the test above.
#[test]
fn catalogue_reference_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/LANGUAGE.md");
    let doc = std::fs::read_to_string(path).unwrap();
    let want = phonon::reference::update(&doc).expect("docs/LANGUAGE.md has the catalogue markers");
    if std::env::var_os("PHONON_WRITE_DOCS").is_some() {
        std::fs::write(path, &want).unwrap();
        return;
    }
    assert!(
        doc == want,
        "docs/LANGUAGE.md's catalogue section is out of date: run PHONON_WRITE_DOCS=1 cargo test --release --test language"
    );
    for d in phonon::systems::dsp::catalogue::all() {
        assert!(doc.contains(&format!("#### `{}`", d.name)), "{} is not documented", d.name);
    }
}

/// Names shared by the pattern language and the node catalogue keep their Tidal meaning on
/// patterns (`range 1 2 sine` is a pattern of numbers, `# shape 0.5` a voice control) and are
/// nodes on signals (`sine 3 # range 1 2`, `range 100 200 $ sine 3`).
#[test]
fn shared_names_follow_their_arguments() {
    let scene =
        Scene::from_ph("out: s \"bd*8\" # speed (range 1 2 sine) # shape 0.3\no1: s \"hh*4\" # pan (slow 2 $ range 0 1 saw)\n", "t.ph")
            .unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(&scene.outputs["out"], phonon::scene::Expr::Pattern(_)), "{:?}", scene.outputs["out"]);
    assert!(matches!(&scene.outputs["o1"], phonon::scene::Expr::Pattern(_)), "{:?}", scene.outputs["o1"]);
    let scene = Scene::from_ph("out: saw (sine 3 # range 100 200) * 0.1\no1: (range 100 200 $ sine 3) * 0.001\n", "t.ph")
        .unwrap_or_else(|e| panic!("{e}"));
    let ron = scene.to_ron();
    assert_eq!(ron.matches("Node(\"range\"").count(), 2, "{ron}");
}
