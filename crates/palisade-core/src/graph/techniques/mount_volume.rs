//! Workload → one of its volumes, when that volume leads somewhere.

use super::{Technique, workload_evidence, workload_vertex};
use crate::graph::context::volume_vertex_name;
use crate::graph::{Context, EdgeSink, Evidence};

declare_technique! {
    /// ## What
    /// Code execution in a workload's pods reads (and, unless read-only, writes) the volumes its
    /// containers mount. A volume is a vertex only when a step leaves it: a hostPath of a
    /// node-owning directory or of the runtime socket (→ node), a Secret or a projected Secret
    /// source (→ Secret), a projected service account token (→ service account).
    ///
    /// ## Why
    /// The volume, not the workload, is what holds the credential or opens the node: the path
    /// names the one to remove.
    ///
    /// ## Evidence
    /// The volume's `name` in the pod spec.
    ///
    /// ## MITRE
    /// T1552.001 (Unsecured Credentials: Credentials In Files), T1611 (Escape to Host).
    pub struct MountVolume {
        id: "T-MOUNT-VOLUME",
        slug: "mount-volume",
        name: "Use a volume of the workload",
        mitre: ["T1552.001", "T1611"],
    }
}

impl Technique for MountVolume {
    fn add_edges(&self, context: &Context<'_>, out: &mut EdgeSink<'_>) {
        for w in &context.workloads {
            for volume in w.pod.volumes() {
                let Some(entry) = volume.entry("name") else {
                    continue;
                };
                let Some(volume_name) = entry.value.as_str() else {
                    continue;
                };
                let Some(to) = out.existing(&volume_vertex_name(&w.name, volume_name)) else {
                    continue;
                };
                let from = workload_vertex(out, w);
                let evidence = vec![
                    Evidence::at(
                        w.file(),
                        entry.key_pos,
                        format!("volume {volume_name} of {}", w.name),
                    ),
                    workload_evidence(w, w.name.clone()),
                ];
                out.edge(from, to, evidence);
            }
        }
    }
}

