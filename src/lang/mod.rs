//! Phonon's expression language: the pattern half of `.ph` (Tidal's syntax: application by
//! juxtaposition, `$`, `.`, `#` and the `|+|` operator family, sections, mini-notation strings).

pub mod builtins;
pub mod eval;
pub mod lexer;
pub mod library;
pub mod parser;
pub mod ph;

use crate::error::Error;
use eval::{Env, NoBuses, Pat};

/// Parse and evaluate `src` (one expression) to a pattern; `file` names it in errors.
pub fn eval_pattern(src: &str, file: &str) -> Result<Pat, Error> {
    eval_pattern_in(src, file, &NoBuses)
}

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
