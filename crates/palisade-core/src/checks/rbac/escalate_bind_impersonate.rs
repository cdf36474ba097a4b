//! Flags Role and ClusterRole rules with the verbs that bypass RBAC's own escalation
//! prevention: `escalate`, `bind` and `impersonate`.

use crate::check::{Check, Reference, Sink};
use crate::inventory::Inventory;
use crate::object::Object;

crate::declare_check! {
    /// ## What it flags
    /// Rules of Roles and ClusterRoles that allow `escalate` or `bind` on `roles` or
    /// `clusterroles` (`rbac.authorization.k8s.io`), or `impersonate` on `users`, `groups`,
    /// `serviceaccounts` or `uids`, directly or through wildcards. Bootstrap defaults are not
    /// flagged.
    ///
    /// ## Why it matters
    /// The API server lets a subject create or change a role, or bind one, only with rights it
    /// already holds. `escalate` lifts that limit for editing roles, `bind` for binding them:
    /// either lets a subject grant itself anything. `impersonate` makes requests as another
    /// user, group or service account, such as `system:masters`.
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    /// - apiGroups: [""]
    ///   resources: ["users", "groups"]
    ///   verbs: ["impersonate"]
    /// ```
    ///
    /// ## Fix
    /// Remove these verbs. If a controller must bind roles, limit `bind` with `resourceNames`
    /// to the roles it hands out.
    ///
    /// ## References
    /// CIS 5.1.8; NSA/CISA "Authentication and authorization"; MITRE ATT&CK T1078 (Valid
    /// Accounts).
    pub struct EscalateBindImpersonate {
        id: "PAL-506",
        slug: "escalate-bind-impersonate",
        title: "RBAC rule allows escalate, bind or impersonate",
        severity: Critical,
        area: Rbac,
        remediation: "Remove escalate, bind and impersonate, or limit them with resourceNames.",
        references: [
            Reference::Cis("5.1.8"),
            Reference::NsaCisa("authentication-authorization"),
            Reference::MitreAttack("T1078"),
        ],
    }
}

/// Verb, API group and resource of each escalation primitive.
const PRIMITIVES: &[(&str, &str, &str)] = &[
    ("escalate", super::RBAC_GROUP, "roles"),
    ("escalate", super::RBAC_GROUP, "clusterroles"),
    ("bind", super::RBAC_GROUP, "roles"),
    ("bind", super::RBAC_GROUP, "clusterroles"),
    ("impersonate", "", "users"),
    ("impersonate", "", "groups"),
    ("impersonate", "", "serviceaccounts"),
    ("impersonate", "authentication.k8s.io", "uids"),
];

impl Check for EscalateBindImpersonate {
    fn check_object(&self, object: &Object, inventory: &Inventory, out: &mut Sink<'_>) {
        // Users, groups and uids are cluster-scoped: a namespaced Role cannot grant them.
        let namespaced = &*object.kind == "Role";
        super::report_rules(object, inventory, out, |rule| {
            let what: Vec<String> = PRIMITIVES
                .iter()
                .filter(|(verb, _, resource)| {
                    !(namespaced && *verb == "impersonate" && *resource != "serviceaccounts")
                })
                .filter(|(verb, group, resource)| {
                    !super::granted(rule, &[verb], group, resource).is_empty()
                })
                .map(|(verb, _, resource)| format!("{verb} {resource}"))
                .collect();
            (!what.is_empty()).then(|| format!("rule allows {}", what.join(", ")))
        });
    }
}
