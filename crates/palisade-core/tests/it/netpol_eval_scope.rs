//! `netpol eval` reads only the inputs and documents an [`EvalScope`] keeps; over every case of the
//! netpol-analyzer corpus, the model built from those alone must answer each question between
//! two workloads, or a workload and an address, exactly as the model of the whole case does.

use std::fs;
use std::net::Ipv6Addr;
use std::path::PathBuf;
use std::sync::Mutex;

use palisade_core::document::{Node, parse_stream, parse_stream_where};
use palisade_core::netpol::{Cluster, EvalScope, Peer, Workload, parse_peer};

/// One document as the filter sees it (its text) with what parsing it gives.
struct Chunk {
    /// Which input (file) it is from.
    input: usize,
    text: String,
    roots: Vec<Node>,
}

/// The documents of a case in input order, each parsed once, so that each question only
/// filters them instead of parsing the case again.
fn chunks(texts: &[String]) -> Vec<Chunk> {
    let mut out = Vec::new();
    for (input, text) in texts.iter().enumerate() {
        let seen = Mutex::new(Vec::new());
        // Small inputs are cut and judged in order, one document at a time.
        parse_stream_where(text, |chunk| {
            seen.lock().unwrap().push(chunk.to_string());
            false
        });
        for chunk in seen.into_inner().unwrap() {
            let roots = parse_stream(&chunk)
                .documents
                .into_iter()
                .map(|d| d.root)
                .collect();
            out.push(Chunk {
                input,
                text: chunk,
                roots,
            });
        }
    }
    out
}

/// The first address of an external range, as a user would type it.
fn address(start: u128) -> String {
    let v6 = Ipv6Addr::from(start);
    v6.to_ipv4_mapped()
        .map_or_else(|| v6.to_string(), |v4| v4.to_string())
}

/// Running totals, for the summary line.
#[derive(Default)]
struct Tally {
    questions: usize,
    documents: usize,
    documents_read: usize,
    wider_ranges: usize,
    /// Questions whose scope did not resolve an (address) end: the command reads everything.
    read_in_full: usize,
}

/// Asks `src => dst` of the whole case and of the documents its scope keeps; `Err` says how
/// the answers differ.
fn compare(
    full: &Cluster,
    texts: &[String],
    chunks: &[Chunk],
    src: &str,
    dst: &str,
    tally: &mut Tally,
) -> Result<(), String> {
    tally.questions += 1;
    let (Some(full_src), Some(full_dst)) = (parse_peer(full, src), parse_peer(full, dst)) else {
        return Err("not found in the whole case".into());
    };
    let scope = EvalScope::new(src, dst).ok_or("no scope")?;
    let inputs_read: Vec<bool> = texts.iter().map(|t| !scope.leaves_out_input(t)).collect();
    let kept: Vec<&Chunk> = chunks
        .iter()
        .filter(|c| inputs_read[c.input] && scope.bears_on(&c.text))
        .collect();
    tally.documents += chunks.len();
    tally.documents_read += kept.len();
    let scoped = Cluster::from_roots(kept.iter().flat_map(|c| &c.roots));
    if !scoped.errors.is_empty() {
        return Err(format!("{:?}", scoped.errors));
    }
    let (Some(scoped_src), Some(scoped_dst)) = (parse_peer(&scoped, src), parse_peer(&scoped, dst))
    else {
        // The command then reads everything; only an address end may need that (IPv6, when
        // no policy read names an IPv6 range).
        tally.read_in_full += 1;
        let is_workload = |end: &str| end.parse::<std::net::IpAddr>().is_err();
        if is_workload(src) && is_workload(dst) {
            return Err("an end is not in scope".into());
        }
        return Ok(());
    };
    for (whole, part) in [(full_src, scoped_src), (full_dst, scoped_dst)] {
        match (whole, part) {
            (Peer::External(a, b), Peer::External(c, d)) => {
                if !(c <= a && b <= d) {
                    return Err(format!(
                        "range {} is not within {}",
                        full.peer_name(whole),
                        scoped.peer_name(part)
                    ));
                }
                tally.wider_ranges += usize::from((a, b) != (c, d));
            }
            _ if full.peer_name(whole) != scoped.peer_name(part) => {
                return Err(format!(
                    "{} is {} in scope",
                    full.peer_name(whole),
                    scoped.peer_name(part)
                ));
            }
            _ => {}
        }
    }
    let whole = full.allowed(full_src, full_dst).to_string();
    let part = scoped.allowed(scoped_src, scoped_dst).to_string();
    if whole == part {
        Ok(())
    } else {
        Err(format!(
            "`{whole}` from everything, `{part}` from the scope"
        ))
    }
}

#[test]
fn eval_answers_alike_from_its_scope_and_from_everything() {
    let Some(root) = crate::corpus("netpol-analyzer") else {
        return;
    };
    let case_root = root.join("tests");
    let Ok(entries) = fs::read_dir(&case_root) else {
        println!("skipped: corpus not found at {}", case_root.display());
        return;
    };
    let mut cases: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    let (mut compared_cases, mut invalid_cases) = (0, 0);
    let mut tally = Tally::default();
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().and_then(|n| n.to_str()).unwrap_or("?");
        let texts = crate::netpol_corpus::case_texts(case);
        let chunks = chunks(&texts);
        let full = Cluster::from_roots(chunks.iter().flat_map(|c| &c.roots));
        if !full.errors.is_empty() {
            // The command refuses such input; what a scope would answer is moot.
            invalid_cases += 1;
            continue;
        }
        compared_cases += 1;
        let mut ends: Vec<String> = full.workloads().iter().map(Workload::display).collect();
        // The short form too, for a few: it names the first workload of that name.
        ends.extend(
            full.workloads()
                .iter()
                .take(3)
                .map(|w| format!("{}/{}", w.namespace, w.name)),
        );
        let workload_ends = ends.len();
        ends.extend(full.external_ranges().iter().map(|&(a, _)| address(a)));
        for (i, src) in ends.iter().enumerate() {
            for (j, dst) in ends.iter().enumerate() {
                // Between two addresses nothing is read.
                if (i < workload_ends || j < workload_ends)
                    && let Err(e) = compare(&full, &texts, &chunks, src, dst, &mut tally)
                {
                    failures.push(format!("{name}: {src} => {dst}: {e}"));
                }
            }
        }
    }
    println!(
        "netpol eval scope: {compared_cases} cases, {} questions compared; {invalid_cases} cases \
         with invalid policies skipped; {} of {} documents read; {} address ends named by a \
         wider range; {} questions read in full",
        tally.questions,
        tally.documents_read,
        tally.documents,
        tally.wider_ranges,
        tally.read_in_full
    );
    failures.truncate(20);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
