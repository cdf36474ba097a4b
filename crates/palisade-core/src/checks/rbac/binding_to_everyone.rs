//! Flags bindings whose subjects stand for everyone: anonymous, unauthenticated or all
//! authenticated users.

use crate::check::{Check, Reference, Sink};
use crate::document::Node;
use crate::inventory::Inventory;
use crate::object::Object;

crate::declare_check! {
    /// ## What it flags
    /// Subjects `system:anonymous` (User), `system:unauthenticated` and `system:authenticated`
    /// (Groups) of RoleBindings and ClusterRoleBindings, whatever the role. Bootstrap defaults
    /// (discovery, health and version endpoints) are not flagged.
    ///
    /// ## Why it matters
    /// `system:unauthenticated` and `system:anonymous` are anyone who can reach the API server.
    /// `system:authenticated` is every user and every service account of every namespace, and
    /// on managed clusters often any account of the cloud provider: a role bound to it is a
    /// role of every compromised pod.
    ///
    /// ## Example
    /// ```yaml
    /// kind: ClusterRoleBinding
    /// roleRef: {kind: ClusterRole, name: view}
    /// subjects:
    /// - kind: Group
    ///   name: system:authenticated
    /// ```
    ///
    /// ## Fix
    /// Bind the role to the users, groups or service accounts that need it.
    ///
    /// ## References
    /// CIS 5.1.1; NSA/CISA "Authentication and authorization"; MITRE ATT&CK T1078.001 (Valid
    /// Accounts: Default Accounts).
    pub struct BindingToEveryone {
        id: "PAL-513",
        slug: "binding-to-everyone",
        title: "Role is bound to anonymous or all authenticated users",
        severity: High,
        area: Rbac,
        remediation: "Bind the role to named users, groups or service accounts instead.",
        references: [
            Reference::Cis("5.1.1"),
            Reference::NsaCisa("authentication-authorization"),
            Reference::MitreAttack("T1078.001"),
        ],
    }
}

impl Check for BindingToEveryone {
    fn check_object(&self, object: &Object, _inventory: &Inventory, out: &mut Sink<'_>) {
        let Some((role, subjects)) = super::authored_binding(object) else {
            return;
        };
        for (i, subject) in subjects {
            let kind = subject.get("kind").and_then(Node::as_str).unwrap_or_default();
            let name = subject.get("name").and_then(Node::as_str).unwrap_or_default();
            let everyone = matches!(
                (kind, name),
                ("User", "system:anonymous")
                    | ("Group", "system:unauthenticated" | "system:authenticated")
            );
            if everyone {
                out.report(
                    subject.pos,
                    format!("subjects[{i}]"),
                    format!("{} \"{}\" grants {role} to {kind} {name}", object.kind, object.name),
                );
            }
        }
    }
}
