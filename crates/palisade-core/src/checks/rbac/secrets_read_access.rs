//! Flags Role and ClusterRole rules that let a subject read Secrets.

use crate::check::{Check, Reference, Sink};
use crate::inventory::Inventory;
use crate::object::Object;

crate::declare_check! {
    /// ## What it flags
    /// Rules of Roles and ClusterRoles that allow `get`, `list` or `watch` on `secrets` (core
    /// group), directly or through wildcards. Rules limited by `resourceNames` are narrow and
    /// not flagged. Bootstrap defaults are not flagged.
    ///
    /// ## Why it matters
    /// Secrets hold service account tokens, registry and cloud credentials, and TLS keys.
    /// `list` and `watch` return their contents, not only their names. Whoever can read the
    /// Secrets of a namespace can act as every service account in it; cluster-wide, as the
    /// controllers.
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    /// - apiGroups: [""]
    ///   resources: ["secrets"]
    ///   verbs: ["get", "list"]
    /// ```
    ///
    /// ## Fix
    /// Limit the rule to the Secrets the subject needs with `resourceNames` (which allows `get`
    /// but never `list` or `watch`), or mount the Secret into the pod instead of reading it
    /// through the API.
    ///
    /// ## References
    /// CIS 5.1.2; NSA/CISA "Secrets"; MITRE ATT&CK T1552.007 (Unsecured Credentials: Container
    /// API).
    pub struct SecretsReadAccess {
        id: "PAL-503",
        slug: "secrets-read-access",
        title: "RBAC rule allows reading Secrets",
        severity: High,
        area: Rbac,
        remediation: "Limit the rule with resourceNames or remove get, list and watch on secrets.",
        references: [
            Reference::Cis("5.1.2"),
            Reference::NsaCisa("secrets"),
            Reference::MitreAttack("T1552.007"),
        ],
    }
}

impl Check for SecretsReadAccess {
    fn check_object(&self, object: &Object, inventory: &Inventory, out: &mut Sink<'_>) {
        super::report_rules(object, inventory, out, |rule| {
            let verbs = super::granted(rule, &["get", "list", "watch"], "", "secrets");
            (!verbs.is_empty()).then(|| format!("rule allows {} on secrets", verbs.join(", ")))
        });
    }
}
