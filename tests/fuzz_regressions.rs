//! Every crash, hang and wrong answer the fuzzers (`fuzz/`) found, minimized, with what it
//! gets now: a clear error (with its column, or line and column) or the right result.

use phonon::Scene;
use phonon::components::Rational;
use phonon::pattern::mini::parse_mini;
use phonon::samples::{decode_wav, resample};

fn mini_error(src: &str) -> (usize, String) {
    match parse_mini(src) {
        Ok(_) => panic!("{src:?} parsed"),
        Err(e) => (e.column, e.message),
    }
}

fn ph_error(src: &str) -> String {
    match Scene::from_ph(src, "fuzz.ph") {
        Ok(s) => panic!("{src:?} parsed: {s:?}"),
        Err(e) => e.to_string(),
    }
}

/// Hangs (fuzz target `mini`): factors each within the limit whose product floods a query
/// (`b1*951*995*3`: 2.8 million events per cycle; `b~*x*4096*+54096`: no events, but 37
/// million rests of `~` sped up by `x` = 1/6, 4096 and 54096). Refused at parse time.
#[test]
fn mini_event_floods_are_refused() {
    for src in [
        "b1*951*995*3",
        "m3*333*1*3*3*311*3",
        "b0d11*33*3*1*3*33*3*1*33*3",
        "b0d*1*330*1*330*3*3",
        "gsne.e.[yfb?gsne.ecutoff*8*77*8*77]",
        "[bd sn]*100000",
        "bd(3,8)*4096*4096",
        "{bd sn hh}%[1 99999]*99999",
        "b~*x*4096*+54096",
        "bd*99999w*99999w",
        "bd/0.0001/0.0001",
    ] {
        let (col, msg) = mini_error(src);
        assert!(msg.contains("steps per cycle (events and rests), too many (at most 100000)"), "{src}: {msg}");
        assert_eq!(col, 1, "{src}: {msg}");
    }
    assert_eq!(
        mini_error("[bd sn]*100000").1,
        "this pattern has about 200000 steps per cycle (events and rests), too many (at most 100000)"
    );
    // dense but within the limit: still exact
    let p = parse_mini("bd*100000").unwrap();
    assert_eq!(p.onsets(Rational::ZERO, Rational::ONE).len(), 100_000);
    let p = parse_mini("[bd*16 sn(5,8,<0 2>)]*64 <hh oh>*3 {a b c}%7").unwrap();
    assert_eq!(p.onsets(Rational::ZERO, Rational::ONE).len(), 64 * (16 + 5) + 3 + 7);
}

/// Deep nesting in mini-notation (brackets, or chains of postfix operators) is an error at
/// the bracket or operator that goes too deep, not a stack overflow while parsing, building
/// or querying.
#[test]
fn mini_deep_nesting_is_an_error() {
    for (open, close) in [("[", "]"), ("<", ">"), ("{", "}")] {
        let src = format!("{}bd{}", open.repeat(5000), close.repeat(5000));
        let (col, msg) = mini_error(&src);
        assert_eq!(col, 65, "{open}: {msg}");
        assert_eq!(msg, "nested too deep: brackets and operators (* / ? ( ) ') nest at most 64 deep");
    }
    let (col, msg) = mini_error(&format!("bd{}", "*1".repeat(2000)));
    assert_eq!((col, msg.starts_with("nested too deep")), (3 + 2 * 64, true), "{msg}");
    let (_, msg) = mini_error(&format!("bd{}", "?".repeat(2000)));
    assert!(msg.starts_with("nested too deep") || msg.contains("'?'"), "{msg}");
    let (_, msg) = mini_error(&format!("bd*{}", "[1]*".repeat(2000)));
    assert!(msg.starts_with("nested too deep"), "{msg}");
    // 60 deep is fine, and queries on a test thread's 2 MiB stack
    let src = format!("{}bd sn{}", "[".repeat(60), "]".repeat(60));
    assert_eq!(parse_mini(&src).unwrap().onsets(Rational::ZERO, Rational::ONE).len(), 2);
    let src = format!("{}bd sn{}", "<".repeat(60), ">".repeat(60));
    assert_eq!(parse_mini(&src).unwrap().onsets(Rational::ZERO, Rational::integer(2)).len(), 2);
    let src = format!("bd{}", "*1".repeat(60));
    assert_eq!(parse_mini(&src).unwrap().onsets(Rational::ZERO, Rational::ONE).len(), 1);
}

/// The same inside a `.ph` file: the error has the file's line and column.
#[test]
fn ph_deep_nesting_in_a_string_is_an_error_with_its_place() {
    let src = format!("tempo: 0.5\nout: s \"{}bd{}\"\n", "[".repeat(5000), "]".repeat(5000));
    let e = ph_error(&src);
    // `out: s "` is 8 characters; the 65th bracket is too deep
    assert!(e.starts_with("fuzz.ph:2:73: in mini-notation: nested too deep"), "{}", &e[..200.min(e.len())]);
}

/// Stack overflows (fuzz target `ph`): a bus used in its own definition where the language
/// asks what the bus is (a chain? a pattern? a voice template?) recursed forever.
#[test]
fn ph_self_referencing_buses_are_errors() {
    let cases = [
        ("tempo: 0.75\n~lfo:pf (~lfo * 800 + 1200)/0.8 * 0.3\n", "fuzz.ph:2:21: a signal cannot be the argument of a pattern function"),
        ("~a: s \"bd\" # ~a\nout: ~a\n", "fuzz.ph:1:14: pattern bus '~a' is defined in terms of itself"),
        ("~a: s \"bd\" |+ ~a\nout: ~a\n", "fuzz.ph:1:12: '|+' works on patterns"),
        ("~a: range 1 5 ~a\nout: saw ~a\n", "fuzz.ph:1:15: 'range' takes at most 2 arguments"),
        ("~a: ~b\n~b: n 1 + ~a\nout: s \"x\" + ~a\n", "fuzz.ph:2:"),
        ("~p: fast 2 ~p\nout: n ~p # s \"x\"\n", "fuzz.ph:1:12: pattern bus '~p' is defined in terms of itself"),
    ];
    for (src, want) in cases {
        let e = ph_error(src);
        assert!(e.starts_with(want), "{src:?}: {e}");
    }
    // a signal bus in its own definition is feedback, and plays
    let s = Scene::from_ph("~a: saw 55 + ~a * 0.5\nout: ~a * 0.1\n", "fuzz.ph").unwrap();
    assert!(phonon::build::build_graph(&s, "fuzz.ph").is_ok());
}

/// A 16-bit mono WAV of `frames` frames at `rate` Hz, with `data_len` as the data chunk's
/// declared length (the real length when `None`).
fn wav16(rate: u32, frames: usize, data_len: Option<u32>) -> Vec<u8> {
    let data: Vec<u8> = (0..frames).flat_map(|i| (((i * 7919) % 65536) as u16).to_le_bytes()).collect();
    wav(1, 1, rate, 16, &data, data_len)
}

fn wav(format: u16, channels: u16, rate: u32, bits: u16, data: &[u8], data_len: Option<u32>) -> Vec<u8> {
    let block = channels * bits / 8;
    let mut w = b"RIFF".to_vec();
    w.extend_from_slice(&(36 + data.len() as u32).to_le_bytes());
    w.extend_from_slice(b"WAVEfmt ");
    w.extend_from_slice(&16u32.to_le_bytes());
    for v in [format, channels] {
        w.extend_from_slice(&v.to_le_bytes());
    }
    w.extend_from_slice(&rate.to_le_bytes());
    w.extend_from_slice(&rate.wrapping_mul(block as u32).to_le_bytes());
    for v in [block, bits] {
        w.extend_from_slice(&v.to_le_bytes());
    }
    w.extend_from_slice(b"data");
    w.extend_from_slice(&data_len.unwrap_or(data.len() as u32).to_le_bytes());
    w.extend_from_slice(data);
    w
}

/// Wrong length (fuzz target `wav`): 5292 frames at 44.1 kHz resampled to 48 kHz gave 5761
/// frames, not 5292 × 48000 / 44100 = 5760 (rubato's float ceiling overshoots).
#[test]
fn wav_resampled_length_is_exact() {
    let d = decode_wav(&wav16(44_100, 5292, None)[..]).unwrap();
    assert_eq!(resample(&d.data, 1, 44_100, 48_000).unwrap().len(), 5760);
    for (frames, from, to) in
        [(5292, 44_100, 48_000), (441, 44_100, 48_000), (1000, 48_000, 44_100), (3, 22_050, 44_100), (777, 11_025, 48_000)]
    {
        let x = vec![0.25f32; frames * 2];
        let y = resample(&x, 2, from, to).unwrap();
        assert_eq!(y.len(), 2 * (frames * to as usize).div_ceil(from as usize), "{frames} frames {from} → {to} Hz");
    }
}

/// Infinity (fuzz target `wav`): float samples near f32::MAX are finite, but the resampler's
/// sums of them overflowed. They are clamped to ±1000 at decode.
#[test]
fn wav_huge_float_samples_resample_finite() {
    let data: Vec<u8> = [3.0e38f32, -3.0e38, f32::MAX, 0.5, f32::INFINITY, f32::NAN, -2.0, 1.0e10]
        .iter()
        .cycle()
        .take(2 * 400)
        .flat_map(|x| x.to_le_bytes())
        .collect();
    let d = decode_wav(&wav(3, 2, 44_100, 32, &data, None)[..]).unwrap();
    assert_eq!(&d.data[..8], [1000.0, -1000.0, 1000.0, 0.5, 0.0, 0.0, -2.0, 1000.0]);
    let y = resample(&d.data, 2, 44_100, 48_000).unwrap();
    assert_eq!(y.len(), 2 * 436);
    assert!(y.iter().all(|x| x.is_finite()));
}

/// Hang (fuzz target `wav`): a file declaring 4 Hz took minutes to resample to 48 kHz (a
/// 12000:1 sinc resampler over whole chunks). Rates outside 1 kHz … 768 kHz are refused.
#[test]
fn wav_absurd_sample_rates_are_refused() {
    for rate in [1, 4, 999, 768_001, 4_000_000] {
        let e = decode_wav(&wav16(rate, 2, None)[..]).unwrap_err();
        assert!(e.contains("out of range (1000 to 768000 Hz)"), "{rate}: {e}");
    }
    for rate in [1000, 8000, 768_000] {
        assert_eq!(decode_wav(&wav16(rate, 2, None)[..]).unwrap().sample_rate, rate);
    }
}

/// A data chunk that claims 4 GB (but holds 8 bytes) must not reserve 4 GB up front.
#[test]
fn wav_lying_data_length_is_harmless() {
    match decode_wav(&wav16(44_100, 4, Some(u32::MAX - 1))[..]) {
        Ok(d) => assert_eq!(d.data.len(), 4),
        Err(e) => assert!(!e.is_empty()),
    }
}

/// Out of memory (fuzz target `mini`, as a pattern expression): `isaw / iter 8888…884 1`
/// asked `iter` to build 8.9e73 rotations. Functions that build one pattern, piece or repeat
/// per count refuse a count above 4096, and clamp counts that come from a pattern.
#[test]
fn huge_counts_are_refused_or_clamped() {
    let e = phonon::lang::eval_pattern(&format!("isaw\t/\t\t\titer\t{}4\t\n\n\n\n1", "8".repeat(74)), "fuzz").err().unwrap();
    assert!(e.to_string().contains("is too large a count here (at most 4096)"), "{e}");
    for src in [
        r#"iter 99999999999 "a""#,
        r#"iter' 1e7 "a""#,
        r#"palindrome $ iter 1e15 "a""#,
        r#"chunk (-99999999) (fast 2) "a""#,
        r#"chop 1e12 $ s "a""#,
        r#"striate 1e12 $ s "a""#,
        r#"euclid 3 1e12 "a""#,
        r#"euclid 1e12 8 "a""#,
        r#"euclidOff 3 1e12 0 "a""#,
        r#"stut 1e12 0.5 0.1 $ s "a""#,
        r#"echo 1e12 0.2 0.5 $ s "a""#,
    ] {
        let e = phonon::lang::eval_pattern(src, "fuzz").err().unwrap_or_else(|| panic!("{src} evaluated"));
        assert!(e.to_string().contains("too large a count here (at most 4096)"), "{src}: {e}");
    }
    // from a pattern: clamped, so `chop "1e12"` cuts each cycle into 4096 pieces
    let p = phonon::lang::eval_pattern(r#"chop "<2 1e12>" $ s "a""#, "fuzz").unwrap();
    assert_eq!(p.onsets(Rational::ZERO, Rational::ONE).len(), 2);
    assert_eq!(p.onsets(Rational::ONE, Rational::integer(2)).len(), 4096);
    // ordinary counts are untouched
    let p = phonon::lang::eval_pattern(r#"euclid 3 8 $ s "bd""#, "fuzz").unwrap();
    assert_eq!(p.onsets(Rational::ZERO, Rational::ONE).len(), 3);
}

/// Out of memory (fuzz target `mini`, over cycles 0 to 4): a range whose end is a time word
/// (`5001*15..w` in a factor, `w` = 1) escaped the range and size limits, which counted only
/// numbers, and each event of its ends built its 4097 steps eagerly; tens of thousands of such
/// events were alive at once (4.3 GB). The range is now an error at its column, ranges in
/// factors count in the size estimate, and a range makes its steps only when queried.
#[test]
fn mini_time_word_ranges_are_limited() {
    let src = "fd*4..w/\n<0\t5001*15..w/\n<\t5001*15..w/05\t .1>* 8.0 > zoomAsc.z";
    assert_eq!(mini_error(src), (13, "the range is too long (at most 4096 steps)".to_string()));
    let (col, msg) = mini_error(&src.replace("5001", "4000"));
    assert!(col == 1 && msg.contains("steps per cycle (events and rests), too many"), "{col}: {msg}");
    assert_eq!(mini_error("bd*[5000 .. w]").0, 5);
    // a time word as a range end reads as its time, as in Tidal (`[0.5 .. 2]` is 0.5 1.5 2.5)
    let onsets = |src: &str| {
        let p = parse_mini(src).unwrap();
        p.onsets(Rational::ZERO, Rational::integer(4)).into_iter().map(|h| (h.part, h.value.to_string())).collect::<Vec<_>>()
    };
    assert_eq!(onsets("bd*[4 .. w] sn*<h .. 2>"), onsets("bd*[4 3 2 1] sn*<[0.5 1.5 2.5]>"));
    // the largest range is still whole, and a bounded query of many of them stops early
    let p = parse_mini("0 .. 4096").unwrap();
    let values = p.onsets(Rational::ZERO, Rational::ONE);
    assert_eq!((values.len(), values[4096].value.to_string()), (4097, "4096".to_string()));
    let p = parse_mini("[0 .. 4000]*24").unwrap();
    let span = phonon::pattern::Span::new(Rational::ZERO, Rational::integer(1000));
    let (haps, truncated) = p.query_bounded(span, 10_000);
    assert!(truncated && haps.len() <= 10_000 + 96, "{} haps, truncated {truncated}", haps.len());
}
