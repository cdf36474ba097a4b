//! The output formats: the JSON contract, SARIF and JUnit specifics, and one snapshot per
//! format of the same fixture set (`tests/fixtures/shop`, with suppressed findings listed).

use crate::{Run, palisade, palisade_with_stdin};

/// The scan every snapshot shows: the checks the shop fixtures were written for, with
/// suppressed findings listed, plus a missing input so input errors show too.
fn shop(format: &str) -> Run {
    palisade(&[
        "scan",
        "--color",
        "never",
        "--show-suppressed",
        "--select",
        "PAL-101,PAL-102,PAL-201,PAL-205",
        "-f",
        format,
        "shop",
        "missing.yaml",
    ])
}

/// The output with this build's version replaced, so snapshots survive releases.
fn redacted(run: &Run) -> String {
    run.stdout.replace(
        &format!("\"{}\"", env!("CARGO_PKG_VERSION")),
        "\"[version]\"",
    )
}

#[test]
fn snapshot_table() {
    let run = shop("table");
    assert_eq!(run.code, 2);
    insta::assert_snapshot!("table", redacted(&run));
}

#[test]
fn snapshot_json() {
    let run = shop("json");
    assert_eq!(run.code, 2);
    insta::assert_snapshot!("json", redacted(&run));
}

#[test]
fn snapshot_sarif() {
    let run = shop("sarif");
    assert_eq!(run.code, 2);
    insta::assert_snapshot!("sarif", redacted(&run));
}

#[test]
fn snapshot_junit() {
    let run = shop("junit");
    assert_eq!(run.code, 2);
    insta::assert_snapshot!("junit", redacted(&run));
}

#[test]
fn json_contract() {
    let run = shop("json");
    assert!(
        run.stdout
            .starts_with("{\n  \"schema\": \"palisade.scan/v1\","),
        "schema must be the first key"
    );
    let doc = run.json();
    assert_eq!(doc["tool"]["name"], "palisade");
    assert_eq!(doc["tool"]["version"], env!("CARGO_PKG_VERSION"));
    let summary = &doc["summary"];
    for key in [
        "files",
        "documents",
        "objects",
        "skipped_documents",
        "ignored_files",
        "input_errors",
        "checks_run",
        "findings",
        "suppressed",
    ] {
        assert!(summary[key].is_u64(), "summary.{key}: {summary}");
    }
    assert_eq!(summary["checks_run"], 4);
    assert_eq!(summary["input_errors"], 1);
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(summary["findings"], findings.len());
    let by_severity: u64 = summary["by_severity"]
        .as_object()
        .unwrap()
        .values()
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(by_severity, findings.len() as u64);
    for finding in findings.iter().chain(doc["suppressed"].as_array().unwrap()) {
        for key in [
            "check_id",
            "slug",
            "severity",
            "title",
            "message",
            "remediation",
        ] {
            assert!(finding[key].is_string(), "{key}: {finding}");
        }
        for key in ["api_version", "kind", "name"] {
            assert!(
                finding["object"][key].is_string(),
                "object.{key}: {finding}"
            );
        }
        assert!(finding["object"].get("namespace").is_some());
        for key in ["line", "column"] {
            assert!(finding["location"][key].as_u64().unwrap() >= 1);
        }
        assert!(finding["location"]["file"].is_string());
        assert!(finding["location"]["path"].is_string());
        for reference in finding["references"].as_array().unwrap() {
            assert!(reference["framework"].is_string() && reference["id"].is_string());
        }
    }
    let diagnostic = &doc["diagnostics"][0];
    assert_eq!(diagnostic["file"], "missing.yaml");
    assert_eq!(diagnostic["level"], "error");
    assert!(diagnostic["message"].is_string());
}

#[test]
fn sarif_maps_rules_levels_and_suppressions() {
    let log = shop("sarif").json();
    assert_eq!(log["version"], "2.1.0");
    assert!(log["$schema"].as_str().unwrap().contains("sarif"));
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["PAL-101", "PAL-102", "PAL-201", "PAL-205"]);
    let privileged = &rules[0];
    assert_eq!(privileged["name"], "PrivilegedContainer");
    assert_eq!(privileged["defaultConfiguration"]["level"], "error");
    assert_eq!(privileged["properties"]["security-severity"], "9.5");
    assert!(
        privileged["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("## Why it matters")
    );
    assert_eq!(rules[2]["defaultConfiguration"]["level"], "warning");

    for result in run["results"].as_array().unwrap() {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        let uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(uri.starts_with("shop/") && !uri.contains('\\'), "{uri}");
        assert!(result["partialFingerprints"]["palisade/v1"].is_string());
    }
    let suppressed: Vec<_> = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(suppressed.len(), 2);
    assert_eq!(suppressed[0]["suppressions"][0]["kind"], "inSource");
    assert_eq!(
        suppressed[0]["suppressions"][0]["justification"],
        "vendor agent loads a kernel module; reviewed by security"
    );

    let invocation = &run["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let notification = &invocation["toolExecutionNotifications"][0];
    assert_eq!(notification["level"], "error");
    assert_eq!(
        notification["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "missing.yaml"
    );
}

#[test]
fn sarif_fingerprints_ignore_line_numbers() {
    let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: team\nspec:\n  hostPID: true\n  containers:\n  - {name: a, image: registry.example/a:1}\n";
    let result = |text: &str| {
        let run = palisade_with_stdin(
            &["scan", "-f", "sarif", "--select", "host-pid", "-"],
            Some(text),
        );
        run.json()["runs"][0]["results"][0].clone()
    };
    let before = result(pod);
    let after = result(&format!("# a comment\n# and another\n{pod}"));
    let line = |r: &serde_json::Value| {
        r["locations"][0]["physicalLocation"]["region"]["startLine"].clone()
    };
    assert_ne!(line(&before), line(&after));
    assert_eq!(before["partialFingerprints"], after["partialFingerprints"]);
    let renamed = result(&pod.replace("name: p", "name: q"));
    assert_ne!(
        before["partialFingerprints"],
        renamed["partialFingerprints"]
    );
    let names: Vec<&str> = before["locations"][0]["logicalLocations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["fullyQualifiedName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Pod/team/p", "Pod/team/p:spec.hostPID"]);
}

#[test]
fn junit_counts_and_escapes() {
    let xml = shop("junit").stdout;
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites "));
    // 6 findings fail, 2 suppressed are skipped, 1 missing input errors, and the objects
    // without findings pass: the ConfigMap, and node-agent and process-monitor whose only
    // findings are suppressed.
    assert!(
        xml.contains(
            r#"<testsuites name="palisade scan" tests="12" failures="6" errors="1" skipped="2">"#
        ),
        "{xml}"
    );
    assert!(
        xml.contains("&quot;web&quot;"),
        "quotes in messages are escaped"
    );
    assert!(!xml.contains("generated/"), "ignored files stay out");
    assert_eq!(
        xml.matches("<testsuite ").count(),
        xml.matches("</testsuite>").count()
    );
    assert_eq!(xml.matches("<testcase ").count(), 12);
}
