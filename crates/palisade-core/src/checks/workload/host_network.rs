//! Flags pods that use the node's network namespace.

use crate::check::{Check, Reference, Sink};
use crate::document::Node;
use crate::workload::PodView;

crate::declare_check! {
    /// ## What it flags
    /// Pod specs with `hostNetwork: true`, on Linux and Windows pods alike.
    ///
    /// ## Why it matters
    /// A pod in the node's network namespace sees every interface of the node: it can sniff
    /// traffic of other pods and of the node, reach services bound to the node's loopback
    /// address (which are often unauthenticated), and bind any port on the node's addresses.
    /// NetworkPolicy does not apply to its traffic the way it applies to ordinary pods, so
    /// segmentation built with it is bypassed.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   hostNetwork: true
    /// ```
    ///
    /// ## Fix
    /// Remove `hostNetwork: true` and expose the workload through a Service. Only node-level
    /// network agents (CNI plugins, some ingress controllers) need the host network; run those
    /// in a dedicated namespace with tight access control.
    ///
    /// ## References
    /// NSA/CISA "Pod security"; CIS 5.2.5; Pod Security Standards baseline "Host Namespaces";
    /// MITRE ATT&CK T1611 (Escape to Host), T1557 (Adversary-in-the-Middle).
    pub struct HostNetwork {
        id: "PAL-104",
        slug: "host-network",
        title: "Pod uses the host's network namespace",
        severity: High,
        area: Workload,
        remediation: "Remove hostNetwork: true from the pod spec and expose the workload through a Service.",
        references: [
            Reference::NsaCisa("pod-security"),
            Reference::Cis("5.2.5"),
            Reference::Pss("baseline/hostNamespaces"),
            Reference::MitreAttack("T1611"),
            Reference::MitreAttack("T1557"),
        ],
    }
}

impl Check for HostNetwork {
    fn check_pod(&self, pod: &PodView<'_>, out: &mut Sink<'_>) {
        if pod.get("hostNetwork").and_then(Node::as_bool) == Some(true) {
            out.report(
                pod.field_pos("hostNetwork"),
                pod.field_path("hostNetwork"),
                "pod uses the host's network namespace (hostNetwork)",
            );
        }
    }
}
