//! Flags namespaces that run workloads but have no `NetworkPolicy`.

use std::collections::{BTreeMap, BTreeSet};

use crate::check::{Check, Reference, Sink};
use crate::inventory::Inventory;
use crate::workload::pod_specs;

crate::declare_check! {
    /// ## What it flags
    /// Namespaces where the input has pod-bearing workloads but no namespaced network policy
    /// (`NetworkPolicy`, or a network plugin's namespaced policy kind such as
    /// `CiliumNetworkPolicy`). Objects without a namespace are treated as one group that will be
    /// applied into the same namespace. The finding is placed on the Namespace object when the
    /// input declares it, otherwise on the first workload of the namespace.
    ///
    /// ## Why it matters
    /// Kubernetes allows all traffic between all pods until a NetworkPolicy selects them. Without
    /// one, a single compromised pod can reach every other pod and service in the cluster,
    /// including databases and the control plane's internal endpoints.
    ///
    /// ## Example
    /// A namespace `shop` with a Deployment and no `kind: NetworkPolicy` in `shop`.
    ///
    /// ## Fix
    /// Add a default-deny policy for ingress and egress in the namespace, then allow the flows
    /// the workloads need:
    /// ```yaml
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata: {name: default-deny, namespace: shop}
    /// spec:
    ///   podSelector: {}
    ///   policyTypes: [Ingress, Egress]
    /// ```
    ///
    /// ## References
    /// NSA/CISA "Network separation and hardening"; CIS 5.3.2; MITRE ATT&CK T1046 (Network
    /// Service Discovery).
    pub struct NamespaceWithoutNetworkPolicy {
        id: "PAL-205",
        slug: "namespace-without-network-policy",
        title: "Namespace runs workloads without any NetworkPolicy",
        severity: Medium,
        area: Network,
        remediation: "Add a default-deny NetworkPolicy to the namespace and allow only the flows its workloads need.",
        references: [
            Reference::NsaCisa("network-separation"),
            Reference::Cis("5.3.2"),
            Reference::MitreAttack("T1046"),
        ],
    }
}

impl Check for NamespaceWithoutNetworkPolicy {
    fn check_inventory(&self, inventory: &Inventory, out: &mut Sink<'_>) {
        let mut with_policy: BTreeSet<Option<&str>> = BTreeSet::new();
        let mut workloads: BTreeMap<Option<&str>, Vec<_>> = BTreeMap::new();
        for (id, object) in inventory.iter() {
            if object.kind.ends_with("NetworkPolicy") && !object.kind.contains("Cluster") && !object.kind.contains("Admin") && !object.kind.contains("Global") {
                with_policy.insert(object.namespace.as_deref());
            } else if !pod_specs(object).is_empty() {
                workloads.entry(object.namespace.as_deref()).or_default().push(id);
            }
        }
        for (namespace, ids) in workloads {
            if with_policy.contains(&namespace) {
                continue;
            }
            let label = namespace.unwrap_or("(unspecified)");
            let message = format!(
                "namespace {label} runs {} workload(s) but has no NetworkPolicy",
                ids.len()
            );
            let declared = namespace.and_then(|ns| {
                inventory.of_kind("Namespace").find(|(_, o)| &*o.name == ns)
            });
            let (id, object) = declared.unwrap_or_else(|| (ids[0], inventory.get(ids[0])));
            out.report_on(id, &object.source.file, object.pos(), "", message);
        }
    }
}
