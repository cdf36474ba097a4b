//! Reporters: turning scan results into text. Reporters format; they never decide.
//!
//! Every reporter takes a [`ScanReport`] (the results plus what is needed to name objects and
//! inputs) and writes to any `impl Write`.

pub mod json;
pub mod junit;
pub mod netpol;
pub mod node;
pub mod paths;
pub mod pss;
pub mod rbac;
pub mod sarif;
pub mod table;

use serde::Serialize;

use crate::check::{Registered, Severity};
use crate::inventory::Inventory;
use crate::load::Diagnostic;
use crate::scan::ScanResult;

/// Counts about the inputs of a run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct InputSummary {
    /// Files read (standard input counts as one).
    pub files: usize,
    /// Documents parsed.
    pub documents: usize,
    /// Kubernetes objects found.
    pub objects: usize,
    /// Documents and List items skipped because they are not Kubernetes objects.
    pub skipped_documents: usize,
    /// Files left out by ignore files or because their names are not YAML or JSON.
    pub ignored_files: usize,
}

/// Everything a reporter needs.
pub struct ScanReport<'a> {
    /// The objects, to name the object of each finding.
    pub inventory: &'a Inventory,
    /// The checks that ran (SARIF lists them as rules).
    pub checks: &'a [&'static Registered],
    /// The findings.
    pub result: &'a ScanResult,
    /// Input counts.
    pub inputs: &'a InputSummary,
    /// Problems with the input.
    pub diagnostics: &'a [Diagnostic],
    /// Whether to list suppressed findings (they are always counted).
    pub show_suppressed: bool,
    /// Palisade's version, for the tool section of machine formats.
    pub tool_version: &'a str,
}

impl ScanReport<'_> {
    /// Findings per severity, highest first, as `(severity, count)`.
    pub fn severity_counts(&self) -> Vec<(Severity, usize)> {
        let counts = self.result.counts();
        Severity::ALL
            .iter()
            .rev()
            .map(|s| (*s, counts[*s as usize]))
            .collect()
    }
}
