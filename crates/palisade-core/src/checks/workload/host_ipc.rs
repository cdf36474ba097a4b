//! Flags pods that share the host's IPC namespace.

use crate::check::{Check, Reference, Sink};
use crate::document::Node;
use crate::workload::PodView;

crate::declare_check! {
    /// ## What it flags
    /// Pod specs with `hostIPC: true`.
    ///
    /// ## Why it matters
    /// The IPC namespace holds System V shared memory segments, semaphores and message queues,
    /// and POSIX message queues. Sharing the host's lets a container read and write the shared
    /// memory of every process on the node that uses it (databases, other containers started
    /// with the host namespace, node daemons), which can leak data or corrupt those processes.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   hostIPC: true
    /// ```
    ///
    /// ## Fix
    /// Remove `hostIPC: true`. Containers of the same pod already share an IPC namespace, so
    /// sidecars that exchange data through shared memory do not need the host's.
    ///
    /// ## References
    /// NSA/CISA "Pod security"; CIS 5.2.4; Pod Security Standards baseline "Host Namespaces";
    /// MITRE ATT&CK T1611 (Escape to Host).
    pub struct HostIpc {
        id: "PAL-103",
        slug: "host-ipc",
        title: "Pod shares the host's IPC namespace",
        severity: High,
        area: Workload,
        remediation: "Remove hostIPC: true from the pod spec.",
        references: [
            Reference::NsaCisa("pod-security"),
            Reference::Cis("5.2.4"),
            Reference::Pss("baseline/hostNamespaces"),
            Reference::MitreAttack("T1611"),
        ],
    }
}

impl Check for HostIpc {
    fn check_pod(&self, pod: &PodView<'_>, out: &mut Sink<'_>) {
        if pod.get("hostIPC").and_then(Node::as_bool) == Some(true) {
            out.report(
                pod.field_pos("hostIPC"),
                pod.field_path("hostIPC"),
                "pod shares the host's IPC namespace (hostIPC)",
            );
        }
    }
}
