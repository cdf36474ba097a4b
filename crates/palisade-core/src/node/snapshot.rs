//! The node snapshot: plain data about one node's processes and files, as the collector found
//! them. It is serde-serialisable so that `palisade node --collect` can write it and
//! `palisade node --from` can check it later or elsewhere. Nothing here interprets what was
//! found; that is `components` and `cis`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The schema name written into every snapshot document.
pub const SNAPSHOT_SCHEMA: &str = "palisade.node-snapshot/v1";

/// Everything collected from one node.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Always [`SNAPSHOT_SCHEMA`].
    pub schema: String,
    /// The directory that stood for `/` when collecting (`/` on a live node).
    pub root: String,
    /// Whether running processes were read (false for a copied or mounted file system).
    pub live: bool,
    /// The Kubernetes processes found running, in pid order.
    #[serde(default)]
    pub processes: Vec<Process>,
    /// Every file and directory looked at, by absolute path on the node.
    #[serde(default)]
    pub files: BTreeMap<String, FileRecord>,
    /// Versions reported by the binaries (`kubelet --version` style), when the collector had
    /// them; the benchmark is otherwise chosen from image tags.
    #[serde(default)]
    pub versions: BTreeMap<String, String>,
}

impl Snapshot {
    /// An empty snapshot of the file system under `root`.
    pub fn new(root: impl Into<String>, live: bool) -> Self {
        Snapshot {
            schema: SNAPSHOT_SCHEMA.to_string(),
            root: root.into(),
            live,
            ..Snapshot::default()
        }
    }

    /// The record of `path`, if it was looked at.
    pub fn file(&self, path: &str) -> Option<&FileRecord> {
        self.files.get(path)
    }

    /// The text of `path` when it was read.
    pub fn content(&self, path: &str) -> Option<&str> {
        match self.files.get(path) {
            Some(FileRecord::File {
                content: Some(text),
                ..
            }) => Some(text),
            _ => None,
        }
    }

    /// The names inside directory `path` when it was listed.
    pub fn entries(&self, path: &str) -> &[String] {
        match self.files.get(path) {
            Some(FileRecord::Directory { entries, .. }) => entries,
            _ => &[],
        }
    }
}

/// One running process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Process {
    /// Its process id.
    pub pid: u32,
    /// Its command line, one argument per element.
    pub argv: Vec<String>,
    /// Its working directory, when readable (relative `--config` paths resolve against it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cwd: Option<String>,
}

/// Mode and ownership of a file or directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    /// Permission bits (`0o600`), without the file type.
    pub mode: u32,
    /// Owner user id.
    pub uid: u32,
    /// Owner group id.
    pub gid: u32,
}

/// What the collector found at one path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum FileRecord {
    /// A regular file (or what a symlink points at).
    File {
        /// Mode and ownership.
        #[serde(flatten)]
        meta: Meta,
        /// The text, for files whose content the checks read (manifests, configs, units).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        content: Option<String>,
    },
    /// A directory and the names in it, sorted.
    Directory {
        /// Mode and ownership.
        #[serde(flatten)]
        meta: Meta,
        /// Names of its entries.
        #[serde(default)]
        entries: Vec<String>,
    },
    /// Nothing exists at the path.
    NotFound,
    /// Something is there but could not be read.
    Unreadable {
        /// Why, as the operating system said it.
        reason: String,
        /// Mode and ownership, when at least those could be read.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        meta: Option<Meta>,
    },
}

impl FileRecord {
    /// Mode and ownership when known.
    pub fn meta(&self) -> Option<Meta> {
        match self {
            FileRecord::File { meta, .. } | FileRecord::Directory { meta, .. } => Some(*meta),
            FileRecord::Unreadable { meta, .. } => *meta,
            FileRecord::NotFound => None,
        }
    }

    /// Whether something exists at the path.
    pub fn exists(&self) -> bool {
        !matches!(self, FileRecord::NotFound)
    }
}
