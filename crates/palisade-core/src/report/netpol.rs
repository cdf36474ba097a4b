//! Writing NetworkPolicy connectivity lists and diffs: text (`src => dst : conn`; diff lines
//! `diff-type: …, source: …`), the `palisade.netpol.list/v1` and `palisade.netpol.diff/v1`
//! JSON documents, CSV and Markdown tables, and Graphviz graphs (workloads grouped by namespace,
//! one labelled edge per connection), and the per-pair explanation of `list --explain`.

use std::io::{self, Write};

use serde::Serialize;

use crate::netpol::conn::{ConnSet, Protocol};
use crate::netpol::diff::DiffEntry;
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

/// Writes a `digraph` of `edges`: every peer they name as a node, workloads inside a cluster
/// box per namespace.
fn write_dot(out: &mut dyn Write, edges: &[DotEdge<'_>]) -> io::Result<()> {
    let mut namespaces: std::collections::BTreeMap<&str, std::collections::BTreeSet<&str>> =
        std::collections::BTreeMap::new();
    let mut outside: std::collections::BTreeSet<&str> = std::collections::BTreeSet::new();
    for e in edges {
        for peer in [e.src, e.dst] {
            match peer.split_once('/') {
                Some((ns, _)) if !peer.ends_with("[External]") => {
                    namespaces.entry(ns).or_default().insert(peer);
                }
                _ => {
                    outside.insert(peer);
                }
            }
        }
    }
    writeln!(out, "digraph netpol {{")?;
    writeln!(out, "\trankdir=LR")?;
    writeln!(out, "\tnode [shape=box style=rounded]")?;
    for (i, (ns, peers)) in namespaces.iter().enumerate() {
        writeln!(out, "\tsubgraph cluster_{i} {{")?;
        writeln!(out, "\t\tlabel={}", dot_quote(&format!("namespace {ns}")))?;
        for peer in peers {
            let short = peer.split_once('/').map_or(*peer, |(_, n)| n);
            writeln!(out, "\t\t{} [label={}]", dot_quote(peer), dot_quote(short))?;
        }
        writeln!(out, "\t}}")?;
    }
    for peer in &outside {
        writeln!(out, "\t{} [shape=ellipse]", dot_quote(peer))?;
    }
    for e in edges {
        writeln!(
            out,
            "\t{} -> {} [label={}{}]",
            dot_quote(e.src),
            dot_quote(e.dst),
            dot_quote(&e.label),
            e.style
        )?;
    }
    writeln!(out, "}}")
}

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
/// protects. `Txt` and `Json` only; `Json` writes a `palisade.netpol.exposure/v1` document.
pub fn write_exposure(
    out: &mut dyn Write,
    connections: &[crate::netpol::Connection],
    exposure: &crate::netpol::Exposure,
    filter: &ExposureFilter<'_>,
    format: ListFormat,
) -> io::Result<()> {
    let (rows, unprotected) = exposure_rows(connections, exposure, filter);
    let direction = |ingress: bool| if ingress { "Ingress" } else { "Egress" };
    if format == ListFormat::Json {
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
    writeln!(out)?;
    match filter.port {
        Some((protocol, port)) => writeln!(
            out,
            "Exposure Analysis Result On {} {port}:",
            protocol.as_str()
        )?,
        None => writeln!(out, "Exposure Analysis Result:")?,
    }
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

/// How the engine words a selecting NetworkPolicy that admits nothing of a pair.
const ADMITS_NOTHING: &str = "none of its rules admits the peer";

/// One direction of an explanation: whether it lets `conn` through, and why.
fn write_side(
    out: &mut dyn Write,
    label: &str,
    side: &ConnSet,
    conn: &ConnSet,
    reasons: &[String],
) -> io::Result<()> {
    let verdict = if side.intersection(conn).is_empty() {
        "Denied"
    } else {
        "Allowed"
    };
    writeln!(out, "\t\t{label} ({verdict})")?;
    // A policy that admits nothing took no part in what a side lets through.
    let admits_nothing = |r: &&String| r.ends_with(ADMITS_NOTHING);
    for r in reasons
        .iter()
        .filter(|r| verdict == "Denied" || !admits_nothing(r))
    {
        writeln!(out, "\t\t\t{r}")?;
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
        let denied = ConnSet::all().difference(&e.allowed);
        for (title, verb, conn) in [
            ("Allowed connections:", "Allowed", &e.allowed),
            ("Denied connections:", "Denied", &denied),
        ] {
            if conn.is_empty() {
                continue;
            }
            writeln!(out, "{title}")?;
            writeln!(
                out,
                "\t{verb} {} due to the following policies and rules:",
                explain_conn(conn)
            )?;
            write_side(out, "Egress", &e.egress, conn, &e.egress_reasons)?;
            write_side(out, "Ingress", &e.ingress, conn, &e.ingress_reasons)?;
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
    if !assumptions.is_empty() {
        writeln!(out, "{rule}")?;
        writeln!(out, "Assumptions:")?;
        for a in assumptions {
            writeln!(out, "\t- {a}")?;
        }
    }
    Ok(())
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
