//! The generic fixture harness and the contract tests over the whole registry.
//!
//! Every check has a fixture beside its source (`<slug with underscores>.yaml`) whose offending
//! lines carry `# expect: <slug>` markers. The harness runs each check alone on its fixture and
//! requires exactly the marked lines, so adding a check adds no test code.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

use crate::check::Registered;
use crate::inventory::Inventory;
use crate::load::{Level, load_text};
use crate::scan::scan;

fn fixture_path(registered: &Registered) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("src/checks")
        .join(registered.meta.area.as_str())
        .join(format!("{}.yaml", registered.meta.slug.replace('-', "_")))
}

fn expected_markers(text: &str) -> BTreeSet<(u32, String)> {
    let mut out = BTreeSet::new();
    for (i, line) in text.lines().enumerate() {
        if let Some((_, rest)) = line.split_once("# expect:") {
            for slug in rest.split(',') {
                out.insert((i as u32 + 1, slug.trim().to_string()));
            }
        }
    }
    out
}

fn today() -> jiff::civil::Date {
    jiff::civil::date(2026, 1, 1)
}

#[test]
fn every_check_finds_exactly_the_marked_lines_of_its_fixture() {
    let mut failures = Vec::new();
    for registered in super::all() {
        let path = fixture_path(registered);
        let Ok(text) = std::fs::read_to_string(&path) else {
            failures.push(format!(
                "{}: missing fixture {}",
                registered.meta.slug,
                path.display()
            ));
            continue;
        };
        let file: Arc<str> = path.display().to_string().into();
        let loaded = load_text(&file, &text);
        let errors: Vec<_> = loaded
            .diagnostics
            .iter()
            .filter(|d| d.level == Level::Error)
            .collect();
        if !errors.is_empty() {
            failures.push(format!(
                "{}: fixture does not parse: {errors:?}",
                registered.meta.slug
            ));
            continue;
        }
        let inventory = Inventory::new(loaded.objects);
        let result = scan(&inventory, &[registered], today());
        let found: BTreeSet<(u32, String)> = result
            .findings
            .iter()
            .map(|r| (r.finding.location.line, r.finding.check.slug.to_string()))
            .collect();
        let expected: BTreeSet<(u32, String)> = expected_markers(&text)
            .into_iter()
            .filter(|(_, slug)| slug == registered.meta.slug)
            .collect();
        if found != expected {
            let missing: Vec<_> = expected.difference(&found).map(|(l, _)| l).collect();
            let extra: Vec<_> = found.difference(&expected).map(|(l, _)| l).collect();
            failures.push(format!(
                "{}: expected but not found on lines {missing:?}; found but not expected on lines {extra:?}",
                registered.meta.slug
            ));
        }
        if expected.is_empty() {
            failures.push(format!(
                "{}: fixture has no `# expect:` marker",
                registered.meta.slug
            ));
        }
        let flagged: BTreeSet<_> = result.findings.iter().map(|r| r.finding.object).collect();
        if flagged.len() == inventory.len() {
            failures.push(format!(
                "{}: fixture needs at least one object the check passes",
                registered.meta.slug
            ));
        }
        for r in &result.findings {
            if r.finding.location.line == 0 || r.finding.location.column == 0 {
                failures.push(format!(
                    "{}: a finding has no location",
                    registered.meta.slug
                ));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn ids_and_slugs_are_unique_and_well_formed() {
    let mut ids = BTreeMap::new();
    let mut slugs = BTreeMap::new();
    for r in super::all() {
        let m = r.meta;
        assert!(ids.insert(m.id, m.slug).is_none(), "duplicate id {}", m.id);
        assert!(
            slugs.insert(m.slug, m.id).is_none(),
            "duplicate slug {}",
            m.slug
        );
        assert!(
            m.id.len() == 7
                && m.id.starts_with("PAL-")
                && m.id[4..].bytes().all(|b| b.is_ascii_digit()),
            "id {} is not PAL-NNN",
            m.id
        );
        assert!(
            m.slug
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "slug {} is not kebab-case",
            m.slug
        );
        assert!(
            !m.title.ends_with('.'),
            "{}: titles do not end with a period",
            m.slug
        );
        assert!(
            m.remediation.ends_with('.'),
            "{}: remediation is a sentence",
            m.slug
        );
        assert!(
            !m.references.is_empty(),
            "{}: no framework reference",
            m.slug
        );
    }
}

#[test]
fn every_check_is_documented_with_all_sections() {
    for r in super::all() {
        let doc = r.meta.doc_text();
        for section in [
            "## What it flags",
            "## Why it matters",
            "## Example",
            "## Fix",
            "## References",
        ] {
            assert!(
                doc.contains(section),
                "{}: doc lacks `{section}`",
                r.meta.slug
            );
        }
    }
}

#[test]
fn ids_are_in_order_within_each_area() {
    for area in super::AREAS {
        let ids: Vec<_> = area.iter().map(|r| r.meta.id).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        assert_eq!(ids, sorted, "registry lists must be in id order");
    }
}
