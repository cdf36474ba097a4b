//! The reports of `palisade node`: the `palisade.node/v1` JSON document, a table for people,
//! and JUnit XML (one test suite per target, one test case per check). Formatting only.

use std::io::{self, Write};

use owo_colors::{OwoColorize, Style};
use serde::Serialize;

use crate::node::cis::{CheckResult, NodeReport, Status, Target};
use crate::report::junit::escape;

/// The schema name and version written first in the JSON document.
pub const SCHEMA: &str = "palisade.node/v1";

#[derive(Serialize)]
struct Totals {
    pass: usize,
    fail: usize,
    warn: usize,
    info: usize,
    not_found: usize,
}

impl From<[usize; 5]> for Totals {
    fn from(c: [usize; 5]) -> Self {
        Totals {
            pass: c[Status::Pass as usize],
            fail: c[Status::Fail as usize],
            warn: c[Status::Warn as usize],
            info: c[Status::Info as usize],
            not_found: c[Status::NotFound as usize],
        }
    }
}

#[derive(Serialize)]
struct TargetTotals {
    target: Target,
    #[serde(flatten)]
    totals: Totals,
}

#[derive(Serialize)]
struct AllTotals {
    #[serde(flatten)]
    all: Totals,
    targets: Vec<TargetTotals>,
}

#[derive(Serialize)]
struct ComponentJson<'a> {
    component: &'a str,
    origin: &'a str,
}

#[derive(Serialize)]
struct Document<'a> {
    schema: &'static str,
    benchmark: &'static str,
    benchmark_auto_selected: bool,
    detected_version: Option<&'a str>,
    targets: &'a [Target],
    components: Vec<ComponentJson<'a>>,
    notes: &'a [String],
    checks: &'a [CheckResult],
    totals: AllTotals,
}

/// Writes the report as one pretty-printed JSON document.
pub fn write_json(report: &NodeReport, out: &mut dyn Write) -> io::Result<()> {
    let doc = Document {
        schema: SCHEMA,
        benchmark: report.benchmark.as_str(),
        benchmark_auto_selected: report.auto_selected,
        detected_version: report.detected_version.as_deref(),
        targets: &report.targets,
        components: report
            .components
            .iter()
            .map(|(component, origin)| ComponentJson { component, origin })
            .collect(),
        notes: &report.notes,
        checks: &report.checks,
        totals: AllTotals {
            all: report.totals(None).into(),
            targets: report
                .targets
                .iter()
                .map(|t| TargetTotals {
                    target: *t,
                    totals: report.totals(Some(*t)).into(),
                })
                .collect(),
        },
    };
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::other)?;
    writeln!(out)
}

fn paint(color: bool, text: &str, style: Style) -> String {
    if color {
        text.style(style).to_string()
    } else {
        text.to_string()
    }
}

fn status_style(status: Status) -> Style {
    match status {
        Status::Pass => Style::new().green(),
        Status::Fail => Style::new().red().bold(),
        Status::Warn => Style::new().yellow(),
        Status::Info => Style::new().blue(),
        Status::NotFound => Style::new().dimmed(),
    }
}

/// The line that says which benchmark runs and why.
pub fn benchmark_line(report: &NodeReport) -> String {
    let why = match (&report.detected_version, report.auto_selected) {
        (Some(v), true) => format!(" (auto: Kubernetes {v} detected)"),
        (None, true) => " (auto: no version detected; newest benchmark)".to_string(),
        (Some(v), false) => format!(" (Kubernetes {v} detected)"),
        (None, false) => String::new(),
    };
    format!("benchmark: {}{why}", report.benchmark)
}

fn totals_text(c: [usize; 5]) -> String {
    format!(
        "{} pass, {} fail, {} warn, {} info, {} not found",
        c[0], c[1], c[2], c[3], c[4]
    )
}

/// Writes the report for people: per target, one line per check with what was found and
/// where, the fix under failures, and totals.
pub fn write_table(report: &NodeReport, color: bool, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "{}",
        paint(color, &benchmark_line(report), Style::new().bold())
    )?;
    for (component, origin) in &report.components {
        writeln!(out, "  {component}: {origin}")?;
    }
    for note in &report.notes {
        writeln!(
            out,
            "{}",
            paint(color, &format!("note: {note}"), Style::new().yellow())
        )?;
    }
    for target in &report.targets {
        writeln!(out)?;
        writeln!(
            out,
            "{}",
            paint(
                color,
                &format!("[{}]", target.as_str()),
                Style::new().bold()
            )
        )?;
        for check in report.checks.iter().filter(|c| c.target == *target) {
            let status = format!("{:<9}", check.status.as_str());
            writeln!(
                out,
                "{} {:<7} {}{}",
                paint(color, &status, status_style(check.status)),
                check.id,
                check.title,
                if check.scored { "" } else { " (manual)" }
            )?;
            let at = location_suffix(check);
            writeln!(out, "          found: {}{at}", check.actual)?;
            if check.status == Status::Fail {
                writeln!(out, "          expected: {}", check.expected)?;
                writeln!(out, "          fix: {}", check.remediation)?;
            }
        }
        writeln!(out, "  {}", totals_text(report.totals(Some(*target))))?;
    }
    writeln!(out)?;
    let scored_failures = report
        .checks
        .iter()
        .filter(|c| c.scored && c.status == Status::Fail)
        .count();
    writeln!(
        out,
        "total: {}; {scored_failures} scored check{} failed",
        totals_text(report.totals(None)),
        if scored_failures == 1 { "" } else { "s" }
    )
}

/// " at file:line" after a finding, or nothing when the finding already names the file and
/// there is no line to add (file permission findings start with the path).
fn location_suffix(check: &CheckResult) -> String {
    match &check.source {
        None => String::new(),
        Some(s) => match s.line {
            Some(line) => format!(" at {}:{line}", s.file),
            None if check.actual.contains(s.file.as_str()) => String::new(),
            None => format!(" at {}", s.file),
        },
    }
}

/// Writes JUnit XML: a suite per target; FAIL is a failure, NOT-FOUND and INFO are skipped,
/// WARN passes with its finding in `system-out`.
pub fn write_junit(report: &NodeReport, out: &mut dyn Write) -> io::Result<()> {
    let all = report.totals(None);
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="palisade node {}" tests="{}" failures="{}" errors="0" skipped="{}">"#,
        report.benchmark,
        report.checks.len(),
        all[Status::Fail as usize],
        all[Status::NotFound as usize] + all[Status::Info as usize],
    )?;
    for target in &report.targets {
        let c = report.totals(Some(*target));
        writeln!(
            out,
            r#"  <testsuite name="{}" tests="{}" failures="{}" errors="0" skipped="{}">"#,
            target.as_str(),
            c.iter().sum::<usize>(),
            c[Status::Fail as usize],
            c[Status::NotFound as usize] + c[Status::Info as usize],
        )?;
        for check in report.checks.iter().filter(|c| c.target == *target) {
            writeln!(
                out,
                r#"    <testcase classname="{}" name="{}">"#,
                escape(&format!("{}.{}", report.benchmark, target.as_str())),
                escape(&format!("{} {}", check.id, check.title)),
            )?;
            let at = location_suffix(check);
            match check.status {
                Status::Fail => writeln!(
                    out,
                    r#"      <failure message="{}">{}</failure>"#,
                    escape(&format!(
                        "expected {}; found {}",
                        check.expected, check.actual
                    )),
                    escape(&format!(
                        "found: {}{at}\nfix: {}",
                        check.actual, check.remediation
                    )),
                )?,
                Status::NotFound | Status::Info => writeln!(
                    out,
                    r#"      <skipped message="{}"/>"#,
                    escape(&format!("{}: {}", check.status.as_str(), check.actual))
                )?,
                Status::Pass | Status::Warn => writeln!(
                    out,
                    "      <system-out>{}</system-out>",
                    escape(&format!("{}: {}{at}", check.status.as_str(), check.actual))
                )?,
            }
            writeln!(out, "    </testcase>")?;
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}
