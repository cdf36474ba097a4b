//! hostPath volume of a node-owning directory → its node.

use super::{Technique, volume_escape_edges};
use crate::document::Node;
use crate::graph::{Context, EdgeSink, Evidence};

declare_technique! {
    /// ## What
    /// A hostPath volume (a vertex, reached from its workload by `T-MOUNT-VOLUME`) of a
    /// directory from which the node can be taken over → its node: `/`, `/etc`, `/root`, `/var/lib/kubelet`, `/var/lib`, `/var`, `/proc`,
    /// `/sys`, `/dev`, `/boot`, `/usr`, `/lib`, `/bin` or `/sbin`.
    ///
    /// ## Why
    /// Writing there plants a cron job, an SSH key, a static pod manifest or a kubelet
    /// credential; reading there collects every pod's secrets and tokens.
    ///
    /// ## Evidence
    /// The `hostPath` volume.
    ///
    /// ## MITRE
    /// T1611 (Escape to Host).
    pub struct EscapeHostPath {
        id: "T-ESCAPE-HOST-PATH",
        slug: "escape-host-path",
        name: "Escape through a hostPath volume",
        mitre: ["T1611"],
    }
}

/// Directories whose contents give the node away.
const NODE_OWNING: &[&str] = &[
    "/",
    "/etc",
    "/root",
    "/var",
    "/var/lib",
    "/var/lib/kubelet",
    "/proc",
    "/sys",
    "/dev",
    "/boot",
    "/usr",
    "/lib",
    "/bin",
    "/sbin",
];

fn owns_node(path: &str) -> bool {
    let trimmed = path.trim();
    let normal = if trimmed.len() > 1 {
        trimmed.trim_end_matches('/')
    } else {
        trimmed
    };
    NODE_OWNING.contains(&normal)
}

impl Technique for EscapeHostPath {
    fn add_edges(&self, context: &Context<'_>, out: &mut EdgeSink<'_>) {
        volume_escape_edges(context, out, |w| {
            w.pod
                .volumes()
                .iter()
                .filter_map(|volume| {
                    let name = volume.get("name").and_then(Node::as_str)?;
                    let entry = volume.entry("hostPath")?;
                    let path = entry.value.get("path").and_then(Node::as_str)?;
                    owns_node(path).then(|| {
                        let evidence =
                            Evidence::at(w.file(), entry.key_pos, format!("mounts the node's {path}"));
                        (name.to_string(), evidence)
                    })
                })
                .collect()
        });
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn node_owning_paths_are_recognised() {
        assert!(super::owns_node("/"));
        assert!(super::owns_node("/etc/"));
        assert!(!super::owns_node("/var/log/app"));
    }
}
