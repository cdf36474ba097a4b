//! The CIS Kubernetes Benchmark checks (v1.12, with the v1.10 and v1.11 differences) for the
//! master, etcd, control-plane and worker-node sections, evaluated natively over a snapshot.
//!
//! Each check is data (id, title, target, whether the benchmark scores it, remediation) plus
//! an evaluation over the resolved node. Settings absent from every source take the
//! component's documented default, and the result says which default applied. A file that
//! does not exist is NOT-FOUND, never FAIL; an unreadable one is reported with the reason.
//! Manual checks report WARN with guidance, or FAIL when the evidence is unambiguous.

use std::collections::HashMap;
use std::fmt::{self, Write as _};
use std::str::FromStr;

use serde::Serialize;

use crate::document::Node;
use crate::inventory::Inventory;
use crate::node::components::{
    ComponentKind, ConfigState, NodeView, Setting, SettingSource, join, parse_config, resolve,
};
use crate::node::flags::{FlagValue, list_has, map_value};
use crate::node::locations::{self, CNI_CONF_DIR};
use crate::node::snapshot::{FileRecord, Meta, Snapshot};
use crate::node::{admission, policies};

/// A benchmark release.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Benchmark {
    /// CIS Kubernetes Benchmark v1.10.
    Cis110,
    /// CIS Kubernetes Benchmark v1.11.
    Cis111,
    /// CIS Kubernetes Benchmark v1.12.
    Cis112,
}

impl Benchmark {
    /// Its name on the command line and in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Benchmark::Cis110 => "cis-1.10",
            Benchmark::Cis111 => "cis-1.11",
            Benchmark::Cis112 => "cis-1.12",
        }
    }

    /// The benchmark written for a Kubernetes minor version: 1.10 covers up to 1.31, 1.11
    /// covers 1.32, 1.12 covers 1.33 and later. Older versions get the oldest release
    /// Palisade carries, unknown ones the newest.
    pub fn for_version(version: Option<(u32, u32)>) -> Benchmark {
        match version {
            Some((1, minor)) if minor <= 31 => Benchmark::Cis110,
            Some((1, 32)) => Benchmark::Cis111,
            _ => Benchmark::Cis112,
        }
    }
}

impl fmt::Display for Benchmark {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Benchmark {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        match text {
            "cis-1.10" => Ok(Benchmark::Cis110),
            "cis-1.11" => Ok(Benchmark::Cis111),
            "cis-1.12" => Ok(Benchmark::Cis112),
            other => Err(format!(
                "unknown benchmark {other:?} (expected cis-1.12, cis-1.11, cis-1.10 or auto)"
            )),
        }
    }
}

/// A section of the benchmark, as `--targets` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    /// Section 1: control-plane files, API server, controller manager, scheduler.
    Master,
    /// Section 2: etcd.
    Etcd,
    /// Section 3: control-plane configuration (authentication, logging).
    Controlplane,
    /// Section 4: worker node files, kubelet, kube-proxy.
    Node,
    /// Section 5: policies (answered from a cluster dump).
    Policies,
}

impl Target {
    /// Every target in benchmark order.
    pub const ALL: [Target; 5] = [
        Target::Master,
        Target::Etcd,
        Target::Controlplane,
        Target::Node,
        Target::Policies,
    ];

    /// Its name.
    pub fn as_str(self) -> &'static str {
        match self {
            Target::Master => "master",
            Target::Etcd => "etcd",
            Target::Controlplane => "controlplane",
            Target::Node => "node",
            Target::Policies => "policies",
        }
    }
}

impl FromStr for Target {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        Target::ALL
            .into_iter()
            .find(|t| t.as_str() == text)
            .ok_or_else(|| {
                format!("unknown target {text:?} (expected master, etcd, controlplane, node or policies)")
            })
    }
}

/// The result of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Status {
    /// The setting is as the benchmark asks.
    #[serde(rename = "PASS")]
    Pass,
    /// The setting is not as the benchmark asks.
    #[serde(rename = "FAIL")]
    Fail,
    /// Needs a person: a manual check, or evidence that could not be read.
    #[serde(rename = "WARN")]
    Warn,
    /// Does not apply here; said for information.
    #[serde(rename = "INFO")]
    Info,
    /// The component or file the check is about does not exist on this node.
    #[serde(rename = "NOT-FOUND")]
    NotFound,
}

impl Status {
    /// Every status, in report order.
    pub const ALL: [Status; 5] = [
        Status::Pass,
        Status::Fail,
        Status::Warn,
        Status::Info,
        Status::NotFound,
    ];

    /// Its name in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::Warn => "WARN",
            Status::Info => "INFO",
            Status::NotFound => "NOT-FOUND",
        }
    }
}

/// Where the evidence of a result was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceRef {
    /// The file on the node (or `/proc/<pid>/cmdline`).
    pub file: String,
    /// The line in it, when it has lines.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
}

impl SourceRef {
    #[allow(clippy::unnecessary_wraps)] // Every caller wants an `Option` field.
    fn new(file: &str, line: u32) -> Option<SourceRef> {
        Some(SourceRef {
            file: file.to_string(),
            line: (line > 0).then_some(line),
        })
    }
}

/// What an evaluation found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The status.
    pub status: Status,
    /// What the benchmark expects, in words.
    pub expected: String,
    /// What was found, in words (with which default applied, when one did).
    pub actual: String,
    /// Where it was found.
    pub source: Option<SourceRef>,
}

/// The result of one check on one node.
#[derive(Debug, Clone, Serialize)]
pub struct CheckResult {
    /// The CIS id as the selected benchmark numbers it.
    pub id: &'static str,
    /// The check's title.
    pub title: &'static str,
    /// Its section.
    pub target: Target,
    /// Whether the benchmark scores it (automated).
    pub scored: bool,
    /// The result.
    pub status: Status,
    /// What the benchmark expects.
    pub expected: String,
    /// What was found.
    pub actual: String,
    /// Where it was found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceRef>,
    /// How to fix it.
    pub remediation: &'static str,
}

/// Everything a check may look at.
pub struct Ctx<'a> {
    /// The snapshot.
    pub snapshot: &'a Snapshot,
    /// The components found in it.
    pub view: &'a NodeView,
    /// The benchmark in use.
    pub benchmark: Benchmark,
    /// A cluster dump, for the policy section.
    pub cluster: Option<&'a Inventory>,
    users: HashMap<u32, String>,
    groups: HashMap<u32, String>,
}

impl Ctx<'_> {
    fn owner(&self, meta: Meta) -> String {
        let name = |map: &HashMap<u32, String>, id: u32| {
            map.get(&id).cloned().unwrap_or_else(|| {
                if id == 0 {
                    "root".to_string()
                } else {
                    id.to_string()
                }
            })
        };
        format!(
            "{}:{}",
            name(&self.users, meta.uid),
            name(&self.groups, meta.gid)
        )
    }
}

fn id_names(text: Option<&str>) -> HashMap<u32, String> {
    let mut out = HashMap::new();
    for line in text.unwrap_or_default().lines() {
        let fields: Vec<&str> = line.split(':').collect();
        if let (Some(name), Some(id)) = (fields.first(), fields.get(2))
            && let Ok(id) = id.parse::<u32>()
        {
            out.entry(id).or_insert_with(|| (*name).to_string());
        }
    }
    out
}

/// One check of the catalog.
pub struct CheckDef {
    /// The CIS id.
    pub id: &'static str,
    /// The title, in Palisade's words.
    pub title: &'static str,
    /// Its section.
    pub target: Target,
    /// Whether v1.12 scores it (automated).
    pub scored: bool,
    /// How to fix a failure.
    pub remediation: &'static str,
    eval: fn(&Ctx<'_>) -> Outcome,
}

impl CheckDef {
    /// Whether the check exists in a benchmark, and if so whether that release scores it.
    pub fn scored_in(&self, benchmark: Benchmark) -> Option<bool> {
        match (self.id, benchmark) {
            ("1.2.30" | "4.2.14", Benchmark::Cis110) => None,
            ("1.2.30", Benchmark::Cis111) => Some(false),
            ("4.2.15", b) if b != Benchmark::Cis111 => None,
            _ => Some(self.scored),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Building blocks.

fn outcome(status: Status, expected: impl Into<String>, actual: impl Into<String>) -> Outcome {
    Outcome {
        status,
        expected: expected.into(),
        actual: actual.into(),
        source: None,
    }
}

fn missing_component(kind: ComponentKind, expected: &str) -> Outcome {
    outcome(
        Status::NotFound,
        expected,
        format!("{} not found on this node", kind.binary()),
    )
}

/// A flag rule: `ok` judges the value in force (`None`: not set and no default).
fn flag_rule(
    ctx: &Ctx<'_>,
    kind: ComponentKind,
    flag: &str,
    default: Option<&str>,
    expected: &str,
    manual: bool,
    ok: impl Fn(Option<&str>) -> bool,
) -> Outcome {
    let Some(component) = ctx.view.component(kind) else {
        return missing_component(kind, expected);
    };
    let (value, actual, source) = if let Some(FlagValue {
        value, file, line, ..
    }) = component.flag(flag)
    {
        let repeated = component.flags.count(flag);
        let note = if repeated > 1 {
            format!(" (last of {repeated} occurrences)")
        } else {
            String::new()
        };
        (
            Some(value.as_str()),
            format!("--{flag}={value}{note}"),
            SourceRef::new(file, *line),
        )
    } else {
        let actual = match default {
            Some(d) => format!("--{flag} not set; default {d} applies"),
            None => format!("--{flag} not set"),
        };
        (default, actual, origin_source(ctx, kind))
    };
    let good = ok(value);
    Outcome {
        status: judged(good, manual),
        expected: expected.to_string(),
        actual: with_problems(actual, component.problems.as_slice()),
        source,
    }
}

fn with_problems(actual: String, problems: &[String]) -> String {
    if problems.is_empty() {
        actual
    } else {
        format!("{actual}; {}", problems.join("; "))
    }
}

fn judged(good: bool, manual: bool) -> Status {
    match (good, manual) {
        (false, _) => Status::Fail,
        (true, false) => Status::Pass,
        (true, true) => Status::Warn,
    }
}

fn origin_source(ctx: &Ctx<'_>, kind: ComponentKind) -> Option<SourceRef> {
    use crate::node::components::Origin;
    let component = ctx.view.component(kind)?;
    let file = match &component.origin {
        Origin::Process { pid } => format!("/proc/{pid}/cmdline"),
        Origin::Manifest { path } | Origin::ArgsFile { path } => path.clone(),
        Origin::Unit { files } | Origin::Embedded { files } => {
            files.last().cloned().unwrap_or_default()
        }
    };
    SourceRef::new(&file, 0)
}

fn flags_set(ctx: &Ctx<'_>, kind: ComponentKind, flags: &[&str]) -> Outcome {
    let expected = flags
        .iter()
        .map(|f| format!("--{f} set"))
        .collect::<Vec<_>>()
        .join(" and ");
    let Some(component) = ctx.view.component(kind) else {
        return missing_component(kind, &expected);
    };
    let mut parts = Vec::new();
    let mut all = true;
    let mut source = None;
    for flag in flags {
        if let Some(v) = component.flag(flag) {
            parts.push(format!("--{flag}={}", v.value));
            source = source.or_else(|| SourceRef::new(&v.file, v.line));
        } else {
            all = false;
            parts.push(format!("--{flag} not set"));
        }
    }
    Outcome {
        status: judged(all, false),
        expected,
        actual: parts.join(", "),
        source: source.or_else(|| origin_source(ctx, kind)),
    }
}

fn is_false(v: Option<&str>) -> bool {
    v.is_some_and(|v| v.eq_ignore_ascii_case("false"))
}

fn is_true(v: Option<&str>) -> bool {
    v.is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

fn at_least(min: i64) -> impl Fn(Option<&str>) -> bool {
    move |v| {
        v.and_then(|v| v.trim().parse::<i64>().ok())
            .is_some_and(|n| n >= min)
    }
}

/// The files a file check covers, and whether any exists.
fn existing<'s>(ctx: &'s Ctx<'_>, paths: &[String]) -> Vec<(String, &'s FileRecord)> {
    paths
        .iter()
        .filter_map(|p| {
            ctx.snapshot
                .file(p)
                .filter(|r| r.exists())
                .map(|r| (p.clone(), r))
        })
        .collect()
}

/// Permission rule: no bit outside `max` may be set.
fn mode_rule(ctx: &Ctx<'_>, what: &str, paths: &[String], max: u32, manual: bool) -> Outcome {
    let expected = format!("permissions {max:o} or more restrictive");
    file_rule(ctx, what, paths, &expected, manual, |meta| {
        let good = (meta.mode & 0o7777) & !max == 0;
        (good, format!("{:o}", meta.mode & 0o7777))
    })
}

/// Ownership rule.
fn owner_rule(ctx: &Ctx<'_>, what: &str, paths: &[String], owner: &str, manual: bool) -> Outcome {
    let expected = format!("owned by {owner}");
    file_rule(ctx, what, paths, &expected, manual, |meta| {
        let actual = ctx.owner(meta);
        (actual == owner, actual)
    })
}

fn file_rule(
    ctx: &Ctx<'_>,
    what: &str,
    paths: &[String],
    expected: &str,
    manual: bool,
    judge: impl Fn(Meta) -> (bool, String),
) -> Outcome {
    let found = existing(ctx, paths);
    if found.is_empty() {
        let actual = match paths {
            [] => format!("{what}: no file to check on this node"),
            [one] => format!("{what} not found at {one}"),
            many => format!(
                "{what} not found at any of its {} known locations ({} first)",
                many.len(),
                many[0]
            ),
        };
        return Outcome {
            status: Status::NotFound,
            expected: expected.to_string(),
            actual,
            source: paths.first().and_then(|p| SourceRef::new(p, 0)),
        };
    }
    let mut bad = Vec::new();
    let mut unreadable = Vec::new();
    let mut seen = Vec::new();
    for (path, record) in &found {
        match record.meta() {
            Some(meta) => {
                let (good, actual) = judge(meta);
                if good {
                    seen.push(format!("{path} {actual}"));
                } else {
                    bad.push(format!("{path} {actual}"));
                }
            }
            None => {
                if let FileRecord::Unreadable { reason, .. } = record {
                    unreadable.push(format!("{path} unreadable: {reason}"));
                }
            }
        }
    }
    let first_bad = found
        .iter()
        .find(|(_, r)| r.meta().is_some_and(|m| !judge(m).0))
        .map(|(p, _)| p.clone());
    let source_path = first_bad.unwrap_or_else(|| found[0].0.clone());
    let (status, actual) = if !bad.is_empty() {
        (Status::Fail, bad.join("; "))
    } else if !unreadable.is_empty() {
        (Status::Warn, unreadable.join("; "))
    } else {
        (judged(true, manual), summarise(&seen))
    };
    Outcome {
        status,
        expected: expected.to_string(),
        actual,
        source: SourceRef::new(&source_path, 0),
    }
}

fn summarise(items: &[String]) -> String {
    const SHOWN: usize = 4;
    if items.len() <= SHOWN {
        items.join("; ")
    } else {
        format!(
            "{}; and {} more, all as expected",
            items[..SHOWN].join("; "),
            items.len() - SHOWN
        )
    }
}

fn manual(expected: &str, guidance: &str) -> Outcome {
    outcome(Status::Warn, expected, format!("manual check: {guidance}"))
}

// ---------------------------------------------------------------------------------------------
// Paths the file checks cover.

fn manifest_path(ctx: &Ctx<'_>, kind: ComponentKind) -> Vec<String> {
    if let Some(path) = ctx.view.component(kind).and_then(|c| c.manifest.clone()) {
        return vec![path];
    }
    locations::all(|d| d.manifest_dirs)
        .iter()
        .map(|dir| format!("{dir}/{}.yaml", kind.binary()))
        .collect()
}

fn flag_path_or(
    ctx: &Ctx<'_>,
    kind: ComponentKind,
    flag: &str,
    fallback: Vec<&str>,
) -> Vec<String> {
    if let Some(c) = ctx.view.component(kind)
        && let Some(v) = c.flag(flag)
    {
        return vec![c.resolve_path(&v.value)];
    }
    fallback.into_iter().map(str::to_string).collect()
}

fn etcd_data_dir(ctx: &Ctx<'_>) -> Vec<String> {
    let mut fallback = locations::all(|d| d.etcd_data_dirs);
    fallback.retain(|p| ctx.snapshot.file(p).is_some_and(FileRecord::exists));
    if fallback.is_empty() && ctx.view.component(ComponentKind::Etcd).is_some() {
        fallback.push("/var/lib/etcd");
    }
    flag_path_or(ctx, ComponentKind::Etcd, "data-dir", fallback)
}

fn pki_dir(ctx: &Ctx<'_>) -> Option<String> {
    let is_dir = |p: &str| matches!(ctx.snapshot.file(p), Some(FileRecord::Directory { .. }));
    let mut candidates: Vec<String> = Vec::new();
    if let Some(api) = ctx.view.component(ApiServer) {
        for flag in ["client-ca-file", "tls-cert-file"] {
            if let Some(v) = api.flag(flag)
                && let Some((dir, _)) = api.resolve_path(&v.value).rsplit_once('/')
            {
                candidates.push(dir.to_string());
            }
        }
    }
    candidates.extend(
        locations::all(|d| d.pki_dirs)
            .into_iter()
            .map(str::to_string),
    );
    candidates.into_iter().find(|p| is_dir(p))
}

/// The PKI directory and everything under it that the collector saw.
fn pki_files(ctx: &Ctx<'_>, suffix: Option<&str>) -> Vec<String> {
    let Some(dir) = pki_dir(ctx) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if suffix.is_none() {
        out.push(dir.clone());
    }
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for name in ctx.snapshot.entries(&d) {
            let path = format!("{d}/{name}");
            match ctx.snapshot.file(&path) {
                Some(FileRecord::Directory { .. }) => {
                    if suffix.is_none() {
                        out.push(path.clone());
                    }
                    stack.push(path);
                }
                Some(_) if suffix.is_none_or(|s| name.ends_with(s)) => out.push(path),
                _ => {}
            }
        }
    }
    out.sort();
    out
}

fn kubelet_unit_files(ctx: &Ctx<'_>) -> Vec<String> {
    ctx.view.kubelet_unit_files.clone()
}

fn kubelet_kubeconfig(ctx: &Ctx<'_>) -> Vec<String> {
    flag_path_or(
        ctx,
        ComponentKind::Kubelet,
        "kubeconfig",
        locations::all(|d| d.kubelet_kubeconfigs),
    )
}

fn proxy_kubeconfig(ctx: &Ctx<'_>) -> Vec<String> {
    flag_path_or(
        ctx,
        ComponentKind::Proxy,
        "kubeconfig",
        locations::all(|d| d.proxy_kubeconfigs),
    )
}

fn kubelet_config_path(ctx: &Ctx<'_>) -> Option<String> {
    ctx.view
        .kubelet_config
        .as_ref()
        .filter(|c| !matches!(c.state, ConfigState::NotUsed))
        .map(|c| c.path.clone())
}

fn kubelet_client_ca(ctx: &Ctx<'_>) -> Vec<String> {
    let Some(setting) = ctx.view.kubelet_setting(
        "client-ca-file",
        &["authentication", "x509", "clientCAFile"],
        None,
        None,
    ) else {
        return Vec::new();
    };
    let base = match (&setting.file, ctx.view.component(ComponentKind::Kubelet)) {
        (Some(file), _) if file.as_str() != "" && !file.starts_with("/proc/") => {
            if ctx
                .view
                .component(ComponentKind::Kubelet)
                .is_some_and(|k| k.flag("client-ca-file").is_some())
            {
                ctx.view
                    .component(ComponentKind::Kubelet)
                    .map_or("/".to_string(), |k| k.working_directory.clone())
            } else {
                file.rsplit_once('/').map_or("/", |(d, _)| d).to_string()
            }
        }
        (_, Some(k)) => k.working_directory.clone(),
        _ => "/".to_string(),
    };
    vec![join(&base, &setting.value)]
}

// ---------------------------------------------------------------------------------------------
// Kubelet settings.

/// A kubelet setting rule with both defaults.
struct KubeletRule<'r> {
    flag: &'r str,
    field: &'r [&'r str],
    config_default: Option<&'r str>,
    flag_default: Option<&'r str>,
    expected: &'r str,
    manual: bool,
}

fn kubelet_rule(
    ctx: &Ctx<'_>,
    rule: &KubeletRule<'_>,
    ok: impl Fn(Option<&str>) -> bool,
) -> Outcome {
    let Some(kubelet) = ctx.view.component(ComponentKind::Kubelet) else {
        return missing_component(ComponentKind::Kubelet, rule.expected);
    };
    if let Some(broken) = kubelet_config_problem(ctx, rule.expected) {
        return broken;
    }
    let setting = ctx.view.kubelet_setting(
        rule.flag,
        rule.field,
        rule.config_default,
        rule.flag_default,
    );
    let field = rule.field.join(".");
    let (value, actual, source) = match &setting {
        Some(s) => {
            let mut actual = s.describe(rule.flag, &field);
            let repeated = kubelet.flags.count(rule.flag);
            if s.source == SettingSource::Flag && repeated > 1 {
                let _ = write!(actual, " (last of {repeated} occurrences)");
            }
            (Some(s.value.as_str()), actual, setting_source(ctx, s))
        }
        None => (
            None,
            format!("neither --{} nor {field} is set", rule.flag),
            origin_source(ctx, ComponentKind::Kubelet),
        ),
    };
    Outcome {
        status: judged(ok(value), rule.manual),
        expected: rule.expected.to_string(),
        actual: with_problems(actual, &kubelet.problems),
        source,
    }
}

fn setting_source(ctx: &Ctx<'_>, setting: &Setting) -> Option<SourceRef> {
    match &setting.file {
        Some(file) => SourceRef::new(file, setting.line),
        None => kubelet_config_path(ctx)
            .and_then(|p| SourceRef::new(&p, 0))
            .or_else(|| origin_source(ctx, ComponentKind::Kubelet)),
    }
}

/// A named config file that is absent or broken makes every kubelet setting unknowable: the
/// kubelet would refuse to start, and guessing its defaults would mislead.
fn kubelet_config_problem(ctx: &Ctx<'_>, expected: &str) -> Option<Outcome> {
    let config = ctx.view.kubelet_config.as_ref()?;
    for (path, state) in &config.drop_ins {
        if let ConfigState::Broken(reason) = state {
            return Some(Outcome {
                status: Status::Warn,
                expected: expected.to_string(),
                actual: format!("kubelet config drop-in {path} cannot be used: {reason}"),
                source: SourceRef::new(path, 0),
            });
        }
    }
    let source = SourceRef::new(&config.path, 0);
    match &config.state {
        ConfigState::NotFound => Some(Outcome {
            status: Status::NotFound,
            expected: expected.to_string(),
            actual: format!("kubelet config file {} not found", config.path),
            source,
        }),
        ConfigState::Broken(reason) => Some(Outcome {
            status: Status::Warn,
            expected: expected.to_string(),
            actual: format!(
                "kubelet config file {} cannot be used: {reason}",
                config.path
            ),
            source,
        }),
        _ => None,
    }
}

fn kubelet_feature_gate(
    ctx: &Ctx<'_>,
    gate: &str,
    default: &str,
    expected: &str,
    manual: bool,
) -> Outcome {
    let Some(kubelet) = ctx.view.component(ComponentKind::Kubelet) else {
        return missing_component(ComponentKind::Kubelet, expected);
    };
    if let Some(broken) = kubelet_config_problem(ctx, expected) {
        return broken;
    }
    let from_flag = kubelet
        .flag("feature-gates")
        .and_then(|v| map_value(&v.value, gate).map(|value| (value.to_string(), v)));
    let (value, actual, source) = if let Some((value, flag)) = from_flag {
        let actual = format!("--feature-gates={gate}={value}");
        (value, actual, SourceRef::new(&flag.file, flag.line))
    } else if let Some(s) =
        ctx.view
            .kubelet_setting("palisade-no-such-flag", &["featureGates", gate], None, None)
    {
        let actual = format!("featureGates.{gate}: {}", s.value);
        let source = setting_source(ctx, &s);
        (s.value, actual, source)
    } else {
        (
            default.to_string(),
            format!("{gate} not set; default {default} applies"),
            origin_source(ctx, ComponentKind::Kubelet),
        )
    };
    Outcome {
        status: judged(!value.eq_ignore_ascii_case("false"), manual),
        expected: expected.to_string(),
        actual,
        source,
    }
}

// ---------------------------------------------------------------------------------------------
// The catalog.

use ComponentKind::{ApiServer, ControllerManager, Etcd as EtcdServer, Kubelet, Proxy, Scheduler};

const STRONG_API_CIPHERS: &[&str] = &[
    "TLS_AES_128_GCM_SHA256",
    "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
];

const STRONG_KUBELET_CIPHERS: &[&str] = &[
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
];

fn only_strong(list: &'static [&'static str]) -> impl Fn(Option<&str>) -> bool {
    move |v| v.is_some_and(|v| !v.is_empty() && v.split(',').all(|c| list.contains(&c.trim())))
}

macro_rules! check {
    ($id:literal, $target:ident, $scored:literal, $title:literal, $fix:literal, $eval:expr) => {
        CheckDef {
            id: $id,
            title: $title,
            target: Target::$target,
            scored: $scored,
            remediation: $fix,
            eval: $eval,
        }
    };
}

/// Every check Palisade carries, in benchmark order.
pub static CATALOG: &[CheckDef] = &[
    // 1.1 Control plane node configuration files.
    check!(
        "1.1.1",
        Master,
        true,
        "API server pod specification file permissions are 600 or more restrictive",
        "chmod 600 the API server's static pod manifest.",
        |c| mode_rule(
            c,
            "API server manifest",
            &manifest_path(c, ApiServer),
            0o600,
            false
        )
    ),
    check!(
        "1.1.2",
        Master,
        true,
        "API server pod specification file is owned by root:root",
        "chown root:root the API server's static pod manifest.",
        |c| owner_rule(
            c,
            "API server manifest",
            &manifest_path(c, ApiServer),
            "root:root",
            false
        )
    ),
    check!(
        "1.1.3",
        Master,
        true,
        "Controller manager pod specification file permissions are 600 or more restrictive",
        "chmod 600 the controller manager's static pod manifest.",
        |c| mode_rule(
            c,
            "controller manager manifest",
            &manifest_path(c, ControllerManager),
            0o600,
            false
        )
    ),
    check!(
        "1.1.4",
        Master,
        true,
        "Controller manager pod specification file is owned by root:root",
        "chown root:root the controller manager's static pod manifest.",
        |c| owner_rule(
            c,
            "controller manager manifest",
            &manifest_path(c, ControllerManager),
            "root:root",
            false
        )
    ),
    check!(
        "1.1.5",
        Master,
        true,
        "Scheduler pod specification file permissions are 600 or more restrictive",
        "chmod 600 the scheduler's static pod manifest.",
        |c| mode_rule(
            c,
            "scheduler manifest",
            &manifest_path(c, Scheduler),
            0o600,
            false
        )
    ),
    check!(
        "1.1.6",
        Master,
        true,
        "Scheduler pod specification file is owned by root:root",
        "chown root:root the scheduler's static pod manifest.",
        |c| owner_rule(
            c,
            "scheduler manifest",
            &manifest_path(c, Scheduler),
            "root:root",
            false
        )
    ),
    check!(
        "1.1.7",
        Master,
        true,
        "etcd pod specification file permissions are 600 or more restrictive",
        "chmod 600 the etcd static pod manifest.",
        |c| mode_rule(
            c,
            "etcd manifest",
            &manifest_path(c, EtcdServer),
            0o600,
            false
        )
    ),
    check!(
        "1.1.8",
        Master,
        true,
        "etcd pod specification file is owned by root:root",
        "chown root:root the etcd static pod manifest.",
        |c| owner_rule(
            c,
            "etcd manifest",
            &manifest_path(c, EtcdServer),
            "root:root",
            false
        )
    ),
    check!(
        "1.1.9",
        Master,
        false,
        "Container Network Interface file permissions are 600 or more restrictive",
        "chmod 600 the files in the CNI configuration directory.",
        |c| mode_rule(c, "CNI configuration", &cni_files(c), 0o600, true)
    ),
    check!(
        "1.1.10",
        Master,
        false,
        "Container Network Interface files are owned by root:root",
        "chown root:root the files in the CNI configuration directory.",
        |c| owner_rule(c, "CNI configuration", &cni_files(c), "root:root", true)
    ),
    check!(
        "1.1.11",
        Master,
        true,
        "etcd data directory permissions are 700 or more restrictive",
        "chmod 700 the directory named by etcd's --data-dir.",
        |c| mode_rule(c, "etcd data directory", &etcd_data_dir(c), 0o700, false)
    ),
    check!(
        "1.1.12",
        Master,
        true,
        "etcd data directory is owned by etcd:etcd",
        "chown etcd:etcd the directory named by etcd's --data-dir.",
        |c| owner_rule(
            c,
            "etcd data directory",
            &etcd_data_dir(c),
            "etcd:etcd",
            false
        )
    ),
    check!(
        "1.1.13",
        Master,
        true,
        "Default administrative credential files (admin.conf, super-admin.conf) have permissions 600",
        "chmod 600 admin.conf and, where present, super-admin.conf.",
        |c| mode_rule(
            c,
            "administrator kubeconfig",
            &strings(locations::all(|d| d.admin_kubeconfigs)),
            0o600,
            false
        )
    ),
    check!(
        "1.1.14",
        Master,
        true,
        "Default administrative credential files are owned by root:root",
        "chown root:root admin.conf and, where present, super-admin.conf.",
        |c| owner_rule(
            c,
            "administrator kubeconfig",
            &strings(locations::all(|d| d.admin_kubeconfigs)),
            "root:root",
            false
        )
    ),
    check!(
        "1.1.15",
        Master,
        true,
        "scheduler.conf permissions are 600 or more restrictive",
        "chmod 600 the scheduler's kubeconfig.",
        |c| mode_rule(
            c,
            "scheduler kubeconfig",
            &flag_path_or(
                c,
                Scheduler,
                "kubeconfig",
                locations::all(|d| d.scheduler_kubeconfigs)
            ),
            0o600,
            false
        )
    ),
    check!(
        "1.1.16",
        Master,
        true,
        "scheduler.conf is owned by root:root",
        "chown root:root the scheduler's kubeconfig.",
        |c| owner_rule(
            c,
            "scheduler kubeconfig",
            &flag_path_or(
                c,
                Scheduler,
                "kubeconfig",
                locations::all(|d| d.scheduler_kubeconfigs)
            ),
            "root:root",
            false
        )
    ),
    check!(
        "1.1.17",
        Master,
        true,
        "controller-manager.conf permissions are 600 or more restrictive",
        "chmod 600 the controller manager's kubeconfig.",
        |c| mode_rule(
            c,
            "controller manager kubeconfig",
            &flag_path_or(
                c,
                ControllerManager,
                "kubeconfig",
                locations::all(|d| d.controller_manager_kubeconfigs)
            ),
            0o600,
            false
        )
    ),
    check!(
        "1.1.18",
        Master,
        true,
        "controller-manager.conf is owned by root:root",
        "chown root:root the controller manager's kubeconfig.",
        |c| owner_rule(
            c,
            "controller manager kubeconfig",
            &flag_path_or(
                c,
                ControllerManager,
                "kubeconfig",
                locations::all(|d| d.controller_manager_kubeconfigs)
            ),
            "root:root",
            false
        )
    ),
    check!(
        "1.1.19",
        Master,
        true,
        "The Kubernetes PKI directory and its files are owned by root:root",
        "chown -R root:root the PKI directory.",
        |c| owner_rule(c, "PKI directory", &pki_files(c, None), "root:root", false)
    ),
    check!(
        "1.1.20",
        Master,
        false,
        "Kubernetes PKI certificate files have permissions 644 (600 under v1.10) or more restrictive",
        "chmod 644 the .crt files in the PKI directory (600 for CIS v1.10).",
        |c| mode_rule(
            c,
            "PKI certificates",
            &pki_files(c, Some(".crt")),
            // v1.10 asked for 600; v1.11 relaxed it to 644, certificates being public.
            if c.benchmark == Benchmark::Cis110 {
                0o600
            } else {
                0o644
            },
            true
        )
    ),
    check!(
        "1.1.21",
        Master,
        false,
        "Kubernetes PKI key files have permissions 600",
        "chmod 600 the .key files in the PKI directory.",
        |c| mode_rule(c, "PKI keys", &pki_files(c, Some(".key")), 0o600, true)
    ),
    // 1.2 API server.
    check!(
        "1.2.1",
        Master,
        false,
        "API server --anonymous-auth is false",
        "Set --anonymous-auth=false on the API server, after making sure health checks and discovery do not rely on anonymous access.",
        |c| flag_rule(
            c,
            ApiServer,
            "anonymous-auth",
            Some("true"),
            "--anonymous-auth=false",
            true,
            is_false
        )
    ),
    check!(
        "1.2.2",
        Master,
        true,
        "API server --token-auth-file is not set",
        "Remove --token-auth-file from the API server and use another authentication mechanism.",
        |c| flag_rule(
            c,
            ApiServer,
            "token-auth-file",
            None,
            "--token-auth-file not set",
            false,
            |v| v.is_none()
        )
    ),
    check!(
        "1.2.3",
        Master,
        false,
        "API server admission plugin DenyServiceExternalIPs is enabled",
        "Add DenyServiceExternalIPs to the API server's --enable-admission-plugins.",
        |c| flag_rule(
            c,
            ApiServer,
            "enable-admission-plugins",
            None,
            "--enable-admission-plugins includes DenyServiceExternalIPs",
            true,
            |v| v.is_some_and(|v| list_has(v, "DenyServiceExternalIPs"))
        )
    ),
    check!(
        "1.2.4",
        Master,
        true,
        "API server --kubelet-client-certificate and --kubelet-client-key are set",
        "Set up TLS between the API server and kubelets and give the API server its kubelet client certificate and key.",
        |c| flags_set(
            c,
            ApiServer,
            &["kubelet-client-certificate", "kubelet-client-key"]
        )
    ),
    check!(
        "1.2.5",
        Master,
        true,
        "API server --kubelet-certificate-authority is set",
        "Set --kubelet-certificate-authority on the API server to the CA that signs kubelet serving certificates.",
        |c| flags_set(c, ApiServer, &["kubelet-certificate-authority"])
    ),
    check!(
        "1.2.6",
        Master,
        true,
        "API server --authorization-mode does not include AlwaysAllow",
        "Set --authorization-mode to modes other than AlwaysAllow, for example Node,RBAC.",
        |c| authorization(
            c,
            "--authorization-mode without AlwaysAllow",
            |v| !list_has(v, "AlwaysAllow")
        )
    ),
    check!(
        "1.2.7",
        Master,
        true,
        "API server --authorization-mode includes Node",
        "Add Node to the API server's --authorization-mode.",
        |c| authorization(c, "--authorization-mode includes Node", |v| list_has(
            v, "Node"
        ))
    ),
    check!(
        "1.2.8",
        Master,
        true,
        "API server --authorization-mode includes RBAC",
        "Add RBAC to the API server's --authorization-mode.",
        |c| authorization(c, "--authorization-mode includes RBAC", |v| list_has(
            v, "RBAC"
        ))
    ),
    check!(
        "1.2.9",
        Master,
        false,
        "API server admission plugin EventRateLimit is enabled",
        "Add EventRateLimit to --enable-admission-plugins and give its limits with --admission-control-config-file.",
        |c| flag_rule(
            c,
            ApiServer,
            "enable-admission-plugins",
            None,
            "--enable-admission-plugins includes EventRateLimit",
            true,
            |v| v.is_some_and(|v| list_has(v, "EventRateLimit"))
        )
    ),
    check!(
        "1.2.10",
        Master,
        true,
        "API server admission plugin AlwaysAdmit is not enabled",
        "Remove AlwaysAdmit from the API server's --enable-admission-plugins.",
        |c| flag_rule(
            c,
            ApiServer,
            "enable-admission-plugins",
            None,
            "--enable-admission-plugins without AlwaysAdmit",
            false,
            |v| !v.is_some_and(|v| list_has(v, "AlwaysAdmit"))
        )
    ),
    check!(
        "1.2.11",
        Master,
        false,
        "API server admission plugin AlwaysPullImages is enabled",
        "Add AlwaysPullImages to --enable-admission-plugins where image credentials must be checked on every pod.",
        |c| flag_rule(
            c,
            ApiServer,
            "enable-admission-plugins",
            None,
            "--enable-admission-plugins includes AlwaysPullImages",
            true,
            |v| v.is_some_and(|v| list_has(v, "AlwaysPullImages"))
        )
    ),
    check!(
        "1.2.12",
        Master,
        true,
        "API server admission plugin ServiceAccount is not disabled",
        "Remove ServiceAccount from the API server's --disable-admission-plugins.",
        |c| flag_rule(
            c,
            ApiServer,
            "disable-admission-plugins",
            None,
            "--disable-admission-plugins without ServiceAccount",
            false,
            |v| !v.is_some_and(|v| list_has(v, "ServiceAccount"))
        )
    ),
    check!(
        "1.2.13",
        Master,
        true,
        "API server admission plugin NamespaceLifecycle is not disabled",
        "Remove NamespaceLifecycle from the API server's --disable-admission-plugins.",
        |c| flag_rule(
            c,
            ApiServer,
            "disable-admission-plugins",
            None,
            "--disable-admission-plugins without NamespaceLifecycle",
            false,
            |v| !v.is_some_and(|v| list_has(v, "NamespaceLifecycle"))
        )
    ),
    check!(
        "1.2.14",
        Master,
        true,
        "API server admission plugin NodeRestriction is enabled",
        "Add NodeRestriction to the API server's --enable-admission-plugins.",
        |c| flag_rule(
            c,
            ApiServer,
            "enable-admission-plugins",
            None,
            "--enable-admission-plugins includes NodeRestriction",
            false,
            |v| v.is_some_and(|v| list_has(v, "NodeRestriction"))
        )
    ),
    check!(
        "1.2.15",
        Master,
        true,
        "API server --profiling is false",
        "Set --profiling=false on the API server.",
        |c| flag_rule(
            c,
            ApiServer,
            "profiling",
            Some("true"),
            "--profiling=false",
            false,
            is_false
        )
    ),
    check!(
        "1.2.16",
        Master,
        true,
        "API server --audit-log-path is set",
        "Set --audit-log-path on the API server to where audit logs should be written.",
        |c| flag_rule(
            c,
            ApiServer,
            "audit-log-path",
            None,
            "--audit-log-path set",
            false,
            |v| v.is_some_and(|v| !v.is_empty())
        )
    ),
    check!(
        "1.2.17",
        Master,
        true,
        "API server --audit-log-maxage is 30 or more",
        "Set --audit-log-maxage=30 (days) or more on the API server.",
        |c| flag_rule(
            c,
            ApiServer,
            "audit-log-maxage",
            Some("0"),
            "--audit-log-maxage >= 30",
            false,
            at_least(30)
        )
    ),
    check!(
        "1.2.18",
        Master,
        true,
        "API server --audit-log-maxbackup is 10 or more",
        "Set --audit-log-maxbackup=10 or more on the API server.",
        |c| flag_rule(
            c,
            ApiServer,
            "audit-log-maxbackup",
            Some("0"),
            "--audit-log-maxbackup >= 10",
            false,
            at_least(10)
        )
    ),
    check!(
        "1.2.19",
        Master,
        true,
        "API server --audit-log-maxsize is 100 or more",
        "Set --audit-log-maxsize=100 (MB) or more on the API server.",
        |c| flag_rule(
            c,
            ApiServer,
            "audit-log-maxsize",
            Some("0"),
            "--audit-log-maxsize >= 100",
            false,
            at_least(100)
        )
    ),
    check!(
        "1.2.20",
        Master,
        false,
        "API server --request-timeout is set as appropriate",
        "Raise --request-timeout only if long requests need it; the default is one minute.",
        |c| flag_rule(
            c,
            ApiServer,
            "request-timeout",
            Some("1m0s"),
            "--request-timeout appropriate for the cluster",
            true,
            |_| true
        )
    ),
    check!(
        "1.2.21",
        Master,
        true,
        "API server --service-account-lookup is true",
        "Set --service-account-lookup=true on the API server, or remove the flag to get the default.",
        |c| flag_rule(
            c,
            ApiServer,
            "service-account-lookup",
            Some("true"),
            "--service-account-lookup=true",
            false,
            is_true
        )
    ),
    check!(
        "1.2.22",
        Master,
        true,
        "API server --service-account-key-file is set",
        "Set --service-account-key-file on the API server to the public key that verifies service account tokens.",
        |c| flags_set(c, ApiServer, &["service-account-key-file"])
    ),
    check!(
        "1.2.23",
        Master,
        true,
        "API server --etcd-certfile and --etcd-keyfile are set",
        "Set up TLS between the API server and etcd and give the API server its etcd client certificate and key.",
        |c| flags_set(c, ApiServer, &["etcd-certfile", "etcd-keyfile"])
    ),
    check!(
        "1.2.24",
        Master,
        true,
        "API server --tls-cert-file and --tls-private-key-file are set",
        "Give the API server its serving certificate and key with --tls-cert-file and --tls-private-key-file.",
        |c| flags_set(c, ApiServer, &["tls-cert-file", "tls-private-key-file"])
    ),
    check!(
        "1.2.25",
        Master,
        true,
        "API server --client-ca-file is set",
        "Set --client-ca-file on the API server to the CA that signs client certificates.",
        |c| flags_set(c, ApiServer, &["client-ca-file"])
    ),
    check!(
        "1.2.26",
        Master,
        true,
        "API server --etcd-cafile is set",
        "Set --etcd-cafile on the API server to the CA that signs etcd's serving certificate.",
        |c| flags_set(c, ApiServer, &["etcd-cafile"])
    ),
    check!(
        "1.2.27",
        Master,
        false,
        "API server --encryption-provider-config is set",
        "Write an EncryptionConfiguration and pass it with --encryption-provider-config.",
        |c| flag_rule(
            c,
            ApiServer,
            "encryption-provider-config",
            None,
            "--encryption-provider-config set",
            true,
            |v| v.is_some()
        )
    ),
    check!(
        "1.2.28",
        Master,
        false,
        "Encryption providers are appropriately configured",
        "Make aescbc, aesgcm, secretbox or kms the first provider for secrets in the EncryptionConfiguration.",
        encryption_providers
    ),
    check!(
        "1.2.29",
        Master,
        false,
        "API server uses only strong cryptographic ciphers",
        "Set --tls-cipher-suites on the API server to a list of strong suites only.",
        |c| flag_rule(
            c,
            ApiServer,
            "tls-cipher-suites",
            None,
            "--tls-cipher-suites lists strong suites only",
            true,
            only_strong(STRONG_API_CIPHERS)
        )
    ),
    check!(
        "1.2.30",
        Master,
        true,
        "API server --service-account-extend-token-expiration is false",
        "Set --service-account-extend-token-expiration=false on the API server.",
        |c| flag_rule(
            c,
            ApiServer,
            "service-account-extend-token-expiration",
            Some("true"),
            "--service-account-extend-token-expiration=false",
            false,
            is_false
        )
    ),
    // 1.3 Controller manager.
    check!(
        "1.3.1",
        Master,
        false,
        "Controller manager --terminated-pod-gc-threshold is set as appropriate",
        "Set --terminated-pod-gc-threshold on the controller manager to a threshold that suits the cluster.",
        |c| flag_rule(
            c,
            ControllerManager,
            "terminated-pod-gc-threshold",
            Some("12500"),
            "--terminated-pod-gc-threshold set as appropriate",
            true,
            |_| true
        )
    ),
    check!(
        "1.3.2",
        Master,
        true,
        "Controller manager --profiling is false",
        "Set --profiling=false on the controller manager.",
        |c| flag_rule(
            c,
            ControllerManager,
            "profiling",
            Some("true"),
            "--profiling=false",
            false,
            is_false
        )
    ),
    check!(
        "1.3.3",
        Master,
        true,
        "Controller manager --use-service-account-credentials is true",
        "Set --use-service-account-credentials=true on the controller manager.",
        |c| flag_rule(
            c,
            ControllerManager,
            "use-service-account-credentials",
            Some("false"),
            "--use-service-account-credentials=true",
            false,
            |v| !is_false(v) && v.is_some()
        )
    ),
    check!(
        "1.3.4",
        Master,
        true,
        "Controller manager --service-account-private-key-file is set",
        "Set --service-account-private-key-file on the controller manager to the key that signs service account tokens.",
        |c| flags_set(c, ControllerManager, &["service-account-private-key-file"])
    ),
    check!(
        "1.3.5",
        Master,
        true,
        "Controller manager --root-ca-file is set",
        "Set --root-ca-file on the controller manager to the cluster's CA bundle.",
        |c| flags_set(c, ControllerManager, &["root-ca-file"])
    ),
    check!(
        "1.3.6",
        Master,
        true,
        "Controller manager feature gate RotateKubeletServerCertificate is true",
        "Remove RotateKubeletServerCertificate=false from the controller manager's --feature-gates.",
        |c| flag_rule(
            c,
            ControllerManager,
            "feature-gates",
            None,
            "RotateKubeletServerCertificate not disabled",
            false,
            |v| v
                .and_then(|v| map_value(v, "RotateKubeletServerCertificate"))
                .is_none_or(|g| !g.eq_ignore_ascii_case("false"))
        )
    ),
    check!(
        "1.3.7",
        Master,
        true,
        "Controller manager --bind-address is 127.0.0.1",
        "Set --bind-address=127.0.0.1 on the controller manager.",
        |c| flag_rule(
            c,
            ControllerManager,
            "bind-address",
            Some("0.0.0.0"),
            "--bind-address=127.0.0.1",
            false,
            |v| v == Some("127.0.0.1")
        )
    ),
    // 1.4 Scheduler.
    check!(
        "1.4.1",
        Master,
        true,
        "Scheduler --profiling is false",
        "Set --profiling=false on the scheduler.",
        |c| flag_rule(
            c,
            Scheduler,
            "profiling",
            Some("true"),
            "--profiling=false",
            false,
            is_false
        )
    ),
    check!(
        "1.4.2",
        Master,
        true,
        "Scheduler --bind-address is 127.0.0.1",
        "Set --bind-address=127.0.0.1 on the scheduler.",
        |c| flag_rule(
            c,
            Scheduler,
            "bind-address",
            Some("0.0.0.0"),
            "--bind-address=127.0.0.1",
            false,
            |v| v == Some("127.0.0.1")
        )
    ),
    // 2 etcd.
    check!(
        "2.1",
        Etcd,
        true,
        "etcd --cert-file and --key-file are set",
        "Give etcd its serving certificate and key with --cert-file and --key-file.",
        |c| flags_set(c, EtcdServer, &["cert-file", "key-file"])
    ),
    check!(
        "2.2",
        Etcd,
        true,
        "etcd --client-cert-auth is true",
        "Set --client-cert-auth=true on etcd.",
        |c| flag_rule(
            c,
            EtcdServer,
            "client-cert-auth",
            Some("false"),
            "--client-cert-auth=true",
            false,
            is_true
        )
    ),
    check!(
        "2.3",
        Etcd,
        true,
        "etcd --auto-tls is not true",
        "Remove --auto-tls=true from etcd.",
        |c| flag_rule(
            c,
            EtcdServer,
            "auto-tls",
            Some("false"),
            "--auto-tls not true",
            false,
            |v| !is_true(v)
        )
    ),
    check!(
        "2.4",
        Etcd,
        true,
        "etcd --peer-cert-file and --peer-key-file are set",
        "Give etcd its peer certificate and key with --peer-cert-file and --peer-key-file.",
        |c| flags_set(c, EtcdServer, &["peer-cert-file", "peer-key-file"])
    ),
    check!(
        "2.5",
        Etcd,
        true,
        "etcd --peer-client-cert-auth is true",
        "Set --peer-client-cert-auth=true on etcd.",
        |c| flag_rule(
            c,
            EtcdServer,
            "peer-client-cert-auth",
            Some("false"),
            "--peer-client-cert-auth=true",
            false,
            is_true
        )
    ),
    check!(
        "2.6",
        Etcd,
        true,
        "etcd --peer-auto-tls is not true",
        "Remove --peer-auto-tls=true from etcd.",
        |c| flag_rule(
            c,
            EtcdServer,
            "peer-auto-tls",
            Some("false"),
            "--peer-auto-tls not true",
            false,
            |v| !is_true(v)
        )
    ),
    check!(
        "2.7",
        Etcd,
        false,
        "etcd uses a certificate authority of its own",
        "Give etcd a CA (--trusted-ca-file) distinct from the cluster's client CA.",
        etcd_unique_ca
    ),
    // 3 Control plane configuration.
    check!(
        "3.1.1",
        Controlplane,
        false,
        "Client certificate authentication is not used for users",
        "Give people OIDC or another revocable mechanism instead of client certificates.",
        |_| manual(
            "people authenticate without client certificates",
            "client certificates cannot be revoked; review how users authenticate"
        )
    ),
    check!(
        "3.1.2",
        Controlplane,
        false,
        "Service account token authentication is not used for users",
        "Give people their own credentials rather than service account tokens.",
        |_| manual(
            "people do not use service account tokens",
            "review who uses service account tokens from outside the cluster"
        )
    ),
    check!(
        "3.1.3",
        Controlplane,
        false,
        "Bootstrap token authentication is not used for users",
        "Use bootstrap tokens only for joining nodes, and delete them after use.",
        |c| flag_rule(
            c,
            ApiServer,
            "enable-bootstrap-token-auth",
            Some("false"),
            "bootstrap tokens used for node joining only",
            true,
            |_| true
        )
    ),
    check!(
        "3.2.1",
        Controlplane,
        false,
        "A minimal audit policy is created",
        "Write an audit policy and pass it to the API server with --audit-policy-file.",
        audit_policy_exists
    ),
    check!(
        "3.2.2",
        Controlplane,
        false,
        "The audit policy covers key security concerns",
        "Log at least Metadata for secrets, configmaps and token reviews, and RequestResponse where needed; review the policy against the cluster's risks.",
        audit_policy_coverage
    ),
    // 4.1 Worker node configuration files.
    check!(
        "4.1.1",
        Node,
        true,
        "kubelet service file permissions are 600 or more restrictive",
        "chmod 600 the kubelet's systemd unit and drop-ins.",
        |c| mode_rule(
            c,
            "kubelet service file",
            &kubelet_unit_files(c),
            0o600,
            false
        )
    ),
    check!(
        "4.1.2",
        Node,
        true,
        "kubelet service file is owned by root:root",
        "chown root:root the kubelet's systemd unit and drop-ins.",
        |c| owner_rule(
            c,
            "kubelet service file",
            &kubelet_unit_files(c),
            "root:root",
            false
        )
    ),
    check!(
        "4.1.3",
        Node,
        false,
        "If the proxy kubeconfig file exists, its permissions are 600 or more restrictive",
        "chmod 600 kube-proxy's kubeconfig.",
        |c| mode_rule(
            c,
            "kube-proxy kubeconfig",
            &proxy_kubeconfig(c),
            0o600,
            true
        )
    ),
    check!(
        "4.1.4",
        Node,
        false,
        "If the proxy kubeconfig file exists, it is owned by root:root",
        "chown root:root kube-proxy's kubeconfig.",
        |c| owner_rule(
            c,
            "kube-proxy kubeconfig",
            &proxy_kubeconfig(c),
            "root:root",
            true
        )
    ),
    check!(
        "4.1.5",
        Node,
        true,
        "The kubelet's --kubeconfig file permissions are 600 or more restrictive",
        "chmod 600 the kubelet's kubeconfig.",
        |c| mode_rule(
            c,
            "kubelet kubeconfig",
            &kubelet_kubeconfig(c),
            0o600,
            false
        )
    ),
    check!(
        "4.1.6",
        Node,
        true,
        "The kubelet's --kubeconfig file is owned by root:root",
        "chown root:root the kubelet's kubeconfig.",
        |c| owner_rule(
            c,
            "kubelet kubeconfig",
            &kubelet_kubeconfig(c),
            "root:root",
            false
        )
    ),
    check!(
        "4.1.7",
        Node,
        false,
        "The kubelet's client certificate authority file permissions are 644 (600 under v1.10) or more restrictive",
        "chmod 644 the kubelet's client CA file (600 for CIS v1.10).",
        |c| mode_rule(
            c,
            "kubelet client CA file",
            &kubelet_client_ca(c),
            // As for 1.1.20: v1.10 asked for 600, v1.11 relaxed it to 644.
            if c.benchmark == Benchmark::Cis110 {
                0o600
            } else {
                0o644
            },
            true
        )
    ),
    check!(
        "4.1.8",
        Node,
        false,
        "The kubelet's client certificate authority file is owned by root:root",
        "chown root:root the kubelet's client CA file.",
        |c| owner_rule(
            c,
            "kubelet client CA file",
            &kubelet_client_ca(c),
            "root:root",
            true
        )
    ),
    check!(
        "4.1.9",
        Node,
        true,
        "If the kubelet config file is used, its permissions are 600 or more restrictive",
        "chmod 600 the file named by the kubelet's --config.",
        |c| kubelet_config_file_rule(c, true)
    ),
    check!(
        "4.1.10",
        Node,
        true,
        "If the kubelet config file is used, it is owned by root:root",
        "chown root:root the file named by the kubelet's --config.",
        |c| kubelet_config_file_rule(c, false)
    ),
    // 4.2 Kubelet.
    check!(
        "4.2.1",
        Node,
        true,
        "kubelet anonymous authentication is disabled",
        "Set authentication.anonymous.enabled: false in the kubelet config file (or --anonymous-auth=false) and restart the kubelet.",
        |c| kubelet_rule(
            c,
            &KubeletRule {
                flag: "anonymous-auth",
                field: &["authentication", "anonymous", "enabled"],
                config_default: Some("false"),
                flag_default: Some("true"),
                expected: "anonymous authentication disabled",
                manual: false
            },
            is_false
        )
    ),
    check!(
        "4.2.2",
        Node,
        true,
        "kubelet authorization mode is not AlwaysAllow",
        "Set authorization.mode: Webhook in the kubelet config file (or --authorization-mode=Webhook) and restart the kubelet.",
        |c| kubelet_rule(
            c,
            &KubeletRule {
                flag: "authorization-mode",
                field: &["authorization", "mode"],
                config_default: Some("Webhook"),
                flag_default: Some("AlwaysAllow"),
                expected: "authorization mode other than AlwaysAllow",
                manual: false
            },
            |v| v.is_some_and(|v| !list_has(v, "AlwaysAllow"))
        )
    ),
    check!(
        "4.2.3",
        Node,
        true,
        "kubelet client CA file is set",
        "Set authentication.x509.clientCAFile in the kubelet config file (or --client-ca-file) and restart the kubelet.",
        |c| kubelet_rule(
            c,
            &KubeletRule {
                flag: "client-ca-file",
                field: &["authentication", "x509", "clientCAFile"],
                config_default: None,
                flag_default: None,
                expected: "client CA file set",
                manual: false
            },
            |v| v.is_some_and(|v| !v.is_empty())
        )
    ),
    check!(
        "4.2.4",
        Node,
        false,
        "kubelet read-only port is 0",
        "Set readOnlyPort: 0 in the kubelet config file (or --read-only-port=0) and restart the kubelet.",
        |c| kubelet_rule(
            c,
            &KubeletRule {
                flag: "read-only-port",
                field: &["readOnlyPort"],
                config_default: Some("0"),
                flag_default: Some("10255"),
                expected: "read-only port 0 (disabled)",
                manual: true
            },
            |v| v == Some("0")
        )
    ),
    check!(
        "4.2.5",
        Node,
        false,
        "kubelet streaming connection idle timeout is not 0",
        "Set streamingConnectionIdleTimeout to a non-zero duration such as 5m and restart the kubelet.",
        |c| kubelet_rule(
            c,
            &KubeletRule {
                flag: "streaming-connection-idle-timeout",
                field: &["streamingConnectionIdleTimeout"],
                config_default: Some("4h0m0s"),
                flag_default: Some("4h0m0s"),
                expected: "streaming connection idle timeout not 0",
                manual: true
            },
            |v| v.is_some_and(|v| !matches!(v.trim(), "0" | "0s" | "0m" | "0h"))
        )
    ),
    check!(
        "4.2.6",
        Node,
        true,
        "kubelet makes iptables utility chains",
        "Set makeIPTablesUtilChains: true (or remove --make-iptables-util-chains=false) and restart the kubelet.",
        |c| kubelet_rule(
            c,
            &KubeletRule {
                flag: "make-iptables-util-chains",
                field: &["makeIPTablesUtilChains"],
                config_default: Some("true"),
                flag_default: Some("true"),
                expected: "makeIPTablesUtilChains true",
                manual: false
            },
            is_true
        )
    ),
    check!(
        "4.2.7",
        Node,
        false,
        "kubelet --hostname-override is not set",
        "Remove --hostname-override from the kubelet's command line.",
        |c| {
            let mut outcome = flag_rule(
                c,
                Kubelet,
                "hostname-override",
                None,
                "--hostname-override not set",
                true,
                |v| v.is_none(),
            );
            // k3s and RKE2 always pass it: a person decides, nothing can be removed.
            if c.view
                .component(Kubelet)
                .and_then(|k| k.flag("hostname-override"))
                .is_some_and(|f| f.file == crate::node::embedded::BUILT_IN)
            {
                outcome.status = Status::Warn;
                outcome.actual.push_str(
                    "; k3s and RKE2 always set it to the node name, as cloud providers expect",
                );
            }
            outcome
        }
    ),
    check!(
        "4.2.8",
        Node,
        false,
        "kubelet eventRecordQPS captures events appropriately",
        "Set eventRecordQPS to a level that keeps the events the cluster needs.",
        |c| kubelet_rule(
            c,
            &KubeletRule {
                flag: "event-qps",
                field: &["eventRecordQPS"],
                config_default: Some("50"),
                flag_default: Some("50"),
                expected: "eventRecordQPS >= 0 and appropriate",
                manual: true
            },
            at_least(0)
        )
    ),
    check!(
        "4.2.9",
        Node,
        false,
        "kubelet TLS certificate and key files are set",
        "Set tlsCertFile and tlsPrivateKeyFile (or serverTLSBootstrap: true) in the kubelet config file.",
        kubelet_tls_files
    ),
    check!(
        "4.2.10",
        Node,
        true,
        "kubelet certificate rotation is not disabled",
        "Set rotateCertificates: true in the kubelet config file (or --rotate-certificates) and restart the kubelet.",
        |c| kubelet_rule(
            c,
            &KubeletRule {
                flag: "rotate-certificates",
                field: &["rotateCertificates"],
                config_default: Some("false"),
                flag_default: Some("false"),
                expected: "rotateCertificates true",
                manual: false
            },
            is_true
        )
    ),
    check!(
        "4.2.11",
        Node,
        false,
        "kubelet feature gate RotateKubeletServerCertificate is true",
        "Remove RotateKubeletServerCertificate=false from the kubelet's feature gates.",
        |c| kubelet_feature_gate(
            c,
            "RotateKubeletServerCertificate",
            "true",
            "RotateKubeletServerCertificate not disabled",
            true
        )
    ),
    check!(
        "4.2.12",
        Node,
        false,
        "kubelet uses only strong cryptographic ciphers",
        "Set tlsCipherSuites in the kubelet config file to strong suites only.",
        |c| kubelet_rule(
            c,
            &KubeletRule {
                flag: "tls-cipher-suites",
                field: &["tlsCipherSuites"],
                config_default: None,
                flag_default: None,
                expected: "tlsCipherSuites lists strong suites only",
                manual: true
            },
            only_strong(STRONG_KUBELET_CIPHERS)
        )
    ),
    check!(
        "4.2.13",
        Node,
        false,
        "A limit is set on pod PIDs",
        "Set podPidsLimit in the kubelet config file (or --pod-max-pids) to a positive limit.",
        |c| kubelet_rule(
            c,
            &KubeletRule {
                flag: "pod-max-pids",
                field: &["podPidsLimit"],
                config_default: Some("-1"),
                flag_default: Some("-1"),
                expected: "podPidsLimit > 0",
                manual: true
            },
            at_least(1)
        )
    ),
    check!(
        "4.2.14",
        Node,
        false,
        "kubelet seccompDefault is true",
        "Set seccompDefault: true in the kubelet config file (or --seccomp-default) so that pods get the runtime's default seccomp profile.",
        |c| kubelet_rule(
            c,
            &KubeletRule {
                flag: "seccomp-default",
                field: &["seccompDefault"],
                config_default: Some("false"),
                flag_default: Some("false"),
                expected: "seccompDefault true",
                manual: true
            },
            is_true
        )
    ),
    check!(
        "4.2.15",
        Node,
        false,
        "kubelet service sets IPAddressDeny=any",
        "Add IPAddressDeny=any and an IPAddressAllow= list of needed addresses to the kubelet's unit.",
        kubelet_ip_address_deny
    ),
    // 4.3 kube-proxy.
    check!(
        "4.3.1",
        Node,
        true,
        "kube-proxy metrics service is bound to localhost",
        "Bind kube-proxy's metrics to 127.0.0.1 (metricsBindAddress or --metrics-bind-address), or remove a non-local value.",
        proxy_metrics
    ),
];

fn strings(paths: Vec<&str>) -> Vec<String> {
    paths.into_iter().map(str::to_string).collect()
}

fn cni_files(ctx: &Ctx<'_>) -> Vec<String> {
    let dir = ctx
        .view
        .component(Kubelet)
        .and_then(|k| k.flag("cni-conf-dir").map(|v| k.resolve_path(&v.value)))
        .unwrap_or_else(|| CNI_CONF_DIR.to_string());
    ctx.snapshot
        .entries(&dir)
        .iter()
        .map(|name| format!("{dir}/{name}"))
        // The benchmark asks about the configuration files, not subdirectories.
        .filter(|path| !matches!(ctx.snapshot.file(path), Some(FileRecord::Directory { .. })))
        .collect()
}

fn authorization(ctx: &Ctx<'_>, expected: &str, ok: fn(&str) -> bool) -> Outcome {
    if let Some(api) = ctx.view.component(ApiServer)
        && api.flag("authorization-mode").is_none()
        && let Some(config) = api.flag("authorization-config")
    {
        return Outcome {
            status: Status::Warn,
            expected: expected.to_string(),
            actual: format!(
                "authorization configured by file --authorization-config={}; review its authorizers",
                config.value
            ),
            source: SourceRef::new(&config.file, config.line),
        };
    }
    flag_rule(
        ctx,
        ApiServer,
        "authorization-mode",
        Some("AlwaysAllow"),
        expected,
        false,
        |v| v.is_some_and(ok),
    )
}

fn encryption_providers(ctx: &Ctx<'_>) -> Outcome {
    const EXPECTED: &str = "first provider for secrets is aescbc, aesgcm, secretbox or kms";
    let Some(api) = ctx.view.component(ApiServer) else {
        return missing_component(ApiServer, EXPECTED);
    };
    let Some(flag) = api.flag("encryption-provider-config") else {
        return Outcome {
            status: Status::Fail,
            expected: EXPECTED.to_string(),
            actual: "--encryption-provider-config not set: secrets are stored unencrypted"
                .to_string(),
            source: origin_source(ctx, ApiServer),
        };
    };
    let path = api.resolve_path(&flag.value);
    let source = SourceRef::new(&path, 0);
    let text = match ctx.snapshot.file(&path) {
        None | Some(FileRecord::NotFound) => {
            return Outcome {
                status: Status::NotFound,
                expected: EXPECTED.to_string(),
                actual: format!("encryption configuration {path} not found"),
                source,
            };
        }
        Some(FileRecord::Unreadable { reason, .. }) => {
            return Outcome {
                status: Status::Warn,
                expected: EXPECTED.to_string(),
                actual: format!("encryption configuration {path} unreadable: {reason}"),
                source,
            };
        }
        _ => ctx.snapshot.content(&path).unwrap_or_default(),
    };
    let root = match parse_config(text) {
        ConfigState::Loaded(root) => root,
        ConfigState::Broken(reason) => {
            return Outcome {
                status: Status::Warn,
                expected: EXPECTED.to_string(),
                actual: format!("encryption configuration {path}: {reason}"),
                source,
            };
        }
        _ => return outcome(Status::Warn, EXPECTED, "encryption configuration empty"),
    };
    for resource in root.get("resources").map(Node::items).unwrap_or_default() {
        let covers_secrets = resource
            .get("resources")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .any(|r| matches!(r.as_str(), Some("secrets" | "*.*" | "*.")));
        if !covers_secrets {
            continue;
        }
        let first = resource
            .get("providers")
            .and_then(|p| p.items().first())
            .and_then(|p| p.entries().first());
        let (name, line) = first.map_or(("none", 0), |e| (&*e.key, e.key_pos.line));
        let good = matches!(name, "aescbc" | "aesgcm" | "secretbox" | "kms");
        return Outcome {
            status: if good { Status::Warn } else { Status::Fail },
            expected: EXPECTED.to_string(),
            actual: format!("first provider for secrets: {name}"),
            source: SourceRef::new(&path, line),
        };
    }
    Outcome {
        status: Status::Fail,
        expected: EXPECTED.to_string(),
        actual: "no resources entry covers secrets".to_string(),
        source,
    }
}

fn etcd_unique_ca(ctx: &Ctx<'_>) -> Outcome {
    const EXPECTED: &str = "etcd --trusted-ca-file differs from the API server's --client-ca-file";
    let Some(etcd) = ctx.view.component(EtcdServer) else {
        return missing_component(EtcdServer, EXPECTED);
    };
    let Some(ca) = etcd.flag("trusted-ca-file") else {
        return Outcome {
            status: Status::Fail,
            expected: EXPECTED.to_string(),
            actual: "--trusted-ca-file not set".to_string(),
            source: origin_source(ctx, EtcdServer),
        };
    };
    let etcd_ca = etcd.resolve_path(&ca.value);
    let api_ca = ctx
        .view
        .component(ApiServer)
        .and_then(|a| a.flag("client-ca-file").map(|v| a.resolve_path(&v.value)));
    let same = api_ca.as_deref() == Some(etcd_ca.as_str());
    Outcome {
        status: judged(!same, true),
        expected: EXPECTED.to_string(),
        actual: match api_ca {
            Some(api) => format!("etcd CA {etcd_ca}, API server client CA {api}"),
            None => format!("etcd CA {etcd_ca}"),
        },
        source: SourceRef::new(&ca.file, ca.line),
    }
}

fn audit_policy_file(ctx: &Ctx<'_>) -> Result<(String, Option<SourceRef>), Outcome> {
    const EXPECTED: &str = "--audit-policy-file names an audit policy";
    let Some(api) = ctx.view.component(ApiServer) else {
        return Err(missing_component(ApiServer, EXPECTED));
    };
    let Some(flag) = api.flag("audit-policy-file") else {
        return Err(Outcome {
            status: Status::Fail,
            expected: EXPECTED.to_string(),
            actual: "--audit-policy-file not set: no audit events are recorded".to_string(),
            source: origin_source(ctx, ApiServer),
        });
    };
    let path = api.resolve_path(&flag.value);
    match ctx.snapshot.file(&path) {
        None | Some(FileRecord::NotFound) => Err(Outcome {
            status: Status::NotFound,
            expected: EXPECTED.to_string(),
            actual: format!("audit policy {path} not found"),
            source: SourceRef::new(&path, 0),
        }),
        Some(FileRecord::Unreadable { reason, .. }) => Err(Outcome {
            status: Status::Warn,
            expected: EXPECTED.to_string(),
            actual: format!("audit policy {path} unreadable: {reason}"),
            source: SourceRef::new(&path, 0),
        }),
        _ => Ok((path, SourceRef::new(&flag.file, flag.line))),
    }
}

fn audit_policy_exists(ctx: &Ctx<'_>) -> Outcome {
    match audit_policy_file(ctx) {
        Err(outcome) => outcome,
        Ok((path, source)) => Outcome {
            status: Status::Warn,
            expected: "--audit-policy-file names an audit policy".to_string(),
            actual: format!("audit policy {path}; review that it is minimal but sufficient"),
            source,
        },
    }
}

fn audit_policy_coverage(ctx: &Ctx<'_>) -> Outcome {
    const EXPECTED: &str = "audit rules cover secrets, configmaps and token reviews";
    let (path, _) = match audit_policy_file(ctx) {
        Err(mut outcome) => {
            outcome.expected = EXPECTED.to_string();
            return outcome;
        }
        Ok(found) => found,
    };
    let text = ctx.snapshot.content(&path).unwrap_or_default();
    let root = match parse_config(text) {
        ConfigState::Loaded(root) => root,
        ConfigState::Broken(reason) => {
            return Outcome {
                status: Status::Warn,
                expected: EXPECTED.to_string(),
                actual: format!("audit policy {path}: {reason}"),
                source: SourceRef::new(&path, 0),
            };
        }
        _ => return outcome(Status::Warn, EXPECTED, "audit policy empty"),
    };
    let rules = root.get("rules").map(Node::items).unwrap_or_default();
    let mentioned: Vec<&str> = ["secrets", "configmaps", "tokenreviews"]
        .into_iter()
        .filter(|name| text.contains(name))
        .collect();
    outcome(
        Status::Warn,
        EXPECTED,
        format!(
            "{} rule(s); mentions {}; review the levels against the cluster's risks",
            rules.len(),
            if mentioned.is_empty() {
                "none of secrets, configmaps, tokenreviews".to_string()
            } else {
                mentioned.join(", ")
            }
        ),
    )
}

fn kubelet_config_file_rule(ctx: &Ctx<'_>, mode: bool) -> Outcome {
    let expected = if mode {
        "permissions 600 or more restrictive"
    } else {
        "owned by root:root"
    };
    if ctx.view.component(Kubelet).is_none() {
        return missing_component(Kubelet, expected);
    }
    let Some(path) = kubelet_config_path(ctx) else {
        return outcome(
            Status::Info,
            expected,
            "the kubelet runs without --config; no config file to check",
        );
    };
    let paths = [path];
    if mode {
        mode_rule(ctx, "kubelet config file", &paths, 0o600, false)
    } else {
        owner_rule(ctx, "kubelet config file", &paths, "root:root", false)
    }
}

fn kubelet_tls_files(ctx: &Ctx<'_>) -> Outcome {
    const EXPECTED: &str = "tlsCertFile and tlsPrivateKeyFile set";
    let bootstrap = ctx.view.kubelet_setting(
        "rotate-server-certificates",
        &["serverTLSBootstrap"],
        Some("false"),
        Some("false"),
    );
    if bootstrap.as_ref().is_some_and(|s| is_true(Some(&s.value))) {
        return outcome(
            Status::Warn,
            EXPECTED,
            "serverTLSBootstrap is true: serving certificates are requested from the cluster; check they are approved",
        );
    }
    let cert = kubelet_rule(
        ctx,
        &KubeletRule {
            flag: "tls-cert-file",
            field: &["tlsCertFile"],
            config_default: None,
            flag_default: None,
            expected: EXPECTED,
            manual: true,
        },
        |v| v.is_some(),
    );
    if cert.status != Status::Warn {
        return cert;
    }
    let key = kubelet_rule(
        ctx,
        &KubeletRule {
            flag: "tls-private-key-file",
            field: &["tlsPrivateKeyFile"],
            config_default: None,
            flag_default: None,
            expected: EXPECTED,
            manual: true,
        },
        |v| v.is_some(),
    );
    if key.status != Status::Warn {
        return key;
    }
    Outcome {
        actual: format!("{}; {}", cert.actual, key.actual),
        ..cert
    }
}

fn kubelet_ip_address_deny(ctx: &Ctx<'_>) -> Outcome {
    const EXPECTED: &str = "IPAddressDeny=any in the kubelet's unit";
    let Some(kubelet) = ctx.view.component(Kubelet) else {
        return missing_component(Kubelet, EXPECTED);
    };
    match &kubelet.ip_address_deny {
        Some(deny) => Outcome {
            status: judged(deny.text.split_whitespace().any(|w| w == "any"), true),
            expected: EXPECTED.to_string(),
            actual: format!("IPAddressDeny={}", deny.text),
            source: SourceRef::new(&deny.file, deny.line),
        },
        None => Outcome {
            status: Status::Warn,
            expected: EXPECTED.to_string(),
            actual: "IPAddressDeny not set in the kubelet's unit".to_string(),
            source: origin_source(ctx, Kubelet),
        },
    }
}

fn proxy_metrics(ctx: &Ctx<'_>) -> Outcome {
    const EXPECTED: &str = "metrics bound to 127.0.0.1";
    let Some(proxy) = ctx.view.component(Proxy) else {
        return missing_component(Proxy, EXPECTED);
    };
    if proxy.flag("metrics-bind-address").is_none()
        && let Some(config) = proxy.flag("config")
    {
        let path = proxy.resolve_path(&config.value);
        if let Some(ConfigState::Loaded(root)) = ctx.snapshot.content(&path).map(parse_config) {
            if let Some(entry) = root.entry("metricsBindAddress") {
                let value = entry.value.scalar_text().unwrap_or_default().into_owned();
                return Outcome {
                    status: judged(value.starts_with("127.0.0.1"), false),
                    expected: EXPECTED.to_string(),
                    actual: format!("metricsBindAddress: {value}"),
                    source: SourceRef::new(&path, entry.key_pos.line),
                };
            }
        } else {
            return Outcome {
                status: Status::Warn,
                expected: EXPECTED.to_string(),
                actual: format!("kube-proxy reads {path}, which was not readable from this node"),
                source: SourceRef::new(&config.file, config.line),
            };
        }
    }
    flag_rule(
        ctx,
        Proxy,
        "metrics-bind-address",
        Some("127.0.0.1:10249"),
        EXPECTED,
        false,
        |v| v.is_some_and(|v| v.starts_with("127.0.0.1")),
    )
}

// ---------------------------------------------------------------------------------------------
// Running the benchmark.

/// What to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// The benchmark, or `None` to choose from the detected version.
    pub benchmark: Option<Benchmark>,
    /// The sections, or `None` for those that apply to what is on the node.
    pub targets: Option<Vec<Target>>,
}

/// The API server's insecure port and address were removed in Kubernetes 1.20 and no benchmark
/// release Palisade carries checks them; an old or hand-edited manifest that still sets them
/// is worth saying, since an unauthenticated port is the worst setting an API server can have.
fn obsolete_insecure_serving(view: &NodeView) -> Vec<String> {
    let Some(api) = view.component(ApiServer) else {
        return Vec::new();
    };
    let mut notes = Vec::new();
    if let Some(port) = api.flag("insecure-port")
        && port.value.trim() != "0"
    {
        notes.push(format!(
            "kube-apiserver: --insecure-port={} serves the API without authentication or \
             authorization (removed in Kubernetes 1.20; set it to 0 or remove it) at {}{}",
            port.value,
            port.file,
            if port.line > 0 {
                format!(":{}", port.line)
            } else {
                String::new()
            }
        ));
    }
    if let Some(address) = api.flag("insecure-bind-address") {
        notes.push(format!(
            "kube-apiserver: --insecure-bind-address={} is set (removed in Kubernetes 1.20)",
            address.value
        ));
    }
    notes
}

/// The results of a run.
#[derive(Debug, Clone)]
pub struct NodeReport {
    /// The benchmark used.
    pub benchmark: Benchmark,
    /// Whether it was chosen from the detected version.
    pub auto_selected: bool,
    /// The Kubernetes version detected, as `1.31`.
    pub detected_version: Option<String>,
    /// The sections run.
    pub targets: Vec<Target>,
    /// Where each component's command line was read.
    pub components: Vec<(String, String)>,
    /// Problems with the node's files that affect no single check.
    pub notes: Vec<String>,
    /// The results, in benchmark order.
    pub checks: Vec<CheckResult>,
}

impl NodeReport {
    /// Counts per status for one target (or all when `None`).
    pub fn totals(&self, target: Option<Target>) -> [usize; 5] {
        let mut counts = [0; 5];
        for c in self
            .checks
            .iter()
            .filter(|c| target.is_none_or(|t| c.target == t))
        {
            counts[c.status as usize] += 1;
        }
        counts
    }

    /// Whether a scored check failed (exit status 1).
    pub fn scored_failure(&self) -> bool {
        self.checks
            .iter()
            .any(|c| c.scored && c.status == Status::Fail)
    }
}

/// Runs the benchmark over a snapshot (and, for the policy section, a cluster dump).
pub fn evaluate(snapshot: &Snapshot, cluster: Option<&Inventory>, options: &Options) -> NodeReport {
    let view = resolve(snapshot);
    let version = view.version();
    let benchmark = options
        .benchmark
        .unwrap_or_else(|| Benchmark::for_version(version));
    let targets = options.targets.clone().unwrap_or_else(|| {
        let mut t = Vec::new();
        if view.component(ApiServer).is_some() {
            t.extend([Target::Master, Target::Controlplane]);
        }
        if view.component(EtcdServer).is_some() {
            t.push(Target::Etcd);
        }
        if view.component(Kubelet).is_some() || t.is_empty() {
            t.push(Target::Node);
        }
        if cluster.is_some() {
            t.push(Target::Policies);
        }
        t.sort();
        t
    });
    let ctx = Ctx {
        snapshot,
        view: &view,
        benchmark,
        cluster,
        users: id_names(snapshot.content("/etc/passwd")),
        groups: id_names(snapshot.content("/etc/group")),
    };
    let mut checks = Vec::new();
    for def in CATALOG.iter().filter(|d| targets.contains(&d.target)) {
        let Some(scored) = def.scored_in(benchmark) else {
            continue;
        };
        let outcome = (def.eval)(&ctx);
        checks.push(CheckResult {
            id: def.id,
            title: def.title,
            target: def.target,
            scored,
            status: outcome.status,
            expected: outcome.expected,
            actual: outcome.actual,
            source: outcome.source,
            remediation: def.remediation,
        });
    }
    let mut notes: Vec<String> = Vec::new();
    if targets.contains(&Target::Policies) {
        let (defaults, note) = admission::pod_security_defaults(snapshot, &view);
        notes.extend(note);
        checks.extend(policies::evaluate(cluster, benchmark, &defaults));
    }
    notes.extend(
        view.broken_manifests
            .iter()
            .map(|(path, reason)| format!("manifest {path} could not be read: {reason}")),
    );
    for c in &view.components {
        notes.extend(
            c.problems
                .iter()
                .map(|p| format!("{}: {p}", c.kind.binary())),
        );
    }
    notes.extend(obsolete_insecure_serving(&view));
    NodeReport {
        benchmark,
        auto_selected: options.benchmark.is_none(),
        detected_version: version.map(|(major, minor)| format!("{major}.{minor}")),
        targets,
        components: view
            .components
            .iter()
            .map(|c| (c.kind.binary().to_string(), c.origin.describe()))
            .collect(),
        notes,
        checks,
    }
}
