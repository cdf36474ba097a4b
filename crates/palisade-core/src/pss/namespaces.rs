//! Namespace policies: which Pod Security level each namespace enforces, audits and warns at,
//! read from its `pod-security.kubernetes.io/*` labels or simulated, and what that means for the
//! workloads in it.
//!
//! Label values are read the way the admission controller reads them: a missing mode label means
//! `privileged` (no checks), a missing or empty version label means `latest`, and a label value
//! that cannot be parsed falls back to the strictest policy, `restricted:latest`.

use std::collections::BTreeMap;

use super::{Level, Version, Violation, evaluate};
use crate::object::Object;
use crate::workload::pod_specs;

/// The label prefix of Pod Security namespace labels.
pub const LABEL_PREFIX: &str = "pod-security.kubernetes.io/";

/// The three admission modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Mode {
    /// Refuses violating pods.
    Enforce,
    /// Records violations in the audit log.
    Audit,
    /// Returns violations as warnings to the client.
    Warn,
}

impl Mode {
    /// All modes, in report order.
    pub const ALL: [Mode; 3] = [Mode::Enforce, Mode::Audit, Mode::Warn];

    /// The mode's label suffix.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Enforce => "enforce",
            Mode::Audit => "audit",
            Mode::Warn => "warn",
        }
    }
}

/// A level and version; `None` as level means `privileged` (everything allowed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// The level, or `None` for privileged.
    pub level: Option<Level>,
    /// The version.
    pub version: Version,
}

impl Policy {
    /// The privileged policy: no checks.
    pub const PRIVILEGED: Policy = Policy {
        level: None,
        version: Version::Latest,
    };

    /// Reads a level and optional version label value the way admission does.
    pub fn from_labels(level: Option<&str>, version: Option<&str>) -> Policy {
        Policy::from_labels_over(Policy::PRIVILEGED, level, version)
    }

    /// Reads a mode's level and version labels over a cluster default, as the admission
    /// controller does: each label present replaces that half of the default, each one absent
    /// keeps it; a value that cannot be parsed gives the strictest policy.
    pub fn from_labels_over(default: Policy, level: Option<&str>, version: Option<&str>) -> Policy {
        let strictest = Policy {
            level: Some(Level::Restricted),
            version: Version::Latest,
        };
        let level = match level {
            None => default.level,
            Some("privileged") => None,
            Some(text) => match text.parse::<Level>() {
                Ok(level) => Some(level),
                Err(_) => return strictest,
            },
        };
        let version = match version {
            None => default.version,
            Some("") => Version::Latest,
            Some(text) => match text.parse::<Version>() {
                Ok(version) => version,
                Err(_) => return strictest,
            },
        };
        Policy { level, version }
    }

    /// Parses `LEVEL[:VERSION]` (as given to `--enforce`), strictly.
    pub fn parse_simulated(text: &str) -> Result<Policy, super::ParseError> {
        let (level, version) = match text.split_once(':') {
            Some((level, version)) => (level, Some(version)),
            None => (text, None),
        };
        let level = if level == "privileged" {
            None
        } else {
            Some(level.parse::<Level>()?)
        };
        let version = version.map_or(Ok(Version::Latest), str::parse)?;
        Ok(Policy { level, version })
    }

    /// Evaluates violations under this policy.
    fn violations(self, object: &Object) -> Vec<Violation> {
        let Some(level) = self.level else {
            return Vec::new();
        };
        pod_specs(object)
            .iter()
            .flat_map(|pod| evaluate(pod, level, self.version))
            .collect()
    }
}

impl std::fmt::Display for Policy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.level {
            None => f.write_str("privileged"),
            Some(level) => write!(f, "{level}:{}", self.version),
        }
    }
}

/// Where a namespace's policies came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicySource {
    /// The Namespace object's labels.
    Labels,
    /// No Namespace object in the input: the cluster default (privileged).
    Default,
    /// A simulated enforce policy given on the command line.
    Simulated,
}

/// The policies of one namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NamespacePolicies {
    /// Enforce, audit and warn, in [`Mode::ALL`] order.
    pub modes: [Policy; 3],
    /// Where they came from.
    pub source: PolicySource,
}

impl NamespacePolicies {
    /// The policy of one mode.
    pub fn get(&self, mode: Mode) -> Policy {
        self.modes[mode as usize]
    }
}

/// Reads the policies of a Namespace object's labels.
pub fn policies_from_namespace(namespace: &Object) -> NamespacePolicies {
    policies_over_defaults(namespace, &ClusterDefaults::default())
}

/// Reads the policies of a Namespace object's labels over the cluster's defaults; an exempt
/// namespace is checked at no level, whatever its labels say.
pub fn policies_over_defaults(namespace: &Object, defaults: &ClusterDefaults) -> NamespacePolicies {
    if defaults.exempts(&namespace.name) {
        return NamespacePolicies {
            modes: [Policy::PRIVILEGED; 3],
            source: PolicySource::Labels,
        };
    }
    let modes = Mode::ALL.map(|mode| {
        let key = format!("{LABEL_PREFIX}{}", mode.as_str());
        Policy::from_labels_over(
            defaults.modes[mode as usize],
            namespace.label(&key),
            namespace.label(&format!("{key}-version")),
        )
    });
    NamespacePolicies {
        modes,
        source: PolicySource::Labels,
    }
}

/// The cluster-wide Pod Security defaults and namespace exemptions that the API server's
/// admission configuration gives the PodSecurity plugin (a `PodSecurityConfiguration`); without
/// one, every mode defaults to privileged and nothing is exempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterDefaults {
    /// The default of each mode, in [`Mode::ALL`] order.
    pub modes: [Policy; 3],
    /// Namespaces the plugin never checks.
    pub exempt_namespaces: Vec<String>,
}

impl Default for ClusterDefaults {
    fn default() -> Self {
        ClusterDefaults {
            modes: [Policy::PRIVILEGED; 3],
            exempt_namespaces: Vec::new(),
        }
    }
}

impl ClusterDefaults {
    /// Reads a `PodSecurityConfiguration` (its `defaults` and `exemptions.namespaces`). A
    /// default that cannot be parsed is an error: the API server refuses to start with it.
    pub fn from_configuration(config: &crate::document::Node) -> Result<ClusterDefaults, String> {
        let mut out = ClusterDefaults::default();
        let defaults = config.get("defaults");
        for mode in Mode::ALL {
            let field = |suffix: &str| {
                defaults
                    .and_then(|d| d.get(&format!("{}{suffix}", mode.as_str())))
                    .and_then(crate::document::Node::as_str)
            };
            let level =
                match field("") {
                    None | Some("privileged") => None,
                    Some(text) => Some(text.parse::<Level>().map_err(|_| {
                        format!("defaults.{}: unknown level `{text}`", mode.as_str())
                    })?),
                };
            let version = match field("-version") {
                None | Some("") => Version::Latest,
                Some(text) => text.parse::<Version>().map_err(|_| {
                    format!(
                        "defaults.{}-version: unknown version `{text}`",
                        mode.as_str()
                    )
                })?,
            };
            out.modes[mode as usize] = Policy { level, version };
        }
        out.exempt_namespaces = config
            .path(&["exemptions", "namespaces"])
            .map(crate::document::Node::items)
            .unwrap_or_default()
            .iter()
            .filter_map(|n| n.as_str().map(str::to_string))
            .collect();
        Ok(out)
    }

    /// Whether the plugin leaves `namespace` alone.
    pub fn exempts(&self, namespace: &str) -> bool {
        self.exempt_namespaces.iter().any(|n| n == namespace)
    }

    /// The enforce policy of a namespace the input has no Namespace object for.
    pub fn enforce_without_labels(&self, namespace: &str) -> Policy {
        if self.exempts(namespace) {
            Policy::PRIVILEGED
        } else {
            self.modes[Mode::Enforce as usize]
        }
    }
}

/// One workload's fate in its namespace.
#[derive(Debug, Clone)]
pub struct WorkloadVerdict<'a> {
    /// The pod-bearing object.
    pub object: &'a Object,
    /// Violations per mode, in [`Mode::ALL`] order.
    pub violations: [Vec<Violation>; 3],
}

impl WorkloadVerdict<'_> {
    /// Whether the mode reports this workload (rejects, audits or warns).
    pub fn flagged(&self, mode: Mode) -> bool {
        !self.violations[mode as usize].is_empty()
    }
}

/// One namespace's policies and its workloads' verdicts.
#[derive(Debug, Clone)]
pub struct NamespaceReport<'a> {
    /// The namespace name.
    pub name: String,
    /// Its policies.
    pub policies: NamespacePolicies,
    /// Its pod-bearing objects, in input order.
    pub workloads: Vec<WorkloadVerdict<'a>>,
}

/// Groups pod-bearing objects by namespace (`default` when unset) and evaluates each under its
/// namespace's enforce, audit and warn policies. With `simulated_enforce`, every namespace
/// enforces that policy instead of its label. Namespaces are sorted by name; a Namespace object
/// without workloads is listed too.
pub fn evaluate_namespaces<'a>(
    objects: &'a [Object],
    simulated_enforce: Option<Policy>,
) -> Vec<NamespaceReport<'a>> {
    let mut reports: BTreeMap<String, NamespaceReport<'a>> = BTreeMap::new();
    let default_policies = NamespacePolicies {
        modes: [Policy::PRIVILEGED; 3],
        source: PolicySource::Default,
    };
    for object in objects
        .iter()
        .filter(|o| &*o.kind == "Namespace" && o.group().is_empty())
    {
        reports.insert(
            object.name.to_string(),
            NamespaceReport {
                name: object.name.to_string(),
                policies: policies_from_namespace(object),
                workloads: Vec::new(),
            },
        );
    }
    for object in objects {
        if pod_specs(object).is_empty() {
            continue;
        }
        let name = object.namespace.as_deref().unwrap_or("default").to_string();
        let report = reports
            .entry(name.clone())
            .or_insert_with(|| NamespaceReport {
                name,
                policies: default_policies,
                workloads: Vec::new(),
            });
        report.workloads.push(WorkloadVerdict {
            object,
            violations: Default::default(),
        });
    }
    let mut reports: Vec<NamespaceReport<'a>> = reports.into_values().collect();
    for report in &mut reports {
        if let Some(policy) = simulated_enforce {
            report.policies.modes[Mode::Enforce as usize] = policy;
            report.policies.source = PolicySource::Simulated;
        }
        let policies = report.policies;
        for workload in &mut report.workloads {
            for mode in Mode::ALL {
                workload.violations[mode as usize] = policies.get(mode).violations(workload.object);
            }
        }
    }
    reports
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::load_text;

    #[test]
    fn labels_replace_each_half_of_the_cluster_default() {
        let default = Policy {
            level: Some(Level::Baseline),
            version: "v1.29".parse().unwrap(),
        };
        assert_eq!(Policy::from_labels_over(default, None, None), default);
        assert_eq!(
            Policy::from_labels_over(default, Some("restricted"), None).to_string(),
            "restricted:v1.29"
        );
        assert_eq!(
            Policy::from_labels_over(default, None, Some("latest")).to_string(),
            "baseline:latest"
        );
        assert_eq!(
            Policy::from_labels_over(default, Some("privileged"), None),
            Policy {
                level: None,
                version: default.version
            }
        );
    }

    #[test]
    fn reads_a_pod_security_configuration() {
        let text = "defaults:\n  enforce: restricted\n  audit: baseline\n  audit-version: v1.28\nexemptions:\n  namespaces: [kube-system]\n";
        let doc = crate::document::parse_stream(text);
        let defaults = ClusterDefaults::from_configuration(&doc.documents[0].root).unwrap();
        assert_eq!(defaults.modes[0].to_string(), "restricted:latest");
        assert_eq!(defaults.modes[1].to_string(), "baseline:v1.28");
        assert_eq!(defaults.modes[2], Policy::PRIVILEGED);
        assert!(defaults.exempts("kube-system"));
        assert_eq!(
            defaults.enforce_without_labels("kube-system"),
            Policy::PRIVILEGED
        );
        let bad = crate::document::parse_stream("defaults:\n  warn-version: v2\n");
        assert!(ClusterDefaults::from_configuration(&bad.documents[0].root).is_err());
    }

    #[test]
    fn reads_labels_like_admission() {
        assert_eq!(Policy::from_labels(None, None), Policy::PRIVILEGED);
        assert_eq!(
            Policy::from_labels(Some("baseline"), Some("v1.25")).to_string(),
            "baseline:v1.25"
        );
        assert_eq!(
            Policy::from_labels(Some("bogus"), None).to_string(),
            "restricted:latest"
        );
        assert_eq!(
            Policy::parse_simulated("restricted:v1.30")
                .unwrap()
                .to_string(),
            "restricted:v1.30"
        );
        assert!(Policy::parse_simulated("strict").is_err());
    }

    #[test]
    fn reports_per_namespace_and_mode() {
        let text = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: prod\n  labels:\n    pod-security.kubernetes.io/enforce: baseline\n    pod-security.kubernetes.io/warn: restricted\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: prod}\nspec:\n  template:\n    spec:\n      containers: [{name: a}]\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostPID: true\n  containers: [{name: b}]\n";
        let loaded = load_text(&"t.yaml".into(), text);
        let reports = evaluate_namespaces(&loaded.objects, None);
        assert_eq!(reports.len(), 2);
        assert_eq!(reports[0].name, "default");
        assert!(!reports[0].workloads[0].flagged(Mode::Enforce));
        let prod = &reports[1];
        assert!(!prod.workloads[0].flagged(Mode::Enforce));
        assert!(prod.workloads[0].flagged(Mode::Warn));
        let simulated = evaluate_namespaces(
            &loaded.objects,
            Some(Policy::parse_simulated("baseline").unwrap()),
        );
        assert!(simulated[0].workloads[0].flagged(Mode::Enforce));
    }
}
