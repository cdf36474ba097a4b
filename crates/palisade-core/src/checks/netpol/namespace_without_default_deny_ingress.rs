//! Namespace with NetworkPolicies has no default deny for ingress: the `namespace-without-default-deny-ingress` check (PAL-601).

use crate::check::{Check, Reference, Sink};
use crate::inventory::Inventory;
use crate::netpol::{Lint, lint};

crate::declare_check! {
    /// ## What it flags
    /// Namespaces that have NetworkPolicies and workloads, where no policy selects every pod
    /// (`podSelector: {}`) with ingress isolation. Namespaces without any NetworkPolicy are
    /// PAL-205's. The finding is on the Namespace object when the input declares it, otherwise
    /// on the namespace's first policy.
    ///
    /// ## Why it matters
    /// A pod is isolated for ingress only once a policy selects it. Without a namespace-wide
    /// default, every pod the other policies miss, and every workload added later, accepts
    /// connections from anywhere.
    ///
    /// ## Example
    /// Namespace `shop` has a policy for `app: db` only; its `web` Deployment is open.
    ///
    /// ## Fix
    /// ```yaml
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata: {name: default-deny-ingress, namespace: shop}
    /// spec:
    ///   podSelector: {}
    ///   policyTypes: [Ingress]
    /// ```
    ///
    /// ## References
    /// NSA/CISA "Network separation and hardening"; CIS 5.3.2; MITRE ATT&CK T1046.
    pub struct NamespaceWithoutDefaultDenyIngress {
        id: "PAL-601",
        slug: "namespace-without-default-deny-ingress",
        title: "Namespace with NetworkPolicies has no default deny for ingress",
        severity: Medium,
        area: Netpol,
        remediation: "Add a NetworkPolicy with `podSelector: {}` and `policyTypes: [Ingress]` to the namespace, then allow the flows its workloads need.",
        references: [
            Reference::NsaCisa("network-separation"),
            Reference::Cis("5.3.2"),
            Reference::MitreAttack("T1046"),
        ],
    }
}

impl Check for NamespaceWithoutDefaultDenyIngress {
    fn check_inventory(&self, inventory: &Inventory, out: &mut Sink<'_>) {
        for f in lint(inventory, Lint::NoDefaultDenyIngress) {
            out.report_on(f.object, &f.file, f.pos, f.path, f.message);
        }
    }
}
