//! Permission to impersonate → the identities it can act as.

use super::Technique;
use crate::graph::{Capability, Context, EdgeSink, VertexKind};

declare_technique! {
    /// ## What
    /// `impersonate` on `groups` lets a request claim any group, `system:masters` included;
    /// on `users`, any user (every user and service account of the graph); on
    /// `serviceaccounts`, any service account of the namespace (or all of them). A grant limited
    /// by `resourceNames` reaches only the users, groups or service accounts it names (a
    /// service account also by its user name `system:serviceaccount:ns:name`).
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
        for (set, grant) in &context.permission_sets {
            match set.capability {
                Capability::ImpersonateGroups => {
                    // Any group means system:masters; a named group is that group, when it is
                    // system:masters or something RBAC grants rights to.
                    let group = set.only_name().unwrap_or(MASTERS);
                    let name = format!("group:{group}");
                    if group != MASTERS && !context.identities.iter().any(|i| i.name == name) {
                        continue;
                    }
                    let from = out.vertex(VertexKind::Permission, &set.vertex_name());
                    let to = out.vertex(VertexKind::Group, &name);
                    out.edge(from, to, grant.clone());
                }
                Capability::ImpersonateUsers => {
                    let mut from = None;
                    for identity in context
                        .identities
                        .iter()
                        .filter(|i| i.kind != VertexKind::Group)
                        .filter(|i| set.only.is_none() || set.covers("users", &user_name(&i.name)))
                    {
                        let from = *from.get_or_insert_with(|| {
                            out.vertex(VertexKind::Permission, &set.vertex_name())
                        });
                        let to = out.vertex(identity.kind, &identity.name);
                        out.edge(from, to, grant.clone());
                    }
                }
                Capability::ImpersonateServiceAccounts => {
                    super::to_service_accounts_of(context, out, set, grant);
                }
                _ => {}
            }
        }
    }
}

const MASTERS: &str = "system:masters";

/// The user name the API server knows an identity vertex by.
fn user_name(vertex: &str) -> String {
    if let Some(account) = vertex.strip_prefix("sa:") {
        let (ns, name) = account.split_once('/').unwrap_or(("", account));
        format!("system:serviceaccount:{ns}:{name}")
    } else {
        vertex.strip_prefix("user:").unwrap_or(vertex).to_string()
    }
}
