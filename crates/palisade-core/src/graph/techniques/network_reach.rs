//! Workload → workload over the pod network, as the NetworkPolicy engine allows it.

use super::{Technique, workload_evidence, workload_vertex};
use crate::graph::{Context, EdgeSink, Evidence};

declare_technique! {
    /// ## What
    /// A compromised workload connects to another workload that NetworkPolicies (and admin
    /// network policies) let it reach. Lateral movement is computed from exposed workloads and
    /// from workloads named with `--from` or `--blast-radius`, not between every pair. From
    /// exposed workloads, only peers that lead somewhere (a token with rights, a secret, an
    /// escape) get an edge: a hop to a dead end cannot be part of a longer path.
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
        let Some(network) = context.network(out) else {
            return;
        };
        let useful = context.useful_workloads(out).to_vec();
        for &source in &context.lateral_sources {
            let explicit = context.explicit_lateral_sources.contains(&source);
            let src = &context.workloads[source];
            let Some(src_index) = network.index_of[source] else {
                continue;
            };
            let from = workload_vertex(out, src);
            for (i, dst) in context.workloads.iter().enumerate() {
                let Some(dst_index) = network.index_of[i] else {
                    continue;
                };
                if !explicit && !useful[i] {
                    continue;
                }
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
