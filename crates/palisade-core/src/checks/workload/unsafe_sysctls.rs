//! Flags pod sysctls outside the set Kubernetes considers namespaced and safe.

use crate::check::{Check, Reference, Sink};
use crate::workload::PodView;

crate::declare_check! {
    /// ## What it flags
    /// Entries of the pod's `securityContext.sysctls` whose name is not in the safe set of the
    /// Pod Security Standards baseline at the newest policy version (the same table
    /// `palisade pss` uses): `kernel.shm_rmid_forced`, `net.ipv4.ip_local_port_range`,
    /// `net.ipv4.ip_unprivileged_port_start`, `net.ipv4.tcp_syncookies`,
    /// `net.ipv4.ping_group_range`, `net.ipv4.ip_local_reserved_ports`, the TCP keepalive and
    /// `tcp_fin_timeout` settings, `net.ipv4.tcp_rmem`, `net.ipv4.tcp_wmem`,
    /// `net.ipv4.tcp_slow_start_after_idle` and `net.ipv4.tcp_notsent_lowat`. Names written
    /// with `/` separators are compared in their dotted form. Windows pods are skipped.
    ///
    /// ## Why it matters
    /// Only the safe sysctls are isolated per pod and cannot hurt neighbours. Others either change
    /// the whole node (kernel memory, networking stack behaviour for every pod) or are namespaced
    /// but can starve the node of resources. A pod that sets them can weaken the node's hardening
    /// or take it down; such settings belong to the node's configuration, not to a workload.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   securityContext:
    ///     sysctls:
    ///     - name: kernel.msgmax
    ///       value: "65536"
    /// ```
    ///
    /// ## Fix
    /// Remove the unsafe sysctl. If the workload truly needs it, tune it on dedicated nodes
    /// (taints and tolerations) where the kubelet explicitly allows it via
    /// `--allowed-unsafe-sysctls`, and keep such pods out of shared namespaces.
    ///
    /// ## References
    /// NSA/CISA "Pod security"; Pod Security Standards baseline "Sysctls"; MITRE ATT&CK T1611
    /// (Escape to Host) and T1499 (Endpoint Denial of Service).
    pub struct UnsafeSysctls {
        id: "PAL-118",
        slug: "unsafe-sysctls",
        title: "Pod sets a sysctl outside the safe set",
        severity: Medium,
        area: Workload,
        remediation: "Remove sysctls outside the safe set from the pod's securityContext, or run the pod on dedicated nodes that allow them.",
        references: [
            Reference::NsaCisa("pod-security"),
            Reference::Pss("baseline/sysctls"),
            Reference::MitreAttack("T1611"),
            Reference::MitreAttack("T1499"),
        ],
    }
}

/// Whether `name` is a safe sysctl. The kernel accepts `/` as the separator too; none of the
/// safe names has a dot inside a component, so swapping separators is enough to compare.
fn is_safe(name: &str) -> bool {
    // The safe set is the Pod Security Standards' own, at the newest policy version, so this
    // check and `palisade pss` can never disagree about it.
    let dotted = name.replace('/', ".");
    crate::pss::checks::allowed_sysctls(crate::pss::Version::Latest).contains(&dotted.as_str())
}

impl Check for UnsafeSysctls {
    fn check_pod(&self, pod: &PodView<'_>, out: &mut Sink<'_>) {
        if pod.is_windows() {
            return;
        }
        let Some(sysctls) = pod.security_context().and_then(|sc| sc.get("sysctls")) else {
            return;
        };
        for (index, sysctl) in sysctls.items().iter().enumerate() {
            let Some(entry) = sysctl.entry("name") else {
                continue;
            };
            let Some(name) = entry.value.scalar_text() else {
                continue;
            };
            if name.is_empty() || is_safe(&name) {
                continue;
            }
            out.report(
                entry.key_pos,
                format!("{}.sysctls[{index}].name", pod.field_path("securityContext")),
                format!("pod sets sysctl \"{name}\", which is not in the safe set"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_safe;

    #[test]
    fn slash_separated_names_are_compared_dotted() {
        assert!(is_safe("net/ipv4/ip_local_port_range"));
        assert!(is_safe("kernel.shm_rmid_forced"));
        assert!(!is_safe("kernel.msgmax"));
        assert!(!is_safe("net.ipv4.ip_forward"));
    }
}
