//! Flags Role and ClusterRole rules that allow writing the status of nodes or pods.

use crate::check::{Check, Reference, Sink};
use crate::inventory::Inventory;
use crate::object::Object;

crate::declare_check! {
    /// ## What it flags
    /// Rules that allow `update` or `patch` on `nodes/status` or `pods/status`. Bootstrap
    /// defaults are not flagged.
    ///
    /// ## Why it matters
    /// Status is what the control plane believes. A forged node status (addresses, capacity,
    /// conditions) steers the scheduler and traffic; a forged pod status (IP, readiness) puts a
    /// pod into or out of Service endpoints.
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    /// - apiGroups: [""]
    ///   resources: ["nodes/status"]
    ///   verbs: ["patch"]
    /// ```
    ///
    /// ## Fix
    /// Remove the rule; only kubelets and controllers write status.
    ///
    /// ## References
    /// NSA/CISA "Authentication and authorization".
    pub struct StatusWrite {
        id: "PAL-511",
        slug: "status-write",
        title: "RBAC rule allows writing node or pod status",
        severity: Medium,
        area: Rbac,
        remediation: "Leave nodes/status and pods/status to the kubelet and controllers.",
        references: [
            Reference::NsaCisa("authentication-authorization"),
        ],
    }
}

/// Verb, API group and resource of each request the check looks for.
const PRIMITIVES: &[(&str, &str, &str)] = &[
    ("update", "", "nodes/status"),
    ("patch", "", "nodes/status"),
    ("update", "", "pods/status"),
    ("patch", "", "pods/status"),
];

impl Check for StatusWrite {
    fn check_object(&self, object: &Object, inventory: &Inventory, out: &mut Sink<'_>) {
        super::report_rules(object, inventory, out, |rule| super::describe_grants(rule, PRIMITIVES));
    }
}
