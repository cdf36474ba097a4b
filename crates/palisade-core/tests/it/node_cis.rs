//! The CIS node benchmark over a node built from the kubeadm-node corpus: the control-plane
//! and kubelet command lines and file modes that a host scanner recorded on a minikube node,
//! the static pod manifests of that cluster, and minikube's KubeletConfiguration. The expected
//! states below are Palisade's own reading of that data, check by check.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use base64::Engine as _;
use palisade_core::node::cis::{Benchmark, CATALOG, NodeReport, Options, Status, Target, evaluate};
use palisade_core::node::collect::{NodeSource, collect};
use palisade_core::node::snapshot::{FileRecord, Meta, Process, Snapshot};
use serde_json::Value;

/// A node held in memory: files with mode, owner and text; directories implied by paths.
#[derive(Default)]
struct MemoryNode {
    files: BTreeMap<String, (Meta, Option<String>)>,
    processes: Vec<Process>,
}

impl MemoryNode {
    fn children(&self, dir: &str) -> Vec<String> {
        let prefix = format!("{}/", dir.trim_end_matches('/'));
        let mut names: Vec<String> = self
            .files
            .keys()
            .filter_map(|p| p.strip_prefix(&prefix))
            .map(|rest| rest.split('/').next().unwrap_or(rest).to_string())
            .collect();
        names.dedup();
        names
    }
}

impl NodeSource for MemoryNode {
    fn read(&self, path: &str, content: bool) -> FileRecord {
        let children = self.children(path);
        let meta = self.files.get(path).map(|(m, _)| *m);
        if !children.is_empty() {
            return FileRecord::Directory {
                meta: meta.unwrap_or(Meta {
                    mode: 0o755,
                    uid: 0,
                    gid: 0,
                }),
                entries: children,
            };
        }
        match self.files.get(path) {
            Some((meta, text)) => FileRecord::File {
                meta: *meta,
                content: if content { text.clone() } else { None },
            },
            None => FileRecord::NotFound,
        }
    }

    fn processes(&self) -> Vec<Process> {
        self.processes.clone()
    }

    fn root(&self) -> String {
        "memory".to_string()
    }

    fn live(&self) -> bool {
        true
    }
}

/// Every `{path, permissions, ownership}` record of a host-scanner document, as files.
fn add_records(
    node: &mut MemoryNode,
    value: &Value,
    users: &mut BTreeMap<u64, String>,
    groups: &mut BTreeMap<u64, String>,
) {
    match value {
        Value::Object(map) => {
            if let (Some(path), Some(mode)) = (
                map.get("path").and_then(Value::as_str),
                map.get("permissions").and_then(Value::as_u64),
            ) {
                let owner = map.get("ownership");
                let id = |k: &str| {
                    owner
                        .and_then(|o| o.get(k))
                        .and_then(Value::as_u64)
                        .unwrap_or(0)
                };
                let name = |k: &str| {
                    owner
                        .and_then(|o| o.get(k))
                        .and_then(Value::as_str)
                        .filter(|n| !n.is_empty())
                        .map(str::to_string)
                };
                if let Some(user) = name("username") {
                    users.insert(id("uid"), user);
                }
                if let Some(group) = name("groupname") {
                    groups.insert(id("gid"), group);
                }
                let content = map
                    .get("content")
                    .and_then(Value::as_str)
                    .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
                    .map(|bytes| String::from_utf8_lossy(&bytes).into_owned());
                node.files.insert(
                    path.to_string(),
                    (
                        Meta {
                            mode: mode as u32,
                            uid: id("uid") as u32,
                            gid: id("gid") as u32,
                        },
                        content,
                    ),
                );
            }
            for v in map.values() {
                add_records(node, v, users, groups);
            }
        }
        Value::Array(items) => {
            for v in items {
                add_records(node, v, users, groups);
            }
        }
        _ => {}
    }
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).expect("readable corpus file")
}

fn json(dir: &Path, name: &str) -> Value {
    serde_json::from_str(&read(dir, name)).expect("corpus JSON")
}

fn process(pid: u32, cmdline: &str) -> Process {
    Process {
        pid,
        argv: cmdline.split_whitespace().map(str::to_string).collect(),
        cwd: Some("/".to_string()),
    }
}

/// The node as the corpus describes it.
fn corpus_node(dir: &Path, apiserver_manifest: &str) -> MemoryNode {
    let mut node = MemoryNode::default();
    let (mut users, mut groups) = (BTreeMap::new(), BTreeMap::new());
    let control_plane = json(dir, "control-plane-info.json");
    let kubelet = json(dir, "kubelet-info.json");
    add_records(&mut node, &control_plane, &mut users, &mut groups);
    add_records(&mut node, &kubelet, &mut users, &mut groups);
    let data = &control_plane["data"];
    for (pid, key) in [
        (101, "APIServerInfo"),
        (102, "controllerManagerInfo"),
        (103, "schedulerInfo"),
    ] {
        let cmdline = data[key]["cmdLine"].as_str().expect("command line");
        node.processes.push(process(pid, cmdline));
    }
    node.processes.push(process(
        200,
        kubelet["data"]["cmdLine"]
            .as_str()
            .expect("kubelet command line"),
    ));
    for (file, name) in [
        (apiserver_manifest, "kube-apiserver.yaml"),
        (
            "kube-controller-manager.yaml",
            "kube-controller-manager.yaml",
        ),
        ("kube-scheduler.yaml", "kube-scheduler.yaml"),
        ("etcd.yaml", "etcd.yaml"),
    ] {
        let path = format!("/etc/kubernetes/manifests/{name}");
        let meta = node.files.get(&path).map_or(
            Meta {
                mode: 0o600,
                uid: 0,
                gid: 0,
            },
            |(m, _)| *m,
        );
        node.files.insert(path, (meta, Some(read(dir, file))));
    }
    // The KubeletConfiguration document of minikube's kubeadm configuration is what minikube
    // writes to the kubelet's --config file.
    let kubeadm = read(dir, "kubeadm-config-minikube-v1.36.yaml");
    let kubelet_config = kubeadm
        .split("\n---")
        .find(|doc| doc.contains("kind: KubeletConfiguration"))
        .expect("a KubeletConfiguration document")
        .trim_start_matches('\n')
        .to_string();
    let config = node
        .files
        .get_mut("/var/lib/kubelet/config.yaml")
        .expect("the kubelet config file is in the corpus");
    config.1 = Some(kubelet_config);
    let mut passwd = String::new();
    for (id, n) in &users {
        let _ = writeln!(passwd, "{n}:x:{id}:{id}::/:/bin/false");
    }
    let mut group = String::new();
    for (id, n) in &groups {
        let _ = writeln!(group, "{n}:x:{id}:");
    }
    let plain = Meta {
        mode: 0o644,
        uid: 0,
        gid: 0,
    };
    node.files
        .insert("/etc/passwd".to_string(), (plain, Some(passwd)));
    node.files
        .insert("/etc/group".to_string(), (plain, Some(group)));
    node
}

fn status(report: &NodeReport, id: &str) -> Status {
    report
        .checks
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("check {id} missing from the report"))
        .status
}

fn actual<'r>(report: &'r NodeReport, id: &str) -> &'r str {
    &report
        .checks
        .iter()
        .find(|c| c.id == id)
        .expect("check")
        .actual
}

fn run(snapshot: &Snapshot) -> NodeReport {
    evaluate(
        snapshot,
        None,
        &Options {
            benchmark: None,
            targets: None,
        },
    )
}

#[test]
#[allow(clippy::too_many_lines)] // One table of expected states, read top to bottom.
fn minikube_node_from_the_corpus() {
    let Some(dir) = crate::corpus("kubeadm-node") else {
        return;
    };
    let snapshot = collect(&corpus_node(&dir, "kube-apiserver.yaml"));
    let report = run(&snapshot);

    // v1.23 (the API server's image tag) predates every release carried: the oldest applies.
    assert_eq!(report.benchmark, Benchmark::Cis110);
    assert_eq!(report.detected_version.as_deref(), Some("1.23"));
    assert_eq!(
        report.targets,
        [
            Target::Master,
            Target::Etcd,
            Target::Controlplane,
            Target::Node
        ]
    );
    let origin = |name: &str| {
        report
            .components
            .iter()
            .find(|(c, _)| c == name)
            .map(|(_, o)| o.as_str())
            .unwrap_or_default()
    };
    assert_eq!(origin("kube-apiserver"), "process 101");
    assert_eq!(
        origin("etcd"),
        "static pod manifest /etc/kubernetes/manifests/etcd.yaml"
    );
    assert_eq!(origin("kubelet"), "process 200");

    let expected = [
        // Files recorded with mode 600 and root ownership.
        ("1.1.1", Status::Pass),
        ("1.1.2", Status::Pass),
        ("1.1.7", Status::Pass),
        ("1.1.11", Status::Pass),
        // The data directory is root-owned; the benchmark wants etcd:etcd.
        ("1.1.12", Status::Fail),
        ("1.1.13", Status::Pass),
        ("1.1.15", Status::Pass),
        ("1.1.17", Status::Pass),
        // The PKI directory the API server uses is /var/lib/minikube/certs, where the test
        // encryption configuration is owned by uid 1000 and ca.crt has mode 700.
        ("1.1.19", Status::Fail),
        ("1.1.20", Status::Fail),
        ("1.1.21", Status::NotFound),
        // --anonymous-auth is unset and defaults to true: a manual check, but unambiguous.
        ("1.2.1", Status::Fail),
        ("1.2.2", Status::Pass),
        ("1.2.4", Status::Pass),
        ("1.2.5", Status::Fail),
        ("1.2.6", Status::Pass),
        ("1.2.7", Status::Pass),
        ("1.2.8", Status::Pass),
        ("1.2.14", Status::Pass),
        ("1.2.15", Status::Fail),
        ("1.2.16", Status::Fail),
        ("1.2.17", Status::Fail),
        ("1.2.21", Status::Pass),
        ("1.2.22", Status::Pass),
        ("1.2.27", Status::Warn),
        ("1.2.28", Status::Warn),
        ("1.3.2", Status::Fail),
        ("1.3.3", Status::Pass),
        ("1.3.5", Status::Pass),
        ("1.3.7", Status::Pass),
        ("1.4.1", Status::Fail),
        ("1.4.2", Status::Pass),
        // etcd.yaml was edited upstream: --cert-file is set (to a key) and --peer-cert-file is
        // missing.
        ("2.1", Status::Pass),
        ("2.2", Status::Pass),
        ("2.4", Status::Fail),
        ("2.5", Status::Pass),
        ("2.7", Status::Warn),
        ("3.2.1", Status::Fail),
        // The recorded service file path is not a systemd unit directory, and the kubelet's
        // kubeconfig was not recorded: absent, not failed.
        ("4.1.1", Status::NotFound),
        ("4.1.5", Status::NotFound),
        ("4.1.7", Status::Fail),
        ("4.1.9", Status::Fail),
        ("4.1.10", Status::Pass),
        ("4.2.1", Status::Pass),
        ("4.2.2", Status::Pass),
        ("4.2.3", Status::Pass),
        ("4.2.4", Status::Warn),
        ("4.2.7", Status::Fail),
        ("4.2.10", Status::Fail),
        ("4.3.1", Status::NotFound),
    ];
    for (id, want) in expected {
        assert_eq!(status(&report, id), want, "{id}: {}", actual(&report, id));
    }
    // cis-1.10 has neither of these.
    assert!(
        report
            .checks
            .iter()
            .all(|c| c.id != "1.2.30" && c.id != "4.2.14")
    );
    // Which default applied is said.
    assert!(
        actual(&report, "4.2.1").contains("config file default"),
        "{}",
        actual(&report, "4.2.1")
    );
    assert!(actual(&report, "1.2.15").contains("default true"));
    assert_eq!(
        actual(&report, "1.2.28"),
        "first provider for secrets: aescbc"
    );
    assert!(report.scored_failure());

    // The encryption key never reaches the snapshot.
    let encryption = snapshot
        .content("/var/lib/minikube/certs/hack/encryptionConf.yaml")
        .expect("encryption configuration read");
    assert!(
        !encryption.contains("BASE 64 ENCODED SECRET"),
        "{encryption}"
    );

    // A snapshot written out and read back gives the same results.
    let text = serde_json::to_string(&snapshot).expect("serialisable");
    let back: Snapshot = serde_json::from_str(&text).expect("deserialisable");
    assert_eq!(back, snapshot);
    let again = run(&back);
    let statuses = |r: &NodeReport| {
        r.checks
            .iter()
            .map(|c| (c.id, c.status))
            .collect::<Vec<_>>()
    };
    assert_eq!(statuses(&again), statuses(&report));
}

#[test]
fn mirror_pod_with_crlf_line_endings_reads_like_a_manifest() {
    let Some(dir) = crate::corpus("kubeadm-node") else {
        return;
    };
    let mut node = corpus_node(&dir, "kube-apiserver-mirror-pod.yaml");
    // Without the process, the command line comes from the (mirror pod) manifest.
    node.processes.retain(|p| p.pid != 101);
    let report = run(&collect(&node));
    assert_eq!(report.detected_version.as_deref(), Some("1.24"));
    let origin = &report.components[0];
    assert_eq!(origin.0, "kube-apiserver");
    assert!(origin.1.starts_with("static pod manifest"), "{origin:?}");
    assert_eq!(status(&report, "1.2.6"), Status::Pass);
    let source = report
        .checks
        .iter()
        .find(|c| c.id == "1.2.6")
        .and_then(|c| c.source.clone());
    assert!(source.is_some_and(|s| s.line.is_some()));
}

#[test]
fn catalog_ids_are_unique_and_versions_differ_where_the_benchmark_does() {
    let mut ids: Vec<&str> = CATALOG.iter().map(|c| c.id).collect();
    let count = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), count);
    let def = |id: &str| CATALOG.iter().find(|c| c.id == id).expect("in catalog");
    assert_eq!(def("1.2.30").scored_in(Benchmark::Cis110), None);
    assert_eq!(def("1.2.30").scored_in(Benchmark::Cis111), Some(false));
    assert_eq!(def("1.2.30").scored_in(Benchmark::Cis112), Some(true));
    assert_eq!(def("4.2.15").scored_in(Benchmark::Cis112), None);
    assert_eq!(def("4.2.15").scored_in(Benchmark::Cis111), Some(false));
    assert_eq!(Benchmark::for_version(Some((1, 31))), Benchmark::Cis110);
    assert_eq!(Benchmark::for_version(Some((1, 32))), Benchmark::Cis111);
    assert_eq!(Benchmark::for_version(Some((1, 34))), Benchmark::Cis112);
    assert_eq!(Benchmark::for_version(None), Benchmark::Cis112);
}

#[test]
fn docs_list_every_check_with_its_title() {
    let docs =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/node.md"))
            .expect("docs/node.md");
    for def in CATALOG {
        let scored = if def.scored { "yes" } else { "no (manual)" };
        let target = match def.target {
            Target::Master => "master",
            Target::Etcd => "etcd",
            Target::Controlplane => "controlplane",
            Target::Node => "node",
            Target::Policies => "policies",
        };
        let row = format!("| {} | {target} | {scored} | {} |", def.id, def.title);
        assert!(docs.contains(&row), "docs/node.md lacks the row {row}");
    }
}

#[test]
fn default_cluster_rbac_passes_the_rbac_policy_checks() {
    use palisade_core::inventory::Inventory;
    use palisade_core::load::load_text;
    use std::sync::Arc;

    let Some(dir) = crate::corpus("rbac-bootstrap") else {
        return;
    };
    let mut objects = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("corpus dir") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "yaml") {
            let file: Arc<str> = Arc::from(path.display().to_string());
            objects.extend(
                load_text(
                    &file,
                    &read(&dir, &path.file_name().unwrap().to_string_lossy()),
                )
                .objects,
            );
        }
    }
    assert!(!objects.is_empty());
    let inventory = Inventory::new(objects);
    let report = evaluate(
        &Snapshot::new("/", false),
        Some(&inventory),
        &Options {
            benchmark: None,
            targets: Some(vec![Target::Policies]),
        },
    );
    // Only system subjects hold cluster-admin, secrets, bind, escalate or impersonate in a
    // cluster nobody has changed.
    for id in [
        "5.1.1", "5.1.2", "5.1.3", "5.1.4", "5.1.8", "5.1.9", "5.1.10", "5.1.11", "5.1.12",
        "5.1.13",
    ] {
        assert_eq!(
            status(&report, id),
            Status::Pass,
            "{id}: {}",
            actual(&report, id)
        );
    }
}
