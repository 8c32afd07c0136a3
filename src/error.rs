//! Phonon's errors: one sentence each, with the place where there is one.

use phonon_systems::BuildError;

/// Everything that can go wrong between a file on disk and samples.
///
/// `Display` gives the one-line message (a syntax error adds the line and a caret):
///
/// ```
/// use phonon::{Error, Scene};
/// let err = Scene::from_ph("tempo: 0.5\nout: sine 440 # lpf 800 (\n", "song.ph").unwrap_err();
/// assert!(matches!(err, Error::Syntax { line: 2, .. }));
/// assert_eq!(err.to_string(), "song.ph:2:26: expected an expression, found the end of the expression\n  out: sine 440 # lpf 800 (\n                           ^");
/// ```
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file that cannot be read.
    #[error("{path}: {source}")]
    Io {
        /// The file, as given.
        path: String,
        /// Why it cannot be read.
        source: std::io::Error,
    },
    /// Text that does not parse: `file:line:col: message`, then the line and a caret.
    #[error("{file}:{line}:{col}: {msg}\n{excerpt}")]
    Syntax {
        /// The file (or a name for the text, such as `expression`).
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column, in characters.
        col: usize,
        /// What was expected there.
        msg: String,
        /// The offending line, indented two spaces, and a caret under `col`.
        excerpt: String,
    },
    /// A scene that parses but means nothing playable.
    #[error("{file}: {msg}")]
    Scene {
        /// The scene's file.
        file: String,
        /// What is wrong with it.
        msg: String,
    },
    /// The engine cannot be built: a DSP graph the systems reject, a zero sample rate or
    /// block length, or no DSP thread pool.
    #[error("cannot build the engine: {0}")]
    Build(#[from] BuildError),
    /// A WAV file that cannot be written.
    #[error("cannot write {path}: {msg}")]
    Wav {
        /// The file (or a name for the writer).
        path: String,
        /// What failed.
        msg: String,
    },
    /// A bad command-line argument or request, or a pattern that cannot be queried; the
    /// message is the whole sentence.
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
        // a long line is quoted as a window around the column (a 20 KB line stays readable)
        const SIDE: usize = 60;
        let chars: Vec<char> = src.chars().collect();
        let at = col.saturating_sub(1).min(chars.len());
        let (from, to) = (at.saturating_sub(SIDE), (at + SIDE).min(chars.len()));
        let (head, tail) = (if from > 0 { "…" } else { "" }, if to < chars.len() { "…" } else { "" });
        let window: String = chars[from..to].iter().collect();
        let caret = " ".repeat(at - from + head.chars().count());
        let excerpt = format!("  {head}{window}{tail}\n  {caret}^");
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
