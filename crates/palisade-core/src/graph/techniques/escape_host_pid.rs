//! Pod in the host's process namespace → its node.

use super::{Technique, escape_edges};
use crate::document::Node;
use crate::graph::{Context, EdgeSink, Evidence};

declare_technique! {
    /// ## What
    /// A workload whose pods share the host's process namespace (`hostPID: true`).
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
            if w.pod.get("hostPID").and_then(Node::as_bool) == Some(true) {
                vec![Evidence::at(
                    w.file(),
                    w.pod.field_pos("hostPID"),
                    "pods share the host's process namespace",
                )]
            } else {
                Vec::new()
            }
        });
    }
}
