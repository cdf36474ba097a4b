//! Permission to bind or escalate roles → cluster-admin, or everything in a namespace.

use super::Technique;
use crate::graph::context::{
    NAMESPACE_ADMIN, PermissionSet, bound_role_capabilities, permission_vertex_name,
};
use crate::graph::{Capability, Context, EdgeSink, Evidence, VertexKind};

declare_technique! {
    /// ## What
    /// `bind` or `escalate` on roles or clusterroles, together with the right to write
    /// bindings (or roles), lets an identity grant itself any role: cluster-wide that is
    /// cluster-admin; in a namespace it is everything a namespace admin can do there (create
    /// pods, exec, read secrets, mint tokens, patch workloads). `bind` limited by `resourceNames`
    /// binds only the named roles: the step leads to what those roles allow, where a binding
    /// can be created (a RoleBinding in the namespace, or a ClusterRoleBinding) — cluster-admin
    /// for a role that allows everything, bound cluster-wide (`create` on bindings is never
    /// limited by name). `escalate` with `update` on a named role the identity is bound to
    /// rewrites that role to allow everything: the same as binding rights wherever that
    /// binding takes effect.
    ///
    /// ## Why
    /// These verbs switch off RBAC's escalation check, the one thing that stops a subject from
    /// granting more than it holds.
    ///
    /// ## Evidence
    /// The grants of bind or escalate and of writing bindings (or roles, and the binding of the
    /// rewritten role).
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
        for (set, grant) in &context.permission_sets {
            if set.capability != Capability::BindRoles {
                continue;
            }
            if set.only.is_some() {
                bind_named_role(context, out, set, grant);
                continue;
            }
            let from = out.vertex(VertexKind::Permission, &set.vertex_name());
            match &set.scope {
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

/// Edges from a `bind` set limited to one role to what binding that role gives.
fn bind_named_role(
    context: &Context<'_>,
    out: &mut EdgeSink<'_>,
    set: &PermissionSet,
    grant: &[Evidence],
) {
    let (admin, implied) = bound_role_capabilities(context.rbac, set);
    if admin.is_none() && implied.is_empty() {
        return;
    }
    let from = out.vertex(VertexKind::Permission, &set.vertex_name());
    let role = set.only.as_deref().unwrap_or_default();
    if let Some(rule) = admin {
        let admin = out.vertex(VertexKind::ClusterAdmin, "cluster-admin");
        let mut evidence = grant.to_vec();
        evidence.push(Evidence::at(
            &rule.at.file,
            rule.at.pos,
            format!("{role} allows everything: rule {rule}"),
        ));
        out.edge(from, admin, evidence);
    }
    for target in implied {
        let to = out.vertex(VertexKind::Permission, &target.vertex_name());
        let mut evidence = grant.to_vec();
        evidence.push(Evidence::note(format!("binding {role} gives it")));
        out.edge(from, to, evidence);
    }
}
