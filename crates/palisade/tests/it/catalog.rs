//! `palisade checks` and `palisade explain`: the catalog as a table and as JSON, and one
//! check's documentation by id or slug.

use std::collections::BTreeSet;

use crate::palisade;

#[test]
fn checks_json_lists_every_check_once() {
    let run = palisade(&["checks", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .starts_with("{\n  \"schema\": \"palisade.checks/v1\",")
    );
    let doc = run.json();
    let checks = doc["checks"].as_array().unwrap();
    assert!(checks.len() >= 4);
    let mut ids = BTreeSet::new();
    for check in checks {
        for key in [
            "id",
            "slug",
            "title",
            "severity",
            "area",
            "status",
            "remediation",
        ] {
            assert!(check[key].is_string(), "{key}: {check}");
        }
        assert!(check["references"].is_array());
        assert!(
            ids.insert(check["id"].as_str().unwrap().to_string()),
            "duplicate id"
        );
    }
    assert!(ids.contains("PAL-101"));
}

#[test]
fn checks_table_names_every_check() {
    let run = palisade(&["checks"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("PAL-101"));
    assert!(run.stdout.contains("privileged-container"));
}

#[test]
fn explain_by_id_and_slug_show_the_same_text() {
    let by_id = palisade(&["explain", "PAL-101"]);
    assert_eq!(by_id.code, 0, "{}", by_id.stderr);
    assert!(by_id.stdout.starts_with("# PAL-101 privileged-container:"));
    for section in ["## What it flags", "## Why it matters", "## Fix"] {
        assert!(by_id.stdout.contains(section), "{section}");
    }
    let by_slug = palisade(&["explain", "privileged-container"]);
    assert_eq!(by_slug.code, 0);
    assert_eq!(by_id.stdout, by_slug.stdout);
}

#[test]
fn explain_unknown_check_exits_2() {
    let run = palisade(&["explain", "no-such-check"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no-such-check"), "{}", run.stderr);
    assert!(run.stdout.is_empty());
}
