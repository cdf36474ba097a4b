//! Node → every pod (and so every token and secret) that runs or may run on it.

use super::{Technique, workload_evidence, workload_vertex};
use crate::graph::context::ANY_NODE;
use crate::graph::{Context, EdgeSink, Evidence, VertexKind};

declare_technique! {
    /// ## What
    /// Root on a node controls every pod on it: the kubelet holds their service account tokens
    /// and mounted secrets. A pod pinned with `nodeName` runs on that node; a DaemonSet runs on
    /// every node; any other pod may be scheduled to any node (`node:*`), so taking over some
    /// node reaches them.
    ///
    /// ## Why
    /// One escape spreads to whatever shares the node, often a controller with broad rights.
    ///
    /// ## Evidence
    /// The pod's `nodeName`, or the workload.
    ///
    /// ## MITRE
    /// T1552.001 (Credentials In Files), T1528 (Steal Application Access Token).
    pub struct NodeControl {
        id: "T-NODE-CONTROL",
        slug: "node-control",
        name: "Control the pods of a node",
        mitre: ["T1552.001", "T1528"],
    }
}

impl Technique for NodeControl {
    fn add_edges(&self, context: &Context<'_>, out: &mut EdgeSink<'_>) {
        let any = Some(out.vertex(VertexKind::Node, ANY_NODE));
        let mut named: std::collections::BTreeMap<&str, Evidence> = context
            .nodes
            .iter()
            .map(|node| {
                (
                    &*node.name,
                    Evidence::at(
                        &node.source.file,
                        node.pos(),
                        format!("node {} can run any unpinned pod", node.name),
                    ),
                )
            })
            .collect();
        for w in &context.workloads {
            if let Some(name) = w.node_name.filter(|_| !w.on_every_node) {
                named.entry(name).or_insert_with(|| {
                    Evidence::at(
                        w.file(),
                        w.pod.field_pos("nodeName"),
                        format!("node {name} can run any unpinned pod"),
                    )
                });
            }
        }
        for (name, evidence) in named {
            let v = out.vertex(VertexKind::Node, &format!("node:{name}"));
            if let Some(any) = any {
                out.edge(v, any, vec![evidence]);
            }
        }
        for w in &context.workloads {
            let node = match w.node_name {
                Some(name) if !w.on_every_node => {
                    let evidence = Evidence::at(
                        w.file(),
                        w.pod.field_pos("nodeName"),
                        format!("pods run on node {name}"),
                    );
                    (out.vertex(VertexKind::Node, &format!("node:{name}")), evidence)
                }
                _ => {
                    let Some(any) = any else { continue };
                    let what = if w.on_every_node {
                        "runs on every node"
                    } else {
                        "may be scheduled to any node"
                    };
                    (any, workload_evidence(w, format!("{} {what}", w.name)))
                }
            };
            let to = workload_vertex(out, w);
            out.edge(node.0, to, vec![node.1]);
        }
    }
}
