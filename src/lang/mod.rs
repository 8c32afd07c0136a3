//! Phonon's expression language: the pattern half of `.ph` (Tidal's syntax: application by
//! juxtaposition, `$`, `.`, `#` and the `|+|` operator family, sections, mini-notation strings).
//!
//! The pipeline is [`lexer`] → [`parser`] → [`eval`] (with the function table of [`builtins`]
//! and [`library`]). A whole `.ph` program (statements for buses, outputs and tempo) is
//! elaborated into a [`Scene`](crate::Scene) by [`ph::parse_ph`] (also reached through
//! [`Scene::from_ph`](crate::Scene::from_ph) and [`Scene::load`](crate::Scene::load)); a single
//! pattern expression is evaluated by [`eval_pattern`].
//!
//! ```
//! use phonon::scene::Expr;
//! let src = "tempo: 0.75\n~lfo: sine 0.25\nout: saw 110 # lpf (~lfo * 800 + 1200) 0.8 * 0.3\n";
//! let scene = phonon::lang::ph::parse_ph(src, "song.ph")?;
//! assert_eq!(scene.cps, 0.75);
//! assert_eq!(scene.buses["lfo"], Expr::Sine(Box::new(Expr::Num(0.25))));
//! assert_eq!(scene.outputs.keys().collect::<Vec<_>>(), ["out"]);
//! # Ok::<(), phonon::Error>(())
//! ```

pub mod builtins;
pub mod eval;
pub mod lexer;
pub mod library;
pub mod parser;
pub mod ph;

use crate::error::Error;
use eval::{Env, NoBuses, Pat};

/// Parse and evaluate `src` (one expression) to a pattern; `file` names it in errors. A bus
/// reference (`~name`) is an error here: use [`eval_pattern_in`] to resolve buses.
///
/// # Errors
///
/// [`Error::Syntax`] (`file:line:col: message`) for text that does not lex, parse or evaluate
/// to a pattern, including a bad mini-notation string.
///
/// ```
/// use phonon::components::Rational;
/// use phonon::lang::eval_pattern;
/// // Tidal: n ("0 2" + "<10 20>"): structure from both sides, cycle 1 takes 20
/// let pat = eval_pattern(r#"n ("0 2" + "<10 20>")"#, "example")?;
/// let ns: Vec<f64> = pat
///     .onsets(Rational::integer(1), Rational::integer(2))
///     .iter()
///     .map(|h| h.value.as_map().unwrap()["n"].as_num().unwrap())
///     .collect();
/// assert_eq!(ns, [20.0, 22.0]);
/// let err = eval_pattern(r#"fsat 2 $ s "bd""#, "example").err().unwrap();
/// assert_eq!(err.to_string(), "example:1:1: unknown function 'fsat' — did you mean 'fast'?\n  fsat 2 $ s \"bd\"\n  ^");
/// # Ok::<(), phonon::Error>(())
/// ```
pub fn eval_pattern(src: &str, file: &str) -> Result<Pat, Error> {
    eval_pattern_in(src, file, &NoBuses)
}

/// [`eval_pattern`] with bus references (`~name`) resolved by `env`.
pub fn eval_pattern_in(src: &str, file: &str, env: &dyn Env) -> Result<Pat, Error> {
    eval_range(src, (0, src.len()), file, env)
}

/// Evaluate the expression in `src[a..z]` as a pattern; errors point into the whole `src`.
pub fn eval_range(src: &str, (a, z): (usize, usize), file: &str, env: &dyn Env) -> Result<Pat, Error> {
    let at = |pos: usize, msg: String| {
        let (line, col) = ph::line_col(src, pos);
        Error::syntax(file, src, line, col, msg)
    };
    let mut toks = lexer::lex(&src[a..z]).map_err(|e| at(a + e.pos, e.msg))?;
    for t in &mut toks {
        t.pos += a;
        t.end += a;
    }
    let expr = parser::parse_expr(&toks).map_err(|e| at(e.pos, e.msg))?;
    let v = eval::eval(&expr, env).map_err(|e| at(e.pos, e.msg))?;
    v.to_pat(expr.pos).map_err(|e| at(e.pos, e.msg))
}
