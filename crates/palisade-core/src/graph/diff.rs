//! Attack paths that appear or disappear between two states of the same configuration (a
//! base and a head), for pull-request gates: a new path to a critical target is a regression.

use std::collections::BTreeMap;

use super::search::{Path, paths_to};
use super::{Graph, VertexKind};

/// Critical targets: what a new path to must fail a gate.
pub const CRITICAL_TARGETS: &[&str] = &["cluster-admin", "node"];

/// Whether a path is new in the head or gone from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    /// In the head, not in the base.
    New,
    /// In the base, not in the head.
    Removed,
}

impl Change {
    /// `new` or `removed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Change::New => "new",
            Change::Removed => "removed",
        }
    }
}

/// One source that gained or lost its way to a critical target.
#[derive(Debug, Clone)]
pub struct PathChange {
    /// New or removed.
    pub change: Change,
    /// The source vertex's name.
    pub source: String,
    /// The target class (`cluster-admin`, `node`).
    pub target: &'static str,
    /// The path, in the head's graph for new paths and the base's for removed ones.
    pub path: Path,
}

/// The shortest path of every default source (the outside network and every workload) to each
/// critical target class, keyed by (source name, target class).
pub fn critical_paths(graph: &Graph, max_depth: usize) -> BTreeMap<(String, &'static str), Path> {
    let sources = default_sources(graph);
    let mut out = BTreeMap::new();
    for &target in CRITICAL_TARGETS {
        let targets = graph.targets(target);
        for path in paths_to(graph, &sources, &targets, 1, max_depth) {
            let source = graph.vertex_of(path.source(graph)).name.clone();
            out.insert((source, target), path);
        }
    }
    out
}

/// The outside network and every workload: where attacks are assumed to start.
pub fn default_sources(graph: &Graph) -> Vec<u32> {
    (0..graph.vertices.len() as u32)
        .filter(|&v| {
            matches!(
                graph.vertex_of(v).kind,
                VertexKind::External | VertexKind::Workload
            )
        })
        .collect()
}

/// Sources that reach a critical target in `head` but not in `base` (new) and the reverse
/// (removed).
pub fn diff(base: &Graph, head: &Graph, max_depth: usize) -> Vec<PathChange> {
    let before = critical_paths(base, max_depth);
    let after = critical_paths(head, max_depth);
    let mut out = Vec::new();
    for ((source, target), path) in &after {
        if !before.contains_key(&(source.clone(), target)) {
            out.push(PathChange {
                change: Change::New,
                source: source.clone(),
                target,
                path: path.clone(),
            });
        }
    }
    for ((source, target), path) in &before {
        if !after.contains_key(&(source.clone(), target)) {
            out.push(PathChange {
                change: Change::Removed,
                source: source.clone(),
                target,
                path: path.clone(),
            });
        }
    }
    out
}
