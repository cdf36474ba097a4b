//! The Pod Security Standards reports of `palisade pss`: the `palisade.pss/v1` JSON document and
//! the table for people. Both list one result per pod-bearing object, in input order.

use std::io::{self, Write};

use owo_colors::{OwoColorize, Style};
use serde::Serialize;

use crate::document::Pos;
use crate::load::Diagnostic;
use crate::object::Object;
use crate::pss::{Evaluation, Level, Version};
use crate::report::json::ObjectJson;

/// The schema name and version written first in every PSS JSON document.
pub const SCHEMA: &str = "palisade.pss/v1";

/// Everything a PSS reporter needs.
pub struct PssReport<'a> {
    /// The level evaluated.
    pub level: Level,
    /// The policy version evaluated.
    pub version: Version,
    /// The verdicts.
    pub evaluation: &'a Evaluation<'a>,
    /// Problems with the input.
    pub diagnostics: &'a [Diagnostic],
}

impl PssReport<'_> {
    /// How many objects admission would refuse.
    pub fn denied(&self) -> usize {
        self.evaluation
            .verdicts
            .iter()
            .filter(|v| !v.allowed())
            .count()
    }
}

#[derive(Serialize)]
struct Document<'a> {
    schema: &'static str,
    level: &'static str,
    version: String,
    summary: Summary,
    results: Vec<ResultJson<'a>>,
    diagnostics: &'a [Diagnostic],
}

#[derive(Serialize)]
struct Summary {
    objects: usize,
    allowed: usize,
    denied: usize,
    skipped: usize,
}

#[derive(Serialize)]
struct LocationJson<'a> {
    file: &'a str,
    line: u32,
    column: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<&'a str>,
}

#[derive(Serialize)]
struct ResultJson<'a> {
    object: ObjectJson<'a>,
    location: LocationJson<'a>,
    allowed: bool,
    violations: Vec<ViolationJson<'a>>,
}

#[derive(Serialize)]
struct ViolationJson<'a> {
    check: &'static str,
    reason: &'a str,
    detail: &'a str,
    location: LocationJson<'a>,
}

fn location<'a>(object: &'a Object, pos: Pos, path: Option<&'a str>) -> LocationJson<'a> {
    LocationJson {
        file: &object.source.file,
        line: pos.line,
        column: pos.col,
        path,
    }
}

/// Writes the report as one pretty-printed JSON document.
pub fn write_json(report: &PssReport<'_>, out: &mut dyn Write) -> io::Result<()> {
    let verdicts = &report.evaluation.verdicts;
    let denied = report.denied();
    let doc = Document {
        schema: SCHEMA,
        level: report.level.as_str(),
        version: report.version.to_string(),
        summary: Summary {
            objects: verdicts.len(),
            allowed: verdicts.len() - denied,
            denied,
            skipped: report.evaluation.skipped,
        },
        results: verdicts
            .iter()
            .map(|verdict| {
                let object = verdict.object;
                ResultJson {
                    object: ObjectJson {
                        api_version: &object.api_version,
                        kind: &object.kind,
                        namespace: object.namespace.as_deref(),
                        name: &object.name,
                    },
                    location: location(object, object.pos(), None),
                    allowed: verdict.allowed(),
                    violations: verdict
                        .violations
                        .iter()
                        .map(|v| ViolationJson {
                            check: v.check,
                            reason: &v.reason,
                            detail: &v.detail,
                            location: location(object, v.pos, Some(&v.path)),
                        })
                        .collect(),
                }
            })
            .collect(),
        diagnostics: report.diagnostics,
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

/// Writes the report for people: one line per object, its violations beneath, then a summary.
pub fn write_table(report: &PssReport<'_>, color: bool, out: &mut dyn Write) -> io::Result<()> {
    for diagnostic in report.diagnostics {
        writeln!(
            out,
            "{}",
            paint(color, &diagnostic.to_string(), Style::new().yellow())
        )?;
    }
    if !report.diagnostics.is_empty() {
        writeln!(out)?;
    }
    for verdict in &report.evaluation.verdicts {
        let object = verdict.object;
        let pos = object.pos();
        let status = if verdict.allowed() {
            paint(color, "allowed", Style::new().green())
        } else {
            paint(color, "denied ", Style::new().red().bold())
        };
        writeln!(
            out,
            "{}:{}:{}: {status} {} {}",
            paint(color, &object.source.file, Style::new().bold()),
            pos.line,
            pos.col,
            object.kind,
            object.display_name()
        )?;
        for v in &verdict.violations {
            // Multi-line details (runAsNonRoot) stay under their violation.
            let text = v.to_string().replace('\n', "\n      ");
            writeln!(
                out,
                "    {}: {text}",
                paint(color, v.check, Style::new().bold())
            )?;
            writeln!(out, "        at {}:{} {}", v.pos.line, v.pos.col, v.path)?;
        }
    }
    let total = report.evaluation.verdicts.len();
    let denied = report.denied();
    writeln!(
        out,
        "{}{total} pod-bearing object{} at {}:{}: {} allowed, {denied} denied; {} other object{} skipped",
        if total > 0 { "\n" } else { "" },
        if total == 1 { "" } else { "s" },
        report.level,
        report.version,
        total - denied,
        report.evaluation.skipped,
        if report.evaluation.skipped == 1 {
            ""
        } else {
            "s"
        },
    )
}
