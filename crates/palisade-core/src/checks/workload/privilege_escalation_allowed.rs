//! Flags containers that do not set `allowPrivilegeEscalation: false`.

use crate::check::{Check, Reference, Sink};
use crate::workload::{ContainerView, PodView};

use super::{capability_name, is_privileged};

crate::declare_check! {
    /// ## What it flags
    /// Containers of any kind whose `securityContext.allowPrivilegeEscalation` is not
    /// explicitly `false`: set to `true`, or missing (Kubernetes' default is to allow it). The
    /// field has no pod-level counterpart. Windows pods are skipped.
    ///
    /// Kubernetes always allows escalation for privileged containers and for containers that
    /// add `CAP_SYS_ADMIN`, and rejects `allowPrivilegeEscalation: false` on them; the finding
    /// says so, since for them the fix is to drop the privilege first.
    ///
    /// ## Why it matters
    /// `allowPrivilegeEscalation: false` sets the kernel's `no_new_privs` flag on the container
    /// process. Without it, a process can gain privileges it did not start with by running a
    /// setuid or setgid binary, or a file with capabilities, which turns a foothold as a
    /// non-root user into root inside the container, and root is one step closer to the node.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   allowPrivilegeEscalation: true
    /// ```
    ///
    /// ## Fix
    /// Set `allowPrivilegeEscalation: false` in every container's `securityContext` (and remove
    /// `privileged: true` or an added `SYS_ADMIN` first, where present).
    ///
    /// ## References
    /// NSA/CISA "Pod security"; CIS 5.2.6; Pod Security Standards restricted "Privilege
    /// Escalation"; MITRE ATT&CK T1548.001 (Setuid and Setgid); CWE-250.
    pub struct PrivilegeEscalationAllowed {
        id: "PAL-110",
        slug: "privilege-escalation-allowed",
        title: "Container allows privilege escalation",
        severity: Medium,
        area: Workload,
        remediation: "Set securityContext.allowPrivilegeEscalation to false in every container.",
        references: [
            Reference::NsaCisa("pod-security"),
            Reference::Cis("5.2.6"),
            Reference::Pss("restricted/allowPrivilegeEscalation"),
            Reference::MitreAttack("T1548.001"),
            Reference::Cwe("CWE-250"),
        ],
    }
}

/// Whether Kubernetes forces escalation on for this container (privileged or `CAP_SYS_ADMIN`).
fn escalation_forced(container: &ContainerView<'_>) -> bool {
    is_privileged(container)
        || container.effective("capabilities").is_some_and(|c| {
            c.node
                .get("add")
                .map_or(&[][..], crate::document::Node::items)
                .iter()
                .any(|item| capability_name(item).as_deref() == Some("SYS_ADMIN"))
        })
}

impl Check for PrivilegeEscalationAllowed {
    fn check_pod(&self, pod: &PodView<'_>, out: &mut Sink<'_>) {
        if pod.is_windows() {
            return;
        }
        for container in pod.containers() {
            let setting = container.effective("allowPrivilegeEscalation");
            if setting.as_ref().and_then(|s| s.node.as_bool()) == Some(false) {
                continue;
            }
            let (pos, path, how) = match setting {
                Some(s) => (s.pos, s.path, "allows privilege escalation"),
                None => (
                    container.security_context_pos(),
                    container.field_path("securityContext.allowPrivilegeEscalation"),
                    "allows privilege escalation (allowPrivilegeEscalation is not set to false)",
                ),
            };
            let forced = if escalation_forced(&container) {
                "; Kubernetes always allows it for privileged containers and containers that add \
                 CAP_SYS_ADMIN, so remove that privilege first"
            } else {
                ""
            };
            out.report(
                pos,
                path,
                format!("{} {how}{forced}", container.describe()),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::messages_of;

    #[test]
    fn message_explains_that_sys_admin_forces_escalation() {
        let messages = messages_of(
            "privilege-escalation-allowed",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    securityContext: {capabilities: {add: [CAP_SYS_ADMIN]}}\n  - name: b\n",
        );
        assert_eq!(messages.len(), 2);
        assert!(messages[0].contains("always allows it"), "{}", messages[0]);
        assert!(!messages[1].contains("always allows it"), "{}", messages[1]);
    }
}
