//! `palisade rbac can-i|who-can|permissions` on the `rbac/` fixtures: answers, exit codes,
//! grant chains with file:line, and the JSON documents.

use crate::{palisade, palisade_with_stdin};

const TEAM: &str = "rbac/team.yaml";

#[test]
fn can_i_yes_exits_zero_and_shows_the_chain() {
    let run = palisade(&[
        "rbac",
        "can-i",
        "--as",
        "alice",
        "create",
        "pods/exec",
        "-n",
        "team",
        "-f",
        TEAM,
    ]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.starts_with("yes\n"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("RoleBinding team/operators (rbac/team.yaml:26)")
    );
    assert!(
        run.stdout
            .contains("ClusterRole pod-operator (rbac/team.yaml:1)")
    );
    assert!(
        run.stdout
            .contains("resources=[pods/exec] (rbac/team.yaml:9)")
    );
}

#[test]
fn can_i_no_exits_one() {
    // The RoleBinding does not reach other namespaces nor cluster-wide requests.
    for ns in [&["-n", "other"][..], &[]] {
        let mut args = vec!["rbac", "can-i", "--as", "alice", "get", "pods", "-f", TEAM];
        args.extend_from_slice(ns);
        let run = palisade(&args);
        assert_eq!(run.code, 1, "{}", run.stdout);
        assert!(run.stdout.starts_with("no\n"));
    }
    // Bare pods does not cover pods/status.
    let run = palisade(&[
        "rbac",
        "can-i",
        "--as",
        "alice",
        "get",
        "pods/status",
        "-n",
        "team",
        "-f",
        TEAM,
    ]);
    assert_eq!(run.code, 1);
}

#[test]
fn can_i_errors_exit_two() {
    let run = palisade(&["rbac", "can-i", "get", "pods", "-f", TEAM]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--as"));
    let run = palisade(&[
        "rbac",
        "can-i",
        "--as",
        "a",
        "get",
        "pods",
        "-f",
        "missing.yaml",
    ]);
    assert_eq!(run.code, 2);
    let run = palisade(&[
        "rbac",
        "can-i",
        "--as-sa",
        "nonamespace",
        "get",
        "pods",
        "-f",
        TEAM,
    ]);
    assert_eq!(run.code, 2);
}

#[test]
fn can_i_service_account_resource_names_and_json() {
    let ask = |verb: &str, name: Option<&str>| {
        let mut args = vec![
            "rbac",
            "can-i",
            "--as-sa",
            "team:deployer",
            verb,
            "configmaps",
            "-n",
            "team",
            "-f",
            TEAM,
            "--format",
            "json",
        ];
        if let Some(name) = name {
            args.extend_from_slice(&["--name", name]);
        }
        palisade(&args)
    };
    let yes = ask("update", Some("app-config"));
    assert_eq!(yes.code, 0);
    assert!(
        yes.stdout
            .starts_with("{\n  \"schema\": \"palisade.rbac.can-i/v1\",")
    );
    let doc = yes.json();
    assert_eq!(doc["allowed"], true);
    assert_eq!(doc["user"]["name"], "system:serviceaccount:team:deployer");
    assert_eq!(doc["grants"][0]["rule"]["at"], "rbac/team.yaml:21");
    assert_eq!(doc["grants"][0]["binding"]["name"], "config");
    assert_eq!(
        doc["warnings"][0]["at"], "rbac/team.yaml:71",
        "the dangling roleRef is reported"
    );
    // A rule with resourceNames never covers a request without a name.
    assert_eq!(ask("get", None).code, 1);
    assert_eq!(ask("get", Some("other")).code, 1);
}

#[test]
fn can_i_non_resource_urls_and_groups() {
    let ask = |group: &str| {
        palisade(&[
            "rbac",
            "can-i",
            "--as-group",
            group,
            "get",
            "/metrics",
            "-f",
            TEAM,
        ])
        .code
    };
    assert_eq!(ask("sre"), 0);
    assert_eq!(ask("dev"), 1);
    // Through a RoleBinding a non-resource URL has no effect.
    let run = palisade(&[
        "rbac", "can-i", "--as", "alice", "get", "/metrics", "-f", TEAM,
    ]);
    assert_eq!(run.code, 1);
    let run = palisade(&[
        "rbac",
        "can-i",
        "--as",
        "root",
        "--as-group",
        "system:masters",
        "delete",
        "nodes",
        "-f",
        TEAM,
    ]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("system:masters"));
}

#[test]
fn who_can_lists_subjects_with_chains() {
    let run = palisade(&["rbac", "who-can", "get", "pods", "-n", "team", "-f", TEAM]);
    assert_eq!(run.code, 0);
    for subject in ["User alice", "Group sre", "ServiceAccount team:deployer"] {
        assert!(run.stdout.contains(subject), "{subject}:\n{}", run.stdout);
    }
    let run = palisade(&[
        "rbac", "who-can", "get", "pods", "-n", "other", "-f", TEAM, "--format", "json",
    ]);
    assert_eq!(run.code, 0);
    let doc = run.json();
    assert_eq!(doc["schema"], "palisade.rbac.who-can/v1");
    let subjects = doc["subjects"].as_array().unwrap();
    assert_eq!(subjects.len(), 1, "{subjects:?}");
    assert_eq!(subjects[0]["name"], "sre");
    assert_eq!(
        subjects[0]["grants"][0]["binding"]["kind"],
        "ClusterRoleBinding"
    );
}

#[test]
fn permissions_are_merged_per_scope() {
    let run = palisade(&["rbac", "permissions", "sa:team:deployer", "-f", TEAM]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("namespace team"));
    assert!(run.stdout.contains("resourceNames=[app-config]"));
    assert!(
        !run.stdout.contains("/metrics"),
        "no effect through a RoleBinding"
    );
    let run = palisade(&[
        "rbac",
        "permissions",
        "group:sre",
        "-f",
        TEAM,
        "--format",
        "json",
    ]);
    let doc = run.json();
    assert_eq!(doc["schema"], "palisade.rbac.permissions/v1");
    let scopes = doc["scopes"].as_array().unwrap();
    assert_eq!(scopes.len(), 1);
    assert!(scopes[0]["namespace"].is_null());
    assert_eq!(scopes[0]["rules"].as_array().unwrap().len(), 3);
}

#[test]
fn objects_from_standard_input() {
    let text = std::fs::read_to_string(crate::fixtures().join(TEAM)).unwrap();
    let run = palisade_with_stdin(
        &[
            "rbac",
            "can-i",
            "--as",
            "bob",
            "--as-group",
            "sre",
            "list",
            "pods",
            "-f",
            "-",
        ],
        Some(&text),
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

#[test]
fn risks_list_primitives_with_their_holders() {
    let run = palisade(&["rbac", "risks", "-f", TEAM]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.contains("PAL-505 pod-exec-access"));
    assert!(
        run.stdout
            .contains("held by Group sre via ClusterRoleBinding sre")
    );
    let run = palisade(&["rbac", "risks", "-f", TEAM, "--format", "json"]);
    let doc = run.json();
    assert_eq!(doc["schema"], "palisade.rbac.risks/v1");
    let risks = doc["risks"].as_array().unwrap();
    assert_eq!(risks.len(), 1);
    assert_eq!(risks[0]["at"], "rbac/team.yaml:9");
    assert_eq!(risks[0]["heldBy"].as_array().unwrap().len(), 3);
    // Without primitives, exit 0.
    let clean = "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: n}\nrules:\n- {apiGroups: [\"\"], resources: [pods], verbs: [get]}\n";
    let run = palisade_with_stdin(&["rbac", "risks", "-f", "-"], Some(clean));
    assert_eq!(run.code, 0, "{}", run.stdout);
    // A wildcard over non-resource URLs names the URLs, not an empty resource list.
    let urls = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\nrules:\n- {nonResourceURLs: [/metrics], verbs: [\"*\"]}\n";
    let run = palisade_with_stdin(&["rbac", "risks", "-f", "-"], Some(urls));
    assert!(
        run.stdout
            .contains("rule grants every verb on non-resource URLs /metrics"),
        "{}",
        run.stdout
    );
}
