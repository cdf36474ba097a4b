//! Flags Role and ClusterRole rules that allow requesting tokens for service accounts.

use crate::check::{Check, Reference, Sink};
use crate::inventory::Inventory;
use crate::object::Object;

crate::declare_check! {
    /// ## What it flags
    /// Rules of Roles and ClusterRoles that allow `create` on `serviceaccounts/token` (the
    /// TokenRequest API). Bootstrap defaults are not flagged.
    ///
    /// ## Why it matters
    /// With the TokenRequest API a subject mints a token for any service account it can name,
    /// with the audience and lifetime it chooses, and then acts as that account: in a namespace
    /// holding a controller's account, that is the controller's rights.
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    /// - apiGroups: [""]
    ///   resources: ["serviceaccounts/token"]
    ///   verbs: ["create"]
    /// ```
    ///
    /// ## Fix
    /// Remove the rule. Pods get tokens from the kubelet through projected volumes; systems
    /// outside the cluster should use workload identity federation.
    ///
    /// ## References
    /// NSA/CISA "Authentication and authorization"; MITRE ATT&CK T1528 (Steal Application
    /// Access Token).
    pub struct ServiceAccountTokenCreate {
        id: "PAL-507",
        slug: "service-account-token-create",
        title: "RBAC rule allows minting service account tokens",
        severity: High,
        area: Rbac,
        remediation: "Remove create on serviceaccounts/token; let the kubelet mount projected tokens instead.",
        references: [
            Reference::NsaCisa("authentication-authorization"),
            Reference::MitreAttack("T1528"),
        ],
    }
}

/// Verb, API group and resource of each request the check looks for.
const PRIMITIVES: &[(&str, &str, &str)] = &[
    ("create", "", "serviceaccounts/token"),
];

impl Check for ServiceAccountTokenCreate {
    fn check_object(&self, object: &Object, inventory: &Inventory, out: &mut Sink<'_>) {
        super::report_rules(object, inventory, out, |rule| super::describe_grants(rule, PRIMITIVES));
    }
}
