//! Phonon's errors: one sentence each, with the place where there is one.

use phonon_systems::BuildError;

/// Everything that can go wrong between a file on disk and samples.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    /// Text that does not parse: `file:line:col: message`, then the line and a caret.
    #[error("{file}:{line}:{col}: {msg}\n{excerpt}")]
    Syntax { file: String, line: usize, col: usize, msg: String, excerpt: String },
    /// A scene that parses but means nothing playable.
    #[error("{file}: {msg}")]
    Scene { file: String, msg: String },
    #[error("cannot build the engine: {0}")]
    Build(#[from] BuildError),
    #[error("cannot write {path}: {msg}")]
    Wav { path: String, msg: String },
    #[error("{0}")]
    Usage(String),
    /// The sound card: no such device, no usable configuration, or a stream that fails.
    #[error("audio output: {0}")]
    Audio(String),
}

impl Error {
    /// A syntax error at 1-based `line`/`col` of `text`, with an excerpt and caret.
    pub fn syntax(file: &str, text: &str, line: usize, col: usize, msg: String) -> Error {
        let src = text.lines().nth(line.saturating_sub(1)).unwrap_or("");
        let excerpt = format!("  {src}\n  {}^", " ".repeat(col.saturating_sub(1)));
        Error::Syntax { file: file.to_string(), line, col, msg, excerpt }
    }
}

/// `" — did you mean 'x'?"` for the closest of `candidates`, or nothing.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(word, c), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .min()
        .map(|(_, c)| format!(" — did you mean '{c}'?"))
        .unwrap_or_default()
}
