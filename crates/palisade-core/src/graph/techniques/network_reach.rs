//! Workload → workload over the pod network, as the NetworkPolicy engine allows it.

use super::{Technique, workload_evidence, workload_vertex};
use crate::graph::{Context, EdgeSink, Evidence};

declare_technique! {
    /// ## What
    /// A compromised workload connects to another workload that NetworkPolicies (and admin
    /// network policies) let it reach. Lateral movement is computed from exposed workloads and
    /// from workloads named with `--from` or `--blast-radius`, not between every pair.
    ///
    /// ## Why
    /// Without segmentation, one foothold reaches every database and internal API of the
    /// cluster; a NetworkPolicy that stops the connection cuts the path.
    ///
    /// ## Evidence
    /// The destination workload and the connections the NetworkPolicy engine allows.
    ///
    /// ## MITRE
    /// T1210 (Exploitation of Remote Services), T1046 (Network Service Discovery).
    pub struct NetworkReach {
        id: "T-NET-REACH",
        slug: "network-reach",
        name: "Can reach over the network",
        mitre: ["T1210", "T1046"],
    }
}

impl Technique for NetworkReach {
    fn add_edges(&self, context: &Context<'_>, out: &mut EdgeSink<'_>) {
        let Some(network) = &context.network else {
            return;
        };
        for &source in &context.lateral_sources {
            let src = &context.workloads[source];
            let Some(src_index) = src.network_index else {
                continue;
            };
            let from = workload_vertex(out, src);
            for dst in &context.workloads {
                let Some(dst_index) = dst.network_index else {
                    continue;
                };
                if dst_index == src_index {
                    continue;
                }
                if let Some(allowed) = network.between(src_index, dst_index) {
                    let to = workload_vertex(out, dst);
                    out.edge(
                        from,
                        to,
                        vec![
                            workload_evidence(dst, format!("{} accepts connections", dst.name)),
                            Evidence::note(format!("NetworkPolicies allow {allowed}")),
                        ],
                    );
                }
            }
        }
    }
}
