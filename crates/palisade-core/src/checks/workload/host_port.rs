//! Flags container ports bound to a port of the node.

use crate::check::{Check, Reference, Sink};
use crate::document::Node;
use crate::workload::PodView;

crate::declare_check! {
    /// ## What it flags
    /// Container ports (of any container kind) with a non-zero `hostPort`. Pods with
    /// `hostNetwork: true` are left to `host-network`: Kubernetes fills in their `hostPort`
    /// itself, and every port they open is a host port anyway.
    ///
    /// ## Why it matters
    /// A host port is opened on the node's own addresses, outside the Service abstraction. It is
    /// reachable by anything that can reach the node, usually outside the control of
    /// NetworkPolicy for traffic from outside the cluster, and it pins the pod to nodes where
    /// the port is free.
    ///
    /// ## Example
    /// ```yaml
    /// ports:
    /// - containerPort: 8080
    ///   hostPort: 8080
    /// ```
    ///
    /// ## Fix
    /// Remove `hostPort` and expose the pod through a Service (ClusterIP behind an Ingress or
    /// Gateway, or a LoadBalancer restricted with `loadBalancerSourceRanges`).
    ///
    /// ## References
    /// NSA/CISA "Network separation and hardening"; CIS 5.2.13; Pod Security Standards baseline
    /// "HostPorts"; MITRE ATT&CK T1190 (Exploit Public-Facing Application).
    pub struct HostPort {
        id: "PAL-107",
        slug: "host-port",
        title: "Container binds a port of the node (hostPort)",
        severity: Medium,
        area: Workload,
        remediation: "Remove hostPort from the container's ports and expose the pod through a Service.",
        references: [
            Reference::NsaCisa("network-separation"),
            Reference::Cis("5.2.13"),
            Reference::Pss("baseline/hostPorts"),
            Reference::MitreAttack("T1190"),
        ],
    }
}

/// The port number, also when written as a quoted string.
fn port_number(node: &Node) -> Option<i64> {
    node.as_i64()
        .or_else(|| node.as_str().and_then(|s| s.trim().parse().ok()))
}

impl Check for HostPort {
    fn check_pod(&self, pod: &PodView<'_>, out: &mut Sink<'_>) {
        if pod.get("hostNetwork").and_then(Node::as_bool) == Some(true) {
            return;
        }
        for container in pod.containers() {
            let ports = container.get("ports").map_or(&[][..], Node::items);
            for (index, port) in ports.iter().enumerate() {
                let Some(entry) = port.entry("hostPort") else {
                    continue;
                };
                let Some(number) = port_number(&entry.value).filter(|n| *n != 0) else {
                    continue;
                };
                out.report(
                    entry.key_pos,
                    container.field_path(&format!("ports[{index}].hostPort")),
                    format!("{} binds port {number} of the node", container.describe()),
                );
            }
        }
    }
}
