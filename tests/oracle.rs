//! Pattern semantics against TidalCycles itself: every public oracle case (Tidal 1.9's own
//! answers, copied from `shared/oracle/public-cases.json`) must produce the same onset events.
use phonon::pattern::Span;
use serde_json::Value as Json;

const TOL: f64 = 1e-6;

fn t(x: &Json) -> f64 {
    match x {
        Json::String(s) => {
            let (n, d) = s.split_once('/').map_or((s.as_str(), "1"), |p| p);
            n.trim().parse::<f64>().unwrap() / d.trim().parse::<f64>().unwrap()
        }
        other => other.as_f64().unwrap(),
    }
}

fn val_eq(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            (x - y).abs() <= TOL * 1f64.max(x.abs()).max(y.abs())
        }
        (Json::Object(x), Json::Object(y)) => x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| val_eq(v, w))),
        _ => a == b,
    }
}

type Onset = (f64, f64, Json);

fn onsets(events: &[Json]) -> Vec<Onset> {
    events
        .iter()
        .filter_map(|e| {
            let w = e["whole"].as_array()?;
            let p = e["part"].as_array()?;
            let onset = match e.get("onset") {
                Some(Json::Bool(b)) => *b && (t(&w[0]) - t(&p[0])).abs() <= TOL,
                _ => (t(&w[0]) - t(&p[0])).abs() <= TOL,
            };
            onset.then(|| (t(&w[0]), t(&w[1]), e["value"].clone()))
        })
        .collect()
}

/// Every public case: the multiset of onsets (whole, value) equals Tidal's.
#[test]
fn public_oracle_cases_match_tidal() {
    let cases: serde_json::Map<String, Json> = serde_json::from_str(include_str!("oracle/public-cases.json")).expect("oracle JSON parses");
    let mut failures = Vec::new();
    for (id, case) in &cases {
        let expr = case["tidal"].as_str().unwrap();
        let (from, to) = (&case["cycles"][0], &case["cycles"][1]);
        let parse = |j: &Json| phonon::query::parse_time(j.to_string().trim_matches('"')).unwrap();
        let pat = match phonon::lang::eval_pattern(expr, id) {
            Ok(p) => p,
            Err(e) => {
                failures.push(format!("{id}: `{expr}` does not evaluate: {e}"));
                continue;
            }
        };
        let got: Vec<Json> = pat.query(Span::new(parse(from), parse(to))).iter().map(phonon::query::hap_json).collect();
        let (want, mut got) = (onsets(case["events"].as_array().unwrap()), onsets(&got));
        let mut missing = Vec::new();
        for w in &want {
            match got.iter().position(|g| (g.0 - w.0).abs() <= TOL && (g.1 - w.1).abs() <= TOL && val_eq(&g.2, &w.2)) {
                Some(i) => {
                    got.remove(i);
                }
                None => missing.push(w.clone()),
            }
        }
        if !missing.is_empty() || !got.is_empty() {
            failures.push(format!("{id}: `{expr}`\n    missing {missing:?}\n    extra   {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases differ from Tidal:\n{}", failures.len(), cases.len(), failures.join("\n"));
}
