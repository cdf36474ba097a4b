//! Reading a node for `palisade node`: the file system under a root directory (`/` on a live
//! node, or a mounted or copied node file system) and, on a live node, the command lines and
//! working directories of Kubernetes processes from `/proc`. No command is ever run. What to
//! read is decided in `palisade_core::node::collect`; this module only answers its questions,
//! turning every failure (missing, permission denied, a process that exits mid-read) into
//! data rather than an error.

use std::fs;
use std::io::{ErrorKind, Read};
use std::os::unix::fs::MetadataExt;
use std::path::{Component, Path, PathBuf};

use palisade_core::node::collect::{NodeSource, collect};
use palisade_core::node::snapshot::{FileRecord, Meta, Process, Snapshot};

/// Configuration files larger than this are not read (their metadata still is).
pub const MAX_CONFIG_SIZE: u64 = 4 * 1024 * 1024;

/// How many symbolic links are followed before giving up.
const MAX_LINKS: usize = 16;

/// The program names whose processes are recorded.
const COMPONENT_PROGRAMS: &[&str] = &[
    "kube-apiserver",
    "kube-controller-manager",
    "kube-scheduler",
    "etcd",
    "kubelet",
    "kube-proxy",
    // k3s and RKE2 embed the components; their own command line carries the components' flags.
    "k3s",
    "rke2",
];

/// A node's file system under `root`, and its processes when `live`.
#[derive(Debug, Clone)]
pub struct NodeRoot {
    root: PathBuf,
    live: bool,
}

impl NodeRoot {
    /// The running node: `/` and its processes.
    pub fn live() -> Self {
        NodeRoot {
            root: PathBuf::from("/"),
            live: true,
        }
    }

    /// A node file system mounted or copied under `root`; no processes.
    pub fn at(root: impl Into<PathBuf>) -> Self {
        NodeRoot {
            root: root.into(),
            live: false,
        }
    }

    /// Maps a node path to a host path, following symbolic links inside the root so that an
    /// absolute link target stays under it.
    fn host_path(&self, node_path: &str) -> Result<PathBuf, String> {
        let mut parts: Vec<String> = Vec::new();
        let mut pending: Vec<String> = split(node_path).into_iter().rev().collect();
        let mut links = 0;
        while let Some(part) = pending.pop() {
            match part.as_str() {
                "." => continue,
                ".." => {
                    parts.pop();
                    continue;
                }
                _ => {}
            }
            parts.push(part);
            let here = self.join(&parts);
            let Ok(meta) = fs::symlink_metadata(&here) else {
                // Missing: the caller's own metadata call reports it.
                continue;
            };
            if !meta.file_type().is_symlink() {
                continue;
            }
            links += 1;
            if links > MAX_LINKS {
                return Err("too many levels of symbolic links".to_string());
            }
            let target = fs::read_link(&here).map_err(|e| e.to_string())?;
            let target = target.to_string_lossy().into_owned();
            parts.pop();
            if target.starts_with('/') {
                parts.clear();
            }
            pending.extend(split(&target).into_iter().rev());
        }
        Ok(self.join(&parts))
    }

    fn join(&self, parts: &[String]) -> PathBuf {
        let mut path = self.root.clone();
        path.extend(parts);
        path
    }
}

fn split(path: &str) -> Vec<String> {
    Path::new(path)
        .components()
        .filter_map(|c| match c {
            Component::Normal(p) => Some(p.to_string_lossy().into_owned()),
            Component::ParentDir => Some("..".to_string()),
            _ => None,
        })
        .collect()
}

fn meta_of(meta: &fs::Metadata) -> Meta {
    Meta {
        mode: meta.mode() & 0o7777,
        uid: meta.uid(),
        gid: meta.gid(),
    }
}

fn reason(error: &std::io::Error) -> String {
    match error.kind() {
        ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => error.to_string(),
    }
}

impl NodeSource for NodeRoot {
    fn read(&self, path: &str, content: bool) -> FileRecord {
        let host = match self.host_path(path) {
            Ok(host) => host,
            Err(reason) => return FileRecord::Unreadable { reason, meta: None },
        };
        let meta = match fs::metadata(&host) {
            Ok(meta) => meta,
            Err(e) if e.kind() == ErrorKind::NotFound => return FileRecord::NotFound,
            Err(e) => {
                return FileRecord::Unreadable {
                    reason: reason(&e),
                    meta: None,
                };
            }
        };
        let mode = meta_of(&meta);
        if meta.is_dir() {
            return match fs::read_dir(&host) {
                Ok(dir) => {
                    let mut entries: Vec<String> = dir
                        .filter_map(Result::ok)
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .collect();
                    entries.sort();
                    FileRecord::Directory {
                        meta: mode,
                        entries,
                    }
                }
                Err(e) => FileRecord::Unreadable {
                    reason: reason(&e),
                    meta: Some(mode),
                },
            };
        }
        if !content {
            return FileRecord::File {
                meta: mode,
                content: None,
            };
        }
        if meta.len() > MAX_CONFIG_SIZE {
            return FileRecord::Unreadable {
                reason: format!(
                    "file is {} bytes, over the {MAX_CONFIG_SIZE}-byte limit for configuration",
                    meta.len()
                ),
                meta: Some(mode),
            };
        }
        let mut bytes = Vec::new();
        match fs::File::open(&host).and_then(|f| f.take(MAX_CONFIG_SIZE).read_to_end(&mut bytes)) {
            Ok(_) => FileRecord::File {
                meta: mode,
                content: Some(String::from_utf8_lossy(&bytes).into_owned()),
            },
            Err(e) => FileRecord::Unreadable {
                reason: reason(&e),
                meta: Some(mode),
            },
        }
    }

    fn processes(&self) -> Vec<Process> {
        if !self.live {
            return Vec::new();
        }
        let Ok(dir) = fs::read_dir(self.root.join("proc")) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for entry in dir.filter_map(Result::ok) {
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|n| n.parse::<u32>().ok())
            else {
                continue;
            };
            // A process may exit between the listing and these reads; it is then skipped.
            let Ok(raw) = fs::read(entry.path().join("cmdline")) else {
                continue;
            };
            let argv: Vec<String> = raw
                .split(|b| *b == 0)
                .filter(|a| !a.is_empty())
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect();
            let Some(program) = argv.first() else {
                continue;
            };
            // k3s rewrites its title to "<path> server", one argument with a space.
            let program = program.split_whitespace().next().unwrap_or(program);
            let name = program.rsplit('/').next().unwrap_or(program);
            if !COMPONENT_PROGRAMS.contains(&name) {
                continue;
            }
            let cwd = fs::read_link(entry.path().join("cwd"))
                .ok()
                .map(|p| p.to_string_lossy().into_owned());
            out.push(Process { pid, argv, cwd });
        }
        out.sort_by_key(|p| p.pid);
        out
    }

    fn root(&self) -> String {
        self.root.display().to_string()
    }

    fn live(&self) -> bool {
        self.live
    }
}

/// Collects a snapshot of a node.
pub fn collect_node(root: &NodeRoot) -> Snapshot {
    collect(root)
}

/// An error reading a saved snapshot.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not a snapshot.
    #[error("{path} is not a node snapshot: {message}")]
    Parse {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
}

/// Reads a snapshot written by `palisade node --collect`.
pub fn read_snapshot(path: &Path) -> Result<Snapshot, SnapshotError> {
    let name = path.display().to_string();
    let text = fs::read_to_string(path).map_err(|source| SnapshotError::Read {
        path: name.clone(),
        source,
    })?;
    let snapshot: Snapshot = serde_json::from_str(&text).map_err(|e| SnapshotError::Parse {
        path: name.clone(),
        message: e.to_string(),
    })?;
    if snapshot.schema != palisade_core::node::snapshot::SNAPSHOT_SCHEMA {
        return Err(SnapshotError::Parse {
            path: name,
            message: format!(
                "schema {:?}, expected {:?}",
                snapshot.schema,
                palisade_core::node::snapshot::SNAPSHOT_SCHEMA
            ),
        });
    }
    Ok(snapshot)
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::{PermissionsExt as _, symlink};

    use super::*;

    #[test]
    fn links_resolve_inside_the_root_and_absence_is_a_state() {
        let root = std::env::temp_dir().join(format!("palisade-io-node-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(root.join("etc/kubernetes/pki")).unwrap();
        fs::write(root.join("etc/kubernetes/real.yaml"), "a: 1\n").unwrap();
        fs::set_permissions(
            root.join("etc/kubernetes/real.yaml"),
            fs::Permissions::from_mode(0o640),
        )
        .unwrap();
        // An absolute target means the node's `/`, not the host's.
        symlink(
            "/etc/kubernetes/real.yaml",
            root.join("etc/kubernetes/link.yaml"),
        )
        .unwrap();
        // Climbing above the root stops at it.
        symlink(
            "../../../../../etc/kubernetes/real.yaml",
            root.join("etc/kubernetes/pki/up.yaml"),
        )
        .unwrap();
        let node = NodeRoot::at(&root);
        for path in ["/etc/kubernetes/link.yaml", "/etc/kubernetes/pki/up.yaml"] {
            match node.read(path, true) {
                FileRecord::File { meta, content } => {
                    assert_eq!(meta.mode, 0o640, "{path}");
                    assert_eq!(content.as_deref(), Some("a: 1\n"), "{path}");
                }
                other => panic!("{path}: {other:?}"),
            }
        }
        assert_eq!(
            node.read("/etc/kubernetes/absent.conf", false),
            FileRecord::NotFound
        );
        match node.read("/etc/kubernetes", false) {
            FileRecord::Directory { entries, .. } => {
                assert_eq!(entries, ["link.yaml", "pki", "real.yaml"]);
            }
            other => panic!("{other:?}"),
        }
        let _ = fs::remove_dir_all(&root);
    }
}
