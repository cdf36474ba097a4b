//! Compatibility of the Pod Security Standards evaluator with the admission controller's own
//! test fixtures: every `pass/` pod must be allowed at its level and version, every `fail/` pod
//! denied by the check its file name names; and the same pod wrapped in a controller must get
//! the same verdict, located on the template's lines.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use palisade_core::load::load_text;
use palisade_core::pss::{self, Level, Version};
use palisade_core::workload::pod_specs;

fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    entries.sort();
    entries
}

/// The check id a fixture's file name names, lower-cased: digits and `.yaml` removed.
fn named_check(path: &Path) -> String {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    stem.trim_end_matches(|c: char| c.is_ascii_digit())
        .to_ascii_lowercase()
}

/// Controller kinds a pod can be wrapped in: the header that opens the wrapper, and how deep
/// the pod template is indented under it.
const WRAPPERS: &[(&str, &str, usize)] = &[
    (
        "Deployment",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w}\nspec:\n  template:\n",
        4,
    ),
    (
        "StatefulSet",
        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: w}\nspec:\n  template:\n",
        4,
    ),
    (
        "DaemonSet",
        "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: w}\nspec:\n  template:\n",
        4,
    ),
    (
        "ReplicaSet",
        "apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: w}\nspec:\n  template:\n",
        4,
    ),
    (
        "ReplicationController",
        "apiVersion: v1\nkind: ReplicationController\nmetadata: {name: w}\nspec:\n  template:\n",
        4,
    ),
    (
        "Job",
        "apiVersion: batch/v1\nkind: Job\nmetadata: {name: w}\nspec:\n  template:\n",
        4,
    ),
    (
        "CronJob",
        "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: w}\nspec:\n  jobTemplate:\n    spec:\n      template:\n",
        8,
    ),
    (
        "PodTemplate",
        "apiVersion: v1\nkind: PodTemplate\nmetadata: {name: w}\ntemplate:\n",
        2,
    ),
];

/// Wraps a Pod manifest's text as the template of a controller: the Pod's own `apiVersion` and
/// `kind` keys end up inside the template, where they are ignored.
fn wrap(text: &str, header: &str, indent: usize) -> String {
    let pad = " ".repeat(indent);
    let mut out = header.to_string();
    for line in text.lines() {
        if !line.is_empty() {
            out.push_str(&pad);
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Checks that the same pod wrapped in a controller gets the same verdict, with every violation
/// located on the corresponding line of the template.
fn controller_disagreement(
    text: &str,
    pod_violations: &[pss::Violation],
    level: Level,
    version: Version,
    turn: usize,
) -> Option<String> {
    let (kind, header, indent) = WRAPPERS[turn % WRAPPERS.len()];
    let wrapped_text = wrap(text, header, indent);
    let loaded = load_text(&Arc::from("wrapped.yaml"), &wrapped_text);
    let pods: Vec<_> = loaded.objects.iter().flat_map(pod_specs).collect();
    if pods.len() != 1 {
        return Some(format!("as {kind}: {} pods found", pods.len()));
    }
    let violations = pss::evaluate(&pods[0], level, version);
    let shift = u32::try_from(header.lines().count()).unwrap_or(0);
    let cols = u32::try_from(indent).unwrap_or(0);
    let same = violations.len() == pod_violations.len()
        && violations.iter().zip(pod_violations).all(|(w, p)| {
            w.check == p.check
                && w.reason == p.reason
                && w.detail == p.detail
                && w.pos.line == p.pos.line + shift
                && w.pos.col == p.pos.col + cols
        });
    (!same).then(|| format!("as {kind}: verdict or locations differ from the Pod's"))
}

#[test]
fn pod_security_corpus_agrees() {
    let Some(root) = crate::corpus("pod-security") else {
        return;
    };
    let mut total = 0usize;
    let mut disagreements = Vec::new();
    for level in [Level::Baseline, Level::Restricted] {
        for version_dir in sorted_entries(&root.join(level.as_str())) {
            let name = version_dir
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("");
            let version: Version = name.parse().expect("version directory name");
            for expect_pass in [true, false] {
                let dir = version_dir.join(if expect_pass { "pass" } else { "fail" });
                for file in sorted_entries(&dir) {
                    if file.extension().and_then(|e| e.to_str()) != Some("yaml") {
                        continue;
                    }
                    total += 1;
                    let text = std::fs::read_to_string(&file).expect("readable fixture");
                    let display: Arc<str> = file.display().to_string().into();
                    let loaded = load_text(&display, &text);
                    let pods: Vec<_> = loaded.objects.iter().flat_map(pod_specs).collect();
                    if pods.len() != 1 {
                        disagreements.push(format!("{display}: {} pods found", pods.len()));
                        continue;
                    }
                    let violations = pss::evaluate(&pods[0], level, version);
                    // Each fixture is also tried in one controller kind, in turn.
                    if let Some(problem) =
                        controller_disagreement(&text, &violations, level, version, total)
                    {
                        disagreements.push(format!("{display}: {problem}"));
                        continue;
                    }
                    let expected = named_check(&file);
                    let agrees = if expect_pass {
                        violations.is_empty()
                    } else {
                        violations.iter().any(|v| {
                            // A check that a restricted check replaces at this version is
                            // reported under the replacing check's id.
                            v.check.to_ascii_lowercase() == expected
                                || pss::CHECKS.iter().any(|c| {
                                    c.id.to_ascii_lowercase() == expected
                                        && pss::overriding_check(c.id, level, version)
                                            == Some(v.check)
                                })
                        })
                    };
                    if !agrees {
                        let got: Vec<String> = violations
                            .iter()
                            .map(|v| format!("{}: {v}", v.check))
                            .collect();
                        disagreements.push(format!(
                            "{display}: expected {}, got [{}]",
                            if expect_pass {
                                "allowed".to_string()
                            } else {
                                format!("denied by {expected}")
                            },
                            got.join("; ")
                        ));
                    }
                }
            }
        }
    }
    let agreed = total - disagreements.len();
    // Hundredths of a percent, in integers so the figure is exact.
    let hundredths = (agreed * 10_000).checked_div(total).unwrap_or(10_000);
    println!(
        "pod-security corpus: {agreed}/{total} fixtures agree ({}.{:02}%)",
        hundredths / 100,
        hundredths % 100
    );
    for line in disagreements.iter().take(50) {
        println!("  {line}");
    }
    assert!(total > 0, "no fixtures found under {}", root.display());
    assert!(
        disagreements.is_empty(),
        "{} disagreements",
        disagreements.len()
    );
}
