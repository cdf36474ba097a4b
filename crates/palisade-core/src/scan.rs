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
    /// `--framework` names no framework.
    #[error("unknown framework `{0}`; expected one of {names}", names = Framework::NAMES.join(", "))]
    UnknownFramework(String),
}

/// A framework whose controls a scan can be limited to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framework {
    /// Checks that reference the NSA/CISA Kubernetes Hardening Guidance.
    NsaCisa,
    /// Checks that reference the CIS Kubernetes Benchmark.
    Cis,
    /// Checks that reference MITRE ATT&CK techniques.
    MitreAttack,
    /// The Pod Security Standards baseline level, evaluated exactly (`pss-baseline`).
    PssBaseline,
    /// The Pod Security Standards restricted level, evaluated exactly (`pss-restricted`).
    PssRestricted,
}

impl Framework {
    /// The names `--framework` accepts.
    pub const NAMES: [&'static str; 5] = [
        "nsa-cisa",
        "cis",
        "mitre-attack",
        "pss-baseline",
        "pss-restricted",
    ];

    /// Parses a framework name.
    pub fn parse(name: &str) -> Result<Framework, SelectError> {
        match name {
            "nsa-cisa" => Ok(Framework::NsaCisa),
            "cis" => Ok(Framework::Cis),
            "mitre-attack" => Ok(Framework::MitreAttack),
            "pss-baseline" => Ok(Framework::PssBaseline),
            "pss-restricted" => Ok(Framework::PssRestricted),
            other => Err(SelectError::UnknownFramework(other.to_string())),
        }
    }

    fn includes(self, r: &Registered) -> bool {
        let cites = |framework: &str| r.meta.references.iter().any(|x| x.framework() == framework);
        match self {
            Framework::NsaCisa => !r.meta.opt_in && cites("nsa-cisa"),
            Framework::Cis => !r.meta.opt_in && cites("cis"),
            Framework::MitreAttack => !r.meta.opt_in && cites("mitre-attack"),
            // Both levels run through the one evaluator `palisade pss` uses, so the two
            // commands cannot disagree.
            Framework::PssBaseline => r.meta.slug == "pss-baseline",
            Framework::PssRestricted => r.meta.slug == "pss-restricted",
        }
    }
}

/// Picks the checks to run: those of `framework` if given, else every check that is not
/// opt-in; narrowed to those named in `select` (ids, slugs or area names; an opt-in check is
/// run when named by id or slug), minus those named in `ignore`.
pub fn select_checks(
    select: &[String],
    ignore: &[String],
    framework: Option<Framework>,
) -> Result<Vec<&'static Registered>, SelectError> {
    let named = |r: &Registered, key: &str| r.meta.matches(key);
    let in_area = |r: &Registered, key: &str| r.meta.area.as_str() == key;
    for key in select.iter().chain(ignore) {
        if !checks::all().any(|r| named(r, key) || in_area(r, key)) {
            return Err(SelectError::UnknownCheck(key.clone()));
        }
    }
    Ok(checks::all()
        .filter(|r| match framework {
            Some(f) => f.includes(r),
            None => !r.meta.opt_in || select.iter().any(|k| named(r, k)),
        })
        .filter(|r| {
            select.is_empty()
                || select
                    .iter()
                    .any(|k| named(r, k) || (in_area(r, k) && !r.meta.opt_in))
        })
        .filter(|r| !ignore.iter().any(|k| named(r, k) || in_area(r, k)))
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
