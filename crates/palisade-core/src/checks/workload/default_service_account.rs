//! Flags pods that run as their namespace's `default` service account with a token mounted.

use crate::check::{Check, Reference, Sink};
use crate::document::Node;
use crate::inventory::Inventory;
use crate::object::Object;
use crate::workload::pod_specs;

use super::service_account_token_automount::{
    service_account_disables_automount, service_account_name, spec_key_pos,
};

crate::declare_check! {
    /// ## What it flags
    /// Pod specs that set no `serviceAccountName` (or set it to `default`) and do not disable
    /// token automounting, neither in the pod spec nor on a `default` ServiceAccount of the same
    /// namespace found in the input.
    ///
    /// ## Why it matters
    /// The `default` service account is shared by every pod of the namespace that does not name
    /// another one. Permissions granted to it for one workload silently extend to all the
    /// others, and its token, mounted into each of those pods, cannot be traced back to a single
    /// application in audit logs.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   containers:
    ///   - name: app
    ///     image: registry.example/app:1.4.2
    /// ```
    ///
    /// ## Fix
    /// Create a ServiceAccount per workload and set `serviceAccountName`, granting it only the
    /// RBAC it needs. If the workload does not use the API, also set
    /// `automountServiceAccountToken: false`; set it on the `default` ServiceAccount too.
    ///
    /// ## References
    /// NSA/CISA "Authentication and authorization"; CIS 5.1.5; MITRE ATT&CK T1528 (Steal
    /// Application Access Token).
    pub struct DefaultServiceAccount {
        id: "PAL-133",
        slug: "default-service-account",
        title: "Pod runs as the default service account with a token mounted",
        severity: Low,
        area: Workload,
        remediation: "Run the pod as a dedicated ServiceAccount, or set automountServiceAccountToken: false on the pod or the default ServiceAccount.",
        references: [
            Reference::NsaCisa("authentication-authorization"),
            Reference::Cis("5.1.5"),
            Reference::MitreAttack("T1528"),
        ],
    }
}

impl Check for DefaultServiceAccount {
    fn check_object(&self, object: &Object, inventory: &Inventory, out: &mut Sink<'_>) {
        for pod in pod_specs(object) {
            if service_account_name(&pod) != "default"
                || pod.get("automountServiceAccountToken").and_then(Node::as_bool) == Some(false)
                || service_account_disables_automount(&pod, inventory)
            {
                continue;
            }
            let pos = ["serviceAccountName", "serviceAccount"]
                .into_iter()
                .find_map(|field| pod.spec.entry(field))
                .map_or_else(|| spec_key_pos(&pod), |entry| entry.key_pos);
            out.report(
                pos,
                pod.field_path("serviceAccountName"),
                "pod runs as the namespace's default service account with its token mounted",
            );
        }
    }
}
