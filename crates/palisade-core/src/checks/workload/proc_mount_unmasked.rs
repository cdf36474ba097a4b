//! Flags containers that ask for an unmasked `/proc`.

use crate::check::{Check, Reference, Sink};
use crate::workload::PodView;

crate::declare_check! {
    /// ## What it flags
    /// Containers of any kind (regular, init, ephemeral) with `securityContext.procMount:
    /// Unmasked`. Pods with `hostUsers: false` are not flagged: in their own user namespace an
    /// unmasked `/proc` exposes nothing of the host, and the Pod Security Standards allow it.
    /// Windows pods are skipped.
    ///
    /// ## Why it matters
    /// By default the container runtime masks and makes read-only the parts of `/proc` and
    /// `/sys` that expose or change the host kernel (`/proc/sysrq-trigger`, `/proc/kcore`,
    /// `/proc/sys`, …). `Unmasked` removes that protection, so a process in the container can
    /// read kernel memory layouts or change host kernel settings, which eases escape to the node.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   procMount: Unmasked
    /// ```
    ///
    /// ## Fix
    /// Remove `procMount` or set it to `Default`. Workloads that build containers inside a
    /// container (the usual reason for `Unmasked`) should also set `hostUsers: false`.
    ///
    /// ## References
    /// NSA/CISA "Pod security"; Pod Security Standards baseline "/proc Mount Type"; MITRE ATT&CK
    /// T1611 (Escape to Host).
    pub struct ProcMountUnmasked {
        id: "PAL-119",
        slug: "proc-mount-unmasked",
        title: "Container mounts /proc unmasked",
        severity: High,
        area: Workload,
        remediation: "Remove securityContext.procMount or set it to Default; if an unmasked /proc is required, run the pod with hostUsers: false.",
        references: [
            Reference::NsaCisa("pod-security"),
            Reference::Pss("baseline/procMount"),
            Reference::MitreAttack("T1611"),
        ],
    }
}

impl Check for ProcMountUnmasked {
    fn check_pod(&self, pod: &PodView<'_>, out: &mut Sink<'_>) {
        if pod.is_windows() || pod.uses_user_namespace() {
            return;
        }
        for container in pod.containers() {
            if let Some(setting) = container.effective("procMount")
                && setting.node.as_str() == Some("Unmasked")
            {
                out.report(
                    setting.pos,
                    setting.path,
                    format!("{} mounts /proc unmasked", container.describe()),
                );
            }
        }
    }
}
