//! Identity allowed everything → every node, because nothing admits a privileged pod more surely.

use super::Technique;
use crate::graph::context::ANY_NODE;
use crate::graph::{Capability, Context, EdgeSink, Evidence, VertexKind};

declare_technique! {
    /// ## What
    /// An identity that RBAC authorizes for everything cluster-wide (or a member of
    /// `system:masters`) can take over any node: it may relabel a namespace to lift Pod
    /// Security enforcement and then create a privileged pod with the host's namespaces and file
    /// system, pinned to the node of its choice with `nodeName`.
    ///
    /// ## Why
    /// Cluster-admin is not only an API-level prize: it is root on every machine of the
    /// cluster, with every kubelet credential and every token of every pod on them. Without
    /// this edge a search for node takeover would stop at cluster-admin and miss the paths
    /// that lead there.
    ///
    /// ## Evidence
    /// The ClusterRoleBinding and the wildcard rule that make the identity cluster-admin.
    ///
    /// ## MITRE
    /// T1610 (Deploy Container), T1611 (Escape to Host).
    pub struct AdminOwnsNodes {
        id: "T-ADMIN-OWNS-NODES",
        slug: "admin-owns-nodes",
        name: "Cluster-admin runs a privileged pod on any node",
        mitre: ["T1610", "T1611"],
    }
}

impl Technique for AdminOwnsNodes {
    fn add_edges(&self, context: &Context<'_>, out: &mut EdgeSink<'_>) {
        let mut node = None;
        for identity in &context.identities {
            if let Some(held) = identity
                .held
                .iter()
                .find(|h| h.capability == Capability::ClusterAdmin)
            {
                let from = out.vertex(identity.kind, &identity.name);
                let to = *node.get_or_insert_with(|| out.vertex(VertexKind::Node, ANY_NODE));
                let mut evidence = held.evidence.clone();
                evidence.push(Evidence::note(
                    "allowed everything: may lift Pod Security and schedule a privileged pod on any node",
                ));
                out.edge(from, to, evidence);
            }
        }
        if let Some(masters) = out.existing("group:system:masters") {
            let to = *node.get_or_insert_with(|| out.vertex(VertexKind::Node, ANY_NODE));
            out.edge(
                masters,
                to,
                vec![Evidence::note(
                    "members of system:masters are allowed everything, privileged pods included",
                )],
            );
        }
    }
}
