//! Reading Kubernetes audit logs: files, gzip files, standard input and growing files.
//!
//! Readers hand out one record per event, the event's JSON text with the file and line it starts
//! on, and never parse an event themselves (the detection engine does, once). Two layouts are
//! recognised from the first non-empty line: JSON lines (the API server's log backend, one event
//! per line, streamed with bounded memory) and whole documents (an `EventList` or a JSON array,
//! possibly pretty-printed), which are read whole and split into their events with each event's
//! own line. Problems never stop the stream: an over-long event, bytes that are not UTF-8 and
//! unsplittable documents become [`Item::Bad`] with a location, and reading goes on.
//!
//! Follow mode polls a file for appended lines, as `tail -F` does: a file that shrinks was
//! truncated and is read again from the start; a path that now names another file was rotated,
//! and the old file is drained before the new one is opened.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use palisade_core::detect::state::BadEventKind;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::{Input, InputError};

/// Events larger than this are counted as too large and skipped (1 MiB).
pub const DEFAULT_MAX_EVENT_SIZE: usize = 1024 * 1024;

/// How audit inputs are read.
#[derive(Debug, Clone)]
pub struct AuditReadOptions {
    /// The largest event accepted, in bytes.
    pub max_event_size: usize,
    /// The largest whole document (an `EventList` or array) read into memory, in bytes.
    pub max_document_size: u64,
    /// How often a followed file is polled.
    pub poll_interval: Duration,
}

impl Default for AuditReadOptions {
    fn default() -> Self {
        AuditReadOptions {
            max_event_size: DEFAULT_MAX_EVENT_SIZE,
            max_document_size: crate::DEFAULT_MAX_FILE_SIZE,
            poll_interval: Duration::from_millis(200),
        }
    }
}

/// One thing read from an audit input.
#[derive(Debug)]
pub enum Item<'a> {
    /// The JSON text of one event (or of one line, which may hold a list) and where it starts.
    Event {
        /// The 1-based line the event starts on.
        line: u64,
        /// Its text.
        text: &'a str,
    },
    /// Something that could not be handed on as an event.
    Bad {
        /// The 1-based line.
        line: u64,
        /// What kind of problem.
        kind: BadEventKind,
        /// A short description.
        detail: String,
    },
}

/// Says why `text`, which the engine refused, is bad: not JSON at all, JSON cut short, or JSON
/// that is not an audit event. Only called on the error path.
pub fn classify_failure(text: &str) -> BadEventKind {
    match serde_json::from_str::<serde::de::IgnoredAny>(text) {
        Ok(_) => BadEventKind::Invalid,
        Err(e) if e.is_eof() => BadEventKind::Truncated,
        Err(_) => BadEventKind::NotJson,
    }
}

/// What one bounded line read found.
enum LineRead {
    /// End of input, nothing read.
    End,
    /// A line (without its newline) is in the buffer; `complete` is false at end of input
    /// without a final newline.
    Line { complete: bool },
    /// The line was longer than the limit and was skipped; its length in bytes.
    TooLong { len: usize, complete: bool },
}

/// Reads one line into `buf` without ever holding more than `cap` bytes of it.
fn read_line_capped(
    reader: &mut impl BufRead,
    buf: &mut Vec<u8>,
    cap: usize,
) -> std::io::Result<LineRead> {
    buf.clear();
    let mut len = 0usize;
    let mut any = false;
    loop {
        let chunk = match reader.fill_buf() {
            Ok(chunk) => chunk,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            return Ok(match (any, len > cap) {
                (false, _) => LineRead::End,
                (true, false) => LineRead::Line { complete: false },
                (true, true) => LineRead::TooLong {
                    len,
                    complete: false,
                },
            });
        }
        any = true;
        let (take, found) = match memchr::memchr(b'\n', chunk) {
            Some(i) => (i, true),
            None => (chunk.len(), false),
        };
        if len + take <= cap {
            buf.extend_from_slice(&chunk[..take]);
        }
        len += take;
        reader.consume(take + usize::from(found));
        if found {
            if len > cap {
                buf.clear();
                return Ok(LineRead::TooLong {
                    len,
                    complete: true,
                });
            }
            return Ok(LineRead::Line { complete: true });
        }
        if len > cap {
            buf.clear();
        }
    }
}

fn strip_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn too_large(line: u64, len: usize, cap: usize) -> Item<'static> {
    Item::Bad {
        line,
        kind: BadEventKind::TooLarge,
        detail: format!("event is {len} bytes, over the limit of {cap} bytes; skipped"),
    }
}

fn not_utf8(line: u64) -> Item<'static> {
    Item::Bad {
        line,
        kind: BadEventKind::NotUtf8,
        detail: "not UTF-8".to_string(),
    }
}

/// Whether the first non-empty line starts a document spread over several lines (a
/// pretty-printed `EventList` or array) rather than a JSON-lines stream.
fn starts_multiline_document(first_line: &str) -> bool {
    let t = first_line.trim();
    (t.starts_with('{') || t.starts_with('['))
        && serde_json::from_str::<serde::de::IgnoredAny>(t).is_err_and(|e| e.is_eof())
}

/// Reads audit events from `reader` (named `file` in problems), calling `on` for each item.
pub fn read_stream(
    reader: impl Read,
    options: &AuditReadOptions,
    on: &mut dyn FnMut(Item<'_>),
) -> Result<(), InputError> {
    let mut reader = BufReader::with_capacity(256 * 1024, reader);
    let mut buf = Vec::with_capacity(16 * 1024);
    let cap = options.max_event_size;
    let mut line = 0u64;
    let mut seen_content = false;
    loop {
        let read = read_line_capped(&mut reader, &mut buf, cap)?;
        line += 1;
        match read {
            LineRead::End => return Ok(()),
            LineRead::TooLong { len, .. } => on(too_large(line, len, cap)),
            LineRead::Line { .. } => {
                let bytes = strip_cr(&buf);
                let Ok(text) = std::str::from_utf8(bytes) else {
                    on(not_utf8(line));
                    continue;
                };
                if text.trim().is_empty() {
                    continue;
                }
                // Only the first non-empty line decides the layout.
                let first = !seen_content;
                seen_content = true;
                if first && starts_multiline_document(text) {
                    let mut doc = buf.clone();
                    doc.push(b'\n');
                    let limit = options.max_document_size;
                    reader
                        .take(limit.saturating_sub(doc.len() as u64) + 1)
                        .read_to_end(&mut doc)?;
                    if doc.len() as u64 > limit {
                        on(Item::Bad {
                            line,
                            kind: BadEventKind::TooLarge,
                            detail: format!("document over the limit of {limit} bytes; skipped"),
                        });
                        return Ok(());
                    }
                    split_document(&doc, line, options, on);
                    return Ok(());
                }
                on(Item::Event { line, text });
            }
        }
    }
}

#[derive(Deserialize)]
struct ListShape<'a> {
    #[serde(borrow)]
    items: Vec<&'a RawValue>,
}

/// Splits a whole document into events: an array of events, an object with `items` (an
/// `EventList`), or a single pretty-printed event. Each event keeps its own line.
fn split_document(
    doc: &[u8],
    first_line: u64,
    options: &AuditReadOptions,
    on: &mut dyn FnMut(Item<'_>),
) {
    let Ok(text) = std::str::from_utf8(doc) else {
        on(not_utf8(first_line));
        return;
    };
    let line_of = |part: &str| {
        let offset = (part.as_ptr() as usize).saturating_sub(text.as_ptr() as usize);
        first_line
            + text.as_bytes()[..offset.min(text.len())]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u64
    };
    let items: Option<Vec<&RawValue>> =
        serde_json::from_str::<Vec<&RawValue>>(text)
            .ok()
            .or_else(|| {
                serde_json::from_str::<ListShape<'_>>(text)
                    .ok()
                    .map(|l| l.items)
            });
    if let Some(items) = items {
        for item in items {
            let part = item.get();
            let line = line_of(part);
            if part.len() > options.max_event_size {
                on(too_large(line, part.len(), options.max_event_size));
            } else {
                on(Item::Event { line, text: part });
            }
        }
        return;
    }
    // One event spread over lines, or something broken: the engine (or the classifier) says
    // which, at the document's first line.
    let trimmed = text.trim_end();
    if trimmed.len() > options.max_event_size {
        on(too_large(first_line, trimmed.len(), options.max_event_size));
    } else {
        on(Item::Event {
            line: first_line,
            text: trimmed,
        });
    }
}

fn is_gzip(path: &Path) -> bool {
    if path.extension().is_some_and(|e| e == "gz") {
        return true;
    }
    let mut magic = [0u8; 2];
    File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok_and(|()| magic == [0x1f, 0x8b])
}

/// Reads one input to its end: a file (gzip-compressed when its name ends in `.gz` or its
/// content says so) or standard input.
pub fn read_input(
    input: &Input,
    options: &AuditReadOptions,
    on: &mut dyn FnMut(Item<'_>),
) -> Result<(), InputError> {
    match input {
        Input::Stdin => read_stream(std::io::stdin().lock(), options, on),
        Input::File(path) => {
            let file = File::open(path).map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => InputError::NotFound,
                _ => InputError::Read(e),
            })?;
            if is_gzip(path) {
                read_stream(flate2::read::MultiGzDecoder::new(file), options, on)
            } else {
                read_stream(file, options, on)
            }
        }
    }
}

#[cfg(unix)]
fn file_identity(meta: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

#[cfg(not(unix))]
fn file_identity(_meta: &std::fs::Metadata) -> (u64, u64) {
    (0, 0)
}

/// A file being followed as it grows.
struct Followed {
    reader: BufReader<File>,
    identity: (u64, u64),
    position: u64,
    line: u64,
    partial: Vec<u8>,
    partial_too_long: usize,
}

impl Followed {
    fn open(path: &Path, from_end: bool) -> std::io::Result<Followed> {
        let mut file = File::open(path)?;
        let meta = file.metadata()?;
        let position = if from_end {
            file.seek(SeekFrom::End(0))?
        } else {
            0
        };
        Ok(Followed {
            reader: BufReader::with_capacity(256 * 1024, file),
            identity: file_identity(&meta),
            position,
            line: 0,
            partial: Vec::new(),
            partial_too_long: 0,
        })
    }

    /// Hands on every complete line appended since the last call. A last line without its
    /// newline is kept until the newline arrives, since the writer may be in the middle of it.
    fn drain(&mut self, cap: usize, on: &mut dyn FnMut(Item<'_>)) -> std::io::Result<()> {
        let mut buf = Vec::new();
        loop {
            let read = read_line_capped(&mut self.reader, &mut buf, cap)?;
            let (complete, len) = match read {
                LineRead::End => return Ok(()),
                LineRead::Line { complete } => (complete, buf.len()),
                LineRead::TooLong { len, complete } => (complete, len),
            };
            self.position += (len + usize::from(complete)) as u64;
            if self.partial.len() + buf.len() <= cap && self.partial_too_long == 0 {
                self.partial.extend_from_slice(&buf);
            } else {
                self.partial_too_long = self.partial.len() + self.partial_too_long + len;
                self.partial.clear();
            }
            if !complete {
                continue;
            }
            self.line += 1;
            let line = self.line;
            if self.partial_too_long > 0 {
                on(too_large(line, self.partial_too_long, cap));
            } else {
                let bytes = strip_cr(&self.partial);
                match std::str::from_utf8(bytes) {
                    Ok(text) if text.trim().is_empty() => {}
                    Ok(text) => on(Item::Event { line, text }),
                    Err(_) => on(not_utf8(line)),
                }
            }
            self.partial.clear();
            self.partial_too_long = 0;
        }
    }
}

/// Follows `path` as it grows, as JSON lines, until `stop` is set: reads what is there, then
/// polls for appended lines. `from_end` starts at the current end instead of the beginning.
/// Truncation restarts from the beginning; rotation drains the old file and opens the new one.
pub fn follow(
    path: &Path,
    from_end: bool,
    options: &AuditReadOptions,
    stop: &AtomicBool,
    on: &mut dyn FnMut(Item<'_>),
) -> Result<(), InputError> {
    let cap = options.max_event_size;
    let mut current = Followed::open(path, from_end).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => InputError::NotFound,
        _ => InputError::Read(e),
    })?;
    loop {
        current.drain(cap, on)?;
        if stop.load(Ordering::Relaxed) {
            return Ok(());
        }
        std::thread::sleep(options.poll_interval);
        match std::fs::metadata(path) {
            Ok(meta) if file_identity(&meta) != current.identity => {
                // Rotated: whatever was appended to the old file before the rename is read first.
                current.drain(cap, on)?;
                if let Ok(next) = Followed::open(path, false) {
                    current = next;
                }
            }
            Ok(meta) if meta.len() < current.position => {
                current.reader.seek(SeekFrom::Start(0))?;
                current.position = 0;
                current.line = 0;
                current.partial.clear();
                current.partial_too_long = 0;
            }
            // Unchanged, grown, or briefly missing between a rename and the new file.
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(text: &[u8], options: &AuditReadOptions) -> Vec<String> {
        let mut out = Vec::new();
        read_stream(text, options, &mut |item| {
            out.push(match item {
                Item::Event { line, text } => format!("{line}: {text}"),
                Item::Bad { line, kind, .. } => format!("{line}! {}", kind.as_str()),
            });
        })
        .unwrap();
        out
    }

    #[test]
    fn json_lines_keep_their_line_numbers_and_skip_blank_lines() {
        let out = collect(
            b"{\"a\":1}\r\n\n{\"b\":2}\nnot json\n{\"c\":",
            &AuditReadOptions::default(),
        );
        assert_eq!(
            out,
            ["1: {\"a\":1}", "3: {\"b\":2}", "4: not json", "5: {\"c\":"]
        );
        assert_eq!(classify_failure("not json"), BadEventKind::NotJson);
        assert_eq!(classify_failure("{\"c\":"), BadEventKind::Truncated);
        assert_eq!(classify_failure("[1]"), BadEventKind::Invalid);
    }

    #[test]
    fn over_long_lines_are_skipped_and_the_stream_goes_on() {
        let options = AuditReadOptions {
            max_event_size: 8,
            ..AuditReadOptions::default()
        };
        let out = collect(
            b"{\"a\":1}\n{\"long\":123456789}\n{\"b\":2}\n\xff\n",
            &options,
        );
        assert_eq!(
            out,
            [
                "1: {\"a\":1}",
                "2! too_large",
                "3: {\"b\":2}",
                "4! not_utf8"
            ]
        );
    }

    #[test]
    fn pretty_event_lists_and_arrays_are_split_with_each_events_line() {
        let list = b"\n{\n  \"kind\": \"EventList\",\n  \"items\": [\n    {\"verb\": \"get\"},\n    {\n      \"verb\": \"list\"\n    }\n  ]\n}\n";
        let out = collect(list, &AuditReadOptions::default());
        assert_eq!(
            out,
            [
                "5: {\"verb\": \"get\"}",
                "6: {\n      \"verb\": \"list\"\n    }"
            ]
        );
        let array = b"[\n{\"verb\":\"get\"},\n{\"verb\":\"list\"}\n]";
        let out = collect(array, &AuditReadOptions::default());
        assert_eq!(out, ["2: {\"verb\":\"get\"}", "3: {\"verb\":\"list\"}"]);
        // A one-line list is a JSON line; the engine unpacks it.
        let out = collect(b"[{\"verb\":\"get\"}]\n", &AuditReadOptions::default());
        assert_eq!(out, ["1: [{\"verb\":\"get\"}]"]);
        // A pretty-printed single event is handed on whole.
        let out = collect(b"{\n \"verb\": \"get\"\n}\n", &AuditReadOptions::default());
        assert_eq!(out, ["1: {\n \"verb\": \"get\"\n}"]);
    }

    #[test]
    fn gzip_files_are_read() {
        use std::io::Write as _;
        let dir = std::env::temp_dir().join(format!("palisade-audit-gz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("audit.log.gz");
        let mut encoder = flate2::write::GzEncoder::new(
            File::create(&path).unwrap(),
            flate2::Compression::fast(),
        );
        encoder.write_all(b"{\"a\":1}\n{\"b\":2}\n").unwrap();
        encoder.finish().unwrap();
        let mut lines = Vec::new();
        read_input(
            &Input::File(path),
            &AuditReadOptions::default(),
            &mut |item| {
                if let Item::Event { line, .. } = item {
                    lines.push(line);
                }
            },
        )
        .unwrap();
        std::fs::remove_dir_all(&dir).ok();
        assert_eq!(lines, [1, 2]);
    }

    #[test]
    fn follow_reads_appends_truncation_and_rotation() {
        use std::io::Write as _;
        use std::sync::Arc;
        let dir =
            std::env::temp_dir().join(format!("palisade-audit-follow-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("audit.log");
        std::fs::write(&path, b"{\"n\":1}\n{\"n\":2").unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let (tx, rx) = std::sync::mpsc::channel::<String>();
        let reader = {
            let (path, stop) = (path.clone(), Arc::clone(&stop));
            std::thread::spawn(move || {
                let options = AuditReadOptions {
                    poll_interval: Duration::from_millis(10),
                    ..AuditReadOptions::default()
                };
                follow(&path, false, &options, &stop, &mut |item| {
                    if let Item::Event { line, text } = item {
                        tx.send(format!("{line}: {text}")).ok();
                    }
                })
            })
        };
        let next = || rx.recv_timeout(Duration::from_secs(10)).unwrap();
        assert_eq!(next(), "1: {\"n\":1}");
        // The half-written line is handed on once its newline arrives.
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        f.write_all(b"}\n{\"n\":3}\n").unwrap();
        assert_eq!(next(), "2: {\"n\":2}");
        assert_eq!(next(), "3: {\"n\":3}");
        // Truncation: read again from the start.
        std::fs::write(&path, b"").unwrap();
        std::thread::sleep(Duration::from_millis(100));
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        f.write_all(b"{\"t\":1}\n").unwrap();
        assert_eq!(next(), "1: {\"t\":1}");
        // Rotation: the old file's last lines first, then the new file.
        f.write_all(b"{\"t\":2}\n").unwrap();
        std::fs::rename(&path, dir.join("audit.log.1")).unwrap();
        std::fs::write(&path, b"{\"r\":1}\n").unwrap();
        assert_eq!(next(), "2: {\"t\":2}");
        assert_eq!(next(), "1: {\"r\":1}");
        stop.store(true, Ordering::Relaxed);
        reader.join().unwrap().unwrap();
        std::fs::remove_dir_all(&dir).ok();
    }
}
