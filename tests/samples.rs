//! The sample library and the built-in kit, measured: the kit's sounds and their spectra, WAV
//! reading in every supported format, Dirt-Samples folder order and index wrapping, the search
//! order, failures (unknown names, corrupt files) and band-limited resampling.

mod common;
use common::zero_crossing_freq;
use phonon::components::SampleData;
use phonon::samples::{self, KIT, KIT_RATE, SampleLibrary, kit};
use std::f64::consts::TAU;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

// ---------------------------------------------------------------------------------------------
// Helpers.

/// A directory under the system temp dir, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!("phonon-samples-{}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn spec(channels: u16, rate: u32, bits: u16, float: bool) -> hound::WavSpec {
    let sample_format = if float { hound::SampleFormat::Float } else { hound::SampleFormat::Int };
    hound::WavSpec { channels, sample_rate: rate, bits_per_sample: bits, sample_format }
}

/// Write interleaved `data` (in [-1, 1]) as a WAV in the given format.
fn write_wav(path: &Path, channels: u16, rate: u32, bits: u16, float: bool, data: &[f32]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut w = hound::WavWriter::create(path, spec(channels, rate, bits, float)).unwrap();
    for &s in data {
        if float {
            w.write_sample(s).unwrap();
        } else {
            let max = ((1i64 << (bits - 1)) - 1) as f64;
            let v = (s as f64 * max).round() as i64;
            match bits {
                8 => w.write_sample(v as i8).unwrap(),
                16 => w.write_sample(v as i16).unwrap(),
                _ => w.write_sample(v as i32).unwrap(),
            }
        }
    }
    w.finalize().unwrap();
}

/// A mono file holding `frames` samples of the constant `value`.
fn write_const(path: &Path, value: f32, frames: usize) {
    write_wav(path, 1, 44_100, 32, true, &vec![value; frames]);
}

fn peak(x: &[f32]) -> f32 {
    x.iter().fold(0.0, |m, v| m.max(v.abs()))
}

fn rms(x: &[f32]) -> f64 {
    (x.iter().map(|&v| v as f64 * v as f64).sum::<f64>() / x.len().max(1) as f64).sqrt()
}

fn mono(s: &SampleData) -> &[f32] {
    assert_eq!(s.channels, 1);
    &s.data
}

/// Fraction of the signal's energy below `cutoff` Hz (DFT bins 0…cutoff, Parseval).
fn energy_below(x: &[f32], cutoff: f64, sr: f64) -> f64 {
    let n = x.len();
    let total: f64 = x.iter().map(|&v| v as f64 * v as f64).sum();
    let kmax = (cutoff * n as f64 / sr).floor() as usize;
    let mut low = 0.0;
    for k in 0..=kmax.min(n / 2) {
        let p = dft_power(x, k as f64 / n as f64);
        low += if k == 0 { p } else { 2.0 * p };
    }
    low / n as f64 / total
}

/// |X(f)|² at normalised frequency `f` (cycles per sample), by Goertzel.
fn dft_power(x: &[f32], f: f64) -> f64 {
    let c = 2.0 * (TAU * f).cos();
    let (mut s1, mut s2) = (0.0f64, 0.0f64);
    for &v in x {
        let s = v as f64 + c * s1 - s2;
        s2 = s1;
        s1 = s;
    }
    s1 * s1 + s2 * s2 - c * s1 * s2
}

/// The strongest frequency in [lo, hi] (Hann-windowed DTFT on a 0.1 Hz grid).
fn peak_freq(x: &[f32], sr: f64, lo: f64, hi: f64) -> f64 {
    let n = x.len();
    let w: Vec<f32> = x.iter().enumerate().map(|(i, &v)| v * (0.5 - 0.5 * (TAU * i as f64 / (n - 1) as f64).cos()) as f32).collect();
    let mut best = (0.0, lo);
    let mut f = lo;
    while f <= hi {
        let p = dft_power(&w, f / sr);
        if p > best.0 {
            best = (p, f);
        }
        f += 0.1;
    }
    best.1
}

/// Signal-to-residual ratio in dB after least-squares fitting a sine at `freq`.
fn sine_snr_db(x: &[f32], freq: f64, sr: f64) -> f64 {
    let w = TAU * freq / sr;
    let (mut ss, mut cc, mut sc, mut xs, mut xc) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for (i, &v) in x.iter().enumerate() {
        let (s, c) = (w * i as f64).sin_cos();
        ss += s * s;
        cc += c * c;
        sc += s * c;
        xs += v as f64 * s;
        xc += v as f64 * c;
    }
    let det = ss * cc - sc * sc;
    let a = (xs * cc - xc * sc) / det;
    let b = (xc * ss - xs * sc) / det;
    let (mut sig, mut res) = (0.0, 0.0);
    for (i, &v) in x.iter().enumerate() {
        let (s, c) = (w * i as f64).sin_cos();
        let fit = a * s + b * c;
        sig += fit * fit;
        res += (v as f64 - fit).powi(2);
    }
    10.0 * (sig / res).log10()
}

/// How many samples `x` lags a sine at `freq` of phase 0 at sample 0 (least-squares fit over the
/// middle 80%).
fn sine_delay(x: &[f32], freq: f64, sr: f64) -> f64 {
    let w = TAU * freq / sr;
    let (lo, hi) = (x.len() / 10, x.len() * 9 / 10);
    let (mut xs, mut xc) = (0.0, 0.0);
    for (i, &v) in x.iter().enumerate().take(hi).skip(lo) {
        let (s, c) = (w * i as f64).sin_cos();
        xs += v as f64 * s;
        xc += v as f64 * c;
    }
    // x ≈ A sin(w(i − d)) = A cos(wd) sin(wi) − A sin(wd) cos(wi).
    (-xc).atan2(xs) / w
}

fn sine(freq: f64, sr: f64, frames: usize, amp: f64) -> Vec<f32> {
    (0..frames).map(|i| (amp * (TAU * freq * i as f64 / sr).sin()) as f32).collect()
}

/// Captures what `tracing` logs while `f` runs on this thread.
fn capture_logs<R>(f: impl FnOnce() -> R) -> (R, String) {
    #[derive(Clone)]
    struct Buf(Arc<Mutex<Vec<u8>>>);
    impl Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let buf = Buf(Arc::new(Mutex::new(Vec::new())));
    let writer = buf.clone();
    let subscriber =
        tracing_subscriber::fmt().with_ansi(false).with_max_level(tracing::Level::TRACE).with_writer(move || writer.clone()).finish();
    let r = tracing::subscriber::with_default(subscriber, f);
    let text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
    (r, text)
}

const REQUIRED: [&str; 12] = ["bd", "sn", "hh", "oh", "cp", "rim", "lt", "mt", "ht", "cb", "cr", "arpy"];

// ---------------------------------------------------------------------------------------------
// The built-in kit.

/// Every kit sound exists with ≥3 variations, each finite, peak in (0.1, 0.95], non-trivial RMS,
/// under 1.5 s, starting and ending at 0 without a click.
#[test]
fn kit_sounds_are_clean() {
    let lib = SampleLibrary::builtin();
    for name in REQUIRED {
        assert!(lib.has(name), "{name} missing from the kit");
        assert!(lib.count(name) >= 3, "{name} has {} variations", lib.count(name));
        for v in 0..lib.count(name) {
            let s = lib.load(name, v as i64, KIT_RATE).unwrap_or_else(|| panic!("{name}:{v} did not load"));
            let x = mono(&s);
            let (p, r) = (peak(x), rms(x));
            eprintln!("{name}:{v}  {:>6} frames ({:.3} s)  peak {p:.3}  rms {r:.4}", x.len(), x.len() as f64 / 44_100.0);
            assert!(x.iter().all(|v| v.is_finite()), "{name}:{v} has non-finite samples");
            assert!(p > 0.1 && p <= 0.95, "{name}:{v} peak {p}");
            assert!(r > 0.01, "{name}:{v} RMS {r}");
            assert!(x.len() <= 66_150, "{name}:{v} is {} frames (over 1.5 s)", x.len());
            assert!(x[0].abs() < 1e-4 && x[x.len() - 1].abs() < 1e-4, "{name}:{v} first/last {} {}", x[0], x[x.len() - 1]);
            // No click at the start: the first few samples rise smoothly from 0 (a fade-in).
            for (i, limit) in [(1, 0.05), (2, 0.1), (3, 0.2)] {
                assert!(x[i].abs() < limit, "{name}:{v} starts with a jump: x[{i}] = {}", x[i]);
            }
        }
    }
}

/// Variations of each kit sound differ audibly: different lengths or clearly different waveforms.
#[test]
fn kit_variations_differ() {
    for &(name, count) in KIT {
        let xs: Vec<Vec<f32>> = (0..count).map(|v| kit::synthesize(name, v as i64).unwrap()).collect();
        for a in 0..count {
            for b in a + 1..count {
                let (x, y) = (&xs[a], &xs[b]);
                let n = x.len().min(y.len());
                let dot: f64 = (0..n).map(|i| x[i] as f64 * y[i] as f64).sum();
                let corr = dot / (rms(&x[..n]) * rms(&y[..n]) * n as f64);
                let len_ratio = x.len().max(y.len()) as f64 / n as f64;
                assert!(
                    corr < 0.9 || len_ratio > 1.1,
                    "{name}:{a} and {name}:{b} are alike (correlation {corr:.3}, lengths {} {})",
                    x.len(),
                    y.len()
                );
            }
        }
    }
}

/// The kit is deterministic: synthesizing twice gives bit-identical audio, and wrapping works.
#[test]
fn kit_is_deterministic() {
    for &(name, count) in KIT {
        for v in 0..count as i64 {
            let a = kit::synthesize(name, v).unwrap();
            let b = kit::synthesize(name, v).unwrap();
            assert!(a.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits()) && a.len() == b.len(), "{name}:{v}");
            assert_eq!(kit::synthesize(name, v + count as i64).unwrap(), a);
        }
    }
    assert!(kit::synthesize("nope", 0).is_none());
}

/// Kicks keep most of their energy below 200 Hz; closed hats most of theirs above 5 kHz.
#[test]
fn kit_spectra() {
    let lib = SampleLibrary::builtin();
    for v in 0..lib.count("bd") {
        let s = lib.load("bd", v as i64, KIT_RATE).unwrap();
        let low = energy_below(mono(&s), 200.0, 44_100.0);
        eprintln!("bd:{v}: {:.1}% of the energy below 200 Hz", low * 100.0);
        assert!(low > 0.8, "bd:{v}: only {:.1}% below 200 Hz", low * 100.0);
    }
    for name in ["hh", "oh"] {
        for v in 0..lib.count(name) {
            let s = lib.load(name, v as i64, KIT_RATE).unwrap();
            let x = mono(&s);
            // oh is long: its first 0.4 s is enough to judge.
            let x = &x[..x.len().min(17_640)];
            let high = 1.0 - energy_below(x, 5000.0, 44_100.0);
            eprintln!("{name}:{v}: {:.1}% of the energy above 5 kHz", high * 100.0);
            assert!(high > 0.85, "{name}:{v}: only {:.1}% above 5 kHz", high * 100.0);
        }
    }
}

/// The toms are pitched low < mid < high, and `arpy` variations sit on their notes (± 10 cents).
#[test]
fn kit_pitches() {
    let lib = SampleLibrary::builtin();
    let mut last = 0.0;
    for name in ["lt", "mt", "ht"] {
        let s = lib.load(name, 0, KIT_RATE).unwrap();
        let x = mono(&s);
        let f = peak_freq(&x[4410..x.len().min(22_050)], 44_100.0, 40.0, 400.0);
        eprintln!("{name}:0 sounds at {f:.1} Hz");
        assert!(f > last * 1.2, "{name} at {f} Hz is not above the previous tom ({last} Hz)");
        last = f;
    }
    for (v, &note) in kit::ARPY_NOTES.iter().enumerate() {
        let want = 440.0 * 2f64.powf((note as f64 - 69.0) / 12.0);
        let s = lib.load("arpy", v as i64, KIT_RATE).unwrap();
        let got = peak_freq(mono(&s), 44_100.0, want * 0.95, want * 1.05);
        let cents = 1200.0 * (got / want).log2();
        eprintln!("arpy:{v}: want {want:.2} Hz, got {got:.2} Hz ({cents:+.1} cents)");
        assert!(cents.abs() < 10.0, "arpy:{v} is {cents:.1} cents off");
    }
}

/// The WAVs in assets/samples are the kit as synthesized (within 16-bit quantisation).
#[test]
fn assets_match_the_kit() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/samples");
    assert!(dir.is_dir(), "{} missing: run `cargo test --release --test samples -- --ignored write_assets`", dir.display());
    let lib = SampleLibrary::with_dirs(std::slice::from_ref(&dir));
    let mut bytes = 0;
    for &(name, count) in KIT {
        assert_eq!(lib.count(name), count, "{name} in assets");
        for v in 0..count {
            let path = dir.join(name).join(format!("{name}_{v}.wav"));
            bytes += std::fs::metadata(&path).unwrap().len();
            let want = kit::synthesize(name, v as i64).unwrap();
            let got = lib.load(name, v as i64, KIT_RATE).unwrap();
            assert_eq!(got.data.len(), want.len(), "{name}:{v} length");
            let err = got.data.iter().zip(&want).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
            assert!(err < 1.5 / 32768.0, "{}: off by {err} (regenerate with --ignored write_assets)", path.display());
        }
    }
    eprintln!("assets/samples: {bytes} bytes");
    assert!(bytes < 4_000_000, "assets/samples is {bytes} bytes");
}

/// Regenerates assets/samples from the kit (run with `--ignored write_assets`).
#[test]
#[ignore]
fn write_assets() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/samples");
    samples::write_builtin_kit(&dir).unwrap();
}

/// `write_builtin_kit` writes the Dirt-Samples layout, byte-identical on a second run.
#[test]
fn write_builtin_kit_is_reproducible() {
    let (a, b) = (TempDir::new("kit-a"), TempDir::new("kit-b"));
    samples::write_builtin_kit(a.path()).unwrap();
    samples::write_builtin_kit(b.path()).unwrap();
    for &(name, count) in KIT {
        for v in 0..count {
            let rel = format!("{name}/{name}_{v}.wav");
            let (x, y) = (std::fs::read(a.path().join(&rel)).unwrap(), std::fs::read(b.path().join(&rel)).unwrap());
            assert!(x == y, "{rel} differs between runs");
            let r = hound::WavReader::open(a.path().join(&rel)).unwrap();
            assert_eq!(r.spec(), spec(1, 44_100, 16, false), "{rel}");
        }
    }
}

/// The kit at 48 kHz goes through the resampler: length scaled by 48/44.1, still clean.
#[test]
fn kit_at_other_rates() {
    let lib = SampleLibrary::builtin();
    for &(name, _) in KIT {
        let native = kit::synthesize(name, 0).unwrap();
        let s = lib.load(name, 0, 48_000).unwrap();
        let want = (native.len() as f64 * 48_000.0 / 44_100.0).ceil() as usize;
        assert!(s.data.len().abs_diff(want) <= 2, "{name}: {} frames at 48 kHz, want {want}", s.data.len());
        assert!(s.data.iter().all(|v| v.is_finite()));
        assert!(peak(&s.data) <= 1.0 && peak(&s.data) > 0.1, "{name}: peak {}", peak(&s.data));
        assert!((rms(&s.data) / rms(&native) - 1.0).abs() < 0.05, "{name}: level changed");
    }
}

// ---------------------------------------------------------------------------------------------
// Files.

/// 8/16/24/32-bit integer and 32-bit float WAVs, mono and stereo, read back within quantisation;
/// a 3-channel file keeps its first two channels.
#[test]
fn reads_wav_formats() {
    let tmp = TempDir::new("formats");
    let frames = 1000;
    let left = sine(440.0, 44_100.0, frames, 0.8);
    let right = sine(1234.0, 44_100.0, frames, -0.5);
    let stereo: Vec<f32> = left.iter().zip(&right).flat_map(|(&l, &r)| [l, r]).collect();
    let cases = [(8, false, 1.0 / 64.0), (16, false, 1.0 / 16_000.0), (24, false, 1e-6), (32, false, 1e-7), (32, true, 0.0)];
    for (bits, float, _) in cases {
        let kind = format!("{}{bits}", if float { "f" } else { "i" });
        write_wav(&tmp.path().join(format!("m{kind}/a.wav")), 1, 44_100, bits, float, &left);
        write_wav(&tmp.path().join(format!("s{kind}/a.wav")), 2, 44_100, bits, float, &stereo);
    }
    let three: Vec<f32> = left.iter().zip(&right).flat_map(|(&l, &r)| [l, r, 0.25]).collect();
    write_wav(&tmp.path().join("three/a.wav"), 3, 44_100, 16, false, &three);
    let lib = SampleLibrary::with_dirs(&[tmp.path().to_path_buf()]);
    for (bits, float, tol) in cases {
        let kind = format!("{}{bits}", if float { "f" } else { "i" });
        let m = lib.load(&format!("m{kind}"), 0, 44_100).unwrap();
        assert_eq!((m.channels, m.data.len()), (1, frames), "mono {kind}");
        let err = m.data.iter().zip(&left).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
        assert!(err <= tol, "mono {kind}: error {err}");
        let s = lib.load(&format!("s{kind}"), 0, 44_100).unwrap();
        assert_eq!((s.channels, s.frames()), (2, frames), "stereo {kind}");
        let err = s.data.iter().zip(&stereo).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
        assert!(err <= tol, "stereo {kind}: error {err}");
        eprintln!("{kind}: max error {err:e}");
    }
    let t = lib.load("three", 0, 44_100).unwrap();
    assert_eq!((t.channels, t.frames()), (2, frames));
    let err = t.data.iter().zip(&stereo).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
    assert!(err <= 1.0 / 16_000.0, "3-channel file: error {err}");
}

/// Files are a sound's variations in file-name order; indices wrap (`bd:5` of 4 = `bd:1`,
/// `bd:-1` = `bd:3`); hidden and non-audio files are not counted.
#[test]
fn folder_order_and_index_wrapping() {
    let tmp = TempDir::new("order");
    let bd = tmp.path().join("bd");
    for (file, value) in [("c.wav", 0.3), ("a.wav", 0.1), ("d.WAV", 0.4), ("b.wav", 0.2)] {
        write_const(&bd.join(file), value, 100);
    }
    std::fs::write(bd.join("readme.txt"), "not audio").unwrap();
    write_const(&bd.join(".hidden.wav"), 0.9, 100);
    std::fs::create_dir_all(tmp.path().join("empty")).unwrap();
    let lib = SampleLibrary::with_dirs(&[tmp.path().to_path_buf()]);
    assert_eq!(lib.count("bd"), 4);
    assert!(!lib.has("empty"), "a folder without audio files is not a sound");
    let value = |i: i64| lib.load("bd", i, 44_100).unwrap().data[50];
    for (i, want) in [(0, 0.1), (1, 0.2), (2, 0.3), (3, 0.4), (4, 0.1), (5, 0.2), (-1, 0.4), (-4, 0.1), (-5, 0.4), (1001, 0.2)] {
        assert_eq!(value(i), want, "bd:{i}");
    }
    assert!(lib.path_of("bd", 5).unwrap().ends_with("b.wav"));
    assert!(
        Arc::ptr_eq(&lib.load("bd", 1, 44_100).unwrap(), &lib.load("bd", 5, 44_100).unwrap()),
        "wrapped indices share the cached sample"
    );
    // The kit wraps the same way.
    let kit = SampleLibrary::builtin();
    assert_eq!(kit.load("sn", -1, 44_100), kit.load("sn", 3, 44_100));
}

/// The search order: an earlier directory's `bd` hides a later one's and the built-in kit's;
/// other kit sounds stay; `discover` puts `--samples` dirs first; `report` tells it all.
#[test]
fn search_order() {
    let (a, b) = (TempDir::new("first"), TempDir::new("second"));
    write_const(&a.path().join("bd/x.wav"), 0.5, 100);
    write_const(&b.path().join("bd/x.wav"), -0.5, 100);
    write_const(&b.path().join("bd/y.wav"), -0.25, 100);
    write_const(&b.path().join("only_b/x.wav"), 0.75, 100);
    let lib = SampleLibrary::with_dirs(&[a.path().to_path_buf(), b.path().to_path_buf()]);
    assert_eq!(lib.count("bd"), 1);
    assert_eq!(lib.load("bd", 0, 44_100).unwrap().data, vec![0.5; 100]);
    assert_eq!(lib.load("only_b", 0, 44_100).unwrap().data, vec![0.75; 100]);
    assert_eq!(lib.count("sn"), kit::variations("sn"), "the rest of the kit is still there");

    let found = SampleLibrary::discover(&[a.path().to_path_buf()]);
    assert_eq!(found.count("bd"), 1, "--samples dir overrides the built-in bd");
    assert_eq!(found.load("bd", 3, 44_100).unwrap().data, vec![0.5; 100]);
    assert!(found.has("hh"));
    let dirs = samples::search_path(&[a.path().to_path_buf()]);
    assert_eq!(dirs[0].1, a.path());
    assert!(dirs.iter().any(|(_, d)| d == Path::new("samples")));

    let report = lib.report();
    eprintln!("{report}");
    assert!(report.contains(&a.path().display().to_string()));
    let bd_line = report.lines().find(|l| l.trim_start().starts_with("bd ")).unwrap();
    assert!(bd_line.contains(" 1 ") && bd_line.contains("hides") && bd_line.contains("built-in"), "{bd_line}");
    let sn_line = report.lines().find(|l| l.trim_start().starts_with("sn ")).unwrap();
    assert!(sn_line.contains(" 4 ") && sn_line.contains("built-in"), "{sn_line}");
    let names: Vec<&str> = lib.names().collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    for name in REQUIRED {
        assert!(report.lines().any(|l| l.trim_start().starts_with(&format!("{name} "))), "{name} not in the report");
    }
}

/// An unknown name is None (no panic), warned about once; has/count say no.
#[test]
fn unknown_name() {
    let lib = SampleLibrary::builtin();
    let (r, log) = capture_logs(|| (lib.load("nosuchsound", 0, 44_100), lib.load("nosuchsound", 3, 48_000)));
    assert!(r.0.is_none() && r.1.is_none());
    assert!(!lib.has("nosuchsound") && lib.count("nosuchsound") == 0);
    assert_eq!(log.matches("WARN").count(), 1, "one warning per name: {log}");
    assert!(log.contains("nosuchsound"), "{log}");
    assert!(!log.contains("ERROR"));
}

/// A corrupt WAV or an unsupported format is None with a warning naming the file; the good files
/// next to it still load.
#[test]
fn corrupt_file() {
    let tmp = TempDir::new("corrupt");
    let bd = tmp.path().join("bd");
    std::fs::create_dir_all(&bd).unwrap();
    std::fs::write(bd.join("0_broken.wav"), b"RIFF\x10\x00\x00\x00WAVEjunkjunkjunk").unwrap();
    write_const(&bd.join("1_good.wav"), 0.5, 100);
    std::fs::write(bd.join("2_sound.aif"), b"FORM....AIFF").unwrap();
    let mut truncated = Vec::new();
    {
        let mut w = hound::WavWriter::new(std::io::Cursor::new(&mut truncated), spec(1, 44_100, 16, false)).unwrap();
        for i in 0..1000 {
            w.write_sample(i as i16).unwrap();
        }
        w.finalize().unwrap();
    }
    truncated.truncate(500);
    std::fs::write(bd.join("3_truncated.wav"), &truncated).unwrap();
    let lib = SampleLibrary::with_dirs(&[tmp.path().to_path_buf()]);
    assert_eq!(lib.count("bd"), 4);
    for (i, file) in [(0, "0_broken.wav"), (2, "2_sound.aif"), (3, "3_truncated.wav")] {
        let (r, log) = capture_logs(|| lib.load("bd", i, 44_100));
        assert!(r.is_none(), "bd:{i} loaded");
        assert!(log.contains("WARN") && log.contains(file), "bd:{i}: no warning naming {file}: {log}");
        assert!(!log.contains("ERROR"));
        eprint!("{log}");
    }
    assert_eq!(lib.load("bd", 1, 44_100).unwrap().data, vec![0.5; 100]);
}

// ---------------------------------------------------------------------------------------------
// Resampling.

/// A 1 kHz sine at 48 kHz loaded at 44.1 kHz (and one at 44.1 kHz loaded at 48 kHz) still reads
/// 1000 ± 1 Hz, is a clean sine (little distortion), and has the length times the rate ratio.
#[test]
fn resampling_keeps_pitch_and_length() {
    let tmp = TempDir::new("resample");
    for (from, to) in [(48_000u32, 44_100u32), (44_100, 48_000), (22_050, 44_100), (44_100, 44_101)] {
        let frames = from as usize;
        let name = format!("sine{from}");
        write_wav(&tmp.path().join(&name).join("a.wav"), 1, from, 32, true, &sine(1000.0, from as f64, frames, 0.5));
        let lib = SampleLibrary::with_dirs(&[tmp.path().to_path_buf()]);
        let s = lib.load(&name, 0, to).unwrap();
        let want_len = frames as f64 * to as f64 / from as f64;
        let x = mono(&s);
        assert!((x.len() as f64 - want_len).abs() <= 3.0, "{from}→{to}: {} frames, want {want_len}", x.len());
        let mid = &x[x.len() / 10..x.len() * 9 / 10];
        let f = zero_crossing_freq(mid, to as f64);
        let snr = sine_snr_db(mid, 1000.0, to as f64);
        let amp = rms(mid) * 2f64.sqrt();
        eprintln!("{from}→{to}: {} frames (want {want_len:.1}), {f:.4} Hz, SNR {snr:.1} dB, amplitude {amp:.4}", x.len());
        assert!((f - 1000.0).abs() < 1.0, "{from}→{to}: {f} Hz");
        assert!(snr > 80.0, "{from}→{to}: SNR {snr:.1} dB");
        assert!((amp - 0.5).abs() < 0.005, "{from}→{to}: amplitude {amp}");
        // The start lines up: no added delay (the fitted sine's phase, in output samples; the FFT
        // and sinc resamplers align within a sample).
        let delay = sine_delay(x, 1000.0, to as f64);
        eprintln!("{from}→{to}: delay {delay:+.3} samples");
        assert!(delay.abs() < 1.1, "{from}→{to}: delayed by {delay:.2} samples");
    }
}

/// Downsampling filters what would alias: a 23 kHz tone at 48 kHz (above 44.1 kHz's Nyquist)
/// comes out at least 60 dB down, not as a 21.1 kHz alias.
#[test]
fn resampling_does_not_alias() {
    let tmp = TempDir::new("alias");
    write_wav(&tmp.path().join("hi/a.wav"), 1, 48_000, 32, true, &sine(23_000.0, 48_000.0, 48_000, 0.5));
    let lib = SampleLibrary::with_dirs(&[tmp.path().to_path_buf()]);
    let s = lib.load("hi", 0, 44_100).unwrap();
    let x = mono(&s);
    let mid = &x[x.len() / 10..x.len() * 9 / 10];
    let db = 20.0 * (rms(mid) / (0.5 / 2f64.sqrt())).log10();
    eprintln!("23 kHz at 48 kHz → 44.1 kHz: {db:.1} dB");
    assert!(db < -60.0, "{db:.1} dB left of a 23 kHz tone");
}

/// Loading twice returns the cached sample (the same Arc); another rate is another entry.
#[test]
fn cache() {
    let lib = SampleLibrary::builtin();
    let a = lib.load("bd", 0, 44_100).unwrap();
    let b = lib.load("bd", 0, 44_100).unwrap();
    assert!(Arc::ptr_eq(&a, &b));
    let c = lib.load("bd", 0, 48_000).unwrap();
    assert!(!Arc::ptr_eq(&a, &c));
    assert_ne!(a.data.len(), c.data.len());
}

/// The direct helpers: `resample` at equal rates is the identity and `read_wav` reports the
/// file's rate.
#[test]
fn helpers() {
    let x: Vec<f32> = (0..10).map(|i| i as f32 / 10.0).collect();
    assert_eq!(samples::resample(&x, 1, 44_100, 44_100).unwrap(), x);
    let tmp = TempDir::new("helpers");
    let p = tmp.path().join("a/b.wav");
    write_wav(&p, 2, 32_000, 16, false, &[0.5, -0.5, 0.25, -0.25]);
    let d = samples::read_wav(&p).unwrap();
    assert_eq!((d.channels, d.sample_rate, d.data.len()), (2, 32_000, 4));
    assert!((d.data[1] + 0.5).abs() < 1e-4);
    assert!(samples::read_wav(&tmp.path().join("missing.wav")).is_err());
}
