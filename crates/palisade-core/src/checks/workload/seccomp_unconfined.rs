//! Flags containers whose seccomp profile is explicitly `Unconfined`.

use crate::check::{Check, Reference, Sink};
use crate::workload::PodView;

use super::is_privileged;
use super::seccomp_profile_missing::{SeccompKind, effective_seccomp};

crate::declare_check! {
    /// ## What it flags
    /// Containers of any kind whose effective seccomp profile is `Unconfined`: the container's
    /// or the pod's `seccompProfile.type: Unconfined`, or the legacy annotations
    /// `container.seccomp.security.alpha.kubernetes.io/<container>` or
    /// `seccomp.security.alpha.kubernetes.io/pod` set to `unconfined`. The profile is resolved
    /// as in `seccomp-profile-missing` (container field, container annotation, pod field, pod
    /// annotation), so a pod-level `Unconfined` that a container overrides with
    /// `RuntimeDefault` is not flagged for that container. The finding points at the setting
    /// that applies. Privileged containers and Windows pods are skipped.
    ///
    /// ## Why it matters
    /// `Unconfined` switches off the system call filter on purpose, even on nodes whose kubelet
    /// applies `RuntimeDefault` to every container by default. The container can then reach
    /// every system call of the kernel, including the rarely used ones where most container
    /// escape vulnerabilities are found.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   seccompProfile:
    ///     type: Unconfined
    /// ```
    ///
    /// ## Fix
    /// Use `RuntimeDefault`. If the application needs a system call the default profile
    /// blocks, write a `Localhost` profile that allows just that call.
    ///
    /// ## References
    /// NSA/CISA "Pod security"; CIS 5.7.2; Pod Security Standards baseline "Seccomp"; MITRE
    /// ATT&CK T1611 (Escape to Host), T1068 (Exploitation for Privilege Escalation).
    pub struct SeccompUnconfined {
        id: "PAL-115",
        slug: "seccomp-unconfined",
        title: "Container's seccomp profile is Unconfined",
        severity: High,
        area: Workload,
        remediation: "Set seccompProfile.type to RuntimeDefault, or to Localhost with a profile that allows only the needed system calls.",
        references: [
            Reference::NsaCisa("pod-security"),
            Reference::Cis("5.7.2"),
            Reference::Pss("baseline/seccompProfile"),
            Reference::MitreAttack("T1611"),
            Reference::MitreAttack("T1068"),
        ],
    }
}

impl Check for SeccompUnconfined {
    fn check_pod(&self, pod: &PodView<'_>, out: &mut Sink<'_>) {
        if pod.is_windows() {
            return;
        }
        for container in pod.containers() {
            if is_privileged(&container) {
                continue;
            }
            let Some(setting) = effective_seccomp(pod, &container) else {
                continue;
            };
            if setting.kind == SeccompKind::Unconfined {
                out.report(
                    setting.pos,
                    setting.path,
                    format!(
                        "{} runs without system call filtering: seccomp is Unconfined in {}",
                        container.describe(),
                        setting.source
                    ),
                );
            }
        }
    }
}
