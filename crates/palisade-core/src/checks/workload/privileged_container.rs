//! Flags containers that run privileged.

use crate::check::{Check, Reference, Sink};
use crate::workload::PodView;

crate::declare_check! {
    /// ## What it flags
    /// Containers of any kind (regular, init, ephemeral) with `securityContext.privileged: true`.
    ///
    /// ## Why it matters
    /// A privileged container has every capability, sees all host devices and is not confined by
    /// seccomp or AppArmor. Escaping to the node from it takes one command (mounting the host disk
    /// or loading a kernel module), and from the node every pod and credential on it is reachable.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    /// - name: app
    ///   image: registry.example/app:1.4.2
    ///   securityContext:
    ///     privileged: true
    /// ```
    ///
    /// ## Fix
    /// Remove `privileged: true`. If the workload needs one specific power, grant that single
    /// capability instead, and run node agents that truly need the host in a dedicated,
    /// tightly controlled namespace.
    ///
    /// ## References
    /// NSA/CISA "Pod security"; CIS 5.2.2; Pod Security Standards baseline "Privileged
    /// Containers"; MITRE ATT&CK T1611 (Escape to Host); CWE-250.
    pub struct PrivilegedContainer {
        id: "PAL-101",
        slug: "privileged-container",
        title: "Container runs privileged",
        severity: Critical,
        area: Workload,
        remediation: "Set securityContext.privileged to false and grant only the capabilities the container needs.",
        references: [
            Reference::NsaCisa("pod-security"),
            Reference::Cis("5.2.2"),
            Reference::Pss("baseline/privileged"),
            Reference::MitreAttack("T1611"),
            Reference::Cwe("CWE-250"),
        ],
    }
}

impl Check for PrivilegedContainer {
    fn check_pod(&self, pod: &PodView<'_>, out: &mut Sink<'_>) {
        for container in pod.containers() {
            if let Some(setting) = container.effective("privileged")
                && setting.node.as_bool() == Some(true) {
                    out.report(
                        setting.pos,
                        setting.path,
                        format!("{} runs privileged", container.describe()),
                    );
                }
        }
    }
}
