//! The JUnit XML report, for CI systems that show test results (GitLab, Jenkins, Azure
//! Pipelines, and others).
//!
//! One `<testsuite>` per input file, because that is what a reader fixes: each finding is a
//! failing `<testcase>`, each object without findings one passing `<testcase>`, an input error
//! an `<error>`, and a listed suppressed finding a `<skipped>` case. This module formats only.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use crate::check::Finding;
use crate::load::{Diagnostic, Level};
use crate::report::ScanReport;
use crate::scan::{Reported, Suppressed};

/// Escapes text for XML attribute values (and content). Characters XML 1.0 cannot carry at
/// all (most control characters) become U+FFFD, so the document always parses.
pub fn escape(text: &str) -> String {
    escape_with(text, false)
}

/// Like [`escape`] but keeps line breaks and tabs literal, for element text.
fn escape_text(text: &str) -> String {
    escape_with(text, true)
}

fn escape_with(text: &str, literal_breaks: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' | '\r' | '\t' if literal_breaks => out.push(c),
            // Parsers turn literal breaks in attribute values into spaces; references survive.
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

enum Outcome<'a> {
    Passed,
    Failed(&'a Reported),
    Skipped(&'a Suppressed),
    InputError(&'a Diagnostic),
}

struct Case<'a> {
    name: String,
    outcome: Outcome<'a>,
}

#[derive(Default)]
struct Suite<'a> {
    cases: Vec<Case<'a>>,
    warnings: Vec<&'a Diagnostic>,
}

impl Suite<'_> {
    fn count(&self, pick: impl Fn(&Outcome<'_>) -> bool) -> usize {
        self.cases.iter().filter(|c| pick(&c.outcome)).count()
    }
}

fn finding_case_name(report: &ScanReport<'_>, finding: &Finding) -> String {
    let object = report.inventory.get(finding.object);
    let mut name = format!(
        "{} {}: {} {}",
        finding.check.id,
        finding.check.slug,
        object.kind,
        object.display_name()
    );
    if !finding.location.path.is_empty() {
        let _ = write!(name, " ({})", finding.location.path);
    }
    name
}

fn finding_body(report: &ScanReport<'_>, finding: &Finding, note: Option<&str>) -> String {
    let object = report.inventory.get(finding.object);
    let loc = &finding.location;
    let mut body = format!("{}:{}:{}\n", loc.file, loc.line, loc.column);
    let _ = writeln!(body, "object: {} {}", object.kind, object.display_name());
    if !loc.path.is_empty() {
        let _ = writeln!(body, "field: {}", loc.path);
    }
    let _ = writeln!(body, "fix: {}", finding.check.remediation);
    if let Some(note) = note {
        let _ = writeln!(body, "note: {note}");
    }
    body
}

fn suites<'a>(report: &'a ScanReport<'a>) -> BTreeMap<&'a str, Suite<'a>> {
    let mut suites: BTreeMap<&str, Suite<'_>> = BTreeMap::new();
    for diagnostic in report.diagnostics {
        let suite = suites.entry(&diagnostic.file).or_default();
        match diagnostic.level {
            Level::Error => suite.cases.push(Case {
                name: if diagnostic.line == 0 {
                    "read input".to_string()
                } else {
                    format!("parse input at line {}", diagnostic.line)
                },
                outcome: Outcome::InputError(diagnostic),
            }),
            Level::Warning => suite.warnings.push(diagnostic),
        }
    }
    let objects = report.inventory.len();
    let mut reported: Vec<Vec<&Reported>> = vec![Vec::new(); objects];
    for r in &report.result.findings {
        if let Some(list) = reported.get_mut(r.finding.object.0 as usize) {
            list.push(r);
        }
    }
    let mut suppressed: Vec<Vec<&Suppressed>> = vec![Vec::new(); objects];
    if report.show_suppressed {
        for s in &report.result.suppressed {
            if let Some(list) = suppressed.get_mut(s.finding.object.0 as usize) {
                list.push(s);
            }
        }
    }
    for (id, object) in report.inventory.iter() {
        let suite = suites.entry(&object.source.file).or_default();
        let index = id.0 as usize;
        for r in &reported[index] {
            suite.cases.push(Case {
                name: finding_case_name(report, &r.finding),
                outcome: Outcome::Failed(r),
            });
        }
        for s in &suppressed[index] {
            suite.cases.push(Case {
                name: finding_case_name(report, &s.finding),
                outcome: Outcome::Skipped(s),
            });
        }
        if reported[index].is_empty() {
            suite.cases.push(Case {
                name: format!("{} {}", object.kind, object.display_name()),
                outcome: Outcome::Passed,
            });
        }
    }
    suites
}

fn write_case(
    report: &ScanReport<'_>,
    file: &str,
    case: &Case<'_>,
    out: &mut dyn Write,
) -> io::Result<()> {
    write!(
        out,
        "    <testcase classname=\"{}\" name=\"{}\"",
        escape(file),
        escape(&case.name)
    )?;
    match &case.outcome {
        Outcome::Passed => writeln!(out, "/>"),
        Outcome::Failed(r) => {
            let finding = &r.finding;
            writeln!(out, ">")?;
            writeln!(
                out,
                "      <failure message=\"{}\" type=\"{}\">{}</failure>",
                escape(&finding.message),
                finding.check.severity,
                escape_text(&finding_body(report, finding, r.note.as_deref()))
            )?;
            writeln!(out, "    </testcase>")
        }
        Outcome::Skipped(s) => {
            let reason = s.reason.as_deref().unwrap_or("no reason given");
            let message = match &s.until {
                Some(until) => format!("suppressed until {until}: {reason}"),
                None => format!("suppressed: {reason}"),
            };
            writeln!(out, ">")?;
            writeln!(out, "      <skipped message=\"{}\"/>", escape(&message))?;
            writeln!(out, "    </testcase>")
        }
        Outcome::InputError(d) => {
            writeln!(out, ">")?;
            writeln!(
                out,
                "      <error message=\"{}\" type=\"input\">{}</error>",
                escape(&d.message),
                escape_text(&d.to_string())
            )?;
            writeln!(out, "    </testcase>")
        }
    }
}

/// Writes the report as one JUnit XML document.
pub fn write(report: &ScanReport<'_>, out: &mut dyn Write) -> io::Result<()> {
    let suites = suites(report);
    let failed = |o: &Outcome<'_>| matches!(o, Outcome::Failed(_));
    let errored = |o: &Outcome<'_>| matches!(o, Outcome::InputError(_));
    let skipped = |o: &Outcome<'_>| matches!(o, Outcome::Skipped(_));
    let total = |pick: &dyn Fn(&Outcome<'_>) -> bool| -> usize {
        suites.values().map(|s| s.count(pick)).sum()
    };
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="palisade scan" tests="{}" failures="{}" errors="{}" skipped="{}">"#,
        total(&|_| true),
        total(&failed),
        total(&errored),
        total(&skipped),
    )?;
    for (file, suite) in &suites {
        writeln!(
            out,
            r#"  <testsuite name="{}" tests="{}" failures="{}" errors="{}" skipped="{}">"#,
            escape(file),
            suite.cases.len(),
            suite.count(failed),
            suite.count(errored),
            suite.count(skipped),
        )?;
        for case in &suite.cases {
            write_case(report, file, case, out)?;
        }
        if !suite.warnings.is_empty() {
            let mut text = String::new();
            for warning in &suite.warnings {
                let _ = writeln!(text, "{warning}");
            }
            writeln!(out, "    <system-out>{}</system-out>", escape_text(&text))?;
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_drops_forbidden_characters() {
        assert_eq!(
            escape("a<b & \"c\" 'd'>\u{1}"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;\u{fffd}"
        );
        assert_eq!(escape("x\ny"), "x&#10;y");
        assert_eq!(escape_text("x\ny"), "x\ny");
    }
}
