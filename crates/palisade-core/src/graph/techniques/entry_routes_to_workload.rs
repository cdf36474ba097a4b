//! Entry point → the workloads it sends traffic to, as far as NetworkPolicies let it in.

use super::{Technique, workload_vertex};
use crate::graph::{Context, EdgeSink, Evidence, VertexKind};

declare_technique! {
    /// ## What
    /// An entry point sends traffic to the workloads whose pod labels match the Service
    /// selector (for an Ingress, the selector of each backend Service), or to the workload
    /// that opens a host port. When the NetworkPolicy engine finds that policies admit nothing
    /// from outside (or from the ingress controller), the edge is not added.
    ///
    /// ## Why
    /// Whoever reaches the entry point reaches the pods behind it and any flaw they have.
    ///
    /// ## Evidence
    /// The pod template labels the selector matches (or the host port), and what the
    /// NetworkPolicies admit.
    ///
    /// ## MITRE
    /// T1190 (Exploit Public-Facing Application).
    pub struct EntryRoutesToWorkload {
        id: "T-ENTRY-ROUTE",
        slug: "entry-routes-to-workload",
        name: "Entry point routes to workload",
        mitre: ["T1190"],
    }
}

impl Technique for EntryRoutesToWorkload {
    fn add_edges(&self, context: &Context<'_>, out: &mut EdgeSink<'_>) {
        let network = context.network(out);
        for entry in &context.entry_points {
            let from = out.vertex(VertexKind::EntryPoint, &entry.name);
            for (index, via) in &entry.routes {
                let w = &context.workloads[*index];
                let mut evidence = Vec::new();
                let labels = w
                    .pod
                    .metadata
                    .and_then(|m| m.entry("labels"))
                    .map(|e| e.key_pos);
                match labels {
                    Some(pos) if !entry.name.starts_with("entry:hostPort/") => evidence.push(
                        Evidence::at(w.file(), pos, format!("pod labels match {}", via.what)),
                    ),
                    _ => evidence.push(via.clone()),
                }
                // Pods the engine does not model (custom resources) are taken as reachable.
                if let Some(network) = network
                    && let Some(dst) = network.index_of[*index]
                {
                    match network.from_outside(dst, entry.through_ingress_controller) {
                        Some(allowed) => evidence.push(Evidence::note(format!(
                            "NetworkPolicies admit {allowed} from outside"
                        ))),
                        None => continue,
                    }
                }
                let to = workload_vertex(out, w);
                out.edge(from, to, evidence);
            }
        }
    }
}
