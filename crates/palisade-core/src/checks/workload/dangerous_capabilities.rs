//! Flags containers that add capabilities which open a way out of the container.

use crate::check::{Check, Reference, Sink};
use crate::document::Node;
use crate::workload::PodView;

use super::capability_name;

crate::declare_check! {
    /// ## What it flags
    /// Containers of any kind whose `securityContext.capabilities.add` lists one of:
    ///
    /// | capability | why |
    /// |---|---|
    /// | `ALL` | every capability, close to privileged |
    /// | `SYS_ADMIN` | mount file systems, namespaces, cgroup release agents: the classic escape |
    /// | `NET_ADMIN` | reconfigure interfaces, routes and firewall rules; intercept traffic |
    /// | `SYS_PTRACE` | read and inject into other processes' memory |
    /// | `SYS_MODULE` | load kernel modules: code in the kernel |
    /// | `DAC_READ_SEARCH` | open host files by handle (`open_by_handle_at`, "shocker") |
    /// | `SYS_RAWIO` | raw I/O ports and `/dev/mem` |
    /// | `BPF`, `PERFMON` | load eBPF programs and read kernel memory through tracing |
    /// | `SYS_BOOT` | reboot the node, load a new kernel |
    /// | `MAC_ADMIN`, `MAC_OVERRIDE` | change or bypass AppArmor/SELinux policy |
    ///
    /// Names are matched in any case, with or without the `CAP_` prefix, as the runtimes accept
    /// them. `NET_RAW` is not on this list: the runtimes grant it by default and adding it back
    /// (for `ping`) is common; keeping it is reported by `capabilities-not-dropped`. Windows pods
    /// are skipped (capabilities are a Linux feature).
    ///
    /// ## Why it matters
    /// Each of these capabilities is a documented way to break out of the container or to take
    /// over the node's network, kernel or security policy. A container that adds one of them is
    /// only a step away from a privileged one.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   capabilities:
    ///     add: ["SYS_ADMIN"]
    /// ```
    ///
    /// ## Fix
    /// Remove the capability. Most workloads need none beyond `NET_BIND_SERVICE`; drop `ALL`
    /// and add back only what a documented need requires.
    ///
    /// ## References
    /// NSA/CISA "Pod security"; CIS 5.2.9; Pod Security Standards baseline "Capabilities";
    /// MITRE ATT&CK T1611 (Escape to Host), T1068 (Exploitation for Privilege Escalation);
    /// CWE-250.
    pub struct DangerousCapabilities {
        id: "PAL-108",
        slug: "dangerous-capabilities",
        title: "Container adds a dangerous Linux capability",
        severity: High,
        area: Workload,
        remediation: "Remove the capability from securityContext.capabilities.add; drop ALL and add back only what the container needs.",
        references: [
            Reference::NsaCisa("pod-security"),
            Reference::Cis("5.2.9"),
            Reference::Pss("baseline/capabilities"),
            Reference::MitreAttack("T1611"),
            Reference::MitreAttack("T1068"),
            Reference::Cwe("CWE-250"),
        ],
    }
}

/// Capabilities that give a way out of the container, without the `CAP_` prefix.
pub(crate) const DANGEROUS: &[&str] = &[
    "ALL",
    "SYS_ADMIN",
    "NET_ADMIN",
    "SYS_PTRACE",
    "SYS_MODULE",
    "DAC_READ_SEARCH",
    "SYS_RAWIO",
    "BPF",
    "PERFMON",
    "SYS_BOOT",
    "MAC_ADMIN",
    "MAC_OVERRIDE",
];

impl Check for DangerousCapabilities {
    fn check_pod(&self, pod: &PodView<'_>, out: &mut Sink<'_>) {
        if pod.is_windows() {
            return;
        }
        for container in pod.containers() {
            let Some(capabilities) = container.effective("capabilities") else {
                continue;
            };
            let added = capabilities.node.get("add").map_or(&[][..], Node::items);
            for (index, item) in added.iter().enumerate() {
                let Some(name) = capability_name(item) else {
                    continue;
                };
                if DANGEROUS.contains(&name.as_str()) {
                    out.report(
                        item.pos,
                        format!("{}.add[{index}]", capabilities.path),
                        format!("{} adds the capability {name}", container.describe()),
                    );
                }
            }
        }
    }
}
