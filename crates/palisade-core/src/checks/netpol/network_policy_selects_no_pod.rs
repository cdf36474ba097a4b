//! NetworkPolicy selects no workload of its namespace: the `network-policy-selects-no-pod` check (PAL-604).

use crate::check::{Check, Reference, Sink};
use crate::inventory::Inventory;
use crate::netpol::{Lint, lint};

crate::declare_check! {
    /// ## What it flags
    /// NetworkPolicies whose `podSelector` matches none of the workloads the input has in the
    /// policy's namespace (namespaces without workloads in the input are not judged). The
    /// finding points at `spec.podSelector`.
    ///
    /// ## Why it matters
    /// Such a policy protects nothing. It is usually a label that drifted from the workloads',
    /// leaving the pods it was written for unprotected while reviewers believe otherwise.
    ///
    /// ## Example
    /// `podSelector: {matchLabels: {app: databse}}` next to pods labelled `app: database`.
    ///
    /// ## Fix
    /// Correct the selector to the labels of the pods it is meant for, or delete the policy.
    ///
    /// ## References
    /// NSA/CISA "Network separation and hardening".
    pub struct NetworkPolicySelectsNoPod {
        id: "PAL-604",
        slug: "network-policy-selects-no-pod",
        title: "NetworkPolicy selects no workload of its namespace",
        severity: Low,
        area: Netpol,
        remediation: "Correct the pod selector to match the intended pods' labels, or delete the policy.",
        references: [
            Reference::NsaCisa("network-separation"),
        ],
    }
}

impl Check for NetworkPolicySelectsNoPod {
    fn check_inventory(&self, inventory: &Inventory, out: &mut Sink<'_>) {
        for f in lint(inventory, Lint::PolicySelectsNothing) {
            out.report_on(f.object, &f.file, f.pos, f.path, f.message);
        }
    }
}
