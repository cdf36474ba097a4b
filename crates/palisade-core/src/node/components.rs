//! Finding the Kubernetes components in a snapshot and the settings they run with: command
//! lines from running processes, else from static pod manifests, systemd units (with drop-ins
//! and environment files) or per-component argument files; the kubelet's `--config` file
//! resolved against the process's working directory (or the unit's `WorkingDirectory=`, or
//! `/`); and each kubelet setting taken from the command line, else the config file, else the
//! default that applies (the config file's defaults when a config file is used, the
//! command-line defaults otherwise).

use std::borrow::Cow;

use crate::document::{Node, Value, parse_stream};
use crate::node::embedded::EmbeddedNode;
use crate::node::flags::{Arg, FlagValue, Flags};
use crate::node::locations::{self, UNIT_DIRS};
use crate::node::snapshot::{FileRecord, Snapshot};
use crate::node::systemd::{self, UnitText};

/// A control-plane or node component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ComponentKind {
    /// kube-apiserver.
    ApiServer,
    /// kube-controller-manager.
    ControllerManager,
    /// kube-scheduler.
    Scheduler,
    /// etcd.
    Etcd,
    /// The kubelet.
    Kubelet,
    /// kube-proxy.
    Proxy,
}

impl ComponentKind {
    /// Every kind.
    pub const ALL: [ComponentKind; 6] = [
        ComponentKind::ApiServer,
        ComponentKind::ControllerManager,
        ComponentKind::Scheduler,
        ComponentKind::Etcd,
        ComponentKind::Kubelet,
        ComponentKind::Proxy,
    ];

    /// The binary's name.
    pub fn binary(self) -> &'static str {
        match self {
            ComponentKind::ApiServer => "kube-apiserver",
            ComponentKind::ControllerManager => "kube-controller-manager",
            ComponentKind::Scheduler => "kube-scheduler",
            ComponentKind::Etcd => "etcd",
            ComponentKind::Kubelet => "kubelet",
            ComponentKind::Proxy => "kube-proxy",
        }
    }
}

/// Where a component's command line was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A running process.
    Process {
        /// Its pid.
        pid: u32,
    },
    /// A static pod manifest.
    Manifest {
        /// The manifest's path.
        path: String,
    },
    /// A systemd unit and its drop-ins.
    Unit {
        /// The unit file and drop-ins, in the order applied.
        files: Vec<String>,
    },
    /// Run inside a k3s or RKE2 process, configured by its files and command line.
    Embedded {
        /// The configuration files and command line source, in the order applied.
        files: Vec<String>,
    },
    /// A file with one argument per line.
    ArgsFile {
        /// Its path.
        path: String,
    },
}

impl Origin {
    /// A short description for reports.
    pub fn describe(&self) -> String {
        match self {
            Origin::Process { pid } => format!("process {pid}"),
            Origin::Manifest { path } => format!("static pod manifest {path}"),
            Origin::Unit { files } => format!("systemd unit {}", files.join(" + ")),
            Origin::ArgsFile { path } => format!("argument file {path}"),
            Origin::Embedded { files } => format!("embedded, configured by {}", files.join(" + ")),
        }
    }
}

/// One component found on the node.
#[derive(Debug, Clone)]
pub struct Component {
    /// Which component.
    pub kind: ComponentKind,
    /// Where its command line came from.
    pub origin: Origin,
    /// Its static pod manifest when one exists (for the file permission checks), even when
    /// the command line came from the running process.
    pub manifest: Option<String>,
    /// Its flags.
    pub flags: Flags,
    /// The container image (manifests) or program path (processes and units).
    pub program: Option<String>,
    /// Where relative paths on its command line resolve.
    pub working_directory: String,
    /// The Kubernetes version read from the image tag or program path.
    pub version: Option<(u32, u32)>,
    /// Problems met while reading it (malformed manifest, missing environment file).
    pub problems: Vec<String>,
    /// For a unit: its `IPAddressDeny=`.
    pub ip_address_deny: Option<Arg>,
}

impl Component {
    /// A flag in force.
    pub fn flag(&self, name: &str) -> Option<&FlagValue> {
        self.flags.get(name)
    }

    /// Resolves a path given on this component's command line.
    pub fn resolve_path(&self, path: &str) -> String {
        join(&self.working_directory, path)
    }
}

/// Joins a relative path to a directory and removes `.` and `..` parts.
pub fn join(dir: &str, path: &str) -> String {
    let full = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{}/{path}", dir.trim_end_matches('/'))
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in full.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

/// The state of the kubelet's configuration file.
#[derive(Debug, Clone)]
pub enum ConfigState {
    /// No `--config` was given and no known default location exists.
    NotUsed,
    /// Parsed.
    Loaded(Node),
    /// Named but absent.
    NotFound,
    /// Named but unreadable or malformed, with the reason.
    Broken(String),
}

/// The kubelet's configuration file.
#[derive(Debug, Clone)]
pub struct KubeletConfig {
    /// Its resolved path (empty when not used).
    pub path: String,
    /// What was found there.
    pub state: ConfigState,
    /// Whether the path came from `--config` (rather than a distribution's default location).
    pub from_flag: bool,
    /// The `--config-dir` drop-ins (`*.conf`), in the order the kubelet merges them over the
    /// config file, each with its path.
    pub drop_ins: Vec<(String, ConfigState)>,
}

/// Where a kubelet setting's value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingSource {
    /// The command line.
    Flag,
    /// The configuration file.
    ConfigFile,
    /// The configuration file's default (a config file is in use and does not set it).
    ConfigDefault,
    /// The command-line default (no config file is in use).
    FlagDefault,
}

/// A kubelet setting in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    /// The value as text.
    pub value: String,
    /// Where it came from.
    pub source: SettingSource,
    /// The file that set it (none for defaults).
    pub file: Option<String>,
    /// The line there, 0 when unknown.
    pub line: u32,
}

impl Setting {
    /// The value and, for defaults, which default applied.
    pub fn describe(&self, flag: &str, field: &str) -> String {
        match self.source {
            SettingSource::Flag => format!("--{flag}={}", self.value),
            SettingSource::ConfigFile => format!("{field}: {}", self.value),
            SettingSource::ConfigDefault => {
                format!("{} (config file default; {field} not set)", self.value)
            }
            SettingSource::FlagDefault => format!(
                "{} (command-line default; --{flag} not set and no config file)",
                self.value
            ),
        }
    }
}

/// The components found on a node.
#[derive(Debug, Clone, Default)]
pub struct NodeView {
    /// Components by kind, at most one each.
    pub components: Vec<Component>,
    /// The kubelet's configuration file, when the kubelet was found.
    pub kubelet_config: Option<KubeletConfig>,
    /// The kubelet's unit file and drop-ins that exist.
    pub kubelet_unit_files: Vec<String>,
    /// Manifests that could not be parsed, with the reason.
    pub broken_manifests: Vec<(String, String)>,
}

impl NodeView {
    /// The component of a kind.
    pub fn component(&self, kind: ComponentKind) -> Option<&Component> {
        self.components.iter().find(|c| c.kind == kind)
    }

    /// The detected Kubernetes version: the API server's, else the kubelet's, else any.
    pub fn version(&self) -> Option<(u32, u32)> {
        [ComponentKind::ApiServer, ComponentKind::Kubelet]
            .iter()
            .find_map(|k| self.component(*k).and_then(|c| c.version))
            .or_else(|| self.components.iter().find_map(|c| c.version))
    }

    /// A kubelet setting: command line, else config file, else the default that applies.
    /// `config_path` is the field's path in the KubeletConfiguration.
    pub fn kubelet_setting(
        &self,
        flag: &str,
        config_path: &[&str],
        config_default: Option<&str>,
        flag_default: Option<&str>,
    ) -> Option<Setting> {
        let kubelet = self.component(ComponentKind::Kubelet)?;
        if let Some(value) = kubelet.flag(flag) {
            return Some(Setting {
                value: value.value.clone(),
                source: SettingSource::Flag,
                file: Some(value.file.clone()),
                line: value.line,
            });
        }
        let config = self.kubelet_config.as_ref();
        let drop_ins = config.map(|c| c.drop_ins.as_slice()).unwrap_or_default();
        // Drop-ins override the config file, the last one most.
        let layers = drop_ins
            .iter()
            .rev()
            .map(|(path, state)| (path, state))
            .chain(config.map(|c| (&c.path, &c.state)));
        let mut file_in_use = false;
        for (path, state) in layers {
            let ConfigState::Loaded(root) = state else {
                continue;
            };
            file_in_use = true;
            if let Some((node, line)) = lookup(root, config_path) {
                return Some(Setting {
                    value: node_text(node),
                    source: SettingSource::ConfigFile,
                    file: Some(path.clone()),
                    line,
                });
            }
        }
        if file_in_use {
            return config_default.map(|v| Setting {
                value: v.to_string(),
                source: SettingSource::ConfigDefault,
                file: None,
                line: 0,
            });
        }
        flag_default.map(|v| Setting {
            value: v.to_string(),
            source: SettingSource::FlagDefault,
            file: None,
            line: 0,
        })
    }
}

fn lookup<'n>(root: &'n Node, path: &[&str]) -> Option<(&'n Node, u32)> {
    let (last, parents) = path.split_last()?;
    let parent = root.path(parents)?;
    let entry = parent.entry(last)?;
    if entry.value.is_null() {
        return None;
    }
    Some((&entry.value, entry.key_pos.line))
}

/// A config value as text; sequences joined with commas.
pub fn node_text(node: &Node) -> String {
    match &node.value {
        Value::Seq(items) => items.iter().map(node_text).collect::<Vec<_>>().join(","),
        Value::Map(entries) => entries
            .iter()
            .map(|e| format!("{}={}", e.key, node_text(&e.value)))
            .collect::<Vec<_>>()
            .join(","),
        _ => node.scalar_text().map(Cow::into_owned).unwrap_or_default(),
    }
}

/// Reads `v1.31.2` (or `1.31`) out of an image tag or a path.
pub fn version_in(text: &str) -> Option<(u32, u32)> {
    let bytes = text.as_bytes();
    for (i, _) in text.match_indices('v') {
        let rest = &text[i + 1..];
        if i > 0 && bytes[i - 1].is_ascii_alphanumeric() {
            continue;
        }
        let mut parts = rest.split(|c: char| !c.is_ascii_digit());
        let major = parts.next()?.parse::<u32>().ok();
        let minor = parts.next().and_then(|m| m.parse::<u32>().ok());
        if let (Some(1), Some(minor)) = (major, minor)
            && rest.as_bytes().get(1) == Some(&b'.')
        {
            return Some((1, minor));
        }
    }
    None
}

fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn kind_of_program(program: &str) -> Option<ComponentKind> {
    let name = basename(program);
    ComponentKind::ALL.into_iter().find(|k| k.binary() == name)
}

/// The manifest files of every known manifest directory, in directory then name order.
pub fn manifest_files(snapshot: &Snapshot) -> Vec<String> {
    let mut out = Vec::new();
    for dir in locations::all(|d| d.manifest_dirs) {
        for name in snapshot.entries(dir) {
            if is_manifest_name(name) {
                out.push(format!("{dir}/{name}"));
            }
        }
    }
    out
}

/// Whether a path ends with `.ext`, ignoring case.
pub fn has_extension(path: &str, ext: &str) -> bool {
    std::path::Path::new(path)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case(ext))
}

/// Whether a file name looks like a static pod manifest.
pub fn is_manifest_name(name: &str) -> bool {
    !name.starts_with('.')
        && [".yaml", ".yml", ".json", ".manifest"]
            .iter()
            .any(|ext| name.ends_with(ext))
}

struct ManifestContainer {
    kind: ComponentKind,
    path: String,
    argv: Vec<Arg>,
    image: Option<String>,
}

fn containers_in_manifest(path: &str, text: &str) -> Result<Vec<ManifestContainer>, String> {
    let parsed = parse_stream(text);
    if let Some(problem) = parsed.problems.iter().find(|p| p.fatal) {
        return Err(format!("line {}: {}", problem.pos.line, problem.message));
    }
    let mut out = Vec::new();
    for doc in &parsed.documents {
        let Some(containers) = doc.root.path(&["spec", "containers"]) else {
            continue;
        };
        for container in containers.items() {
            let mut argv: Vec<Arg> = Vec::new();
            for field in ["command", "args"] {
                for item in container.get(field).map(Node::items).unwrap_or_default() {
                    if let Some(text) = item.scalar_text() {
                        argv.push(Arg {
                            text: text.into_owned(),
                            file: path.to_string(),
                            line: item.pos.line,
                        });
                    }
                }
            }
            let image = container.get("image").and_then(Node::as_str);
            let by_program = argv.first().and_then(|a| kind_of_program(&a.text));
            let by_name = container
                .get("name")
                .and_then(Node::as_str)
                .and_then(kind_of_program);
            if let Some(kind) = by_program.or(by_name) {
                out.push(ManifestContainer {
                    kind,
                    path: path.to_string(),
                    argv,
                    image: image.map(str::to_string),
                });
            }
        }
    }
    Ok(out)
}

/// The kubelet's unit file and drop-ins in the order systemd applies them.
pub fn unit_files(snapshot: &Snapshot, unit: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(main) = UNIT_DIRS
        .iter()
        .map(|dir| format!("{dir}/{unit}"))
        .find(|p| snapshot.file(p).is_some_and(FileRecord::exists))
    {
        out.push(main);
    } else {
        return out;
    }
    let mut drop_ins: Vec<(String, String)> = Vec::new();
    for dir in UNIT_DIRS {
        let drop_dir = format!("{dir}/{unit}.d");
        for name in snapshot.entries(&drop_dir) {
            if has_extension(name, "conf") && !drop_ins.iter().any(|(n, _)| n == name) {
                drop_ins.push((name.clone(), format!("{drop_dir}/{name}")));
            }
        }
    }
    drop_ins.sort();
    out.extend(drop_ins.into_iter().map(|(_, path)| path));
    out
}

fn component_from_argv(kind: ComponentKind, origin: Origin, argv: &[Arg], cwd: &str) -> Component {
    let program = argv.first().map(|a| a.text.clone());
    let version = program.as_deref().and_then(version_in);
    Component {
        kind,
        origin,
        manifest: None,
        flags: Flags::parse(argv.get(1..).unwrap_or_default()),
        program,
        working_directory: cwd.to_string(),
        version,
        problems: Vec::new(),
        ip_address_deny: None,
    }
}

/// Finds the components and the kubelet's configuration in a snapshot.
pub fn resolve(snapshot: &Snapshot) -> NodeView {
    let mut view = NodeView::default();
    let mut manifest_components: Vec<ManifestContainer> = Vec::new();
    let embedded = EmbeddedNode::find(snapshot);
    for path in manifest_files(snapshot) {
        match snapshot.file(&path) {
            Some(FileRecord::File {
                content: Some(text),
                ..
            }) => match containers_in_manifest(&path, text) {
                Ok(found) => manifest_components.extend(found),
                Err(reason) => view.broken_manifests.push((path, reason)),
            },
            Some(FileRecord::Unreadable { reason, .. }) => {
                view.broken_manifests.push((path, reason.clone()));
            }
            _ => {}
        }
    }
    for kind in ComponentKind::ALL {
        let from_manifest = manifest_components.iter().find(|m| m.kind == kind);
        let process = snapshot.processes.iter().find(|p| {
            p.argv
                .first()
                .and_then(|a| kind_of_program(a))
                .is_some_and(|k| k == kind)
        });
        let mut component = if let Some(process) = process {
            let file = format!("/proc/{}/cmdline", process.pid);
            let argv: Vec<Arg> = process
                .argv
                .iter()
                .map(|text| Arg {
                    text: text.clone(),
                    file: file.clone(),
                    line: 0,
                })
                .collect();
            component_from_argv(
                kind,
                Origin::Process { pid: process.pid },
                &argv,
                process.cwd.as_deref().unwrap_or("/"),
            )
        } else if let Some(m) = from_manifest {
            component_from_argv(
                kind,
                Origin::Manifest {
                    path: m.path.clone(),
                },
                &m.argv,
                "/",
            )
        } else {
            let found = if kind == ComponentKind::Kubelet {
                kubelet_from_units(snapshot, &mut view)
            } else {
                from_args_file(snapshot, kind)
            };
            match found.or_else(|| embedded.as_ref()?.component(kind, snapshot)) {
                Some(c) => c,
                None => continue,
            }
        };
        if let Some(m) = from_manifest {
            component.manifest = Some(m.path.clone());
            if let Some(image) = &m.image {
                component.version = version_in(image).or(component.version);
                component.program.get_or_insert_with(|| image.clone());
            }
        }
        view.components.push(component);
    }
    if view.component(ComponentKind::Kubelet).is_some() && view.kubelet_unit_files.is_empty() {
        view.kubelet_unit_files = locations::all(|d| d.kubelet_units)
            .iter()
            .map(|unit| unit_files(snapshot, unit))
            .find(|files| !files.is_empty())
            .unwrap_or_default();
    }
    for component in &mut view.components {
        if component.kind == ComponentKind::Etcd {
            apply_etcd_config_file(snapshot, component);
        }
    }
    view.kubelet_config = view
        .component(ComponentKind::Kubelet)
        .map(|kubelet| kubelet_config(snapshot, kubelet));
    view
}

/// etcd's `--config-file`: its settings apply where no flag gives them. The file's keys are
/// the flag names, except that TLS settings sit under `client-transport-security` (flag names
/// as they are) and `peer-transport-security` (flag names with `peer-`).
fn apply_etcd_config_file(snapshot: &Snapshot, etcd: &mut Component) {
    let Some(flag) = etcd.flag("config-file") else {
        return;
    };
    let path = etcd.resolve_path(&flag.value);
    let root = match config_file_state(snapshot, &path) {
        ConfigState::Loaded(root) => root,
        ConfigState::NotFound => {
            etcd.problems
                .push(format!("etcd --config-file {path} not found"));
            return;
        }
        ConfigState::NotUsed => return,
        ConfigState::Broken(reason) => {
            etcd.problems
                .push(format!("etcd --config-file {path}: {reason}"));
            return;
        }
    };
    let mut values = Vec::new();
    let mut push = |name: String, node: &Node, line: u32| {
        if node.is_null() || matches!(node.value, Value::Map(_)) {
            return;
        }
        values.push(FlagValue {
            name,
            value: node_text(node),
            file: path.clone(),
            line,
        });
    };
    for entry in root.entries() {
        let prefix = match entry.key.as_ref() {
            "client-transport-security" => Some(""),
            "peer-transport-security" => Some("peer-"),
            _ => None,
        };
        match prefix {
            Some(prefix) => {
                for inner in entry.value.entries() {
                    push(
                        format!("{prefix}{}", inner.key),
                        &inner.value,
                        inner.key_pos.line,
                    );
                }
            }
            None => push(entry.key.to_string(), &entry.value, entry.key_pos.line),
        }
    }
    etcd.flags.prepend(values);
}

fn kubelet_from_units(snapshot: &Snapshot, view: &mut NodeView) -> Option<Component> {
    for unit in locations::all(|d| d.kubelet_units) {
        let files = unit_files(snapshot, unit);
        if files.is_empty() {
            continue;
        }
        let texts: Vec<UnitText<'_>> = files
            .iter()
            .filter_map(|path| snapshot.content(path).map(|text| UnitText { path, text }))
            .collect();
        let service = systemd::resolve_service(&texts, |path| snapshot.content(path));
        let kubelet_argv = kubelet_argv(&service.argv);
        let Some(argv) = kubelet_argv else {
            continue;
        };
        let mut component = component_from_argv(
            ComponentKind::Kubelet,
            Origin::Unit {
                files: files.clone(),
            },
            argv,
            service.working_directory.as_deref().unwrap_or("/"),
        );
        component.problems.extend(
            service
                .missing_environment_files
                .iter()
                .map(|p| format!("environment file {p} is missing")),
        );
        component.ip_address_deny = service.ip_address_deny;
        view.kubelet_unit_files = files;
        return Some(component);
    }
    from_args_file(snapshot, ComponentKind::Kubelet)
}

/// The kubelet's part of a unit's command line: the whole of it, or for k3s/RKE2 style
/// servers that embed the kubelet, the `--kubelet-arg` values.
fn kubelet_argv(argv: &[Arg]) -> Option<&[Arg]> {
    let program = argv.first()?;
    (basename(&program.text) == "kubelet").then_some(argv)
}

fn from_args_file(snapshot: &Snapshot, kind: ComponentKind) -> Option<Component> {
    for dir in locations::all(|d| d.args_dirs) {
        let path = format!("{dir}/{}", kind.binary());
        let Some(text) = snapshot.content(&path) else {
            continue;
        };
        let mut argv = vec![Arg {
            text: kind.binary().to_string(),
            file: path.clone(),
            line: 0,
        }];
        for (index, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            argv.push(Arg {
                text: line.to_string(),
                file: path.clone(),
                line: index as u32 + 1,
            });
        }
        return Some(component_from_argv(
            kind,
            Origin::ArgsFile { path },
            &argv,
            "/",
        ));
    }
    None
}

fn kubelet_config(snapshot: &Snapshot, kubelet: &Component) -> KubeletConfig {
    let drop_ins = match kubelet.flag("config-dir") {
        Some(flag) => {
            let dir = kubelet.resolve_path(&flag.value);
            let mut names: Vec<&String> = snapshot
                .entries(&dir)
                .iter()
                .filter(|n| has_extension(n, "conf"))
                .collect();
            names.sort();
            names
                .into_iter()
                .map(|name| {
                    let path = format!("{dir}/{name}");
                    let state = config_file_state(snapshot, &path);
                    (path, state)
                })
                .collect()
        }
        None => Vec::new(),
    };
    let (path, from_flag) = match kubelet.flag("config") {
        Some(flag) => (kubelet.resolve_path(&flag.value), true),
        // Without --config the kubelet reads no file, even if one lies at a usual place.
        None => {
            return KubeletConfig {
                path: String::new(),
                state: ConfigState::NotUsed,
                from_flag: false,
                drop_ins,
            };
        }
    };
    let state = config_file_state(snapshot, &path);
    KubeletConfig {
        path,
        state,
        from_flag,
        drop_ins,
    }
}

fn config_file_state(snapshot: &Snapshot, path: &str) -> ConfigState {
    match snapshot.file(path) {
        None | Some(FileRecord::NotFound) => ConfigState::NotFound,
        Some(FileRecord::Unreadable { reason, .. }) => ConfigState::Broken(reason.clone()),
        Some(FileRecord::Directory { .. }) => ConfigState::Broken("is a directory".to_string()),
        Some(FileRecord::File { content: None, .. }) => {
            ConfigState::Broken("content was not collected".to_string())
        }
        Some(FileRecord::File {
            content: Some(text),
            ..
        }) => parse_config(text),
    }
}

/// Parses a YAML or JSON configuration file into its first document's root mapping.
pub fn parse_config(text: &str) -> ConfigState {
    let parsed = parse_stream(text);
    if let Some(problem) = parsed.problems.iter().find(|p| p.fatal) {
        return ConfigState::Broken(format!(
            "malformed at line {}: {}",
            problem.pos.line, problem.message
        ));
    }
    match parsed.documents.into_iter().next() {
        Some(doc) if matches!(doc.root.value, Value::Map(_)) => ConfigState::Loaded(doc.root),
        Some(doc) => ConfigState::Broken(format!(
            "malformed: expected a mapping, found {}",
            doc.root.type_name()
        )),
        None => ConfigState::Broken("malformed: empty file".to_string()),
    }
}

/// Every path the checks may look at given what the snapshot already shows: files named on
/// command lines (kubelet config, kubeconfigs, CA files, encryption and audit configuration),
/// environment files of units, and data directories. The collector reads these in rounds
/// until nothing new is named. `true` marks paths whose content is needed.
pub fn referenced_paths(snapshot: &Snapshot) -> Vec<(String, bool)> {
    let mut out: Vec<(String, bool)> = Vec::new();
    for unit in locations::all(|d| d.kubelet_units) {
        let files = unit_files(snapshot, unit);
        let texts: Vec<UnitText<'_>> = files
            .iter()
            .filter_map(|path| snapshot.content(path).map(|text| UnitText { path, text }))
            .collect();
        for (path, _) in systemd::environment_files(&texts) {
            out.push((path, true));
        }
    }
    let view = resolve(snapshot);
    for c in &view.components {
        let content_flags: &[&str] = match c.kind {
            ComponentKind::Kubelet => &["config", "config-dir"],
            ComponentKind::Etcd => &["config-file"],
            ComponentKind::Proxy => &["config"],
            ComponentKind::ApiServer => &[
                "encryption-provider-config",
                "audit-policy-file",
                "authorization-config",
            ],
            _ => &[],
        };
        for flag in content_flags {
            if let Some(v) = c.flag(flag) {
                out.push((c.resolve_path(&v.value), true));
            }
        }
        for flag in [
            "kubeconfig",
            "client-ca-file",
            "tls-cert-file",
            "tls-private-key-file",
            "data-dir",
            "trusted-ca-file",
            "cni-conf-dir",
        ] {
            if let Some(v) = c.flag(flag) {
                out.push((c.resolve_path(&v.value), false));
            }
        }
        if let Some(v) = c.flag("client-ca-file").or_else(|| c.flag("tls-cert-file")) {
            let path = c.resolve_path(&v.value);
            if let Some((dir, _)) = path.rsplit_once('/') {
                out.push((dir.to_string(), false));
            }
        }
    }
    out.extend(
        super::admission::referenced_paths(snapshot, &view)
            .into_iter()
            .map(|path| (path, true)),
    );
    if let Some(KubeletConfig {
        path,
        state: ConfigState::Loaded(root),
        ..
    }) = &view.kubelet_config
    {
        let dir = path.rsplit_once('/').map_or("/", |(d, _)| d);
        for field in [
            &["authentication", "x509", "clientCAFile"][..],
            &["tlsCertFile"],
        ] {
            if let Some(value) = root.path(field).and_then(Node::as_str) {
                out.push((join(dir, value), false));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_from_tags_and_paths() {
        assert_eq!(
            version_in("registry.k8s.io/kube-apiserver:v1.31.2"),
            Some((1, 31))
        );
        assert_eq!(
            version_in("/var/lib/minikube/binaries/v1.23.1/kubelet"),
            Some((1, 23))
        );
        assert_eq!(version_in("registry.k8s.io/etcd:3.5.1-0"), None);
        assert_eq!(version_in("/usr/bin/kubelet"), None);
    }

    #[test]
    fn paths_join_and_normalise() {
        assert_eq!(
            join("/var/lib/kubelet", "config.yaml"),
            "/var/lib/kubelet/config.yaml"
        );
        assert_eq!(join("/var/lib/kubelet", "../x/./y"), "/var/lib/x/y");
        assert_eq!(join("/", "/etc/a"), "/etc/a");
    }
}
