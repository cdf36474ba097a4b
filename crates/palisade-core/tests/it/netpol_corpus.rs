//! Compatibility of the NetworkPolicy connectivity engine with the netpol-analyzer corpus:
//! for every case with an expected plain connectivity list, our list must be the same set of
//! `src => dst : conn` lines.

#![allow(clippy::print_stdout)]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use palisade_core::document::parse_stream;
use palisade_core::netpol::{Cluster, Focus, FocusDirection};

/// Cases whose expected list we knowingly do not reproduce yet, with the reason.
const KNOWN_DISAGREEMENTS: &[(&str, &str)] = &[];

/// The manifests of a corpus case directory, recursively, in a stable order.
fn manifest_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            manifest_files(&p, out);
        } else if p
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e, "yaml" | "yml" | "json"))
        {
            out.push(p);
        }
    }
}

/// The texts of the manifests of a corpus case directory.
pub(crate) fn case_texts(dir: &Path) -> Vec<String> {
    let mut files = Vec::new();
    manifest_files(dir, &mut files);
    files
        .iter()
        .filter_map(|f| fs::read_to_string(f).ok())
        .collect()
}

/// Why a case is out of scope for now, from its name and the kinds its manifests hold.
fn skip_reason(case: &str, texts: &[String]) -> Option<&'static str> {
    let has_kind = |kind: &str| {
        texts.iter().any(|t| {
            t.lines().any(|l| {
                let l = l.trim().trim_start_matches('-').trim();
                l == format!("kind: {kind}")
                    || l == format!("\"kind\": \"{kind}\",")
                    || l == format!("\"kind\": \"{kind}\"")
            })
        })
    };
    if case.starts_with("udn")
        || case.starts_with("cudn")
        || case.starts_with("nad")
        || case.contains("vm")
        || case.contains("virtual_machine")
        || has_kind("UserDefinedNetwork")
        || has_kind("ClusterUserDefinedNetwork")
        || has_kind("NetworkAttachmentDefinition")
        || has_kind("VirtualMachine")
    {
        return Some("multi-network");
    }
    None
}

/// False for a connection with an IPv6 external end: the reference tool analyses IPv4 only
/// and lists no IPv6 ranges, which Palisade does list when a rule names an IPv6 CIDR.
fn without_ipv6_end(c: &palisade_core::netpol::Connection) -> bool {
    let is_v6 = |name: &str| name.ends_with("[External]") && name.contains(':');
    !is_v6(&c.src) && !is_v6(&c.dst)
}

fn our_lines(texts: &[String]) -> BTreeSet<String> {
    let streams: Vec<_> = texts.iter().map(|t| parse_stream(t)).collect();
    let cluster = Cluster::from_roots(
        streams
            .iter()
            .flat_map(|s| s.documents.iter().map(|d| &d.root)),
    );
    cluster
        .connectivity()
        .into_iter()
        .filter(without_ipv6_end)
        .map(|c| format!("{} => {} : {}", c.src, c.dst, c.conn))
        .collect()
}

#[test]
fn connectivity_lists_match_the_corpus() {
    let Some(root) = crate::corpus("netpol-analyzer") else {
        return;
    };
    let expected_dir = root.join("test_outputs/connlist");
    let Ok(entries) = fs::read_dir(&expected_dir) else {
        println!("skipped: corpus not found at {}", expected_dir.display());
        return;
    };
    let mut cases: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            e.file_name()
                .to_str()?
                .strip_suffix("_connlist_output.txt")
                .map(str::to_string)
        })
        .filter(|case| root.join("tests").join(case).is_dir())
        .collect();
    cases.sort();

    let mut compared = 0;
    let mut agree = 0;
    let mut skipped: BTreeMap<&str, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    for case in &cases {
        let texts = case_texts(&root.join("tests").join(case));
        if let Some(reason) = skip_reason(case, &texts) {
            *skipped.entry(reason).or_default() += 1;
            continue;
        }
        compared += 1;
        let expected_text =
            fs::read_to_string(expected_dir.join(format!("{case}_connlist_output.txt")))
                .unwrap_or_default();
        let expected: BTreeSet<String> = expected_text
            .lines()
            .map(str::trim)
            .filter(|l| l.contains(" => "))
            .map(str::to_string)
            .collect();
        let ours = our_lines(&texts);
        if ours == expected {
            agree += 1;
            continue;
        }
        if KNOWN_DISAGREEMENTS.iter().any(|(c, _)| c == case) {
            continue;
        }
        let missing: Vec<_> = expected.difference(&ours).take(5).collect();
        let extra: Vec<_> = ours.difference(&expected).take(5).collect();
        failures.push(format!(
            "{case}: {} missing, {} extra\n  missing e.g. {missing:#?}\n  extra e.g. {extra:#?}",
            expected.difference(&ours).count(),
            ours.difference(&expected).count()
        ));
    }
    let skipped_total: usize = skipped.values().sum();
    let reasons: Vec<String> = skipped.iter().map(|(r, n)| format!("{n} {r}")).collect();
    println!(
        "netpol corpus: {compared} cases compared, {agree} agree, {skipped_total} skipped ({}), {} known disagreements",
        reasons.join(", "),
        KNOWN_DISAGREEMENTS.len()
    );
    assert!(
        failures.is_empty(),
        "disagreements:\n{}",
        failures.join("\n")
    );
}

fn load_case(root: &Path, case: &str) -> Option<Cluster> {
    let texts = case_texts(&root.join("tests").join(case));
    if skip_reason(case, &texts).is_some() {
        return None;
    }
    let streams: Vec<_> = texts.iter().map(|t| parse_stream(t)).collect();
    Some(Cluster::from_roots(
        streams
            .iter()
            .flat_map(|s| s.documents.iter().map(|d| &d.root)),
    ))
}

#[test]
fn diffs_match_the_corpus() {
    let Some(root) = crate::corpus("netpol-analyzer") else {
        return;
    };
    let Ok(entries) = fs::read_dir(root.join("test_outputs/diff")) else {
        println!("skipped: corpus not found at {}", root.display());
        return;
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            e.file_name()
                .to_str()?
                .strip_prefix("diff_between_")?
                .strip_suffix(".txt")
                .map(str::to_string)
        })
        .collect();
    names.sort();
    let (mut compared, mut agree, mut skipped) = (0, 0, 0);
    let mut failures = Vec::new();
    for name in &names {
        // `<after>_and_<before>`; case names may themselves contain `_and_`.
        let split = name.match_indices("_and_").map(|(i, _)| i).find(|&i| {
            root.join("tests").join(&name[..i]).is_dir()
                && root.join("tests").join(&name[i + 5..]).is_dir()
        });
        let Some(i) = split else {
            skipped += 1;
            continue;
        };
        let (after, before) = (&name[..i], &name[i + 5..]);
        let (Some(after_cluster), Some(before_cluster)) =
            (load_case(&root, after), load_case(&root, before))
        else {
            skipped += 1;
            continue;
        };
        compared += 1;
        let expected: BTreeSet<String> =
            fs::read_to_string(root.join(format!("test_outputs/diff/diff_between_{name}.txt")))
                .unwrap_or_default()
                .lines()
                .filter(|l| l.starts_with("diff-type:"))
                .map(|l| l.trim().to_string())
                .collect();
        let entries = palisade_core::netpol::diff::diff(&before_cluster, &after_cluster);
        let mut text = Vec::new();
        palisade_core::report::netpol::write_diff(
            &mut text,
            &entries,
            &[],
            palisade_core::report::netpol::ListFormat::Txt,
        )
        .expect("write to memory");
        let ours: BTreeSet<String> = String::from_utf8_lossy(&text)
            .lines()
            .filter(|l| l.starts_with("diff-type:"))
            .map(str::to_string)
            .collect();
        if ours == expected {
            agree += 1;
        } else {
            let missing: Vec<_> = expected.difference(&ours).take(3).collect();
            let extra: Vec<_> = ours.difference(&expected).take(3).collect();
            failures.push(format!(
                "{name}:\n  missing {missing:#?}\n  extra {extra:#?}"
            ));
        }
    }
    println!(
        "netpol diff corpus: {compared} cases compared, {agree} agree, {skipped} skipped (multi-network)"
    );
    assert!(
        failures.is_empty(),
        "disagreements:\n{}",
        failures.join("\n")
    );
}

/// Our list for `case` in one of the list formats, as a set of comparable rows.
fn rows(text: &str, ext: &str) -> BTreeSet<String> {
    match ext {
        "json" => {
            let value: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
            let items = value
                .get("connections")
                .or(Some(&value))
                .and_then(serde_json::Value::as_array)
                .cloned()
                .unwrap_or_default();
            items
                .iter()
                .map(|c| format!("{} | {} | {}", c["src"], c["dst"], c["conn"]))
                .collect()
        }
        "csv" => text.lines().skip(1).map(str::to_string).collect(),
        "md" => text.lines().skip(2).map(str::to_string).collect(),
        "dot" => text.lines().filter_map(dot_edge).collect(),
        _ => text
            .lines()
            .filter(|l| l.contains(" => ") || l.starts_with("Permitted"))
            .map(str::to_string)
            .collect(),
    }
}

/// Reads a quoted Graphviz ID at the start of `text`; returns it and the rest.
fn dot_id(text: &str) -> Option<(String, &str)> {
    let body = text.trim_start().strip_prefix('"')?;
    let mut id = String::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => id.extend(chars.next().map(|(_, c)| c)),
            '"' => return Some((id, &body[i + 1..])),
            c => id.push(c),
        }
    }
    None
}

/// A Graphviz edge line `"src" -> "dst" [label="conn" …]` as `src => dst : conn`; the graph's
/// layout and styling are not compared, only its edges.
fn dot_edge(line: &str) -> Option<String> {
    let (src, rest) = dot_id(line)?;
    let rest = rest.trim_start().strip_prefix("->")?;
    let (dst, rest) = dot_id(rest)?;
    let label = rest
        .split_once("label=")
        .and_then(|(_, l)| dot_id(l))
        .map(|(l, _)| l)
        .unwrap_or_default();
    Some(format!("{src} => {dst} : {label}"))
}

/// A port filter: protocol and port.
type PortFilter = Option<(palisade_core::netpol::Protocol, u32)>;

/// The list format a reference output file's extension stands for.
fn list_format(ext: &str) -> Option<palisade_core::report::netpol::ListFormat> {
    use palisade_core::report::netpol::ListFormat;
    Some(match ext {
        "txt" => ListFormat::Txt,
        "json" => ListFormat::Json,
        "csv" => ListFormat::Csv,
        "md" => ListFormat::Md,
        "dot" => ListFormat::Dot,
        _ => return None,
    })
}

/// Reads an expected-output stem: `<case>[_focus_workload_<w>[_<w>…][_ingress|_egress]
/// [_with_<peer>…]][_<protocol>-<port>]`. Workload names cannot contain `_`.
fn variant<'a>(root: &Path, stem: &'a str) -> (&'a str, Focus, PortFilter) {
    // `<case>_focus_workload_<w>[_<w>…][_ingress|_egress][_with_<peer>[_<peer>…]]`;
    // workload names cannot contain `_`.
    let mut focus_port = None;
    let (case, focus) = match stem.split_once("_focus_workload_") {
        Some((case, list)) => {
            let mut focus = Focus::default();
            let mut with = false;
            for token in list.split('_') {
                if let Some((proto, port)) = token.split_once('-')
                    && let (Some(proto), Ok(port)) = (
                        palisade_core::netpol::Protocol::parse(&proto.to_ascii_uppercase()),
                        port.parse::<u32>(),
                    )
                {
                    focus_port = Some((proto, port));
                    continue;
                }
                match token {
                    "ingress" => focus.direction = Some(FocusDirection::Ingress),
                    "egress" => focus.direction = Some(FocusDirection::Egress),
                    "with" => with = true,
                    w if with => focus.peers.push(w.to_string()),
                    w => focus.workloads.push(w.to_string()),
                }
            }
            (case, focus)
        }
        None => (stem, Focus::default()),
    };
    // `<case>_<protocol>-<port>`: connections permitted on one port.
    let mut port_filter = focus_port;
    let mut case = case;
    if !root.join("tests").join(case).is_dir()
        && let Some((base, filter)) = case.rsplit_once('_')
        && let Some((proto, port)) = filter.split_once('-')
        && let (Some(proto), Ok(port)) = (
            palisade_core::netpol::Protocol::parse(&proto.to_ascii_uppercase()),
            port.parse::<u32>(),
        )
    {
        case = base;
        port_filter = Some((proto, port));
    }
    (case, focus, port_filter)
}

#[test]
fn list_formats_and_focus_match_the_corpus() {
    use palisade_core::report::netpol::write_list;
    let Some(root) = crate::corpus("netpol-analyzer") else {
        return;
    };
    let expected_dir = root.join("test_outputs/connlist");
    let Ok(entries) = fs::read_dir(&expected_dir) else {
        println!("skipped: corpus not found at {}", expected_dir.display());
        return;
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .collect();
    names.sort();
    let (mut compared, mut agree) = (0, 0);
    let mut skipped: BTreeMap<&str, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    for name in &names {
        let Some((stem, ext)) = name.rsplit_once("_connlist_output.") else {
            continue;
        };
        let Some(format) = list_format(ext) else {
            *skipped.entry("other format").or_default() += 1;
            continue;
        };
        let (case, focus, port_filter) = variant(&root, stem);
        if !root.join("tests").join(case).is_dir() {
            *skipped.entry("unknown options").or_default() += 1;
            continue;
        }
        let Some(cluster) = load_case(&root, case) else {
            *skipped.entry("multi-network").or_default() += 1;
            continue;
        };
        compared += 1;
        let all = match port_filter {
            Some((proto, port)) => cluster.permitted_on(proto, port),
            None => cluster.connectivity(),
        };
        let list: Vec<_> = all
            .into_iter()
            .filter(|c| focus.keeps(c) && without_ipv6_end(c))
            .collect();
        let mut ours = Vec::new();
        match port_filter {
            Some((proto, port)) => palisade_core::report::netpol::write_permitted(
                &mut ours,
                &list,
                &[],
                &format!("{} {port}", proto.as_str()),
                format,
            ),
            None => write_list(&mut ours, &list, &[], format),
        }
        .expect("write to memory");
        let ours = rows(&String::from_utf8_lossy(&ours), ext);
        let expected = rows(
            &fs::read_to_string(expected_dir.join(name)).unwrap_or_default(),
            ext,
        );
        if ours == expected {
            agree += 1;
        } else {
            let missing: Vec<_> = expected.difference(&ours).take(3).collect();
            let extra: Vec<_> = ours.difference(&expected).take(3).collect();
            failures.push(format!(
                "{name}:\n  missing {missing:#?}\n  extra {extra:#?}"
            ));
        }
    }
    let reasons: Vec<String> = skipped.iter().map(|(r, n)| format!("{n} {r}")).collect();
    println!(
        "netpol list formats corpus: {compared} files compared, {agree} agree, {} skipped ({})",
        skipped.values().sum::<usize>(),
        reasons.join(", ")
    );
    assert!(
        failures.is_empty(),
        "disagreements:\n{}",
        failures.join("\n")
    );
}

/// Lines of a text output with runs of blanks collapsed, blank lines dropped.
fn normalised_lines(text: &str) -> BTreeSet<String> {
    text.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect()
}

/// A list-with-exposure JSON output as comparable rows: `list | src | dst | conn` per
/// connection and `egress|ingress | workload | peer | conn` per exposure line, the connection
/// left out on one port (the reference names none there). Reads the reference document
/// (`connlist_results`, `exposure_results.egress_exposure`, … with `src`/`dst`) and Palisade's
/// two documents (the list, then `palisade.netpol.exposure/v1` with `workload`/`peer`).
fn exposure_json_rows(text: &str, on_port: bool) -> BTreeSet<String> {
    use serde_json::Value;
    let docs: Vec<Value> = serde_json::Deserializer::from_str(text)
        .into_iter::<Value>()
        .map_while(Result::ok)
        .collect();
    let string =
        |v: &Value, key: &str| v.get(key).and_then(Value::as_str).unwrap_or("").to_string();
    let conn = |v: &Value| {
        if on_port {
            String::new()
        } else {
            string(v, "conn")
        }
    };
    let items = |v: Option<&Value>| v.and_then(Value::as_array).cloned().unwrap_or_default();
    let mut out = BTreeSet::new();
    for doc in &docs {
        let list = [
            "connections",
            "connlist_results",
            "connlist_conn_focus_results",
        ]
        .iter()
        .find_map(|k| doc.get(*k));
        for c in items(list) {
            out.insert(format!(
                "list | {} | {} | {}",
                string(&c, "src"),
                string(&c, "dst"),
                conn(&c)
            ));
        }
        if doc.get("schema").and_then(Value::as_str) == Some("palisade.netpol.exposure/v1") {
            for side in ["egress", "ingress"] {
                for l in items(doc.get(side)) {
                    out.insert(format!(
                        "{side} | {} | {} | {}",
                        string(&l, "workload"),
                        string(&l, "peer"),
                        conn(&l)
                    ));
                }
            }
        }
        let exposure = ["exposure_results", "exposure_conn_focus_results"]
            .iter()
            .find_map(|k| doc.get(*k));
        if let Some(exposure) = exposure {
            for (side, workload, peer) in [("egress", "src", "dst"), ("ingress", "dst", "src")] {
                for l in items(exposure.get(format!("{side}_exposure").as_str())) {
                    out.insert(format!(
                        "{side} | {} | {} | {}",
                        string(&l, workload),
                        string(&l, peer),
                        conn(&l)
                    ));
                }
            }
        }
    }
    out
}

/// Our list with exposure for a focus and port in `format`; with `explain`, the exposure
/// sections alone (in text), as they follow an explanation.
fn our_exposure_output(
    cluster: &Cluster,
    focus: &Focus,
    port_filter: PortFilter,
    explain: bool,
    format: palisade_core::report::netpol::ListFormat,
) -> String {
    use palisade_core::report::netpol::{
        ExposureFilter, ListFormat, write_exposure, write_list_with_exposure,
    };
    let all = match port_filter {
        Some((proto, port)) => cluster.permitted_on(proto, port),
        None => cluster.connectivity(),
    };
    let list: Vec<_> = all
        .into_iter()
        .filter(|c| focus.keeps(c) && without_ipv6_end(c))
        .collect();
    let filter = ExposureFilter {
        focus,
        port: port_filter,
    };
    let exposure = cluster.exposure();
    let mut ours = Vec::new();
    if explain {
        write_exposure(&mut ours, &list, &exposure, &filter, ListFormat::Txt)
    } else {
        write_list_with_exposure(&mut ours, &list, &[], &exposure, &filter, format)
    }
    .expect("write to memory");
    String::from_utf8_lossy(&ours).into_owned()
}

/// Every expected list-with-exposure output (txt, csv, md, dot, json), and the exposure part
/// of the explain-with-exposure outputs, against ours in the same format: txt, csv and md as
/// sets of lines with blanks collapsed, dot as its set of edges with their labels, json as
/// rows.
#[test]
fn exposure_matches_the_corpus() {
    let Some(root) = crate::corpus("netpol-analyzer") else {
        return;
    };
    let expected_dir = root.join("test_outputs/connlist");
    let Ok(entries) = fs::read_dir(&expected_dir) else {
        println!("skipped: corpus not found at {}", expected_dir.display());
        return;
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| n.contains("_exposure_output."))
        .collect();
    names.sort();
    let mut compared: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut skipped: BTreeMap<&str, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    for name in &names {
        let Some((stem, ext)) = name.rsplit_once("_exposure_output.") else {
            continue;
        };
        let Some(format) = list_format(ext) else {
            *skipped.entry("other format").or_default() += 1;
            continue;
        };
        let (explain, stem) = match stem.strip_suffix("_explain") {
            Some(stem) => (true, stem),
            None => (false, stem),
        };
        let (case, focus, port_filter) = variant(&root, stem);
        let Some(cluster) = load_case(&root, case) else {
            *skipped.entry("multi-network").or_default() += 1;
            continue;
        };
        let kind = if explain { "explain+txt" } else { ext };
        let ours = our_exposure_output(&cluster, &focus, port_filter, explain, format);
        let expected_text = fs::read_to_string(expected_dir.join(name)).unwrap_or_default();
        // With explain, the exposure sections follow the explanation (compared elsewhere).
        let expected_text = match expected_text.find("Exposure Analysis Result") {
            Some(i) if explain => expected_text[i..].to_string(),
            _ => expected_text,
        };
        let (ours, expected) = match ext {
            "dot" => (rows(&ours, "dot"), rows(&expected_text, "dot")),
            "json" => (
                exposure_json_rows(&ours, port_filter.is_some()),
                exposure_json_rows(&expected_text, port_filter.is_some()),
            ),
            _ => (normalised_lines(&ours), normalised_lines(&expected_text)),
        };
        let counts = compared.entry(kind).or_default();
        counts.0 += 1;
        if ours == expected && !expected.is_empty() {
            counts.1 += 1;
        } else {
            let missing: Vec<_> = expected.difference(&ours).take(3).collect();
            let extra: Vec<_> = ours.difference(&expected).take(3).collect();
            failures.push(format!(
                "{name}:\n  missing {missing:#?}\n  extra {extra:#?}"
            ));
        }
    }
    let reasons: Vec<String> = skipped.iter().map(|(r, n)| format!("{n} {r}")).collect();
    let per_format: Vec<String> = compared
        .iter()
        .map(|(k, (n, ok))| format!("{k} {ok}/{n}"))
        .collect();
    println!(
        "netpol exposure corpus: {} files compared, {} agree ({}), {} skipped ({})",
        compared.values().map(|c| c.0).sum::<usize>(),
        compared.values().map(|c| c.1).sum::<usize>(),
        per_format.join(", "),
        skipped.values().sum::<usize>(),
        reasons.join(", ")
    );
    assert!(!compared.is_empty(), "no exposure output compared");
    assert!(
        failures.is_empty(),
        "disagreements:\n{}",
        failures.join("\n")
    );
}

/// Bad-input cases whose problem Palisade does not detect yet, with the reason.
const UNDETECTED_BAD_CASES: &[(&str, &str)] = &[];

#[test]
fn bad_cases_are_rejected_and_good_cases_are_not() {
    let Some(root) = crate::corpus("netpol-analyzer") else {
        return;
    };
    let case_root = root.join("tests");
    let Ok(entries) = fs::read_dir(&case_root) else {
        println!("skipped: corpus not found at {}", case_root.display());
        return;
    };
    let mut cases: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .collect();
    cases.sort();
    let (mut bad, mut rejected, mut good, mut clean, mut skipped) = (0, 0, 0, 0, 0);
    let mut failures = Vec::new();
    for case in &cases {
        let texts = case_texts(&case_root.join(case));
        // YAML-level and workload-level problems are the loader's business, not the engine's.
        if skip_reason(case, &texts).is_some()
            || case.contains("yaml")
            || case.contains("malformed")
            || case.contains("syntax")
        {
            skipped += 1;
            continue;
        }
        let streams: Vec<_> = texts.iter().map(|t| parse_stream(t)).collect();
        let cluster = Cluster::from_roots(
            streams
                .iter()
                .flat_map(|s| s.documents.iter().map(|d| &d.root)),
        );
        if case.contains("bad") || case.contains("_err_") {
            bad += 1;
            if cluster.errors.is_empty() {
                if !UNDETECTED_BAD_CASES.iter().any(|(c, _)| c == case) {
                    failures.push(format!("{case}: expected an error, got none"));
                }
            } else {
                rejected += 1;
            }
        } else {
            good += 1;
            if cluster.errors.is_empty() {
                clean += 1;
            } else {
                failures.push(format!("{case}: unexpected errors {:#?}", cluster.errors));
            }
        }
    }
    println!(
        "netpol validation corpus: {bad} bad cases, {rejected} rejected; {good} good cases, {clean} without errors; {skipped} skipped (multi-network, YAML or workload problems); {} known undetected",
        UNDETECTED_BAD_CASES.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Protocol port ranges as `(protocol, low, high)`: the common ground of both notations.
type PortRanges = BTreeSet<(String, u32, u32)>;

/// Adjacent and overlapping ranges of one protocol joined: the reference splits an allowed
/// set at every rule boundary, Palisade does not.
fn merged(set: &PortRanges) -> PortRanges {
    let mut out: Vec<(String, u32, u32)> = Vec::new();
    for (p, a, b) in set {
        if let Some(last) = out.last_mut()
            && last.0 == *p
            && *a <= last.2.saturating_add(1)
        {
            last.2 = last.2.max(*b);
            continue;
        }
        out.push((p.clone(), *a, *b));
    }
    out.into_iter().collect()
}

fn range_of(text: &str) -> Option<(u32, u32)> {
    let text = text.trim();
    match text.split_once('-') {
        Some((a, b)) => Some((a.parse().ok()?, b.parse().ok()?)),
        None => text.parse().ok().map(|p| (p, p)),
    }
}

/// The reference explain notation (`TCP:[1-79,81-65535], UDP, SCTP`) as port ranges.
fn reference_ranges(text: &str) -> PortRanges {
    let mut out = PortRanges::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        rest = rest.trim_start_matches([',', ' ']);
        let end = rest.find([',', ':']).unwrap_or(rest.len());
        let protocol = rest[..end].trim().to_string();
        rest = &rest[end..];
        if let Some(after) = rest.strip_prefix(":[") {
            let close = after.find(']').unwrap_or(after.len());
            for r in after[..close].split(',').filter_map(range_of) {
                out.insert((protocol.clone(), r.0, r.1));
            }
            rest = after.get(close + 1..).unwrap_or("");
        } else if !protocol.is_empty() {
            out.insert((protocol, 1, 65535));
        }
    }
    out
}

/// Per pair of an explain output: the allowed port ranges and the policies named for each
/// direction (`egress`, `ingress`).
#[derive(Debug, Default, PartialEq)]
struct PairExplanation {
    allowed: PortRanges,
    denied: PortRanges,
    policies: BTreeSet<(String, String)>,
}

fn parse_explain(text: &str) -> BTreeMap<(String, String), PairExplanation> {
    let mut pairs: BTreeMap<(String, String), PairExplanation> = BTreeMap::new();
    let mut current: Option<(String, String)> = None;
    let mut direction = "";
    for line in text.lines() {
        let trimmed = line.trim();
        if let Some(pair) = trimmed
            .strip_prefix("Connections between ")
            .and_then(|p| p.strip_suffix(':'))
            && let Some((src, dst)) = pair.split_once(" => ")
        {
            let key = (src.to_string(), dst.to_string());
            pairs.entry(key.clone()).or_default();
            current = Some(key);
            continue;
        }
        let Some(key) = &current else { continue };
        let entry = pairs.entry(key.clone()).or_default();
        if let Some(conn) = trimmed
            .strip_prefix("Allowed ")
            .and_then(|c| c.split_once(" due to").map(|(c, _)| c))
        {
            entry.allowed.extend(reference_ranges(conn));
        } else if let Some(conn) = trimmed
            .strip_prefix("Denied ")
            .and_then(|c| c.split_once(" due to").map(|(c, _)| c))
        {
            entry.denied.extend(reference_ranges(conn));
        } else if trimmed.starts_with("Egress") {
            direction = "egress";
        } else if trimmed.starts_with("Ingress") {
            direction = "ingress";
        }
        if !direction.is_empty() {
            for name in quoted_names(trimmed) {
                entry.policies.insert((direction.to_string(), name));
            }
        }
    }
    pairs
}

/// The `'…'`-quoted policy names after a policy kind in a reason line.
fn quoted_names(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    for kind in [
        "NetworkPolicy '",
        "AdminNetworkPolicy '",
        "ClusterNetworkPolicy '",
    ] {
        let mut rest = line;
        while let Some(i) = rest.find(kind) {
            let before_ok = i == 0 || !rest[..i].ends_with(|c: char| c.is_alphanumeric());
            let after = &rest[i + kind.len()..];
            let Some(close) = after.find('\'') else { break };
            if before_ok {
                out.push(format!("{} {}", &kind[..kind.len() - 2], &after[..close]));
            }
            rest = &after[close..];
        }
    }
    out
}

fn our_peer(cluster: &Cluster, name: &str) -> Option<palisade_core::netpol::Peer> {
    if name == "{ingress-controller}" {
        return Some(palisade_core::netpol::Peer::IngressController);
    }
    let name = match name.strip_suffix("[External]") {
        Some(range) => range.split_once('-').map_or(range, |(a, _)| a),
        None => name,
    };
    palisade_core::netpol::parse_peer(cluster, name)
}

#[test]
fn explain_outputs_match_the_corpus() {
    let Some(root) = crate::corpus("netpol-analyzer") else {
        return;
    };
    let expected_dir = root.join("test_outputs/connlist");
    let Ok(entries) = fs::read_dir(&expected_dir) else {
        println!("skipped: corpus not found at {}", expected_dir.display());
        return;
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| n.contains("_explain") && n.ends_with("_output.txt"))
        .collect();
    names.sort();
    let total = names.len();
    let (mut compared, mut agree, mut attributed, mut same_pairs, mut same_reasons) =
        (0, 0, 0, 0, 0);
    let mut unattributed = Vec::new();
    let mut skipped: BTreeMap<&str, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    for name in &names {
        // With exposure, the exposure sections follow the explanation (compared with the
        // other exposure outputs).
        let Some(stem) = name
            .strip_suffix("_explain_output.txt")
            .or_else(|| name.strip_suffix("_explain_exposure_output.txt"))
        else {
            continue;
        };
        // `_allow` and `_deny` variants show only the allowed or only the denied part.
        let denied_only = stem.ends_with("_deny");
        let allowed_only = stem.ends_with("_allow");
        let stem = stem.strip_suffix("_allow").unwrap_or(stem);
        let stem = stem.strip_suffix("_deny").unwrap_or(stem);
        let (case, focus, port_filter) = variant(&root, stem);
        if !root.join("tests").join(case).is_dir() {
            *skipped.entry("case directory not found").or_default() += 1;
            continue;
        }
        let Some(cluster) = load_case(&root, case) else {
            *skipped.entry("multi-network").or_default() += 1;
            continue;
        };
        let Ok(text) = fs::read_to_string(expected_dir.join(name)) else {
            continue;
        };
        let text = match text.find("\nExposure Analysis Result") {
            Some(i) => &text[..i],
            None => &text[..],
        };
        compared += 1;
        let expected = parse_explain(text);
        let our_pairs = explain_pairs(&cluster, &focus, port_filter, denied_only);
        let expected_pairs: BTreeSet<(String, String)> = expected.keys().cloned().collect();
        if our_pairs == expected_pairs {
            same_pairs += 1;
        } else {
            let missing: Vec<_> = expected_pairs.difference(&our_pairs).take(2).collect();
            let extra: Vec<_> = our_pairs.difference(&expected_pairs).take(2).collect();
            failures.push(format!(
                "{name}: pairs missing {missing:?}, extra {extra:?}"
            ));
        }
        let (mut problems, unattributed_pair) =
            compare_explain(&cluster, name, &expected, port_filter, denied_only);
        let shown = match (allowed_only, denied_only) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        };
        let reason_problems = compare_reason_blocks(&cluster, text, port_filter, shown);
        if reason_problems.is_empty() {
            same_reasons += 1;
        }
        problems.extend(reason_problems);
        let same_policies = unattributed_pair.is_none();
        unattributed.extend(unattributed_pair);
        if problems.is_empty() {
            agree += 1;
            if same_policies {
                attributed += 1;
            }
        } else {
            failures.push(format!(
                "{name}: {}",
                problems[..problems.len().min(3)].join("; ")
            ));
        }
    }
    let reasons: Vec<String> = skipped.iter().map(|(r, n)| format!("{n} {r}")).collect();
    println!(
        "netpol explain corpus: {total} files, {compared} compared, {agree} agree on allowed/denied \
         per pair, {attributed} also name the same policies per direction, {same_reasons} give \
         the same reasons per port range, {same_pairs} list the same pairs; {} skipped ({})",
        skipped.values().sum::<usize>(),
        reasons.join(", ")
    );
    failures.extend(unattributed.iter().map(|u| format!("policies differ: {u}")));
    assert!(
        failures.is_empty(),
        "disagreements:\n{}",
        failures.join("\n")
    );
}

/// One block of an explain output: allowed or not, its port ranges, and its lines (side
/// verdicts and reasons, trimmed).
type ReasonBlock = (bool, PortRanges, Vec<String>);

/// The blocks of every pair of an explain output: `Allowed …`/`Denied …` lines with what
/// follows them. With a port, each block's ranges are cut to that port (blocks without it
/// dropped); with `shown`, only allowed (`Some(true)`) or denied blocks are kept.
fn reason_blocks(
    text: &str,
    port_filter: PortFilter,
    shown: Option<bool>,
) -> BTreeMap<(String, String), BTreeSet<ReasonBlock>> {
    let mut pairs: BTreeMap<(String, String), BTreeSet<ReasonBlock>> = BTreeMap::new();
    let mut pair: Option<(String, String)> = None;
    let mut block: Option<ReasonBlock> = None;
    let mut finish = |pair: &Option<(String, String)>, block: &mut Option<ReasonBlock>| {
        let (Some(key), Some((allowed, ranges, lines))) = (pair, block.take()) else {
            return;
        };
        let ranges = match port_filter {
            Some((proto, port)) => ranges
                .into_iter()
                .filter(|(p, a, b)| p == proto.as_str() && *a <= port && port <= *b)
                .map(|(p, _, _)| (p, port, port))
                .collect(),
            None => merged(&ranges),
        };
        if !ranges.is_empty() && shown.is_none_or(|s| s == allowed) {
            pairs
                .entry(key.clone())
                .or_default()
                .insert((allowed, ranges, lines));
        }
    };
    for line in text.lines() {
        let trimmed = line.trim();
        if let Some(p) = trimmed
            .strip_prefix("Connections between ")
            .and_then(|p| p.strip_suffix(':'))
            .and_then(|p| p.split_once(" => "))
        {
            finish(&pair, &mut block);
            pair = Some((p.0.to_string(), p.1.to_string()));
            continue;
        }
        if trimmed.is_empty() {
            continue;
        }
        if line.starts_with("\t\t") {
            if let Some(b) = block.as_mut() {
                b.2.push(trimmed.to_string());
            }
            continue;
        }
        finish(&pair, &mut block);
        let verdict = trimmed
            .strip_prefix("Allowed ")
            .map(|c| (true, c))
            .or_else(|| trimmed.strip_prefix("Denied ").map(|c| (false, c)));
        if line.starts_with('\t')
            && let Some((allowed, rest)) = verdict
            && let Some((conn, why)) = rest.split_once(" due to ")
        {
            let mut lines = Vec::new();
            if why.starts_with("the system default") {
                lines.push(why.to_string());
            }
            block = Some((allowed, reference_ranges(conn), lines));
        } else if !line.starts_with('\t') {
            // Titles and rules end the section's blocks; the default-only list ends pairs.
            if trimmed.starts_with('#') {
                pair = None;
            }
        }
    }
    finish(&pair, &mut block);
    pairs
}

/// The explain output of the reference against ours for the same pairs, block by block:
/// the same reasons, in the same words, for the same port ranges.
fn compare_reason_blocks(
    cluster: &Cluster,
    expected_text: &str,
    port_filter: PortFilter,
    shown: Option<bool>,
) -> Vec<String> {
    let expected = reason_blocks(expected_text, port_filter, shown);
    let explanations: Vec<_> = expected
        .keys()
        .filter_map(|(src, dst)| {
            Some(cluster.explain(our_peer(cluster, src)?, our_peer(cluster, dst)?))
        })
        .collect();
    let mut text = Vec::new();
    if palisade_core::report::netpol::write_explain(&mut text, &explanations, &[]).is_err() {
        return vec!["writing the explanation failed".to_string()];
    }
    let ours = reason_blocks(&String::from_utf8_lossy(&text), port_filter, shown);
    let mut problems = Vec::new();
    for (pair, want) in &expected {
        let got = ours.get(pair).cloned().unwrap_or_default();
        if &got != want {
            let missing: Vec<_> = want.difference(&got).take(1).collect();
            let extra: Vec<_> = got.difference(want).take(1).collect();
            problems.push(format!(
                "{} => {}: reasons differ, missing {missing:?}, extra {extra:?}",
                pair.0, pair.1
            ));
        }
    }
    problems
}

/// One explain output against the text of `list --explain` for the same pairs, both parsed
/// the same way: disagreements on what is allowed per pair, and the first pair whose
/// deciding policies differ.
fn compare_explain(
    cluster: &Cluster,
    name: &str,
    expected: &BTreeMap<(String, String), PairExplanation>,
    port_filter: PortFilter,
    denied_only: bool,
) -> (Vec<String>, Option<String>) {
    let mut problems = Vec::new();
    let mut unattributed = None;
    let mut explanations = Vec::new();
    for (src, dst) in expected.keys() {
        match (our_peer(cluster, src), our_peer(cluster, dst)) {
            (Some(s), Some(d)) => explanations.push(cluster.explain(s, d)),
            _ => problems.push(format!("unknown peer in {src} => {dst}")),
        }
    }
    let mut text = Vec::new();
    if palisade_core::report::netpol::write_explain(&mut text, &explanations, &[]).is_err() {
        problems.push("writing the explanation failed".to_string());
    }
    let ours_parsed = parse_explain(&String::from_utf8_lossy(&text));
    for ((src, dst), want) in expected {
        let Some(ours) = ours_parsed.get(&(src.clone(), dst.clone())) else {
            continue;
        };
        let (mut our_allowed, mut want_allowed) = if denied_only {
            (ours.denied.clone(), want.denied.clone())
        } else {
            (ours.allowed.clone(), want.allowed.clone())
        };
        if let Some((proto, port)) = port_filter {
            let keep = |set: &mut PortRanges| {
                set.retain(|(p, a, b)| p == proto.as_str() && *a <= port && port <= *b);
                set.iter()
                    .map(|(p, _, _)| (p.clone(), port, port))
                    .collect::<PortRanges>()
            };
            our_allowed = keep(&mut our_allowed);
            want_allowed = keep(&mut want_allowed);
        }
        let (our_allowed, want_allowed) = (merged(&our_allowed), merged(&want_allowed));
        if our_allowed != want_allowed {
            problems.push(format!(
                "{src} => {dst}: expected {want_allowed:?}, ours {our_allowed:?}"
            ));
        }
        if ours.policies != want.policies && unattributed.is_none() {
            unattributed = Some(format!(
                "{name} {src} => {dst}: expected {:?}, ours {:?}",
                want.policies, ours.policies
            ));
        }
    }
    (problems, unattributed)
}

/// The pairs the specific section of `list --explain` shows with a focus and port, without
/// IPv6 ranges (the reference analyses IPv4 only).
fn explain_pairs(
    cluster: &Cluster,
    focus: &Focus,
    port_filter: PortFilter,
    denied_only: bool,
) -> BTreeSet<(String, String)> {
    let is_v6 = |name: &str| name.ends_with("[External]") && name.contains(':');
    cluster
        .explain_all()
        .into_iter()
        .filter(|e| {
            let shown = if denied_only {
                !e.allowed.is_all()
            } else {
                match port_filter {
                    Some((proto, port)) => e.allowed.allows(proto, port),
                    None => true,
                }
            };
            shown
                && !e.by_default_only()
                && focus.keeps(&palisade_core::netpol::Connection {
                    src: e.src.clone(),
                    dst: e.dst.clone(),
                    conn: e.allowed.to_string(),
                })
        })
        .map(|e| (e.src, e.dst))
        .filter(|(s, d)| !is_v6(s) && !is_v6(d))
        .collect()
}
