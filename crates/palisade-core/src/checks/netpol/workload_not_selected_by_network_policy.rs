//! Workload is selected by no NetworkPolicy of its namespace: the `workload-not-selected-by-network-policy` check (PAL-603).

use crate::check::{Check, Reference, Sink};
use crate::inventory::Inventory;
use crate::netpol::{Lint, lint};

crate::declare_check! {
    /// ## What it flags
    /// Pod-bearing workloads in a namespace that has NetworkPolicies, whose pod labels no
    /// policy of the namespace selects. Namespaces without any policy are PAL-205's.
    ///
    /// ## Why it matters
    /// A pod no policy selects is not isolated in either direction: everything may reach it
    /// and it may reach everything, however strict its neighbours' policies are. This is
    /// usually a label typo or a workload added after the policies were written.
    ///
    /// ## Example
    /// Policies select `app: web` and `app: db`; a Deployment labelled `app: worker` is open.
    ///
    /// ## Fix
    /// Add a default-deny policy (`podSelector: {}`) to the namespace, or a policy for the
    /// workload's labels.
    ///
    /// ## References
    /// NSA/CISA "Network separation and hardening"; CIS 5.3.2.
    pub struct WorkloadNotSelectedByNetworkPolicy {
        id: "PAL-603",
        slug: "workload-not-selected-by-network-policy",
        title: "Workload is selected by no NetworkPolicy of its namespace",
        severity: Medium,
        area: Netpol,
        remediation: "Select the workload with a NetworkPolicy, ideally a namespace-wide default deny plus the flows it needs.",
        references: [
            Reference::NsaCisa("network-separation"),
            Reference::Cis("5.3.2"),
        ],
    }
}

impl Check for WorkloadNotSelectedByNetworkPolicy {
    fn check_inventory(&self, inventory: &Inventory, out: &mut Sink<'_>) {
        for f in lint(inventory, Lint::UnselectedWorkload) {
            out.report_on(f.object, &f.file, f.pos, f.path, f.message);
        }
    }
}
