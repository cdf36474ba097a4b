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
        super::to_workloads(context, out, Capability::NodesProxy, |_| true);
    }
}
