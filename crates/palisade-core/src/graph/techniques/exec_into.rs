//! Permission to exec or attach in a namespace → every workload there.

use super::Technique;
use crate::graph::{Capability, Context, EdgeSink};

declare_technique! {
    /// ## What
    /// Whoever may use `pods/exec` or `pods/attach` in a namespace runs commands in its pods.
    /// `get` counts as well as `create`: kubectl and the API server accept exec over a
    /// WebSocket upgrade of a GET request.
    ///
    /// ## Why
    /// A shell in a pod gives its token, its mounted secrets and its network position.
    ///
    /// ## Evidence
    /// The workload, after the grant of exec or attach.
    ///
    /// ## MITRE
    /// T1609 (Container Administration Command).
    pub struct ExecInto {
        id: "T-EXEC-INTO",
        slug: "exec-into",
        name: "Exec or attach into a pod",
        mitre: ["T1609"],
    }
}

impl Technique for ExecInto {
    fn add_edges(&self, context: &Context<'_>, out: &mut EdgeSink<'_>) {
        // A grant limited by name reaches the Pod of that name (a workload's pods are named at
        // run time, so only a bare Pod, or a Pod read from a live cluster, can match).
        super::to_workloads(context, out, Capability::ExecPods, |w, set| {
            set.only.is_none() || (&*w.object.kind == "Pod" && set.covers("pods", &w.object.name))
        });
    }
}
