//! Writing NetworkPolicy connectivity lists and diffs: text (`src => dst : conn`; diff lines
//! `diff-type: …, source: …`), the `palisade.netpol.list/v1` and `palisade.netpol.diff/v1`
//! JSON documents, CSV and Markdown tables, and Graphviz graphs (workloads grouped by namespace,
//! one labelled edge per connection); the exposure sections after a list in every format; and
//! the wording of explanations (`list --explain`, the reasons of `explain`) from the
//! structured reasons the engine returns.

use std::io::{self, Write};

use serde::Serialize;

use crate::netpol::conn::{ConnSet, Protocol};
use crate::netpol::diff::DiffEntry;
use crate::netpol::explain::{Decider, Denial, Reason, Side, Verdict};
use crate::netpol::{Connection, Explanation};

/// The schema name of `netpol list` JSON output.
pub const LIST_SCHEMA: &str = "palisade.netpol.list/v1";

/// Formats of a connectivity list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListFormat {
    /// One `src => dst : conn` line per connection.
    Txt,
    /// The `palisade.netpol.list/v1` JSON document.
    Json,
    /// CSV with the header `src,dst,conn`.
    Csv,
    /// A Markdown table.
    Md,
    /// A Graphviz `digraph`: a box per namespace holding its workloads, external ranges and
    /// the ingress controller outside, one edge per connection labelled with what flows.
    Dot,
}

fn dot_quote(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// One edge of a graph: source, destination, label and Graphviz attributes beyond the label.
struct DotEdge<'a> {
    src: &'a str,
    dst: &'a str,
    label: String,
    style: &'static str,
}

/// Where a peer of a graph is drawn.
enum DotPlace<'a> {
    /// A workload `ns/name[Kind]`, in the box of its namespace.
    Workload { namespace: &'a str, short: &'a str },
    /// An exposure peer standing for pods that do not exist yet (`ns/[all pods]`,
    /// `[namespace with {k=v}]/[pod with {k=v}]`): in the box of its namespace, or of the
    /// namespaces it selects.
    Selected { namespace: &'a str, pods: &'a str },
    /// Outside every namespace: external ranges, the ingress controller, `entire-cluster`.
    Outside,
}

fn without_brackets(text: &str) -> &str {
    text.strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .unwrap_or(text)
}

fn dot_place(peer: &str) -> DotPlace<'_> {
    if peer.ends_with("[External]") {
        return DotPlace::Outside;
    }
    // A selected namespace is bracketed and its labels may hold `/`.
    let split = if peer.starts_with('[') {
        peer.find("]/").map(|i| (&peer[..=i], &peer[i + 2..]))
    } else {
        peer.split_once('/')
    };
    match split {
        Some((namespace, rest)) if rest.starts_with('[') => DotPlace::Selected {
            namespace: without_brackets(namespace),
            pods: without_brackets(rest),
        },
        Some((namespace, short)) => DotPlace::Workload { namespace, short },
        None => DotPlace::Outside,
    }
}

/// The Graphviz ID of a peer: its name, except for selected pods (`all pods_in_ns`).
fn dot_node_id(peer: &str) -> String {
    match dot_place(peer) {
        DotPlace::Selected { namespace, pods } => format!("{pods}_in_{namespace}"),
        _ => peer.to_string(),
    }
}

/// Writes a `digraph` of `edges`: every peer they name as a node, workloads inside a cluster
/// box per namespace, pods an exposure peer selects in a dashed box of their namespace (or of
/// the namespaces it selects), the rest outside.
fn write_dot(out: &mut dyn Write, edges: &[DotEdge<'_>]) -> io::Result<()> {
    use std::collections::{BTreeMap, BTreeSet};
    // Per namespace box: its workloads (short names) and the selected pods drawn in it.
    type Boxed<'a> = BTreeMap<&'a str, (BTreeSet<(&'a str, &'a str)>, BTreeSet<&'a str>)>;
    let mut namespaces: Boxed<'_> = BTreeMap::new();
    let mut selected_namespaces: Boxed<'_> = BTreeMap::new();
    let mut outside: BTreeSet<&str> = BTreeSet::new();
    for e in edges {
        for peer in [e.src, e.dst] {
            match dot_place(peer) {
                DotPlace::Workload { namespace, short } => {
                    namespaces
                        .entry(namespace)
                        .or_default()
                        .0
                        .insert((peer, short));
                }
                DotPlace::Selected { namespace, pods } => {
                    let boxes = if peer.starts_with('[') {
                        &mut selected_namespaces
                    } else {
                        &mut namespaces
                    };
                    boxes.entry(namespace).or_default().1.insert(pods);
                }
                DotPlace::Outside => {
                    outside.insert(peer);
                }
            }
        }
    }
    writeln!(out, "digraph netpol {{")?;
    writeln!(out, "\trankdir=LR")?;
    writeln!(out, "\tnode [shape=box style=rounded]")?;
    let boxes = namespaces.iter().map(|b| (b, "namespace ", "")).chain(
        selected_namespaces
            .iter()
            .map(|b| (b, "", "\t\tstyle=dashed color=darkorange\n")),
    );
    for (i, ((ns, (workloads, selected)), prefix, style)) in boxes.enumerate() {
        writeln!(out, "\tsubgraph cluster_{i} {{")?;
        writeln!(out, "\t\tlabel={}", dot_quote(&format!("{prefix}{ns}")))?;
        write!(out, "{style}")?;
        for (peer, short) in workloads {
            writeln!(out, "\t\t{} [label={}]", dot_quote(peer), dot_quote(short))?;
        }
        for pods in selected {
            writeln!(
                out,
                "\t\t{} [label={} style=\"rounded,dashed\" color=darkorange]",
                dot_quote(&format!("{pods}_in_{ns}")),
                dot_quote(pods)
            )?;
        }
        writeln!(out, "\t}}")?;
    }
    for peer in &outside {
        let shape = if *peer == ENTIRE_CLUSTER {
            "diamond style=dashed color=darkorange"
        } else {
            "ellipse"
        };
        writeln!(out, "\t{} [shape={shape}]", dot_quote(peer))?;
    }
    for e in edges {
        writeln!(
            out,
            "\t{} -> {} [label={}{}]",
            dot_quote(&dot_node_id(e.src)),
            dot_quote(&dot_node_id(e.dst)),
            dot_quote(&e.label),
            e.style
        )?;
    }
    writeln!(out, "}}")
}

/// The exposure peer standing for any pod of any namespace.
const ENTIRE_CLUSTER: &str = "entire-cluster";

#[derive(Serialize)]
struct JsonConnection<'a> {
    src: &'a str,
    dst: &'a str,
    conn: &'a str,
}

#[derive(Serialize)]
struct JsonList<'a> {
    schema: &'static str,
    assumptions: &'a [&'a str],
    connections: Vec<JsonConnection<'a>>,
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// Writes `connections` (already sorted) in `format`.
pub fn write_list(
    out: &mut dyn Write,
    connections: &[Connection],
    assumptions: &[&str],
    format: ListFormat,
) -> io::Result<()> {
    match format {
        ListFormat::Txt => {
            for c in connections {
                writeln!(out, "{} => {} : {}", c.src, c.dst, c.conn)?;
            }
        }
        ListFormat::Json => {
            let doc = JsonList {
                schema: LIST_SCHEMA,
                assumptions,
                connections: connections
                    .iter()
                    .map(|c| JsonConnection {
                        src: &c.src,
                        dst: &c.dst,
                        conn: &c.conn,
                    })
                    .collect(),
            };
            serde_json::to_writer_pretty(&mut *out, &doc)?;
            writeln!(out)?;
        }
        ListFormat::Csv => {
            writeln!(out, "src,dst,conn")?;
            for c in connections {
                writeln!(
                    out,
                    "{},{},{}",
                    csv_field(&c.src),
                    csv_field(&c.dst),
                    csv_field(&c.conn)
                )?;
            }
        }
        ListFormat::Md => {
            writeln!(out, "| src | dst | conn |")?;
            writeln!(out, "|-----|-----|------|")?;
            for c in connections {
                writeln!(out, "| {} | {} | {} |", c.src, c.dst, c.conn)?;
            }
        }
        ListFormat::Dot => {
            let edges: Vec<DotEdge<'_>> = connections
                .iter()
                .map(|c| DotEdge {
                    src: &c.src,
                    dst: &c.dst,
                    label: c.conn.clone(),
                    style: "",
                })
                .collect();
            write_dot(out, &edges)?;
        }
    }
    Ok(())
}

#[derive(Serialize)]
struct JsonPair<'a> {
    src: &'a str,
    dst: &'a str,
}

#[derive(Serialize)]
struct JsonPermitted<'a> {
    schema: &'static str,
    assumptions: &'a [&'a str],
    /// The port asked about, e.g. `UDP 52`.
    on: &'a str,
    connections: Vec<JsonPair<'a>>,
}

/// Writes the connections permitted on one port (`on`, e.g. `UDP 52`): source and
/// destination only, since the connection is the port asked about.
pub fn write_permitted(
    out: &mut dyn Write,
    connections: &[Connection],
    assumptions: &[&str],
    on: &str,
    format: ListFormat,
) -> io::Result<()> {
    match format {
        ListFormat::Txt => {
            writeln!(out, "Permitted connections on {on}:")?;
            for c in connections {
                writeln!(out, "{} => {}", c.src, c.dst)?;
            }
        }
        ListFormat::Json => {
            let doc = JsonPermitted {
                schema: LIST_SCHEMA,
                assumptions,
                on,
                connections: connections
                    .iter()
                    .map(|c| JsonPair {
                        src: &c.src,
                        dst: &c.dst,
                    })
                    .collect(),
            };
            serde_json::to_writer_pretty(&mut *out, &doc)?;
            writeln!(out)?;
        }
        ListFormat::Csv => {
            writeln!(out, "src,dst")?;
            for c in connections {
                writeln!(out, "{},{}", csv_field(&c.src), csv_field(&c.dst))?;
            }
        }
        ListFormat::Md => {
            writeln!(out, "| src | dst |")?;
            writeln!(out, "|-----|-----|")?;
            for c in connections {
                writeln!(out, "| {} | {} |", c.src, c.dst)?;
            }
        }
        ListFormat::Dot => {
            let edges: Vec<DotEdge<'_>> = connections
                .iter()
                .map(|c| DotEdge {
                    src: &c.src,
                    dst: &c.dst,
                    label: on.to_string(),
                    style: "",
                })
                .collect();
            write_dot(out, &edges)?;
        }
    }
    Ok(())
}

/// Which exposure lines to show: those of focus workloads in the focus direction, and with a
/// port filter only those allowing it.
pub struct ExposureFilter<'a> {
    /// The focus of the list (empty: everything).
    pub focus: &'a crate::netpol::Focus,
    /// `--port`/`--protocol`: only lines allowing that port, shown without connections.
    pub port: Option<(crate::netpol::Protocol, u32)>,
}

/// Exposure lines per direction (egress first), each `(workload, peer, conn)`, with the
/// external ranges of `connections` merged in, sorted; and the unprotected workloads.
type ExposureRows = ([Vec<(String, String, String)>; 2], Vec<(String, bool)>);

fn exposure_rows(
    connections: &[crate::netpol::Connection],
    exposure: &crate::netpol::Exposure,
    filter: &ExposureFilter<'_>,
) -> ExposureRows {
    use crate::netpol::{FocusDirection, names_workload};
    let wanted = |workload: &str, ingress: bool| {
        let f = filter.focus;
        (f.workloads.is_empty() || f.workloads.iter().any(|w| names_workload(workload, w)))
            && match f.direction {
                Some(FocusDirection::Ingress) => ingress,
                Some(FocusDirection::Egress) => !ingress,
                None => true,
            }
    };
    let mut rows: [Vec<(String, String, String)>; 2] = [Vec::new(), Vec::new()];
    for c in connections {
        if c.dst.ends_with("[External]") && wanted(&c.src, false) {
            rows[0].push((c.src.clone(), c.dst.clone(), c.conn.clone()));
        } else if c.src.ends_with("[External]") && wanted(&c.dst, true) {
            rows[1].push((c.dst.clone(), c.src.clone(), c.conn.clone()));
        }
    }
    for line in &exposure.lines {
        if !wanted(&line.workload, line.ingress) {
            continue;
        }
        if let Some((protocol, port)) = filter.port {
            // On one port, a narrower peer adds nothing when the whole cluster has that port.
            let whole_cluster_has_it = line.peer != "entire-cluster"
                && exposure.lines.iter().any(|l| {
                    l.workload == line.workload
                        && l.ingress == line.ingress
                        && l.peer == "entire-cluster"
                        && l.conn.allows(protocol, port)
                });
            if !line.conn.allows(protocol, port) || whole_cluster_has_it {
                continue;
            }
        }
        rows[usize::from(line.ingress)].push((
            line.workload.clone(),
            line.peer.clone(),
            line.conn.to_string(),
        ));
    }
    for r in &mut rows {
        r.sort();
    }
    // Protection is about policies, not ports: it is left out of a per-port answer.
    let unprotected = exposure
        .unprotected
        .iter()
        .filter(|_| filter.port.is_none())
        .filter(|(w, ingress)| wanted(w, *ingress))
        .cloned()
        .collect();
    (rows, unprotected)
}

/// Writes the exposure sections that follow a list: per direction, what each workload is
/// open to beyond the given objects (external ranges included), then the workloads no policy
/// protects. `Json` writes a `palisade.netpol.exposure/v1` document; `Csv` and `Md` append
/// titled tables (`dst,src` first for ingress), without the unprotected workloads, as the
/// established table layouts have them; `Dot` writes a graph of the exposure alone (see
/// [`write_list_with_exposure`] for one graph of both).
pub fn write_exposure(
    out: &mut dyn Write,
    connections: &[crate::netpol::Connection],
    exposure: &crate::netpol::Exposure,
    filter: &ExposureFilter<'_>,
    format: ListFormat,
) -> io::Result<()> {
    let (rows, unprotected) = exposure_rows(connections, exposure, filter);
    let direction = |ingress: bool| if ingress { "Ingress" } else { "Egress" };
    let title = match filter.port {
        Some((protocol, port)) => {
            format!("Exposure Analysis Result On {} {port}:", protocol.as_str())
        }
        None => "Exposure Analysis Result:".to_string(),
    };
    match format {
        ListFormat::Json => {
            let side = |r: &[(String, String, String)]| -> Vec<serde_json::Value> {
                r.iter()
                    .map(|(w, p, c)| serde_json::json!({"workload": w, "peer": p, "conn": c}))
                    .collect()
            };
            let doc = serde_json::json!({
                "schema": "palisade.netpol.exposure/v1",
                "egress": side(&rows[0]),
                "ingress": side(&rows[1]),
                "unprotected": unprotected
                    .iter()
                    .map(|(w, i)| serde_json::json!({"workload": w, "direction": direction(*i)}))
                    .collect::<Vec<_>>(),
            });
            serde_json::to_writer_pretty(&mut *out, &doc)?;
            return writeln!(out);
        }
        ListFormat::Csv => return write_exposure_csv(out, &title, &rows, filter.port.is_some()),
        ListFormat::Md => return write_exposure_md(out, &title, &rows, filter.port.is_some()),
        ListFormat::Dot => {
            return write_dot(out, &exposure_edges(&rows, exposure, filter));
        }
        ListFormat::Txt => {}
    }
    writeln!(out)?;
    writeln!(out, "{title}")?;
    let width = rows
        .iter()
        .flatten()
        .map(|(w, _, _)| w.len())
        .max()
        .unwrap_or(0);
    let mut first = true;
    for (i, arrow) in [(0, "=>"), (1, "<=")] {
        if rows[i].is_empty() {
            continue;
        }
        if !first {
            writeln!(out)?;
        }
        first = false;
        writeln!(out, "{} Exposure:", direction(i == 1))?;
        for (w, peer, conn) in &rows[i] {
            if filter.port.is_some() {
                writeln!(out, "{w:width$} \t{arrow} \t{peer}")?;
            } else {
                writeln!(out, "{w:width$} \t{arrow} \t{peer} : {conn}")?;
            }
        }
    }
    if !unprotected.is_empty() {
        writeln!(out)?;
        writeln!(out, "Workloads not protected by network policies:")?;
        for (w, ingress) in &unprotected {
            writeln!(out, "{w} is not protected on {}", direction(*ingress))?;
        }
    }
    Ok(())
}

/// The exposure tables of a CSV list: a title row, then per direction a title row, a header
/// and the rows (without the connection column on one port).
fn write_exposure_csv(
    out: &mut dyn Write,
    title: &str,
    rows: &[Vec<(String, String, String)>; 2],
    on_port: bool,
) -> io::Result<()> {
    writeln!(out, "{},,", csv_field(title))?;
    for (i, header) in [(0, "src,dst"), (1, "dst,src")] {
        if rows[i].is_empty() {
            continue;
        }
        writeln!(
            out,
            "{} Exposure:,,",
            if i == 1 { "Ingress" } else { "Egress" }
        )?;
        if on_port {
            writeln!(out, "{header}")?;
        } else {
            writeln!(out, "{header},conn")?;
        }
        for (w, peer, conn) in &rows[i] {
            write!(out, "{},{}", csv_field(w), csv_field(peer))?;
            if !on_port {
                write!(out, ",{}", csv_field(conn))?;
            }
            writeln!(out)?;
        }
    }
    Ok(())
}

/// The exposure tables of a Markdown list: a `##` title, then per direction a `###` title
/// and a table (without the connection column on one port).
fn write_exposure_md(
    out: &mut dyn Write,
    title: &str,
    rows: &[Vec<(String, String, String)>; 2],
    on_port: bool,
) -> io::Result<()> {
    writeln!(out, "## {title}")?;
    let mut first = true;
    for (i, header) in [(0, "| src | dst |"), (1, "| dst | src |")] {
        if rows[i].is_empty() {
            continue;
        }
        if !first {
            writeln!(out)?;
        }
        first = false;
        writeln!(
            out,
            "### {} Exposure:",
            if i == 1 { "Ingress" } else { "Egress" }
        )?;
        if on_port {
            writeln!(out, "{header}\n|-----|-----|")?;
        } else {
            writeln!(out, "{header} conn |\n|-----|-----|------|")?;
        }
        for (w, peer, conn) in &rows[i] {
            if on_port {
                writeln!(out, "| {w} | {peer} |")?;
            } else {
                writeln!(out, "| {w} | {peer} | {conn} |")?;
            }
        }
    }
    Ok(())
}

/// Exposure rows as dashed graph edges, egress from the workload, ingress into it. On one
/// port an edge is labelled with that port, unless no policy protects the workload in that
/// direction: then everything is open and the label says so.
fn exposure_edges<'a>(
    rows: &'a [Vec<(String, String, String)>; 2],
    exposure: &crate::netpol::Exposure,
    filter: &ExposureFilter<'_>,
) -> Vec<DotEdge<'a>> {
    let mut edges = Vec::new();
    for (i, side) in rows.iter().enumerate() {
        let ingress = i == 1;
        for (workload, peer, conn) in side {
            let label = match filter.port {
                Some((protocol, port))
                    if !exposure
                        .unprotected
                        .iter()
                        .any(|(w, dir)| w == workload && *dir == ingress) =>
                {
                    format!("{} {port}", protocol.as_str())
                }
                _ => conn.clone(),
            };
            let (src, dst) = if ingress {
                (peer.as_str(), workload.as_str())
            } else {
                (workload.as_str(), peer.as_str())
            };
            edges.push(DotEdge {
                src,
                dst,
                label,
                style: " color=darkorange style=dashed",
            });
        }
    }
    edges
}

/// Writes a list (every connection, or with `filter.port` those permitted on that port)
/// followed by its exposure. In `Dot` both are one graph: connections as solid edges, exposure
/// peers as their own nodes with dashed edges; an exposure row that repeats a connection (an
/// external range) is drawn once, as the connection.
pub fn write_list_with_exposure(
    out: &mut dyn Write,
    connections: &[Connection],
    assumptions: &[&str],
    exposure: &crate::netpol::Exposure,
    filter: &ExposureFilter<'_>,
    format: ListFormat,
) -> io::Result<()> {
    let on = filter
        .port
        .map(|(protocol, port)| format!("{} {port}", protocol.as_str()));
    if format != ListFormat::Dot {
        match &on {
            Some(on) => write_permitted(out, connections, assumptions, on, format)?,
            None => write_list(out, connections, assumptions, format)?,
        }
        return write_exposure(out, connections, exposure, filter, format);
    }
    let (rows, _) = exposure_rows(connections, exposure, filter);
    let mut edges: Vec<DotEdge<'_>> = connections
        .iter()
        .map(|c| DotEdge {
            src: &c.src,
            dst: &c.dst,
            label: on.clone().unwrap_or_else(|| c.conn.clone()),
            style: "",
        })
        .collect();
    let listed: std::collections::BTreeSet<(&str, &str)> = connections
        .iter()
        .map(|c| (c.src.as_str(), c.dst.as_str()))
        .collect();
    edges.extend(
        exposure_edges(&rows, exposure, filter)
            .into_iter()
            .filter(|e| !listed.contains(&(e.src, e.dst))),
    );
    write_dot(out, &edges)
}

/// The schema name of `netpol diff` JSON output.
pub const DIFF_SCHEMA: &str = "palisade.netpol.diff/v1";

#[derive(Serialize)]
struct JsonDiffEntry<'a> {
    #[serde(rename = "diff-type")]
    kind: &'static str,
    src: &'a str,
    dst: &'a str,
    before: &'a str,
    after: &'a str,
    #[serde(
        rename = "workloads-diff-info",
        skip_serializing_if = "Option::is_none"
    )]
    workloads_info: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonDiff<'a> {
    schema: &'static str,
    assumptions: &'a [&'a str],
    changes: Vec<JsonDiffEntry<'a>>,
}

/// Writes a connectivity diff in `format`. `before`/`after` in JSON; `ref1`/`ref2` in text,
/// `dir1`/`dir2` in table headers, as the established diff formats name them.
pub fn write_diff(
    out: &mut dyn Write,
    entries: &[DiffEntry],
    assumptions: &[&str],
    format: ListFormat,
) -> io::Result<()> {
    let info = |e: &DiffEntry| e.workloads_info.clone().unwrap_or_default();
    match format {
        ListFormat::Txt => {
            writeln!(out, "Connectivity diff:")?;
            for e in entries {
                write!(
                    out,
                    "diff-type: {}, source: {}, destination: {}, ref1: {}, ref2: {}",
                    e.kind.as_str(),
                    e.src,
                    e.dst,
                    e.before,
                    e.after
                )?;
                if let Some(i) = &e.workloads_info {
                    write!(out, ", workloads-diff-info: {i}")?;
                }
                writeln!(out)?;
            }
        }
        ListFormat::Json => {
            let doc = JsonDiff {
                schema: DIFF_SCHEMA,
                assumptions,
                changes: entries
                    .iter()
                    .map(|e| JsonDiffEntry {
                        kind: e.kind.as_str(),
                        src: &e.src,
                        dst: &e.dst,
                        before: &e.before,
                        after: &e.after,
                        workloads_info: e.workloads_info.as_deref(),
                    })
                    .collect(),
            };
            serde_json::to_writer_pretty(&mut *out, &doc)?;
            writeln!(out)?;
        }
        ListFormat::Csv => {
            writeln!(
                out,
                "diff-type,source,destination,dir1,dir2,workloads-diff-info"
            )?;
            for e in entries {
                writeln!(
                    out,
                    "{},{},{},{},{},{}",
                    e.kind.as_str(),
                    csv_field(&e.src),
                    csv_field(&e.dst),
                    csv_field(&e.before),
                    csv_field(&e.after),
                    csv_field(&info(e))
                )?;
            }
        }
        ListFormat::Md => {
            writeln!(
                out,
                "| diff-type | source | destination | dir1 | dir2 | workloads-diff-info |"
            )?;
            writeln!(
                out,
                "|-----------|--------|-------------|------|------|---------------------|"
            )?;
            for e in entries {
                writeln!(
                    out,
                    "| {} | {} | {} | {} | {} | {} |",
                    e.kind.as_str(),
                    e.src,
                    e.dst,
                    e.before,
                    e.after,
                    info(e)
                )?;
            }
        }
        ListFormat::Dot => write_diff_dot(out, entries)?,
    }
    Ok(())
}

/// A diff as a graph: added edges green, removed ones dashed red, changed ones orange with
/// both states in the label.
fn write_diff_dot(out: &mut dyn Write, entries: &[DiffEntry]) -> io::Result<()> {
    let edges: Vec<DotEdge<'_>> = entries
        .iter()
        .map(|e| {
            let (label, style) = match e.kind {
                crate::netpol::diff::DiffKind::Added => {
                    (e.after.clone(), " color=darkgreen fontcolor=darkgreen")
                }
                crate::netpol::diff::DiffKind::Removed => {
                    (e.before.clone(), " color=red fontcolor=red style=dashed")
                }
                crate::netpol::diff::DiffKind::Changed => (
                    format!("{} -> {}", e.before, e.after),
                    " color=darkorange fontcolor=darkorange",
                ),
            };
            DotEdge {
                src: &e.src,
                dst: &e.dst,
                label,
                style,
            }
        })
        .collect();
    write_dot(out, &edges)
}

/// A connection set in the notation of explain reports: `TCP:[80,8080-8090], UDP, SCTP`,
/// a protocol alone meaning all its ports.
fn explain_conn(conn: &ConnSet) -> String {
    let mut parts = Vec::new();
    for protocol in [Protocol::Tcp, Protocol::Udp, Protocol::Sctp] {
        let Some(port_set) = conn.protocol(protocol).filter(|p| !p.is_empty()) else {
            continue;
        };
        if port_set.is_all() {
            parts.push(protocol.as_str().to_string());
            continue;
        }
        let ranges: Vec<String> = port_set
            .ranges()
            .iter()
            .map(|&(a, b)| {
                if a == b {
                    a.to_string()
                } else {
                    format!("{a}-{b}")
                }
            })
            .collect();
        parts.push(format!("{}:[{}]", protocol.as_str(), ranges.join(",")));
    }
    parts.join(", ")
}

fn side_name(side: Side) -> &'static str {
    match side {
        Side::Egress => "Egress",
        Side::Ingress => "Ingress",
    }
}

/// One reason of `e` in words, naming the workload its side is about and the other peer.
pub fn reason_text(e: &Explanation, r: &Reason) -> String {
    let side = side_name(r.side);
    let (subject, peer) = match r.side {
        Side::Egress => (&e.src, &e.dst),
        Side::Ingress => (&e.dst, &e.src),
    };
    match &r.decider {
        Decider::AdminRule {
            kind,
            policy,
            rule,
            rule_name,
            ..
        } => {
            let verb = match r.verdict {
                Verdict::Allows => "allows",
                Verdict::Denies => "denies",
                Verdict::Passes => "passes",
            };
            let rule = if rule_name.is_empty() {
                format!("#{}", rule + 1)
            } else {
                rule_name.clone()
            };
            format!("{kind} '{policy}' {verb} connections by {side} rule {rule}")
        }
        Decider::PolicyRule { policy, rule } => format!(
            "NetworkPolicy '{policy}' allows connections by {side} rule #{}",
            rule + 1
        ),
        Decider::PolicyDenies { policy, denial } => {
            let selects = format!("NetworkPolicy '{policy}' selects {subject}");
            let rules = |rules: &[usize]| {
                let numbers: Vec<String> = rules.iter().map(|r| format!("#{}", r + 1)).collect();
                if rules.len() == 1 {
                    format!("{side} rule {} selects {peer}", numbers.join(""))
                } else {
                    format!("{side} rules {} select {peer}", numbers.join(", "))
                }
            };
            match denial {
                Denial::NoRules => format!(
                    "{selects}, but {peer} is not allowed by any {side} rule (no rules defined)"
                ),
                Denial::NoRuleSelectsPeer => {
                    format!("{selects}, but {peer} is not allowed by any {side} rule")
                }
                Denial::PortsDoNotMatch(r) => format!(
                    "{selects}, and {}, but the protocols and ports do not match",
                    rules(r)
                ),
                Denial::NamedPortsUnresolved(r) => format!(
                    "{selects}, and {}, but named ports of the rule have no match in the \
                     configuration of the destination peer",
                    rules(r)
                ),
            }
        }
        Decider::Default => "the system default (Allow all)".to_string(),
        Decider::Outside => format!(
            "{subject} is outside the cluster: no policy applies, the system default (Allow all)"
        ),
        Decider::Exposure {
            kind,
            object,
            service,
        } => match r.verdict {
            Verdict::Allows => {
                format!("{kind} '{object}' allows ingress connections through service {service}")
            }
            _ => format!(
                "{kind} '{object}' allows ingress to service {service}, but the protocols and \
                 ports do not match"
            ),
        },
    }
}

/// One side of a part of an explanation: `(Allowed)` or `(Denied)`, and the reasons that
/// decided it, NetworkPolicies grouped when several took part.
fn write_side(
    out: &mut dyn Write,
    e: &Explanation,
    side: Side,
    allows: bool,
    reasons: &[&Reason],
) -> io::Result<()> {
    let verdict = if allows { "Allowed" } else { "Denied" };
    let mine: Vec<&Reason> = reasons.iter().copied().filter(|r| r.side == side).collect();
    if !mine.is_empty() && mine.iter().all(|r| r.is_default()) {
        return writeln!(
            out,
            "\t\t{} ({verdict}) due to the system default (Allow all)",
            side_name(side)
        );
    }
    writeln!(out, "\t\t{} ({verdict})", side_name(side))?;
    // Several reasons of one family (NetworkPolicies, Ingresses, Routes): one list, sorted,
    // where the first of them stands.
    let family = |r: &Reason| match &r.decider {
        Decider::PolicyRule { .. } | Decider::PolicyDenies { .. } => Some("NetworkPolicy"),
        Decider::Exposure { kind, .. } => Some(*kind),
        _ => None,
    };
    let mut listed: Vec<&str> = Vec::new();
    for r in &mine {
        let members: Vec<&Reason> = match family(r) {
            Some(f) => mine
                .iter()
                .copied()
                .filter(|m| family(m) == Some(f))
                .collect(),
            None => Vec::new(),
        };
        let Some(f) = family(r).filter(|_| members.len() > 1) else {
            writeln!(out, "\t\t\t{}", reason_text(e, r))?;
            continue;
        };
        if listed.contains(&f) {
            continue;
        }
        listed.push(f);
        writeln!(out, "\t\t\t{f} list:")?;
        let mut lines: Vec<String> = members.iter().map(|m| reason_text(e, m)).collect();
        lines.sort();
        for line in lines {
            writeln!(out, "\t\t\t\t- {line}")?;
        }
        writeln!(out)?;
    }
    Ok(())
}

/// The `list --explain` text: for every pair some policy or admin rule takes part in, what is
/// allowed and what is denied, each with the egress side of the source and the ingress side of
/// the destination and the policies, rules or defaults that decided them; then the pairs the
/// system default alone allows entirely.
pub fn write_explain(
    out: &mut dyn Write,
    explanations: &[Explanation],
    assumptions: &[&str],
) -> io::Result<()> {
    writeln!(out)?;
    writeln!(out, "##########################################")?;
    writeln!(out, "# Specific connections and their reasons #")?;
    writeln!(out, "##########################################")?;
    let rule = "-".repeat(160);
    let (by_default, specific): (Vec<&Explanation>, Vec<&Explanation>) =
        explanations.iter().partition(|e| e.by_default_only());
    for e in specific {
        writeln!(out, "{rule}")?;
        writeln!(out, "Connections between {} => {}:", e.src, e.dst)?;
        writeln!(out)?;
        let mut titled = [false, false];
        for part in e.parts() {
            let (title, verb) = if part.allowed {
                ("Allowed connections:", "Allowed")
            } else {
                ("Denied connections:", "Denied")
            };
            if !std::mem::replace(&mut titled[usize::from(part.allowed)], true) {
                writeln!(out, "{title}")?;
            }
            let conn = explain_conn(&part.conn);
            if !part.reasons.is_empty() && part.reasons.iter().all(|r| r.is_default()) {
                writeln!(out, "\t{verb} {conn} due to the system default (Allow all)")?;
            } else {
                writeln!(
                    out,
                    "\t{verb} {conn} due to the following policies and rules:"
                )?;
                write_side(out, e, Side::Egress, part.egress_allows, &part.reasons)?;
                write_side(out, e, Side::Ingress, part.ingress_allows, &part.reasons)?;
            }
            writeln!(out)?;
        }
    }
    if !by_default.is_empty() {
        writeln!(out)?;
        writeln!(out, "{}", "#".repeat(57))?;
        writeln!(
            out,
            "# All Connections due to the system default (Allow all) #"
        )?;
        writeln!(out, "{}", "#".repeat(57))?;
        for e in by_default {
            writeln!(out, "{} => {}", e.src, e.dst)?;
        }
    }
    write_explain_assumptions(out, assumptions)
}

/// The closing section of an explanation: the assumptions its verdicts rest on.
fn write_explain_assumptions(out: &mut dyn Write, assumptions: &[&str]) -> io::Result<()> {
    if !assumptions.is_empty() {
        writeln!(out, "{}", "-".repeat(160))?;
        writeln!(out, "Assumptions:")?;
        for a in assumptions {
            writeln!(out, "\t- {a}")?;
        }
    }
    Ok(())
}

/// `list --explain --exposure`: the explanation, then the exposure sections (text) of
/// `connections`, then the assumptions.
pub fn write_explain_with_exposure(
    out: &mut dyn Write,
    explanations: &[Explanation],
    assumptions: &[&str],
    connections: &[Connection],
    exposure: &crate::netpol::Exposure,
    filter: &ExposureFilter<'_>,
) -> io::Result<()> {
    write_explain(out, explanations, &[])?;
    write_exposure(out, connections, exposure, filter, ListFormat::Txt)?;
    write_explain_assumptions(out, assumptions)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<Connection> {
        vec![Connection {
            src: "ns/a[Deployment]".into(),
            dst: "ns/b[Deployment]".into(),
            conn: "TCP 80,UDP 53".into(),
        }]
    }

    fn render(format: ListFormat) -> String {
        let mut buf = Vec::new();
        write_list(&mut buf, &sample(), &["x"], format).expect("write");
        String::from_utf8(buf).expect("utf8")
    }

    #[test]
    fn formats() {
        assert_eq!(
            render(ListFormat::Txt),
            "ns/a[Deployment] => ns/b[Deployment] : TCP 80,UDP 53\n"
        );
        assert_eq!(
            render(ListFormat::Csv),
            "src,dst,conn\nns/a[Deployment],ns/b[Deployment],\"TCP 80,UDP 53\"\n"
        );
        assert!(
            render(ListFormat::Md)
                .contains("| ns/a[Deployment] | ns/b[Deployment] | TCP 80,UDP 53 |")
        );
        let json: serde_json::Value =
            serde_json::from_str(&render(ListFormat::Json)).expect("json");
        assert_eq!(json["schema"], LIST_SCHEMA);
        assert_eq!(json["assumptions"][0], "x");
        assert_eq!(json["connections"][0]["conn"], "TCP 80,UDP 53");
        let dot = render(ListFormat::Dot);
        assert!(dot.starts_with("digraph netpol {"), "{dot}");
        assert!(dot.contains("label=\"namespace ns\""), "{dot}");
        assert!(
            dot.contains("\"ns/a[Deployment]\" -> \"ns/b[Deployment]\" [label=\"TCP 80,UDP 53\"]"),
            "{dot}"
        );
    }

    #[test]
    fn diff_formats() {
        use crate::netpol::diff::DiffKind;
        let entries = vec![DiffEntry {
            kind: DiffKind::Added,
            src: "a".into(),
            dst: "b".into(),
            before: "No Connections".into(),
            after: "TCP 80,UDP 53".into(),
            workloads_info: Some("workload b added".into()),
        }];
        let render = |format| {
            let mut buf = Vec::new();
            write_diff(&mut buf, &entries, &[], format).expect("write");
            String::from_utf8(buf).expect("utf8")
        };
        assert_eq!(
            render(ListFormat::Txt),
            "Connectivity diff:\ndiff-type: added, source: a, destination: b, ref1: No Connections, ref2: TCP 80,UDP 53, workloads-diff-info: workload b added\n"
        );
        assert!(
            render(ListFormat::Csv)
                .ends_with("added,a,b,No Connections,\"TCP 80,UDP 53\",workload b added\n")
        );
        let json: serde_json::Value =
            serde_json::from_str(&render(ListFormat::Json)).expect("json");
        assert_eq!(json["schema"], DIFF_SCHEMA);
        assert_eq!(json["changes"][0]["diff-type"], "added");
    }
}
