//! NetworkPolicy rules ignored because policyTypes leaves out their direction: the `network-policy-ignored-rules` check (PAL-607).

use crate::check::{Check, Reference, Sink};
use crate::inventory::Inventory;
use crate::netpol::{Lint, lint};

crate::declare_check! {
    /// ## What it flags
    /// NetworkPolicies whose `policyTypes` leaves out a direction that has rules: `ingress`
    /// rules without `Ingress`, or `egress` rules without `Egress`. The finding points at the
    /// ignored rules.
    ///
    /// ## Why it matters
    /// Rules of a direction missing from `policyTypes` are ignored, and the policy does not
    /// isolate that direction at all. A reader sees an allow-list; the cluster enforces none.
    ///
    /// ## Example
    /// `policyTypes: [Ingress]` with an `egress:` list meant to limit where pods connect to.
    ///
    /// ## Fix
    /// Add the direction to `policyTypes`, or delete the rules if they are not wanted.
    ///
    /// ## References
    /// NSA/CISA "Network separation and hardening".
    pub struct NetworkPolicyIgnoredRules {
        id: "PAL-607",
        slug: "network-policy-ignored-rules",
        title: "NetworkPolicy rules ignored because policyTypes leaves out their direction",
        severity: Medium,
        area: Netpol,
        remediation: "Add the missing direction to `policyTypes`, or remove the rules that are not meant to apply.",
        references: [
            Reference::NsaCisa("network-separation"),
        ],
    }
}

impl Check for NetworkPolicyIgnoredRules {
    fn check_inventory(&self, inventory: &Inventory, out: &mut Sink<'_>) {
        for f in lint(inventory, Lint::IgnoredRules) {
            out.report_on(f.object, &f.file, f.pos, f.path, f.message);
        }
    }
}
