//! The Pod Security Standards evaluator: levels, policy versions, and the verdict for one pod.
//!
//! This module owns the exact semantics of the Pod Security admission controller: which checks
//! make up each level, from which policy version each check (and each revision of a check)
//! applies, which restricted checks replace a baseline check, and how violations are worded.
//! The per-check predicates live in [`checks`] and are public so that scanner checks can reuse
//! them instead of re-implementing the standard.

pub mod checks;
pub mod namespaces;

use std::fmt;
use std::str::FromStr;

use rayon::prelude::*;

use crate::document::Pos;
use crate::object::Object;
use crate::workload::{PodView, pod_specs};

/// A Pod Security Standards level that has checks (`privileged` allows everything).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// The baseline level: prevents known privilege escalations.
    Baseline,
    /// The restricted level: baseline plus hardening best practices.
    Restricted,
}

impl Level {
    /// The level's name as used in namespace labels.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Baseline => "baseline",
            Level::Restricted => "restricted",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a level or version could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The level is not one the evaluator knows.
    #[error("unknown level {0:?}: accepted values are baseline, restricted")]
    Level(String),
    /// The version is not `latest` or `v1.MINOR`.
    #[error("malformed version {0:?}: accepted values are latest or v1.MINOR (e.g. v1.30)")]
    Version(String),
}

impl FromStr for Level {
    type Err = ParseError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "baseline" => Ok(Level::Baseline),
            "restricted" => Ok(Level::Restricted),
            other => Err(ParseError::Level(other.to_string())),
        }
    }
}

/// A policy version: `latest` or a Kubernetes minor release `v1.N`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Version {
    /// The newest policy this evaluator knows.
    Latest,
    /// The policy as of Kubernetes `v1.minor`.
    Release {
        /// Always 1: the standards exist only for Kubernetes 1.x.
        major: u32,
        /// The minor release.
        minor: u32,
    },
}

impl Version {
    /// `v1.minor`.
    pub fn v1(minor: u32) -> Self {
        Version::Release { major: 1, minor }
    }

    /// Whether this version includes policy changes made in `v1.minor`.
    pub fn at_least(self, minor: u32) -> bool {
        match self {
            Version::Latest => true,
            Version::Release { major, minor: own } => major > 1 || own >= minor,
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Version::Latest => f.write_str("latest"),
            Version::Release { major, minor } => write!(f, "v{major}.{minor}"),
        }
    }
}

impl FromStr for Version {
    type Err = ParseError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text == "latest" {
            return Ok(Version::Latest);
        }
        let bad = || ParseError::Version(text.to_string());
        let rest = text.strip_prefix('v').ok_or_else(bad)?;
        let (major, minor) = rest.split_once('.').ok_or_else(bad)?;
        // Leading zeros and signs are refused, as the admission controller refuses them.
        let number = |s: &str| -> Option<u32> {
            if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            if s.len() > 1 && s.starts_with('0') {
                return None;
            }
            s.parse().ok()
        };
        let major = number(major).ok_or_else(bad)?;
        let minor = number(minor).ok_or_else(bad)?;
        if major != 1 {
            return Err(bad());
        }
        Ok(Version::Release { major, minor })
    }
}

/// One failed check, worded as the admission controller words it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The upstream check id, e.g. `privileged` or `capabilities_restricted`.
    pub check: &'static str,
    /// The short reason, e.g. `privileged`.
    pub reason: String,
    /// The detail, e.g. `container "x" must not set securityContext.privileged=true`.
    pub detail: String,
    /// Where the first offending field is.
    pub pos: Pos,
    /// The first offending field's path.
    pub path: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.detail.is_empty() {
            f.write_str(&self.reason)
        } else {
            write!(f, "{} ({})", self.reason, self.detail)
        }
    }
}

/// A check predicate: the violation of one check for one pod at one version, if any.
pub type Predicate = fn(&PodView<'_>, Version) -> Option<Violation>;

/// One check of the standard.
#[derive(Debug, Clone, Copy)]
pub struct CheckDef {
    /// The upstream check id.
    pub id: &'static str,
    /// The lowest level that runs it.
    pub level: Level,
    /// The first policy version (`v1.N`) that has it.
    pub since_minor: u32,
    /// The baseline check it replaces at the restricted level, from `since_minor` on.
    pub overrides: Option<&'static str>,
    /// The predicate, which applies the check's own version revisions.
    pub predicate: Predicate,
}

/// Every check, baseline first, in the order violations are reported.
pub const CHECKS: &[CheckDef] = &[
    def(
        "appArmorProfile",
        Level::Baseline,
        0,
        None,
        checks::app_armor_profile,
    ),
    def(
        "capabilities_baseline",
        Level::Baseline,
        0,
        None,
        checks::capabilities_baseline,
    ),
    def(
        "hostNamespaces",
        Level::Baseline,
        0,
        None,
        checks::host_namespaces,
    ),
    def(
        "hostPathVolumes",
        Level::Baseline,
        0,
        None,
        checks::host_path_volumes,
    ),
    def("hostPorts", Level::Baseline, 0, None, checks::host_ports),
    def(
        "hostProbesAndHostLifecycle",
        Level::Baseline,
        34,
        None,
        checks::host_probes_and_host_lifecycle,
    ),
    def("privileged", Level::Baseline, 0, None, checks::privileged),
    def(
        "procMount",
        Level::Baseline,
        0,
        None,
        checks::proc_mount_baseline,
    ),
    def(
        "seccompProfile_baseline",
        Level::Baseline,
        0,
        None,
        checks::seccomp_profile_baseline,
    ),
    def(
        "seLinuxOptions",
        Level::Baseline,
        0,
        None,
        checks::se_linux_options,
    ),
    def("sysctls", Level::Baseline, 0, None, checks::sysctls),
    def(
        "windowsHostProcess",
        Level::Baseline,
        0,
        None,
        checks::windows_host_process,
    ),
    def(
        "allowPrivilegeEscalation",
        Level::Restricted,
        8,
        None,
        checks::allow_privilege_escalation,
    ),
    def(
        "capabilities_restricted",
        Level::Restricted,
        22,
        Some("capabilities_baseline"),
        checks::capabilities_restricted,
    ),
    def(
        "procMount_restricted",
        Level::Restricted,
        35,
        Some("procMount"),
        checks::proc_mount_restricted,
    ),
    def(
        "restrictedVolumes",
        Level::Restricted,
        0,
        Some("hostPathVolumes"),
        checks::restricted_volumes,
    ),
    def(
        "runAsNonRoot",
        Level::Restricted,
        0,
        None,
        checks::run_as_non_root,
    ),
    def(
        "runAsUser",
        Level::Restricted,
        23,
        None,
        checks::run_as_user,
    ),
    def(
        "seccompProfile_restricted",
        Level::Restricted,
        19,
        Some("seccompProfile_baseline"),
        checks::seccomp_profile_restricted,
    ),
];

const fn def(
    id: &'static str,
    level: Level,
    since_minor: u32,
    overrides: Option<&'static str>,
    predicate: Predicate,
) -> CheckDef {
    CheckDef {
        id,
        level,
        since_minor,
        overrides,
        predicate,
    }
}

/// The checks that run at a level and version, after restricted checks replace the baseline
/// checks they override.
pub fn active_checks(level: Level, version: Version) -> impl Iterator<Item = &'static CheckDef> {
    CHECKS.iter().filter(move |check| {
        check.level <= level
            && version.at_least(check.since_minor)
            && overriding_check(check.id, level, version).is_none()
    })
}

/// The check that replaces `id` at this level and version, if one does.
pub fn overriding_check(id: &str, level: Level, version: Version) -> Option<&'static str> {
    CHECKS
        .iter()
        .find(|c| c.overrides == Some(id) && c.level <= level && version.at_least(c.since_minor))
        .map(|c| c.id)
}

/// Evaluates one pod against a level and version; no violations means the pod is allowed.
pub fn evaluate(pod: &PodView<'_>, level: Level, version: Version) -> Vec<Violation> {
    active_checks(level, version)
        .filter_map(|check| (check.predicate)(pod, version))
        .collect()
}

/// The verdict for one pod-bearing object: the violations of all its pod specs.
#[derive(Debug, Clone)]
pub struct ObjectVerdict<'a> {
    /// The object.
    pub object: &'a Object,
    /// The violations, pod spec by pod spec, in check order.
    pub violations: Vec<Violation>,
}

impl ObjectVerdict<'_> {
    /// Whether admission would accept the object.
    pub fn allowed(&self) -> bool {
        self.violations.is_empty()
    }
}

/// The verdicts for a set of objects.
#[derive(Debug, Clone, Default)]
pub struct Evaluation<'a> {
    /// One verdict per pod-bearing object, in input order.
    pub verdicts: Vec<ObjectVerdict<'a>>,
    /// Objects skipped because they hold no pod spec.
    pub skipped: usize,
}

/// Evaluates every pod-bearing object (Pods, workload templates, embedded templates) against a
/// level and version, in parallel on the caller's thread pool, keeping input order.
pub fn evaluate_objects(objects: &[Object], level: Level, version: Version) -> Evaluation<'_> {
    let verdicts: Vec<Option<ObjectVerdict<'_>>> = objects
        .par_iter()
        .map(|object| {
            let pods = pod_specs(object);
            if pods.is_empty() {
                return None;
            }
            let violations = pods
                .iter()
                .flat_map(|pod| evaluate(pod, level, version))
                .collect();
            Some(ObjectVerdict { object, violations })
        })
        .collect();
    let skipped = verdicts.iter().filter(|v| v.is_none()).count();
    Evaluation {
        verdicts: verdicts.into_iter().flatten().collect(),
        skipped,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::load_text;
    use crate::workload::pod_specs;

    fn verdict(yaml: &str, level: Level, version: Version) -> Vec<String> {
        let loaded = load_text(&"t.yaml".into(), yaml);
        let pods = pod_specs(&loaded.objects[0]);
        evaluate(&pods[0], level, version)
            .iter()
            .map(|v| format!("{}: {v}", v.check))
            .collect()
    }

    const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n";

    #[test]
    fn words_violations_like_the_admission_controller() {
        let yaml = format!(
            "{POD}  hostNetwork: true\n  hostIPC: true\n  containers:\n  - name: a\n    securityContext: {{privileged: true}}\n    ports: [{{containerPort: 80, hostPort: 8080}}, {{containerPort: 81, hostPort: 443}}]\n  - name: b\n    securityContext: {{privileged: true}}\n"
        );
        assert_eq!(
            verdict(&yaml, Level::Baseline, Version::Latest),
            [
                "hostNamespaces: host namespaces (hostNetwork=true, hostIPC=true)",
                "hostPorts: hostPort (container \"a\" uses hostPorts 443, 8080)",
                "privileged: privileged (containers \"a\", \"b\" must not set securityContext.privileged=true)",
            ]
        );
    }

    #[test]
    fn restricted_wording_and_pod_level_inheritance() {
        let yaml = format!(
            "{POD}  securityContext: {{seccompProfile: {{type: RuntimeDefault}}}}\n  containers:\n  - name: a\n    securityContext:\n      allowPrivilegeEscalation: false\n      capabilities: {{add: [SYS_ADMIN], drop: [ALL]}}\n"
        );
        assert_eq!(
            verdict(&yaml, Level::Restricted, Version::Latest),
            [
                "capabilities_restricted: unrestricted capabilities (container \"a\" must not include \"SYS_ADMIN\" in securityContext.capabilities.add)",
                "runAsNonRoot: runAsNonRoot != true (pod or container \"a\" must set securityContext.runAsNonRoot=true)",
            ]
        );
        // Before 1.22 the baseline capabilities check applies instead.
        assert_eq!(
            verdict(&yaml, Level::Restricted, Version::v1(21))[0],
            "capabilities_baseline: non-default capabilities (container \"a\" must not include \"SYS_ADMIN\" in securityContext.capabilities.add)"
        );
    }

    #[test]
    fn windows_pods_and_user_namespaces_are_relaxed_from_their_versions() {
        let windows = format!(
            "{POD}  os: {{name: windows}}\n  securityContext: {{runAsNonRoot: true}}\n  containers: [{{name: a}}]\n"
        );
        assert!(verdict(&windows, Level::Restricted, Version::v1(25)).is_empty());
        assert_eq!(
            verdict(&windows, Level::Restricted, Version::v1(24)).len(),
            3
        );
        let userns = format!(
            "{POD}  hostUsers: false\n  containers:\n  - name: a\n    securityContext: {{procMount: Unmasked}}\n"
        );
        assert!(verdict(&userns, Level::Baseline, Version::v1(35)).is_empty());
        assert_eq!(verdict(&userns, Level::Baseline, Version::v1(34)).len(), 1);
        // runAsNonRoot and runAsUser are not relaxed by a user namespace.
        let root = format!(
            "{POD}  hostUsers: false\n  securityContext: {{runAsUser: 0}}\n  containers: [{{name: a}}]\n"
        );
        let checks: Vec<String> = verdict(&root, Level::Restricted, Version::Latest);
        assert!(checks.iter().any(|v| v.starts_with("runAsNonRoot:")));
        assert!(
            checks
                .iter()
                .any(|v| v == "runAsUser: runAsUser=0 (pod must not set runAsUser=0)")
        );
        assert!(
            verdict(&userns, Level::Restricted, Version::v1(35))
                .iter()
                .any(|v| v.starts_with("procMount_restricted: procMount (container \"a\" must not set securityContext.procMount to \"Unmasked\")"))
        );
    }

    #[test]
    fn parses_versions() {
        assert_eq!("latest".parse::<Version>(), Ok(Version::Latest));
        assert_eq!("v1.25".parse::<Version>(), Ok(Version::v1(25)));
        assert_eq!("v1.0".parse::<Version>(), Ok(Version::v1(0)));
        for bad in [
            "1.25", "v1", "v2.0", "v1.x", "v1.025", "", "v1.-1", "v1.2.3",
        ] {
            assert!(bad.parse::<Version>().is_err(), "{bad}");
        }
    }

    #[test]
    fn parses_levels() {
        assert_eq!("restricted".parse::<Level>(), Ok(Level::Restricted));
        let err = "privileged".parse::<Level>().unwrap_err();
        assert!(err.to_string().contains("baseline, restricted"));
    }

    #[test]
    fn restricted_checks_replace_baseline_ones() {
        let ids: Vec<_> = active_checks(Level::Restricted, Version::Latest)
            .map(|c| c.id)
            .collect();
        assert!(!ids.contains(&"hostPathVolumes"));
        assert!(!ids.contains(&"capabilities_baseline"));
        let old: Vec<_> = active_checks(Level::Restricted, Version::v1(21))
            .map(|c| c.id)
            .collect();
        assert!(old.contains(&"capabilities_baseline"));
        assert!(!old.contains(&"capabilities_restricted"));
    }
}
