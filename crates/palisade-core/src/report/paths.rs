//! Reporters of `palisade paths`: attack paths, blast radius, cut ranking and diffs as text,
//! JSON (`palisade.paths/v1`) and Graphviz DOT. Reporters format; the graph module decides.

use std::collections::BTreeSet;
use std::io::{self, Write};

use owo_colors::{OwoColorize, Style};
use serde::Serialize;

use crate::graph::diff::PathChange;
use crate::graph::search::{CutEdge, Path, Reach};
use crate::graph::{EdgeId, Evidence, Graph, VertexId};

/// The schema of every `palisade paths` JSON document.
pub const SCHEMA: &str = "palisade.paths/v1";

#[derive(Serialize)]
struct StepJson<'a> {
    from: &'a str,
    to: &'a str,
    technique: &'static str,
    technique_name: &'static str,
    evidence: &'a [Evidence],
}

#[derive(Serialize)]
struct PathJson<'a> {
    source: &'a str,
    target: &'a str,
    length: usize,
    steps: Vec<StepJson<'a>>,
}

fn path_json<'a>(graph: &'a Graph, path: &Path) -> PathJson<'a> {
    PathJson {
        source: &graph.vertex_of(path.source(graph)).name,
        target: &graph.vertex_of(path.target(graph)).name,
        length: path.edges.len(),
        steps: path.edges.iter().map(|&e| step_json(graph, e)).collect(),
    }
}

fn step_json(graph: &Graph, e: EdgeId) -> StepJson<'_> {
    let edge = graph.edge(e);
    StepJson {
        from: &graph.vertex_of(edge.from).name,
        to: &graph.vertex_of(edge.to).name,
        technique: edge.technique.id,
        technique_name: edge.technique.name,
        evidence: &edge.evidence,
    }
}

#[derive(Serialize)]
struct GraphSummary {
    vertices: usize,
    edges: usize,
}

fn summary(graph: &Graph) -> GraphSummary {
    GraphSummary {
        vertices: graph.vertices.len(),
        edges: graph.edges.len(),
    }
}

struct Styles {
    bold: Style,
    dim: Style,
    technique: Style,
}

fn styles(color: bool) -> Styles {
    if color {
        Styles {
            bold: Style::new().bold(),
            dim: Style::new().dimmed(),
            technique: Style::new().cyan(),
        }
    } else {
        Styles {
            bold: Style::new(),
            dim: Style::new(),
            technique: Style::new(),
        }
    }
}

fn write_steps(graph: &Graph, path: &Path, s: &Styles, out: &mut dyn Write) -> io::Result<()> {
    for &e in &path.edges {
        let edge = graph.edge(e);
        writeln!(
            out,
            "   {} {} → {}",
            edge.technique.id.style(s.technique),
            graph.vertex_of(edge.from).name,
            graph.vertex_of(edge.to).name
        )?;
        for evidence in &edge.evidence {
            writeln!(out, "       {}", evidence.style(s.dim))?;
        }
    }
    Ok(())
}

/// Writes paths as text.
pub fn write_paths_text(
    graph: &Graph,
    target: &str,
    paths: &[Path],
    color: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let s = styles(color);
    if paths.is_empty() {
        writeln!(out, "no attack path to {target}")?;
    } else {
        writeln!(
            out,
            "{} attack path{} to {target}",
            paths.len(),
            if paths.len() == 1 { "" } else { "s" }
        )?;
    }
    for (i, path) in paths.iter().enumerate() {
        writeln!(out)?;
        writeln!(
            out,
            "{}. {} ({} step{})",
            i + 1,
            path.display(graph).style(s.bold),
            path.edges.len(),
            if path.edges.len() == 1 { "" } else { "s" }
        )?;
        write_steps(graph, path, &s, out)?;
    }
    Ok(())
}

/// Writes paths as a `palisade.paths/v1` JSON document.
pub fn write_paths_json(
    graph: &Graph,
    target: &str,
    paths: &[Path],
    out: &mut dyn Write,
) -> io::Result<()> {
    #[derive(Serialize)]
    struct Doc<'a> {
        schema: &'static str,
        command: &'static str,
        target: &'a str,
        graph: GraphSummary,
        paths: Vec<PathJson<'a>>,
    }
    let doc = Doc {
        schema: SCHEMA,
        command: "paths",
        target,
        graph: summary(graph),
        paths: paths.iter().map(|p| path_json(graph, p)).collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

fn dot_quote(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Writes the union of `edges` as a Graphviz digraph.
pub fn write_dot(graph: &Graph, edges: &[EdgeId], out: &mut dyn Write) -> io::Result<()> {
    let mut vertices: BTreeSet<VertexId> = BTreeSet::new();
    let mut unique: BTreeSet<EdgeId> = BTreeSet::new();
    for &e in edges {
        unique.insert(e);
        vertices.insert(graph.edge(e).from);
        vertices.insert(graph.edge(e).to);
    }
    writeln!(out, "digraph attack_paths {{")?;
    writeln!(out, "  rankdir=LR;")?;
    for v in vertices {
        let vertex = graph.vertex_of(v);
        writeln!(
            out,
            "  v{v} [label={} shape={}];",
            dot_quote(&vertex.name),
            match vertex.kind {
                crate::graph::VertexKind::ClusterAdmin | crate::graph::VertexKind::Node =>
                    "doubleoctagon",
                crate::graph::VertexKind::Permission => "note",
                crate::graph::VertexKind::External | crate::graph::VertexKind::EntryPoint =>
                    "invhouse",
                _ => "box",
            }
        )?;
    }
    for e in unique {
        let edge = graph.edge(e);
        writeln!(
            out,
            "  v{} -> v{} [label={}];",
            edge.from,
            edge.to,
            dot_quote(edge.technique.id)
        )?;
    }
    writeln!(out, "}}")
}

/// Every edge of `paths`.
pub fn path_edges(paths: &[Path]) -> Vec<EdgeId> {
    paths.iter().flat_map(|p| p.edges.iter().copied()).collect()
}

/// Writes a blast radius as text: reached vertices by kind, with the path to each critical one.
pub fn write_blast_text(
    graph: &Graph,
    reach: &Reach,
    color: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let s = styles(color);
    writeln!(
        out,
        "blast radius of {}: {} vertices reachable",
        graph.vertex_of(reach.source).name.style(s.bold),
        reach.reached.len()
    )?;
    for &(v, distance) in &reach.reached {
        let vertex = graph.vertex_of(v);
        writeln!(
            out,
            "  {distance:>2}  {:<16} {}",
            vertex.kind.as_str(),
            vertex.name
        )?;
    }
    for &(v, _) in &reach.reached {
        if is_critical(graph, v)
            && let Some(path) = reach.path_to(graph, v)
        {
            writeln!(out)?;
            writeln!(out, "path to {}:", graph.vertex_of(v).name.style(s.bold))?;
            write_steps(graph, &path, &s, out)?;
        }
    }
    Ok(())
}

fn is_critical(graph: &Graph, v: VertexId) -> bool {
    matches!(
        graph.vertex_of(v).kind,
        crate::graph::VertexKind::ClusterAdmin | crate::graph::VertexKind::Node
    )
}

/// Writes a blast radius as a `palisade.paths/v1` JSON document.
pub fn write_blast_json(graph: &Graph, reach: &Reach, out: &mut dyn Write) -> io::Result<()> {
    #[derive(Serialize)]
    struct Reached<'a> {
        vertex: &'a str,
        kind: &'static str,
        distance: u32,
        path: PathJson<'a>,
    }
    #[derive(Serialize)]
    struct Doc<'a> {
        schema: &'static str,
        command: &'static str,
        source: &'a str,
        graph: GraphSummary,
        reached: Vec<Reached<'a>>,
    }
    let reached = reach
        .reached
        .iter()
        .filter_map(|&(v, distance)| {
            let path = reach.path_to(graph, v)?;
            Some(Reached {
                vertex: &graph.vertex_of(v).name,
                kind: graph.vertex_of(v).kind.as_str(),
                distance,
                path: path_json(graph, &path),
            })
        })
        .collect();
    let doc = Doc {
        schema: SCHEMA,
        command: "blast-radius",
        source: &graph.vertex_of(reach.source).name,
        graph: summary(graph),
        reached,
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

/// Writes the cut ranking as text.
pub fn write_cut_text(
    graph: &Graph,
    target: &str,
    sources_reaching: usize,
    cuts: &[CutEdge],
    color: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let s = styles(color);
    writeln!(
        out,
        "{sources_reaching} source{} reach {target}; edges ranked by the sources their removal cuts off",
        if sources_reaching == 1 { "" } else { "s" }
    )?;
    for (i, cut) in cuts.iter().enumerate() {
        let edge = graph.edge(cut.edge);
        writeln!(out)?;
        writeln!(
            out,
            "{}. {} {} → {}: cuts off {} source{}, on {} shortest path{}",
            i + 1,
            edge.technique.id.style(s.technique),
            graph.vertex_of(edge.from).name.style(s.bold),
            graph.vertex_of(edge.to).name.style(s.bold),
            cut.sources_cut_off,
            if cut.sources_cut_off == 1 { "" } else { "s" },
            cut.paths_through,
            if cut.paths_through == 1 { "" } else { "s" }
        )?;
        for evidence in &edge.evidence {
            writeln!(out, "       {}", evidence.style(s.dim))?;
        }
    }
    Ok(())
}

/// Writes the cut ranking as a `palisade.paths/v1` JSON document.
pub fn write_cut_json(
    graph: &Graph,
    target: &str,
    sources_reaching: usize,
    cuts: &[CutEdge],
    out: &mut dyn Write,
) -> io::Result<()> {
    #[derive(Serialize)]
    struct Cut<'a> {
        rank: usize,
        sources_cut_off: usize,
        paths_through: usize,
        step: StepJson<'a>,
    }
    #[derive(Serialize)]
    struct Doc<'a> {
        schema: &'static str,
        command: &'static str,
        target: &'a str,
        sources_reaching: usize,
        graph: GraphSummary,
        cuts: Vec<Cut<'a>>,
    }
    let doc = Doc {
        schema: SCHEMA,
        command: "cut",
        target,
        sources_reaching,
        graph: summary(graph),
        cuts: cuts
            .iter()
            .enumerate()
            .map(|(i, c)| Cut {
                rank: i + 1,
                sources_cut_off: c.sources_cut_off,
                paths_through: c.paths_through,
                step: step_json(graph, c.edge),
            })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

/// Writes a diff as text.
pub fn write_diff_text(
    base: &Graph,
    head: &Graph,
    changes: &[PathChange],
    color: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let s = styles(color);
    let new = changes
        .iter()
        .filter(|c| c.change == crate::graph::diff::Change::New)
        .count();
    writeln!(
        out,
        "{new} new and {} removed attack path{} to critical targets",
        changes.len() - new,
        if changes.len() - new == 1 { "" } else { "s" }
    )?;
    for change in changes {
        let graph = match change.change {
            crate::graph::diff::Change::New => head,
            crate::graph::diff::Change::Removed => base,
        };
        writeln!(out)?;
        writeln!(
            out,
            "{} {} → {}: {}",
            change.change.as_str().style(s.bold),
            change.source,
            change.target,
            change.path.display(graph)
        )?;
        write_steps(graph, &change.path, &s, out)?;
    }
    Ok(())
}

/// Writes a diff as a `palisade.paths/v1` JSON document.
pub fn write_diff_json(
    base: &Graph,
    head: &Graph,
    changes: &[PathChange],
    out: &mut dyn Write,
) -> io::Result<()> {
    #[derive(Serialize)]
    struct Entry<'a> {
        change: &'static str,
        source: &'a str,
        target: &'static str,
        path: PathJson<'a>,
    }
    #[derive(Serialize)]
    struct Doc<'a> {
        schema: &'static str,
        command: &'static str,
        new: usize,
        removed: usize,
        changes: Vec<Entry<'a>>,
    }
    let entries: Vec<Entry<'_>> = changes
        .iter()
        .map(|c| {
            let graph = match c.change {
                crate::graph::diff::Change::New => head,
                crate::graph::diff::Change::Removed => base,
            };
            Entry {
                change: c.change.as_str(),
                source: &c.source,
                target: c.target,
                path: path_json(graph, &c.path),
            }
        })
        .collect();
    let new = entries.iter().filter(|e| e.change == "new").count();
    let doc = Doc {
        schema: SCHEMA,
        command: "diff",
        new,
        removed: entries.len() - new,
        changes: entries,
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}
