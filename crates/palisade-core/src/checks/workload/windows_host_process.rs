//! Flags Windows HostProcess pods and containers.

use crate::check::{Check, Reference, Sink};
use crate::document::Node;
use crate::workload::PodView;

crate::declare_check! {
    /// ## What it flags
    /// `securityContext.windowsOptions.hostProcess: true`, at pod level or on any container
    /// (regular, init, ephemeral). A pod-level setting is reported once, on the pod.
    ///
    /// ## Why it matters
    /// A HostProcess container runs directly on the Windows node as a host process, with host
    /// networking and access to the node's file system, processes and devices; it can run as
    /// `NT AUTHORITY\SYSTEM`. It is the Windows counterpart of a privileged container with every
    /// host namespace: whoever controls it controls the node and every pod on it.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   securityContext:
    ///     windowsOptions:
    ///       hostProcess: true
    ///       runAsUserName: "NT AUTHORITY\\SYSTEM"
    ///   hostNetwork: true
    /// ```
    ///
    /// ## Fix
    /// Remove `hostProcess: true`. Node agents that genuinely need it should run in a dedicated
    /// namespace with restricted access, run as the least privileged account that works
    /// (`NT AUTHORITY\Local service`), and be suppressed with a reason.
    ///
    /// ## References
    /// NSA/CISA "Pod security"; CIS 5.2.11; Pod Security Standards baseline "HostProcess";
    /// MITRE ATT&CK T1611 (Escape to Host); CWE-250.
    pub struct WindowsHostProcess {
        id: "PAL-131",
        slug: "windows-host-process",
        title: "Windows HostProcess container",
        severity: Critical,
        area: Workload,
        remediation: "Remove windowsOptions.hostProcess: true from the pod and its containers.",
        references: [
            Reference::NsaCisa("pod-security"),
            Reference::Cis("5.2.11"),
            Reference::Pss("baseline/hostProcess"),
            Reference::MitreAttack("T1611"),
            Reference::Cwe("CWE-250"),
        ],
    }
}

/// The `hostProcess` entry of a `securityContext`, when it is `true`.
fn host_process_entry(security_context: Option<&Node>) -> Option<&crate::document::Entry> {
    security_context
        .and_then(|sc| sc.get("windowsOptions"))
        .and_then(|options| options.entry("hostProcess"))
        .filter(|entry| entry.value.as_bool() == Some(true))
}

impl Check for WindowsHostProcess {
    fn check_pod(&self, pod: &PodView<'_>, out: &mut Sink<'_>) {
        // Not limited to `os.name: windows`: HostProcess pods need not declare their OS.
        if let Some(entry) = host_process_entry(pod.security_context()) {
            out.report(
                entry.key_pos,
                format!(
                    "{}.windowsOptions.hostProcess",
                    pod.field_path("securityContext")
                ),
                "pod runs as a Windows HostProcess on the node",
            );
        }
        for container in pod.containers() {
            if let Some(entry) = host_process_entry(container.security_context()) {
                out.report(
                    entry.key_pos,
                    container.field_path("securityContext.windowsOptions.hostProcess"),
                    format!("{} runs as a Windows HostProcess on the node", container.describe()),
                );
            }
        }
    }
}
