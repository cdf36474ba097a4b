//! Flags containers that nothing prevents from running as root.

use crate::check::{Check, Reference, Sink};
use crate::workload::PodView;

crate::declare_check! {
    /// ## What it flags
    /// Containers of any kind for which neither `runAsNonRoot: true` nor a non-zero `runAsUser`
    /// applies, set on the container or inherited from the pod's `securityContext`. Without
    /// either, the container runs as whatever user its image names, which is root for most
    /// images. An explicit `runAsUser: 0` is reported by `run-as-uid-zero` instead. Windows pods
    /// are skipped (they use `windowsOptions.runAsUserName`).
    ///
    /// Pods with `hostUsers: false` are still flagged: root in a user namespace is mapped to an
    /// unprivileged user of the node, which limits the damage of an escape, but it still owns the
    /// container's files and has the full capability set inside the namespace, which opens more
    /// of the kernel to it. The finding mentions the user namespace.
    ///
    /// ## Why it matters
    /// Root in a container is root on the node's kernel: every kernel or runtime flaw, every
    /// writable hostPath and every leftover capability is far more dangerous for a root process.
    /// Requiring a non-root user is the cheapest way to take that away.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    /// - name: app
    ///   image: registry.example/app:1.4.2
    /// ```
    ///
    /// ## Fix
    /// Set `runAsNonRoot: true` in the pod's `securityContext` (the kubelet then refuses to start
    /// a container whose user is root), and give images a numeric non-root `USER` or set
    /// `runAsUser` to a non-zero UID.
    ///
    /// ## References
    /// NSA/CISA "Pod security"; CIS 5.2.7; Pod Security Standards restricted "Running as
    /// Non-root"; CWE-250.
    pub struct RunAsRootAllowed {
        id: "PAL-111",
        slug: "run-as-root-allowed",
        title: "Container may run as root",
        severity: Medium,
        area: Workload,
        remediation: "Set runAsNonRoot: true in the pod's securityContext and run the image as a non-zero UID.",
        references: [
            Reference::NsaCisa("pod-security"),
            Reference::Cis("5.2.7"),
            Reference::Pss("restricted/runAsNonRoot"),
            Reference::Cwe("CWE-250"),
        ],
    }
}

impl Check for RunAsRootAllowed {
    fn check_pod(&self, pod: &PodView<'_>, out: &mut Sink<'_>) {
        if pod.is_windows() {
            return;
        }
        for container in pod.containers() {
            let user = container.effective("runAsUser");
            let uid = user.as_ref().and_then(|u| u.node.as_i64());
            // A non-zero UID is safe; zero is run-as-uid-zero's finding.
            if uid.is_some() {
                continue;
            }
            let non_root = container.effective("runAsNonRoot");
            if non_root.as_ref().and_then(|s| s.node.as_bool()) == Some(true) {
                continue;
            }
            let (pos, path) = match non_root {
                Some(s) => (s.pos, s.path),
                None => (
                    container.security_context_pos(),
                    container.field_path("securityContext.runAsNonRoot"),
                ),
            };
            let user_namespace = if pod.uses_user_namespace() {
                " (the pod's user namespace maps root to an unprivileged user of the node, \
                 which limits the impact)"
            } else {
                ""
            };
            out.report(
                pos,
                path,
                format!(
                    "{} may run as root: neither runAsNonRoot: true nor a non-zero runAsUser \
                     applies{user_namespace}",
                    container.describe()
                ),
            );
        }
    }
}
