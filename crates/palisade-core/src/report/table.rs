//! The human-readable report: one line per finding, grouped by file, then a summary line with
//! counts per severity. Colour is decided by the caller (only on a terminal).

use std::io::{self, Write};

use owo_colors::{OwoColorize, Style};

use crate::check::{Finding, Severity};
use crate::load::Level;
use crate::report::ScanReport;

fn severity_style(severity: Severity) -> Style {
    match severity {
        Severity::Critical => Style::new().red().bold(),
        Severity::High => Style::new().red(),
        Severity::Medium => Style::new().yellow(),
        Severity::Low => Style::new().cyan(),
        Severity::Info => Style::new().dimmed(),
    }
}

struct Painter {
    color: bool,
}

impl Painter {
    fn paint(&self, text: &str, style: Style) -> String {
        if self.color {
            text.style(style).to_string()
        } else {
            text.to_string()
        }
    }
}

fn write_finding(
    report: &ScanReport<'_>,
    painter: &Painter,
    finding: &Finding,
    out: &mut dyn Write,
) -> io::Result<()> {
    let object = report.inventory.get(finding.object);
    let loc = &finding.location;
    let severity = finding.check.severity;
    writeln!(
        out,
        "{}:{}:{}: {} {} {}: {}",
        painter.paint(&loc.file, Style::new().bold()),
        loc.line,
        loc.column,
        painter.paint(&format!("{severity:<8}"), severity_style(severity)),
        painter.paint(finding.check.id, Style::new().bold()),
        finding.check.slug,
        finding.message,
    )?;
    writeln!(out, "    object: {} {}", object.kind, object.display_name())?;
    if !loc.path.is_empty() {
        writeln!(out, "    field:  {}", loc.path)?;
    }
    writeln!(out, "    fix:    {}", finding.check.remediation)?;
    Ok(())
}

/// Writes the report. `color` adds ANSI colours (the caller decides: terminal and `NO_COLOR`).
pub fn write(report: &ScanReport<'_>, color: bool, out: &mut dyn Write) -> io::Result<()> {
    let painter = Painter { color };
    for diagnostic in report.diagnostics {
        let style = match diagnostic.level {
            Level::Error => Style::new().red(),
            Level::Warning => Style::new().yellow(),
        };
        writeln!(out, "{}", painter.paint(&diagnostic.to_string(), style))?;
    }
    if !report.diagnostics.is_empty() {
        writeln!(out)?;
    }
    for reported in &report.result.findings {
        write_finding(report, &painter, &reported.finding, out)?;
        if let Some(note) = &reported.note {
            writeln!(out, "    note:   {note}")?;
        }
    }
    if report.show_suppressed && !report.result.suppressed.is_empty() {
        writeln!(out, "\nSuppressed:")?;
        for s in &report.result.suppressed {
            write_finding(report, &painter, &s.finding, out)?;
            writeln!(
                out,
                "    suppressed: {}{}",
                s.reason.as_deref().unwrap_or("(no reason given)"),
                s.until
                    .as_deref()
                    .map(|u| format!(" (until {u})"))
                    .unwrap_or_default()
            )?;
        }
    }
    let result = report.result;
    let counts: Vec<String> = report
        .severity_counts()
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| painter.paint(&format!("{n} {s}"), severity_style(s)))
        .collect();
    let inputs = report.inputs;
    let errors = report
        .diagnostics
        .iter()
        .filter(|d| d.level == Level::Error)
        .count();
    writeln!(out)?;
    writeln!(
        out,
        "{} finding{}{}, {} suppressed; {} object{} in {} file{} ({} check{}){}",
        result.findings.len(),
        if result.findings.len() == 1 { "" } else { "s" },
        if counts.is_empty() {
            String::new()
        } else {
            format!(" ({})", counts.join(", "))
        },
        result.suppressed.len(),
        inputs.objects,
        if inputs.objects == 1 { "" } else { "s" },
        inputs.files,
        if inputs.files == 1 { "" } else { "s" },
        result.checks_run,
        if result.checks_run == 1 { "" } else { "s" },
        if errors > 0 {
            painter.paint(&format!("; {errors} input error(s)"), Style::new().red())
        } else {
            String::new()
        },
    )?;
    if inputs.skipped_documents > 0 {
        writeln!(
            out,
            "{} document(s) skipped: not Kubernetes objects",
            inputs.skipped_documents
        )?;
    }
    Ok(())
}
