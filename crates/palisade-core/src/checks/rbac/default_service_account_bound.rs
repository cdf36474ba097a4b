//! Flags bindings that give a role to a namespace's `default` service account.

use crate::check::{Check, Reference, Sink};
use crate::document::Node;
use crate::inventory::Inventory;
use crate::object::Object;

crate::declare_check! {
    /// ## What it flags
    /// ServiceAccount subjects named `default` in RoleBindings and ClusterRoleBindings.
    /// Bootstrap defaults are not flagged.
    ///
    /// ## Why it matters
    /// Every pod that names no service account runs as `default`, and its token is mounted
    /// unless automounting is turned off. Rights given to `default` go to every such pod of the
    /// namespace, including ones nobody meant to have them.
    ///
    /// ## Example
    /// ```yaml
    /// kind: RoleBinding
    /// subjects:
    /// - kind: ServiceAccount
    ///   name: default
    /// ```
    ///
    /// ## Fix
    /// Create a service account for the workload that needs the rights, bind the role to it,
    /// and set `serviceAccountName` in that workload only.
    ///
    /// ## References
    /// CIS 5.1.5; NSA/CISA "Authentication and authorization"; MITRE ATT&CK T1078.001 (Valid
    /// Accounts: Default Accounts).
    pub struct DefaultServiceAccountBound {
        id: "PAL-514",
        slug: "default-service-account-bound",
        title: "A role is bound to a default service account",
        severity: Medium,
        area: Rbac,
        remediation: "Bind the role to a dedicated service account instead of default.",
        references: [
            Reference::Cis("5.1.5"),
            Reference::NsaCisa("authentication-authorization"),
            Reference::MitreAttack("T1078.001"),
        ],
    }
}

impl Check for DefaultServiceAccountBound {
    fn check_object(&self, object: &Object, _inventory: &Inventory, out: &mut Sink<'_>) {
        let Some((role, subjects)) = super::authored_binding(object) else {
            return;
        };
        for (i, subject) in subjects {
            let kind = subject.get("kind").and_then(Node::as_str);
            let name = subject.get("name").and_then(Node::as_str);
            if kind != Some("ServiceAccount") || name != Some("default") {
                continue;
            }
            let namespace = subject
                .get("namespace")
                .and_then(Node::as_str)
                .or(object.namespace.as_deref())
                .unwrap_or("?");
            out.report(
                subject.pos,
                format!("subjects[{i}]"),
                format!(
                    "{} \"{}\" grants {role} to the default service account of namespace {namespace}",
                    object.kind, object.name
                ),
            );
        }
    }
}
