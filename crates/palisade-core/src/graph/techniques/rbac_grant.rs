//! Identity → the permission sets RBAC grants it.

use super::Technique;
use crate::graph::{Capability, Context, EdgeSink, VertexKind};

declare_technique! {
    /// ## What
    /// A service account, user or group holds a dangerous capability (create pods, exec, read
    /// secrets, mint tokens, impersonate, bind roles, approve certificates, write mutating
    /// webhooks, patch workloads, the kubelet API) in a namespace or cluster-wide, as the RBAC
    /// model's authorizer computes it — group bindings included.
    ///
    /// ## Why
    /// What an identity can do, not what its role is called, decides where an attacker holding
    /// its credentials can go next.
    ///
    /// ## Evidence
    /// The binding and the rule that grant the capability.
    ///
    /// ## MITRE
    /// T1078.004 (Valid Accounts: Cloud Accounts).
    pub struct RbacGrant {
        id: "T-RBAC-GRANT",
        slug: "rbac-grant",
        name: "RBAC grants a dangerous capability",
        mitre: ["T1078.004"],
    }
}

impl Technique for RbacGrant {
    fn add_edges(&self, context: &Context<'_>, out: &mut EdgeSink<'_>) {
        for identity in &context.identities {
            for held in &identity.held {
                if held.capability == Capability::ClusterAdmin {
                    continue;
                }
                let from = out.vertex(identity.kind, &identity.name);
                let to = out.vertex(VertexKind::Permission, &held.set().vertex_name());
                out.edge(from, to, held.evidence.clone());
            }
        }
    }
}
