//! Falco's Kubernetes audit regression cases, replayed through Palisade's detection engine.
//!
//! Each case of `tests.yaml` names rule files (Falco's audit rules plus per-case overrides), one
//! event file, whether some alert at or above a priority must fire (`detect`, `detect_level`)
//! and the exact number of alerts per rule (`detect_counts`). The suite runs every case twice:
//! with the audit rules of the cases' date, and with Falco's current audit rules, in which some
//! rules were split and renamed (the corpus README lists them) and the trusted-image lists the
//! override files append to were renamed from `falco_*_images` to `k8s_audit_*_images`.

use std::collections::BTreeMap;
use std::path::Path;

use palisade_core::detect::{self, LoadOptions, Priority, RuleFormat, RuleSource};
use palisade_core::document::{Node, parse_stream};

struct Case {
    name: String,
    rules_files: Vec<String>,
    events_file: String,
    detect: bool,
    level: Priority,
    counts: Vec<(String, usize)>,
}

fn read_cases(dir: &Path) -> Vec<Case> {
    let text = std::fs::read_to_string(dir.join("tests.yaml")).expect("tests.yaml readable");
    let parsed = parse_stream(&text);
    assert!(
        parsed.problems.iter().all(|p| !p.fatal),
        "tests.yaml parses: {:?}",
        parsed.problems
    );
    let root = &parsed.documents[0].root;
    let cases = root.get("trace_files").expect("trace_files");
    let mut out = Vec::new();
    for entry in cases.entries() {
        let case = &entry.value;
        let rules_files = case
            .get("rules_file")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .filter_map(Node::as_str)
            .map(str::to_owned)
            .collect();
        let opts = case
            .get("addl_cmdline_opts")
            .and_then(Node::as_str)
            .unwrap_or("");
        let events_file = opts
            .split("trace_files/k8s_audit/")
            .nth(1)
            .expect("case names an event file")
            .trim()
            .to_owned();
        let detect = case.get("detect").and_then(Node::as_bool).expect("detect");
        let level = case
            .get("detect_level")
            .and_then(Node::as_str)
            .map_or(Priority::Warning, |l| {
                Priority::parse(l).expect("known level")
            });
        let counts = case
            .get("detect_counts")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .flat_map(Node::entries)
            .map(|e| {
                (
                    e.key.to_string(),
                    usize::try_from(e.value.as_i64().unwrap_or(0)).unwrap_or(0),
                )
            })
            .collect();
        out.push(Case {
            name: entry.key.to_string(),
            rules_files,
            events_file,
            detect,
            level,
            counts,
        });
    }
    out
}

/// The lists of Falco's system-call rules that the cases' override files append to.
const SYSCALL_RULES_LISTS: &str = "
- list: falco_sensitive_mount_images
  items: []
- list: falco_privileged_images
  items: []
- list: falco_hostnetwork_images
  items: []
";

/// The rule names a case's expected name stands for in the current rules.
fn current_names(expected: &str) -> Vec<&str> {
    match expected {
        "K8s Role/Clusterrole Created" => vec!["K8s Role Created", "K8s ClusterRole Created"],
        "K8s Role/Clusterrole Deleted" => vec!["K8s Role Deleted", "K8s ClusterRole Deleted"],
        "K8s Role/Clusterrolebinding Created" => {
            vec!["K8s RoleBinding Created", "K8s ClusterRoleBinding Created"]
        }
        "K8s Role/Clusterrolebinding Deleted" => {
            vec!["K8s RoleBinding Deleted", "K8s ClusterRoleBinding Deleted"]
        }
        other => vec![other],
    }
}

/// Runs one case; `Err` says how it failed.
fn run_case(dir: &Path, case: &Case, audit_rules: &str, renamed: bool) -> Result<(), String> {
    let mut texts = Vec::new();
    for file in &case.rules_files {
        let path = if file.ends_with("falco_rules.yaml") {
            // System-call rules: no bearing on audit events, but the cases' override files
            // append to image lists that file defines.
            texts.push((
                "falco_rules.yaml (lists only)".to_owned(),
                SYSCALL_RULES_LISTS.to_owned(),
            ));
            continue;
        } else if file.contains("k8saudit-rules") {
            dir.join(audit_rules)
        } else if let Some(rest) = file.strip_prefix("./rules/k8s_audit/") {
            dir.join("overrides").join(rest)
        } else {
            return Err(format!("unexpected rules file {file}"));
        };
        let mut text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        if renamed && path.parent().is_some_and(|p| p.ends_with("overrides")) {
            // The current rules renamed the trusted-image lists the overrides append to.
            for list in ["sensitive_mount", "privileged", "hostnetwork"] {
                text = text.replace(
                    &format!("falco_{list}_images"),
                    &format!("k8s_audit_{list}_images"),
                );
            }
        }
        texts.push((
            path.file_name().unwrap().to_string_lossy().into_owned(),
            text,
        ));
    }
    let sources: Vec<RuleSource<'_>> = texts
        .iter()
        .map(|(file, text)| RuleSource {
            file,
            text,
            format: RuleFormat::Falco,
        })
        .collect();
    let options = LoadOptions {
        default_rules: false,
        strict: false,
    };
    let (rules, errors) = detect::load_rules(&sources, &options);
    if !errors.is_empty() {
        let list: Vec<String> = errors.iter().map(ToString::to_string).collect();
        return Err(format!("{} load errors, first: {}", list.len(), list[0]));
    }
    let events_text = std::fs::read_to_string(dir.join("events").join(&case.events_file))
        .map_err(|e| e.to_string())?;
    let mut fired: BTreeMap<String, usize> = BTreeMap::new();
    let mut detected = false;
    for line in events_text.lines().filter(|l| !l.trim().is_empty()) {
        let Ok(events) = detect::parse_audit_json(line) else {
            continue;
        };
        for event in &events {
            for m in rules.evaluate(event) {
                detected |= m.priority >= case.level;
                *fired.entry(m.rule).or_default() += 1;
            }
        }
    }
    if detected != case.detect {
        return Err(format!(
            "detect: expected {}, got {detected} (alerts: {fired:?})",
            case.detect
        ));
    }
    for (rule, expected) in &case.counts {
        let names = if renamed {
            current_names(rule)
        } else {
            vec![rule.as_str()]
        };
        let got: usize = names
            .iter()
            .map(|n| fired.get(*n).copied().unwrap_or(0))
            .sum();
        if got != *expected {
            return Err(format!(
                "{rule}: expected {expected} alerts, got {got} (alerts: {fired:?})"
            ));
        }
    }
    Ok(())
}

fn run_suite(dir: &Path, audit_rules: &str, renamed: bool) {
    let cases = read_cases(dir);
    let mut failures = Vec::new();
    for case in &cases {
        if let Err(why) = run_case(dir, case, audit_rules, renamed) {
            failures.push(format!("{}: {why}", case.name));
        }
    }
    println!(
        "falco-k8saudit with {audit_rules}: {}/{} cases pass",
        cases.len() - failures.len(),
        cases.len()
    );
    for failure in &failures {
        println!("  FAIL {failure}");
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases fail",
        failures.len(),
        cases.len()
    );
}

#[test]
fn falco_cases_with_rules_of_their_date() {
    let Some(dir) = crate::corpus("falco-k8saudit") else {
        return;
    };
    run_suite(&dir, "k8s_audit_rules.2023-08.yaml", false);
}

#[test]
fn falco_cases_with_current_rules() {
    let Some(dir) = crate::corpus("falco-k8saudit") else {
        return;
    };
    run_suite(&dir, "k8s_audit_rules.yaml", true);
}
