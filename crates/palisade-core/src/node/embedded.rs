//! Components that k3s and RKE2 run inside their own process. Their flags are not on any
//! component command line: they come from the distribution's configuration file
//! (`/etc/rancher/<dist>/config.yaml`), its drop-ins (`config.yaml.d/*.yaml`, in name order)
//! and the server or agent command line, as `kubelet-arg`, `kube-apiserver-arg` and the like.
//! Files are applied in that order, a key replacing what earlier files said unless written
//! `key+:` (append), and command-line values come last; since the last occurrence of a
//! component flag wins, later drop-ins and later flags win. A few settings the distribution
//! passes on its own are put first, marked as such, so that a user's value still overrides.

use crate::document::{Node, Value};
use crate::node::components::{Component, ComponentKind, Origin, has_extension, version_in};
use crate::node::flags::{Arg, Flags};
use crate::node::snapshot::{FileRecord, Snapshot};
use crate::node::systemd::{self, UnitText};

/// A distribution that embeds the components.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmbeddingDistribution {
    /// Its name and program name.
    pub name: &'static str,
    /// Its configuration file.
    pub config: &'static str,
    /// Its configuration drop-in directory.
    pub config_dir: &'static str,
    /// Its systemd units, the server's first.
    pub units: &'static [&'static str],
    /// Where it writes the kubelet's own configuration drop-ins.
    pub kubelet_config_dir: &'static str,
    /// Whether its server embeds the control plane (RKE2 runs it as static pods instead).
    pub embeds_control_plane: bool,
    /// Whether its server always runs etcd (k3s only with `cluster-init`).
    pub always_etcd: bool,
}

/// The distributions that embed components.
pub const EMBEDDING: &[EmbeddingDistribution] = &[
    EmbeddingDistribution {
        name: "k3s",
        config: "/etc/rancher/k3s/config.yaml",
        config_dir: "/etc/rancher/k3s/config.yaml.d",
        units: &["k3s.service", "k3s-agent.service"],
        kubelet_config_dir: "/var/lib/rancher/k3s/agent/etc/kubelet.conf.d",
        embeds_control_plane: true,
        always_etcd: false,
    },
    EmbeddingDistribution {
        name: "rke2",
        config: "/etc/rancher/rke2/config.yaml",
        config_dir: "/etc/rancher/rke2/config.yaml.d",
        units: &["rke2-server.service", "rke2-agent.service"],
        kubelet_config_dir: "/var/lib/rancher/rke2/agent/etc/kubelet.conf.d",
        embeds_control_plane: false,
        always_etcd: true,
    },
];

/// The configuration key that carries a component's arguments.
fn arg_key(kind: ComponentKind) -> &'static str {
    match kind {
        ComponentKind::ApiServer => "kube-apiserver-arg",
        ComponentKind::ControllerManager => "kube-controller-manager-arg",
        ComponentKind::Scheduler => "kube-scheduler-arg",
        ComponentKind::Etcd => "etcd-arg",
        ComponentKind::Kubelet => "kubelet-arg",
        ComponentKind::Proxy => "kube-proxy-arg",
    }
}

/// The file name recorded for arguments the distribution passes itself.
pub(crate) const BUILT_IN: &str = "(built-in arguments)";

/// Settings k3s passes to the components it embeds whatever the user configures; listed so
/// that a setting the user leaves alone is not judged by the upstream default. RKE2 runs its
/// kubelet with the same agent code (as a child process: on a live node its command line is
/// read from `/proc`), so the kubelet's list holds for both; RKE2's control plane and
/// kube-proxy are static pods, read from their manifests.
///
/// Checked against k3s's own server and agent sources (a release for Kubernetes 1.30 or later:
/// it leaves out `--anonymous-auth` and `--authorization-mode` when the user gives
/// `--authentication-config` or `--authorization-config`, which Palisade does not model) and
/// the k3s and RKE2 CIS self-assessment configurations for CIS 1.9 and 1.10. Paths under the
/// data directory are in [`EmbeddedNode::built_in_files`].
fn built_in(kind: ComponentKind) -> &'static [&'static str] {
    match kind {
        ComponentKind::ApiServer => &[
            "--anonymous-auth=false",
            "--authorization-mode=Node,RBAC",
            "--enable-admission-plugins=NodeRestriction",
            "--profiling=false",
        ],
        ComponentKind::ControllerManager => &[
            "--profiling=false",
            "--use-service-account-credentials=true",
            "--bind-address=127.0.0.1",
        ],
        ComponentKind::Scheduler => &["--profiling=false", "--bind-address=127.0.0.1"],
        // Written to the etcd config file k3s generates (client- and peer-transport-security).
        ComponentKind::Etcd => &["--client-cert-auth=true", "--peer-client-cert-auth=true"],
        ComponentKind::Kubelet => &[
            "--anonymous-auth=false",
            "--authorization-mode=Webhook",
            "--authentication-token-webhook=true",
            "--read-only-port=0",
        ],
        ComponentKind::Proxy => &[],
    }
}

/// Whether the node is a server or an agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Runs the control plane and a kubelet.
    Server,
    /// Runs a kubelet and kube-proxy.
    Agent,
}

/// A k3s or RKE2 installation and the arguments it gives each component.
#[derive(Debug, Clone)]
pub struct EmbeddedNode {
    /// Which distribution.
    pub distribution: EmbeddingDistribution,
    /// Server or agent.
    pub role: Role,
    /// The files that configured it, in the order applied (command line last).
    pub files: Vec<String>,
    /// The program, as the command line named it.
    pub program: String,
    /// Top-level settings and component arguments, in order: `(key, value arg)`.
    settings: Vec<(String, Arg)>,
}

/// One configuration file's entries as `(key, append, values)`.
fn config_entries(path: &str, root: &Node) -> Vec<(String, bool, Vec<Arg>)> {
    let mut out = Vec::new();
    for entry in root.entries() {
        let (key, append) = match entry.key.strip_suffix('+') {
            Some(key) => (key.to_string(), true),
            None => (entry.key.to_string(), false),
        };
        let values: Vec<&Node> = match &entry.value.value {
            Value::Seq(items) => items.iter().collect(),
            _ => vec![&entry.value],
        };
        let args = values
            .into_iter()
            .filter_map(|node| {
                node.scalar_text().map(|text| Arg {
                    text: text.into_owned(),
                    file: path.to_string(),
                    line: node.pos.line,
                })
            })
            .collect();
        out.push((key, append, args));
    }
    out
}

/// The command line of the server or agent: a running process, else the systemd unit.
fn command_line(
    snapshot: &Snapshot,
    dist: &EmbeddingDistribution,
) -> Option<(Vec<Arg>, Vec<String>)> {
    for process in &snapshot.processes {
        let mut words = process
            .argv
            .iter()
            .flat_map(|a| a.split_whitespace())
            .map(str::to_string);
        let Some(program) = words.next() else {
            continue;
        };
        if program.rsplit('/').next() != Some(dist.name) {
            continue;
        }
        let file = format!("/proc/{}/cmdline", process.pid);
        let argv = std::iter::once(program)
            .chain(words)
            .map(|text| Arg {
                text,
                file: file.clone(),
                line: 0,
            })
            .collect();
        return Some((argv, vec![file]));
    }
    for unit in dist.units {
        let files = crate::node::components::unit_files(snapshot, unit);
        if files.is_empty() {
            continue;
        }
        let texts: Vec<UnitText<'_>> = files
            .iter()
            .filter_map(|path| snapshot.content(path).map(|text| UnitText { path, text }))
            .collect();
        let service = systemd::resolve_service(&texts, |path| snapshot.content(path));
        let program = service.argv.first()?;
        if program.text.rsplit('/').next() == Some(dist.name) {
            return Some((service.argv, files));
        }
    }
    None
}

impl EmbeddedNode {
    /// Finds a k3s or RKE2 installation in a snapshot.
    pub fn find(snapshot: &Snapshot) -> Option<EmbeddedNode> {
        EMBEDDING
            .iter()
            .find_map(|dist| Self::find_one(snapshot, dist))
    }

    fn find_one(snapshot: &Snapshot, dist: &EmbeddingDistribution) -> Option<EmbeddedNode> {
        let command = command_line(snapshot, dist);
        let config_exists = snapshot.file(dist.config).is_some_and(FileRecord::exists);
        if command.is_none() && !config_exists {
            return None;
        }
        let (argv, command_files) = command.unwrap_or_default();
        let role = match argv.get(1).map(|a| a.text.as_str()) {
            Some("agent") => Role::Agent,
            _ => Role::Server,
        };
        let flags = Flags::parse(argv.get(2..).unwrap_or_default());
        let config = flags
            .get("config")
            .or_else(|| flags.get("c"))
            .map_or_else(|| dist.config.to_string(), |f| f.value.clone());
        let mut config_files = vec![config.clone()];
        if config == dist.config {
            let mut names: Vec<&String> = snapshot
                .entries(dist.config_dir)
                .iter()
                .filter(|n| has_extension(n, "yaml") || has_extension(n, "yml"))
                .collect();
            names.sort();
            config_files.extend(
                names
                    .into_iter()
                    .map(|n| format!("{}/{n}", dist.config_dir)),
            );
        }
        let mut settings: Vec<(String, Arg)> = Vec::new();
        let mut files = Vec::new();
        for path in &config_files {
            let Some(text) = snapshot.content(path) else {
                continue;
            };
            let crate::node::components::ConfigState::Loaded(root) =
                crate::node::components::parse_config(text)
            else {
                continue;
            };
            files.push(path.clone());
            for (key, append, values) in config_entries(path, &root) {
                if !append {
                    settings.retain(|(k, _)| *k != key);
                }
                settings.extend(values.into_iter().map(|v| (key.clone(), v)));
            }
        }
        for flag in flags.all() {
            settings.push((
                flag.name.clone(),
                Arg {
                    text: flag.value.clone(),
                    file: flag.file.clone(),
                    line: flag.line,
                },
            ));
        }
        files.extend(command_files);
        Some(EmbeddedNode {
            distribution: *dist,
            role,
            files,
            program: argv
                .first()
                .map_or_else(|| dist.name.to_string(), |a| a.text.clone()),
            settings,
        })
    }

    /// The last value of a top-level setting.
    pub fn setting(&self, key: &str) -> Option<&Arg> {
        self.settings
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    fn is_true(&self, key: &str) -> bool {
        self.setting(key).is_some_and(|a| a.text == "true")
    }

    /// Whether the installation runs a component.
    pub fn runs(&self, kind: ComponentKind, snapshot: &Snapshot) -> bool {
        match (self.role, kind) {
            (_, ComponentKind::Kubelet | ComponentKind::Proxy) => true,
            (Role::Agent, _) => false,
            (Role::Server, ComponentKind::Etcd) => {
                self.distribution.always_etcd
                    || self.is_true("cluster-init")
                    || self.setting("etcd-arg").is_some()
                    || snapshot
                        .file(&format!(
                            "/var/lib/rancher/{}/server/db/etcd",
                            self.distribution.name
                        ))
                        .is_some_and(FileRecord::exists)
            }
            (Role::Server, _) => self.distribution.embeds_control_plane,
        }
    }

    /// The files the distribution points a component at under its data directory, as
    /// arguments.
    fn built_in_files(&self, kind: ComponentKind, snapshot: &Snapshot) -> Vec<String> {
        // Files the distribution points its components at under its data directory.
        let data_dir = self.setting("data-dir").map_or_else(
            || format!("/var/lib/rancher/{}", self.distribution.name),
            |a| a.text.trim_end_matches('/').to_string(),
        );
        let files: &[(&str, &str)] = match kind {
            ComponentKind::Kubelet => &[
                ("kubeconfig", "agent/kubelet.kubeconfig"),
                ("client-ca-file", "agent/client-ca.crt"),
                ("tls-cert-file", "agent/serving-kubelet.crt"),
                ("tls-private-key-file", "agent/serving-kubelet.key"),
            ],
            ComponentKind::ApiServer if self.distribution.embeds_control_plane => &[
                ("client-ca-file", "server/tls/client-ca.crt"),
                ("tls-cert-file", "server/tls/serving-kube-apiserver.crt"),
                (
                    "tls-private-key-file",
                    "server/tls/serving-kube-apiserver.key",
                ),
                ("service-account-key-file", "server/tls/service.key"),
                (
                    "kubelet-client-certificate",
                    "server/tls/client-kube-apiserver.crt",
                ),
                ("kubelet-client-key", "server/tls/client-kube-apiserver.key"),
                ("kubelet-certificate-authority", "server/tls/server-ca.crt"),
            ],
            ComponentKind::ControllerManager if self.distribution.embeds_control_plane => &[
                ("root-ca-file", "server/tls/server-ca.crt"),
                // The signing key; `service.key` holds every key still accepted.
                (
                    "service-account-private-key-file",
                    "server/tls/service.current.key",
                ),
            ],
            ComponentKind::Etcd if self.distribution.embeds_control_plane => &[
                ("data-dir", "server/db/etcd"),
                ("cert-file", "server/tls/etcd/server-client.crt"),
                ("key-file", "server/tls/etcd/server-client.key"),
                ("trusted-ca-file", "server/tls/etcd/server-ca.crt"),
                ("peer-cert-file", "server/tls/etcd/peer-server-client.crt"),
                ("peer-key-file", "server/tls/etcd/peer-server-client.key"),
                ("peer-trusted-ca-file", "server/tls/etcd/peer-ca.crt"),
            ],
            ComponentKind::Proxy => &[("kubeconfig", "agent/kubeproxy.kubeconfig")],
            _ => &[],
        };
        let embedded_etcd = self.runs(ComponentKind::Etcd, snapshot);
        let mut files = files.to_vec();
        if kind == ComponentKind::ApiServer
            && self.distribution.embeds_control_plane
            && embedded_etcd
        {
            files.extend([
                ("etcd-cafile", "server/tls/etcd/server-ca.crt"),
                ("etcd-certfile", "server/tls/etcd/client.crt"),
                ("etcd-keyfile", "server/tls/etcd/client.key"),
            ]);
        }
        if kind == ComponentKind::ApiServer && self.is_true("secrets-encryption") {
            files.push((
                "encryption-provider-config",
                "server/cred/encryption-config.json",
            ));
        }
        files
            .iter()
            .map(|(flag, rel)| format!("--{flag}={data_dir}/{rel}"))
            .collect()
    }

    /// Every argument the distribution passes a component itself, in order.
    fn built_in_args(&self, kind: ComponentKind, snapshot: &Snapshot) -> Vec<String> {
        let mut args: Vec<String> = Vec::new();
        if self.distribution.embeds_control_plane || kind == ComponentKind::Kubelet {
            // k3s leaves these two out when the user hands the API server a structured
            // authentication or authorization configuration, which then decides them.
            let user_gives = |flag: &str| {
                self.settings.iter().any(|(key, value)| {
                    key == arg_key(kind)
                        && value
                            .text
                            .trim_start_matches('-')
                            .split('=')
                            .next()
                            .is_some_and(|name| name == flag)
                })
            };
            args.extend(
                built_in(kind)
                    .iter()
                    .filter(|t| {
                        kind != ComponentKind::ApiServer
                            || !(t.starts_with("--anonymous-auth=")
                                && user_gives("authentication-config")
                                || t.starts_with("--authorization-mode=")
                                    && user_gives("authorization-config"))
                    })
                    .map(|t| (*t).to_string()),
            );
        }
        if kind == ComponentKind::Kubelet {
            // Both always name the node on the kubelet's command line.
            let node = self
                .setting("node-name")
                .map_or_else(|| "<the node's hostname>".to_string(), |a| a.text.clone());
            args.push(format!("--hostname-override={node}"));
        }
        args.extend(self.built_in_files(kind, snapshot));
        if kind == ComponentKind::Kubelet
            && matches!(
                snapshot.file(self.distribution.kubelet_config_dir),
                Some(FileRecord::Directory { .. })
            )
        {
            args.push(format!(
                "--config-dir={}",
                self.distribution.kubelet_config_dir
            ));
        }
        args
    }

    /// The component of a kind as this installation runs it, with its arguments.
    pub fn component(&self, kind: ComponentKind, snapshot: &Snapshot) -> Option<Component> {
        if !self.runs(kind, snapshot) {
            return None;
        }
        let mut argv = vec![Arg {
            text: kind.binary().to_string(),
            file: BUILT_IN.to_string(),
            line: 0,
        }];
        let built_in_arg = |text: String| Arg {
            text,
            file: BUILT_IN.to_string(),
            line: 0,
        };
        argv.extend(
            self.built_in_args(kind, snapshot)
                .into_iter()
                .map(built_in_arg),
        );
        // Top-level settings the distribution hands on to a component.
        let forwarded: &[(&str, ComponentKind, &str)] = &[(
            "protect-kernel-defaults",
            ComponentKind::Kubelet,
            "protect-kernel-defaults",
        )];
        let key = arg_key(kind);
        for (name, value) in &self.settings {
            if name == key {
                let text = value.text.trim_start_matches('-');
                argv.push(Arg {
                    text: format!("--{text}"),
                    ..value.clone()
                });
            } else if let Some((_, _, flag)) = forwarded
                .iter()
                .find(|(setting, target, _)| setting == name && *target == kind)
            {
                argv.push(Arg {
                    text: format!("--{flag}={}", value.text),
                    ..value.clone()
                });
            }
        }
        let mut component = Component {
            kind,
            origin: Origin::Embedded {
                files: self.files.clone(),
            },
            manifest: None,
            flags: Flags::parse(argv.get(1..).unwrap_or_default()),
            program: Some(self.program.clone()),
            working_directory: "/".to_string(),
            version: version_in(&self.program),
            problems: Vec::new(),
            ip_address_deny: None,
        };
        if self.files.is_empty() {
            component.problems.push(format!(
                "{} configuration not readable",
                self.distribution.name
            ));
        }
        Some(component)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::snapshot::Meta;

    fn file(text: &str) -> FileRecord {
        FileRecord::File {
            meta: Meta {
                mode: 0o600,
                uid: 0,
                gid: 0,
            },
            content: Some(text.to_string()),
        }
    }

    #[test]
    fn drop_ins_and_command_line_override_in_order() {
        let mut snapshot = Snapshot::new("/", false);
        snapshot.files.insert(
            "/etc/rancher/k3s/config.yaml".into(),
            file("kubelet-arg:\n  - read-only-port=10255\n  - max-pods=50\ncluster-init: true\n"),
        );
        snapshot.files.insert(
            "/etc/rancher/k3s/config.yaml.d".into(),
            FileRecord::Directory {
                meta: Meta {
                    mode: 0o755,
                    uid: 0,
                    gid: 0,
                },
                entries: vec!["20-b.yaml".into(), "10-a.yaml".into()],
            },
        );
        snapshot.files.insert(
            "/etc/rancher/k3s/config.yaml.d/10-a.yaml".into(),
            file("kubelet-arg+:\n  - streaming-connection-idle-timeout=5m\n"),
        );
        snapshot.files.insert(
            "/etc/rancher/k3s/config.yaml.d/20-b.yaml".into(),
            file("kube-apiserver-arg: [\"anonymous-auth=true\"]\n"),
        );
        let node = EmbeddedNode::find(&snapshot).expect("k3s found");
        assert_eq!(node.role, Role::Server);
        let kubelet = node.component(ComponentKind::Kubelet, &snapshot).unwrap();
        let port = kubelet.flag("read-only-port").unwrap();
        assert_eq!(
            (port.value.as_str(), port.file.as_str(), port.line),
            ("10255", "/etc/rancher/k3s/config.yaml", 2)
        );
        assert_eq!(
            kubelet
                .flag("streaming-connection-idle-timeout")
                .unwrap()
                .value,
            "5m"
        );
        let api = node.component(ComponentKind::ApiServer, &snapshot).unwrap();
        assert_eq!(api.flag("anonymous-auth").unwrap().value, "true");
        assert_eq!(api.flag("profiling").unwrap().file, BUILT_IN);
        assert!(node.component(ComponentKind::Etcd, &snapshot).is_some());
    }

    #[test]
    fn structured_authorization_config_drops_the_built_in_mode() {
        let mut snapshot = Snapshot::new("/", false);
        snapshot.files.insert(
            "/etc/rancher/k3s/config.yaml".into(),
            file("kube-apiserver-arg:\n  - authorization-config=/etc/rancher/k3s/authz.yaml\n"),
        );
        let node = EmbeddedNode::find(&snapshot).expect("k3s found");
        let api = node.component(ComponentKind::ApiServer, &snapshot).unwrap();
        assert!(api.flag("authorization-mode").is_none());
        assert_eq!(api.flag("anonymous-auth").unwrap().file, BUILT_IN);
        let kubelet = node.component(ComponentKind::Kubelet, &snapshot).unwrap();
        assert_eq!(
            kubelet.flag("hostname-override").unwrap().value,
            "<the node's hostname>"
        );
    }

    #[test]
    fn later_files_replace_unless_appending() {
        let mut snapshot = Snapshot::new("/", false);
        snapshot.files.insert(
            "/etc/rancher/rke2/config.yaml".into(),
            file("kubelet-arg:\n  - anonymous-auth=true\n"),
        );
        snapshot.files.insert(
            "/etc/rancher/rke2/config.yaml.d".into(),
            FileRecord::Directory {
                meta: Meta {
                    mode: 0o755,
                    uid: 0,
                    gid: 0,
                },
                entries: vec!["50.yaml".into()],
            },
        );
        snapshot.files.insert(
            "/etc/rancher/rke2/config.yaml.d/50.yaml".into(),
            file("kubelet-arg:\n  - read-only-port=0\n"),
        );
        let node = EmbeddedNode::find(&snapshot).expect("rke2 found");
        let kubelet = node.component(ComponentKind::Kubelet, &snapshot).unwrap();
        // The drop-in replaced kubelet-arg: only RKE2's own setting is left.
        assert_eq!(kubelet.flag("anonymous-auth").unwrap().file, BUILT_IN);
        assert_eq!(kubelet.flag("anonymous-auth").unwrap().value, "false");
        assert_eq!(
            kubelet.flag("tls-cert-file").unwrap().value,
            "/var/lib/rancher/rke2/agent/serving-kubelet.crt"
        );
        assert!(
            node.component(ComponentKind::ApiServer, &snapshot)
                .is_none()
        );
    }
}
