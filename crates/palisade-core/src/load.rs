//! Turning one input text into objects and diagnostics.
//!
//! The caller reads files (palisade-io); this module only sees text and a display name, so that
//! every input path (files, stdin, archives later) shares one behaviour for bad input.

use std::sync::Arc;

use serde::Serialize;

use crate::document::parse_stream_where;
use crate::object::{Object, objects_from_document};

/// How serious an input problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Something questionable that was still read.
    Warning,
    /// Input that could not be read (a document, a file).
    Error,
}

/// A problem with the input, located in its file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// The file's display name.
    pub file: Arc<str>,
    /// 1-based line (0 when the problem concerns the whole file).
    pub line: u32,
    /// 1-based column (0 when unknown).
    pub column: u32,
    /// Error or warning.
    pub level: Level,
    /// What is wrong, in lower case.
    pub message: String,
}

impl Diagnostic {
    /// A problem with a whole file.
    pub fn file_error(file: &Arc<str>, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.clone(),
            line: 0,
            column: 0,
            level: Level::Error,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let level = match self.level {
            Level::Error => "error",
            Level::Warning => "warning",
        };
        match (self.line, self.column) {
            (0, _) => write!(f, "{}: {level}: {}", self.file, self.message),
            (line, 0) => write!(f, "{}:{line}: {level}: {}", self.file, self.message),
            (line, col) => write!(f, "{}:{line}:{col}: {level}: {}", self.file, self.message),
        }
    }
}

/// What one input held.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Kubernetes objects.
    pub objects: Vec<Object>,
    /// Documents that parsed.
    pub documents: usize,
    /// Documents or List items that are not Kubernetes objects.
    pub skipped: usize,
    /// Problems, in file order.
    pub diagnostics: Vec<Diagnostic>,
    /// Documents not read because their kind is not among the kinds asked for (see
    /// [`load_bytes_of_kinds`]); they are not counted in `documents`.
    pub left_out: usize,
}

/// The kind a document certainly has, read from its text without parsing it: the value of
/// its one `kind:` line at the start of a line, when that value is a plain or quoted word.
/// `None` whenever that is not certain (no such line or more than one, a quoted or complex
/// `kind` key, a value on the next line, an alias, a tag): the document must then be parsed.
///
/// The line found is the top-level key: YAML requires every line inside a nested node or a
/// block scalar to be indented, and a document whose top-level mapping is itself indented,
/// or written in flow style or JSON, has no such line at all.
pub fn sniff_kind(document: &str) -> Option<&str> {
    sniff_head(document).kind
}

/// The namespace a document's object certainly has, read from its text without parsing it:
/// `Some(Some(ns))` when its block `metadata:` mapping has one plain `namespace:` line,
/// `Some(None)` when it certainly has none, and `None` when that is not certain (flow style,
/// merge keys, quoted or complex keys, unusual indentation, a value that is not a plain name).
/// Meant for documents whose kind [`sniff_kind`] read; alone it proves nothing.
pub fn sniff_namespace(document: &str) -> Option<Option<&str>> {
    sniff_head(document).namespace
}

/// The name a document's object certainly has, read from its text without parsing it, with
/// the answers and the caution of [`sniff_namespace`].
pub fn sniff_name(document: &str) -> Option<Option<&str>> {
    sniff_head(document).name
}

/// What [`sniff_head`] reads of a document: its kind as [`sniff_kind`] gives it, and its
/// namespace and name as [`sniff_namespace`] and [`sniff_name`] give them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Head<'a> {
    /// The kind, when certain.
    pub kind: Option<&'a str>,
    /// The namespace: `Some(None)` when there is certainly none, `None` when not certain.
    pub namespace: Option<Option<&'a str>>,
    /// The name, like the namespace.
    pub name: Option<Option<&'a str>>,
}

/// The top-level block `metadata:` mapping while it is being read.
struct MetadataBlock<'a> {
    /// Indentation of its keys, from the first one.
    child_indent: Option<usize>,
    namespace: Option<&'a str>,
    name: Option<&'a str>,
}

/// Kind, namespace and name of a document in one pass over its lines: commands that filter
/// documents before parsing them read every document of the input this way.
pub fn sniff_head(document: &str) -> Head<'_> {
    let mut kind: Option<Option<&str>> = Some(None);
    // `Some(None)`: no `metadata:` line yet; `None`: not certain.
    let mut metadata: Option<Option<(Option<&str>, Option<&str>)>> = Some(None);
    let mut block: Option<MetadataBlock<'_>> = None;
    let mut lines = fast_lines(document);
    loop {
        // Most lines are indented, and outside `metadata:` they cannot change the answer.
        if block.is_none() {
            lines.skip_indented();
        }
        let Some(line) = lines.next() else {
            break;
        };
        if let Some(open) = &mut block {
            match metadata_line(open, line) {
                MetadataLine::Inside => continue,
                MetadataLine::Unsure => {
                    metadata = None;
                    block = None;
                }
                MetadataLine::After => {
                    metadata = Some(Some((open.namespace, open.name)));
                    block = None;
                }
            }
        }
        if line.starts_with(['"', '\'', '?', '{', '[', '&', '*', '!']) {
            // A quoted or complex key, or a node that is not a block mapping.
            kind = None;
            metadata = None;
        } else if line.starts_with('<') {
            metadata = None; // a merge key may bring metadata in
        } else if let Some(rest) = line.strip_prefix("kind") {
            if let Some(value) = rest.strip_prefix(':') {
                kind = kind.and_then(|found| match found {
                    None => kind_value(value).map(Some),
                    Some(_) => None,
                });
            } else if rest.starts_with([' ', '\t']) {
                kind = None; // `kind :`
            }
        } else if let Some(rest) = line.strip_prefix("metadata") {
            if let Some(value) = rest.strip_prefix(':') {
                if metadata == Some(None) && without_comment(value).is_empty() {
                    block = Some(MetadataBlock {
                        child_indent: None,
                        namespace: None,
                        name: None,
                    });
                } else {
                    metadata = None;
                }
            } else if rest.starts_with([' ', '\t']) {
                metadata = None;
            }
        }
    }
    if let Some(open) = block {
        metadata = Some(Some((open.namespace, open.name)));
    }
    let (namespace, name) = match metadata {
        None => (None, None),
        Some(None) => (Some(None), Some(None)),
        Some(Some((namespace, name))) => (Some(namespace), Some(name)),
    };
    Head {
        kind: kind.flatten(),
        namespace,
        name,
    }
}

/// What one line means to an open `metadata:` block.
enum MetadataLine {
    /// Part of the block (or blank, or a comment).
    Inside,
    /// Not certain: the block's namespace and name are unknown.
    Unsure,
    /// Back at the top level: the block ended before this line.
    After,
}

fn metadata_line<'a>(open: &mut MetadataBlock<'a>, line: &'a str) -> MetadataLine {
    let content = line.trim_start_matches(' ');
    if content.trim().is_empty() || content.starts_with('#') {
        return MetadataLine::Inside;
    }
    let indent = line.len() - content.len();
    if indent == 0 {
        return MetadataLine::After;
    }
    let child = *open.child_indent.get_or_insert(indent);
    if indent < child || content.starts_with('\t') {
        return MetadataLine::Unsure;
    }
    if indent > child {
        return MetadataLine::Inside;
    }
    if !content.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return MetadataLine::Unsure;
    }
    for (field, slot) in [("namespace", &mut open.namespace), ("name", &mut open.name)] {
        if let Some(after) = content.strip_prefix(field) {
            if let Some(value) = after.strip_prefix(':') {
                if slot.is_some() {
                    return MetadataLine::Unsure;
                }
                match plain_name(value) {
                    Some(v) => *slot = Some(v),
                    None => return MetadataLine::Unsure,
                }
            } else if after.starts_with([' ', '\t']) {
                return MetadataLine::Unsure;
            }
        }
    }
    MetadataLine::Inside
}

/// The value of a top-level `kind:` line when it is certainly a plain or quoted word.
fn kind_value(value: &str) -> Option<&str> {
    if !(value.is_empty() || value.starts_with([' ', '\t'])) {
        return None;
    }
    let value = without_comment(value);
    let unquoted = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
        .unwrap_or(value);
    (!unquoted.is_empty() && unquoted.bytes().all(|b| b.is_ascii_alphanumeric()))
        .then_some(unquoted)
}

/// The lines of `text` as [`str::lines`] gives them. Documents are read this way before most
/// of them are left out: the standard iterator's search costs more per (short) line than a
/// plain scan, and [`FastLines::skip_indented`] passes over lines without cutting them out.
fn fast_lines(text: &str) -> FastLines<'_> {
    FastLines { text, start: 0 }
}

/// The iterator of [`fast_lines`].
struct FastLines<'a> {
    text: &'a str,
    /// Where the next line starts.
    start: usize,
}

impl FastLines<'_> {
    /// Passes over the lines that start with a space.
    fn skip_indented(&mut self) {
        let bytes = self.text.as_bytes();
        while bytes.get(self.start) == Some(&b' ') {
            self.start += line_length(&bytes[self.start..]) + 1;
        }
    }
}

impl<'a> Iterator for FastLines<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let rest = self.text.get(self.start..).filter(|r| !r.is_empty())?;
        let end = line_length(rest.as_bytes());
        // Past the `\n`, or past the end of the text for a last line without one.
        self.start += end + 1;
        let line = &rest[..end];
        Some(line.strip_suffix('\r').unwrap_or(line))
    }
}

/// Bytes before the first `\n` (all of them without one). A plain scan: lines are short.
fn line_length(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(bytes.len())
}

/// A scalar value's text before a comment, trimmed.
fn without_comment(value: &str) -> &str {
    // A byte search: a substring searcher costs more to set up than these short values.
    let end = value
        .as_bytes()
        .windows(2)
        .position(|pair| pair == b" #")
        .unwrap_or(value.len());
    value[..end].trim()
}

/// A one-word string value as written (quotes removed), or `None` when it is not simply a
/// word of letters, digits, `-` and `.`, or when unquoted it may read as something other than
/// that string: `null`, a YAML 1.1 boolean such as `on`, or a number (`0x1f` reads as 31).
fn plain_name(value: &str) -> Option<&str> {
    if !(value.is_empty() || value.starts_with([' ', '\t'])) {
        return None;
    }
    let value = without_comment(value);
    let quoted = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')));
    let unquoted = quoted.unwrap_or(value);
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'.';
    if unquoted.is_empty() || !unquoted.bytes().all(word) {
        return None;
    }
    let surely_a_string = quoted.is_some()
        || (unquoted.starts_with(|c: char| c.is_ascii_alphabetic())
            && !NOT_STRINGS_WHEN_PLAIN
                .iter()
                .any(|w| unquoted.eq_ignore_ascii_case(w)));
    surely_a_string.then_some(unquoted)
}

/// Plain words starting with a letter that a YAML reader may take for null, a boolean or a
/// float rather than a string.
const NOT_STRINGS_WHEN_PLAIN: &[&str] = &[
    "null", "true", "false", "yes", "no", "on", "off", "y", "n", "inf", "infinity", "nan",
];

/// Parses one input's text into objects; never fails, problems become diagnostics.
pub fn load_text(file: &Arc<str>, text: &str) -> Loaded {
    load_text_where(file, text, &|_| true)
}

/// [`load_text`] that builds only the documents that may hold an object of one of `kinds`
/// (all documents when `None`). A document whose kind [`sniff_kind`] reads with certainty and
/// that is neither one of `kinds` nor a List is left out unparsed: commands that use a few
/// kinds skip the cost of building trees for the rest. Left-out documents are not checked for
/// syntax errors.
pub fn load_text_of_kinds(file: &Arc<str>, text: &str, kinds: Option<&[&str]>) -> Loaded {
    load_text_where(file, text, &|document| may_be_of_kinds(document, kinds))
}

/// Whether `document` may hold an object of one of `kinds` (always, when `kinds` is `None`):
/// its kind is one of them, a List, or not certain.
pub fn may_be_of_kinds(document: &str, kinds: Option<&[&str]>) -> bool {
    let Some(kinds) = kinds else {
        return true;
    };
    sniff_kind(document).is_none_or(|kind| kinds.contains(&kind) || kind.ends_with("List"))
}

/// [`load_text`] that builds only the documents whose text `wanted` accepts; the others are
/// counted in [`Loaded::left_out`] and not checked for syntax errors. `wanted` must accept
/// every document it is not sure about (see [`sniff_kind`] and [`sniff_namespace`]).
pub fn load_text_where(
    file: &Arc<str>,
    text: &str,
    wanted: &(dyn Fn(&str) -> bool + Sync),
) -> Loaded {
    let parsed = parse_stream_where(text, wanted);
    let mut out = Loaded {
        documents: parsed.documents.len(),
        left_out: parsed.left_out,
        ..Loaded::default()
    };
    for problem in parsed.problems {
        out.diagnostics.push(Diagnostic {
            file: file.clone(),
            line: problem.pos.line,
            column: problem.pos.col,
            level: if problem.fatal {
                Level::Error
            } else {
                Level::Warning
            },
            message: problem.message,
        });
    }
    for doc in parsed.documents {
        let extracted = objects_from_document(file, doc);
        out.objects.extend(extracted.objects);
        out.skipped += extracted.skipped;
    }
    out
}

/// Parses raw bytes: refuses binary and non-UTF-8 input with a located error, then
/// [`load_text`]. A UTF-8 byte-order mark is accepted.
pub fn load_bytes(file: &Arc<str>, bytes: &[u8]) -> Loaded {
    load_bytes_of_kinds(file, bytes, None)
}

/// [`load_bytes`] that builds only documents that may hold one of `kinds`; see
/// [`load_text_of_kinds`].
pub fn load_bytes_of_kinds(file: &Arc<str>, bytes: &[u8], kinds: Option<&[&str]>) -> Loaded {
    load_bytes_where(file, bytes, &|document| may_be_of_kinds(document, kinds))
}

/// [`load_bytes`] that builds only the documents whose text `wanted` accepts; see
/// [`load_text_where`].
pub fn load_bytes_where(
    file: &Arc<str>,
    bytes: &[u8],
    wanted: &(dyn Fn(&str) -> bool + Sync),
) -> Loaded {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Some(at) = bytes.iter().position(|&b| b == 0) {
        return Loaded {
            diagnostics: vec![located_byte_error(
                file,
                bytes,
                at,
                "binary file (NUL byte); skipped",
            )],
            ..Loaded::default()
        };
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => load_text_where(file, text, wanted),
        Err(e) => Loaded {
            diagnostics: vec![located_byte_error(
                file,
                bytes,
                e.valid_up_to(),
                "invalid UTF-8; file skipped",
            )],
            ..Loaded::default()
        },
    }
}

fn located_byte_error(file: &Arc<str>, bytes: &[u8], at: usize, message: &str) -> Diagnostic {
    let before = &bytes[..at];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    Diagnostic {
        file: file.clone(),
        line: line as u32,
        column: (at - line_start + 1) as u32,
        level: Level::Error,
        message: message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_is_read_only_when_certain() {
        assert_eq!(
            sniff_kind("apiVersion: v1\nkind: Pod\nmetadata: {}\n"),
            Some("Pod")
        );
        assert_eq!(sniff_kind("---\nkind: 'Role'  # c\n"), Some("Role"));
        assert_eq!(sniff_kind("kind: \"Role\"\r\nx: 1\r\n"), Some("Role"));
        for unsure in [
            "apiVersion: v1\nmetadata: {}\n",
            "kind: Pod\nkind: Role\n",
            "kind:\n  Role\n",
            "kind: *k\n",
            "kind: !!str Role\n",
            "kind : Role\n",
            "\"kind\": Role\nkind: Pod\n",
            "{\"kind\": \"Role\"}\n",
            "- kind: Role\n  name: x\n",
            "? kind\n: Role\n",
            "kind: Role Binding\n",
            "kind:Role\n",
        ] {
            assert_eq!(sniff_kind(unsure), None, "{unsure:?}");
        }
        // Nested `kind:` lines are indented and not taken for the object's.
        assert_eq!(
            sniff_kind(
                "kind: RoleBinding\nsubjects:\n- kind: User\n  name: a\nroleRef:\n  kind: Role\n"
            ),
            Some("RoleBinding")
        );
    }

    #[test]
    fn namespace_is_read_only_when_certain() {
        let doc = "kind: RoleBinding\nmetadata:\n  name: b\n  namespace: team-a  # c\n  \
                   labels:\n    namespace: decoy\nsubjects:\n- kind: ServiceAccount\n  \
                   namespace: other\n";
        assert_eq!(sniff_namespace(doc), Some(Some("team-a")));
        assert_eq!(
            sniff_namespace("kind: Role\nmetadata:\n    name: r\n"),
            Some(None)
        );
        assert_eq!(sniff_namespace("kind: Role\nrules: []\n"), Some(None));
        assert_eq!(
            sniff_namespace("metadata:\n  namespace: \"q\"\n"),
            Some(Some("q"))
        );
        for unsure in [
            "metadata: {name: r, namespace: a}\n",
            "metadata:\n  namespace: a\n  namespace: b\n",
            "metadata:\n  namespace:\n    a\n",
            "metadata:\n  namespace: *ns\n",
            "metadata:\n  <<: *meta\n  name: r\n",
            "<<: *base\nmetadata:\n  name: r\n",
            "metadata:\n    name: r\n  namespace: a\n",
            "metadata:\n  \"namespace\": a\n",
            "metadata:\n  namespace : a\n",
            "metadata:\n  name: r\nmetadata:\n  name: s\n",
            "metadata:\n  namespace: null\n",
            "metadata:\n  namespace: On\n",
            "metadata:\n  namespace: 0x1f\n",
            "metadata:\n  namespace: 123\n",
        ] {
            assert_eq!(sniff_namespace(unsure), None, "{unsure:?}");
        }
        assert_eq!(
            sniff_namespace("metadata:\n  namespace: '123'\n"),
            Some(Some("123"))
        );
    }

    #[test]
    fn name_is_read_like_the_namespace() {
        let doc = "kind: Deployment\nmetadata:\n  namespace: a\n  name: web  # c\n\
                   spec:\n  template:\n    metadata:\n      name: decoy\n";
        assert_eq!(sniff_name(doc), Some(Some("web")));
        assert_eq!(sniff_namespace(doc), Some(Some("a")));
        assert_eq!(
            sniff_name("kind: Pod\nmetadata:\n  namespace: a\n"),
            Some(None)
        );
        for unsure in [
            "metadata: {name: web}\n",
            "metadata:\n  name: web\n  name: api\n",
            "metadata:\n  name: no\n",
            "metadata:\n  name: !!str web\n",
        ] {
            assert_eq!(sniff_name(unsure), None, "{unsure:?}");
        }
    }

    #[test]
    fn documents_of_other_kinds_are_left_out_and_keep_their_index() {
        let file: Arc<str> = "t.yaml".into();
        let text = "kind: ConfigMap\napiVersion: v1\nmetadata: {name: c}\n---\n\
                    kind: Role\napiVersion: rbac.authorization.k8s.io/v1\nmetadata: {name: r}\n---\n\
                    {kind: Pod, apiVersion: v1, metadata: {name: p}}\n---\n\
                    kind: Secret\napiVersion: v1\nmetadata: {name: [broken\n---\n\
                    kind: List\napiVersion: v1\nitems:\n- {kind: Role, apiVersion: rbac.authorization.k8s.io/v1, metadata: {name: l}}\n";
        let all = load_text(&file, text);
        let some = load_text_of_kinds(&file, text, Some(&["Role"]));
        assert_eq!(all.objects.len(), 4);
        assert_eq!(all.diagnostics.len(), 1);
        assert_eq!(some.left_out, 2);
        assert!(
            some.diagnostics.is_empty(),
            "left-out documents are not checked"
        );
        let names: Vec<(&str, usize)> = some
            .objects
            .iter()
            .map(|o| (&*o.name, o.source.document))
            .collect();
        // The Pod is written in flow style, so its kind is not certain and it is read.
        assert_eq!(names, [("r", 1), ("p", 2), ("l", 4)]);
    }
}
