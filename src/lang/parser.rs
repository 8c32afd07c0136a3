//! Expressions: Haskell-style application by juxtaposition, `$`, `.`, sections, operators with
//! Tidal's precedences, lists and tuples.

use super::lexer::{Tok, Token};

/// An expression with the byte offset where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What the expression is.
    pub kind: ExprKind,
    /// Byte offset of its first token.
    pub pos: usize,
    /// Byte offset just past the expression's last token (parentheses around it excluded).
    pub end: usize,
}

/// The forms of expression.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// A number literal.
    Num(f64),
    /// A string literal (mini-notation); `pos` is its opening quote.
    Str(String),
    /// A function or constant by name (`fast`, `rev`, `sine`).
    Name(String),
    /// `~name`: a bus reference (the name without `~`).
    Bus(String),
    /// `:name`, the key of a keyword argument (only signal functions take them).
    Keyword(String),
    /// Function application `f x`.
    App(Box<Expr>, Box<Expr>),
    /// `a op b`.
    Op(String, Box<Expr>, Box<Expr>),
    /// `(a op)`: waits for the right operand.
    SectionLeft(String, Box<Expr>),
    /// `(op b)`: waits for the left operand.
    SectionRight(String, Box<Expr>),
    /// `(op)`: the operator as a function of two arguments.
    OpFunc(String),
    /// Prefix minus `-x`.
    Neg(Box<Expr>),
    /// `[a, b, c]`.
    List(Vec<Expr>),
    /// `(a, b)`.
    Tuple(Vec<Expr>),
}

/// A parse error at a byte offset.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    /// Byte offset of the token where parsing failed.
    pub pos: usize,
    /// What was expected there.
    pub msg: String,
}

/// Precedence and right-associativity of a binary operator: Tidal's, as ghci reports them.
/// Tidal declares no fixity for `#`, `|+|` and friends or `<~`/`~>`, so they get Haskell's
/// default `infixl 9`: tighter than `+` (so `n "0 1" # s "x" + n 2` adds to the merged map).
pub fn fixity(op: &str) -> Option<(u8, bool)> {
    Some(match op {
        "$" => (0, true),
        "." => (9, true),
        "#" | "<~" | "~>" => (9, false),
        "+" | "-" => (6, false),
        "*" | "/" | "%" => (7, false),
        "<>" => (6, true),
        _ if is_tidal_op(op) => (9, false),
        _ => return None,
    })
}

/// `|+|`, `|+`, `+|` and friends for `+ - * / % < > **`.
pub fn is_tidal_op(op: &str) -> bool {
    let core = op.trim_start_matches('|').trim_end_matches('|');
    let bars = op.len() - core.len();
    (1..=2).contains(&bars) && matches!(core, "+" | "-" | "*" | "/" | "%" | "<" | ">" | "**")
}

struct Parser<'t> {
    toks: &'t [Token],
    i: usize,
    depth: usize,
}

/// How deeply expressions may nest before it is an error (not a stack overflow).
pub const MAX_NESTING: usize = 500;

impl<'t> Parser<'t> {
    fn peek(&self) -> &Tok {
        &self.toks[self.i].kind
    }
    fn pos(&self) -> usize {
        self.toks[self.i].pos
    }
    /// End of the last consumed token.
    fn last_end(&self) -> usize {
        if self.i == 0 { 0 } else { self.toks[self.i - 1].end }
    }
    fn next(&mut self) -> &Token {
        let t = &self.toks[self.i];
        if self.i + 1 < self.toks.len() {
            self.i += 1;
        }
        t
    }
    fn err<T>(&self, msg: impl Into<String>) -> Result<T, ParseError> {
        Err(ParseError { pos: self.pos(), msg: msg.into() })
    }
    fn expect(&mut self, t: Tok, what: &str) -> Result<(), ParseError> {
        if *self.peek() == t {
            self.next();
            Ok(())
        } else {
            self.err(format!("expected {what}, found {}", describe(self.peek())))
        }
    }

    /// Precedence climbing over binary operators.
    fn expr(&mut self, min_prec: u8) -> Result<Expr, ParseError> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return self.err(format!("expression nested more than {MAX_NESTING} deep"));
        }
        let r = self.expr_inner(min_prec);
        self.depth -= 1;
        r
    }

    fn expr_inner(&mut self, min_prec: u8) -> Result<Expr, ParseError> {
        let mut lhs = self.application()?;
        while let Tok::Op(op) = self.peek().clone() {
            let Some((prec, right)) = fixity(&op) else {
                return self.err(format!("unknown operator '{op}'"));
            };
            if prec < min_prec {
                break;
            }
            // a section `(a op)`: the operator is followed by the closing parenthesis
            if matches!(self.toks[self.i + 1].kind, Tok::RParen) {
                break;
            }
            let pos = self.pos();
            self.next();
            let rhs = self.expr(if right { prec } else { prec + 1 })?;
            lhs = Expr { kind: ExprKind::Op(op, Box::new(lhs), Box::new(rhs)), pos, end: self.last_end() };
        }
        Ok(lhs)
    }

    fn starts_atom(&self) -> bool {
        matches!(self.peek(), Tok::Num(_) | Tok::Str(_) | Tok::Name(_) | Tok::Bus(_) | Tok::Keyword(_) | Tok::LParen | Tok::LBracket)
    }

    fn application(&mut self) -> Result<Expr, ParseError> {
        if let Tok::Op(op) = self.peek()
            && op == "-"
        {
            let pos = self.pos();
            self.next();
            self.depth += 1;
            if self.depth > MAX_NESTING {
                return self.err(format!("expression nested more than {MAX_NESTING} deep"));
            }
            let e = self.application();
            self.depth -= 1;
            return Ok(Expr { kind: ExprKind::Neg(Box::new(e?)), pos, end: self.last_end() });
        }
        let mut f = self.atom()?;
        while self.starts_atom() {
            let a = self.atom()?;
            let pos = f.pos;
            f = Expr { kind: ExprKind::App(Box::new(f), Box::new(a)), pos, end: self.last_end() };
        }
        Ok(f)
    }

    fn atom(&mut self) -> Result<Expr, ParseError> {
        let pos = self.pos();
        let kind = match self.peek().clone() {
            Tok::Num(n) => {
                self.next();
                ExprKind::Num(n)
            }
            Tok::Str(s) => {
                self.next();
                ExprKind::Str(s)
            }
            Tok::Name(n) => {
                self.next();
                ExprKind::Name(n)
            }
            Tok::Bus(b) => {
                self.next();
                ExprKind::Bus(b)
            }
            Tok::Keyword(k) => {
                self.next();
                ExprKind::Keyword(k)
            }
            Tok::LBracket => {
                self.next();
                let mut items = Vec::new();
                if *self.peek() != Tok::RBracket {
                    loop {
                        items.push(self.expr(0)?);
                        if *self.peek() == Tok::Comma {
                            self.next();
                        } else {
                            break;
                        }
                    }
                }
                self.expect(Tok::RBracket, "',' or ']'")?;
                ExprKind::List(items)
            }
            Tok::LParen => {
                self.next();
                return self.paren(pos);
            }
            other => return self.err(format!("expected an expression, found {}", describe(&other))),
        };
        Ok(Expr { kind, pos, end: self.last_end() })
    }

    /// After `(`: a section, an operator function, a tuple or a grouped expression.
    fn paren(&mut self, pos: usize) -> Result<Expr, ParseError> {
        if let Tok::Op(op) = self.peek().clone() {
            self.next();
            if *self.peek() == Tok::RParen {
                self.next();
                return Ok(Expr { kind: ExprKind::OpFunc(op), pos, end: self.last_end() });
            }
            if fixity(&op).is_none() {
                return self.err(format!("unknown operator '{op}'"));
            }
            if op == "-" {
                // `(-1)` and `(- 1)` are negation, as in Haskell
                let e = self.expr(0)?;
                self.expect(Tok::RParen, "')'")?;
                return Ok(Expr { kind: ExprKind::Neg(Box::new(e)), pos, end: self.last_end() });
            }
            let e = self.expr(0)?;
            self.expect(Tok::RParen, "')'")?;
            return Ok(Expr { kind: ExprKind::SectionRight(op, Box::new(e)), pos, end: self.last_end() });
        }
        let first = self.expr(0)?;
        match self.peek().clone() {
            Tok::Op(op) if matches!(self.toks[self.i + 1].kind, Tok::RParen) => {
                self.next();
                self.next();
                Ok(Expr { kind: ExprKind::SectionLeft(op, Box::new(first)), pos, end: self.last_end() })
            }
            Tok::Comma => {
                let mut items = vec![first];
                while *self.peek() == Tok::Comma {
                    self.next();
                    items.push(self.expr(0)?);
                }
                self.expect(Tok::RParen, "',' or ')'")?;
                Ok(Expr { kind: ExprKind::Tuple(items), pos, end: self.last_end() })
            }
            _ => {
                self.expect(Tok::RParen, "')'")?;
                Ok(first)
            }
        }
    }
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Num(n) => format!("the number {n}"),
        Tok::Str(s) => format!("the string \"{s}\""),
        Tok::Name(n) => format!("'{n}'"),
        Tok::Bus(b) => format!("'~{b}'"),
        Tok::Keyword(k) => format!("':{k}'"),
        Tok::Op(o) => format!("'{o}'"),
        Tok::LParen => "'('".into(),
        Tok::RParen => "')'".into(),
        Tok::LBracket => "'['".into(),
        Tok::RBracket => "']'".into(),
        Tok::Comma => "','".into(),
        Tok::Eof => "the end of the expression".into(),
    }
}

/// Parse one whole expression.
pub fn parse_expr(toks: &[Token]) -> Result<Expr, ParseError> {
    let mut p = Parser { toks, i: 0, depth: 0 };
    let e = p.expr(0)?;
    if *p.peek() != Tok::Eof {
        return p.err(format!("expected an operator or the end of the expression, found {}", describe(p.peek())));
    }
    Ok(e)
}
