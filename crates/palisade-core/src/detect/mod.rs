//! Runtime threat detection on Kubernetes audit events: the engine.
//!
//! This module owns everything between "a JSON text arrived" and "these rules matched": parsing
//! audit events (and the envelopes managed clusters wrap them in), the declared field vocabulary
//! (Falco-compatible `ka.*` and `jevt.*` fields), the Falco and Sigma rule loaders, and the one
//! compiled rule tree both formats share, indexed by event kind. Reading files and sockets,
//! rate limiting and alert delivery belong to the caller.
//!
//! The usual flow is [`load_rules`] once, then [`parse_audit_json`] and [`RuleSet::evaluate`] per
//! input; a [`RuleSet`] is immutable, `Send` and `Sync`, so callers may evaluate in parallel.

mod condition;
mod event;
mod falco;
mod fields;
mod rule;
pub mod runtime;
mod sigma;
pub mod state;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::fmt;

pub use event::{AuditEvent, EventError, parse_audit_json, utc_timestamp_ns};
pub use fields::{FIELDS, FieldArg, FieldInfo, FieldKind, container_fields};

/// The default rules Palisade ships, in Falco format.
pub const DEFAULT_RULES: &str = include_str!("../../../../rules/palisade_k8s_audit.yaml");

/// The display name of the default rules, used in load errors.
pub const DEFAULT_RULES_FILE: &str = "<default rules>/palisade_k8s_audit.yaml";

/// Which language a rules text is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RuleFormat {
    /// Falco rules YAML (rules, macros, lists).
    Falco,
    /// A Sigma rule (one or more YAML documents).
    Sigma,
}

impl RuleFormat {
    /// The format's name in lower case.
    pub fn as_str(self) -> &'static str {
        match self {
            RuleFormat::Falco => "falco",
            RuleFormat::Sigma => "sigma",
        }
    }
}

/// One rules text and the name to report errors against.
#[derive(Debug, Clone, Copy)]
pub struct RuleSource<'a> {
    /// The display name of the file.
    pub file: &'a str,
    /// The file's text.
    pub text: &'a str,
    /// The language it is written in.
    pub format: RuleFormat,
}

/// How [`load_rules`] behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadOptions {
    /// Load Palisade's default rules before the given sources (so the sources may append to or
    /// override them).
    pub default_rules: bool,
    /// Refuse the whole set when any error was found: the returned set is then empty.
    pub strict: bool,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            default_rules: true,
            strict: false,
        }
    }
}

/// A problem in a rules file, with its location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    /// The display name of the file.
    pub file: String,
    /// 1-based line (0 when unknown).
    pub line: u32,
    /// 1-based column (0 when unknown).
    pub column: u32,
    /// What is wrong.
    pub message: String,
    /// The rule (or macro/list) the problem belongs to, when there is one.
    pub rule: Option<String>,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.file, self.line, self.column)?;
        if let Some(rule) = &self.rule {
            write!(f, "{rule}: ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for LoadError {}

/// How urgent an alert is. Variants are declared from least to most severe, so `>=` means "at
/// least as severe as".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Priority {
    /// Debugging output.
    Debug,
    /// Informational (Falco `INFO`, Sigma `informational`).
    Informational,
    /// Normal but significant (Sigma `low`).
    Notice,
    /// Warning (Sigma `medium`).
    Warning,
    /// Error (Sigma `high`).
    Error,
    /// Critical (Sigma `critical`).
    Critical,
    /// Action must be taken immediately.
    Alert,
    /// The system is unusable.
    Emergency,
}

impl Priority {
    /// All priorities from least to most severe.
    pub const ALL: [Priority; 8] = [
        Priority::Debug,
        Priority::Informational,
        Priority::Notice,
        Priority::Warning,
        Priority::Error,
        Priority::Critical,
        Priority::Alert,
        Priority::Emergency,
    ];

    /// Parses a priority name, ignoring case and accepting Falco's aliases (`INFO`, `WARN`,
    /// `ERR`, `CRIT`, `EMERG`) and Sigma's levels (`informational`, `low`, `medium`, `high`,
    /// `critical`).
    pub fn parse(text: &str) -> Option<Priority> {
        let lower = text.trim().to_ascii_lowercase();
        Some(match lower.as_str() {
            "emergency" | "emerg" => Priority::Emergency,
            "alert" => Priority::Alert,
            "critical" | "crit" => Priority::Critical,
            "error" | "err" | "high" => Priority::Error,
            "warning" | "warn" | "medium" => Priority::Warning,
            "notice" | "low" => Priority::Notice,
            "informational" | "info" => Priority::Informational,
            "debug" => Priority::Debug,
            _ => return None,
        })
    }

    /// The name Falco prints (`Warning`, `Informational`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Emergency => "Emergency",
            Priority::Alert => "Alert",
            Priority::Critical => "Critical",
            Priority::Error => "Error",
            Priority::Warning => "Warning",
            Priority::Notice => "Notice",
            Priority::Informational => "Informational",
            Priority::Debug => "Debug",
        }
    }
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Priority {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Priority::parse(s).ok_or_else(|| format!("unknown priority {s:?}"))
    }
}

/// What a loaded rule is, for listings and summaries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleInfo {
    /// The rule's name (Falco) or title (Sigma).
    pub name: String,
    /// The Sigma rule id, if any.
    pub rule_id: Option<String>,
    /// Its priority.
    pub priority: Priority,
    /// Its tags.
    pub tags: Vec<String>,
    /// The language it was written in.
    pub format: RuleFormat,
    /// The file it came from.
    pub file: String,
    /// Its description.
    pub description: String,
}

/// One rule that matched one event.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    /// The rule's name (Falco) or title (Sigma).
    pub rule: String,
    /// The Sigma rule id, if any.
    pub rule_id: Option<String>,
    /// The rule's priority.
    pub priority: Priority,
    /// The rule's output with `%field` references replaced by the event's values.
    pub output: String,
    /// Every field the output refers to, with its value (`null` when the event lacks it).
    pub output_fields: BTreeMap<String, serde_json::Value>,
    /// The rule's tags.
    pub tags: Vec<String>,
    /// The event's time (`stageTimestamp`, else `requestReceivedTimestamp`, else `timestamp`),
    /// as written in the event; empty when it has none.
    pub time: String,
    /// The language the rule was written in.
    pub format: RuleFormat,
}

pub use rule::RuleSet;

/// Loads rules from the sources in order (Falco `append`/`override` apply across files, later
/// definitions win), after Palisade's defaults when `options.default_rules` is set.
///
/// A rule with an error is left out and the others still load, unless `options.strict` is set,
/// in which case any error leaves the returned set empty.
pub fn load_rules(sources: &[RuleSource<'_>], options: &LoadOptions) -> (RuleSet, Vec<LoadError>) {
    let mut errors = Vec::new();
    let mut falco_sources: Vec<RuleSource<'_>> = Vec::new();
    if options.default_rules {
        falco_sources.push(RuleSource {
            file: DEFAULT_RULES_FILE,
            text: DEFAULT_RULES,
            format: RuleFormat::Falco,
        });
    }
    let mut sigma_rules = Vec::new();
    for source in sources {
        match source.format {
            RuleFormat::Falco => falco_sources.push(*source),
            RuleFormat::Sigma => {
                sigma_rules.extend(sigma::load(source.file, source.text, &mut errors));
            }
        }
    }
    let mut rules = falco::load(&falco_sources, &mut errors);
    rules.extend(sigma_rules);
    if options.strict && !errors.is_empty() {
        return (RuleSet::new(Vec::new()), errors);
    }
    (RuleSet::new(rules), errors)
}
