//! Egress-only NetworkPolicy without policyTypes also isolates ingress: the `network-policy-implicit-ingress-isolation` check (PAL-606).

use crate::check::{Check, Reference, Sink};
use crate::inventory::Inventory;
use crate::netpol::{Lint, lint};

crate::declare_check! {
    /// ## What it flags
    /// NetworkPolicies with egress rules, no ingress rules and no `policyTypes`. The finding
    /// points at `spec.egress`.
    ///
    /// ## Why it matters
    /// When `policyTypes` is omitted it defaults to `Ingress`, plus `Egress` if the policy has
    /// egress rules. A policy written only to restrict egress therefore also isolates its pods
    /// for ingress, with no ingress rule: every incoming connection to them is denied, unless
    /// another policy allows it. Outages from this are common and hard to trace.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   podSelector: {matchLabels: {app: web}}
    ///   egress: [{to: [{podSelector: {matchLabels: {app: db}}}]}]
    /// ```
    ///
    /// ## Fix
    /// State the intent: `policyTypes: [Egress]` to leave ingress alone, or
    /// `policyTypes: [Ingress, Egress]` with the ingress rules the pods need.
    ///
    /// ## References
    /// NSA/CISA "Network separation and hardening".
    pub struct NetworkPolicyImplicitIngressIsolation {
        id: "PAL-606",
        slug: "network-policy-implicit-ingress-isolation",
        title: "Egress-only NetworkPolicy without policyTypes also isolates ingress",
        severity: Medium,
        area: Netpol,
        remediation: "Set `policyTypes` explicitly: `[Egress]` to restrict only egress, or both with the ingress rules the pods need.",
        references: [
            Reference::NsaCisa("network-separation"),
        ],
    }
}

impl Check for NetworkPolicyImplicitIngressIsolation {
    fn check_inventory(&self, inventory: &Inventory, out: &mut Sink<'_>) {
        for f in lint(inventory, Lint::ImplicitIngressIsolation) {
            out.report_on(f.object, &f.file, f.pos, f.path, f.message);
        }
    }
}
