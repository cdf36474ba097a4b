//! Path search over the attack graph: shortest paths (breadth-first; every step costs one),
//! all shortest paths to a target set in one backward pass, k shortest loop-free paths (Yen's
//! algorithm), blast radius (forward reachability) and the ranking of edges by how many
//! critical paths their removal breaks.
//!
//! Searches never allocate per edge; blocked edges and vertices are bit vectors, so a search is
//! linear in the graph's size.

use std::collections::VecDeque;

/// The longest path searched unless told otherwise, in steps. Steps into a container or a
/// volume count, so this leaves room for twelve other steps on paths that pass through two
/// of them.
pub const DEFAULT_MAX_DEPTH: usize = 14;

use super::{EdgeId, Graph, VertexId};

/// No edge / no distance.
const NONE: u32 = u32::MAX;

/// A path: consecutive edges, the first leaving the source and the last entering the target.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Path {
    /// The edges, in order.
    pub edges: Vec<EdgeId>,
}

impl Path {
    /// The first vertex.
    pub fn source(&self, graph: &Graph) -> VertexId {
        graph.edge(self.edges[0]).from
    }

    /// The last vertex.
    pub fn target(&self, graph: &Graph) -> VertexId {
        graph.edge(self.edges[self.edges.len() - 1]).to
    }

    /// Its vertices, source first.
    pub fn vertices(&self, graph: &Graph) -> Vec<VertexId> {
        let mut out = Vec::with_capacity(self.edges.len() + 1);
        out.push(self.source(graph));
        out.extend(self.edges.iter().map(|&e| graph.edge(e).to));
        out
    }

    /// `a → b → c`, by vertex names.
    pub fn display(&self, graph: &Graph) -> String {
        self.vertices(graph)
            .iter()
            .map(|&v| graph.vertex_of(v).name.as_str())
            .collect::<Vec<_>>()
            .join(" → ")
    }
}

/// What a search may not use.
#[derive(Debug, Clone)]
pub struct Blocked {
    edges: Vec<bool>,
    vertices: Vec<bool>,
}

impl Blocked {
    /// Nothing blocked.
    pub fn none(graph: &Graph) -> Self {
        Blocked {
            edges: vec![false; graph.edges.len()],
            vertices: vec![false; graph.vertices.len()],
        }
    }

    /// Blocks an edge.
    pub fn edge(&mut self, e: EdgeId) {
        self.edges[e as usize] = true;
    }

    /// Blocks a vertex.
    pub fn vertex(&mut self, v: VertexId) {
        self.vertices[v as usize] = true;
    }
}

/// A mask of target vertices.
pub fn mask(graph: &Graph, vertices: &[VertexId]) -> Vec<bool> {
    let mut out = vec![false; graph.vertices.len()];
    for &v in vertices {
        out[v as usize] = true;
    }
    out
}

/// The shortest path from `source` to any vertex of `targets` with at most `max_depth` steps.
pub fn shortest(
    graph: &Graph,
    source: VertexId,
    targets: &[bool],
    max_depth: usize,
    blocked: &Blocked,
) -> Option<Path> {
    if targets[source as usize] || blocked.vertices[source as usize] {
        return None;
    }
    let n = graph.vertices.len();
    let mut parent = vec![NONE; n];
    let mut depth = vec![NONE; n];
    depth[source as usize] = 0;
    let mut queue = VecDeque::from([source]);
    while let Some(v) = queue.pop_front() {
        let d = depth[v as usize];
        if d as usize >= max_depth {
            continue;
        }
        for &e in graph.outgoing(v) {
            if blocked.edges[e as usize] {
                continue;
            }
            let to = graph.edge(e).to;
            if depth[to as usize] != NONE || blocked.vertices[to as usize] {
                continue;
            }
            depth[to as usize] = d + 1;
            parent[to as usize] = e;
            if targets[to as usize] {
                return Some(unwind(graph, &parent, to));
            }
            queue.push_back(to);
        }
    }
    None
}

fn unwind(graph: &Graph, parent: &[u32], mut v: VertexId) -> Path {
    let mut edges = Vec::new();
    while parent[v as usize] != NONE {
        let e = parent[v as usize];
        edges.push(e);
        v = graph.edge(e).from;
    }
    edges.reverse();
    Path { edges }
}

/// Distances to a target set, from every vertex, found in one backward pass.
#[derive(Debug, Clone)]
pub struct ToTargets {
    /// Steps to the nearest target (`u32::MAX`: none within the depth limit).
    pub distance: Vec<u32>,
    next: Vec<EdgeId>,
}

impl ToTargets {
    /// Computes distances to `targets` over at most `max_depth` steps.
    pub fn new(graph: &Graph, targets: &[VertexId], max_depth: usize, blocked: &Blocked) -> Self {
        let n = graph.vertices.len();
        let mut distance = vec![NONE; n];
        let mut next = vec![NONE; n];
        let mut queue = VecDeque::new();
        for &t in targets {
            if distance[t as usize] == NONE {
                distance[t as usize] = 0;
                queue.push_back(t);
            }
        }
        while let Some(v) = queue.pop_front() {
            let d = distance[v as usize];
            if d as usize >= max_depth {
                continue;
            }
            for &e in graph.incoming(v) {
                if blocked.edges[e as usize] {
                    continue;
                }
                let from = graph.edge(e).from;
                if distance[from as usize] != NONE || blocked.vertices[from as usize] {
                    continue;
                }
                distance[from as usize] = d + 1;
                next[from as usize] = e;
                queue.push_back(from);
            }
        }
        ToTargets { distance, next }
    }

    /// Whether `v` reaches a target (and is not one).
    pub fn reaches(&self, v: VertexId) -> bool {
        let d = self.distance[v as usize];
        d != NONE && d > 0
    }

    /// The shortest path from `v` to the nearest target.
    pub fn path_from(&self, graph: &Graph, mut v: VertexId) -> Option<Path> {
        if !self.reaches(v) {
            return None;
        }
        let mut edges = Vec::new();
        while self.next[v as usize] != NONE {
            let e = self.next[v as usize];
            edges.push(e);
            v = graph.edge(e).to;
        }
        Some(Path { edges })
    }
}

/// Up to `k` shortest loop-free paths from `source` to any target, shortest first (Yen).
pub fn k_shortest(
    graph: &Graph,
    source: VertexId,
    targets: &[bool],
    k: usize,
    max_depth: usize,
) -> Vec<Path> {
    let none = Blocked::none(graph);
    let Some(first) = shortest(graph, source, targets, max_depth, &none) else {
        return Vec::new();
    };
    let mut found = vec![first];
    let mut candidates: Vec<Path> = Vec::new();
    while found.len() < k {
        let previous = found[found.len() - 1].clone();
        let vertices = previous.vertices(graph);
        for i in 0..previous.edges.len() {
            let spur = vertices[i];
            let root = &previous.edges[..i];
            let mut blocked = none.clone();
            for p in &found {
                if p.edges.len() > i && p.edges[..i] == *root {
                    blocked.edge(p.edges[i]);
                }
            }
            for &v in &vertices[..i] {
                blocked.vertex(v);
            }
            let Some(spur_path) = shortest(graph, spur, targets, max_depth - i, &blocked) else {
                continue;
            };
            let mut edges = root.to_vec();
            edges.extend(spur_path.edges);
            let candidate = Path { edges };
            if !found.contains(&candidate) && !candidates.contains(&candidate) {
                candidates.push(candidate);
            }
        }
        // The shortest candidate; among equals the first found, so results are stable.
        let Some(best) = (0..candidates.len()).min_by_key(|&i| candidates[i].edges.len()) else {
            break;
        };
        found.push(candidates.remove(best));
    }
    found
}

/// What one compromised vertex reaches: every vertex with its distance and the edge it was
/// first reached by.
#[derive(Debug, Clone)]
pub struct Reach {
    /// The start.
    pub source: VertexId,
    /// Reached vertices in order of distance (the source excluded).
    pub reached: Vec<(VertexId, u32)>,
    parent: Vec<EdgeId>,
}

impl Reach {
    /// The shortest path from the source to `v`.
    pub fn path_to(&self, graph: &Graph, v: VertexId) -> Option<Path> {
        (self.parent[v as usize] != NONE).then(|| unwind(graph, &self.parent, v))
    }
}

/// Everything reachable from `source` within `max_depth` steps.
pub fn blast_radius(graph: &Graph, source: VertexId, max_depth: usize) -> Reach {
    let n = graph.vertices.len();
    let mut parent = vec![NONE; n];
    let mut depth = vec![NONE; n];
    depth[source as usize] = 0;
    let mut queue = VecDeque::from([source]);
    let mut reached = Vec::new();
    while let Some(v) = queue.pop_front() {
        let d = depth[v as usize];
        if d as usize >= max_depth {
            continue;
        }
        for &e in graph.outgoing(v) {
            let to = graph.edge(e).to;
            if depth[to as usize] != NONE {
                continue;
            }
            depth[to as usize] = d + 1;
            parent[to as usize] = e;
            reached.push((to, d + 1));
            queue.push_back(to);
        }
    }
    Reach {
        source,
        reached,
        parent,
    }
}

/// An edge ranked by how much removing it helps.
#[derive(Debug, Clone)]
pub struct CutEdge {
    /// The edge.
    pub edge: EdgeId,
    /// Shortest critical paths (one per source) that use it.
    pub paths_through: usize,
    /// Sources that no longer reach any target once it is removed.
    pub sources_cut_off: usize,
}

/// Edges ranked by the number of sources whose every path to `targets` they break (then by how
/// many shortest paths use them). Only the `candidates` edges used by most shortest paths are
/// evaluated, each with one backward pass.
pub fn cut(
    graph: &Graph,
    sources: &[VertexId],
    targets: &[VertexId],
    max_depth: usize,
    candidates: usize,
) -> Vec<CutEdge> {
    let none = Blocked::none(graph);
    let base = ToTargets::new(graph, targets, max_depth, &none);
    let reaching: Vec<VertexId> = sources
        .iter()
        .copied()
        .filter(|&s| base.reaches(s))
        .collect();
    let mut uses = vec![0usize; graph.edges.len()];
    for &s in &reaching {
        if let Some(path) = base.path_from(graph, s) {
            for e in path.edges {
                uses[e as usize] += 1;
            }
        }
    }
    let mut ranked: Vec<EdgeId> = (0..graph.edges.len() as EdgeId)
        .filter(|&e| uses[e as usize] > 0)
        .collect();
    ranked.sort_by_key(|&e| (std::cmp::Reverse(uses[e as usize]), e));
    ranked.truncate(candidates);
    let mut out: Vec<CutEdge> = ranked
        .into_iter()
        .map(|e| {
            let mut blocked = none.clone();
            blocked.edge(e);
            let after = ToTargets::new(graph, targets, max_depth, &blocked);
            CutEdge {
                edge: e,
                paths_through: uses[e as usize],
                sources_cut_off: reaching.iter().filter(|&&s| !after.reaches(s)).count(),
            }
        })
        .collect();
    out.sort_by_key(|c| {
        (
            std::cmp::Reverse(c.sources_cut_off),
            std::cmp::Reverse(c.paths_through),
            c.edge,
        )
    });
    out
}

/// The shortest path (or, with `k` > 1, the `k` shortest) from each source to the nearest
/// target, ordered by length, then source name. One backward pass serves every source when
/// `k` is 1.
pub fn paths_to(
    graph: &Graph,
    sources: &[VertexId],
    targets: &[VertexId],
    k: usize,
    max_depth: usize,
) -> Vec<Path> {
    let mut out = Vec::new();
    if k <= 1 {
        let to = ToTargets::new(graph, targets, max_depth, &Blocked::none(graph));
        out.extend(sources.iter().filter_map(|&s| to.path_from(graph, s)));
    } else {
        let targets = mask(graph, targets);
        for &s in sources {
            out.extend(k_shortest(graph, s, &targets, k, max_depth));
        }
    }
    out.sort_by(|a, b| {
        a.edges.len().cmp(&b.edges.len()).then_with(|| {
            graph
                .vertex_of(a.source(graph))
                .name
                .cmp(&graph.vertex_of(b.source(graph)).name)
        })
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::VertexKind;
    use crate::graph::techniques::TECHNIQUES;

    /// a → b → d, a → c → d, a → d via e → f (longer), and b → c.
    fn diamond() -> (Graph, Vec<VertexId>) {
        let mut g = Graph::default();
        let names = ["a", "b", "c", "d", "e", "f"];
        let v: Vec<VertexId> = names
            .iter()
            .map(|n| g.vertex(VertexKind::Workload, n))
            .collect();
        let t = TECHNIQUES[0].meta;
        for (from, to) in [
            (0, 1),
            (1, 3),
            (0, 2),
            (2, 3),
            (0, 4),
            (4, 5),
            (5, 3),
            (1, 2),
        ] {
            g.add_edge(v[from], v[to], t, Vec::new());
        }
        (g, v)
    }

    fn names(g: &Graph, p: &Path) -> String {
        p.display(g)
    }

    #[test]
    fn yen_finds_the_k_shortest_loop_free_paths_in_order() {
        let (g, v) = diamond();
        let targets = mask(&g, &[v[3]]);
        let found: Vec<String> = k_shortest(&g, v[0], &targets, 10, 12)
            .iter()
            .map(|p| names(&g, p))
            .collect();
        assert_eq!(
            found,
            ["a → b → d", "a → c → d", "a → b → c → d", "a → e → f → d"]
        );
        assert_eq!(k_shortest(&g, v[0], &targets, 10, 2).len(), 2);
    }

    #[test]
    fn backward_pass_and_blocking_agree_with_forward_search() {
        let (g, v) = diamond();
        let to = ToTargets::new(&g, &[v[3]], 12, &Blocked::none(&g));
        assert_eq!(to.distance[v[0] as usize], 2);
        assert!(!to.reaches(v[3]));
        let mut blocked = Blocked::none(&g);
        blocked.vertex(v[1]);
        blocked.vertex(v[2]);
        let around = shortest(&g, v[0], &mask(&g, &[v[3]]), 12, &blocked).expect("a path");
        assert_eq!(names(&g, &around), "a → e → f → d");
        let reach = blast_radius(&g, v[4], 12);
        assert_eq!(reach.reached.len(), 2);
    }

    #[test]
    fn cut_prefers_the_edge_every_path_needs() {
        let mut g = Graph::default();
        let t = TECHNIQUES[0].meta;
        let s1 = g.vertex(VertexKind::Workload, "s1");
        let s2 = g.vertex(VertexKind::Workload, "s2");
        let hub = g.vertex(VertexKind::ServiceAccount, "hub");
        let admin = g.vertex(VertexKind::ClusterAdmin, "cluster-admin");
        g.add_edge(s1, hub, t, Vec::new());
        g.add_edge(s2, hub, t, Vec::new());
        g.add_edge(hub, admin, t, Vec::new());
        let ranked = cut(&g, &[s1, s2], &[admin], 12, 10);
        assert_eq!(g.edge(ranked[0].edge).from, hub);
        assert_eq!(ranked[0].sources_cut_off, 2);
        assert_eq!(ranked[1].sources_cut_off, 1);
    }
}
