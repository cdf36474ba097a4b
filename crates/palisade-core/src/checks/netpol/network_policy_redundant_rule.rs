//! NetworkPolicy rule is shadowed by another rule for the same pods: the `network-policy-redundant-rule` check (PAL-609).

use crate::check::{Check, Reference, Sink};
use crate::inventory::Inventory;
use crate::netpol::{Lint, lint};

crate::declare_check! {
    /// ## What it flags
    /// Rules that admit nothing another rule for the same pods does not already admit: within
    /// one policy, or across policies of a namespace with the same pod selector, in the same
    /// direction. Coverage is judged on the text: a rule without peers or ports covers every
    /// peer or port, equal peers cover each other, `namespaceSelector: {}` covers every pod
    /// peer, an ipBlock covers the blocks inside it, and port ranges cover the ranges inside
    /// them. Of two equal rules the later is reported. The finding points at the rule.
    ///
    /// ## Why it matters
    /// Allows are unions: a shadowed rule changes nothing, but readers assume it does, and
    /// often the shadowing rule is broader than its author meant.
    ///
    /// ## Example
    /// Rule 1 admits `app: web` on all ports; rule 2 admits `app: web` on port 8080.
    ///
    /// ## Fix
    /// Delete the redundant rule, or narrow the broader one if it was meant to be narrower.
    ///
    /// ## References
    /// NSA/CISA "Network separation and hardening".
    pub struct NetworkPolicyRedundantRule {
        id: "PAL-609",
        slug: "network-policy-redundant-rule",
        title: "NetworkPolicy rule is shadowed by another rule for the same pods",
        severity: Info,
        area: Netpol,
        remediation: "Delete the redundant rule, or narrow the rule that covers it if it admits more than intended.",
        references: [
            Reference::NsaCisa("network-separation"),
        ],
    }
}

impl Check for NetworkPolicyRedundantRule {
    fn check_inventory(&self, inventory: &Inventory, out: &mut Sink<'_>) {
        for f in lint(inventory, Lint::RedundantRule) {
            out.report_on(f.object, &f.file, f.pos, f.path, f.message);
        }
    }
}
