//! Flags containers whose root file system is writable.

use crate::check::{Check, Reference, Sink};
use crate::workload::PodView;

crate::declare_check! {
    /// ## What it flags
    /// Containers of any kind whose `securityContext.readOnlyRootFilesystem` is not `true`
    /// (missing or `false`). The field has no pod-level counterpart. Windows pods are skipped:
    /// Windows containers do not support a read-only root file system.
    ///
    /// ## Why it matters
    /// A writable root file system lets an attacker who gains code execution download tools,
    /// replace binaries and libraries the application loads, or plant scripts that run on the
    /// next start. A read-only root makes the container's content what the image says it is,
    /// and confines writes to volumes the manifest declares.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    /// - name: app
    ///   image: registry.example/app:1.4.2
    /// ```
    ///
    /// ## Fix
    /// Set `readOnlyRootFilesystem: true` and mount an `emptyDir` at the few paths the
    /// application writes to (for example `/tmp`).
    ///
    /// ## References
    /// NSA/CISA "Immutable container file systems"; MITRE ATT&CK T1105 (Ingress Tool
    /// Transfer); CWE-732.
    pub struct WritableRootFilesystem {
        id: "PAL-113",
        slug: "writable-root-filesystem",
        title: "Container's root file system is writable",
        severity: Low,
        area: Workload,
        remediation: "Set securityContext.readOnlyRootFilesystem to true and mount emptyDir volumes where the container writes.",
        references: [
            Reference::NsaCisa("immutable-container-file-systems"),
            Reference::MitreAttack("T1105"),
            Reference::Cwe("CWE-732"),
        ],
    }
}

impl Check for WritableRootFilesystem {
    fn check_pod(&self, pod: &PodView<'_>, out: &mut Sink<'_>) {
        if pod.is_windows() {
            return;
        }
        for container in pod.containers() {
            let setting = container.effective("readOnlyRootFilesystem");
            if setting.as_ref().and_then(|s| s.node.as_bool()) == Some(true) {
                continue;
            }
            let (pos, path) = match setting {
                Some(s) => (s.pos, s.path),
                None => (
                    container.security_context_pos(),
                    container.field_path("securityContext.readOnlyRootFilesystem"),
                ),
            };
            out.report(
                pos,
                path,
                format!(
                    "{} has a writable root file system (readOnlyRootFilesystem is not true)",
                    container.describe()
                ),
            );
        }
    }
}
