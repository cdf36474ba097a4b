//! `palisade node`: the CIS benchmark over node file systems built at test time from the
//! fixtures under `tests/fixtures/node/` (modes and owners come from each fixture's
//! `modes.txt`, since git keeps neither), and variants that each break one thing.

use std::fs;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

use crate::{Run, fixtures, palisade};

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// A copy of a fixture node under a fresh temporary directory, removed on drop.
struct NodeDir {
    path: PathBuf,
}

impl Drop for NodeDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.path);
    }
}

impl NodeDir {
    fn new(fixture: &str) -> NodeDir {
        let path = std::env::temp_dir().join(format!(
            "palisade-node-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = fs::remove_dir_all(&path);
        let source = fixtures().join("node").join(fixture);
        copy_tree(&source, &path);
        let modes = fs::read_to_string(source.join("modes.txt")).expect("modes.txt");
        fs::remove_file(path.join("modes.txt")).expect("modes.txt copied");
        for line in modes
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (mode, owner, file) = match fields.as_slice() {
                [mode, file] => (*mode, None, *file),
                [mode, owner, file] => (*mode, Some(*owner), *file),
                _ => panic!("bad modes.txt line {line:?}"),
            };
            let target = path.join(file);
            if let Some(owner) = owner {
                let (uid, gid) = owner.split_once(':').expect("uid:gid");
                // Only root may give files away; elsewhere ownership checks are not asserted.
                let _ = std::os::unix::fs::chown(&target, uid.parse().ok(), gid.parse().ok());
            }
            set_mode(&target, u32::from_str_radix(mode, 8).expect("octal mode"));
        }
        NodeDir { path }
    }

    fn file(&self, node_path: &str) -> PathBuf {
        self.path.join(node_path.trim_start_matches('/'))
    }

    fn edit(&self, node_path: &str, from: &str, to: &str) {
        let path = self.file(node_path);
        let text = fs::read_to_string(&path).expect("file to edit");
        assert!(text.contains(from), "{node_path} does not contain {from:?}");
        fs::write(&path, text.replacen(from, to, 1)).expect("edited");
    }

    fn write(&self, node_path: &str, text: &str, mode: u32) {
        let path = self.file(node_path);
        fs::create_dir_all(path.parent().expect("parent")).expect("parent dir");
        fs::write(&path, text).expect("written");
        set_mode(&path, mode);
    }

    fn run(&self, extra: &[&str]) -> Run {
        let root = self.path.display().to_string();
        let mut args = vec!["node", "--root", &root, "--format", "json"];
        args.extend_from_slice(extra);
        palisade(&args)
    }
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("dir");
    set_mode(to, 0o755);
    for entry in fs::read_dir(from).expect("fixture dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).expect("copied");
            set_mode(&target, 0o644);
        }
    }
}

fn set_mode(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).expect("chmod");
}

/// Whether files this process creates belong to root (ownership checks then hold).
fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt as _;
    let probe = std::env::temp_dir().join(format!("palisade-uid-{}", std::process::id()));
    let _ = fs::write(&probe, "");
    let uid = fs::metadata(&probe).map_or(1, |m| m.uid());
    let _ = fs::remove_file(&probe);
    uid == 0
}

fn check<'d>(doc: &'d Value, id: &str) -> &'d Value {
    doc["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id}"))
}

fn status<'d>(doc: &'d Value, id: &str) -> &'d str {
    check(doc, id)["status"].as_str().expect("status")
}

fn actual<'d>(doc: &'d Value, id: &str) -> &'d str {
    check(doc, id)["actual"].as_str().expect("actual")
}

#[test]
fn hardened_control_plane_passes_every_scored_check() {
    let node = NodeDir::new("control-plane");
    let run = node.run(&[]);
    let doc = run.json();
    assert_eq!(doc["schema"], "palisade.node/v1");
    assert_eq!(doc["benchmark"], "cis-1.12");
    assert_eq!(doc["detected_version"], "1.33");
    assert!(
        run.stderr
            .contains("benchmark: cis-1.12 (auto: Kubernetes 1.33 detected)")
    );
    assert_eq!(
        doc["targets"],
        serde_json::json!(["master", "etcd", "controlplane", "node"])
    );
    let failed: Vec<&Value> = doc["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "FAIL")
        .collect();
    if is_root() {
        assert!(failed.is_empty(), "{failed:#?}");
        assert_eq!(run.code, 0, "{}", run.stderr);
    } else {
        // Files a non-root user creates cannot be owned by root: only ownership fails.
        assert!(
            failed
                .iter()
                .all(|c| c["expected"].as_str().unwrap().starts_with("owned by")),
            "{failed:#?}"
        );
    }
    for (id, want) in [
        ("1.1.1", "PASS"),
        ("1.1.12", if is_root() { "PASS" } else { "FAIL" }),
        ("1.1.21", "WARN"),
        ("1.2.1", "WARN"),
        ("1.2.6", "PASS"),
        ("1.2.30", "PASS"),
        ("2.1", "PASS"),
        ("3.2.1", "WARN"),
        ("4.1.1", "PASS"),
        ("4.2.1", "PASS"),
        ("4.2.14", "WARN"),
        ("4.3.1", "NOT-FOUND"),
    ] {
        assert_eq!(status(&doc, id), want, "{id}: {}", actual(&doc, id));
    }
    let api = check(&doc, "1.2.6");
    assert_eq!(api["scored"], true);
    assert_eq!(api["target"], "master");
    assert_eq!(
        api["source"]["file"],
        "/etc/kubernetes/manifests/kube-apiserver.yaml"
    );
    assert_eq!(api["source"]["line"], 27);
    if is_root() {
        assert_eq!(doc["totals"]["fail"], 0);
    }
    let master = &doc["totals"]["targets"][0];
    assert_eq!(master["target"], "master");
    assert!(master["pass"].as_u64().unwrap() > 40);
}

#[test]
fn worker_node_runs_the_node_section_only() {
    let node = NodeDir::new("worker");
    let run = node.run(&[]);
    // Exit 1 without root: ownership of the copied files cannot be root:root.
    assert_eq!(run.code, i32::from(!is_root()), "{}", run.stdout);
    let doc = run.json();
    assert_eq!(doc["targets"], serde_json::json!(["node"]));
    // No version on a bare kubelet path: the newest benchmark.
    assert_eq!(doc["benchmark"], "cis-1.12");
    assert_eq!(status(&doc, "4.2.1"), "PASS");
    assert_eq!(
        check(&doc, "4.2.1")["source"]["file"],
        "/var/lib/kubelet/config.yaml"
    );
    assert_eq!(status(&doc, "4.1.5"), "PASS");
    assert_eq!(status(&doc, "4.1.9"), "PASS");
}

#[test]
fn anonymous_auth_enabled_fails() {
    let node = NodeDir::new("control-plane");
    node.edit(
        "/var/lib/kubelet/config.yaml",
        "  anonymous:\n    enabled: false",
        "  anonymous:\n    enabled: true",
    );
    node.edit(
        "/etc/kubernetes/manifests/kube-apiserver.yaml",
        "--anonymous-auth=false",
        "--anonymous-auth=true",
    );
    let run = node.run(&[]);
    assert_eq!(run.code, 1);
    let doc = run.json();
    assert_eq!(status(&doc, "4.2.1"), "FAIL");
    assert_eq!(
        actual(&doc, "4.2.1"),
        "authentication.anonymous.enabled: true"
    );
    // 1.2.1 is manual: FAIL on unambiguous evidence, but unscored.
    assert_eq!(status(&doc, "1.2.1"), "FAIL");
    assert_eq!(check(&doc, "1.2.1")["scored"], false);
}

#[test]
fn always_allow_authorization_fails_three_checks() {
    let node = NodeDir::new("control-plane");
    node.edit(
        "/etc/kubernetes/manifests/kube-apiserver.yaml",
        "--authorization-mode=Node,RBAC",
        "--authorization-mode=AlwaysAllow",
    );
    let doc = node.run(&[]).json();
    for id in ["1.2.6", "1.2.7", "1.2.8"] {
        assert_eq!(status(&doc, id), "FAIL", "{id}");
    }
}

#[test]
fn insecure_port_is_reported() {
    let node = NodeDir::new("control-plane");
    node.edit(
        "/etc/kubernetes/manifests/kube-apiserver.yaml",
        "        - --secure-port=6443\n",
        "        - --secure-port=6443\n        - --insecure-port=8080\n",
    );
    let doc = node.run(&[]).json();
    let notes = doc["notes"].as_array().unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n.as_str().unwrap().contains("--insecure-port=8080")),
        "{notes:?}"
    );
}

#[test]
fn missing_audit_flags_fail() {
    let node = NodeDir::new("control-plane");
    let manifest = "/etc/kubernetes/manifests/kube-apiserver.yaml";
    for flag in [
        "        - --audit-log-maxage=30\n",
        "        - --audit-log-maxbackup=10\n",
        "        - --audit-log-maxsize=100\n",
        "        - --audit-log-path=/var/log/kubernetes/audit/audit.log\n",
        "        - --audit-policy-file=/etc/kubernetes/audit/policy.yaml\n",
    ] {
        node.edit(manifest, flag, "");
    }
    let run = node.run(&[]);
    assert_eq!(run.code, 1);
    let doc = run.json();
    for id in ["1.2.16", "1.2.17", "1.2.18", "1.2.19", "3.2.1"] {
        assert_eq!(status(&doc, id), "FAIL", "{id}: {}", actual(&doc, id));
    }
    assert_eq!(
        actual(&doc, "1.2.17"),
        "--audit-log-maxage not set; default 0 applies"
    );
}

#[test]
fn world_readable_pki_key_fails() {
    let node = NodeDir::new("control-plane");
    set_mode(&node.file("/etc/kubernetes/pki/apiserver.key"), 0o644);
    let doc = node.run(&[]).json();
    assert_eq!(status(&doc, "1.1.21"), "FAIL");
    assert_eq!(
        actual(&doc, "1.1.21"),
        "/etc/kubernetes/pki/apiserver.key 644"
    );
    assert_eq!(
        check(&doc, "1.1.21")["source"]["file"],
        "/etc/kubernetes/pki/apiserver.key"
    );
}

#[test]
fn kubelet_read_only_port_fails() {
    let node = NodeDir::new("worker");
    node.edit(
        "/var/lib/kubelet/config.yaml",
        "readOnlyPort: 0",
        "readOnlyPort: 10255",
    );
    let doc = node.run(&[]).json();
    assert_eq!(status(&doc, "4.2.4"), "FAIL");
    assert_eq!(actual(&doc, "4.2.4"), "readOnlyPort: 10255");
}

#[test]
fn relative_config_path_resolves_against_the_working_directory() {
    let node = NodeDir::new("worker");
    let drop_in = "/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf";
    node.edit(
        drop_in,
        "--config=/var/lib/kubelet/config.yaml",
        "--config=config.yaml",
    );
    node.edit(
        drop_in,
        "ExecStart=\n",
        "WorkingDirectory=/var/lib/kubelet\nExecStart=\n",
    );
    let doc = node.run(&[]).json();
    assert_eq!(status(&doc, "4.1.9"), "PASS", "{}", actual(&doc, "4.1.9"));
    assert_eq!(
        check(&doc, "4.1.9")["source"]["file"],
        "/var/lib/kubelet/config.yaml"
    );
    assert_eq!(status(&doc, "4.2.1"), "PASS");

    // Without WorkingDirectory= systemd starts the kubelet in `/`, where no config exists.
    node.edit(drop_in, "WorkingDirectory=/var/lib/kubelet\n", "");
    let doc = node.run(&[]).json();
    assert_eq!(status(&doc, "4.1.9"), "NOT-FOUND");
    assert_eq!(status(&doc, "4.2.1"), "NOT-FOUND");
    assert_eq!(
        actual(&doc, "4.2.1"),
        "kubelet config file /config.yaml not found"
    );
}

#[test]
fn repeated_flag_last_one_wins() {
    let node = NodeDir::new("worker");
    node.write(
        "/etc/default/kubelet",
        "KUBELET_EXTRA_ARGS=\"--read-only-port=0 --read-only-port 10255\"\n",
        0o644,
    );
    let doc = node.run(&[]).json();
    assert_eq!(status(&doc, "4.2.4"), "FAIL");
    assert_eq!(
        actual(&doc, "4.2.4"),
        "--read-only-port=10255 (last of 2 occurrences)"
    );
    assert_eq!(
        check(&doc, "4.2.4")["source"]["file"],
        "/etc/default/kubelet"
    );
    assert_eq!(check(&doc, "4.2.4")["source"]["line"], 1);

    node.write(
        "/etc/default/kubelet",
        "KUBELET_EXTRA_ARGS=\"--read-only-port=10255 --read-only-port=0\"\n",
        0o644,
    );
    let doc = node.run(&[]).json();
    assert_eq!(status(&doc, "4.2.4"), "WARN", "manual check, good value");
}

#[test]
fn drop_in_override_replaces_the_command_line() {
    let node = NodeDir::new("worker");
    node.write(
        "/etc/systemd/system/kubelet.service.d/20-override.conf",
        "[Service]\nExecStart=\nExecStart=/usr/bin/kubelet --config=/var/lib/kubelet/config.yaml --kubeconfig=/etc/kubernetes/kubelet.conf --anonymous-auth=true\n",
        0o600,
    );
    let run = node.run(&[]);
    assert_eq!(run.code, 1);
    let doc = run.json();
    assert_eq!(status(&doc, "4.2.1"), "FAIL");
    assert_eq!(actual(&doc, "4.2.1"), "--anonymous-auth=true");
    assert_eq!(
        check(&doc, "4.2.1")["source"]["file"],
        "/etc/systemd/system/kubelet.service.d/20-override.conf"
    );
    // The override is one of the service files checked for permissions.
    assert!(actual(&doc, "4.1.1").contains("20-override.conf"));
}

#[test]
fn absent_files_are_not_found_and_broken_ones_say_why() {
    let node = NodeDir::new("control-plane");
    fs::remove_file(node.file("/etc/kubernetes/admin.conf")).unwrap();
    fs::remove_file(node.file("/etc/kubernetes/super-admin.conf")).unwrap();
    node.write(
        "/etc/kubernetes/manifests/broken.yaml",
        "spec: [unclosed\n",
        0o600,
    );
    node.write(
        "/var/lib/kubelet/config.yaml",
        "authentication: {anonymous: [\n",
        0o600,
    );
    let doc = node.run(&[]).json();
    assert_eq!(status(&doc, "1.1.13"), "NOT-FOUND");
    assert_eq!(status(&doc, "4.2.1"), "WARN");
    assert!(
        actual(&doc, "4.2.1").contains("malformed"),
        "{}",
        actual(&doc, "4.2.1")
    );
    let notes = doc["notes"].as_array().unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n.as_str().unwrap().contains("broken.yaml")),
        "{notes:?}"
    );

    // A directory where the config file should be, and a symbolic link loop.
    fs::remove_file(node.file("/var/lib/kubelet/config.yaml")).unwrap();
    fs::create_dir(node.file("/var/lib/kubelet/config.yaml")).unwrap();
    std::os::unix::fs::symlink("loop", node.file("/etc/kubernetes/loop")).unwrap();
    fs::remove_file(node.file("/etc/kubernetes/scheduler.conf")).unwrap();
    std::os::unix::fs::symlink(
        "/etc/kubernetes/loop",
        node.file("/etc/kubernetes/scheduler.conf"),
    )
    .unwrap();
    let doc = node.run(&[]).json();
    assert_eq!(status(&doc, "4.2.1"), "WARN");
    assert!(actual(&doc, "4.2.1").contains("is a directory"));
    assert_eq!(status(&doc, "1.1.15"), "WARN");
    assert!(
        actual(&doc, "1.1.15").contains("symbolic links"),
        "{}",
        actual(&doc, "1.1.15")
    );
}

#[test]
fn collect_then_check_elsewhere_gives_the_same_report() {
    let node = NodeDir::new("control-plane");
    let collected = node.run(&["--collect"]);
    assert_eq!(collected.code, 0, "{}", collected.stderr);
    let snapshot = collected.json();
    assert_eq!(snapshot["schema"], "palisade.node-snapshot/v1");
    assert_eq!(snapshot["live"], false);
    // Keys and kubeconfigs are recorded by mode and owner only.
    let key = &snapshot["files"]["/etc/kubernetes/pki/apiserver.key"];
    assert_eq!(key["state"], "file");
    assert!(key.get("content").is_none());
    let kubeconfig = &snapshot["files"]["/etc/kubernetes/kubelet.conf"];
    assert_eq!(kubeconfig["mode"], 0o600);
    assert!(kubeconfig.get("content").is_none());
    let encryption = snapshot["files"]["/etc/kubernetes/enc/encryption-config.yaml"]["content"]
        .as_str()
        .unwrap();
    assert!(!encryption.contains("placeholder-not-a-real-key"));

    let saved = node.path.with_extension("snapshot.json");
    fs::write(&saved, &collected.stdout).unwrap();
    let from = palisade(&[
        "node",
        "--from",
        saved.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let _ = fs::remove_file(&saved);
    let direct = node.run(&[]);
    assert_eq!(from.json()["checks"], direct.json()["checks"]);
}

#[test]
fn benchmark_and_targets_can_be_chosen() {
    let node = NodeDir::new("control-plane");
    let doc = node
        .run(&["--benchmark", "cis-1.10", "--targets", "master,etcd"])
        .json();
    assert_eq!(doc["benchmark"], "cis-1.10");
    assert_eq!(doc["benchmark_auto_selected"], false);
    assert_eq!(doc["targets"], serde_json::json!(["master", "etcd"]));
    let checks = doc["checks"].as_array().unwrap();
    assert!(checks.iter().all(|c| c["id"] != "1.2.30"));
    // v1.10 wanted PKI certificates at 600; later releases accept 644.
    assert_eq!(
        check(&doc, "1.1.20")["expected"],
        "permissions 600 or more restrictive"
    );
    assert_eq!(
        check(&node.run(&[]).json(), "1.1.20")["expected"],
        "permissions 644 or more restrictive"
    );
    let worker = NodeDir::new("worker");
    let old = worker.run(&["--benchmark", "cis-1.10"]).json();
    assert_eq!(
        check(&old, "4.1.7")["expected"],
        "permissions 600 or more restrictive"
    );
    assert!(
        checks
            .iter()
            .all(|c| c["target"] == "master" || c["target"] == "etcd")
    );

    let bad = node.run(&["--benchmark", "cis-9"]);
    assert_eq!(bad.code, 2);
}

#[test]
fn policies_are_answered_from_a_cluster_dump() {
    let node = NodeDir::new("worker");
    let dump = node.path.join("dump.yaml");
    fs::write(
        &dump,
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  template:\n    spec:\n      hostNetwork: true\n      containers:\n        - name: web\n          image: nginx\n          securityContext:\n            privileged: true\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: deny\n  namespace: billing\nspec:\n  podSelector: {}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: read-secrets\n  namespace: shop\nrules:\n  - apiGroups: [\"\"]\n    resources: [secrets]\n    verbs: [get]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: alice-reads-secrets\n  namespace: shop\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: read-secrets\nsubjects:\n  - kind: User\n    name: alice\n    apiGroup: rbac.authorization.k8s.io\n",
    )
    .unwrap();
    let doc = node.run(&["-f", dump.to_str().unwrap()]).json();
    assert_eq!(doc["targets"], serde_json::json!(["node", "policies"]));
    assert_eq!(status(&doc, "5.2.2"), "FAIL");
    assert_eq!(
        actual(&doc, "5.2.2"),
        "Deployment shop/web: privileged (container \"web\" must not set securityContext.privileged=true)"
    );
    assert_eq!(check(&doc, "5.2.2")["source"]["line"], 14);
    assert_eq!(status(&doc, "5.2.5"), "FAIL");
    // No workload shares the host PID namespace, but nothing refuses one either.
    assert_eq!(status(&doc, "5.2.3"), "WARN");
    assert!(actual(&doc, "5.2.3").contains("namespaces shop (enforce privileged)"));
    assert_eq!(status(&doc, "5.3.2"), "FAIL");
    assert_eq!(actual(&doc, "5.3.2"), "namespace shop");
    assert_eq!(status(&doc, "5.6.4"), "PASS");
    assert_eq!(status(&doc, "5.1.2"), "FAIL");
    assert_eq!(
        actual(&doc, "5.1.2"),
        "User alice via RoleBinding shop/alice-reads-secrets"
    );
    assert_eq!(status(&doc, "5.1.8"), "PASS");
    for id in ["5.1.4", "5.1.5", "5.1.10", "5.1.13", "5.4.1"] {
        assert_eq!(status(&doc, id), "PASS", "{id}: {}", actual(&doc, id));
    }
    assert_eq!(status(&doc, "5.2.6"), "FAIL");
    // Neither runAsNonRoot nor runAsUser: the image decides whether it runs as root.
    assert_eq!(status(&doc, "5.2.7"), "WARN");
    assert_eq!(status(&doc, "5.2.12"), "WARN");
    // v1.12 has no 5.2.13: host ports moved up to 5.2.12.
    assert!(
        doc["checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["id"] != "5.2.13")
    );

    // Without a dump the section is WARN when asked for.
    let doc = node.run(&["--targets", "policies"]).json();
    assert_eq!(status(&doc, "5.2.2"), "WARN");
}

#[test]
fn table_and_junit_formats() {
    let node = NodeDir::new("worker");
    node.edit(
        "/var/lib/kubelet/config.yaml",
        "rotateCertificates: true",
        "rotateCertificates: false",
    );
    let root = node.path.display().to_string();
    let table = palisade(&["node", "--root", &root]);
    assert_eq!(table.code, 1);
    assert!(
        table
            .stdout
            .starts_with("benchmark: cis-1.12 (auto: no version detected; newest benchmark)")
    );
    assert!(
        table
            .stdout
            .contains("FAIL      4.2.10  kubelet certificate rotation is not disabled"),
        "{}",
        table.stdout
    );
    assert!(
        table
            .stdout
            .contains("found: rotateCertificates: false at /var/lib/kubelet/config.yaml:17")
    );
    if is_root() {
        assert!(table.stdout.contains("1 scored check failed"));
    }

    let junit = palisade(&["node", "--root", &root, "--format", "junit"]);
    assert!(junit.stdout.starts_with("<?xml"));
    assert!(junit.stdout.contains(r#"<testsuite name="node""#));
    assert!(junit.stdout.contains("<failure message=\"expected rotateCertificates true; found rotateCertificates: false\">"), "{}", junit.stdout);
}

#[test]
fn kubelet_config_drop_in_directory_overrides_the_config_file() {
    let node = NodeDir::new("worker");
    node.write(
        "/etc/default/kubelet",
        "KUBELET_EXTRA_ARGS=--config-dir=/etc/kubernetes/kubelet.conf.d\n",
        0o644,
    );
    node.write(
        "/etc/kubernetes/kubelet.conf.d/10-base.conf",
        "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nreadOnlyPort: 0\n",
        0o600,
    );
    node.write(
        "/etc/kubernetes/kubelet.conf.d/50-debug.conf",
        "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nreadOnlyPort: 10255\n",
        0o600,
    );
    let doc = node.run(&[]).json();
    assert_eq!(status(&doc, "4.2.4"), "FAIL");
    assert_eq!(
        check(&doc, "4.2.4")["source"]["file"],
        "/etc/kubernetes/kubelet.conf.d/50-debug.conf"
    );
    // Settings the drop-ins leave alone still come from the config file.
    assert_eq!(
        check(&doc, "4.2.1")["source"]["file"],
        "/var/lib/kubelet/config.yaml"
    );
}

#[test]
fn unusable_snapshots_and_roots_are_errors() {
    let dir = std::env::temp_dir().join(format!("palisade-node-bad-{}", std::process::id()));
    fs::create_dir_all(&dir).unwrap();
    let garbage = dir.join("garbage.json");
    fs::write(
        &garbage,
        "{\"schema\": \"palisade.node-snapshot/v1\", \"files\": 3}",
    )
    .unwrap();
    let wrong = dir.join("wrong.json");
    fs::write(
        &wrong,
        "{\"schema\": \"palisade.scan/v1\", \"root\": \"/\", \"live\": false}",
    )
    .unwrap();
    for path in [&garbage, &wrong, &dir.join("absent.json")] {
        let run = palisade(&["node", "--from", path.to_str().unwrap()]);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(run.stderr.starts_with("error: "), "{}", run.stderr);
    }
    let run = palisade(&["node", "--root", dir.join("absent").to_str().unwrap()]);
    assert_eq!(run.code, 2);
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn k3s_server_is_checked_from_its_configuration_files() {
    let node = NodeDir::new("k3s-server");
    let doc = node.run(&[]).json();
    assert_eq!(
        doc["targets"],
        serde_json::json!(["master", "etcd", "controlplane", "node"])
    );
    // Component flags come from config.yaml, its drop-ins and the unit's command line.
    assert_eq!(status(&doc, "1.2.16"), "PASS");
    assert_eq!(
        check(&doc, "1.2.16")["source"],
        serde_json::json!({"file": "/etc/rancher/k3s/config.yaml", "line": 7})
    );
    // The command line comes after the config file: its audit-log-maxbackup=10 wins over 1.
    assert_eq!(status(&doc, "1.2.18"), "PASS");
    assert_eq!(
        check(&doc, "1.2.18")["source"]["file"],
        "/etc/systemd/system/k3s.service"
    );
    // The drop-in's read-only-port=0 wins over config.yaml's 10255.
    assert_eq!(status(&doc, "4.2.4"), "WARN");
    assert!(actual(&doc, "4.2.4").starts_with("--read-only-port=0"));
    assert_eq!(
        check(&doc, "4.2.4")["source"]["file"],
        "/etc/rancher/k3s/config.yaml.d/50-kubelet.yaml"
    );
    // What k3s passes itself is said to be built in, not left to upstream defaults.
    assert_eq!(status(&doc, "1.2.6"), "PASS");
    assert_eq!(
        check(&doc, "1.2.6")["source"]["file"],
        "(built-in arguments)"
    );
    // secrets-encryption: true names the encryption configuration k3s writes.
    assert_eq!(actual(&doc, "1.2.28"), "first provider for secrets: aescbc");
    assert_eq!(status(&doc, "2.2"), "PASS");
    assert_eq!(status(&doc, "4.2.1"), "PASS");
    // No static pod manifests on k3s: those checks have nothing to look at.
    assert_eq!(status(&doc, "1.1.1"), "NOT-FOUND");
    if is_root() {
        assert_eq!(status(&doc, "1.1.13"), "PASS");
    }
}

#[test]
fn k3s_insecure_settings_in_drop_ins_fail() {
    let node = NodeDir::new("k3s-server");
    node.write(
        "/etc/rancher/k3s/config.yaml.d/90-insecure.yaml",
        "kube-apiserver-arg+:\n  - anonymous-auth=true\nkubelet-arg+:\n  - read-only-port=10255\n",
        0o600,
    );
    let doc = node.run(&[]).json();
    assert_eq!(status(&doc, "1.2.1"), "FAIL");
    assert_eq!(
        check(&doc, "1.2.1")["source"],
        serde_json::json!({"file": "/etc/rancher/k3s/config.yaml.d/90-insecure.yaml", "line": 2})
    );
    assert_eq!(status(&doc, "4.2.4"), "FAIL");
}

#[test]
fn k3s_agent_runs_the_node_section_only() {
    let node = NodeDir::new("k3s-server");
    node.edit(
        "/etc/systemd/system/k3s.service",
        "    server \\",
        "    agent \\",
    );
    let doc = node.run(&[]).json();
    assert_eq!(doc["targets"], serde_json::json!(["node"]));
    assert_eq!(status(&doc, "4.2.2"), "PASS");
    assert_eq!(status(&doc, "4.2.5"), "WARN");
}

#[test]
fn etcd_settings_come_from_its_config_file_when_no_flag_gives_them() {
    let node = NodeDir::new("control-plane");
    let manifest = "/etc/kubernetes/manifests/etcd.yaml";
    for flag in [
        "        - --client-cert-auth=true\n",
        "        - --peer-client-cert-auth=true\n",
        "        - --cert-file=/etc/kubernetes/pki/etcd/server.crt\n",
    ] {
        node.edit(manifest, flag, "");
    }
    node.edit(
        manifest,
        "        - --data-dir=/var/lib/etcd\n",
        "        - --data-dir=/var/lib/etcd\n        - --config-file=/etc/kubernetes/etcd.conf.yaml\n",
    );
    node.write(
        "/etc/kubernetes/etcd.conf.yaml",
        "name: cp-1\nclient-transport-security:\n  cert-file: /etc/kubernetes/pki/etcd/server.crt\n  client-cert-auth: true\npeer-transport-security:\n  client-cert-auth: false\ndata-dir: /var/lib/elsewhere\n",
        0o600,
    );
    let doc = node.run(&[]).json();
    assert_eq!(status(&doc, "2.1"), "PASS", "{}", actual(&doc, "2.1"));
    assert_eq!(status(&doc, "2.2"), "PASS");
    assert_eq!(
        check(&doc, "2.2")["source"],
        serde_json::json!({"file": "/etc/kubernetes/etcd.conf.yaml", "line": 4})
    );
    // peer-transport-security.client-cert-auth: false is read as --peer-client-cert-auth.
    assert_eq!(status(&doc, "2.5"), "FAIL", "{}", actual(&doc, "2.5"));
    // The flag still wins over the file.
    assert!(actual(&doc, "1.1.11").starts_with("/var/lib/etcd "));
}

#[test]
fn more_policies_from_a_cluster_dump() {
    let node = NodeDir::new("worker");
    let dump = node.path.join("dump.yaml");
    fs::write(
        &dump,
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: default\n  namespace: shop\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  containers:\n    - name: api\n      image: api\n      env:\n        - name: DB_PASSWORD\n          valueFrom:\n            secretKeyRef: {name: db, key: password}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: kubelet-api\nrules:\n  - apiGroups: [\"\"]\n    resources: [nodes/proxy, pods]\n    verbs: [get, create]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: bob-kubelet-api\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: kubelet-api\nsubjects:\n  - kind: User\n    name: bob\n    apiGroup: rbac.authorization.k8s.io\n",
    )
    .unwrap();
    let doc = node.run(&["-f", dump.to_str().unwrap()]).json();
    assert_eq!(
        actual(&doc, "5.1.10"),
        "User bob via ClusterRoleBinding bob-kubelet-api"
    );
    assert_eq!(status(&doc, "5.1.4"), "FAIL");
    assert_eq!(status(&doc, "5.1.9"), "PASS");
    assert_eq!(actual(&doc, "5.1.5"), "ServiceAccount shop/default");
    assert_eq!(actual(&doc, "5.4.1"), "Pod shop/api container api");
    // The container keeps the runtime's default capabilities: NET_RAW under containerd only.
    assert_eq!(status(&doc, "5.2.8"), "WARN");
    assert_eq!(status(&doc, "5.2.9"), "WARN");
    assert_eq!(status(&doc, "5.2.10"), "WARN");
    assert!(
        actual(&doc, "5.6.2").starts_with("Pod shop/api: seccompProfile"),
        "{}",
        actual(&doc, "5.6.2")
    );
}

#[test]
fn k3s_built_in_arguments_follow_its_sources() {
    let node = NodeDir::new("k3s-server");
    let doc = node.run(&[]).json();
    // The API server checks kubelet serving certificates against k3s's server CA.
    assert_eq!(status(&doc, "1.2.5"), "PASS");
    assert_eq!(
        actual(&doc, "1.2.5"),
        "--kubelet-certificate-authority=/var/lib/rancher/k3s/server/tls/server-ca.crt"
    );
    assert!(actual(&doc, "1.3.4").ends_with("/server/tls/service.current.key"));
    assert!(actual(&doc, "4.2.9").contains("/var/lib/rancher/k3s/agent/serving-kubelet.crt"));
    // Always set by k3s: a person decides, nothing to remove.
    assert_eq!(status(&doc, "4.2.7"), "WARN");
    assert_eq!(
        check(&doc, "4.2.7")["source"]["file"],
        "(built-in arguments)"
    );
}

#[test]
fn pod_security_defaults_of_the_admission_configuration_apply_to_unlabelled_namespaces() {
    let node = NodeDir::new("control-plane");
    // The plugin's configuration in a file of its own, named relative to the admission file.
    node.write(
        "/etc/kubernetes/admission.yaml",
        "apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins:\n  - name: PodSecurity\n    path: pod-security.yaml\n",
        0o600,
    );
    node.write(
        "/etc/kubernetes/pod-security.yaml",
        "apiVersion: pod-security.admission.config.k8s.io/v1\nkind: PodSecurityConfiguration\ndefaults:\n  enforce: baseline\n  enforce-version: v1.30\nexemptions:\n  namespaces: [legacy]\n",
        0o600,
    );
    let privileged = |ns: &str| {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: agent\n  namespace: {ns}\nspec:\n  template:\n    spec:\n      containers:\n        - name: agent\n          image: agent:1\n          securityContext:\n            privileged: true\n---\n"
        )
    };
    let dump = node.path.join("dump.yaml");
    let shop = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n---\n";
    fs::write(&dump, format!("{shop}{}", privileged("shop"))).unwrap();
    let doc = node
        .run(&["--targets", "policies", "-f", dump.to_str().unwrap()])
        .json();
    // shop has no labels, so it enforces the cluster's baseline default, which refuses the pod.
    assert_eq!(status(&doc, "5.2.2"), "PASS", "{}", actual(&doc, "5.2.2"));
    let notes = doc["notes"].to_string();
    assert!(
        notes.contains("Pod Security defaults from /etc/kubernetes/pod-security.yaml: enforce baseline:v1.30; exempt namespaces legacy"),
        "{notes}"
    );
    // An exempt namespace is not checked at all, whatever the defaults say.
    fs::write(&dump, format!("{shop}{}", privileged("legacy"))).unwrap();
    let doc = node
        .run(&["--targets", "policies", "-f", dump.to_str().unwrap()])
        .json();
    assert_eq!(status(&doc, "5.2.2"), "FAIL");
    assert!(actual(&doc, "5.2.2").starts_with("Deployment legacy/agent"));
    // A label still wins over the default.
    let labelled = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n    pod-security.kubernetes.io/enforce: privileged\n---\n";
    fs::write(&dump, format!("{labelled}{}", privileged("shop"))).unwrap();
    let doc = node
        .run(&["--targets", "policies", "-f", dump.to_str().unwrap()])
        .json();
    assert_eq!(status(&doc, "5.2.2"), "FAIL");
    // A default the API server would refuse is said, and the defaults fall back to privileged.
    node.write(
        "/etc/kubernetes/pod-security.yaml",
        "apiVersion: pod-security.admission.config.k8s.io/v1\nkind: PodSecurityConfiguration\ndefaults:\n  enforce: strict\n",
        0o600,
    );
    fs::write(&dump, format!("{shop}{}", privileged("shop"))).unwrap();
    let doc = node
        .run(&["--targets", "policies", "-f", dump.to_str().unwrap()])
        .json();
    assert_eq!(status(&doc, "5.2.2"), "FAIL");
    assert!(
        doc["notes"]
            .to_string()
            .contains("defaults.enforce: unknown level `strict`"),
        "{}",
        doc["notes"]
    );
}
