//! External network → exposed entry point (LoadBalancer/NodePort Service, externalIPs,
//! Ingress, host port).

use super::Technique;
use crate::graph::{Context, EdgeSink, VertexKind};

declare_technique! {
    /// ## What
    /// Anyone outside the cluster reaches an entry point: a Service of type LoadBalancer or
    /// NodePort, a Service with externalIPs, an Ingress, or a container's host port.
    ///
    /// ## Why
    /// Entry points are where attacks from the internet begin; a flaw in whatever answers there
    /// gives a foothold in the workload behind it.
    ///
    /// ## Evidence
    /// The Service `type` or `externalIPs`, the Ingress backend, or the `hostPort` line.
    ///
    /// ## MITRE
    /// T1190 (Exploit Public-Facing Application), T1133 (External Remote Services).
    pub struct ExposedEntryPoint {
        id: "T-EXPOSED",
        slug: "exposed-entry-point",
        name: "Exposed to the outside network",
        mitre: ["T1190", "T1133"],
    }
}

impl Technique for ExposedEntryPoint {
    fn add_edges(&self, context: &Context<'_>, out: &mut EdgeSink<'_>) {
        let external = out.vertex(VertexKind::External, "external");
        for entry in &context.entry_points {
            let to = out.vertex(VertexKind::EntryPoint, &entry.name);
            out.edge(external, to, vec![entry.evidence.clone()]);
        }
    }
}
