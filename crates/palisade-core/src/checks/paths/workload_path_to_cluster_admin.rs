//! Flags workloads from which an attacker reaches cluster-admin.

use crate::check::{Check, Reference, Sink};
use crate::inventory::Inventory;

crate::declare_check! {
    /// ## What it flags
    /// Workloads with a path in the attack graph to cluster-admin: code execution in the
    /// workload's pods leads, step by step (mounted token, RBAC grant, pod creation, node
    /// escape, network reach, …), to an identity that may do everything cluster-wide. The
    /// message lists the path and each step's evidence; `palisade paths` shows it in full.
    ///
    /// ## Why it matters
    /// A single finding rarely hands over the cluster; a chain of them does. This check ranks
    /// the workloads whose compromise ends the game, whatever the individual settings look like.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   template:
    ///     spec:
    ///       serviceAccountName: builder   # bound to a ClusterRole that may bind roles
    /// ```
    ///
    /// ## Fix
    /// Break the chain at its cheapest step: `palisade paths --cut` ranks the steps by how many
    /// paths removing them breaks. Usually: do not mount tokens that are not needed, narrow the
    /// RBAC grant, or remove the privilege that escapes to the node.
    ///
    /// ## References
    /// MITRE ATT&CK T1078 (Valid Accounts), T1611 (Escape to Host); NSA/CISA "Authentication
    /// and authorization".
    pub struct WorkloadPathToClusterAdmin {
        id: "PAL-701",
        slug: "workload-path-to-cluster-admin",
        title: "Workload has an attack path to cluster-admin",
        severity: Critical,
        area: Paths,
        status: Preview,
        remediation: "Break the path at its cheapest step (see palisade paths --cut): drop the token, narrow the grant or remove the escape.",
        references: [
            Reference::MitreAttack("T1078"),
            Reference::MitreAttack("T1611"),
            Reference::NsaCisa("authentication-authorization"),
        ],
    }
}

impl Check for WorkloadPathToClusterAdmin {
    fn check_inventory(&self, inventory: &Inventory, out: &mut Sink<'_>) {
        super::report_paths(inventory, "cluster-admin", out);
    }
}
