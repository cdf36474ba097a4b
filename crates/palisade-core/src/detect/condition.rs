//! The Falco condition language: tokens, the syntax tree, and compiling one field check.
//!
//! Grammar (precedence `not` > `and` > `or`):
//! `expr := and ("or" and)*`, `and := unary ("and" unary)*`, `unary := "not" unary | "(" expr ")"
//! | field op operand | macro`. A field is a dotted name with an optional `[argument]`; an
//! operand is a bare word, a quoted string, or a parenthesised, comma-separated list in which a
//! bare item that names a list stands for that list's items.

use super::falco::Origin;
use super::fields;
use super::rule::{Expr, FieldTest, Ordering, Test, glob_regex};
use crate::document::Pos;

/// A condition text and where it was written.
#[derive(Debug, Clone)]
pub(crate) struct Piece {
    pub(crate) text: String,
    pub(crate) origin: Origin,
}

/// A parsed condition.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Ast {
    And(Vec<Ast>),
    Or(Vec<Ast>),
    Not(Box<Ast>),
    Macro {
        name: String,
        offset: usize,
    },
    Check {
        field: String,
        arg: Option<String>,
        op: String,
        operand: Operand,
        offset: usize,
    },
}

/// The right-hand side of a check. The flag says whether a value was written bare (unquoted),
/// which is what lets it name a list.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Operand {
    None,
    Value(String, bool),
    List(Vec<(String, bool)>),
}

/// A syntax error and the byte offset it was found at.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SyntaxError {
    pub(crate) offset: usize,
    pub(crate) message: String,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Open,
    Close,
    Comma,
    Word(String),
    Quoted(String),
    Symbol(&'static str),
}

const WORD_OPERATORS: &[&str] = &[
    "contains",
    "icontains",
    "bcontains",
    "startswith",
    "bstartswith",
    "endswith",
    "glob",
    "iglob",
    "in",
    "intersects",
    "pmatch",
    "exists",
    "regex",
];

/// Whether an operator takes a list operand.
pub(crate) fn takes_list(op: &str) -> bool {
    matches!(op, "in" | "intersects" | "pmatch")
}

fn lex(text: &str) -> Result<Vec<(Tok, usize)>, SyntaxError> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        match c {
            b' ' | b'\t' | b'\n' | b'\r' => i += 1,
            b'(' => {
                out.push((Tok::Open, start));
                i += 1;
            }
            b')' => {
                out.push((Tok::Close, start));
                i += 1;
            }
            b',' => {
                out.push((Tok::Comma, start));
                i += 1;
            }
            b'=' | b'!' | b'<' | b'>' => {
                let two = text.get(i..i + 2).unwrap_or("");
                let sym = match two {
                    "==" => "==",
                    "!=" => "!=",
                    "<=" => "<=",
                    ">=" => ">=",
                    _ => match c {
                        b'=' => "=",
                        b'<' => "<",
                        b'>' => ">",
                        _ => {
                            return Err(SyntaxError {
                                offset: start,
                                message: "unexpected '!' (did you mean '!=' or 'not'?)".into(),
                            });
                        }
                    },
                };
                i += sym.len();
                out.push((Tok::Symbol(sym), start));
            }
            b'"' | b'\'' => {
                let quote = c;
                let mut value = String::new();
                i += 1;
                let mut closed = false;
                while i < bytes.len() {
                    let ch = text[i..].chars().next().unwrap_or('\0');
                    if bytes[i] == b'\\' && i + 1 < bytes.len() {
                        let next = text[i + 1..].chars().next().unwrap_or('\0');
                        value.push(next);
                        i += 1 + next.len_utf8();
                        continue;
                    }
                    if bytes[i] == quote {
                        closed = true;
                        i += 1;
                        break;
                    }
                    value.push(ch);
                    i += ch.len_utf8();
                }
                if !closed {
                    return Err(SyntaxError {
                        offset: start,
                        message: "unterminated string".into(),
                    });
                }
                out.push((Tok::Quoted(value), start));
            }
            _ => {
                while i < bytes.len() {
                    match bytes[i] {
                        b' ' | b'\t' | b'\n' | b'\r' | b'(' | b')' | b',' | b'=' | b'<' | b'>'
                        | b'"' | b'\'' => break,
                        b'!' if bytes.get(i + 1) == Some(&b'=') => break,
                        b'[' => match text[i..].find(']') {
                            Some(close) => i += close + 1,
                            None => {
                                return Err(SyntaxError {
                                    offset: i,
                                    message: "unclosed '['".into(),
                                });
                            }
                        },
                        _ => i += 1,
                    }
                }
                out.push((Tok::Word(text[start..i].to_owned()), start));
            }
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<(Tok, usize)>,
    at: usize,
    end: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at).map(|(t, _)| t)
    }

    fn offset(&self) -> usize {
        self.toks.get(self.at).map_or(self.end, |(_, o)| *o)
    }

    fn err<T>(&self, message: impl Into<String>) -> Result<T, SyntaxError> {
        Err(SyntaxError {
            offset: self.offset(),
            message: message.into(),
        })
    }

    fn is_word(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Tok::Word(w)) if w == word)
    }

    fn or(&mut self, depth: usize) -> Result<Ast, SyntaxError> {
        if depth > 200 {
            return self.err("condition nested too deeply");
        }
        let mut items = vec![self.and(depth)?];
        while self.is_word("or") {
            self.at += 1;
            items.push(self.and(depth)?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Ast::Or(items)
        })
    }

    fn and(&mut self, depth: usize) -> Result<Ast, SyntaxError> {
        let mut items = vec![self.unary(depth)?];
        while self.is_word("and") {
            self.at += 1;
            items.push(self.unary(depth)?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Ast::And(items)
        })
    }

    fn unary(&mut self, depth: usize) -> Result<Ast, SyntaxError> {
        if depth > 200 {
            return self.err("condition nested too deeply");
        }
        if self.is_word("not") {
            self.at += 1;
            return Ok(Ast::Not(Box::new(self.unary(depth + 1)?)));
        }
        let offset = self.offset();
        match self.peek().cloned() {
            Some(Tok::Open) => {
                self.at += 1;
                let inner = self.or(depth + 1)?;
                if self.peek() != Some(&Tok::Close) {
                    return self.err("expected ')'");
                }
                self.at += 1;
                Ok(inner)
            }
            Some(Tok::Word(word)) if !matches!(word.as_str(), "and" | "or") => {
                self.at += 1;
                let op = match self.peek() {
                    Some(Tok::Symbol(s)) => Some((*s).to_owned()),
                    Some(Tok::Word(w)) if WORD_OPERATORS.contains(&w.as_str()) => Some(w.clone()),
                    _ => None,
                };
                let Some(op) = op else {
                    if word.contains('.') || word.contains('[') {
                        return self.err(format!("expected an operator after field {word}"));
                    }
                    return Ok(Ast::Macro { name: word, offset });
                };
                self.at += 1;
                let (field, arg) =
                    split_field(&word).map_err(|message| SyntaxError { offset, message })?;
                let operand = self.operand(&op)?;
                Ok(Ast::Check {
                    field: field.to_owned(),
                    arg: arg.map(str::to_owned),
                    op,
                    operand,
                    offset,
                })
            }
            Some(_) => self.err("expected a field check, a macro, 'not' or '('"),
            None => self.err("unexpected end of condition"),
        }
    }

    fn operand(&mut self, op: &str) -> Result<Operand, SyntaxError> {
        if op == "exists" {
            return Ok(Operand::None);
        }
        match self.peek().cloned() {
            Some(Tok::Open) if takes_list(op) => {
                self.at += 1;
                let mut items = Vec::new();
                loop {
                    match self.peek().cloned() {
                        Some(Tok::Close) => {
                            self.at += 1;
                            break;
                        }
                        Some(Tok::Word(w)) => {
                            items.push((w, true));
                            self.at += 1;
                        }
                        Some(Tok::Quoted(q)) => {
                            items.push((q, false));
                            self.at += 1;
                        }
                        Some(Tok::Comma) => {
                            self.at += 1;
                        }
                        _ => return self.err("expected a list item or ')'"),
                    }
                }
                Ok(Operand::List(items))
            }
            Some(Tok::Word(w)) if !matches!(w.as_str(), "and" | "or") => {
                self.at += 1;
                Ok(Operand::Value(w, true))
            }
            Some(Tok::Quoted(q)) => {
                self.at += 1;
                Ok(Operand::Value(q, false))
            }
            _ => self.err(format!("expected a value after '{op}'")),
        }
    }
}

/// Parses a condition.
pub(crate) fn parse(text: &str) -> Result<Ast, SyntaxError> {
    let toks = lex(text)?;
    let mut parser = Parser {
        toks,
        at: 0,
        end: text.len(),
    };
    let ast = parser.or(0)?;
    if parser.at < parser.toks.len() {
        return parser.err("unexpected token (expected 'and', 'or' or end of condition)");
    }
    Ok(ast)
}

/// Splits `name[arg]` into its name and argument.
pub(crate) fn split_field(text: &str) -> Result<(&str, Option<&str>), String> {
    match text.find('[') {
        None => Ok((text, None)),
        Some(open) => {
            if !text.ends_with(']') {
                return Err(format!("malformed field argument in {text:?}"));
            }
            Ok((&text[..open], Some(&text[open + 1..text.len() - 1])))
        }
    }
}

/// The piece a byte offset into joined pieces (joined with one space) falls in, and the offset
/// within that piece.
/// Pieces are never empty (every definition has a condition); an offset past the end falls on
/// the end of the last piece.
pub(crate) fn piece_at(pieces: &[Piece], mut offset: usize) -> (&Piece, usize) {
    let Some((last, init)) = pieces.split_last() else {
        unreachable!("conditions are built from at least one piece");
    };
    for piece in init {
        if offset <= piece.text.len() {
            return (piece, offset);
        }
        offset -= piece.text.len() + 1;
    }
    (last, offset.min(last.text.len()))
}

/// The position in the source file of a byte offset within a condition piece. Folding and
/// quoting change whitespace and escapes but not the words, so the word at the offset is found
/// by counting its earlier occurrences in the condition and skipping as many in the source.
pub(crate) fn locate(source: &str, piece: &Piece, offset: usize) -> Pos {
    let start = piece.origin.pos;
    let Some(node_start) = byte_of(source, start) else {
        return start;
    };
    let offset = offset.min(piece.text.len());
    let word_end = piece.text[offset..]
        .find(|c: char| c.is_whitespace())
        .map_or(piece.text.len(), |e| offset + e);
    let word = &piece.text[offset..word_end];
    if word.is_empty() {
        return start;
    }
    let earlier = piece.text[..offset].matches(word).count();
    let mut from = node_start;
    let mut found = node_start;
    for _ in 0..=earlier {
        match source[from..].find(word) {
            Some(at) => {
                found = from + at;
                from = found + word.len();
            }
            None => return start,
        }
    }
    pos_of(source, found)
}

fn byte_of(source: &str, pos: Pos) -> Option<usize> {
    let line_start = if pos.line <= 1 {
        0
    } else {
        source
            .match_indices('\n')
            .nth(pos.line as usize - 2)
            .map(|(i, _)| i + 1)?
    };
    let line = &source[line_start..];
    let col = line
        .char_indices()
        .nth(pos.col.saturating_sub(1) as usize)
        .map_or(line.len(), |(i, _)| i);
    Some(line_start + col)
}

fn pos_of(source: &str, byte: usize) -> Pos {
    let before = &source[..byte];
    let line = before.matches('\n').count() as u32 + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = source[line_start..byte].chars().count() as u32 + 1;
    Pos::new(line, col)
}

fn single(op: &str, operand: &Operand) -> Result<String, String> {
    match operand {
        Operand::Value(v, _) => Ok(v.clone()),
        Operand::List(items) if items.len() == 1 => Ok(items[0].0.clone()),
        _ => Err(format!("operator '{op}' takes one value")),
    }
}

fn list(op: &str, operand: &Operand) -> Result<Vec<String>, String> {
    match operand {
        Operand::List(items) => Ok(items.iter().map(|(v, _)| v.clone()).collect()),
        Operand::Value(v, _) => Ok(vec![v.clone()]),
        Operand::None => Err(format!("operator '{op}' takes a list")),
    }
}

/// The items as address ranges, when they are addresses and at least one is a CIDR range: then
/// `in`/`intersects` test whether an address falls in a range (a Palisade extension that lets
/// a list of source ranges be written in the Falco language).
fn address_ranges(items: &[String]) -> Option<Vec<ipnet::IpNet>> {
    if !items.iter().any(|i| i.contains('/')) {
        return None;
    }
    items
        .iter()
        .map(|item| {
            item.parse::<ipnet::IpNet>().ok().or_else(|| {
                item.parse::<std::net::IpAddr>()
                    .ok()
                    .map(ipnet::IpNet::from)
            })
        })
        .collect()
}

/// Compiles one check (`field op operand`, the operand's list names already expanded).
pub(crate) fn compile_check(
    field: &str,
    arg: Option<&str>,
    op: &str,
    operand: &Operand,
) -> Result<Expr, String> {
    let extractor = fields::resolve(field, arg)?;
    let set = |items: Vec<String>| {
        items
            .into_iter()
            .map(String::into_boxed_str)
            .collect::<crate::detect::rule::StrSet>()
    };
    let test = match op {
        "exists" => Test::Exists,
        "=" | "==" => Test::Eq(single(op, operand)?.into()),
        "!=" => Test::Ne(single(op, operand)?.into()),
        "<" => Test::Order(Ordering::Lt, single(op, operand)?.into()),
        "<=" => Test::Order(Ordering::Le, single(op, operand)?.into()),
        ">" => Test::Order(Ordering::Gt, single(op, operand)?.into()),
        ">=" => Test::Order(Ordering::Ge, single(op, operand)?.into()),
        "contains" | "bcontains" => Test::Contains(single(op, operand)?.into()),
        "icontains" => Test::IContains(single(op, operand)?.to_lowercase().into()),
        "startswith" | "bstartswith" => Test::StartsWith(single(op, operand)?.into()),
        "endswith" => Test::EndsWith(single(op, operand)?.into()),
        "glob" => Test::Pattern(glob_regex(&single(op, operand)?, false, false)?),
        "iglob" => Test::Pattern(glob_regex(&single(op, operand)?, true, false)?),
        "regex" => {
            let re = single(op, operand)?;
            Test::Pattern(regex::Regex::new(&re).map_err(|e| format!("invalid regex {re:?}: {e}"))?)
        }
        "in" | "intersects" => {
            let items = list(op, operand)?;
            match address_ranges(&items) {
                Some(nets) => Test::Cidr(nets),
                None if op == "in" => Test::In(set(items)),
                None => Test::Intersects(set(items)),
            }
        }
        "pmatch" => Test::PrefixMatch(
            list(op, operand)?
                .into_iter()
                .map(String::into_boxed_str)
                .collect(),
        ),
        other => return Err(format!("unknown operator {other:?}")),
    };
    Ok(Expr::Test(Box::new(FieldTest {
        field: extractor,
        test,
    })))
}
