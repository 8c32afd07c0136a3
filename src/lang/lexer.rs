//! Tokens of Phonon's expression language (Haskell-flavoured, like Tidal's).

/// A token and the byte offset where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// What the token is.
    pub kind: Tok,
    /// Byte offset of its first character.
    pub pos: usize,
    /// Byte offset just past the token.
    pub end: usize,
}

/// The kinds of token.
#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    /// A number: `1`, `0.25`, `.5`, `1e3`.
    Num(f64),
    /// A `"…"` literal; `pos` of the token is the opening quote.
    Str(String),
    /// A name: letters, digits, `_`, `'` (`iter'`, `chunk'`).
    Name(String),
    /// `~name`: a bus reference.
    Bus(String),
    /// `:name`: a keyword argument (`delay 0.3 :mix 0.2`).
    Keyword(String),
    /// An operator: `$ . # + - * / % <~ ~> |+| |+ +| …`
    Op(String),
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `[`
    LBracket,
    /// `]`
    RBracket,
    /// `,`
    Comma,
    /// The end of the input (always the last token, at `src.len()`).
    Eof,
}

/// A lexing error at a byte offset.
#[derive(Debug, Clone, PartialEq)]
pub struct LexError {
    /// Byte offset of the offending character or token.
    pub pos: usize,
    /// What is wrong there.
    pub msg: String,
}

const OP_CHARS: &str = "$.#+-*/%<>|~:=&!^?";

/// Split `src` into tokens. `--` starts a comment to the end of the line.
pub fn lex(src: &str) -> Result<Vec<Token>, LexError> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i] as char;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c == '-' && b.get(i + 1) == Some(&b'-') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        let start = i;
        let kind = match c {
            '(' => {
                i += 1;
                Tok::LParen
            }
            ')' => {
                i += 1;
                Tok::RParen
            }
            '[' => {
                i += 1;
                Tok::LBracket
            }
            ']' => {
                i += 1;
                Tok::RBracket
            }
            ',' => {
                i += 1;
                Tok::Comma
            }
            '"' => {
                i += 1;
                let s = i;
                while i < b.len() && b[i] != b'"' {
                    i += 1;
                }
                if i >= b.len() {
                    return Err(LexError { pos: start, msg: "unterminated string: expected a closing '\"'".into() });
                }
                let text = src[s..i].to_string();
                i += 1;
                Tok::Str(text)
            }
            ':' if b.get(i + 1).is_some_and(|c| c.is_ascii_alphabetic()) => {
                i += 1;
                let s = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
                Tok::Keyword(src[s..i].to_string())
            }
            '~' if b.get(i + 1).is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_') => {
                i += 1;
                let s = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
                Tok::Bus(src[s..i].to_string())
            }
            c if c.is_ascii_digit() || (c == '.' && b.get(i + 1).is_some_and(|d| d.is_ascii_digit()) && !prev_is_value(&out)) => {
                let s = i;
                while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.') {
                    // `1..4` is not a number followed by a dot
                    if b[i] == b'.' && b.get(i + 1) == Some(&b'.') {
                        break;
                    }
                    i += 1;
                }
                if i < b.len() && (b[i] == b'e' || b[i] == b'E') && b.get(i + 1).is_some_and(|d| d.is_ascii_digit() || *d == b'-') {
                    i += 2;
                    while i < b.len() && b[i].is_ascii_digit() {
                        i += 1;
                    }
                }
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1; // `1e`, `2x`: swallow the rest so the message shows the whole word
                }
                let text = &src[s..i];
                Tok::Num(text.parse().map_err(|_| LexError { pos: s, msg: format!("'{text}' is not a number") })?)
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let s = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'\'') {
                    i += 1;
                }
                Tok::Name(src[s..i].to_string())
            }
            c if OP_CHARS.contains(c) => {
                let s = i;
                while i < b.len() && OP_CHARS.contains(b[i] as char) {
                    // `--` inside an operator run starts a comment
                    if b[i] == b'-' && b.get(i + 1) == Some(&b'-') {
                        break;
                    }
                    i += 1;
                }
                Tok::Op(src[s..i].to_string())
            }
            other => return Err(LexError { pos: i, msg: format!("unexpected character '{other}'") }),
        };
        out.push(Token { kind, pos: start, end: i });
    }
    out.push(Token { kind: Tok::Eof, pos: src.len(), end: src.len() });
    Ok(out)
}

fn prev_is_value(toks: &[Token]) -> bool {
    matches!(
        toks.last().map(|t| &t.kind),
        Some(Tok::Name(_) | Tok::Num(_) | Tok::Str(_) | Tok::RParen | Tok::RBracket | Tok::Bus(_) | Tok::Keyword(_))
    )
}
