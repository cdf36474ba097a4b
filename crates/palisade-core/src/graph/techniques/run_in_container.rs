//! Workload → one of its containers, when that container leads somewhere (an escape).

use super::{Technique, workload_evidence, workload_vertex};
use crate::graph::context::container_vertex_name;
use crate::graph::{Context, EdgeSink, Evidence};

declare_technique! {
    /// ## What
    /// Code execution in a workload's pods (a flaw in its code, `kubectl exec -c`) runs in its
    /// containers. A container is a vertex only when a step leaves it — an escape to the node
    /// through `privileged`, `hostPID` or an added `SYS_ADMIN` — so the graph stays the size of
    /// what is dangerous.
    ///
    /// ## Why
    /// Settings that break isolation are per container: the path says which container of the
    /// workload is the one to fix.
    ///
    /// ## Evidence
    /// The container's `name`.
    ///
    /// ## MITRE
    /// T1609 (Container Administration Command), T1190 (Exploit Public-Facing Application).
    pub struct RunInContainer {
        id: "T-RUN-IN-CONTAINER",
        slug: "run-in-container",
        name: "Run code in a container of the workload",
        mitre: ["T1609", "T1190"],
    }
}

impl Technique for RunInContainer {
    fn add_edges(&self, context: &Context<'_>, out: &mut EdgeSink<'_>) {
        for w in &context.workloads {
            for container in w.pod.containers() {
                let name = container_vertex_name(&w.name, container.name());
                let Some(to) = out.existing(&name) else {
                    continue;
                };
                let from = workload_vertex(out, w);
                let evidence = vec![
                    Evidence::at(
                        w.file(),
                        container.field_pos("name"),
                        format!("{} of {}", container.describe(), w.name),
                    ),
                    workload_evidence(w, w.name.clone()),
                ];
                out.edge(from, to, evidence);
            }
        }
    }
}
