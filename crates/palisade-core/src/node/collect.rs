//! Collecting a snapshot from a node through a [`NodeSource`] (the file system under a root
//! and, on a live node, its processes). The order and choice of what to read lives here, so
//! that it is the same for every source; the source itself (in palisade-io, or a test's
//! in-memory node) only answers single questions. Key and kubeconfig contents are never read:
//! only their mode and ownership matter, and a snapshot must be safe to hand around.

use std::collections::BTreeSet;

use crate::node::components::{has_extension, is_manifest_name, referenced_paths};
use crate::node::embedded::EMBEDDING;
use crate::node::locations::{self, CNI_CONF_DIR, UNIT_DIRS};
use crate::node::snapshot::{FileRecord, Process, Snapshot};

/// What a collector can ask of a node.
pub trait NodeSource {
    /// The record of one absolute path on the node: a file (with its text when `content` is
    /// true), a directory with its entry names, not found, or unreadable with the reason.
    fn read(&self, path: &str, content: bool) -> FileRecord;

    /// The running processes of Kubernetes components (empty when not on a live node).
    fn processes(&self) -> Vec<Process>;

    /// The name recorded as the snapshot's root.
    fn root(&self) -> String;

    /// Whether processes were read.
    fn live(&self) -> bool;
}

/// How many times referenced paths are followed (config names an env file names a config).
const ROUNDS: usize = 4;

/// Whether a file's text may be read: never keys and certificates, whoever asks. Kubeconfigs
/// are only ever asked for by metadata.
fn wants_content(path: &str) -> bool {
    !["key", "crt", "pem"].iter().any(|e| has_extension(path, e))
}

struct Collector<'s, S: NodeSource + ?Sized> {
    source: &'s S,
    snapshot: Snapshot,
}

impl<S: NodeSource + ?Sized> Collector<'_, S> {
    fn read(&mut self, path: &str, content: bool) -> &FileRecord {
        let content = content && wants_content(path);
        let needs_read = match self.snapshot.files.get(path) {
            None => true,
            Some(FileRecord::File { content: None, .. }) => content,
            Some(_) => false,
        };
        if needs_read {
            let mut record = self.source.read(path, content);
            if let FileRecord::File {
                content: Some(text),
                ..
            } = &mut record
            {
                redact_secrets(text);
            }
            self.snapshot.files.insert(path.to_string(), record);
        }
        &self.snapshot.files[path]
    }

    /// Reads a directory and, by `pick`, some of its entries; `depth` levels of subdirectories.
    fn read_dir(&mut self, dir: &str, content: bool, depth: usize, pick: fn(&str) -> bool) {
        let entries = match self.read(dir, false) {
            FileRecord::Directory { entries, .. } => entries.clone(),
            _ => return,
        };
        for name in entries {
            let path = format!("{}/{name}", dir.trim_end_matches('/'));
            if !pick(&name) {
                continue;
            }
            let is_dir = matches!(self.read(&path, content), FileRecord::Directory { .. });
            if is_dir && depth > 0 {
                self.read_dir(&path, content, depth - 1, pick);
            }
        }
    }
}

/// Collects a snapshot: well-known locations of every distribution first, then whatever the
/// components' command lines and configuration name, until nothing new turns up.
pub fn collect<S: NodeSource + ?Sized>(source: &S) -> Snapshot {
    let mut c = Collector {
        source,
        snapshot: Snapshot::new(source.root(), source.live()),
    };
    c.snapshot.processes = source.processes();
    for path in ["/etc/passwd", "/etc/group"] {
        c.read(path, true);
    }
    for dir in locations::all(|d| d.manifest_dirs) {
        c.read_dir(dir, true, 0, is_manifest_name);
    }
    for dir in locations::all(|d| d.pki_dirs) {
        c.read_dir(dir, false, 2, |_| true);
    }
    c.read_dir(CNI_CONF_DIR, false, 0, |_| true);
    for unit in locations::all(|d| d.kubelet_units) {
        for dir in UNIT_DIRS {
            c.read(&format!("{dir}/{unit}"), true);
            c.read_dir(&format!("{dir}/{unit}.d"), true, 0, |n| {
                has_extension(n, "conf")
            });
        }
    }
    for path in locations::all(|d| d.kubelet_configs) {
        c.read(path, true);
    }
    for field in [
        (|d: &locations::Distribution| d.kubelet_kubeconfigs) as fn(&_) -> _,
        |d| d.admin_kubeconfigs,
        |d| d.scheduler_kubeconfigs,
        |d| d.controller_manager_kubeconfigs,
        |d| d.proxy_kubeconfigs,
        |d| d.etcd_data_dirs,
    ] {
        for path in locations::all(field) {
            c.read(path, false);
        }
    }
    for dist in EMBEDDING {
        c.read(dist.config, true);
        c.read_dir(dist.config_dir, true, 0, |n| {
            has_extension(n, "yaml") || has_extension(n, "yml")
        });
        c.read(dist.kubelet_config_dir, false);
    }
    for dir in locations::all(|d| d.args_dirs) {
        c.read_dir(dir, true, 0, |_| true);
    }
    let mut seen: BTreeSet<(String, bool)> = BTreeSet::new();
    for _ in 0..ROUNDS {
        let wanted: Vec<(String, bool)> = referenced_paths(&c.snapshot)
            .into_iter()
            .filter(|w| !seen.contains(w))
            .collect();
        if wanted.is_empty() {
            break;
        }
        for (path, content) in wanted {
            let is_dir = matches!(c.read(&path, content), FileRecord::Directory { .. });
            if is_dir {
                c.read_dir(&path, content, 1, |_| true);
            }
            seen.insert((path, content));
        }
    }
    c.snapshot
}

/// Blanks the values of `secret:` keys (encryption configuration keys) so that a snapshot
/// never carries them; the checks only need the provider names.
fn redact_secrets(text: &mut String) {
    if !text.contains("secret") {
        return;
    }
    redact_json_secrets(text);
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start().trim_start_matches("- ");
        if let Some(rest) = trimmed.strip_prefix("secret:")
            && !rest.trim().is_empty()
        {
            let cut = line.len() - rest.len();
            out.push_str(&line[..cut]);
            out.push_str(" <redacted>");
            if line.ends_with('\n') {
                out.push('\n');
            }
            continue;
        }
        out.push_str(line);
    }
    *text = out;
}

/// The JSON form (k3s writes its encryption configuration as JSON): `"secret": "..."`.
fn redact_json_secrets(text: &mut String) {
    const KEY: &str = "\"secret\"";
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(at) = rest.find(KEY) {
        let (before, after_key) = rest.split_at(at + KEY.len());
        out.push_str(before);
        let value = after_key.trim_start();
        let Some(value) = value.strip_prefix(':').map(str::trim_start) else {
            rest = after_key;
            continue;
        };
        let Some(body) = value.strip_prefix('"') else {
            rest = after_key;
            continue;
        };
        let Some(end) = body.find('"') else {
            rest = after_key;
            continue;
        };
        out.push_str(&after_key[..after_key.len() - value.len()]);
        out.push_str("\"<redacted>\"");
        rest = &body[end + 1..];
    }
    out.push_str(rest);
    *text = out;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted() {
        let mut text = "providers:\n  - aescbc:\n      keys:\n        - name: key1\n          secret: c2VjcmV0\n  - identity: {}\n".to_string();
        redact_secrets(&mut text);
        assert!(text.contains("secret: <redacted>\n"));
        assert!(!text.contains("c2VjcmV0"));
        let mut json = r#"{"keys":[{"name":"k","secret" : "c2VjcmV0"}],"secrets":1}"#.to_string();
        redact_secrets(&mut json);
        assert_eq!(
            json,
            r#"{"keys":[{"name":"k","secret" : "<redacted>"}],"secrets":1}"#
        );
    }
}
