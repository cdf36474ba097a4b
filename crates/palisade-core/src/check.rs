//! What a check is: its metadata, the [`Check`] trait, and the [`Sink`] it reports findings into.
//!
//! Checks decide; they never format. A check receives read-only views of the inventory and
//! reports positions, field paths and messages into a [`Sink`]; reporters turn findings into text.

use std::fmt;
use std::sync::Arc;

use serde::Serialize;

use crate::document::Pos;
use crate::inventory::{Inventory, ObjectId};
use crate::object::Object;
use crate::workload::PodView;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; no risk by itself.
    Info,
    /// Defence in depth.
    Low,
    /// Weakens isolation or hygiene in a way attackers use.
    Medium,
    /// Gives an attacker a direct step (escape, credential theft, exposure).
    High,
    /// Hands over the node or the cluster.
    Critical,
}

impl Severity {
    /// All severities, lowest first.
    pub const ALL: [Severity; 5] = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    /// The lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// Parses a lower-case name.
    pub fn parse(s: &str) -> Option<Severity> {
        Severity::ALL
            .into_iter()
            .find(|sev| sev.as_str().eq_ignore_ascii_case(s))
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The area a check belongs to; each area has its own registry list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Area {
    /// Pod and container settings: privileges, isolation, resources, images.
    Workload,
    /// Services, Ingress and network segmentation.
    Network,
    /// Secrets and credentials in objects.
    Secrets,
    /// Namespaces and tenancy.
    Tenancy,
    /// Role-based access control.
    Rbac,
    /// NetworkPolicy lint.
    Netpol,
    /// Attack paths across workloads, RBAC, nodes and the network.
    Paths,
}

impl Area {
    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Area::Workload => "workload",
            Area::Network => "network",
            Area::Secrets => "secrets",
            Area::Tenancy => "tenancy",
            Area::Rbac => "rbac",
            Area::Netpol => "netpol",
            Area::Paths => "paths",
        }
    }
}

/// Whether a check's behaviour is settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Settled: results change only to fix false positives or negatives.
    Stable,
    /// New; may still change.
    Preview,
    /// Kept for compatibility; will be removed.
    Deprecated,
}

/// A control of a security framework that a check helps meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "framework", content = "id", rename_all = "kebab-case")]
pub enum Reference {
    /// A section of the NSA/CISA Kubernetes Hardening Guidance (v1.2).
    NsaCisa(&'static str),
    /// A recommendation of the CIS Kubernetes Benchmark (v1.12 numbering).
    Cis(&'static str),
    /// A MITRE ATT&CK technique (containers matrix), e.g. `T1611`.
    MitreAttack(&'static str),
    /// A Pod Security Standards control, as `level/check`, e.g. `baseline/privileged`.
    Pss(&'static str),
    /// A CWE weakness, e.g. `CWE-250`.
    Cwe(&'static str),
}

impl Reference {
    /// The framework's short name.
    pub fn framework(&self) -> &'static str {
        match self {
            Reference::NsaCisa(_) => "nsa-cisa",
            Reference::Cis(_) => "cis",
            Reference::MitreAttack(_) => "mitre-attack",
            Reference::Pss(_) => "pss",
            Reference::Cwe(_) => "cwe",
        }
    }

    /// The control's id within the framework.
    pub fn id(&self) -> &'static str {
        match self {
            Reference::NsaCisa(s)
            | Reference::Cis(s)
            | Reference::MitreAttack(s)
            | Reference::Pss(s)
            | Reference::Cwe(s) => s,
        }
    }
}

/// Everything about a check that is not its logic.
#[derive(Debug, Serialize)]
pub struct CheckMeta {
    /// Stable id, never reused, e.g. `PAL-101`.
    pub id: &'static str,
    /// Stable kebab-case name, e.g. `privileged-container`.
    pub slug: &'static str,
    /// One-line title.
    pub title: &'static str,
    /// Severity of its findings.
    pub severity: Severity,
    /// The area (and registry) it belongs to.
    pub area: Area,
    /// Stable, preview or deprecated.
    pub status: Status,
    /// Whether the check runs only when asked for by id, slug or `--framework` (checks that
    /// restate others, such as whole Pod Security Standards levels).
    pub opt_in: bool,
    /// How to fix a finding, in one or two sentences.
    pub remediation: &'static str,
    /// Framework controls.
    pub references: &'static [Reference],
    /// The full documentation (Markdown with the sections What it flags, Why it matters,
    /// Example, Fix, References), taken from the check's doc comment.
    #[serde(skip)]
    pub doc: &'static str,
}

impl CheckMeta {
    /// The documentation with the one leading space of each doc-comment line removed.
    pub fn doc_text(&self) -> String {
        let mut out = String::with_capacity(self.doc.len());
        for line in self.doc.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out.trim().to_string() + "\n"
    }

    /// Whether `key` names this check by id or slug (ids compare case-insensitively).
    pub fn matches(&self, key: &str) -> bool {
        self.id.eq_ignore_ascii_case(key) || self.slug == key
    }
}

/// The logic of a check. Each method has an empty default; a check implements the one that fits
/// what it looks at. The engine calls them for every object, every pod spec, and once per run.
pub trait Check: Send + Sync {
    /// Called once for every pod spec (bare Pods and workload templates alike).
    fn check_pod(&self, _pod: &PodView<'_>, _out: &mut Sink<'_>) {}

    /// Called once for every object.
    fn check_object(&self, _object: &Object, _inventory: &Inventory, _out: &mut Sink<'_>) {}

    /// Called once per run, for checks about the inventory as a whole.
    fn check_inventory(&self, _inventory: &Inventory, _out: &mut Sink<'_>) {}
}

/// A check in a registry.
pub struct Registered {
    /// Its metadata.
    pub meta: &'static CheckMeta,
    /// Its logic.
    pub check: &'static dyn Check,
}

/// Where a finding points.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Location {
    /// The file's display name.
    pub file: Arc<str>,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// The field path in the object, e.g. `spec.containers[0].securityContext.privileged`.
    pub path: String,
}

/// One problem found by a check in one object.
#[derive(Debug, Clone)]
pub struct Finding {
    /// The check that found it.
    pub check: &'static CheckMeta,
    /// The object it is about.
    pub object: ObjectId,
    /// Where it is.
    pub location: Location,
    /// What is wrong, specific to this object.
    pub message: String,
}

/// Collects the findings of one check about one object.
pub struct Sink<'a> {
    meta: &'static CheckMeta,
    object: ObjectId,
    file: &'a Arc<str>,
    findings: &'a mut Vec<Finding>,
}

impl<'a> Sink<'a> {
    /// A sink for `meta`'s findings about `object`.
    pub fn new(
        meta: &'static CheckMeta,
        object: ObjectId,
        file: &'a Arc<str>,
        findings: &'a mut Vec<Finding>,
    ) -> Self {
        Sink {
            meta,
            object,
            file,
            findings,
        }
    }

    /// Reports a finding at `pos`, about the field at `path`.
    pub fn report(&mut self, pos: Pos, path: impl Into<String>, message: impl Into<String>) {
        self.findings.push(Finding {
            check: self.meta,
            object: self.object,
            location: Location {
                file: self.file.clone(),
                line: pos.line,
                column: pos.col,
                path: path.into(),
            },
            message: message.into(),
        });
    }

    /// Reports a finding about another object than the one the sink was made for (for
    /// inventory-wide checks).
    pub fn report_on(
        &mut self,
        object: ObjectId,
        file: &Arc<str>,
        pos: Pos,
        path: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.findings.push(Finding {
            check: self.meta,
            object,
            location: Location {
                file: file.clone(),
                line: pos.line,
                column: pos.col,
                path: path.into(),
            },
            message: message.into(),
        });
    }
}

/// Declares a check's unit struct and its [`CheckMeta`], taking the doc comment as the check's
/// documentation so that the code, `palisade explain` and the generated reference share one text.
#[macro_export]
macro_rules! declare_check {
    (
        $(#[doc = $doc:literal])*
        pub struct $name:ident {
            id: $id:literal,
            slug: $slug:literal,
            title: $title:literal,
            severity: $severity:ident,
            area: $area:ident,
            $(status: $status:ident,)?
            $(opt_in: $opt_in:literal,)?
            remediation: $remediation:literal,
            references: [$($reference:expr),* $(,)?] $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        pub struct $name;

        impl $name {
            /// This check's metadata.
            pub const META: $crate::check::CheckMeta = $crate::check::CheckMeta {
                id: $id,
                slug: $slug,
                title: $title,
                severity: $crate::check::Severity::$severity,
                area: $crate::check::Area::$area,
                status: $crate::declare_check!(@status $($status)?),
                opt_in: $crate::declare_check!(@opt_in $($opt_in)?),
                remediation: $remediation,
                references: &[$($reference),*],
                doc: concat!($($doc, "\n"),*),
            };
        }
    };
    (@status) => { $crate::check::Status::Stable };
    (@status $status:ident) => { $crate::check::Status::$status };
    (@opt_in) => { false };
    (@opt_in $opt_in:literal) => { $opt_in };
}

/// Declares the modules of an area and its static registry list, one line per check.
macro_rules! registry {
    ($($module:ident :: $check:ident),* $(,)?) => {
        $(pub mod $module;)*

        /// The checks of this area, in id order.
        pub static CHECKS: &[$crate::check::Registered] = &[
            $($crate::check::Registered { meta: &$module::$check::META, check: &$module::$check },)*
        ];
    };
}
pub(crate) use registry;
