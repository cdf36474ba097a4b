//! Flags pods whose containers share one process namespace.

use crate::check::{Check, Reference, Sink};
use crate::document::Node;
use crate::workload::PodView;

crate::declare_check! {
    /// ## What it flags
    /// Pod specs with `shareProcessNamespace: true`. Windows pods (where the field is not
    /// supported) are skipped.
    ///
    /// ## Why it matters
    /// With a shared process namespace every container of the pod sees the others' processes.
    /// Through `/proc/<pid>/environ` and `/proc/<pid>/root` a container can read another
    /// container's environment variables, secrets and file system, and with the same user ID it
    /// can signal or trace those processes. A compromise of the least trusted container (a
    /// sidecar, a debug tool) then reaches the credentials of all of them.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   shareProcessNamespace: true
    /// ```
    ///
    /// ## Fix
    /// Remove `shareProcessNamespace: true` unless a container must see or signal the others'
    /// processes; for one-off debugging use an ephemeral container with `targetContainerName`.
    ///
    /// ## References
    /// NSA/CISA "Pod security"; MITRE ATT&CK T1552.007 (Container API); CWE-668 (Exposure of
    /// Resource to Wrong Sphere).
    pub struct ShareProcessNamespace {
        id: "PAL-132",
        slug: "share-process-namespace",
        title: "Pod containers share one process namespace",
        severity: Low,
        area: Workload,
        remediation: "Remove shareProcessNamespace: true from the pod spec unless a container must see the others' processes.",
        references: [
            Reference::NsaCisa("pod-security"),
            Reference::MitreAttack("T1552.007"),
            Reference::Cwe("CWE-668"),
        ],
    }
}

impl Check for ShareProcessNamespace {
    fn check_pod(&self, pod: &PodView<'_>, out: &mut Sink<'_>) {
        let field = "shareProcessNamespace";
        if !pod.is_windows() && pod.get(field).and_then(Node::as_bool) == Some(true) {
            out.report(
                pod.field_pos(field),
                pod.field_path(field),
                "pod containers share one process namespace (shareProcessNamespace)",
            );
        }
    }
}
