//! NetworkPolicy rule has a peer or named port that can never match: the `network-policy-rule-never-matches` check (PAL-605).

use crate::check::{Check, Reference, Sink};
use crate::inventory::Inventory;
use crate::netpol::{Lint, lint};

crate::declare_check! {
    /// ## What it flags
    /// Peers of NetworkPolicy rules that match no workload (invalid selectors, or selectors
    /// that match no pod in the namespaces they reach, when those namespaces have workloads in
    /// the input), and named ports that no container of the pods they resolve on declares
    /// (the selected pods for ingress, the peers for egress). The finding points at the peer or
    /// the port.
    ///
    /// ## Why it matters
    /// The rule silently allows less than it says: the flow its author meant to allow is
    /// denied, and the usual fix under pressure is to loosen the policy far more than needed.
    ///
    /// ## Example
    /// An ingress rule on `port: http` for pods whose container port is named `web`.
    ///
    /// ## Fix
    /// Correct the selector labels or the port name; use the container's port name exactly.
    ///
    /// ## References
    /// NSA/CISA "Network separation and hardening".
    pub struct NetworkPolicyRuleNeverMatches {
        id: "PAL-605",
        slug: "network-policy-rule-never-matches",
        title: "NetworkPolicy rule has a peer or named port that can never match",
        severity: Low,
        area: Netpol,
        remediation: "Correct the peer's selectors or the port name so that the rule matches the pods it was written for.",
        references: [
            Reference::NsaCisa("network-separation"),
        ],
    }
}

impl Check for NetworkPolicyRuleNeverMatches {
    fn check_inventory(&self, inventory: &Inventory, out: &mut Sink<'_>) {
        for f in lint(inventory, Lint::RuleNeverMatches) {
            out.report_on(f.object, &f.file, f.pos, f.path, f.message);
        }
    }
}
