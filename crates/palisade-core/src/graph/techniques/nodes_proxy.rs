//! `nodes/proxy` → the kubelet API of every node → exec into every pod.

use super::Technique;
use crate::graph::{Capability, Context, EdgeSink};

declare_technique! {
    /// ## What
    /// `get` or `create` on `nodes/proxy` reaches the kubelet API of every node through the API
    /// server, whose `/exec` and `/run` endpoints run commands in any pod on the node — with no
    /// `pods/exec` check and no audit of the command.
    ///
    /// ## Why
    /// Monitoring agents often get `nodes/proxy` to read metrics; it is exec everywhere.
    ///
    /// ## Evidence
    /// The workload, after the grant of `nodes/proxy`.
    ///
    /// ## MITRE
    /// T1609 (Container Administration Command).
    pub struct NodesProxy {
        id: "T-NODES-PROXY",
        slug: "nodes-proxy",
        name: "Run commands through the kubelet API",
        mitre: ["T1609"],
    }
}

impl Technique for NodesProxy {
    fn add_edges(&self, context: &Context<'_>, out: &mut EdgeSink<'_>) {
        // The kubelet of a named node serves the pods pinned to it and those that may be scheduled
        // there (every pod not pinned elsewhere).
        super::to_workloads(context, out, Capability::NodesProxy, |w, set| {
            match (set.only_name(), w.node_name) {
                (Some(node), Some(pinned)) if !w.on_every_node => node == pinned,
                _ => true,
            }
        });
    }
}
