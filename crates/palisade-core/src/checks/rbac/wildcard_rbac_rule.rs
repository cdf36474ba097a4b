//! Flags Role and ClusterRole rules that grant every verb or every resource.

use crate::check::{Check, Reference, Sink};
use crate::inventory::Inventory;
use crate::object::Object;

crate::declare_check! {
    /// ## What it flags
    /// Rules of Roles and ClusterRoles with `*` in `verbs`, or `*` in `resources`.
    /// Bootstrap defaults (`cluster-admin` and the controllers' roles) are not flagged.
    ///
    /// ## Why it matters
    /// A wildcard grants what exists today and everything added later: new verbs such as
    /// `escalate`, subresources such as `pods/exec` and `nodes/proxy`, and every custom resource
    /// an operator installs. Reviewing such a role tells nothing about what it allows.
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    /// - apiGroups: ["apps"]
    ///   resources: ["*"]
    ///   verbs: ["*"]
    /// ```
    ///
    /// ## Fix
    /// List the resources and verbs the subject needs.
    ///
    /// ## References
    /// CIS 5.1.3; NSA/CISA "Authentication and authorization".
    pub struct WildcardRbacRule {
        id: "PAL-502",
        slug: "wildcard-rbac-rule",
        title: "RBAC rule grants every verb or every resource",
        severity: High,
        area: Rbac,
        remediation: "Replace * with the verbs and resources the subject needs.",
        references: [
            Reference::Cis("5.1.3"),
            Reference::NsaCisa("authentication-authorization"),
        ],
    }
}

impl Check for WildcardRbacRule {
    fn check_object(&self, object: &Object, inventory: &Inventory, out: &mut Sink<'_>) {
        super::report_rules(object, inventory, out, |rule| {
            let verbs = rule.verbs.iter().any(|v| v == "*");
            let resources = rule.resources.iter().any(|r| r == "*");
            // A rule names either resources or non-resource URLs; say which it grants.
            let targets = if rule.resources.is_empty() {
                format!("non-resource URLs {}", rule.non_resource_urls.join(", "))
            } else {
                rule.resources.join(", ")
            };
            match (verbs, resources) {
                (true, true) => Some("rule grants every verb on every resource".to_string()),
                (true, false) => Some(format!("rule grants every verb on {targets}")),
                (false, true) => Some(format!(
                    "rule grants {} on every resource",
                    rule.verbs.join(", ")
                )),
                (false, false) => None,
            }
        });
    }
}
