//! Flags Services of type `NodePort`.

use crate::check::{Check, Reference, Sink};
use crate::inventory::Inventory;
use crate::object::Object;

crate::declare_check! {
    /// ## What it flags
    /// Services with `spec.type: NodePort`.
    ///
    /// ## Why it matters
    /// A NodePort opens the same port on every node of the cluster, on every node address,
    /// usually outside the reach of NetworkPolicy for traffic from outside the cluster and
    /// outside the control of a load balancer or ingress controller. Node addresses are often
    /// reachable from much wider networks than intended, which turns an internal service into
    /// an exposed entry point.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Service
    /// spec:
    ///   type: NodePort
    /// ```
    ///
    /// ## Fix
    /// Use a ClusterIP Service behind an Ingress or Gateway, or a LoadBalancer with
    /// `loadBalancerSourceRanges`. If a NodePort is required, restrict node firewall rules.
    ///
    /// ## References
    /// NSA/CISA "Network separation and hardening"; MITRE ATT&CK T1190 (Exploit Public-Facing
    /// Application).
    pub struct ServiceNodePort {
        id: "PAL-201",
        slug: "service-node-port",
        title: "Service is exposed on every node (NodePort)",
        severity: Medium,
        area: Network,
        remediation: "Use a ClusterIP Service behind an Ingress or Gateway instead of type NodePort.",
        references: [
            Reference::NsaCisa("network-separation"),
            Reference::MitreAttack("T1190"),
        ],
    }
}

impl Check for ServiceNodePort {
    fn check_object(&self, object: &Object, _inventory: &Inventory, out: &mut Sink<'_>) {
        if &*object.kind != "Service" || object.group() != "" {
            return;
        }
        let Some(spec) = object.root.get("spec") else { return };
        if let Some(entry) = spec.entry("type")
            && entry.value.as_str() == Some("NodePort") {
                out.report(
                    entry.key_pos,
                    "spec.type",
                    format!("Service \"{}\" is exposed on a port of every node", object.name),
                );
            }
    }
}
