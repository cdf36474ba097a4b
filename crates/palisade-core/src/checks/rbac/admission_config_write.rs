//! Flags Role and ClusterRole rules that allow changing admission webhook and policy
//! configurations.

use crate::check::{Check, Reference, Sink};
use crate::inventory::Inventory;
use crate::object::Object;

crate::declare_check! {
    /// ## What it flags
    /// Rules that allow `create`, `update`, `patch`, `delete` or `deletecollection` on
    /// `validatingwebhookconfigurations`, `mutatingwebhookconfigurations`,
    /// `validatingadmissionpolicies` or `validatingadmissionpolicybindings`
    /// (`admissionregistration.k8s.io`). Bootstrap defaults are not flagged.
    ///
    /// ## Why it matters
    /// Admission is where policy is enforced. Deleting a validating webhook or policy turns the
    /// enforcement off; a new mutating webhook sees every object sent to the API server,
    /// Secrets included, and can rewrite pods to run anything.
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    /// - apiGroups: ["admissionregistration.k8s.io"]
    ///   resources: ["mutatingwebhookconfigurations"]
    ///   verbs: ["create", "patch"]
    /// ```
    ///
    /// ## Fix
    /// Give this right only to the controller that owns the configuration, limited with
    /// `resourceNames` to its own objects.
    ///
    /// ## References
    /// NSA/CISA "Authentication and authorization"; MITRE ATT&CK T1562.001 (Impair Defenses:
    /// Disable or Modify Tools).
    pub struct AdmissionConfigWrite {
        id: "PAL-509",
        slug: "admission-config-write",
        title: "RBAC rule allows changing admission webhooks or policies",
        severity: High,
        area: Rbac,
        remediation: "Keep write access to admission configuration with the cluster's administrators.",
        references: [
            Reference::NsaCisa("authentication-authorization"),
            Reference::MitreAttack("T1562.001"),
        ],
    }
}

/// Verb, API group and resource of each request the check looks for.
const PRIMITIVES: &[(&str, &str, &str)] = &[
    ("create", "admissionregistration.k8s.io", "validatingwebhookconfigurations"),
    ("update", "admissionregistration.k8s.io", "validatingwebhookconfigurations"),
    ("patch", "admissionregistration.k8s.io", "validatingwebhookconfigurations"),
    ("delete", "admissionregistration.k8s.io", "validatingwebhookconfigurations"),
    ("deletecollection", "admissionregistration.k8s.io", "validatingwebhookconfigurations"),
    ("create", "admissionregistration.k8s.io", "mutatingwebhookconfigurations"),
    ("update", "admissionregistration.k8s.io", "mutatingwebhookconfigurations"),
    ("patch", "admissionregistration.k8s.io", "mutatingwebhookconfigurations"),
    ("delete", "admissionregistration.k8s.io", "mutatingwebhookconfigurations"),
    ("deletecollection", "admissionregistration.k8s.io", "mutatingwebhookconfigurations"),
    ("create", "admissionregistration.k8s.io", "validatingadmissionpolicies"),
    ("update", "admissionregistration.k8s.io", "validatingadmissionpolicies"),
    ("patch", "admissionregistration.k8s.io", "validatingadmissionpolicies"),
    ("delete", "admissionregistration.k8s.io", "validatingadmissionpolicies"),
    ("deletecollection", "admissionregistration.k8s.io", "validatingadmissionpolicies"),
    ("create", "admissionregistration.k8s.io", "validatingadmissionpolicybindings"),
    ("update", "admissionregistration.k8s.io", "validatingadmissionpolicybindings"),
    ("patch", "admissionregistration.k8s.io", "validatingadmissionpolicybindings"),
    ("delete", "admissionregistration.k8s.io", "validatingadmissionpolicybindings"),
    ("deletecollection", "admissionregistration.k8s.io", "validatingadmissionpolicybindings"),
];

impl Check for AdmissionConfigWrite {
    fn check_object(&self, object: &Object, inventory: &Inventory, out: &mut Sink<'_>) {
        super::report_rules(object, inventory, out, |rule| super::describe_grants(rule, PRIMITIVES));
    }
}
