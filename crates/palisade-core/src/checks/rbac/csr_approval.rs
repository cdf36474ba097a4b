//! Flags Role and ClusterRole rules that allow approving CertificateSigningRequests.

use crate::check::{Check, Reference, Sink};
use crate::inventory::Inventory;
use crate::object::Object;

crate::declare_check! {
    /// ## What it flags
    /// ClusterRole and Role rules that allow `update` or `patch` on
    /// `certificatesigningrequests/approval`, or `approve` on `signers`
    /// (`certificates.k8s.io`). Bootstrap defaults are not flagged.
    ///
    /// ## Why it matters
    /// A subject that can create a CertificateSigningRequest and approve it gets a client
    /// certificate signed by the cluster CA, for any user name and groups it writes into the
    /// request: `O=system:masters` is cluster-admin, and certificates cannot be revoked.
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    /// - apiGroups: ["certificates.k8s.io"]
    ///   resources: ["certificatesigningrequests/approval"]
    ///   verbs: ["update"]
    /// - apiGroups: ["certificates.k8s.io"]
    ///   resources: ["signers"]
    ///   verbs: ["approve"]
    /// ```
    ///
    /// ## Fix
    /// Leave approval to the controllers that need it, and limit `approve` on `signers` with
    /// `resourceNames` to the signers they handle.
    ///
    /// ## References
    /// NSA/CISA "Authentication and authorization"; MITRE ATT&CK T1649 (Steal or Forge
    /// Authentication Certificates).
    pub struct CsrApproval {
        id: "PAL-508",
        slug: "csr-approval",
        title: "RBAC rule allows approving certificate signing requests",
        severity: High,
        area: Rbac,
        remediation: "Remove update on certificatesigningrequests/approval and approve on signers.",
        references: [
            Reference::NsaCisa("authentication-authorization"),
            Reference::MitreAttack("T1649"),
        ],
    }
}

/// Verb, API group and resource of each request the check looks for.
const PRIMITIVES: &[(&str, &str, &str)] = &[
    ("update", "certificates.k8s.io", "certificatesigningrequests/approval"),
    ("patch", "certificates.k8s.io", "certificatesigningrequests/approval"),
    ("approve", "certificates.k8s.io", "signers"),
];

impl Check for CsrApproval {
    fn check_object(&self, object: &Object, inventory: &Inventory, out: &mut Sink<'_>) {
        super::report_rules(object, inventory, out, |rule| super::describe_grants(rule, PRIMITIVES));
    }
}
