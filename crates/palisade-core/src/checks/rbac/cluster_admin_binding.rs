//! Flags bindings of the `cluster-admin` ClusterRole to subjects other than the platform's own.

use crate::check::{Check, Reference, Sink};
use crate::document::Node;
use crate::inventory::Inventory;
use crate::object::Object;

crate::declare_check! {
    /// ## What it flags
    /// RoleBindings and ClusterRoleBindings whose `roleRef` is the `cluster-admin` ClusterRole,
    /// for each subject that is not a `system:` user or group of the platform. Bindings to
    /// everyone (`system:authenticated`, `system:unauthenticated`, `system:anonymous`,
    /// `system:serviceaccounts…`) are flagged too. Bootstrap defaults are not.
    ///
    /// ## Why it matters
    /// `cluster-admin` allows every verb on every resource. Any token of a bound subject — a
    /// laptop's kubeconfig, a CI secret, a pod's service account — is the whole cluster. Through
    /// a RoleBinding it is full control of the namespace, including its Secrets and Roles.
    ///
    /// ## Example
    /// ```yaml
    /// kind: ClusterRoleBinding
    /// roleRef: {kind: ClusterRole, name: cluster-admin}
    /// subjects:
    /// - kind: ServiceAccount
    ///   name: ci
    ///   namespace: build
    /// ```
    ///
    /// ## Fix
    /// Bind a role with the verbs and resources the subject needs (`palisade rbac permissions`
    /// shows what it holds). Keep `cluster-admin` for break-glass access through
    /// `system:masters` credentials kept offline.
    ///
    /// ## References
    /// CIS 5.1.1; NSA/CISA "Authentication and authorization"; MITRE ATT&CK T1078 (Valid
    /// Accounts).
    pub struct ClusterAdminBinding {
        id: "PAL-501",
        slug: "cluster-admin-binding",
        title: "cluster-admin is bound to a user, group or service account",
        severity: Critical,
        area: Rbac,
        remediation: "Bind a least-privilege role instead of cluster-admin.",
        references: [
            Reference::Cis("5.1.1"),
            Reference::NsaCisa("authentication-authorization"),
            Reference::MitreAttack("T1078"),
        ],
    }
}

/// `system:` groups that stand for everyone, or every service account.
fn is_broad_group(name: &str) -> bool {
    matches!(
        name,
        "system:authenticated" | "system:unauthenticated" | "system:anonymous"
    ) || name == "system:serviceaccounts"
        || name.starts_with("system:serviceaccounts:")
}

impl Check for ClusterAdminBinding {
    fn check_object(&self, object: &Object, _inventory: &Inventory, out: &mut Sink<'_>) {
        if !matches!(&*object.kind, "RoleBinding" | "ClusterRoleBinding")
            || object.group() != super::RBAC_GROUP
            || super::is_bootstrap_default(object)
        {
            return;
        }
        let Some(role_ref) = object.root.get("roleRef") else { return };
        if role_ref.get("kind").and_then(Node::as_str) != Some("ClusterRole")
            || role_ref.get("name").and_then(Node::as_str) != Some("cluster-admin")
        {
            return;
        }
        let Some(subjects) = object.root.get("subjects") else { return };
        for (i, subject) in subjects.items().iter().enumerate() {
            let kind = subject.get("kind").and_then(Node::as_str).unwrap_or_default();
            let name = subject.get("name").and_then(Node::as_str).unwrap_or_default();
            let platform = kind != "ServiceAccount"
                && name.starts_with("system:")
                && !is_broad_group(name);
            if platform {
                continue;
            }
            let scope = if &*object.kind == "ClusterRoleBinding" {
                "the whole cluster"
            } else {
                "full control of the namespace"
            };
            out.report(
                subject.pos,
                format!("subjects[{i}]"),
                format!("{} \"{}\" gives {kind} {name} cluster-admin: {scope}", object.kind, object.name),
            );
        }
    }
}
