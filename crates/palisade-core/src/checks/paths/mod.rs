//! Checks that read the attack graph: workloads from which an attacker reaches cluster-admin or
//! takes over a node, reported with the whole path so that the scan ranks the
//! misconfigurations that matter. Pods that collapse into one workload (the Pods of a
//! ReplicaSet) are reported once, on the first object read.

crate::check::registry! {
    workload_path_to_cluster_admin::WorkloadPathToClusterAdmin,
    workload_path_to_node::WorkloadPathToNode,
}

use crate::check::Sink;
use crate::graph::VertexKind;
use crate::graph::search::{Blocked, ToTargets};
use crate::inventory::Inventory;

/// Longest path the checks follow.
const MAX_DEPTH: usize = crate::graph::search::DEFAULT_MAX_DEPTH;

/// Reports every workload object whose vertex has a path to `target`, at the first step's
/// evidence when it lies in the object's file, with the path and each step's evidence.
fn report_paths(inventory: &Inventory, target: &str, out: &mut Sink<'_>) {
    let graph = inventory.attack_graph();
    let targets = graph.targets(target);
    if targets.is_empty() {
        return;
    }
    let to = ToTargets::new(graph, &targets, MAX_DEPTH, &Blocked::none(graph));
    for &(vertex, id) in &graph.workload_objects {
        let Some(path) = to.path_from(graph, vertex) else {
            continue;
        };
        let object = inventory.get(id);
        // The step into a container or volume only says which one; the step out of it is the
        // setting to fix.
        let decisive = path
            .edges
            .iter()
            .find(|&&e| {
                !matches!(
                    graph.vertex_of(graph.edge(e).to).kind,
                    VertexKind::Container | VertexKind::Volume
                )
            })
            .unwrap_or(&path.edges[0]);
        let first = graph
            .edge(*decisive)
            .evidence
            .first()
            .filter(|e| e.line > 0 && e.file == object.source.file);
        let pos = first.map_or(object.pos(), crate::graph::Evidence::pos);
        let steps: Vec<String> = path
            .edges
            .iter()
            .map(|&e| {
                let edge = graph.edge(e);
                match edge.evidence.iter().find(|ev| ev.line > 0) {
                    Some(ev) => format!("{} ({}:{})", edge.technique.id, ev.file, ev.line),
                    None => edge.technique.id.to_string(),
                }
            })
            .collect();
        out.report_on(
            id,
            &object.source.file,
            pos,
            "spec",
            format!(
                "path to {target} in {} step{}: {}; via {}",
                path.edges.len(),
                if path.edges.len() == 1 { "" } else { "s" },
                path.display(graph),
                steps.join(", ")
            ),
        );
    }
}
