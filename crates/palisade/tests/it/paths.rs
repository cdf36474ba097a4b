//! `palisade paths` on the `paths/` fixtures: paths with evidence, JSON and DOT output, blast
//! radius, cut ranking, the diff gate and the PAL-7xx scan findings.

use crate::palisade;

#[test]
fn paths_from_outside_show_each_step_with_file_and_line() {
    let run = palisade(&[
        "paths",
        "paths/exposed_web_creates_pods.yaml",
        "--from",
        "external",
    ]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.starts_with("1 attack path to cluster-admin\n"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains(
        "T-RBAC-GRANT sa:shop/web → perm:create-pods@kube-system\n       \
         paths/exposed_web_creates_pods.yaml:38: RoleBinding kube-system/web-launches-pods"
    ));
    assert!(
        run.stdout
            .contains("paths/exposed_web_creates_pods.yaml:20: pods run as service account web")
    );
}

#[test]
fn json_starts_with_the_schema() {
    let run = palisade(&["paths", "paths/ci_bind.yaml", "--format", "json"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .starts_with("{\n  \"schema\": \"palisade.paths/v1\""),
        "{}",
        run.stdout
    );
    let doc = run.json();
    let steps = doc["paths"][0]["steps"].as_array().expect("steps");
    assert_eq!(steps.len(), 3);
    assert_eq!(steps[2]["technique"], "T-BIND-ESCALATE");
    assert_eq!(steps[0]["evidence"][0]["file"], "paths/ci_bind.yaml");
    assert_eq!(steps[0]["evidence"][0]["line"], 11);
}

#[test]
fn dot_draws_the_steps() {
    let run = palisade(&["paths", "paths/ci_bind.yaml", "--format", "dot"]);
    assert!(run.stdout.starts_with("digraph attack_paths {"));
    assert!(run.stdout.contains("[label=\"T-BIND-ESCALATE\"]"));
}

#[test]
fn no_path_exits_zero() {
    let run = palisade(&[
        "paths",
        "paths/network_segmented.yaml",
        "--from",
        "external",
    ]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.stdout, "no attack path to cluster-admin\n");
}

#[test]
fn to_an_identity_and_k_paths() {
    let run = palisade(&[
        "paths",
        "paths/exposed_web_creates_pods.yaml",
        "--from",
        "shop/web",
        "--to",
        "sa:kube-system/controller",
        "-k",
        "3",
        "--format",
        "json",
    ]);
    let doc = run.json();
    let paths = doc["paths"].as_array().expect("paths");
    assert!(!paths.is_empty());
    assert_eq!(paths[0]["target"], "sa:kube-system/controller");
    assert_eq!(paths[0]["source"], "workload:shop/web[Deployment]");
}

#[test]
fn blast_radius_lists_what_one_workload_reaches() {
    let run = palisade(&[
        "paths",
        "paths/network_open.yaml",
        "--blast-radius",
        "shop/store",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    assert_eq!(doc["command"], "blast-radius");
    let reached: Vec<&str> = doc["reached"]
        .as_array()
        .expect("reached")
        .iter()
        .filter_map(|r| r["vertex"].as_str())
        .collect();
    assert!(reached.contains(&"workload:payments/ledger[Deployment]"));
    assert!(reached.contains(&"cluster-admin"));
}

#[test]
fn cut_ranks_the_shared_step_first() {
    let run = palisade(&[
        "paths",
        "paths/exposed_web_creates_pods.yaml",
        "--cut",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 1);
    let doc = run.json();
    assert_eq!(doc["command"], "cut");
    assert_eq!(doc["cuts"][0]["sources_cut_off"], 2);
}

#[test]
fn diff_fails_on_a_new_path_and_passes_on_a_removed_one() {
    let opened = palisade(&[
        "paths",
        "diff",
        "paths/network_segmented.yaml",
        "paths/network_open.yaml",
    ]);
    assert_eq!(opened.code, 1, "{}{}", opened.stdout, opened.stderr);
    assert!(opened.stdout.contains("new external → cluster-admin"));
    let closed = palisade(&[
        "paths",
        "diff",
        "paths/network_open.yaml",
        "paths/network_segmented.yaml",
        "--format",
        "json",
    ]);
    assert_eq!(closed.code, 0);
    let doc = closed.json();
    assert_eq!(doc["schema"], "palisade.paths/v1");
    assert_eq!(doc["new"], 0);
    assert!(doc["removed"].as_u64().unwrap_or(0) >= 1);
}

#[test]
fn scan_reports_workloads_with_a_path() {
    let run = palisade(&[
        "scan",
        "paths/privileged_daemonset.yaml",
        "--format",
        "json",
        "--select",
        "paths",
    ]);
    let doc = run.json();
    let slugs = crate::slugs(&doc, "findings");
    assert!(
        slugs.contains(&"workload-path-to-cluster-admin".to_string()),
        "{slugs:?}"
    );
    assert!(
        slugs.contains(&"workload-path-to-node".to_string()),
        "{slugs:?}"
    );
}

#[test]
fn unknown_selector_is_a_usage_error() {
    let run = palisade(&["paths", "paths/ci_bind.yaml", "--from", "nothing-like-this"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
}

#[test]
fn volumes_and_containers_are_steps_with_their_lines() {
    let run = palisade(&["paths", "paths/host_volumes.yaml", "--to", "node"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains(
        "T-ESCAPE-HOST-PATH volume:ops/backup[DaemonSet]/host-root → node:*\n       \
         paths/host_volumes.yaml:13: mounts the node's /"
    ));
    assert!(
        run.stdout
            .contains("T-RUN-IN-CONTAINER workload:ops/monitor[DaemonSet] → container:ops/monitor[DaemonSet]/probe")
    );
}

#[test]
fn a_certificate_approver_reaches_cluster_admin_through_a_new_identity() {
    let run = palisade(&[
        "paths",
        "paths/csr_approver.yaml",
        "--blast-radius",
        "certs/approver",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    let reached: Vec<(&str, &str)> = doc["reached"]
        .as_array()
        .expect("reached")
        .iter()
        .filter_map(|r| Some((r["vertex"].as_str()?, r["kind"].as_str()?)))
        .collect();
    assert!(reached.contains(&(
        "new-identity:kubernetes.io/kube-apiserver-client",
        "new-identity"
    )));
    assert!(reached.contains(&("cluster-admin", "cluster-admin")));
}
