//! Flags pods that share the host's process namespace.

use crate::check::{Check, Reference, Sink};
use crate::workload::PodView;

crate::declare_check! {
    /// ## What it flags
    /// Pod specs with `hostPID: true`.
    ///
    /// ## Why it matters
    /// With the host's process namespace, a container sees every process on the node, can read
    /// their environment and memory through `/proc` when it runs as the same user, and can signal
    /// them. Combined with any privilege it is a direct path onto the node (`nsenter -t 1`).
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   hostPID: true
    /// ```
    ///
    /// ## Fix
    /// Remove `hostPID: true`. Debugging tools that need to see other processes of the same pod
    /// can use `shareProcessNamespace` instead.
    ///
    /// ## References
    /// NSA/CISA "Pod security"; CIS 5.2.3; Pod Security Standards baseline "Host Namespaces";
    /// MITRE ATT&CK T1611 (Escape to Host).
    pub struct HostPid {
        id: "PAL-102",
        slug: "host-pid",
        title: "Pod shares the host's process namespace",
        severity: High,
        area: Workload,
        remediation: "Remove hostPID: true from the pod spec.",
        references: [
            Reference::NsaCisa("pod-security"),
            Reference::Cis("5.2.3"),
            Reference::Pss("baseline/hostNamespaces"),
            Reference::MitreAttack("T1611"),
        ],
    }
}

impl Check for HostPid {
    fn check_pod(&self, pod: &PodView<'_>, out: &mut Sink<'_>) {
        if pod.get("hostPID").and_then(crate::document::Node::as_bool) == Some(true) {
            out.report(pod.field_pos("hostPID"), pod.field_path("hostPID"), "pod shares the host's process namespace (hostPID)");
        }
    }
}
