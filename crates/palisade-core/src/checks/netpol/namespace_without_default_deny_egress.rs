//! Namespace with NetworkPolicies has no default deny for egress: the `namespace-without-default-deny-egress` check (PAL-602).

use crate::check::{Check, Reference, Sink};
use crate::inventory::Inventory;
use crate::netpol::{Lint, lint};

crate::declare_check! {
    /// ## What it flags
    /// Namespaces that have NetworkPolicies and workloads, where no policy selects every pod
    /// (`podSelector: {}`) with egress isolation. The finding is on the Namespace object when
    /// the input declares it, otherwise on the namespace's first policy.
    ///
    /// ## Why it matters
    /// Egress is open until a policy isolates it. A compromised pod can then scan the cluster,
    /// reach the cloud metadata endpoint or send data anywhere.
    ///
    /// ## Example
    /// Namespace `shop` restricts ingress everywhere but no policy has `Egress` in
    /// `policyTypes`.
    ///
    /// ## Fix
    /// ```yaml
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata: {name: default-deny-egress, namespace: shop}
    /// spec:
    ///   podSelector: {}
    ///   policyTypes: [Egress]
    ///   egress:
    ///   - to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}}]
    ///     ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]
    /// ```
    ///
    /// ## References
    /// NSA/CISA "Network separation and hardening"; MITRE ATT&CK T1041 (Exfiltration over C2
    /// channel).
    pub struct NamespaceWithoutDefaultDenyEgress {
        id: "PAL-602",
        slug: "namespace-without-default-deny-egress",
        title: "Namespace with NetworkPolicies has no default deny for egress",
        severity: Low,
        area: Netpol,
        remediation: "Add a NetworkPolicy with `podSelector: {}` and `policyTypes: [Egress]` that allows DNS, then allow the destinations the workloads need.",
        references: [
            Reference::NsaCisa("network-separation"),
            Reference::MitreAttack("T1041"),
        ],
    }
}

impl Check for NamespaceWithoutDefaultDenyEgress {
    fn check_inventory(&self, inventory: &Inventory, out: &mut Sink<'_>) {
        for f in lint(inventory, Lint::NoDefaultDenyEgress) {
            out.report_on(f.object, &f.file, f.pos, f.path, f.message);
        }
    }
}
