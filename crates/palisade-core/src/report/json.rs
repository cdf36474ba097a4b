//! The JSON report, schema `palisade.scan/v1` (documented in docs/json-output.md).

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use crate::check::{Finding, Reference};
use crate::inventory::Inventory;
use crate::load::Diagnostic;
use crate::report::{InputSummary, ScanReport};

/// The schema name and version written first in every scan JSON document.
pub const SCHEMA: &str = "palisade.scan/v1";

#[derive(Serialize)]
struct Document<'a> {
    schema: &'static str,
    tool: Tool<'a>,
    summary: Summary<'a>,
    findings: Vec<FindingJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressed: Option<Vec<FindingJson<'a>>>,
    diagnostics: &'a [Diagnostic],
}

#[derive(Serialize)]
struct Tool<'a> {
    name: &'static str,
    version: &'a str,
}

#[derive(Serialize)]
struct Summary<'a> {
    #[serde(flatten)]
    inputs: &'a InputSummary,
    input_errors: usize,
    checks_run: usize,
    findings: usize,
    suppressed: usize,
    by_severity: BTreeMap<&'static str, usize>,
}

/// The object a finding is about.
#[derive(Serialize)]
pub(crate) struct ObjectJson<'a> {
    pub api_version: &'a str,
    pub kind: &'a str,
    pub namespace: Option<&'a str>,
    pub name: &'a str,
}

#[derive(Serialize)]
struct FindingJson<'a> {
    check_id: &'static str,
    slug: &'static str,
    severity: &'static str,
    title: &'static str,
    message: &'a str,
    object: ObjectJson<'a>,
    location: &'a crate::check::Location,
    remediation: &'static str,
    references: &'static [Reference],
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppression: Option<SuppressionJson<'a>>,
}

#[derive(Serialize)]
struct SuppressionJson<'a> {
    reason: Option<&'a str>,
    until: Option<&'a str>,
}

pub(crate) fn object_json<'a>(inventory: &'a Inventory, finding: &Finding) -> ObjectJson<'a> {
    let object = inventory.get(finding.object);
    ObjectJson {
        api_version: &object.api_version,
        kind: &object.kind,
        namespace: object.namespace.as_deref(),
        name: &object.name,
    }
}

fn finding_json<'a>(
    inventory: &'a Inventory,
    finding: &'a Finding,
    note: Option<&'a str>,
    suppression: Option<SuppressionJson<'a>>,
) -> FindingJson<'a> {
    FindingJson {
        check_id: finding.check.id,
        slug: finding.check.slug,
        severity: finding.check.severity.as_str(),
        title: finding.check.title,
        message: &finding.message,
        object: object_json(inventory, finding),
        location: &finding.location,
        remediation: finding.check.remediation,
        references: finding.check.references,
        note,
        suppression,
    }
}

/// Writes the report as one pretty-printed JSON document.
pub fn write(report: &ScanReport<'_>, out: &mut dyn Write) -> io::Result<()> {
    let result = report.result;
    let doc = Document {
        schema: SCHEMA,
        tool: Tool {
            name: "palisade",
            version: report.tool_version,
        },
        summary: Summary {
            inputs: report.inputs,
            input_errors: report
                .diagnostics
                .iter()
                .filter(|d| d.level == crate::load::Level::Error)
                .count(),
            checks_run: result.checks_run,
            findings: result.findings.len(),
            suppressed: result.suppressed.len(),
            by_severity: report
                .severity_counts()
                .into_iter()
                .map(|(s, n)| (s.as_str(), n))
                .collect(),
        },
        findings: result
            .findings
            .iter()
            .map(|r| finding_json(report.inventory, &r.finding, r.note.as_deref(), None))
            .collect(),
        suppressed: report.show_suppressed.then(|| {
            result
                .suppressed
                .iter()
                .map(|s| {
                    finding_json(
                        report.inventory,
                        &s.finding,
                        None,
                        Some(SuppressionJson {
                            reason: s.reason.as_deref(),
                            until: s.until.as_deref(),
                        }),
                    )
                })
                .collect()
        }),
        diagnostics: report.diagnostics,
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}
