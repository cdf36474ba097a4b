//! Parsing YAML and JSON text into value trees that remember where every node came from.
//!
//! This module owns the first step of every command: text in, [`Node`] trees out, each node with
//! its line and column. It does no I/O; callers hand it the text and a display name.
//!
//! A stream is first cut at its document markers (`---` and `...` at the start of a line), and
//! each document is parsed on its own, so a syntax error in one document is reported and the
//! others are still read. YAML itself forbids those markers inside scalars, so the cut never
//! splits a document. Scalars resolve the way Kubernetes' YAML decoder resolves them (YAML 1.1
//! booleans such as `yes`/`off` included), and merge keys (`<<`) are applied.

use std::collections::HashMap;
use std::fmt;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

/// The most nesting levels a document may have; deeper input is refused with an error.
pub const MAX_DEPTH: usize = 256;

/// The most nodes that aliases may add to one document by expansion (guards against alias bombs).
pub const MAX_ALIAS_EXPANSION: usize = 100_000;

/// A position in a text: 1-based line and 1-based column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    /// Line number, starting at 1.
    pub line: u32,
    /// Column number in characters, starting at 1.
    pub col: u32,
}

impl Pos {
    /// A position from a 1-based line and column.
    pub fn new(line: u32, col: u32) -> Self {
        Pos { line, col }
    }
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}

/// One node of a parsed document and where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Where the node starts in its file.
    pub pos: Pos,
    /// What the node holds.
    pub value: Value,
}

/// The value of a node, after YAML scalar resolution.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`, `~` or an empty value.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer that fits in 64 bits.
    Int(i64),
    /// A floating point number (also integers too large for `i64`).
    Float(f64),
    /// A string.
    Str(Box<str>),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in input order. Keys are strings; other scalar keys keep their text.
    Map(Vec<Entry>),
}

/// One key/value pair of a mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The key's text.
    pub key: Box<str>,
    /// Where the key starts.
    pub key_pos: Pos,
    /// The value.
    pub value: Node,
}

impl Node {
    /// The value under `key` if this is a mapping that has it.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// The entry under `key` if this is a mapping that has it (its key position is the line a
    /// finding about that field should point at).
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|e| &*e.key == key),
            _ => None,
        }
    }

    /// Follows a path of mapping keys.
    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(self, |node, key| node.get(key))
    }

    /// The string if this node is a string.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean if this node is a boolean.
    pub fn as_bool(&self) -> Option<bool> {
        match self.value {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// The integer if this node is an integer.
    pub fn as_i64(&self) -> Option<i64> {
        match self.value {
            Value::Int(i) => Some(i),
            _ => None,
        }
    }

    /// The items if this node is a sequence; an empty slice otherwise.
    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::Seq(items) => items,
            _ => &[],
        }
    }

    /// The entries if this node is a mapping; an empty slice otherwise.
    pub fn entries(&self) -> &[Entry] {
        match &self.value {
            Value::Map(entries) => entries,
            _ => &[],
        }
    }

    /// Whether the node is null.
    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// A scalar's text as Kubernetes would see it after JSON conversion (numbers and booleans
    /// printed); `None` for mappings, sequences and null.
    pub fn scalar_text(&self) -> Option<std::borrow::Cow<'_, str>> {
        use std::borrow::Cow;
        match &self.value {
            Value::Str(s) => Some(Cow::Borrowed(s)),
            Value::Bool(b) => Some(Cow::Owned(b.to_string())),
            Value::Int(i) => Some(Cow::Owned(i.to_string())),
            Value::Float(f) => Some(Cow::Owned(f.to_string())),
            _ => None,
        }
    }

    /// A short name for the node's type, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Int(_) => "integer",
            Value::Float(_) => "number",
            Value::Str(_) => "string",
            Value::Seq(_) => "sequence",
            Value::Map(_) => "mapping",
        }
    }

    /// Converts the tree to JSON (for policy engines and `--format json` dumps of objects).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::Str(s) => J::String(s.to_string()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|e| (e.key.to_string(), e.value.to_json()))
                    .collect(),
            ),
        }
    }
}

/// A problem found while parsing, with its position in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseProblem {
    /// Where the problem is.
    pub pos: Pos,
    /// What is wrong, in lower case.
    pub message: String,
    /// Whether the document was lost (an error) or only something in it was questionable.
    pub fatal: bool,
}

/// One parsed document of a stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The index of the document in its stream, from 0.
    pub index: usize,
    /// Its root node (`Null` for an empty document).
    pub root: Node,
}

/// The result of parsing a stream: the documents that could be read and the problems found.
#[derive(Debug, Default)]
pub struct ParsedStream {
    /// Documents read, in order.
    pub documents: Vec<Document>,
    /// Errors (documents lost) and warnings, in order.
    pub problems: Vec<ParseProblem>,
    /// Documents that [`parse_stream_where`] was asked not to build.
    pub left_out: usize,
}

/// Parses a YAML (or JSON) stream of any number of documents.
pub fn parse_stream(text: &str) -> ParsedStream {
    parse_stream_where(text, |_| true)
}

/// Streams at least this large have their documents parsed in parallel; below it the
/// bookkeeping costs more than it saves.
const PARALLEL_STREAM_BYTES: usize = 1 << 20;

/// What parsing one chunk of a stream gave.
struct ParsedChunk {
    roots: Vec<Node>,
    problems: Vec<ParseProblem>,
    /// Whether a document was there, read or not (it takes an index either way).
    counts_as_document: bool,
    left_out: bool,
}

/// Parses a stream like [`parse_stream`], but builds trees only for the documents whose text
/// `wanted` accepts; the others are counted in [`ParsedStream::left_out`], keep their index,
/// and are not checked for syntax errors. Large streams are parsed in parallel, document by
/// document, with the same result as in order.
pub fn parse_stream_where(text: &str, wanted: impl Fn(&str) -> bool + Sync) -> ParsedStream {
    // YAML counts a lone carriage return as a line break, but the document splitter only cuts
    // at '\n'; without this the two disagree and diagnostics point past the end of the file.
    // The replacement keeps every byte offset, so columns are unchanged.
    let normalized;
    let text = if has_lone_carriage_return(text) {
        normalized = lone_carriage_returns_to_newlines(text);
        normalized.as_str()
    } else {
        text
    };
    if text.trim_start().starts_with(['{', '[']) {
        let mut builder = Builder::new(0);
        if let Some(root) = json::parse(text, &mut builder) {
            let mut out = ParsedStream::default();
            if wanted(text) {
                out.documents.push(Document { index: 0, root });
                out.problems = builder.warnings;
            } else {
                out.left_out = 1;
            }
            return out;
        }
    }
    parse_chunks(text, wanted)
}

/// The YAML path of [`parse_stream_where`]: the stream cut into documents, each parsed on its own.
fn parse_chunks(text: &str, wanted: impl Fn(&str) -> bool + Sync) -> ParsedStream {
    let chunks = split_documents(text);
    let parse = |chunk: &Chunk<'_>| {
        if !wanted(chunk.text) {
            let has_content = chunk_has_content(chunk.text);
            return ParsedChunk {
                roots: Vec::new(),
                problems: Vec::new(),
                counts_as_document: has_content,
                left_out: has_content,
            };
        }
        parse_chunk(chunk)
    };
    let parsed: Vec<ParsedChunk> = if text.len() >= PARALLEL_STREAM_BYTES && chunks.len() > 1 {
        use rayon::prelude::*;
        chunks.par_iter().map(parse).collect()
    } else {
        chunks.iter().map(parse).collect()
    };
    let mut out = ParsedStream::default();
    let mut index = 0;
    for mut chunk in parsed {
        out.left_out += usize::from(chunk.left_out);
        if chunk.roots.is_empty() {
            // A document that failed to parse (or was left out) still takes its index, so
            // later documents keep the numbers a user counting `---` would give them.
            index += usize::from(chunk.counts_as_document);
        }
        for root in chunk.roots {
            out.documents.push(Document { index, root });
            index += 1;
        }
        out.problems.append(&mut chunk.problems);
    }
    out
}

fn parse_chunk(chunk: &Chunk<'_>) -> ParsedChunk {
    let mut builder = Builder::new(chunk.first_line);
    let mut problems = Vec::new();
    let mut parser = Parser::new_from_str(chunk.text);
    loop {
        match parser.next_event() {
            None => break,
            Some(Ok((event, span))) => {
                if let Err(problem) = builder.on_event(event, span) {
                    problems.push(problem);
                    break;
                }
            }
            Some(Err(e)) => {
                let m = e.marker();
                problems.push(ParseProblem {
                    pos: builder.pos(m.line(), m.col()),
                    message: format!("invalid YAML: {}", e.info()),
                    fatal: true,
                });
                break;
            }
        }
    }
    problems.append(&mut builder.warnings);
    ParsedChunk {
        counts_as_document: builder.finished_count == 0 && chunk_has_content(chunk.text),
        roots: builder.finished,
        problems,
        left_out: false,
    }
}

fn has_lone_carriage_return(text: &str) -> bool {
    // Vectorised: every input is searched, and nearly none has one.
    if memchr::memchr(b'\r', text.as_bytes()).is_none() {
        return false;
    }
    let bytes = text.as_bytes();
    bytes
        .iter()
        .enumerate()
        .any(|(i, &b)| b == b'\r' && bytes.get(i + 1) != Some(&b'\n'))
}

fn lone_carriage_returns_to_newlines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' && chars.peek() != Some(&'\n') {
            out.push('\n');
        } else {
            out.push(c);
        }
    }
    out
}

fn chunk_has_content(text: &str) -> bool {
    text.lines().any(|l| {
        let t = l.trim();
        !t.is_empty() && !t.starts_with('#') && t != "---" && t != "..."
    })
}

struct Chunk<'a> {
    /// 0-based line of the chunk's first line in the whole text.
    first_line: usize,
    text: &'a str,
}

fn is_marker(line: &str, marker: &str) -> bool {
    line.strip_prefix(marker)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '\r', '\n']))
}

fn is_trivial_line(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.starts_with('#') || line.starts_with('%')
}

/// The lines of `text` with their `\n`, as [`str::split_inclusive`] gives them: every input
/// is cut into documents this way, and the standard iterator's search costs more per (short)
/// line than a plain scan.
fn lines_inclusive(text: &str) -> impl Iterator<Item = &str> {
    let mut start = 0;
    std::iter::from_fn(move || {
        let rest = text.get(start..).filter(|r| !r.is_empty())?;
        let end = rest
            .bytes()
            .position(|b| b == b'\n')
            .map_or(rest.len(), |i| i + 1);
        start += end;
        Some(&rest[..end])
    })
}

/// Cuts a stream before every `---` line and after every `...` line. A chunk holding only
/// comments, blank lines or directives is kept together with the document that follows it.
fn split_documents(text: &str) -> Vec<Chunk<'_>> {
    let mut chunks = Vec::new();
    let mut start = 0usize;
    let mut start_line = 0usize;
    let mut trivial = true;
    let mut offset = 0usize;
    for (line_no, line) in lines_inclusive(text).enumerate() {
        if is_marker(line, "---") && !trivial {
            chunks.push(Chunk {
                first_line: start_line,
                text: &text[start..offset],
            });
            start = offset;
            start_line = line_no;
            trivial = true;
        }
        offset += line.len();
        if is_marker(line, "...") {
            chunks.push(Chunk {
                first_line: start_line,
                text: &text[start..offset],
            });
            start = offset;
            start_line = line_no + 1;
            trivial = true;
        } else if trivial && !is_trivial_line(line) && !is_marker(line, "---") {
            trivial = false;
        } else if is_marker(line, "---") && line.trim_end().len() > 3 {
            // `--- value`: the document starts on the marker's own line.
            trivial = false;
        }
    }
    if start < text.len() {
        chunks.push(Chunk {
            first_line: start_line,
            text: &text[start..],
        });
    }
    chunks
}

enum Frame {
    Seq {
        pos: Pos,
        anchor: usize,
        items: Vec<Node>,
    },
    Map {
        pos: Pos,
        anchor: usize,
        entries: Vec<Entry>,
        pending_key: Option<(Box<str>, Pos)>,
    },
}

/// Builds node trees from parser events, one or more documents per chunk.
struct Builder {
    line_offset: usize,
    stack: Vec<Frame>,
    /// Anchored nodes by anchor id, with their node counts (for the expansion budget).
    anchors: HashMap<usize, (Node, usize)>,
    expanded: usize,
    finished: Vec<Node>,
    finished_count: usize,
    warnings: Vec<ParseProblem>,
}

impl Builder {
    fn new(line_offset: usize) -> Self {
        Builder {
            line_offset,
            stack: Vec::new(),
            anchors: HashMap::new(),
            expanded: 0,
            finished: Vec::new(),
            finished_count: 0,
            warnings: Vec::new(),
        }
    }

    fn pos(&self, line: usize, col: usize) -> Pos {
        Pos {
            line: (line + self.line_offset) as u32,
            col: col as u32 + 1,
        }
    }

    fn span_pos(&self, span: Span) -> Pos {
        self.pos(span.start.line(), span.start.col())
    }

    fn error(pos: Pos, message: impl Into<String>) -> ParseProblem {
        ParseProblem {
            pos,
            message: message.into(),
            fatal: true,
        }
    }

    fn on_event(&mut self, event: Event<'_>, span: Span) -> Result<(), ParseProblem> {
        let pos = self.span_pos(span);
        match event {
            Event::DocumentStart(_) => {
                self.anchors.clear();
                self.expanded = 0;
            }
            Event::Scalar(text, style, anchor, tag) => {
                // Keys keep their text: `y:` or `on:` as keys are names, not booleans.
                if let Some(Frame::Map {
                    pending_key: pending @ None,
                    ..
                }) = self.stack.last_mut()
                    && anchor == 0
                {
                    *pending = Some((Box::from(&*text), pos));
                    return Ok(());
                }
                let tag = tag.map(|t| t.suffix.clone());
                let mut value = resolve_scalar(&text, style, tag.as_deref());
                if matches!(value, Value::Bool(_) | Value::Int(_) | Value::Float(_))
                    && tag.is_none()
                    && self.at_identity_field()
                {
                    value = Value::Str(Box::from(&*text));
                }
                self.push_node(Node { pos, value }, anchor);
            }
            Event::SequenceStart(anchor, _) => {
                self.check_depth(pos)?;
                self.stack.push(Frame::Seq {
                    pos,
                    anchor,
                    items: Vec::new(),
                });
            }
            Event::MappingStart(anchor, _) => {
                self.check_depth(pos)?;
                self.stack.push(Frame::Map {
                    pos,
                    anchor,
                    entries: Vec::new(),
                    pending_key: None,
                });
            }
            Event::SequenceEnd => {
                if let Some(Frame::Seq { pos, anchor, items }) = self.stack.pop() {
                    self.push_node(
                        Node {
                            pos,
                            value: Value::Seq(items),
                        },
                        anchor,
                    );
                }
            }
            Event::MappingEnd => {
                if let Some(Frame::Map {
                    pos,
                    anchor,
                    entries,
                    ..
                }) = self.stack.pop()
                {
                    let entries = self.finish_mapping(entries);
                    self.push_node(
                        Node {
                            pos,
                            value: Value::Map(entries),
                        },
                        anchor,
                    );
                }
            }
            Event::Alias(id) => {
                let Some((node, count)) = self.anchors.get(&id) else {
                    return Err(Self::error(pos, "alias refers to an unknown anchor"));
                };
                self.expanded += count;
                if self.expanded > MAX_ALIAS_EXPANSION {
                    return Err(Self::error(
                        pos,
                        format!(
                            "aliases expand to more than {MAX_ALIAS_EXPANSION} nodes \
                             (possible alias bomb); document skipped"
                        ),
                    ));
                }
                let mut node = node.clone();
                node.pos = pos;
                self.push_node(node, 0);
            }
            Event::DocumentEnd | Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
        }
        Ok(())
    }

    /// Whether the scalar about to be pushed fills an identity field (see [`is_identity_path`]).
    fn at_identity_field(&self) -> bool {
        let keys: Vec<Option<&str>> = self
            .stack
            .iter()
            .map(|frame| match frame {
                Frame::Map {
                    pending_key: Some((key, _)),
                    ..
                } => Some(&**key),
                _ => None,
            })
            .collect();
        is_identity_path(&keys)
    }

    fn check_depth(&self, pos: Pos) -> Result<(), ParseProblem> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(Self::error(
                pos,
                format!("nesting deeper than {MAX_DEPTH} levels; document skipped"),
            ));
        }
        Ok(())
    }

    fn push_node(&mut self, node: Node, anchor: usize) {
        if anchor != 0 {
            let count = count_nodes(&node);
            self.anchors.insert(anchor, (node.clone(), count));
        }
        match self.stack.last_mut() {
            None => {
                self.finished.push(node);
                self.finished_count += 1;
            }
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries,
                pending_key,
                ..
            }) => match pending_key.take() {
                None => {
                    let key: Box<str> = match &node.value {
                        Value::Str(s) => s.clone(),
                        Value::Null => "".into(),
                        Value::Seq(_) | Value::Map(_) => {
                            let pos = node.pos;
                            self.warnings.push(ParseProblem {
                                pos,
                                message: "complex mapping key is not supported by Kubernetes"
                                    .into(),
                                fatal: false,
                            });
                            "<complex key>".into()
                        }
                        _ => node.scalar_text().unwrap_or_default().into(),
                    };
                    *pending_key = Some((key, node.pos));
                }
                Some((key, key_pos)) => entries.push(Entry {
                    key,
                    key_pos,
                    value: node,
                }),
            },
        }
    }

    /// Applies merge keys and reports duplicate keys (the last one wins, as in Kubernetes'
    /// non-strict decoding).
    fn finish_mapping(&mut self, entries: Vec<Entry>) -> Vec<Entry> {
        let has_merge = entries.iter().any(|e| &*e.key == "<<");
        // The common case, a small mapping without merges or duplicates, keeps its vector.
        if !has_merge
            && entries.len() <= 16
            && !entries
                .iter()
                .enumerate()
                .any(|(i, e)| entries[..i].iter().any(|earlier| earlier.key == e.key))
        {
            // Growth by doubling leaves spare room; trees live until the report is written.
            let mut entries = entries;
            entries.shrink_to_fit();
            return entries;
        }
        let mut out: Vec<Entry> = Vec::with_capacity(entries.len());
        let mut index: HashMap<Box<str>, usize> = HashMap::new();
        let small = entries.len() <= 16;
        let mut merged: Vec<Entry> = Vec::new();
        for entry in entries {
            if has_merge && &*entry.key == "<<" {
                match entry.value.value {
                    Value::Map(m) => merged.extend(m),
                    Value::Seq(items) => {
                        for item in items {
                            if let Value::Map(m) = item.value {
                                merged.extend(m);
                            }
                        }
                    }
                    _ => {}
                }
                continue;
            }
            let existing = if small {
                out.iter().position(|e| e.key == entry.key)
            } else {
                index.get(&entry.key).copied()
            };
            if let Some(i) = existing {
                self.warnings.push(ParseProblem {
                    pos: entry.key_pos,
                    message: format!(
                        "duplicate key `{}` (first at line {}); the last value is used",
                        entry.key, out[i].key_pos.line
                    ),
                    fatal: false,
                });
                out[i] = entry;
            } else {
                if !small {
                    index.insert(entry.key.clone(), out.len());
                }
                out.push(entry);
            }
        }
        // Merged entries never override keys written in the mapping itself; the first merged
        // source wins over later ones.
        for entry in merged {
            if !out.iter().any(|e| e.key == entry.key) {
                out.push(entry);
            }
        }
        out
    }
}

/// Whether a scalar at `keys` (mapping keys from the root; `None` for a sequence item) is an
/// object's kind, apiVersion, name, generateName, namespace, or a label or annotation value,
/// of the document or of an item of a List. Those fields are strings in Kubernetes, and its
/// decoder keeps a plain scalar's text when the field it fills is a string: `namespace: n` is
/// the namespace `n`, not `false`.
fn is_identity_path(keys: &[Option<&str>]) -> bool {
    let keys = match keys {
        [Some("items"), None, rest @ ..] if !rest.is_empty() => rest,
        _ => keys,
    };
    match keys {
        [Some(field)] => matches!(*field, "kind" | "apiVersion"),
        [Some("metadata"), Some(field)] => {
            matches!(*field, "name" | "generateName" | "namespace")
        }
        [Some("metadata"), Some("labels" | "annotations"), Some(_)] => true,
        _ => false,
    }
}

fn count_nodes(node: &Node) -> usize {
    let mut count = 0;
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        count += 1;
        match &n.value {
            Value::Seq(items) => stack.extend(items),
            Value::Map(entries) => stack.extend(entries.iter().map(|e| &e.value)),
            _ => {}
        }
    }
    count
}

/// Resolves a scalar's type the way Kubernetes' YAML decoder does (YAML 1.1 booleans included).
fn resolve_scalar(text: &str, style: ScalarStyle, tag: Option<&str>) -> Value {
    match tag {
        Some("null") => return Value::Null,
        Some("bool" | "int" | "float") | None => {}
        Some(_) => return Value::Str(text.into()),
    }
    if style != ScalarStyle::Plain && tag.is_none() {
        return Value::Str(text.into());
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "y" | "Y" => {
            return Value::Bool(true);
        }
        "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "n" | "N" => {
            return Value::Bool(false);
        }
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Value::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        _ => {}
    }
    if let Some(i) = parse_int(text) {
        return Value::Int(i);
    }
    if looks_like_float(text)
        && let Ok(f) = text.parse::<f64>()
    {
        return Value::Float(f);
    }
    Value::Str(text.into())
}

fn parse_int(text: &str) -> Option<i64> {
    let (neg, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let magnitude = if let Some(hex) = digits.strip_prefix("0x") {
        i64::from_str_radix(hex, 16).ok()?
    } else if let Some(oct) = digits.strip_prefix("0o") {
        i64::from_str_radix(oct, 8).ok()?
    } else if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        digits.parse::<i64>().ok()?
    } else {
        return None;
    };
    Some(if neg { -magnitude } else { magnitude })
}

fn looks_like_float(text: &str) -> bool {
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let mantissa_ok = {
        let mut parts = mantissa.splitn(2, '.');
        let int = parts.next().unwrap_or("");
        let frac = parts.next();
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        match frac {
            Some(f) => digits(int) && digits(f) && !(int.is_empty() && f.is_empty()),
            None => !int.is_empty() && digits(int) && exponent.is_some(),
        }
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit())
    });
    mantissa_ok && exponent_ok
}

/// A fast path for a stream that is exactly one JSON value, such as a `kubectl get -o json`
/// dump: JSON is read directly into the same tree, positions and warnings the YAML parser
/// gives, several times faster. Anything it is not sure to read exactly as the YAML parser
/// would (syntax errors, tabs, surrogate escapes, too deep nesting, more than one value) makes
/// it give up, and the stream goes through the YAML parser, which reports the problem.
mod json {
    use super::{Builder, Entry, MAX_DEPTH, Node, Pos, Value, is_identity_path, resolve_scalar};
    use saphyr_parser::ScalarStyle;

    struct Reader<'a> {
        text: &'a str,
        bytes: &'a [u8],
        at: usize,
        line: u32,
        line_start: usize,
        /// UTF-8 continuation bytes since `line_start`, so columns count characters.
        continuation: usize,
        /// Keys from the root to the value being read (`None` for sequence items), as written;
        /// keys with escapes make the reader give up.
        keys: Vec<Option<&'a str>>,
    }

    /// The root node of `text` if it is one JSON value and nothing else.
    pub(super) fn parse(text: &str, builder: &mut Builder) -> Option<Node> {
        let mut reader = Reader {
            text,
            bytes: text.as_bytes(),
            at: 0,
            line: 1,
            line_start: 0,
            continuation: 0,
            keys: Vec::new(),
        };
        let root = reader.value(builder, 0)?;
        reader.skip_space()?;
        (reader.at == reader.bytes.len()).then_some(root)
    }

    impl<'a> Reader<'a> {
        fn pos(&self) -> Pos {
            Pos {
                line: self.line,
                col: (self.at - self.line_start - self.continuation + 1) as u32,
            }
        }

        /// Skips spaces and line breaks; gives up on tabs, which YAML treats specially.
        fn skip_space(&mut self) -> Option<()> {
            while let Some(&b) = self.bytes.get(self.at) {
                match b {
                    b' ' | b'\r' => self.at += 1,
                    b'\n' => {
                        self.at += 1;
                        self.line += 1;
                        self.line_start = self.at;
                        self.continuation = 0;
                    }
                    b'\t' => return None,
                    _ => break,
                }
            }
            Some(())
        }

        fn value(&mut self, builder: &mut Builder, depth: usize) -> Option<Node> {
            self.skip_space()?;
            let pos = self.pos();
            match *self.bytes.get(self.at)? {
                b'{' => self.mapping(builder, depth, pos),
                b'[' => {
                    if depth >= MAX_DEPTH {
                        return None;
                    }
                    self.at += 1;
                    let mut items = Vec::new();
                    self.skip_space()?;
                    if self.bytes.get(self.at) == Some(&b']') {
                        self.at += 1;
                    } else {
                        self.keys.push(None);
                        loop {
                            items.push(self.value(builder, depth + 1)?);
                            self.skip_space()?;
                            match self.bytes.get(self.at)? {
                                b',' => self.at += 1,
                                b']' => {
                                    self.at += 1;
                                    break;
                                }
                                _ => return None,
                            }
                        }
                        self.keys.pop();
                    }
                    Some(Node {
                        pos,
                        value: Value::Seq(items),
                    })
                }
                b'"' => {
                    let (text, _) = self.string()?;
                    Some(Node {
                        pos,
                        value: Value::Str(text),
                    })
                }
                _ => {
                    let start = self.at;
                    while self.bytes.get(self.at).is_some_and(|b| {
                        b.is_ascii_alphanumeric() || matches!(b, b'-' | b'+' | b'.')
                    }) {
                        self.at += 1;
                    }
                    let word = &self.text[start..self.at];
                    if !(matches!(word, "true" | "false" | "null") || is_json_number(word)) {
                        return None;
                    }
                    let mut value = resolve_scalar(word, ScalarStyle::Plain, None);
                    if !matches!(value, Value::Null) && is_identity_path(&self.keys) {
                        value = Value::Str(word.into());
                    }
                    Some(Node { pos, value })
                }
            }
        }

        fn mapping(&mut self, builder: &mut Builder, depth: usize, pos: Pos) -> Option<Node> {
            if depth >= MAX_DEPTH {
                return None;
            }
            self.at += 1;
            let mut entries = Vec::new();
            self.skip_space()?;
            if self.bytes.get(self.at) == Some(&b'}') {
                self.at += 1;
            } else {
                loop {
                    self.skip_space()?;
                    let key_pos = self.pos();
                    let (key, raw) = self.string()?;
                    self.skip_space()?;
                    if self.bytes.get(self.at) != Some(&b':') {
                        return None;
                    }
                    self.at += 1;
                    self.keys.push(Some(raw?));
                    let value = self.value(builder, depth + 1)?;
                    self.keys.pop();
                    entries.push(Entry {
                        key,
                        key_pos,
                        value,
                    });
                    self.skip_space()?;
                    match self.bytes.get(self.at)? {
                        b',' => self.at += 1,
                        b'}' => {
                            self.at += 1;
                            break;
                        }
                        _ => return None,
                    }
                }
            }
            Some(Node {
                pos,
                value: Value::Map(builder.finish_mapping(entries)),
            })
        }

        /// A string at the reader (which must be at its opening quote): its value, and its
        /// text as written when it has no escapes.
        fn string(&mut self) -> Option<(Box<str>, Option<&'a str>)> {
            if self.bytes.get(self.at) != Some(&b'"') {
                return None;
            }
            self.at += 1;
            let start = self.at;
            let mut decoded: Option<String> = None;
            let mut plain_from = start;
            loop {
                let b = *self.bytes.get(self.at)?;
                match b {
                    b'"' => {
                        let tail = &self.text[plain_from..self.at];
                        self.at += 1;
                        return Some(match decoded {
                            None => (tail.into(), Some(tail)),
                            Some(mut text) => {
                                text.push_str(tail);
                                (text.into_boxed_str(), None)
                            }
                        });
                    }
                    b'\\' => {
                        let text = decoded.get_or_insert_with(String::new);
                        text.push_str(&self.text[plain_from..self.at]);
                        let escape = *self.bytes.get(self.at + 1)?;
                        self.at += 2;
                        text.push(match escape {
                            b'"' => '"',
                            b'\\' => '\\',
                            b'/' => '/',
                            b'b' => '\u{8}',
                            b'f' => '\u{c}',
                            b'n' => '\n',
                            b'r' => '\r',
                            b't' => '\t',
                            b'u' => {
                                let hex = self.text.get(self.at..self.at + 4)?;
                                let code = u32::from_str_radix(hex, 16).ok()?;
                                self.at += 4;
                                // Surrogate pairs are left to the YAML parser.
                                char::from_u32(code)?
                            }
                            _ => return None,
                        });
                        plain_from = self.at;
                    }
                    0..=0x1f => return None,
                    _ => {
                        if b & 0xC0 == 0x80 {
                            self.continuation += 1;
                        }
                        self.at += 1;
                    }
                }
            }
        }
    }

    /// JSON's number grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    fn is_json_number(word: &str) -> bool {
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let body = word.strip_prefix('-').unwrap_or(word);
        let (mantissa, exponent) = match body.find(['e', 'E']) {
            Some(i) => (&body[..i], Some(&body[i + 1..])),
            None => (body, None),
        };
        let (int, frac) = match mantissa.split_once('.') {
            Some((int, frac)) => (int, Some(frac)),
            None => (mantissa, None),
        };
        digits(int)
            && (int == "0" || !int.starts_with('0'))
            && frac.is_none_or(digits)
            && exponent.is_none_or(|e| digits(e.strip_prefix(['+', '-']).unwrap_or(e)))
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use super::*;

    fn one(text: &str) -> Node {
        let parsed = parse_stream(text);
        assert!(
            parsed.problems.iter().all(|p| !p.fatal),
            "{:?}",
            parsed.problems
        );
        parsed.documents.into_iter().next().unwrap().root
    }

    #[test]
    fn keeps_positions_of_nested_fields() {
        let root = one("a:\n  b:\n    - c: 1\n      d: yes\n");
        let item = &root.path(&["a", "b"]).unwrap().items()[0];
        assert_eq!(item.pos, Pos::new(3, 7));
        assert_eq!(item.entry("d").unwrap().key_pos, Pos::new(4, 7));
        assert_eq!(item.get("d").unwrap().as_bool(), Some(true));
    }

    #[test]
    fn documents_after_a_broken_one_are_still_read_with_true_lines() {
        let parsed = parse_stream("a: 1\n---\nb: [1, 2\n---\nc: 3\n");
        assert_eq!(parsed.documents.len(), 2);
        assert_eq!(parsed.documents[1].index, 2);
        assert_eq!(
            parsed.documents[1].root.entries()[0].key_pos,
            Pos::new(5, 1)
        );
        assert_eq!(parsed.problems.len(), 1);
        assert!(parsed.problems[0].pos.line >= 3);
    }

    #[test]
    fn json_is_read_with_positions() {
        let root = one("{\n  \"kind\": \"Pod\",\n  \"spec\": {\"x\": [1, 2.5, true, null]}\n}");
        assert_eq!(root.get("kind").unwrap().as_str(), Some("Pod"));
        assert_eq!(root.entry("spec").unwrap().key_pos.line, 3);
        let x = root.path(&["spec", "x"]).unwrap().items();
        assert_eq!(x[1].value, Value::Float(2.5));
    }

    #[test]
    fn quoted_scalars_stay_strings() {
        let root = one("a: \"true\"\nb: '1'\nc: 1.10\nd: 0x1F\ne: 1e3\nf: 1.2.3\n");
        assert_eq!(root.get("a").unwrap().as_str(), Some("true"));
        assert_eq!(root.get("b").unwrap().as_str(), Some("1"));
        assert_eq!(root.get("d").unwrap().as_i64(), Some(31));
        assert_eq!(root.get("e").unwrap().value, Value::Float(1000.0));
        assert_eq!(root.get("f").unwrap().as_str(), Some("1.2.3"));
    }

    #[test]
    fn identity_fields_keep_the_text_of_plain_scalars() {
        let root = one(
            "apiVersion: 1.0\nkind: yes\nmetadata:\n  name: on\n  namespace: n\n  \
             labels: {tier: 010, flag: off}\n  annotations:\n    rev: 1.50\n  uid: yes\nspec:\n  \
             enabled: yes\n  namespace: n\n",
        );
        let text = |path: &[&str]| root.path(path).and_then(Node::as_str).map(str::to_string);
        assert_eq!(text(&["apiVersion"]).as_deref(), Some("1.0"));
        assert_eq!(text(&["kind"]).as_deref(), Some("yes"));
        assert_eq!(text(&["metadata", "name"]).as_deref(), Some("on"));
        assert_eq!(text(&["metadata", "namespace"]).as_deref(), Some("n"));
        assert_eq!(
            text(&["metadata", "labels", "tier"]).as_deref(),
            Some("010")
        );
        assert_eq!(
            text(&["metadata", "labels", "flag"]).as_deref(),
            Some("off")
        );
        assert_eq!(
            text(&["metadata", "annotations", "rev"]).as_deref(),
            Some("1.50")
        );
        // Other fields resolve as before.
        assert_eq!(
            root.path(&["metadata", "uid"]).unwrap().as_bool(),
            Some(true)
        );
        assert_eq!(
            root.path(&["spec", "enabled"]).unwrap().as_bool(),
            Some(true)
        );
        assert_eq!(
            root.path(&["spec", "namespace"]).unwrap().as_bool(),
            Some(false)
        );
        // Null stays null; an explicit tag is obeyed.
        let root = one("metadata:\n  namespace: ~\n  name: !!bool yes\n");
        assert!(root.path(&["metadata", "namespace"]).unwrap().is_null());
        assert_eq!(
            root.path(&["metadata", "name"]).unwrap().as_bool(),
            Some(true)
        );
        // List items are objects too.
        let root = one("kind: List\nitems:\n- kind: Pod\n  metadata: {name: y, namespace: off}\n");
        let item = &root.get("items").unwrap().items()[0];
        assert_eq!(
            item.path(&["metadata", "name"]).and_then(Node::as_str),
            Some("y")
        );
        assert_eq!(
            item.path(&["metadata", "namespace"]).and_then(Node::as_str),
            Some("off")
        );
    }

    /// The JSON fast path and the YAML parser give the same trees, positions and warnings.
    fn assert_json_path_agrees(text: &str) {
        let mut builder = Builder::new(0);
        let fast = json::parse(text, &mut builder).expect("fast path reads it");
        let slow = parse_chunks(text, |_| true);
        assert_eq!(slow.documents.len(), 1, "{text}");
        assert_eq!(fast, slow.documents[0].root, "{text}");
        assert_eq!(builder.warnings, slow.problems, "{text}");
    }

    #[test]
    fn json_fast_path_agrees_with_the_yaml_parser() {
        for text in [
            "{}",
            "[]",
            "  {\"a\": 1}\n",
            "{\"a\": [1, -2.5, 1e3, 0, -0, true, false, null, \"x\"], \"b\": {}, \"c\": []}",
            "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"List\",\n  \"items\": [\n    {\"kind\": \"Pod\", \"metadata\": {\"name\": true, \"namespace\": 10, \"labels\": {\"a\": 1.50}}}\n  ]\n}\n",
            "{\"kind\": 12, \"apiVersion\": false, \"metadata\": {\"uid\": 7, \"annotations\": {\"x\": null}}}",
            "{\"é\": \"ünï\", \"k\": \"a\\\"b\\\\c\\n\\u00e9\\/\", \"z\": [\"日本\", {\"y\": \"on\"}]}",
            "{\"dup\": 1, \"dup\": 2, \"<<\": {\"m\": 3}}",
            "{\"big\": 123456789012345678901234567890, \"neg\": -1.5E-3}",
            "\r\n{\"a\":\r\n [1,\r\n 2]}\r\n",
        ] {
            assert_json_path_agrees(text);
        }
    }

    #[test]
    fn json_fast_path_agrees_on_the_corpora() {
        let root = std::env::var_os("PALISADE_CORPORA").map_or_else(
            || std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora"),
            std::path::PathBuf::from,
        );
        if !root.is_dir() {
            assert!(
                std::env::var_os("PALISADE_REQUIRE_CORPORA").is_none(),
                "corpus not found at {}",
                root.display()
            );
            #[allow(clippy::print_stdout)]
            {
                println!("skipped: corpus not found at {}", root.display());
            }
            return;
        }
        let mut stack = vec![root];
        let mut compared = 0;
        while let Some(dir) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "json")
                    && let Ok(text) = std::fs::read_to_string(&path)
                    && json::parse(&text, &mut Builder::new(0)).is_some()
                {
                    assert_json_path_agrees(&text);
                    compared += 1;
                }
            }
        }
        assert!(compared > 0, "no JSON file in the corpora");
    }

    #[test]
    fn json_fast_path_gives_up_on_what_it_cannot_read_exactly() {
        for text in [
            "{\"a\": 1} {\"b\": 2}",
            "{\"a\":\t1}",
            "{\"a\": \"\\ud83d\\ude00\"}",
            "{\"a\": 01}",
            "{\"a\": .5}",
            "{\"a\": 1,}",
            "{a: 1}",
            "{\"a\": \"x\ny\"}",
            "{\"k\\u0069nd\": 1}",
        ] {
            assert!(json::parse(text, &mut Builder::new(0)).is_none(), "{text}");
        }
        let deep = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
        assert!(json::parse(&deep, &mut Builder::new(0)).is_none());
        assert!(parse_stream(&deep).problems.iter().any(|p| p.fatal));
    }

    #[test]
    fn merge_keys_and_duplicate_keys() {
        let parsed = parse_stream("base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\n  y: 4\n");
        let root = &parsed.documents[0].root;
        let m = root.get("m").unwrap();
        assert_eq!(m.get("x").unwrap().as_i64(), Some(1));
        assert_eq!(m.get("y").unwrap().as_i64(), Some(4));
        assert_eq!(parsed.problems.len(), 1);
        assert!(!parsed.problems[0].fatal);
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..9 {
            let prev = i - 1;
            let refs = vec![format!("*a{prev}"); 10].join(", ");
            writeln!(text, "a{i}: &a{i} [{refs}]").unwrap();
        }
        let parsed = parse_stream(&text);
        assert!(parsed.documents.is_empty());
        assert!(parsed.problems[0].message.contains("alias bomb"));
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = "[".repeat(100_000);
        let parsed = parse_stream(&text);
        assert!(parsed.documents.is_empty());
        assert!(parsed.problems[0].fatal);
    }

    #[test]
    fn directives_and_comments_stay_with_their_document() {
        let parsed = parse_stream("# header\n%YAML 1.2\n---\na: 1\n...\n---\nb: 2\n");
        assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
        assert_eq!(parsed.documents.len(), 2);
        assert_eq!(parsed.documents[1].root.entries()[0].key_pos.line, 7);
    }
}
