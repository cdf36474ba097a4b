//! Turning one input text into objects and diagnostics.
//!
//! The caller reads files (palisade-io); this module only sees text and a display name, so that
//! every input path (files, stdin, archives later) shares one behaviour for bad input.

use std::sync::Arc;

use serde::Serialize;

use crate::document::parse_stream;
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
}

/// Parses one input's text into objects; never fails, problems become diagnostics.
pub fn load_text(file: &Arc<str>, text: &str) -> Loaded {
    let parsed = parse_stream(text);
    let mut out = Loaded {
        documents: parsed.documents.len(),
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
        Ok(text) => load_text(file, text),
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
