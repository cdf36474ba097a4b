//! The SARIF 2.1.0 report, in the subset GitHub code scanning reads.
//!
//! This module owns the mapping from checks to SARIF rules and from findings and input errors to
//! results and notifications. It formats only: which findings exist, which are suppressed and
//! what counts as an input error are decided before it runs.

use std::fmt::Write as _;
use std::io::{self, Write};

use serde::Serialize;

use crate::check::{CheckMeta, Finding, Severity};
use crate::load::{Diagnostic, Level};
use crate::object::Object;
use crate::report::ScanReport;

/// The JSON schema that the document declares.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Where people learn about the tool (the workspace's repository).
const INFORMATION_URI: &str = env!("CARGO_PKG_REPOSITORY");

/// The key of Palisade's own entry in `partialFingerprints`; bump the suffix if the hashed
/// identity ever changes, so that code scanning does not match old and new hashes.
pub const FINGERPRINT_KEY: &str = "palisade/v1";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    invocations: [Invocation; 1],
    column_kind: &'static str,
    results: Vec<SarifResult>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'a str,
    semantic_version: &'a str,
    information_uri: &'static str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: &'static str,
    name: String,
    short_description: Text,
    full_description: Text,
    help: Help,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: Vec<String>,
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
    locations: Vec<Location>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: [Location; 1],
    partial_fingerprints: Fingerprints,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressions: Option<[Suppression; 1]>,
    properties: ResultProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logical_locations: Vec<LogicalLocation>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_column: Option<u32>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation {
    name: String,
    fully_qualified_name: String,
    kind: &'static str,
}

#[derive(Serialize)]
struct Fingerprints {
    #[serde(rename = "palisade/v1")]
    identity: String,
}

#[derive(Serialize)]
struct Suppression {
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    justification: Option<String>,
}

#[derive(Serialize)]
struct ResultProperties {
    severity: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
}

/// The SARIF level of a severity: GitHub shows `error` as a failure, `note` as a hint.
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// The `security-severity` score GitHub uses to rank alerts (it buckets scores above 9.0 as
/// critical, above 7.0 as high, above 4.0 as medium, anything else as low).
pub fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

/// `privileged-container` → `PrivilegedContainer`.
fn pascal_case(slug: &str) -> String {
    slug.split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_uppercase().chain(chars).collect::<String>()
            })
        })
        .collect()
}

/// The text of one `## Heading` section of a check's documentation, as one paragraph.
fn doc_section(doc: &str, heading: &str) -> Option<String> {
    let mut lines = doc
        .lines()
        .skip_while(|l| l.trim() != format!("## {heading}"));
    lines.next()?;
    let body: Vec<&str> = lines
        .take_while(|l| !l.starts_with("## "))
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    (!body.is_empty()).then(|| body.join(" "))
}

fn rule(meta: &CheckMeta) -> Rule {
    let doc = meta.doc_text();
    let mut tags = vec!["security".to_string(), meta.area.as_str().to_string()];
    for reference in meta.references {
        // Code scanning recognises CWE tags only in this spelling.
        if reference.framework() == "cwe" {
            tags.push(format!(
                "external/cwe/{}",
                reference.id().to_ascii_lowercase()
            ));
        } else {
            tags.push(format!("{}/{}", reference.framework(), reference.id()));
        }
    }
    // SARIF requires tags to be unique.
    let mut seen = std::collections::BTreeSet::new();
    tags.retain(|tag| seen.insert(tag.clone()));
    Rule {
        id: meta.id,
        name: pascal_case(meta.slug),
        short_description: Text {
            text: meta.title.to_string(),
        },
        full_description: Text {
            text: doc_section(&doc, "What it flags").unwrap_or_else(|| meta.title.to_string()),
        },
        help: Help {
            text: doc.clone(),
            markdown: doc,
        },
        default_configuration: Configuration {
            level: level(meta.severity),
        },
        properties: RuleProperties {
            tags,
            security_severity: security_severity(meta.severity),
        },
    }
}

/// Turns a file's display name into a SARIF URI: relative paths stay relative (forward
/// slashes, no `./`), absolute ones become `file://` URIs, and characters outside the URI
/// alphabet are percent-encoded.
pub fn artifact_uri(file: &str) -> String {
    let mut path = file.replace('\\', "/");
    while let Some(rest) = path.strip_prefix("./") {
        path = rest.to_string();
    }
    let is_drive =
        path.as_bytes().get(1) == Some(&b':') && path.as_bytes()[0].is_ascii_alphabetic();
    let (prefix, path) = if path.starts_with('/') {
        ("file://", path.as_str())
    } else if is_drive {
        ("file:///", path.as_str())
    } else {
        ("", path.as_str())
    };
    let mut out = String::from(prefix);
    for (i, byte) in path.bytes().enumerate() {
        let keep = byte.is_ascii_alphanumeric()
            || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/')
            || (is_drive && i == 1);
        if keep {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

fn region(line: u32, column: u32) -> Option<Region> {
    (line > 0).then_some(Region {
        start_line: line,
        start_column: (column > 0).then_some(column),
    })
}

/// `Deployment/shop/web`, or `Namespace/shop` for objects without a namespace.
fn object_qualified_name(object: &Object) -> String {
    match &object.namespace {
        Some(ns) => format!("{}/{ns}/{}", object.kind, object.name),
        None => format!("{}/{}", object.kind, object.name),
    }
}

/// FNV-1a (64 bits): small, fixed forever, and independent of the Rust version, unlike the
/// standard library's hasher.
fn fnv1a(parts: &[&str]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain(std::iter::once(0)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

/// The identity of a finding that survives edits elsewhere in the file: the check, the object
/// (API group rather than version, so an apiVersion upgrade keeps the alert) and the field.
pub fn fingerprint(finding: &Finding, object: &Object) -> String {
    fnv1a(&[
        finding.check.id,
        object.group(),
        &object.kind,
        object.namespace.as_deref().unwrap_or(""),
        &object.name,
        &finding.location.path,
    ])
}

fn result(
    report: &ScanReport<'_>,
    rules: &[&'static CheckMeta],
    finding: &Finding,
    note: Option<&str>,
    suppression: Option<Suppression>,
) -> SarifResult {
    let object = report.inventory.get(finding.object);
    let location = &finding.location;
    let object_name = object_qualified_name(object);
    let mut logical_locations = vec![LogicalLocation {
        name: object.name.to_string(),
        fully_qualified_name: object_name.clone(),
        kind: "resource",
    }];
    if !location.path.is_empty() {
        logical_locations.push(LogicalLocation {
            name: location.path.clone(),
            fully_qualified_name: format!("{object_name}:{}", location.path),
            kind: "property",
        });
    }
    let message = match note {
        Some(note) => format!("{} ({note})", finding.message),
        None => finding.message.clone(),
    };
    SarifResult {
        rule_id: finding.check.id,
        rule_index: rules
            .iter()
            .position(|m| m.id == finding.check.id)
            .unwrap_or_default(),
        level: level(finding.check.severity),
        message: Text { text: message },
        locations: [Location {
            physical_location: PhysicalLocation {
                artifact_location: ArtifactLocation {
                    uri: artifact_uri(&location.file),
                },
                region: region(location.line, location.column),
            },
            logical_locations,
        }],
        partial_fingerprints: Fingerprints {
            identity: fingerprint(finding, object),
        },
        suppressions: suppression.map(|s| [s]),
        properties: ResultProperties {
            severity: finding.check.severity.as_str(),
            note: note.map(str::to_string),
        },
    }
}

fn notification(diagnostic: &Diagnostic) -> Notification {
    Notification {
        level: match diagnostic.level {
            Level::Error => "error",
            Level::Warning => "warning",
        },
        message: Text {
            text: diagnostic.message.clone(),
        },
        locations: vec![Location {
            physical_location: PhysicalLocation {
                artifact_location: ArtifactLocation {
                    uri: artifact_uri(&diagnostic.file),
                },
                region: region(diagnostic.line, diagnostic.column),
            },
            logical_locations: Vec::new(),
        }],
    }
}

/// The rules: every check that ran, then any check with results that the caller did not list.
fn rule_metas(report: &ScanReport<'_>) -> Vec<&'static CheckMeta> {
    let mut metas: Vec<&'static CheckMeta> = report.checks.iter().map(|r| r.meta).collect();
    let with_results = report
        .result
        .findings
        .iter()
        .map(|r| r.finding.check)
        .chain(report.result.suppressed.iter().map(|s| s.finding.check));
    for meta in with_results {
        if !metas.iter().any(|m| m.id == meta.id) {
            metas.push(meta);
        }
    }
    metas
}

/// Writes the report as one pretty-printed SARIF 2.1.0 log with a single run.
pub fn write(report: &ScanReport<'_>, out: &mut dyn Write) -> io::Result<()> {
    let metas = rule_metas(report);
    let mut results: Vec<SarifResult> = report
        .result
        .findings
        .iter()
        .map(|r| result(report, &metas, &r.finding, r.note.as_deref(), None))
        .collect();
    if report.show_suppressed {
        results.extend(report.result.suppressed.iter().map(|s| {
            let suppression = Suppression {
                kind: "inSource",
                justification: s.reason.clone(),
            };
            result(report, &metas, &s.finding, None, Some(suppression))
        }));
    }
    let log = Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "palisade",
                    version: report.tool_version,
                    semantic_version: report.tool_version,
                    information_uri: INFORMATION_URI,
                    rules: metas.iter().map(|m| rule(m)).collect(),
                },
            },
            invocations: [Invocation {
                execution_successful: !report.diagnostics.iter().any(|d| d.level == Level::Error),
                tool_execution_notifications: report.diagnostics.iter().map(notification).collect(),
            }],
            column_kind: "unicodeCodePoints",
            results,
        }],
    };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_with_forward_slashes() {
        assert_eq!(artifact_uri("./deploy/app.yaml"), "deploy/app.yaml");
        assert_eq!(artifact_uri(".\\deploy\\app.yaml"), "deploy/app.yaml");
        assert_eq!(artifact_uri("my dir/a.yaml"), "my%20dir/a.yaml");
        assert_eq!(artifact_uri("/srv/k8s/a.yaml"), "file:///srv/k8s/a.yaml");
        assert_eq!(artifact_uri("C:\\k8s\\a.yaml"), "file:///C:/k8s/a.yaml");
    }

    #[test]
    fn slugs_become_pascal_case() {
        assert_eq!(pascal_case("privileged-container"), "PrivilegedContainer");
        assert_eq!(pascal_case("host-pid"), "HostPid");
    }

    #[test]
    fn sections_are_read_from_docs() {
        let doc = "## What it flags\nA and\nB.\n\n## Why it matters\nC.\n";
        assert_eq!(
            doc_section(doc, "What it flags").as_deref(),
            Some("A and B.")
        );
        assert_eq!(doc_section(doc, "Fix"), None);
    }

    #[test]
    fn fingerprint_hash_is_fixed() {
        // With no input the hash is the FNV offset basis; part boundaries must count.
        assert_eq!(fnv1a(&[]), "cbf29ce484222325");
        assert_ne!(fnv1a(&["a", "b"]), fnv1a(&["ab", ""]));
    }
}
