//! The attack graph: one graph that joins what the workload, RBAC and NetworkPolicy analyses
//! know, so that questions about kill chains can be answered (from here, what can an attacker
//! reach, how, and which single change cuts the most paths).
//!
//! Vertices are the things an attacker can hold: the outside network, exposed entry points,
//! workloads, the containers and volumes of a workload that lead somewhere, identities (service
//! accounts, users, groups, and the new identities a certificate signer issues), permission
//! sets, secrets, nodes and the cluster itself (`cluster-admin`). Edges are attack techniques: each comes from one
//! entry of the technique registry ([`techniques`]) and carries its evidence (file and line of
//! the binding, rule, volume, setting or policy that makes the step possible). Vertex ids are
//! dense integers; searches ([`search`]) run over adjacency lists.
//!
//! This module owns the graph and its construction; it asks the RBAC model, the NetworkPolicy
//! engine and the workload views through their public API and never re-implements them. It does
//! no I/O.

pub mod context;
pub mod diff;
pub mod search;
pub mod techniques;

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use serde::Serialize;

use crate::document::Pos;
use crate::inventory::Inventory;
pub use context::{Capability, Context, Options};
pub use techniques::TechniqueMeta;

/// A vertex id: an index into [`Graph::vertices`].
pub type VertexId = u32;
/// An edge id: an index into [`Graph::edges`].
pub type EdgeId = u32;

/// What a vertex is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum VertexKind {
    /// Anyone on the network outside the cluster.
    External,
    /// A LoadBalancer or NodePort Service, an Ingress, or a host port.
    EntryPoint,
    /// The pods of one workload (or a bare Pod).
    Workload,
    /// A service account.
    ServiceAccount,
    /// A user named in a binding or reachable by impersonation.
    User,
    /// A group named in a binding or reachable by impersonation.
    Group,
    /// An identity a signer's certificate can give: whoever may have such certificates issued
    /// can claim it (`new-identity:<signer>`).
    NewIdentity,
    /// One container of a workload that carries a step onward (an escape to its node).
    Container,
    /// One volume of a workload that carries a step onward (a node-owning hostPath, the
    /// runtime socket, a Secret, a projected token).
    Volume,
    /// A dangerous capability held in one namespace or cluster-wide.
    Permission,
    /// A Secret.
    Secret,
    /// A node (or `node:*`, the node an unpinned pod is scheduled to).
    Node,
    /// Full control of the cluster.
    ClusterAdmin,
}

impl VertexKind {
    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            VertexKind::External => "external",
            VertexKind::EntryPoint => "entry-point",
            VertexKind::Workload => "workload",
            VertexKind::ServiceAccount => "service-account",
            VertexKind::User => "user",
            VertexKind::Group => "group",
            VertexKind::NewIdentity => "new-identity",
            VertexKind::Container => "container",
            VertexKind::Volume => "volume",
            VertexKind::Permission => "permission",
            VertexKind::Secret => "secret",
            VertexKind::Node => "node",
            VertexKind::ClusterAdmin => "cluster-admin",
        }
    }

    /// Whether it is an identity (service account, user or group).
    pub fn is_identity(self) -> bool {
        matches!(
            self,
            VertexKind::ServiceAccount
                | VertexKind::User
                | VertexKind::Group
                | VertexKind::NewIdentity
        )
    }
}

/// One vertex.
#[derive(Debug, Clone)]
pub struct Vertex {
    /// What it is.
    pub kind: VertexKind,
    /// Its stable name, e.g. `workload:shop/web[Deployment]`, `sa:shop/web`, `cluster-admin`.
    pub name: String,
}

/// A place in the input that makes a step possible.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Evidence {
    /// The file.
    pub file: Arc<str>,
    /// 1-based line (0 when the evidence is not a place in a file, e.g. a policy decision).
    pub line: u32,
    /// 1-based column (0 as for `line`).
    pub column: u32,
    /// What is there, e.g. `RoleBinding shop/deployers → ClusterRole edit`.
    pub what: String,
}

impl Evidence {
    /// Evidence at `pos` of `file`.
    pub fn at(file: &Arc<str>, pos: Pos, what: impl Into<String>) -> Self {
        Evidence {
            file: file.clone(),
            line: pos.line,
            column: pos.col,
            what: what.into(),
        }
    }

    /// Line and column.
    pub fn pos(&self) -> Pos {
        Pos::new(self.line, self.column)
    }

    /// Evidence that is a conclusion rather than a place (a NetworkPolicy decision).
    pub fn note(what: impl Into<String>) -> Self {
        Evidence {
            file: Arc::from(""),
            line: 0,
            column: 0,
            what: what.into(),
        }
    }
}

impl fmt::Display for Evidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            f.write_str(&self.what)
        } else {
            write!(f, "{}:{}: {}", self.file, self.line, self.what)
        }
    }
}

/// One step an attacker can take: a technique from one vertex to another.
#[derive(Debug, Clone)]
pub struct Edge {
    /// Where the step starts.
    pub from: VertexId,
    /// Where it leads.
    pub to: VertexId,
    /// The technique.
    pub technique: &'static TechniqueMeta,
    /// What in the input makes it possible, most specific first.
    pub evidence: Vec<Evidence>,
}

/// The attack graph of one inventory.
#[derive(Debug, Default)]
pub struct Graph {
    /// Vertices; a [`VertexId`] indexes this list.
    pub vertices: Vec<Vertex>,
    /// Edges; an [`EdgeId`] indexes this list.
    pub edges: Vec<Edge>,
    by_name: HashMap<String, VertexId>,
    outgoing: Vec<Vec<EdgeId>>,
    incoming: Vec<Vec<EdgeId>>,
    edge_keys: HashMap<(VertexId, VertexId, &'static str), EdgeId>,
    /// Each workload vertex with the object it was read from, in input order.
    pub workload_objects: Vec<(VertexId, crate::inventory::ObjectId)>,
}

impl Graph {
    /// Builds the graph of `inventory` with default options.
    pub fn from_inventory(inventory: &Inventory) -> Graph {
        Self::build(inventory, &Options::default())
    }

    /// Builds the graph of `inventory`: the context is computed once, then every registered
    /// technique adds its edges.
    pub fn build(inventory: &Inventory, options: &Options) -> Graph {
        let context = Context::new(inventory, options);
        let mut graph = Graph::default();
        graph.vertex(VertexKind::External, "external");
        graph.vertex(VertexKind::ClusterAdmin, "cluster-admin");
        for registered in techniques::TECHNIQUES {
            let mut sink = EdgeSink {
                graph: &mut graph,
                technique: registered.meta,
            };
            registered.technique.add_edges(&context, &mut sink);
        }
        for w in &context.workloads {
            let v = graph.vertex(VertexKind::Workload, &w.name);
            graph.workload_objects.push((v, w.id));
        }
        graph
    }

    /// The vertex named `name`, added with `kind` if new.
    pub fn vertex(&mut self, kind: VertexKind, name: &str) -> VertexId {
        if let Some(&id) = self.by_name.get(name) {
            return id;
        }
        let id = self.vertices.len() as VertexId;
        self.vertices.push(Vertex {
            kind,
            name: name.to_string(),
        });
        self.by_name.insert(name.to_string(), id);
        self.outgoing.push(Vec::new());
        self.incoming.push(Vec::new());
        id
    }

    /// The id of the vertex named `name`.
    pub fn find(&self, name: &str) -> Option<VertexId> {
        self.by_name.get(name).copied()
    }

    /// Adds an edge; a second edge with the same ends and technique adds its evidence to the
    /// first instead.
    pub fn add_edge(
        &mut self,
        from: VertexId,
        to: VertexId,
        technique: &'static TechniqueMeta,
        evidence: Vec<Evidence>,
    ) {
        if from == to {
            return;
        }
        if let Some(&existing) = self.edge_keys.get(&(from, to, technique.id)) {
            let edge = &mut self.edges[existing as usize];
            for e in evidence {
                if !edge.evidence.contains(&e) {
                    edge.evidence.push(e);
                }
            }
            return;
        }
        let id = self.edges.len() as EdgeId;
        self.edges.push(Edge {
            from,
            to,
            technique,
            evidence,
        });
        self.edge_keys.insert((from, to, technique.id), id);
        self.outgoing[from as usize].push(id);
        self.incoming[to as usize].push(id);
    }

    /// Edges leaving `v`.
    pub fn outgoing(&self, v: VertexId) -> &[EdgeId] {
        &self.outgoing[v as usize]
    }

    /// Edges entering `v`.
    pub fn incoming(&self, v: VertexId) -> &[EdgeId] {
        &self.incoming[v as usize]
    }

    /// One vertex.
    pub fn vertex_of(&self, v: VertexId) -> &Vertex {
        &self.vertices[v as usize]
    }

    /// One edge.
    pub fn edge(&self, e: EdgeId) -> &Edge {
        &self.edges[e as usize]
    }

    /// Vertices whose name matches `selector`: an exact name, a name with `*` wildcards
    /// (`workload:shop/*`), a bare `ns/name` or name of a workload, or one of the words
    /// `external`, `workloads`, `identities`, `service-accounts`, `entry-points`.
    pub fn select(&self, selector: &str) -> Vec<VertexId> {
        let by_kind = |kinds: &[VertexKind]| -> Vec<VertexId> {
            (0..self.vertices.len() as VertexId)
                .filter(|&v| kinds.contains(&self.vertex_of(v).kind))
                .collect()
        };
        match selector {
            "workloads" => return by_kind(&[VertexKind::Workload]),
            "identities" => {
                return by_kind(&[
                    VertexKind::ServiceAccount,
                    VertexKind::User,
                    VertexKind::Group,
                    VertexKind::NewIdentity,
                ]);
            }
            "service-accounts" => return by_kind(&[VertexKind::ServiceAccount]),
            "entry-points" => return by_kind(&[VertexKind::EntryPoint]),
            _ => {}
        }
        if let Some(v) = self.find(selector) {
            return vec![v];
        }
        let found: Vec<VertexId> = (0..self.vertices.len() as VertexId)
            .filter(|&v| glob_matches(selector, &self.vertex_of(v).name))
            .collect();
        if !found.is_empty() {
            return found;
        }
        // A workload named like the NetworkPolicy engine names it, or by `ns/name` or name.
        (0..self.vertices.len() as VertexId)
            .filter(|&v| {
                let vertex = self.vertex_of(v);
                vertex.kind == VertexKind::Workload
                    && vertex
                        .name
                        .strip_prefix("workload:")
                        .is_some_and(|peer| crate::netpol::names_workload(peer, selector))
            })
            .collect()
    }

    /// The vertices a `--to` target names: `cluster-admin`, `node` (every node), `secrets`
    /// (every secret), or any selector of [`Graph::select`].
    pub fn targets(&self, target: &str) -> Vec<VertexId> {
        let kind = match target {
            "cluster-admin" => Some(VertexKind::ClusterAdmin),
            "node" | "nodes" => Some(VertexKind::Node),
            "secrets" | "secret" => Some(VertexKind::Secret),
            _ => None,
        };
        match kind {
            Some(kind) => (0..self.vertices.len() as VertexId)
                .filter(|&v| self.vertex_of(v).kind == kind)
                .collect(),
            None => self.select(target),
        }
    }
}

/// Whether `name` matches `pattern`, where `*` stands for any run of characters.
fn glob_matches(pattern: &str, name: &str) -> bool {
    if !pattern.contains('*') {
        return false;
    }
    let parts: Vec<&str> = pattern.split('*').collect();
    let mut rest = name;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(after) = rest.strip_prefix(part) else {
                return false;
            };
            rest = after;
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else if let Some(at) = rest.find(part) {
            rest = &rest[at + part.len()..];
        } else {
            return false;
        }
    }
    rest.is_empty()
}

/// Where a technique adds its edges.
pub struct EdgeSink<'g> {
    graph: &'g mut Graph,
    technique: &'static TechniqueMeta,
}

impl EdgeSink<'_> {
    /// The vertex named `name` (added if new).
    pub fn vertex(&mut self, kind: VertexKind, name: &str) -> VertexId {
        self.graph.vertex(kind, name)
    }

    /// The vertex named `name`, if some technique added it.
    pub fn existing(&self, name: &str) -> Option<VertexId> {
        self.graph.find(name)
    }

    /// Whether the vertex named `name` leads anywhere worth a step: it has an edge to something
    /// other than a service account, or to a service account that itself has edges; through a
    /// container or volume, what that leads to decides.
    pub fn leads_somewhere(&self, name: &str) -> bool {
        self.graph
            .find(name)
            .is_some_and(|v| self.vertex_leads_somewhere(v, 2))
    }

    fn vertex_leads_somewhere(&self, v: VertexId, depth: u8) -> bool {
        self.graph.outgoing(v).iter().any(|&e| {
            let to = self.graph.edge(e).to;
            match self.graph.vertex_of(to).kind {
                VertexKind::ServiceAccount => !self.graph.outgoing(to).is_empty(),
                VertexKind::Container | VertexKind::Volume => {
                    depth > 0 && self.vertex_leads_somewhere(to, depth - 1)
                }
                _ => true,
            }
        })
    }

    /// Adds an edge of this technique.
    pub fn edge(&mut self, from: VertexId, to: VertexId, evidence: Vec<Evidence>) {
        self.graph.add_edge(from, to, self.technique, evidence);
    }
}

#[cfg(test)]
mod tests {
    use super::glob_matches;

    #[test]
    fn globs_match_runs_of_characters() {
        assert!(glob_matches(
            "workload:shop/*",
            "workload:shop/web[Deployment]"
        ));
        assert!(glob_matches("*web*", "workload:shop/web[Deployment]"));
        assert!(!glob_matches("workload:shop/*", "workload:other/web[Pod]"));
        assert!(!glob_matches("sa:*x", "sa:shop/web"));
        assert!(!glob_matches("exact", "exact"));
    }
}

#[cfg(test)]
mod robustness {
    use std::sync::Arc;

    use super::search::{blast_radius, cut, k_shortest, mask, paths_to};
    use super::{Graph, Options};
    use crate::inventory::Inventory;
    use crate::load::load_text;

    /// Every fixture of the check and technique registries at once: odd and broken shapes of
    /// every kind of object. Building the graph and running every search must not panic.
    #[test]
    fn every_fixture_together_builds_and_searches_without_panicking() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut objects = Vec::new();
        let mut stack = vec![root];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).expect("source directory").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "yaml") {
                    let text = std::fs::read_to_string(&path).expect("fixture");
                    let file: Arc<str> = path.display().to_string().into();
                    objects.extend(load_text(&file, &text).objects);
                }
            }
        }
        let inventory = Inventory::new(objects);
        let graph = Graph::build(
            &inventory,
            &Options {
                network_from: vec!["workloads".into(), "workload:*".into(), String::new()],
            },
        );
        assert!(graph.vertices.len() > 100);
        let sources = graph.select("workloads");
        for target in ["cluster-admin", "node", "secrets", "sa:*", "nothing"] {
            let targets = graph.targets(target);
            let _ = paths_to(&graph, &sources, &targets, 1, 12);
            let _ = paths_to(&graph, &sources[..sources.len().min(20)], &targets, 3, 12);
            let _ = cut(&graph, &sources, &targets, 12, 5);
            for depth in [0, 1, 40] {
                let _ = k_shortest(&graph, sources[0], &mask(&graph, &targets), 4, depth);
            }
        }
        let _ = blast_radius(&graph, sources[0], 12);
    }
}
