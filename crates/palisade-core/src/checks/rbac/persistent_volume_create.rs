//! Flags Role and ClusterRole rules that allow creating PersistentVolumes.

use crate::check::{Check, Reference, Sink};
use crate::inventory::Inventory;
use crate::object::Object;

crate::declare_check! {
    /// ## What it flags
    /// Rules that allow `create`, `update` or `patch` on `persistentvolumes` (core group).
    /// Bootstrap defaults are not flagged.
    ///
    /// ## Why it matters
    /// A PersistentVolume can be a `hostPath` on the node. Whoever creates one and claims it
    /// mounts the node's file system into a pod, which bypasses the Pod Security checks that
    /// forbid `hostPath` volumes in the pod itself.
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    /// - apiGroups: [""]
    ///   resources: ["persistentvolumes"]
    ///   verbs: ["create"]
    /// ```
    ///
    /// ## Fix
    /// Provision volumes through StorageClasses and a CSI driver; users create
    /// PersistentVolumeClaims only.
    ///
    /// ## References
    /// NSA/CISA "Authentication and authorization"; MITRE ATT&CK T1611 (Escape to Host).
    pub struct PersistentVolumeCreate {
        id: "PAL-510",
        slug: "persistent-volume-create",
        title: "RBAC rule allows creating PersistentVolumes",
        severity: High,
        area: Rbac,
        remediation: "Let a provisioner create PersistentVolumes; give people PersistentVolumeClaims.",
        references: [
            Reference::NsaCisa("authentication-authorization"),
            Reference::MitreAttack("T1611"),
        ],
    }
}

/// Verb, API group and resource of each request the check looks for.
const PRIMITIVES: &[(&str, &str, &str)] = &[
    ("create", "", "persistentvolumes"),
    ("update", "", "persistentvolumes"),
    ("patch", "", "persistentvolumes"),
];

impl Check for PersistentVolumeCreate {
    fn check_object(&self, object: &Object, inventory: &Inventory, out: &mut Sink<'_>) {
        super::report_rules(object, inventory, out, |rule| super::describe_grants(rule, PRIMITIVES));
    }
}
