//! Permission to impersonate → the identities it can act as.

use super::Technique;
use crate::graph::context::permission_vertex_name;
use crate::graph::{Capability, Context, EdgeSink, VertexKind};

declare_technique! {
    /// ## What
    /// `impersonate` on `groups` lets a request claim any group, `system:masters` included;
    /// on `users`, any user (every user and service account of the graph); on
    /// `serviceaccounts`, any service account of the namespace (or all of them).
    ///
    /// ## Why
    /// Impersonation is how administrators debug RBAC; held by anyone else it is every other
    /// identity's rights.
    ///
    /// ## Evidence
    /// The grant of `impersonate`, and the identity it reaches.
    ///
    /// ## MITRE
    /// T1078 (Valid Accounts), T1134 (Access Token Manipulation).
    pub struct Impersonate {
        id: "T-IMPERSONATE",
        slug: "impersonate",
        name: "Impersonate an identity",
        mitre: ["T1078", "T1134"],
    }
}

impl Technique for Impersonate {
    fn add_edges(&self, context: &Context<'_>, out: &mut EdgeSink<'_>) {
        for ((held, scope), grant) in &context.permission_sets {
            let from_name = permission_vertex_name(*held, scope.as_deref());
            match held {
                Capability::ImpersonateGroups => {
                    let from = out.vertex(VertexKind::Permission, &from_name);
                    let to = out.vertex(VertexKind::Group, "group:system:masters");
                    out.edge(from, to, grant.clone());
                }
                Capability::ImpersonateUsers => {
                    let from = out.vertex(VertexKind::Permission, &from_name);
                    for identity in context
                        .identities
                        .iter()
                        .filter(|i| i.kind != VertexKind::Group)
                    {
                        let to = out.vertex(identity.kind, &identity.name);
                        out.edge(from, to, grant.clone());
                    }
                }
                Capability::ImpersonateServiceAccounts => {
                    super::to_service_accounts_of(context, out, *held, scope.as_deref(), grant);
                }
                _ => {}
            }
        }
    }
}
