//! Container runtime socket → its node.

use super::{Technique, volume_escape_edges};
use crate::checks::workload::container_runtime_socket::exposes_runtime;
use crate::document::Node;
use crate::graph::{Context, EdgeSink, Evidence};

declare_technique! {
    /// ## What
    /// A hostPath volume of the container runtime's socket (Docker, containerd, CRI-O,
    /// cri-dockerd), as the `container-runtime-socket` check recognises it → its node. The
    /// volume is a vertex, reached from its workload by `T-MOUNT-VOLUME`.
    ///
    /// ## Why
    /// The runtime starts a privileged container on request: full control of the node.
    ///
    /// ## Evidence
    /// The `hostPath` volume.
    ///
    /// ## MITRE
    /// T1611 (Escape to Host), T1610 (Deploy Container).
    pub struct EscapeRuntimeSocket {
        id: "T-ESCAPE-RUNTIME-SOCKET",
        slug: "escape-runtime-socket",
        name: "Escape through the runtime socket",
        mitre: ["T1611", "T1610"],
    }
}

impl Technique for EscapeRuntimeSocket {
    fn add_edges(&self, context: &Context<'_>, out: &mut EdgeSink<'_>) {
        volume_escape_edges(context, out, |w| {
            w.pod
                .volumes()
                .iter()
                .filter_map(|volume| {
                    let name = volume.get("name").and_then(Node::as_str)?;
                    let entry = volume.entry("hostPath")?;
                    let path = entry.value.get("path").and_then(Node::as_str)?;
                    exposes_runtime(path).then(|| {
                        let evidence = Evidence::at(
                            w.file(),
                            entry.key_pos,
                            format!("mounts the runtime socket through {path}"),
                        );
                        (name.to_string(), evidence)
                    })
                })
                .collect()
        });
    }
}
