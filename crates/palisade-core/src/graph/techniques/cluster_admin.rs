//! Identity → cluster-admin, when it may do everything cluster-wide.

use super::Technique;
use crate::graph::{Capability, Context, EdgeSink, Evidence, VertexKind};

declare_technique! {
    /// ## What
    /// An identity that RBAC authorizes for every verb on every resource of every API group
    /// cluster-wide (whatever the role is called), or the group `system:masters`, which the
    /// API server allows everything before RBAC is asked.
    ///
    /// ## Why
    /// This is the end of the kill chain: full control of the cluster and every workload,
    /// secret and node in it.
    ///
    /// ## Evidence
    /// The ClusterRoleBinding and the wildcard rule.
    ///
    /// ## MITRE
    /// T1078 (Valid Accounts), T1098 (Account Manipulation).
    pub struct ClusterAdmin {
        id: "T-CLUSTER-ADMIN",
        slug: "cluster-admin",
        name: "Holds cluster-admin",
        mitre: ["T1078", "T1098"],
    }
}

impl Technique for ClusterAdmin {
    fn add_edges(&self, context: &Context<'_>, out: &mut EdgeSink<'_>) {
        let admin = out.vertex(VertexKind::ClusterAdmin, "cluster-admin");
        for identity in &context.identities {
            if let Some(held) = identity
                .held
                .iter()
                .find(|h| h.capability == Capability::ClusterAdmin)
            {
                let from = out.vertex(identity.kind, &identity.name);
                out.edge(from, admin, held.evidence.clone());
            }
        }
        if let Some(masters) = out.existing("group:system:masters") {
            out.edge(
                masters,
                admin,
                vec![Evidence::note(
                    "members of system:masters are allowed everything before RBAC is asked",
                )],
            );
        }
    }
}
