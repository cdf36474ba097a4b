//! The README's tour, run on the repository's `examples/` as a new user would: every command it
//! shows on the examples works and gives the answer the README describes.

use std::path::PathBuf;

use crate::{Run, palisade_in};

/// Runs `palisade ARGS` at the repository root, where the README's commands are typed.
fn run(args: &[&str]) -> Run {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    palisade_in(&root, args, None)
}

#[test]
fn scan_of_the_examples_finds_problems_and_not_in_the_hardened_file() {
    assert_eq!(run(&["scan", "examples/"]).code, 1);
    let hardened = run(&["scan", "examples/hardened.yaml"]);
    assert_eq!(hardened.code, 0, "{}", hardened.stdout);
}

#[test]
fn rbac_answers_on_the_example_cluster() {
    let yes = run(&[
        "rbac",
        "can-i",
        "--as-sa",
        "shop:web",
        "create",
        "pods",
        "-n",
        "kube-system",
        "-f",
        "examples/cluster/",
    ]);
    assert_eq!(yes.code, 0, "{}", yes.stdout);
    assert!(
        yes.stdout
            .contains("RoleBinding kube-system/web-launches-pods (examples/cluster/rbac.yaml:13)"),
        "{}",
        yes.stdout
    );
    let who = run(&[
        "rbac",
        "who-can",
        "get",
        "secrets",
        "-n",
        "kube-system",
        "-f",
        "examples/cluster/",
    ]);
    assert!(
        who.stdout
            .contains("ServiceAccount kube-system:node-maintenance")
    );
    assert!(!who.stdout.contains("shop:web"), "{}", who.stdout);
    let jane = run(&[
        "rbac",
        "permissions",
        "user:jane@example.com",
        "-f",
        "examples/cluster/",
    ]);
    assert!(
        jane.stdout
            .contains("via ClusterRoleBinding developers-view")
    );
    let risks = run(&["rbac", "risks", "-f", "examples/cluster/"]);
    assert_eq!(risks.code, 1);
    for id in ["PAL-501", "PAL-504", "PAL-506", "PAL-515"] {
        assert!(risks.stdout.contains(id), "{id} missing:\n{}", risks.stdout);
    }
}

#[test]
fn netpol_answers_on_the_example_cluster() {
    let list = run(&["netpol", "list", "examples/cluster/"]);
    assert_eq!(
        list.stdout,
        "0.0.0.0-255.255.255.255[External] => shop/web[Deployment] : TCP 8080\n\
         shop/web[Deployment] => shop/db[StatefulSet] : TCP 5432\n"
    );
    let eval = run(&[
        "netpol",
        "eval",
        "--src",
        "shop/web",
        "--dst",
        "shop/db",
        "--port",
        "5432",
        "examples/cluster/",
    ]);
    assert_eq!(eval.code, 0, "{}", eval.stdout);
    let back = run(&[
        "netpol",
        "eval",
        "--src",
        "shop/db",
        "--dst",
        "shop/web",
        "examples/cluster/",
    ]);
    assert_eq!(back.code, 1, "{}", back.stdout);
    let explain = run(&[
        "netpol",
        "explain",
        "--src",
        "shop/web",
        "--dst",
        "shop/db",
        "examples/cluster/",
    ]);
    assert!(explain.stdout.contains("'shop/db'"), "{}", explain.stdout);
    let exposure = run(&["netpol", "list", "--exposure", "examples/cluster/"]);
    assert!(
        exposure.stdout.contains("entire-cluster"),
        "{}",
        exposure.stdout
    );
}

#[test]
fn paths_on_the_example_cluster_lead_from_the_web_token_to_cluster_admin() {
    let paths = run(&["paths", "examples/cluster/"]);
    assert_eq!(paths.code, 1, "{}", paths.stdout);
    assert!(
        paths.stdout.contains("T-CREATE-POD-WITH-SA"),
        "{}",
        paths.stdout
    );
    assert!(paths.stdout.contains("sa:kube-system/node-maintenance"));
    let blast = run(&["paths", "--blast-radius", "shop/web", "examples/cluster/"]);
    assert!(blast.stdout.contains("cluster-admin"), "{}", blast.stdout);
    let cut = run(&["paths", "--cut", "examples/cluster/"]);
    assert!(
        cut.stdout.starts_with("2 sources reach cluster-admin"),
        "{}",
        cut.stdout
    );
    let node = run(&["paths", "--to", "node", "-k", "3", "examples/"]);
    assert!(
        node.stdout.contains("attack paths to node"),
        "{}",
        node.stdout
    );
}

#[test]
fn pss_on_the_examples() {
    let ns = run(&["pss", "--namespaces", "examples/cluster/"]);
    assert!(
        ns.stdout.contains("namespace shop (enforce baseline"),
        "{}",
        ns.stdout
    );
    let restricted = run(&[
        "pss",
        "--level",
        "restricted",
        "--version",
        "v1.30",
        "examples/",
    ]);
    assert!(
        restricted.stdout.contains("denied"),
        "{}",
        restricted.stdout
    );
}

#[test]
fn detect_on_the_example_audit_log() {
    let alerts = run(&[
        "detect",
        "audit",
        "--format",
        "text",
        "examples/audit.jsonl",
    ]);
    assert_eq!(alerts.code, 1, "{}", alerts.stderr);
    for rule in [
        "[Exec Into Pod]",
        "[Privileged Pod Created]",
        "[Sensitive HostPath Pod Created]",
        "[Binding To cluster-admin]",
        "[Kubernetes Events Deleted]",
    ] {
        assert!(
            alerts.stdout.contains(rule),
            "{rule} missing:\n{}",
            alerts.stdout
        );
    }
    assert!(alerts.stdout.contains("pod=debug"), "{}", alerts.stdout);
    assert!(alerts.stderr.contains("6 events"), "{}", alerts.stderr);
}
