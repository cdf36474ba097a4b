//! Permission to bind or escalate roles → cluster-admin, or everything in a namespace.

use super::Technique;
use crate::graph::context::{NAMESPACE_ADMIN, permission_vertex_name};
use crate::graph::{Capability, Context, EdgeSink, Evidence, VertexKind};

declare_technique! {
    /// ## What
    /// `bind` or `escalate` on roles or clusterroles, together with the right to write
    /// bindings (or roles), lets an identity grant itself any role: cluster-wide that is
    /// cluster-admin; in a namespace it is everything a namespace admin can do there (create
    /// pods, exec, read secrets, mint tokens, patch workloads).
    ///
    /// ## Why
    /// These verbs switch off RBAC's escalation check, the one thing that stops a subject from
    /// granting more than it holds.
    ///
    /// ## Evidence
    /// The grants of bind or escalate and of writing bindings.
    ///
    /// ## MITRE
    /// T1098 (Account Manipulation), T1078 (Valid Accounts).
    pub struct BindEscalate {
        id: "T-BIND-ESCALATE",
        slug: "bind-escalate",
        name: "Bind or escalate a role",
        mitre: ["T1098", "T1078"],
    }
}

impl Technique for BindEscalate {
    fn add_edges(&self, context: &Context<'_>, out: &mut EdgeSink<'_>) {
        for ((held, scope), grant) in &context.permission_sets {
            if *held != Capability::BindRoles {
                continue;
            }
            let from = out.vertex(
                VertexKind::Permission,
                &permission_vertex_name(Capability::BindRoles, scope.as_deref()),
            );
            match scope {
                None => {
                    let admin = out.vertex(VertexKind::ClusterAdmin, "cluster-admin");
                    let mut evidence = grant.clone();
                    evidence.push(Evidence::note("can bind cluster-admin to itself"));
                    out.edge(from, admin, evidence);
                }
                Some(ns) => {
                    for implied in NAMESPACE_ADMIN {
                        let to = out.vertex(
                            VertexKind::Permission,
                            &permission_vertex_name(*implied, Some(ns)),
                        );
                        out.edge(from, to, grant.clone());
                    }
                }
            }
        }
    }
}
