//! `cargo xtask bench-engine`: the detection engine alone, in process, on a file of audit events.
//!
//! `bench-detect` times the whole command (reading, state, alert writing); this one isolates what
//! the engine owns, JSON parsing and rule evaluation, so that a profiler (`valgrind --tool=callgrind`,
//! `perf record`) sees only the engine. The lines are read into memory first; each pass parses
//! every line and evaluates it against Falco's audit rules (passed by path) plus the default
//! rules, with the generated cluster's people appended to `allowed_k8s_users` as `bench-detect`
//! does.

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, bail};
use palisade_core::detect::{LoadOptions, RuleFormat, RuleSource, load_rules, parse_audit_json};

use crate::generate_audit::PEOPLE;

/// Runs `passes` passes over the events of `events_file` (JSON lines); `parse_only` skips rules.
pub fn bench_engine(
    events_file: &Path,
    rules_file: &Path,
    passes: u32,
    parse_only: bool,
) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(events_file)
        .with_context(|| format!("cannot read {}", events_file.display()))?;
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let falco = std::fs::read_to_string(rules_file)
        .with_context(|| format!("cannot read {}", rules_file.display()))?;
    let people: Vec<String> = PEOPLE.iter().map(|p| format!("\"{p}\"")).collect();
    let tuning = format!(
        "- list: allowed_k8s_users\n  items: [{}]\n  append: true\n",
        people.join(", ")
    );
    let sources = [
        RuleSource {
            file: "k8s_audit_rules.yaml",
            text: &falco,
            format: RuleFormat::Falco,
        },
        RuleSource {
            file: "tuning.yaml",
            text: &tuning,
            format: RuleFormat::Falco,
        },
    ];
    let (rules, errors) = load_rules(&sources, &LoadOptions::default());
    if !errors.is_empty() {
        bail!("rules failed to load: {}", errors[0]);
    }
    let mut candidates = 0usize;
    // The count parses every line once more, so it is left out of profiled runs.
    let count_candidates = std::env::var_os("BENCH_ENGINE_CANDIDATES").is_some();
    for line in lines.iter().filter(|_| count_candidates) {
        for event in parse_audit_json(line).unwrap_or_default() {
            candidates += rules.candidate_count(event.verb(), event.resource());
        }
    }
    let mut best = f64::MAX;
    let mut alerts = 0usize;
    let mut bad = 0usize;
    for _ in 0..passes.max(1) {
        alerts = 0;
        bad = 0;
        let start = Instant::now();
        for line in &lines {
            match parse_audit_json(line) {
                Ok(events) => {
                    if !parse_only {
                        for event in &events {
                            alerts += rules.evaluate(event).len();
                        }
                    }
                }
                Err(_) => bad += 1,
            }
        }
        best = best.min(start.elapsed().as_secs_f64());
    }
    let bytes: usize = lines.iter().map(|l| l.len() + 1).sum();
    #[allow(clippy::print_stdout, clippy::cast_precision_loss)]
    {
        println!(
            "{} events ({} bytes each on average), {} rules, {} alerts, {} unreadable",
            lines.len(),
            bytes / lines.len().max(1),
            rules.len(),
            alerts,
            bad
        );
        println!(
            "{:.1} candidate rules per event on average",
            candidates as f64 / lines.len().max(1) as f64
        );
        println!(
            "best of {passes}: {best:.3} s, {:.0} events/s ({})",
            lines.len() as f64 / best,
            if parse_only {
                "parse only"
            } else {
                "parse + evaluate"
            }
        );
    }
    Ok(())
}
