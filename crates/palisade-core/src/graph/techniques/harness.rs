//! The fixture harness of the technique registry and its contract tests.
//!
//! Every technique has a fixture beside its source whose evidence lines carry
//! `# expect-edge: T-ID` markers. The harness builds the graph of each fixture and requires
//! that the technique's edges point exactly at the marked lines (by their first evidence).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

use super::{RegisteredTechnique, TECHNIQUES};
use crate::graph::{Graph, Options};
use crate::inventory::Inventory;
use crate::load::{Level, load_text};

fn fixture_path(registered: &RegisteredTechnique) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("src/graph/techniques")
        .join(format!("{}.yaml", registered.meta.slug.replace('-', "_")))
}

fn markers(text: &str, id: &str) -> BTreeSet<u32> {
    let mut out = BTreeSet::new();
    for (i, line) in text.lines().enumerate() {
        if let Some((_, rest)) = line.split_once("# expect-edge:")
            && rest.split(',').any(|t| t.trim() == id)
        {
            out.insert(i as u32 + 1);
        }
    }
    out
}

/// `# network-from: SELECTOR` lines of a fixture, as build options.
fn options(text: &str) -> Options {
    Options {
        network_from: text
            .lines()
            .filter_map(|l| l.strip_prefix("# network-from:"))
            .map(|s| s.trim().to_string())
            .collect(),
    }
}

#[test]
fn every_technique_finds_exactly_the_marked_lines_of_its_fixture() {
    let mut failures = Vec::new();
    for registered in TECHNIQUES {
        let id = registered.meta.id;
        let path = fixture_path(registered);
        let Ok(text) = std::fs::read_to_string(&path) else {
            failures.push(format!("{id}: missing fixture {}", path.display()));
            continue;
        };
        let file: Arc<str> = path.display().to_string().into();
        let loaded = load_text(&file, &text);
        if loaded.diagnostics.iter().any(|d| d.level == Level::Error) {
            failures.push(format!("{id}: fixture does not parse"));
            continue;
        }
        let inventory = Inventory::new(loaded.objects);
        let graph = Graph::build(&inventory, &options(&text));
        let edges: Vec<_> = graph
            .edges
            .iter()
            .filter(|e| e.technique.id == id)
            .collect();
        if edges.is_empty() {
            failures.push(format!("{id}: no edge in its fixture"));
        }
        let found: BTreeSet<u32> = edges
            .iter()
            .filter_map(|e| e.evidence.first())
            .filter(|e| e.line > 0 && *e.file == *file)
            .map(|e| e.line)
            .collect();
        let expected = markers(&text, id);
        if expected.is_empty() {
            failures.push(format!("{id}: fixture has no `# expect-edge:` marker"));
        }
        if found != expected {
            failures.push(format!(
                "{id}: expected lines {:?}, found {:?}",
                expected.difference(&found).collect::<Vec<_>>(),
                found.difference(&expected).collect::<Vec<_>>()
            ));
        }
        if edges.iter().any(|e| e.evidence.is_empty()) {
            failures.push(format!("{id}: an edge has no evidence"));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn ids_and_slugs_are_unique_and_documented() {
    let mut ids = BTreeMap::new();
    let mut slugs = BTreeMap::new();
    for r in TECHNIQUES {
        let m = r.meta;
        assert!(ids.insert(m.id, m.slug).is_none(), "duplicate id {}", m.id);
        assert!(
            slugs.insert(m.slug, m.id).is_none(),
            "duplicate slug {}",
            m.slug
        );
        assert!(
            m.id.starts_with("T-")
                && m.id[2..]
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-'),
            "id {} is not T-UPPER-CASE",
            m.id
        );
        assert!(!m.mitre.is_empty(), "{}: no MITRE reference", m.id);
        let doc = m.doc_text();
        for section in ["## What", "## Why", "## Evidence", "## MITRE"] {
            assert!(doc.contains(section), "{}: doc lacks `{section}`", m.id);
        }
    }
}

#[test]
fn the_user_guide_lists_every_technique() {
    let guide = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/paths.md"),
    )
    .expect("docs/paths.md exists");
    for r in TECHNIQUES {
        assert!(
            guide.contains(&format!("`{}`", r.meta.id)),
            "docs/paths.md does not list {}",
            r.meta.id
        );
    }
}
