//! Flags workloads from which an attacker takes over a node.

use crate::check::{Check, Reference, Sink};
use crate::inventory::Inventory;

crate::declare_check! {
    /// ## What it flags
    /// Workloads with a path in the attack graph to a node: a container escape (privileged,
    /// hostPID, a node-owning hostPath, the runtime socket, SYS_ADMIN), or rights that let the
    /// workload's identity create a privileged pod where Pod Security does not stop it. The
    /// message lists the path and each step's evidence.
    ///
    /// ## Why it matters
    /// Root on a node reaches every pod, token and secret on it, and often the cluster.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   privileged: true
    /// ```
    ///
    /// ## Fix
    /// Remove the escape (privileged, host namespaces, hostPath, capabilities), enforce the
    /// baseline Pod Security Standard on the namespace, or narrow the grant that allows pod
    /// creation.
    ///
    /// ## References
    /// MITRE ATT&CK T1611 (Escape to Host); NSA/CISA "Pod security"; CIS 5.2.
    pub struct WorkloadPathToNode {
        id: "PAL-702",
        slug: "workload-path-to-node",
        title: "Workload has an attack path to node takeover",
        severity: Critical,
        area: Paths,
        status: Preview,
        remediation: "Remove the container escape or the right to create privileged pods, and enforce the baseline Pod Security Standard.",
        references: [
            Reference::MitreAttack("T1611"),
            Reference::NsaCisa("pod-security"),
            Reference::Cis("5.2"),
        ],
    }
}

impl Check for WorkloadPathToNode {
    fn check_inventory(&self, inventory: &Inventory, out: &mut Sink<'_>) {
        super::report_paths(inventory, "node", out);
    }
}
