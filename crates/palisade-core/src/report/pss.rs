//! The Pod Security Standards reports of `palisade pss`: the `palisade.pss/v1` JSON document and
//! the table for people, both with one result per pod-bearing object in input order; and the
//! per-namespace report of `palisade pss --namespaces` (`palisade.pss-namespaces/v1`).

use std::io::{self, Write};

use owo_colors::{OwoColorize, Style};
use serde::Serialize;

use crate::document::Pos;
use crate::load::Diagnostic;
use crate::object::Object;
use crate::pss::namespaces::{Mode, NamespaceReport, PolicySource};
use crate::pss::{Evaluation, Level, Version, Violation};
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

/// The schema name and version of the `--namespaces` JSON document.
pub const NAMESPACES_SCHEMA: &str = "palisade.pss-namespaces/v1";

#[derive(Serialize)]
struct NamespacesDocument<'a> {
    schema: &'static str,
    namespaces: Vec<NamespaceJson<'a>>,
    diagnostics: &'a [Diagnostic],
}

#[derive(Serialize)]
struct NamespaceJson<'a> {
    name: &'a str,
    source: &'static str,
    enforce: String,
    audit: String,
    warn: String,
    rejected: usize,
    audited: usize,
    warned: usize,
    workloads: Vec<WorkloadJson<'a>>,
}

#[derive(Serialize)]
struct WorkloadJson<'a> {
    object: ObjectJson<'a>,
    location: LocationJson<'a>,
    rejected: bool,
    audited: bool,
    warned: bool,
    enforce_violations: Vec<ViolationJson<'a>>,
    audit_violations: Vec<ViolationJson<'a>>,
    warn_violations: Vec<ViolationJson<'a>>,
}

fn source_name(source: PolicySource) -> &'static str {
    match source {
        PolicySource::Labels => "labels",
        PolicySource::Default => "default",
        PolicySource::Simulated => "simulated",
    }
}

fn violations_json<'a>(object: &'a Object, violations: &'a [Violation]) -> Vec<ViolationJson<'a>> {
    violations
        .iter()
        .map(|v| ViolationJson {
            check: v.check,
            reason: &v.reason,
            detail: &v.detail,
            location: location(object, v.pos, Some(&v.path)),
        })
        .collect()
}

/// How many workloads of a namespace a mode flags.
fn flagged(report: &NamespaceReport<'_>, mode: Mode) -> usize {
    report.workloads.iter().filter(|w| w.flagged(mode)).count()
}

/// Writes the per-namespace report as one pretty-printed JSON document.
pub fn write_namespaces_json(
    reports: &[NamespaceReport<'_>],
    diagnostics: &[Diagnostic],
    out: &mut dyn Write,
) -> io::Result<()> {
    let doc = NamespacesDocument {
        schema: NAMESPACES_SCHEMA,
        namespaces: reports
            .iter()
            .map(|ns| NamespaceJson {
                name: &ns.name,
                source: source_name(ns.policies.source),
                enforce: ns.policies.get(Mode::Enforce).to_string(),
                audit: ns.policies.get(Mode::Audit).to_string(),
                warn: ns.policies.get(Mode::Warn).to_string(),
                rejected: flagged(ns, Mode::Enforce),
                audited: flagged(ns, Mode::Audit),
                warned: flagged(ns, Mode::Warn),
                workloads: ns
                    .workloads
                    .iter()
                    .map(|w| {
                        let object = w.object;
                        WorkloadJson {
                            object: ObjectJson {
                                api_version: &object.api_version,
                                kind: &object.kind,
                                namespace: object.namespace.as_deref(),
                                name: &object.name,
                            },
                            location: location(object, object.pos(), None),
                            rejected: w.flagged(Mode::Enforce),
                            audited: w.flagged(Mode::Audit),
                            warned: w.flagged(Mode::Warn),
                            enforce_violations: violations_json(object, &w.violations[0]),
                            audit_violations: violations_json(object, &w.violations[1]),
                            warn_violations: violations_json(object, &w.violations[2]),
                        }
                    })
                    .collect(),
            })
            .collect(),
        diagnostics,
    };
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::other)?;
    writeln!(out)
}

/// Writes the per-namespace report for people: each namespace's policies, then each workload a
/// mode flags, with the violations that mode reports.
pub fn write_namespaces_table(
    reports: &[NamespaceReport<'_>],
    diagnostics: &[Diagnostic],
    color: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    for diagnostic in diagnostics {
        writeln!(
            out,
            "{}",
            paint(color, &diagnostic.to_string(), Style::new().yellow())
        )?;
    }
    for ns in reports {
        writeln!(
            out,
            "namespace {} (enforce {}, audit {}, warn {}; from {}): {} workload{}, {} rejected, {} audited, {} warned",
            paint(color, &ns.name, Style::new().bold()),
            ns.policies.get(Mode::Enforce),
            ns.policies.get(Mode::Audit),
            ns.policies.get(Mode::Warn),
            source_name(ns.policies.source),
            ns.workloads.len(),
            if ns.workloads.len() == 1 { "" } else { "s" },
            flagged(ns, Mode::Enforce),
            flagged(ns, Mode::Audit),
            flagged(ns, Mode::Warn),
        )?;
        for w in &ns.workloads {
            let object = w.object;
            let pos = object.pos();
            for (mode, label, style) in [
                (Mode::Enforce, "rejected", Style::new().red().bold()),
                (Mode::Audit, "audited ", Style::new().yellow()),
                (Mode::Warn, "warned  ", Style::new().yellow()),
            ] {
                if !w.flagged(mode) {
                    continue;
                }
                writeln!(
                    out,
                    "  {} {} {} ({}:{}:{})",
                    paint(color, label, style),
                    object.kind,
                    object.display_name(),
                    object.source.file,
                    pos.line,
                    pos.col
                )?;
                for v in &w.violations[mode as usize] {
                    let text = v.to_string().replace('\n', "\n        ");
                    writeln!(out, "      {}: {text}", v.check)?;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::load_text;
    use crate::pss::evaluate_objects;

    const INPUT: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: prod}\nspec:\n  template:\n    spec:\n      containers:\n      - name: a\n        securityContext:\n          privileged: true\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: ok}\nspec:\n  containers: [{name: b}]\n";

    #[test]
    fn json_lists_one_result_per_pod_bearing_object_in_input_order() {
        let loaded = load_text(&"in.yaml".into(), INPUT);
        let evaluation = evaluate_objects(&loaded.objects, Level::Baseline, Version::v1(30));
        let report = PssReport {
            level: Level::Baseline,
            version: Version::v1(30),
            evaluation: &evaluation,
            diagnostics: &[],
        };
        let mut out = Vec::new();
        write_json(&report, &mut out).unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(doc["schema"], SCHEMA);
        assert_eq!(doc["level"], "baseline");
        assert_eq!(doc["version"], "v1.30");
        assert_eq!(doc["summary"]["skipped"], 1);
        let results = doc["results"].as_array().unwrap();
        assert_eq!(results.len(), 2);
        assert_eq!(results[0]["object"]["kind"], "Deployment");
        assert_eq!(results[0]["allowed"], false);
        let violation = &results[0]["violations"][0];
        assert_eq!(violation["check"], "privileged");
        assert_eq!(
            violation["detail"],
            "container \"a\" must not set securityContext.privileged=true"
        );
        assert_eq!(violation["location"]["line"], 14);
        assert_eq!(results[1]["object"]["name"], "ok");
        assert_eq!(results[1]["allowed"], true);

        let mut table = Vec::new();
        write_table(&report, false, &mut table).unwrap();
        let table = String::from_utf8(table).unwrap();
        assert!(table.contains("in.yaml:5:1: denied  Deployment prod/web"));
        assert!(table.contains("1 allowed, 1 denied; 1 other object skipped"));
    }
}
