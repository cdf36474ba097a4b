//! Compatibility of the Pod Security Standards evaluator with the admission controller's own
//! test fixtures: every `pass/` pod must be allowed at its level and version, every `fail/` pod
//! denied by the check its file name names.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use palisade_core::load::load_text;
use palisade_core::pss::{self, Level, Version};
use palisade_core::workload::pod_specs;

fn corpus_dir() -> PathBuf {
    match std::env::var_os("PALISADE_CORPORA") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora"),
    }
    .join("pod-security")
}

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

#[test]
fn pod_security_corpus_agrees() {
    let root = corpus_dir();
    if !root.is_dir() {
        println!("skipped: corpus not found at {}", root.display());
        return;
    }
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
