//! `palisade scan`: exit codes, inputs (files, directories, standard input), check selection
//! and suppression.

use crate::{palisade, palisade_with_stdin, slugs};

/// The checks the shop fixtures were written for; selecting them keeps these tests stable as
/// the catalog grows.
const SHOP_CHECKS: &str = "PAL-101,PAL-102,PAL-201,PAL-205";

#[test]
fn clean_input_exits_0() {
    let run = palisade(&["scan", "clean"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("0 findings"), "{}", run.stdout);
}

#[test]
fn findings_exit_1() {
    let run = palisade(&["scan", "mixed.yaml"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("mixed.yaml:11:7: critical PAL-101 privileged-container")
    );
}

#[test]
fn missing_input_exits_2_and_the_rest_is_still_reported() {
    let run = palisade(&["scan", "-f", "json", "mixed.yaml", "no-such-file.yaml"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let doc = run.json();
    assert!(slugs(&doc, "findings").contains(&"privileged-container".to_string()));
    let diagnostics = doc["diagnostics"].as_array().unwrap();
    assert_eq!(diagnostics.len(), 1);
    assert_eq!(diagnostics[0]["file"], "no-such-file.yaml");
    assert_eq!(diagnostics[0]["level"], "error");
    assert_eq!(doc["summary"]["input_errors"], 1);
}

#[test]
fn malformed_yaml_exits_2_and_later_documents_are_still_scanned() {
    let run = palisade(&["scan", "-f", "json", "--select", "host-pid", "broken.yaml"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let doc = run.json();
    assert_eq!(slugs(&doc, "findings"), ["host-pid"]);
    assert_eq!(doc["findings"][0]["object"]["name"], "after-the-error");
    let diagnostic = &doc["diagnostics"][0];
    assert_eq!(diagnostic["file"], "broken.yaml");
    assert!(diagnostic["line"].as_u64().unwrap() > 0);
}

#[test]
fn severity_threshold_decides_exit_1() {
    // mixed.yaml has one critical and one medium finding.
    let only_medium = ["scan", "--select", "service-node-port", "mixed.yaml"];
    assert_eq!(palisade(&only_medium).code, 1);
    let run = palisade(&[&only_medium[..], &["--severity-threshold", "high"]].concat());
    assert_eq!(
        run.code, 0,
        "findings below the threshold are reported but pass"
    );
    assert!(run.stdout.contains("service-node-port"));
    let run = palisade(&[&only_medium[..], &["--severity-threshold", "medium"]].concat());
    assert_eq!(run.code, 1);
    let run = palisade(&["scan", "--severity-threshold", "critical", "mixed.yaml"]);
    assert_eq!(run.code, 1);
}

#[test]
fn unknown_severity_threshold_is_a_usage_error() {
    let run = palisade(&["scan", "--severity-threshold", "severe", "mixed.yaml"]);
    assert_eq!(run.code, 2);
}

#[test]
fn standard_input_is_read_from_dash() {
    let manifest = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: from-stdin\nspec:\n  hostPID: true\n  containers:\n  - {name: a, image: registry.example/a:1}\n";
    let run = palisade_with_stdin(
        &["scan", "-f", "json", "--select", "host-pid", "-"],
        Some(manifest),
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let doc = run.json();
    let finding = &doc["findings"][0];
    assert_eq!(finding["slug"], "host-pid");
    assert_eq!(finding["location"]["file"], "-");
    assert_eq!(finding["location"]["line"], 6);
    assert_eq!(doc["summary"]["files"], 1);
}

#[test]
fn directories_honour_palisadeignore() {
    let run = palisade(&["scan", "-f", "json", "--select", SHOP_CHECKS, "shop"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let doc = run.json();
    let files: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["location"]["file"].as_str().unwrap())
        .collect();
    assert!(!files.is_empty());
    assert!(
        files.iter().all(|f| !f.contains("generated")),
        "ignored directory was scanned: {files:?}"
    );
    assert_eq!(doc["summary"]["files"], 2, "shop.yaml and suppressed.yaml");
    assert_eq!(doc["summary"]["ignored_files"], 1, "README.txt");
    // Named explicitly, an ignored file is read.
    let run = palisade(&["scan", "-f", "json", "shop/generated/debug.yaml"]);
    assert!(slugs(&run.json(), "findings").contains(&"host-pid".to_string()));
}

#[test]
fn select_and_ignore_accept_ids_slugs_and_areas() {
    let findings = |extra: &[&str]| {
        let run = palisade(&[&["scan", "-f", "json", "mixed.yaml"][..], extra].concat());
        assert_ne!(run.code, 2, "{}", run.stderr);
        let mut found = slugs(&run.json(), "findings");
        found.sort();
        found.dedup();
        found
    };
    assert_eq!(findings(&["--select", "PAL-101"]), ["privileged-container"]);
    assert_eq!(findings(&["--select", "pal-101"]), ["privileged-container"]);
    assert_eq!(
        findings(&["--select", "service-node-port"]),
        ["service-node-port"]
    );
    assert_eq!(
        findings(&["--select", "PAL-101,service-node-port"]),
        ["privileged-container", "service-node-port"]
    );
    assert!(!findings(&["--select", "workload"]).contains(&"service-node-port".to_string()));
    assert!(findings(&["--select", "workload"]).contains(&"privileged-container".to_string()));
    assert!(!findings(&["--ignore", "PAL-101"]).contains(&"privileged-container".to_string()));
    assert!(
        !findings(&["--ignore", "privileged-container"])
            .contains(&"privileged-container".to_string())
    );
    assert!(!findings(&["--ignore", "network"]).contains(&"service-node-port".to_string()));
}

#[test]
fn unknown_check_key_exits_2() {
    for option in ["--select", "--ignore"] {
        let run = palisade(&["scan", option, "no-such-check", "mixed.yaml"]);
        assert_eq!(run.code, 2);
        assert!(run.stderr.contains("no-such-check"), "{}", run.stderr);
        assert!(run.stdout.is_empty(), "no report on a usage error");
    }
}

#[test]
fn annotations_suppress_until_their_date() {
    let run = palisade(&[
        "scan",
        "-f",
        "json",
        "--select",
        "PAL-101,PAL-102",
        "shop/suppressed.yaml",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let doc = run.json();
    assert_eq!(doc["summary"]["suppressed"], 2);
    assert!(doc.get("suppressed").is_none(), "listed only on request");
    let reported: Vec<(&str, &str)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["object"]["name"].as_str().unwrap(),
                f["note"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(reported.len(), 2, "{reported:?}");
    assert_eq!(reported[0].0, "old-exception");
    assert!(
        reported[0].1.contains("suppression expired"),
        "{reported:?}"
    );
    assert_eq!(reported[1].0, "vague-exception");
    assert!(
        reported[1].1.contains("not a YYYY-MM-DD date"),
        "{reported:?}"
    );
}

#[test]
fn suppressed_findings_are_listed_on_request() {
    let args = [
        "scan",
        "--select",
        "PAL-101,PAL-102",
        "shop/suppressed.yaml",
    ];
    let run = palisade(&[&args[..], &["-f", "json", "--show-suppressed"]].concat());
    let doc = run.json();
    let suppressed = doc["suppressed"].as_array().unwrap();
    assert_eq!(suppressed.len(), 2);
    assert_eq!(suppressed[0]["object"]["name"], "node-agent");
    assert_eq!(
        suppressed[0]["suppression"]["reason"],
        "vendor agent loads a kernel module; reviewed by security"
    );
    assert_eq!(suppressed[0]["suppression"]["until"], "2999-12-31");
    assert_eq!(suppressed[1]["object"]["name"], "process-monitor");
    assert!(suppressed[1]["suppression"]["until"].is_null());

    let table = palisade(&[&args[..], &["--show-suppressed"]].concat()).stdout;
    assert!(table.contains("Suppressed:"), "{table}");
    assert!(table.contains("suppressed: watches every process on the node by design"));
    let table = palisade(&args).stdout;
    assert!(!table.contains("Suppressed:"));
    assert!(table.contains("2 suppressed"), "always counted: {table}");
}

#[test]
fn suppression_alone_does_not_fail_the_run() {
    let manifest = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: agent\n  annotations:\n    palisade.dev/ignore: host-pid\nspec:\n  hostPID: true\n  containers:\n  - {name: a, image: registry.example/a:1}\n";
    let run = palisade_with_stdin(&["scan", "--select", "host-pid", "-"], Some(manifest));
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.stdout.contains("1 suppressed"), "{}", run.stdout);
}

#[test]
fn output_file_receives_the_report() {
    let dir = std::env::temp_dir().join(format!("palisade-it-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("report.json");
    let run = palisade(&[
        "scan",
        "-f",
        "json",
        "-o",
        path.to_str().unwrap(),
        "mixed.yaml",
    ]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.is_empty());
    let written = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_dir_all(&dir).ok();
    assert!(written.starts_with("{\n  \"schema\": \"palisade.scan/v1\""));
}
