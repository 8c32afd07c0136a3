//! Phonon's expression language: the pattern half of `.ph` (Tidal's syntax: application by
//! juxtaposition, `$`, `.`, `#` and the `|+|` operator family, sections, mini-notation strings).

pub mod builtins;
pub mod eval;
pub mod lexer;
pub mod library;
pub mod parser;

use crate::error::Error;
use eval::{Env, NoBuses, Pat};

/// Parse and evaluate `src` (one expression) to a pattern; `file` names it in errors.
pub fn eval_pattern(src: &str, file: &str) -> Result<Pat, Error> {
    eval_pattern_in(src, file, &NoBuses)
}

pub fn eval_pattern_in(src: &str, file: &str, env: &dyn Env) -> Result<Pat, Error> {
    let at = |pos: usize, msg: String| {
        let before = &src[..pos.min(src.len())];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Error::syntax(file, src, line, col, msg)
    };
    let toks = lexer::lex(src).map_err(|e| at(e.pos, e.msg))?;
    let expr = parser::parse_expr(&toks).map_err(|e| at(e.pos, e.msg))?;
    let v = eval::eval(&expr, env).map_err(|e| at(e.pos, e.msg))?;
    v.to_pat(expr.pos).map_err(|e| at(e.pos, e.msg))
}
