//! The scan engine: runs the selected checks over an inventory, in parallel across objects,
//! and sorts findings into reported and suppressed.

use jiff::civil::Date;
use rayon::prelude::*;

use crate::check::{Finding, Registered, Severity, Sink};
use crate::checks;
use crate::inventory::{Inventory, ObjectId};
use crate::suppress::{self, Verdict};
use crate::workload::pod_specs;

/// An error in the choice of checks.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SelectError {
    /// A `--select` or `--ignore` key names no check.
    #[error("no check has the id or slug `{0}` (see `palisade checks`)")]
    UnknownCheck(String),
}

/// Picks the checks to run: all (or those named in `select`), minus those named in `ignore`.
/// Keys are ids or slugs; an area name (`workload`, `rbac`, …) selects the whole area.
pub fn select_checks(
    select: &[String],
    ignore: &[String],
) -> Result<Vec<&'static Registered>, SelectError> {
    let matches = |r: &Registered, key: &str| r.meta.matches(key) || r.meta.area.as_str() == key;
    for key in select.iter().chain(ignore) {
        if !checks::all().any(|r| matches(r, key)) {
            return Err(SelectError::UnknownCheck(key.clone()));
        }
    }
    Ok(checks::all()
        .filter(|r| select.is_empty() || select.iter().any(|k| matches(r, k)))
        .filter(|r| !ignore.iter().any(|k| matches(r, k)))
        .collect())
}

/// A finding that an annotation suppressed.
#[derive(Debug, Clone)]
pub struct Suppressed {
    /// The finding.
    pub finding: Finding,
    /// The reason given, if any.
    pub reason: Option<String>,
    /// The last day the suppression applies, if bounded.
    pub until: Option<String>,
}

/// A finding with a note attached (for example a lapsed suppression).
#[derive(Debug, Clone)]
pub struct Reported {
    /// The finding.
    pub finding: Finding,
    /// A note for the reader, if any.
    pub note: Option<String>,
}

/// What a scan found.
#[derive(Debug, Default)]
pub struct ScanResult {
    /// Findings to report, sorted by file, line, column and check id.
    pub findings: Vec<Reported>,
    /// Findings suppressed by annotations, sorted the same way.
    pub suppressed: Vec<Suppressed>,
    /// How many checks ran.
    pub checks_run: usize,
}

impl ScanResult {
    /// Findings per severity, lowest first.
    pub fn counts(&self) -> [usize; 5] {
        let mut counts = [0; 5];
        for r in &self.findings {
            counts[r.finding.check.severity as usize] += 1;
        }
        counts
    }

    /// The highest severity reported, if any.
    pub fn max_severity(&self) -> Option<Severity> {
        self.findings.iter().map(|r| r.finding.check.severity).max()
    }
}

/// Runs `checks` over every object and pod spec of `inventory`. `today` decides whether
/// dated suppressions still apply.
pub fn scan(inventory: &Inventory, checks: &[&'static Registered], today: Date) -> ScanResult {
    let mut raw: Vec<Finding> = (0..inventory.len())
        .into_par_iter()
        .fold(Vec::new, |mut findings, i| {
            let id = ObjectId(i as u32);
            let object = inventory.get(id);
            let pods = pod_specs(object);
            for registered in checks {
                let mut sink = Sink::new(registered.meta, id, &object.source.file, &mut findings);
                registered.check.check_object(object, inventory, &mut sink);
                for pod in &pods {
                    registered.check.check_pod(pod, &mut sink);
                }
            }
            findings
        })
        .reduce(Vec::new, |mut a, mut b| {
            a.append(&mut b);
            a
        });
    let empty_file = std::sync::Arc::from("");
    for registered in checks {
        let mut sink = Sink::new(registered.meta, ObjectId(0), &empty_file, &mut raw);
        registered.check.check_inventory(inventory, &mut sink);
    }
    raw.par_sort_by(|a, b| {
        (&a.location, a.check.id, &a.message).cmp(&(&b.location, b.check.id, &b.message))
    });
    raw.dedup_by(|a, b| {
        a.location == b.location && a.check.id == b.check.id && a.message == b.message
    });

    let mut result = ScanResult {
        checks_run: checks.len(),
        ..ScanResult::default()
    };
    for finding in raw {
        match suppress::verdict(inventory.get(finding.object), finding.check, today) {
            Verdict::NotSuppressed => result.findings.push(Reported {
                finding,
                note: None,
            }),
            Verdict::Lapsed(note) => result.findings.push(Reported {
                finding,
                note: Some(note),
            }),
            Verdict::Suppressed { reason, until } => {
                result.suppressed.push(Suppressed {
                    finding,
                    reason,
                    until,
                });
            }
        }
    }
    result
}
