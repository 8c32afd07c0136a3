//! Tidal's mini-notation: `"bd*2 [sn cp] <hh oh>"` → a [`Pattern<Value>`].
//!
//! Parsing runs once per edit, in two steps:
//! 1. the text is parsed into a small syntax tree (`Node`), allocating the random seeds of
//!    `?` and `|` in the order Tidal does (0, 1, 2, … in parse order; a `|` group takes its seed
//!    after its alternatives);
//! 2. the tree is turned into a pattern with the combinators of Tidal 1.9's `toPat` /
//!    `resolve_seq` (`timeCat`, `fast`/`slow` with patterned factors, `_degradeByUsing`,
//!    `chooseBy`, `_euclidOff`, …), so events land, split and carry values exactly as in Tidal.
//!
//! The resulting pattern only runs queries: nothing is parsed again at query time.
//!
//! Values are untyped [`Value`]s: numbers (`1`, `-0.5`, `1e3`, `.5`, `1%4`) become
//! `Value::Num`; words (`bd`, `bd:3`, `superpiano`, note names `c5`, booleans `t`/`true`, bus
//! references `~name`) stay `Value::Str` for the caller to interpret; chords (`c4'maj`,
//! `e3'min7'ii`, `0'major'5`) become a stack of `Value::Num` note numbers.
//!
//! Where Tidal 1.7 (the `ghci` installed here) and 1.9 differ, this follows 1.9: negative euclid
//! hits invert the rhythm, `<a b>` is a polymeter with one step per cycle (so `!`, `@` and `_`
//! work inside it), `-` is a rest like `~`, `,` and `|` work at the top level, and chords take
//! 1.9's modifiers in any number (`'i`, `'ii`, `'i2`, `'o`, `'d1`, `'5`).
//!
//! Tidal's quirks are kept where Tidal parses a string successfully: a `?` after a space (or a
//! second `?` after a group, as in `[a b]??`) degrades the whole sequence; after `{ }%` a whole
//! sequence of numbers follows (`{a b}%4?` degrades the step count); fragments of an event that
//! overhangs its step get the wholes Tidal's `_fastGap` gives them (see `fast_gap` below).
//!
//! Deliberate leniencies (Tidal rejects these): postfix operators chain in the order written
//! (`bd*2/3`, `bd(3,8)*2`, `[bd sn]?*2`); `?` takes any number (`?1`, `?.5`); `.5` is a number.
//! Deliberate strictness: an unknown chord name or modifier is an error (Tidal silently plays
//! the root alone), and absurd sizes (a factor above 100000, more than 4096 steps from `!`,
//! `..` or a euclid rhythm, an estimated 100000 steps per cycle from factors that multiply,
//! brackets and operators nested more than 64 deep) are errors rather than a hung audio
//! thread or a stack overflow.
//!
//! Not reproduced, because values are untyped here: Tidal's per-type readings. A `Pattern Bool`
//! euclid (`"t(3,8)"`) also emits `false` on the rests (`euclidOffBool`); so does this, for the
//! words `t`/`true`/`f`/`false`; other values get only the hits. Strings enumerate only their
//! two ends (`"a .. e"` is `a e`, also for note names,
//! where a `Pattern Note` would count 0 to 4). In a `Pattern Double`, Tidal reads a lone `e` as
//! 1/8 (a ratio letter); here it stays the word `e` (note E for `note_name`).

use super::chords::{self, Modifier};
use super::core::{Hap, Pattern, Span, Time, Value as Item};
use super::signal::{choose_by, seeded_rand};
use super::value::{Value, note_name};
use phonon_components::Rational;
use std::sync::Arc;

/// A mini-notation syntax error: where (1-based character column inside the string) and what
/// was expected there.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("column {column}: {message}")]
pub struct MiniError {
    /// 1-based character column inside the string.
    pub column: usize,
    /// What was expected there, or what is wrong.
    pub message: String,
}

/// Parse a mini-notation string into a pattern of values.
///
/// ```
/// use phonon::pattern::mini::parse_mini;
/// use phonon::components::Rational;
/// let p = parse_mini("bd*2 [sn cp]")?;
/// let names: Vec<String> = p.onsets(Rational::ZERO, Rational::ONE).iter().map(|h| h.value.to_string()).collect();
/// assert_eq!(names, ["bd", "bd", "sn", "cp"]);
/// assert_eq!(parse_mini("[bd sn").err().map(|e| e.column), Some(7));
/// # Ok::<(), phonon::pattern::mini::MiniError>(())
/// ```
pub fn parse_mini(src: &str) -> Result<Pattern<Value>, MiniError> {
    let node = Parser::new(src).parse()?;
    let pattern = build::<Value>(&node)?;
    let rate = node.rate();
    if rate > MAX_EVENTS {
        return Err(MiniError {
            column: 1,
            message: format!(
                "this pattern has {} steps per cycle (events and rests), too many (at most {MAX_EVENTS})",
                if rate < 1e15 { format!("about {rate:.0}") } else { "more than 10^15".to_string() }
            ),
        });
    }
    Ok(pattern)
}

/// Largest magnitude accepted for a time factor, weight or polymeter step count.
const MAX_FACTOR: f64 = 100_000.0;
/// Largest denominator when a decimal factor becomes an exact fraction (`1.5` → 3/2).
const MAX_DEN: i64 = 10_000;
/// Most steps one `!`, `..` or euclid rhythm may produce.
const MAX_STEPS: f64 = 4096.0;
/// Most notes a chord range (`c'maj'8`) may ask for.
const MAX_CHORD_NOTES: f64 = 128.0;
/// Most steps (events and rests) per cycle a whole pattern may have, as [`Node::rate`]
/// estimates it: factors multiply (`[a*951]*995` is 946 245), so each may be within
/// [`MAX_FACTOR`] and their product still flood the engine or hang a query.
const MAX_EVENTS: f64 = 100_000.0;
/// How deeply brackets and postfix operators may nest (the syntax tree, and the queries built
/// from it, recurse that deep).
const MAX_NESTING: usize = 64;

// ---------------------------------------------------------------------------------------------
// Syntax tree
// ---------------------------------------------------------------------------------------------

/// The parsed form of a mini-notation string (Tidal's `TPat`, with feet, elongation and
/// repetition already resolved into weighted sequence steps).
#[derive(Clone, Debug)]
enum Node {
    /// A word or number, with its 1-based column.
    Atom(Value, usize),
    Silence,
    /// Steps with their weights (`timeCat`).
    Seq(Vec<(Time, Node)>),
    Stack(Vec<Node>),
    /// `[a | b | c]`: one alternative per cycle, chosen by the `seed`-th random stream.
    Choose(u32, Vec<Node>),
    /// `{a b, c d e}%steps` and `<a b>` (= `{a b}%1`): each sub-sequence runs at `steps` steps
    /// per cycle; `None` takes the first sub-sequence's size.
    Poly(Option<Box<Node>>, Vec<Node>),
    /// `x*factor`, `x/factor` (the factor is a pattern of times).
    Fast(Box<Node>, Box<Node>),
    Slow(Box<Node>, Box<Node>),
    /// `x?amount`, using the `seed`-th random stream.
    Degrade(u32, f64, Box<Node>),
    /// `x(k,n,r)`, each argument a pattern of integers.
    Euclid {
        k: Box<Node>,
        n: Box<Node>,
        r: Box<Node>,
        x: Box<Node>,
    },
    /// `a .. b`, with the column of `a`.
    Range(Box<Node>, Box<Node>, usize),
    /// `root'name'mod'mod…`.
    Chord {
        root: Box<Node>,
        name: Box<Node>,
        mods: Vec<Node>,
    },
}

impl Node {
    /// Steps per cycle when used inside `{ }` or `< >` (Tidal's `resolve_tpat`).
    fn size(&self) -> Time {
        match self {
            Node::Seq(steps) => steps.iter().fold(Rational::ZERO, |a, (w, _)| a + *w),
            _ => Rational::ONE,
        }
    }

    /// An upper estimate of the steps (events and rests) a query of one cycle goes through:
    /// the work it takes, as rests cost a query too (`~*x*4096*54096` has no events, and
    /// hangs). Factors count at their largest (`*`) or smallest (`/`) value, at least 1.
    fn rate(&self) -> f64 {
        let sum = |xs: &[Node]| xs.iter().map(Node::rate).sum::<f64>();
        let abs = |n: &Node| n.times().into_iter().map(f64::abs).filter(|x| x.is_finite());
        let largest = |n: &Node| abs(n).fold(1.0, f64::max);
        let smallest = |n: &Node| abs(n).filter(|x| *x > 0.0).fold(1.0, f64::min);
        match self {
            Node::Atom(..) | Node::Silence => 1.0,
            Node::Seq(steps) => steps.iter().map(|(_, n)| n.rate()).sum(),
            Node::Stack(xs) => sum(xs),
            Node::Choose(_, xs) => xs.iter().map(Node::rate).fold(0.0, f64::max),
            Node::Poly(steps, seqs) => {
                // a patterned step count splits the query at each of its events
                let (steps, split) = steps.as_ref().map_or((None, 1.0), |s| (Some(largest(s)), s.rate().max(1.0)));
                seqs.iter()
                    .map(|q| {
                        let size = q.size().to_f64();
                        if size == 0.0 { 0.0 } else { steps.unwrap_or(size) / size * split * q.rate() }
                    })
                    .sum()
            }
            Node::Fast(f, x) => largest(f) * f.rate().max(1.0) * x.rate(),
            Node::Slow(f, x) => x.rate() * f.rate().max(1.0) / smallest(f).max(1.0 / MAX_DEN as f64),
            Node::Degrade(_, _, x) => x.rate(),
            Node::Euclid { k, n, r, x } => largest(n) * k.rate().max(1.0) * n.rate().max(1.0) * r.rate().max(1.0) * x.rate(),
            Node::Range(a, b, _) => {
                // as numbers and as times: `5001 .. w` is 5001 steps in a factor
                let mut nums = self.times();
                self.numbers(&mut nums);
                let lo = nums.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = nums.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                (hi - lo + 1.0).max(1.0) * a.rate() * b.rate()
            }
            Node::Chord { root, name, mods } => {
                root.rate() * name.rate().max(1.0) * mods.iter().map(|m| m.rate().max(1.0)).product::<f64>() * MAX_CHORD_NOTES
            }
        }
    }

    /// Every number written in this subtree (for size checks of `..`).
    fn numbers(&self, out: &mut Vec<f64>) {
        self.each_value(&mut |v| out.extend(v.as_num()));
    }

    /// Every time factor written in this subtree: numbers, and words such as `q` or `3e`.
    fn times(&self) -> Vec<f64> {
        let mut out = Vec::new();
        self.each_value(&mut |v| out.extend(<Time as Atom>::from_value(v, 0).ok().map(Rational::to_f64)));
        out
    }

    /// `f` on every value written in this subtree (not in the factors of `*` and `/`).
    fn each_value(&self, f: &mut dyn FnMut(&Value)) {
        match self {
            Node::Atom(v, _) => f(v),
            Node::Silence => {}
            Node::Seq(steps) => steps.iter().for_each(|(_, n)| n.each_value(f)),
            Node::Stack(xs) | Node::Choose(_, xs) | Node::Poly(_, xs) => xs.iter().for_each(|n| n.each_value(f)),
            Node::Fast(_, x) | Node::Slow(_, x) | Node::Degrade(_, _, x) | Node::Euclid { x, .. } => x.each_value(f),
            Node::Range(a, b, _) => {
                a.each_value(f);
                b.each_value(f)
            }
            Node::Chord { root, .. } => root.each_value(f),
        }
    }
}

/// One step of a sequence before feet and weights are resolved.
enum Step {
    Foot,
    Weighted(Time, Node),
    Repeat(usize, Node),
}

// ---------------------------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------------------------

struct Parser {
    s: Vec<char>,
    i: usize,
    seed: u32,
    /// Brackets and postfix operators open around the current position.
    depth: usize,
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, ':' | '_' | '-' | '#')
}

/// A step or group ends here.
fn is_terminator(c: char) -> bool {
    matches!(c, ',' | '|' | ']' | '>' | '}' | ')')
}

impl Parser {
    fn new(src: &str) -> Parser {
        Parser { s: src.chars().collect(), i: 0, seed: 0, depth: 0 }
    }

    fn peek(&self) -> Option<char> {
        self.s.get(self.i).copied()
    }

    fn peek_at(&self, k: usize) -> Option<char> {
        self.s.get(self.i + k).copied()
    }

    fn col(&self) -> usize {
        self.i + 1
    }

    /// One level deeper (a bracket or postfix operator at column `col`); an error past
    /// [`MAX_NESTING`]. The caller restores `depth` when the level ends.
    fn deeper(&mut self, col: usize) -> Result<(), MiniError> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(MiniError {
                column: col,
                message: format!("nested too deep: brackets and operators (* / ? ( ) ') nest at most {MAX_NESTING} deep"),
            });
        }
        Ok(())
    }

    fn ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.i += 1;
        }
    }

    fn new_seed(&mut self) -> u32 {
        self.seed += 1;
        self.seed - 1
    }

    fn found(&self) -> String {
        match self.peek() {
            None => "end of input".to_string(),
            Some(c) => format!("'{c}'"),
        }
    }

    /// "expected …, found …" at the current column.
    fn expected<T>(&self, what: &str) -> Result<T, MiniError> {
        Err(MiniError { column: self.col(), message: format!("expected {what}, found {}", self.found()) })
    }

    fn parse(mut self) -> Result<Node, MiniError> {
        let node = self.stack_or_choose()?;
        self.ws();
        match self.peek() {
            None => Ok(node),
            Some(c @ (']' | '>' | '}' | ')')) => {
                let open = match c {
                    ']' => '[',
                    '>' => '<',
                    '}' => '{',
                    _ => '(',
                };
                Err(MiniError { column: self.col(), message: format!("found '{c}' without a matching '{open}'") })
            }
            Some(_) => self.expected("a step, ',', '|' or the end of the pattern"),
        }
    }

    /// `seq (, seq)*` or `seq (| seq)*`: the inside of `[ ]` and the top level.
    fn stack_or_choose(&mut self) -> Result<Node, MiniError> {
        let first = self.sequence(false)?;
        let sep = match self.peek() {
            Some(c @ (',' | '|')) => c,
            _ => return Ok(first),
        };
        let mut alts = vec![first];
        while self.peek() == Some(sep) {
            self.i += 1;
            alts.push(self.sequence(false)?);
        }
        if matches!(self.peek(), Some(',' | '|')) {
            return Err(MiniError {
                column: self.col(),
                message: "cannot mix ',' (stack) and '|' (random choice) in one group; nest one inside [ ]".into(),
            });
        }
        if sep == ',' {
            Ok(Node::Stack(alts))
        } else {
            // Tidal takes the seed after parsing the alternatives
            Ok(Node::Choose(self.new_seed(), alts))
        }
    }

    /// `seq (, seq)*` closed by `close`: the inside of `< >` and `{ }`.
    fn comma_list(&mut self, open: char, close: char) -> Result<Vec<Node>, MiniError> {
        let open_col = self.col();
        self.i += 1;
        let mut seqs = vec![self.sequence(false)?];
        while self.peek() == Some(',') {
            self.i += 1;
            seqs.push(self.sequence(false)?);
        }
        if self.peek() != Some(close) {
            return self.expected(&format!("',' or '{close}' to close the '{open}' at column {open_col}"));
        }
        self.i += 1;
        Ok(seqs)
    }

    /// Steps separated by spaces, with feet (`.`), elongation (`@`, `_`), replication (`!`),
    /// ranges (`..`) and a sequence-wide `?` at the end (Tidal's `pSequence`). Stops before
    /// `,`, `|`, a closing bracket or the end (after skipping spaces).
    ///
    /// `numeric` is the sequence of step counts after `{ }%` (Tidal's `pSequence pRational`):
    /// it also stops at the first step after the first that Tidal's `pRational` would not
    /// start on (so `{a b}%4 sn` has one step count, `{a b}%4 [1 2]` two).
    fn sequence(&mut self, numeric: bool) -> Result<Node, MiniError> {
        let mut steps = Vec::new();
        let mut degrade = None;
        loop {
            self.ws();
            let Some(c) = self.peek() else { break };
            if is_terminator(c) || (numeric && !steps.is_empty() && !matches!(c, '?' | '.') && !self.starts_rational()) {
                break;
            }
            match c {
                '.' if !self.peek_at(1).is_some_and(|d| d.is_ascii_digit() || d == '.') => {
                    self.i += 1;
                    steps.push(Step::Foot);
                }
                '?' => {
                    // Tidal's `pRand $ resolve_feet s`: a `?` after the steps degrades them all
                    self.i += 1;
                    let amount = self.optional_amount()?;
                    degrade = Some((self.new_seed(), amount));
                    self.ws();
                    if !numeric && self.peek().is_some_and(|c| !is_terminator(c)) {
                        return Err(MiniError {
                            column: self.col(),
                            message:
                                "a '?' after a space drops events of the whole sequence and must end it; write 'x?' to drop a single step"
                                    .into(),
                        });
                    }
                    break;
                }
                '_' | '@' | '!' => {
                    return Err(MiniError { column: self.col(), message: format!("'{c}' needs a step before it") });
                }
                _ => steps.push(self.step(numeric)?),
            }
        }
        let node = resolve_feet(steps);
        Ok(match degrade {
            Some((seed, amount)) => Node::Degrade(seed, amount, Box::new(node)),
            None => node,
        })
    }

    /// A part followed by `.. part`, an elongation chain or a replication chain.
    fn step(&mut self, numeric: bool) -> Result<Step, MiniError> {
        let col = self.col();
        let part = self.part(!numeric, numeric)?;
        self.ws();
        if self.peek() == Some('.') && self.peek_at(1) == Some('.') {
            self.i += 2;
            self.ws();
            if self.peek().is_none_or(is_terminator) {
                return self.expected("the end of the range after '..'");
            }
            let end = self.part(!numeric, numeric)?;
            return Ok(Step::Weighted(Rational::ONE, Node::Range(Box::new(part), Box::new(end), col)));
        }
        if matches!(self.peek(), Some('@' | '_')) {
            let mut weight = Rational::ONE;
            while let Some(op @ ('@' | '_')) = self.peek() {
                self.i += 1;
                match self.number() {
                    Some((x, xcol)) => {
                        let w = to_time(x, xcol)?;
                        if w <= Rational::ZERO {
                            return Err(MiniError { column: xcol, message: "a step's weight must be positive".into() });
                        }
                        weight = weight + w - Rational::ONE;
                    }
                    None if op == '@' && self.peek().is_some_and(is_word_char) => return self.expected("a number after '@'"),
                    None => weight = weight + Rational::ONE,
                }
                self.ws();
            }
            if weight <= Rational::ZERO {
                return Err(MiniError { column: col, message: "this step's weights add up to nothing; a weight must be positive".into() });
            }
            return Ok(Step::Weighted(weight, part));
        }
        if self.peek() == Some('!') {
            let mut count = 1usize;
            while self.peek() == Some('!') {
                self.i += 1;
                let start = self.i;
                while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                    self.i += 1;
                }
                if start == self.i {
                    count += 1;
                } else {
                    let digits: String = self.s[start..self.i].iter().collect();
                    let n: usize = digits.parse().unwrap_or(usize::MAX);
                    if n == 0 {
                        return Err(MiniError { column: start + 1, message: "'!0' would remove the step; use '~' for a rest".into() });
                    }
                    count = count.saturating_add(n - 1);
                }
                if count as f64 > MAX_STEPS {
                    return Err(MiniError { column: col, message: format!("too many repetitions (at most {MAX_STEPS})") });
                }
                self.ws();
            }
            return Ok(Step::Repeat(count, part));
        }
        Ok(Step::Weighted(Rational::ONE, part))
    }

    /// A primary (atom or bracketed group) with its postfix operators: `*f`, `/f`, `?`,
    /// `?amount`, `(k,n,r)` and (when `chord` is set) `'name'mod…`.
    ///
    /// Tidal accepts them in one order only (`pPart`): for an atom `?`, then `*` or `/`, then
    /// `(k,n,r)`, then `?`; for a group the same without the first `?`. Other orders, which
    /// Tidal rejects, are applied as written — unless `strict`: the parts Tidal embeds without
    /// brackets (chord names and modifiers, the step counts after `%`) stop there and leave
    /// the operator to the enclosing chord or polymeter, as Tidal does (`c'maj(3,8)*2` speeds
    /// up the chord, `{a b}%<2 5>?*3` the polymeter). A `?` that has no place left is never
    /// taken: as in Tidal, it becomes the sequence-wide `?` (`[a b]??`, `bd*2??`).
    fn part(&mut self, chord: bool, strict: bool) -> Result<Node, MiniError> {
        let depth = self.depth;
        let node = self.part_ops(chord, strict);
        self.depth = depth;
        node
    }

    /// [`Parser::part`], each operator one level deeper.
    fn part_ops(&mut self, chord: bool, strict: bool) -> Result<Node, MiniError> {
        let atom = !matches!(self.peek(), Some('[' | '<' | '{'));
        let mut node = self.primary()?;
        // 0: nothing yet; 1: after the first `?` (or a group); 2: after `*`/`/`;
        // 3: after `(k,n,r)`; 4: after the last `?`
        let mut stage = if atom { 0 } else { 1 };
        loop {
            if matches!(self.peek(), Some('*' | '/' | '?' | '(')) || (chord && self.peek() == Some('\'')) {
                self.deeper(self.col())?;
            }
            match self.peek() {
                Some(op @ ('*' | '/')) => {
                    if strict && stage >= 2 {
                        return Ok(node);
                    }
                    self.i += 1;
                    let factor = Box::new(self.factor(op)?);
                    node = if op == '*' { Node::Fast(factor, Box::new(node)) } else { Node::Slow(factor, Box::new(node)) };
                    stage = stage.max(2);
                }
                Some('?') => {
                    if stage >= 4 {
                        return Ok(node);
                    }
                    self.i += 1;
                    let amount = self.optional_amount()?;
                    node = Node::Degrade(self.new_seed(), amount, Box::new(node));
                    stage = if stage == 0 { 1 } else { 4 };
                }
                Some('(') => {
                    if strict && stage >= 3 {
                        return Ok(node);
                    }
                    node = self.euclid(node)?;
                    stage = stage.max(3);
                }
                Some('\'') if chord => {
                    self.i += 1;
                    if self.peek().is_none_or(|c| c.is_whitespace() || is_terminator(c)) {
                        return self.expected("a chord name after the apostrophe (as in c'maj)");
                    }
                    let name = self.part(false, true)?;
                    let mut mods = Vec::new();
                    while self.peek() == Some('\'') {
                        self.i += 1;
                        if self.peek().is_none_or(|c| c.is_whitespace() || is_terminator(c)) {
                            return self
                                .expected("a chord modifier after the apostrophe (a number of notes, 'i', 'o' or 'd' and a number)");
                        }
                        mods.push(self.part(false, true)?);
                    }
                    node = Node::Chord { root: Box::new(node), name: Box::new(name), mods };
                    // in Tidal 1.9 the chord is the atom of `pSingle`: its operators start afresh
                    stage = 0;
                }
                _ => return Ok(node),
            }
        }
    }

    /// `(k, n)` or `(k, n, r)` after a part; each argument is a sequence.
    fn euclid(&mut self, x: Node) -> Result<Node, MiniError> {
        let open_col = self.col();
        self.i += 1;
        let k = self.euclid_arg("the number of hits")?;
        if self.peek() != Some(',') {
            return self.expected("',' and the number of steps");
        }
        self.i += 1;
        let n = self.euclid_arg("the number of steps after ','")?;
        let r = if self.peek() == Some(',') {
            self.i += 1;
            self.euclid_arg("the rotation after ','")?
        } else {
            Node::Atom(Value::Num(0.0), open_col)
        };
        if self.peek() != Some(')') {
            return self.expected(&format!("',' or ')' to close the '(' at column {open_col}"));
        }
        self.i += 1;
        Ok(Node::Euclid { k: Box::new(k), n: Box::new(n), r: Box::new(r), x: Box::new(x) })
    }

    fn euclid_arg(&mut self, what: &str) -> Result<Node, MiniError> {
        self.ws();
        let col = self.col();
        let arg = self.sequence(false)?;
        if matches!(&arg, Node::Seq(steps) if steps.is_empty()) {
            self.i = col - 1;
            return self.expected(what);
        }
        Ok(arg)
    }

    /// The factor after `*` or `/`: a number, or a bracketed pattern of numbers (which may
    /// carry its own `*`/`/`, as in Tidal's `pPolyIn`).
    fn factor(&mut self, op: char) -> Result<Node, MiniError> {
        self.ws();
        match self.peek() {
            Some('[' | '<' | '{') => {
                let group = self.primary()?;
                match self.peek() {
                    Some(op2 @ ('*' | '/')) => {
                        self.deeper(self.col())?;
                        self.i += 1;
                        let f = Box::new(self.factor(op2)?);
                        self.depth -= 1;
                        Ok(if op2 == '*' { Node::Fast(f, Box::new(group)) } else { Node::Slow(f, Box::new(group)) })
                    }
                    _ => Ok(group),
                }
            }
            Some(c) if c.is_alphanumeric() || matches!(c, '-' | '+' | '.') => {
                let col = self.col();
                match self.word()? {
                    Some(v) => Ok(Node::Atom(v, col)),
                    None => self.expected(&format!("a number or a pattern in [ ], < > or {{ }} after '{op}'")),
                }
            }
            _ => self.expected(&format!("a number or a pattern in [ ], < > or {{ }} after '{op}'")),
        }
    }

    /// An atom or a bracketed group.
    fn primary(&mut self) -> Result<Node, MiniError> {
        let col = self.col();
        match self.peek() {
            Some('[') => {
                self.deeper(col)?;
                self.i += 1;
                let node = self.stack_or_choose()?;
                if self.peek() != Some(']') {
                    return self.expected(&format!("']' to close the '[' at column {col}"));
                }
                self.i += 1;
                self.depth -= 1;
                Ok(node)
            }
            Some('<') => {
                // Tidal 1.9: `TPat_Polyrhythm (Just 1)` — one step per cycle
                self.deeper(col)?;
                let seqs = self.comma_list('<', '>')?;
                self.depth -= 1;
                Ok(Node::Poly(Some(Box::new(Node::Atom(Value::Num(1.0), col))), seqs))
            }
            Some('{') => {
                self.deeper(col)?;
                let seqs = self.comma_list('{', '}')?;
                let steps = if self.peek() == Some('%') {
                    // Tidal parses a whole sequence of numbers here, operators included:
                    // `{a b}%4?` degrades the step count, not the polymeter
                    self.i += 1;
                    self.ws();
                    if !self.peek().is_some_and(|c| matches!(c, '[' | '<' | '{')) && self.lex_number(self.i).is_none() {
                        return self.expected("a number of steps after '%'");
                    }
                    Some(Box::new(self.sequence(true)?))
                } else {
                    None
                };
                self.depth -= 1;
                Ok(Node::Poly(steps, seqs))
            }
            Some('~') => {
                self.i += 1;
                if self.peek().is_some_and(char::is_alphanumeric) {
                    let start = self.i;
                    self.skip_word();
                    let name: String = self.s[start - 1..self.i].iter().collect();
                    Ok(Node::Atom(Value::str(&name), col))
                } else {
                    Ok(Node::Silence)
                }
            }
            Some('-') if self.lex_number(self.i).is_none() => {
                // Tidal 1.9.10: `-` is a rest too
                if self.peek_at(1).is_some_and(is_word_char) {
                    return self.expected("a number after '-'");
                }
                self.i += 1;
                Ok(Node::Silence)
            }
            // `'maj` alone is a chord on note 0
            Some('\'') => Ok(Node::Atom(Value::Num(0.0), col)),
            Some('^') => Err(MiniError { column: col, message: "control references ('^name') are not supported".into() }),
            Some(c) if c.is_alphanumeric() || matches!(c, '-' | '+' | '.') => match self.word()? {
                Some(v) => Ok(Node::Atom(v, col)),
                None => self.expected("a step (a word, a number, '~', '[', '<' or '{')"),
            },
            _ => self.expected("a step (a word, a number, '~', '[', '<' or '{')"),
        }
    }

    /// Could a step of numbers (Tidal's `pPart pRational`) start here?
    fn starts_rational(&self) -> bool {
        match self.peek() {
            Some('[' | '<' | '{') => true,
            Some(c) if ratio_char(c).is_some() => !self.peek_at(1).is_some_and(char::is_alphabetic),
            _ => self.lex_number(self.i).is_some(),
        }
    }

    fn skip_word(&mut self) {
        while let Some(c) = self.peek() {
            let more = is_word_char(c) || (c == '.' && self.peek_at(1).is_some_and(char::is_alphanumeric));
            if !more {
                break;
            }
            self.i += 1;
        }
    }

    /// A number or a word at the cursor (`None` if neither starts here).
    fn word(&mut self) -> Result<Option<Value>, MiniError> {
        let start = self.i;
        if let Some((x, end)) = self.lex_number(start) {
            let continues =
                self.s.get(end).is_some_and(|&c| is_word_char(c) || (c == '.' && self.s.get(end + 1).is_some_and(|d| d.is_alphanumeric())));
            if !continues {
                self.i = end;
                return Ok(Some(Value::Num(x)));
            }
        }
        if !self.peek().is_some_and(char::is_alphanumeric) {
            return Ok(None);
        }
        self.skip_word();
        let w: String = self.s[start..self.i].iter().collect();
        Ok(Some(Value::str(&w)))
    }

    /// A number (`1`, `-0.5`, `.5`, `1e3`, `3%4`) right at the cursor, consumed, with its
    /// column; `None` (nothing consumed) if there is none.
    fn number(&mut self) -> Option<(f64, usize)> {
        let col = self.col();
        let (x, end) = self.lex_number(self.i)?;
        self.i = end;
        Some((x, col))
    }

    /// The amount after `?` (0.5 when absent).
    fn optional_amount(&mut self) -> Result<f64, MiniError> {
        match self.number() {
            Some((x, col)) if !(0.0..=1.0).contains(&x) => {
                Err(MiniError { column: col, message: format!("a '?' probability must be between 0 and 1, not {x}") })
            }
            Some((x, _)) => Ok(x),
            None => Ok(0.5),
        }
    }

    /// Scan a number starting at `j`: `[+-]? (digits [. digits] | . digits) [e [+-] digits]`
    /// or `[+-]? digits % digits`. Returns the value and the index after it.
    fn lex_number(&self, j: usize) -> Option<(f64, usize)> {
        let s = &self.s;
        let digit = |k: usize| s.get(k).is_some_and(|c| c.is_ascii_digit());
        let mut k = j;
        if matches!(s.get(k), Some('-' | '+')) {
            k += 1;
        }
        let int_start = k;
        while digit(k) {
            k += 1;
        }
        let int_digits = k - int_start;
        let mut integral = true;
        if s.get(k) == Some(&'.') && digit(k + 1) {
            integral = false;
            k += 1;
            while digit(k) {
                k += 1;
            }
        }
        if int_digits == 0 && integral {
            return None;
        }
        if matches!(s.get(k), Some('e' | 'E')) {
            let sign = usize::from(matches!(s.get(k + 1), Some('-' | '+')));
            if digit(k + 1 + sign) {
                integral = false;
                k += 1 + sign;
                while digit(k) {
                    k += 1;
                }
            }
        }
        let text: String = s[j..k].iter().collect();
        let x: f64 = text.parse().ok()?;
        if integral && s.get(k) == Some(&'%') && digit(k + 1) {
            let mut e = k + 1;
            while digit(e) {
                e += 1;
            }
            let den: f64 = s[k + 1..e].iter().collect::<String>().parse().ok()?;
            if den != 0.0 {
                return Some((x / den, e));
            }
        }
        Some((x, k))
    }
}

/// Split steps at feet and resolve weights and repetitions (Tidal's `resolve_feet` and
/// `resolve_size`).
fn resolve_feet(steps: Vec<Step>) -> Node {
    let has_feet = steps.iter().any(|s| matches!(s, Step::Foot));
    if !has_feet {
        return Node::Seq(resolve_size(steps));
    }
    let mut feet: Vec<Vec<Step>> = vec![Vec::new()];
    for s in steps {
        match s {
            Step::Foot => feet.push(Vec::new()),
            other => feet.last_mut().expect("feet start non-empty").push(other),
        }
    }
    if feet.last().is_some_and(Vec::is_empty) {
        feet.pop(); // "a b ." — a trailing foot marker separates nothing
    }
    Node::Seq(feet.into_iter().map(|f| (Rational::ONE, Node::Seq(resolve_size(f)))).collect())
}

fn resolve_size(steps: Vec<Step>) -> Vec<(Time, Node)> {
    let mut out = Vec::new();
    for s in steps {
        match s {
            Step::Foot => {}
            Step::Weighted(w, n) => out.push((w, n)),
            Step::Repeat(k, n) => out.extend(std::iter::repeat_n((Rational::ONE, n), k)),
        }
    }
    out
}

/// A decimal time (factor, weight) as an exact fraction, within sane bounds.
fn to_time(x: f64, col: usize) -> Result<Time, MiniError> {
    if !x.is_finite() || x.abs() > MAX_FACTOR {
        return Err(MiniError { column: col, message: format!("{x} is too large for a time factor (at most {MAX_FACTOR})") });
    }
    Rational::approximate(x, MAX_DEN).ok_or_else(|| MiniError { column: col, message: format!("{x} is not a usable number") })
}

// ---------------------------------------------------------------------------------------------
// Atoms: what a word or number means in each position
// ---------------------------------------------------------------------------------------------

/// A type the same syntax can build patterns of: values (the main pattern), times (factors,
/// polymeter steps), integers (euclid arguments), chord roots, chord shapes and modifiers.
trait Atom: Clone + Send + Sync + 'static {
    /// Convert a written atom (with its column, for errors).
    fn from_value(v: &Value, col: usize) -> Result<Self, MiniError>;
    /// `a .. b` (Tidal's `fromTo`).
    fn enum_from_to(a: &Self, b: &Self) -> Vec<Self>;
    /// `fastFromList (fromTo a b)`, each step made only when a query reaches it: a range is
    /// made anew for every event of its ends (`4000*15 .. 1` makes 15 per cycle), and
    /// building all 4097 steps of each up front, for every event of a query at once, took
    /// gigabytes.
    fn range(a: &Self, b: &Self) -> Pattern<Self> {
        fast_from_list(Self::enum_from_to(a, b))
    }
    /// The number this value stands for, for the size check of `..` (`None` for names).
    fn magnitude(&self) -> Option<f64>;
    /// A chord note, or `None` where chords make no sense.
    fn from_chord_note(x: f64) -> Option<Self>;
}

/// Haskell's `enumFromTo` on fractional numbers: `a, a+1, …` while `<= b + 1/2`; Tidal's
/// `enumFromTo'` counts down (reversing) when `a > b`.
fn enum_fractional(a: f64, b: f64) -> Vec<f64> {
    let (lo, hi) = if a > b { (b, a) } else { (a, b) };
    let mut out = Vec::new();
    let mut k = 0.0;
    while lo + k <= hi + 0.5 && k <= MAX_STEPS {
        out.push(lo + k);
        k += 1.0;
    }
    if a > b {
        out.reverse();
    }
    out
}

/// [`enum_fractional`] as a pattern made on demand (see [`Atom::range`]).
fn range_fractional<T: Atom>(a: f64, b: f64, wrap: fn(f64) -> T) -> Pattern<T> {
    let (lo, hi) = if a > b { (b, a) } else { (a, b) };
    let mut n = 0.0;
    while lo + n <= hi + 0.5 && n <= MAX_STEPS {
        n += 1.0;
    }
    let n = n as i64;
    Pattern::fastcat_fn(n, move |i| Pattern::pure(wrap(lo + (if a > b { n - 1 - i } else { i }) as f64)))
}

fn not_a_number(v: &Value, col: usize, role: &str) -> MiniError {
    MiniError { column: col, message: format!("expected a number for {role}, found '{v}'") }
}

impl Atom for Value {
    fn from_value(v: &Value, _: usize) -> Result<Self, MiniError> {
        Ok(v.clone())
    }
    fn enum_from_to(a: &Self, b: &Self) -> Vec<Self> {
        match (a, b) {
            (Value::Num(x), Value::Num(y)) => enum_fractional(*x, *y).into_iter().map(Value::Num).collect(),
            // Tidal's `fromTo` for strings: just the two ends
            _ => vec![a.clone(), b.clone()],
        }
    }
    fn range(a: &Self, b: &Self) -> Pattern<Self> {
        match (a, b) {
            (Value::Num(x), Value::Num(y)) => range_fractional(*x, *y, Value::Num),
            _ => fast_from_list(Self::enum_from_to(a, b)),
        }
    }
    fn magnitude(&self) -> Option<f64> {
        self.as_num()
    }
    fn from_chord_note(x: f64) -> Option<Self> {
        Some(Value::Num(x))
    }
}

/// Tidal's `pRatioChar`: `w h q e s t f x` as whole, half, quarter, … (in factors only).
fn ratio_char(c: char) -> Option<Time> {
    Some(match c {
        'w' => Rational::ONE,
        'h' => Rational::new(1, 2),
        'q' => Rational::new(1, 4),
        'e' => Rational::new(1, 8),
        's' => Rational::new(1, 16),
        't' => Rational::new(1, 3),
        'f' => Rational::new(1, 5),
        'x' => Rational::new(1, 6),
        _ => return None,
    })
}

impl Atom for Time {
    fn from_value(v: &Value, col: usize) -> Result<Self, MiniError> {
        match v {
            Value::Num(x) => to_time(*x, col),
            Value::Str(s) => {
                // `q`, `3q`, `1.5e`: a number times a ratio character
                let mut chars = s.chars();
                let last = chars.next_back();
                let prefix = chars.as_str();
                let scale = last.and_then(ratio_char).ok_or_else(|| not_a_number(v, col, "a time factor"))?;
                if prefix.is_empty() {
                    return Ok(scale);
                }
                let x: f64 = prefix.parse().map_err(|_| not_a_number(v, col, "a time factor"))?;
                Ok(to_time(x, col)? * scale)
            }
            _ => Err(not_a_number(v, col, "a time factor")),
        }
    }
    fn enum_from_to(a: &Self, b: &Self) -> Vec<Self> {
        let (lo, hi) = if a > b { (*b, *a) } else { (*a, *b) };
        let limit = hi + Rational::new(1, 2);
        let mut out = Vec::new();
        let mut t = lo;
        while t <= limit && out.len() as f64 <= MAX_STEPS {
            out.push(t);
            t = t + Rational::ONE;
        }
        if a > b {
            out.reverse();
        }
        out
    }
    fn range(a: &Self, b: &Self) -> Pattern<Self> {
        let (lo, hi) = if a > b { (*b, *a) } else { (*a, *b) };
        let limit = hi + Rational::new(1, 2);
        let n = if lo <= limit { ((limit - lo).floor() + 1).min(MAX_STEPS as i64 + 1) } else { 0 };
        let down = a > b;
        Pattern::fastcat_fn(n, move |i| Pattern::pure(lo + Rational::integer(if down { n - 1 - i } else { i })))
    }
    fn magnitude(&self) -> Option<f64> {
        Some(self.to_f64())
    }
    fn from_chord_note(x: f64) -> Option<Self> {
        Rational::approximate(x, MAX_DEN)
    }
}

impl Atom for i64 {
    fn from_value(v: &Value, col: usize) -> Result<Self, MiniError> {
        // Tidal's `parseIntNote`: integers or note names
        let x = match v {
            Value::Num(x) => *x,
            Value::Str(s) => note_name(s).ok_or_else(|| not_a_number(v, col, "a euclid argument"))?,
            _ => return Err(not_a_number(v, col, "a euclid argument")),
        };
        if x.fract() != 0.0 {
            return Err(MiniError { column: col, message: format!("a euclid argument must be a whole number, not {x}") });
        }
        if x.abs() > MAX_STEPS {
            return Err(MiniError { column: col, message: format!("{x} is too large for a euclid argument (at most {MAX_STEPS})") });
        }
        Ok(x as i64)
    }
    fn enum_from_to(a: &Self, b: &Self) -> Vec<Self> {
        let v: Vec<i64> = if a > b { (*b..=*a).rev().collect() } else { (*a..=*b).collect() };
        v
    }
    fn range(a: &Self, b: &Self) -> Pattern<Self> {
        let (a, b) = (*a, *b);
        Pattern::fastcat_fn((a - b).abs() + 1, move |i| Pattern::pure(if a > b { a - i } else { a + i }))
    }
    fn magnitude(&self) -> Option<f64> {
        Some(*self as f64)
    }
    fn from_chord_note(x: f64) -> Option<Self> {
        Some(x.round() as i64)
    }
}

impl Atom for f64 {
    /// A chord root: a number or a note name.
    fn from_value(v: &Value, col: usize) -> Result<Self, MiniError> {
        match v {
            Value::Num(x) => Ok(*x),
            Value::Str(s) => note_name(s).ok_or_else(|| MiniError {
                column: col,
                message: format!("expected a number or a note name as the chord root, found '{s}'"),
            }),
            _ => Err(not_a_number(v, col, "a chord root")),
        }
    }
    fn enum_from_to(a: &Self, b: &Self) -> Vec<Self> {
        enum_fractional(*a, *b)
    }
    fn range(a: &Self, b: &Self) -> Pattern<Self> {
        range_fractional(*a, *b, |x| x)
    }
    fn magnitude(&self) -> Option<f64> {
        Some(*self)
    }
    fn from_chord_note(x: f64) -> Option<Self> {
        Some(x)
    }
}

/// A chord's intervals (the chord name's meaning).
#[derive(Clone, Debug)]
struct Shape(Arc<[f64]>);

impl Atom for Shape {
    fn from_value(v: &Value, col: usize) -> Result<Self, MiniError> {
        let name = match v {
            Value::Num(x) if x.fract() == 0.0 => format!("{}", *x as i64),
            Value::Str(s) => s.to_string(),
            _ => String::new(),
        };
        match chords::chord(&name) {
            Some(iv) => Ok(Shape(iv.iter().map(|&i| i as f64).collect())),
            None => Err(MiniError {
                column: col,
                message: format!("unknown chord '{v}' (try maj, min, maj7, min7, dom7, dim, aug, sus4, …)"),
            }),
        }
    }
    fn enum_from_to(a: &Self, b: &Self) -> Vec<Self> {
        vec![a.clone(), b.clone()]
    }
    fn magnitude(&self) -> Option<f64> {
        None
    }
    fn from_chord_note(_: f64) -> Option<Self> {
        None
    }
}

/// The modifiers written in one `'…` after a chord name.
#[derive(Clone, Debug)]
struct Mods(Arc<[Modifier]>);

impl Atom for Mods {
    /// Tidal 1.9's `parseModifiers`: `o`, `oo`, … (open), `d2` (drop), `5` (range), `i3` or
    /// `i`, `ii`, … (invert).
    fn from_value(v: &Value, col: usize) -> Result<Self, MiniError> {
        let bad = || MiniError {
            column: col,
            message: format!("unknown chord modifier '{v}' (expected a number of notes, 'i', 'i2', 'o' or 'd1')"),
        };
        let mods: Vec<Modifier> = match v {
            Value::Num(x) if x.fract() == 0.0 && (0.0..=MAX_CHORD_NOTES).contains(x) => vec![Modifier::Range(*x as usize)],
            Value::Str(s) => {
                let count = |rest: &str| rest.parse::<usize>().ok().filter(|n| *n as f64 <= MAX_STEPS);
                if !s.is_empty() && s.chars().all(|c| c == 'o') {
                    vec![Modifier::Open; s.len()]
                } else if !s.is_empty() && s.chars().all(|c| c == 'i') {
                    vec![Modifier::Invert; s.len()]
                } else if let Some(n) = s.strip_prefix('i').and_then(count) {
                    vec![Modifier::Invert; n]
                } else if let Some(n) = s.strip_prefix('d').and_then(count) {
                    vec![Modifier::Drop(n)]
                } else {
                    return Err(bad());
                }
            }
            _ => return Err(bad()),
        };
        Ok(Mods(mods.into()))
    }
    fn enum_from_to(a: &Self, b: &Self) -> Vec<Self> {
        vec![a.clone(), b.clone()]
    }
    fn magnitude(&self) -> Option<f64> {
        None
    }
    fn from_chord_note(_: f64) -> Option<Self> {
        None
    }
}

// ---------------------------------------------------------------------------------------------
// Building patterns (Tidal's `toPat`)
// ---------------------------------------------------------------------------------------------

fn build_all<T: Atom>(nodes: &[Node]) -> Result<Vec<Pattern<T>>, MiniError> {
    nodes.iter().map(build).collect()
}

fn build<T: Atom>(node: &Node) -> Result<Pattern<T>, MiniError> {
    Ok(match node {
        Node::Atom(v, col) => Pattern::pure(T::from_value(v, *col)?),
        Node::Silence => Pattern::silence(),
        Node::Seq(steps) => {
            let parts = steps.iter().map(|(w, n)| Ok((*w, build(n)?))).collect::<Result<Vec<_>, MiniError>>()?;
            time_cat(parts)
        }
        Node::Stack(xs) => Pattern::stack(build_all(xs)?),
        // unwrap $ segment 1 $ chooseBy (rotL (0.0001 * seed) rand) xs
        Node::Choose(seed, xs) => choose_by(&seeded_rand(*seed), build_all::<T>(xs)?).segment(Rational::ONE).unwrap(),
        // stack $ map (\(sz, pat) -> fast ((/ sz) <$> steprate) pat) pats
        Node::Poly(steps, seqs) => {
            let steprate: Pattern<Time> = match steps {
                Some(s) => build(s)?,
                None => Pattern::pure(seqs.first().map_or(Rational::ZERO, Node::size)),
            };
            let mut layers = Vec::new();
            for seq in seqs {
                let size = seq.size();
                if size == Rational::ZERO {
                    continue; // an empty sub-sequence is silent
                }
                layers.push(build::<T>(seq)?.fast_p(&steprate.fmap(move |r| *r / size)));
            }
            Pattern::stack(layers)
        }
        Node::Fast(f, x) => build::<T>(x)?.fast_p(&build(f)?),
        Node::Slow(f, x) => build::<T>(x)?.slow_p(&build(f)?),
        Node::Degrade(seed, amount, x) => build::<T>(x)?.degrade_by_using(&seeded_rand(*seed), *amount),
        // innerJoin $ (\k n r -> _euclidOff k n r x) <$> kp <*> np <*> rp
        Node::Euclid { k, n, r, x } => {
            let (kp, np, rp) = (build::<i64>(k)?, build::<i64>(n)?, build::<i64>(r)?);
            // a boolean step (`"t(3,8)"`, as `struct`/`mask`/`sew`/`while` read it) is Tidal's
            // Bool euclid: the value on the hits and its negation on the rests
            let negated = match &**x {
                Node::Atom(Value::Str(w), col) => match &**w {
                    "t" | "true" => Some(build::<T>(&Node::Atom(Value::str("f"), *col))?),
                    "f" | "false" => Some(build::<T>(&Node::Atom(Value::str("t"), *col))?),
                    _ => None,
                },
                _ => None,
            };
            let x = build::<T>(x)?;
            kp.app_both(&np, |k, n| (*k, *n))
                .app_both(&rp, |(k, n), r| (*k, *n, *r))
                .fmap(move |&(k, n, r)| match &negated {
                    Some(not) => x.euclid_full(k, n, not).early(Rational::new(r, n.max(1))),
                    None => x.euclid_off(k, n, r),
                })
                .inner_join()
        }
        // unwrap $ fromTo <$> a <*> b
        Node::Range(a, b, col) => {
            // the ends as written, and as `T` reads them (`w` is 1 in a time factor, `c6`
            // is 72 in a euclid argument)
            let mut nums = Vec::new();
            node.numbers(&mut nums);
            node.each_value(&mut |v| nums.extend(T::from_value(v, *col).ok().as_ref().and_then(T::magnitude)));
            let lo = nums.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = nums.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            if hi - lo > MAX_STEPS {
                return Err(MiniError { column: *col, message: format!("the range is too long (at most {MAX_STEPS} steps)") });
            }
            build::<T>(a)?.app_both(&build::<T>(b)?, T::range).unwrap()
        }
        Node::Chord { root, name, mods } => {
            let notes = chord_pattern(build(root)?, build(name)?, mods.iter().map(build).collect::<Result<Vec<_>, _>>()?);
            let col = first_col(root);
            if T::from_chord_note(0.0).is_none() {
                return Err(MiniError { column: col, message: "a chord cannot be used here".into() });
            }
            uncollect(&notes).fmap(|x| T::from_chord_note(*x).expect("checked above"))
        }
    })
}

/// The column of the first atom in a subtree (for errors about the whole subtree).
fn first_col(node: &Node) -> usize {
    match node {
        Node::Atom(_, col) | Node::Range(_, _, col) => *col,
        Node::Seq(steps) => steps.first().map_or(1, |(_, n)| first_col(n)),
        Node::Stack(xs) | Node::Choose(_, xs) | Node::Poly(_, xs) => xs.first().map_or(1, first_col),
        Node::Fast(_, x) | Node::Slow(_, x) | Node::Degrade(_, _, x) | Node::Euclid { x, .. } => first_col(x),
        Node::Chord { root, .. } => first_col(root),
        Node::Silence => 1,
    }
}

/// Tidal's `timeCat`: each pattern squeezed into its share of the cycle with [`compress_arc`].
fn time_cat<T: Item>(parts: Vec<(Time, Pattern<T>)>) -> Pattern<T> {
    let total = parts.iter().fold(Rational::ZERO, |a, (w, _)| a + *w);
    if total == Rational::ZERO {
        return Pattern::silence();
    }
    let mut at = Rational::ZERO;
    let mut layers = Vec::with_capacity(parts.len());
    for (w, p) in parts {
        layers.push(compress_arc(&p, at / total, (at + w) / total));
        at = at + w;
    }
    Pattern::stack(layers)
}

/// Tidal's `compressArc`: squeeze each cycle into `[b, e)` of the cycle.
fn compress_arc<T: Item>(p: &Pattern<T>, b: Time, e: Time) -> Pattern<T> {
    let (zero, one) = (Rational::ZERO, Rational::ONE);
    if b >= e || b > one || e > one || b < zero || e < zero {
        return Pattern::silence();
    }
    fast_gap(p, one / (e - b)).late(b)
}

/// Tidal 1.9's `_fastGap`, exactly. It differs from [`Pattern::fast_gap`] for an event that
/// overhangs its cycle (`"hh/2 ~"`): Tidal maps every span, whole and part alike, relative to
/// the cycle its own *begin* lies in (`withResultArc (\(Arc s e) -> Arc (sam s + (s - sam s)/r)
/// (sam s + (e - sam s)/r))`), so the later fragments of such an event get the whole `(0, 1)`
/// where core's `fast_gap` keeps `(1/2, 3/2)`. Onsets are the same either way; this keeps the
/// mini-notation's fragments identical to Tidal's.
fn fast_gap<T: Item>(p: &Pattern<T>, r: Time) -> Pattern<T> {
    if r == Rational::ZERO {
        return Pattern::silence();
    }
    let r = r.max(Rational::ONE);
    let p = p.clone();
    let squash = move |s: Span| {
        let sam = s.begin.sam();
        Span::new(sam + (s.begin - sam) / r, sam + (s.end - sam) / r)
    };
    Pattern::new(move |span| {
        let munge = |t: Time| t.sam() + (r * (t - t.sam())).min(Rational::ONE);
        let inner = Span::new(munge(span.begin), munge(span.end));
        // zero-width queries at the next cycle start return nothing
        if inner.begin == span.begin.sam() + Rational::ONE {
            return Vec::new();
        }
        p.query(inner).into_iter().map(|h| h.with_span(squash)).collect()
    })
    .split_queries()
}

/// Tidal's `fastFromList`.
fn fast_from_list<T: Atom>(xs: Vec<T>) -> Pattern<T> {
    Pattern::fastcat(xs.into_iter().map(Pattern::pure).collect())
}

/// Tidal's monadic bind on patterns (`p >>= f = unwrap (f <$> p)`).
fn bind<A: Item, B: Item>(p: &Pattern<A>, f: impl Fn(&A) -> Pattern<B> + Send + Sync + 'static) -> Pattern<B> {
    p.fmap(f).unwrap()
}

/// Tidal 1.9's `chordToPatSeq`:
/// `uncollect $ do n <- noteP; name <- nameP; applyModifierPatSeq (return (map (+ n) chord)) modsP`
/// (without the `uncollect`: one event per chord, holding its notes).
fn chord_pattern(root: Pattern<f64>, name: Pattern<Shape>, mods: Vec<Pattern<Mods>>) -> Pattern<Vec<f64>> {
    let mods = Arc::new(mods);
    bind(&root, move |&n| {
        let mods = mods.clone();
        bind(&name, move |shape| {
            let notes: Vec<f64> = shape.0.iter().map(|i| i + n).collect();
            mods.iter().fold(Pattern::pure(notes), |chord, modp| {
                // applyModifierPat pat modsP = do ch <- pat; ms <- modsP; return (foldl (flip applyModifier) ch ms)
                let modp = modp.clone();
                bind(&chord, move |ch: &Vec<f64>| {
                    let ch = ch.clone();
                    bind(&modp, move |ms: &Mods| Pattern::pure(ms.0.iter().fold(ch.clone(), |acc, m| chords::apply_modifier(*m, &acc))))
                })
            })
        })
    })
}

/// Tidal's `uncollect`: one event per element of each event's list, sharing its span.
fn uncollect(p: &Pattern<Vec<f64>>) -> Pattern<f64> {
    let p = p.clone();
    Pattern::new(move |span| {
        p.query(span)
            .into_iter()
            .flat_map(|h| {
                let Hap { whole, part, value } = h;
                value.into_iter().map(move |v| Hap { whole, part, value: v })
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn onset_values(src: &str) -> Vec<String> {
        parse_mini(src).unwrap().onsets(Rational::ZERO, Rational::ONE).iter().map(|h| h.value.to_string()).collect()
    }

    /// Words, numbers and bus references come out as the right kind of value.
    #[test]
    fn atoms() {
        let p = parse_mini("bd:3 1 -0.5 1e3 .5 3%4 c5 ~bus t 808bd").unwrap();
        let v: Vec<Value> = p.onsets(Rational::ZERO, Rational::ONE).into_iter().map(|h| h.value).collect();
        assert_eq!(
            v,
            vec![
                Value::str("bd:3"),
                Value::Num(1.0),
                Value::Num(-0.5),
                Value::Num(1000.0),
                Value::Num(0.5),
                Value::Num(0.75),
                Value::str("c5"),
                Value::str("~bus"),
                Value::str("t"),
                Value::str("808bd"),
            ]
        );
    }

    /// Rests: `~` and `-` and an empty string are silent.
    #[test]
    fn rests() {
        assert_eq!(onset_values("bd ~ - sn"), ["bd", "sn"]);
        assert!(onset_values("").is_empty());
        assert!(onset_values("  ~ ").is_empty());
    }
}
