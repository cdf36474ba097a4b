//! Flags Role and ClusterRole rules that allow deleting Events.

use crate::check::{Check, Reference, Sink};
use crate::inventory::Inventory;
use crate::object::Object;

crate::declare_check! {
    /// ## What it flags
    /// Rules that allow `delete` or `deletecollection` on `events` (core group or
    /// `events.k8s.io`). Bootstrap defaults are not flagged.
    ///
    /// ## Why it matters
    /// Events record what happened to objects (failed mounts, image pulls, evictions). An
    /// intruder who can delete them removes the traces that responders look at first.
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    /// - apiGroups: [""]
    ///   resources: ["events"]
    ///   verbs: ["delete"]
    /// ```
    ///
    /// ## Fix
    /// Let Events expire on their own (`--event-ttl`); keep an audit log outside the cluster.
    ///
    /// ## References
    /// MITRE ATT&CK T1070 (Indicator Removal).
    pub struct EventsDelete {
        id: "PAL-512",
        slug: "events-delete",
        title: "RBAC rule allows deleting events",
        severity: Low,
        area: Rbac,
        remediation: "Remove delete and deletecollection on events.",
        references: [
            Reference::MitreAttack("T1070"),
        ],
    }
}

/// Verb, API group and resource of each request the check looks for.
const PRIMITIVES: &[(&str, &str, &str)] = &[
    ("delete", "", "events"),
    ("deletecollection", "", "events"),
    ("delete", "events.k8s.io", "events"),
    ("deletecollection", "events.k8s.io", "events"),
];

impl Check for EventsDelete {
    fn check_object(&self, object: &Object, inventory: &Inventory, out: &mut Sink<'_>) {
        super::report_rules(object, inventory, out, |rule| super::describe_grants(rule, PRIMITIVES));
    }
}
