//! Flags containers explicitly set to run as UID 0.

use crate::check::{Check, Reference, Sink};
use crate::workload::PodView;

crate::declare_check! {
    /// ## What it flags
    /// Containers of any kind whose effective `runAsUser` is `0`: set on the container, or set
    /// on the pod's `securityContext` and not overridden by the container. Windows pods are
    /// skipped (Kubernetes does not allow `runAsUser` on them). Pods with `hostUsers: false`
    /// are still flagged; the finding notes that their root is mapped to an unprivileged user of
    /// the node.
    ///
    /// ## Why it matters
    /// An explicit `runAsUser: 0` forces root even when the image was built to run as an
    /// unprivileged user, and defeats `runAsNonRoot`. Root in the container is root on the
    /// node's kernel, so any escape, writable host mount or leftover capability is far more
    /// dangerous.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   runAsUser: 0
    /// ```
    ///
    /// ## Fix
    /// Set `runAsUser` to a non-zero UID (or remove it and rely on a non-root image `USER`), and
    /// set `runAsNonRoot: true`. Tasks that need root for setup can often use an init container
    /// with only the needed capability, or a user namespace (`hostUsers: false`).
    ///
    /// ## References
    /// NSA/CISA "Pod security"; CIS 5.2.7; Pod Security Standards restricted "Running as
    /// Non-root user"; CWE-250.
    pub struct RunAsUidZero {
        id: "PAL-112",
        slug: "run-as-uid-zero",
        title: "Container is set to run as root (runAsUser: 0)",
        severity: High,
        area: Workload,
        remediation: "Set runAsUser to a non-zero UID and runAsNonRoot to true.",
        references: [
            Reference::NsaCisa("pod-security"),
            Reference::Cis("5.2.7"),
            Reference::Pss("restricted/runAsUser"),
            Reference::Cwe("CWE-250"),
        ],
    }
}

impl Check for RunAsUidZero {
    fn check_pod(&self, pod: &PodView<'_>, out: &mut Sink<'_>) {
        if pod.is_windows() {
            return;
        }
        for container in pod.containers() {
            let Some(user) = container.effective("runAsUser") else {
                continue;
            };
            if user.node.as_i64() != Some(0) {
                continue;
            }
            let inherited = if user.from_pod {
                " (inherited from the pod's securityContext)"
            } else {
                ""
            };
            let user_namespace = if pod.uses_user_namespace() {
                "; the pod's user namespace maps it to an unprivileged user of the node"
            } else {
                ""
            };
            out.report(
                user.pos,
                user.path,
                format!(
                    "{} runs as root: runAsUser is 0{inherited}{user_namespace}",
                    container.describe()
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::messages_of;

    #[test]
    fn message_says_where_the_uid_comes_from_and_notes_user_namespaces() {
        let messages = messages_of(
            "run-as-uid-zero",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostUsers: false\n  securityContext: {runAsUser: 0}\n  containers:\n  - name: a\n",
        );
        assert_eq!(messages.len(), 1);
        assert!(messages[0].contains("container \"a\""));
        assert!(messages[0].contains("inherited from the pod"));
        assert!(messages[0].contains("user namespace"));
    }
}
