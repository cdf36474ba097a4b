//! SigmaHQ's Kubernetes audit rules over Falco's audit events must give exactly the hits the
//! reference Python implementation gives (`expected_hits_on_falco_events.json`).

use std::collections::BTreeSet;

use palisade_core::detect::{self, LoadOptions, RuleFormat, RuleSource};

#[test]
fn sigma_rules_hit_exactly_the_reference_events() {
    let Some(sigma_dir) = crate::corpus("sigma-k8s-audit") else {
        return;
    };
    let Some(falco_dir) = crate::corpus("falco-k8saudit") else {
        return;
    };
    let mut texts = Vec::new();
    let mut paths: Vec<_> = std::fs::read_dir(sigma_dir.join("rules"))
        .expect("rules directory")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .collect();
    paths.sort();
    for path in &paths {
        let text = std::fs::read_to_string(path).expect("rule readable");
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
            format: RuleFormat::Sigma,
        })
        .collect();
    let options = LoadOptions {
        default_rules: false,
        strict: true,
    };
    let (rules, errors) = detect::load_rules(&sources, &options);
    assert!(errors.is_empty(), "load errors: {errors:?}");
    assert_eq!(rules.len(), 16, "all 16 Sigma rules load");

    let mut events_read = 0;
    let mut hits = BTreeSet::new();
    let mut files: Vec<_> = std::fs::read_dir(falco_dir.join("events"))
        .expect("events directory")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    for path in &files {
        let text = std::fs::read_to_string(path).expect("event file readable");
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        for (index, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let Ok(events) = detect::parse_audit_json(line) else {
                continue;
            };
            for event in &events {
                events_read += 1;
                for m in rules.evaluate(event) {
                    hits.insert((
                        m.rule_id.unwrap_or_default(),
                        m.rule,
                        file.clone(),
                        index + 1,
                    ));
                }
            }
        }
    }

    let expected_text =
        std::fs::read_to_string(sigma_dir.join("expected_hits_on_falco_events.json"))
            .expect("expected hits");
    let expected_json: serde_json::Value =
        serde_json::from_str(&expected_text).expect("expected hits are JSON");
    let expected: BTreeSet<(String, String, String, usize)> = expected_json["hits"]
        .as_array()
        .expect("hits array")
        .iter()
        .map(|h| {
            (
                h["rule_id"].as_str().unwrap_or_default().to_owned(),
                h["title"].as_str().unwrap_or_default().to_owned(),
                h["file"].as_str().unwrap_or_default().to_owned(),
                usize::try_from(h["line"].as_u64().unwrap_or(0)).unwrap_or(0),
            )
        })
        .collect();
    let found = hits.intersection(&expected).count();
    println!(
        "sigma-k8s-audit: {found}/{} expected hits found, {} unexpected, over {events_read} events",
        expected.len(),
        hits.difference(&expected).count()
    );
    for missing in expected.difference(&hits) {
        println!("  MISSING {missing:?}");
    }
    for extra in hits.difference(&expected) {
        println!("  EXTRA {extra:?}");
    }
    assert_eq!(hits, expected);
}
