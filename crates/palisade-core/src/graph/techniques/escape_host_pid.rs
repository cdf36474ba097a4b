//! Pod in the host's process namespace → its node.

use super::{Technique, escape_edges};
use crate::document::Node;
use crate::graph::{Context, EdgeSink, Evidence};

declare_technique! {
    /// ## What
    /// A container of a pod that shares the host's process namespace (`hostPID: true`) → its
    /// node; each container of the pod is a vertex, reached from the workload
    /// (`T-RUN-IN-CONTAINER`).
    ///
    /// ## Why
    /// Every process of the node is visible: their environment and memory can be read through
    /// `/proc`, and with root `nsenter -t 1` enters the node.
    ///
    /// ## Evidence
    /// The `hostPID` setting.
    ///
    /// ## MITRE
    /// T1611 (Escape to Host).
    pub struct EscapeHostPid {
        id: "T-ESCAPE-HOST-PID",
        slug: "escape-host-pid",
        name: "Escape through the host's process namespace",
        mitre: ["T1611"],
    }
}

impl Technique for EscapeHostPid {
    fn add_edges(&self, context: &Context<'_>, out: &mut EdgeSink<'_>) {
        escape_edges(context, out, |w| {
            if w.pod.get("hostPID").and_then(Node::as_bool) != Some(true) {
                return Vec::new();
            }
            // Every container of the pod sees the node's processes.
            w.pod
                .containers()
                .map(|c| {
                    let evidence = Evidence::at(
                        w.file(),
                        w.pod.field_pos("hostPID"),
                        format!("{} shares the host's process namespace", c.describe()),
                    );
                    (c.name().to_string(), evidence)
                })
                .collect()
        });
    }
}
