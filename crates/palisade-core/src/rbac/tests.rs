//! Unit tests pinning the authorizer's matching and binding semantics.

use std::sync::Arc;

use super::*;
use crate::load::load_text;

fn model(yaml: &str) -> Model {
    let file: Arc<str> = Arc::from("rbac.yaml");
    let loaded = load_text(&file, yaml);
    Model::from_objects(loaded.objects.iter())
}

fn rule(verbs: &[&str], groups: &[&str], resources: &[&str], names: &[&str]) -> Rule {
    let v = |s: &[&str]| s.iter().map(std::string::ToString::to_string).collect();
    Rule {
        verbs: v(verbs),
        api_groups: v(groups),
        resources: v(resources),
        resource_names: v(names),
        non_resource_urls: Vec::new(),
        at: Loc {
            file: Arc::from("t"),
            pos: Pos::new(1, 1),
        },
    }
}

fn url_rule(verbs: &[&str], urls: &[&str]) -> Rule {
    let mut r = rule(verbs, &[], &[], &[]);
    r.non_resource_urls = urls.iter().map(std::string::ToString::to_string).collect();
    r
}

fn allows(rule: &Rule, verb: &str, group: &str, resource: &str, name: &str) -> bool {
    matching::rule_allows(
        rule,
        &Request::resource(verb, group, resource, "ns").named(name),
    )
}

#[test]
fn star_resource_matches_everything_including_subresources() {
    let r = rule(&["*"], &["*"], &["*"], &[]);
    assert!(allows(&r, "get", "", "pods", ""));
    assert!(allows(&r, "create", "", "pods/exec", ""));
    assert!(allows(&r, "patch", "apps", "deployments/scale", "x"));
}

#[test]
fn star_slash_subresource_matches_that_subresource_of_any_resource() {
    let r = rule(&["get"], &["*"], &["*/scale"], &[]);
    assert!(allows(&r, "get", "apps", "deployments/scale", ""));
    assert!(allows(&r, "get", "", "replicationcontrollers/scale", ""));
    assert!(!allows(&r, "get", "apps", "deployments", ""));
    assert!(!allows(&r, "get", "apps", "deployments/status", ""));
}

#[test]
fn resource_slash_star_is_not_a_wildcard() {
    let r = rule(&["get"], &[""], &["pods/*"], &[]);
    assert!(!allows(&r, "get", "", "pods/exec", ""));
    assert!(!allows(&r, "get", "", "pods/log", ""));
    assert!(!allows(&r, "get", "", "pods", ""));
}

#[test]
fn bare_resource_does_not_match_its_subresources() {
    let r = rule(&["get", "create"], &[""], &["pods"], &[]);
    assert!(allows(&r, "get", "", "pods", ""));
    assert!(!allows(&r, "get", "", "pods/status", ""));
    assert!(!allows(&r, "create", "", "pods/exec", ""));
    let sub = rule(&["get"], &[""], &["pods/status"], &[]);
    assert!(allows(&sub, "get", "", "pods/status", ""));
    assert!(!allows(&sub, "get", "", "pods", ""));
}

#[test]
fn verbs_and_groups_match_exactly_or_by_star() {
    let r = rule(&["get"], &["apps"], &["deployments"], &[]);
    assert!(allows(&r, "get", "apps", "deployments", ""));
    assert!(!allows(&r, "list", "apps", "deployments", ""));
    assert!(!allows(&r, "get", "extensions", "deployments", ""));
    assert!(!allows(&r, "get", "", "deployments", ""));
    let core = rule(&["*"], &[""], &["pods"], &[]);
    assert!(allows(&core, "deletecollection", "", "pods", ""));
    assert!(!allows(&core, "get", "apps", "pods", ""));
}

#[test]
fn resource_names_never_match_requests_without_a_name() {
    let r = rule(&["*"], &[""], &["configmaps"], &["cfg"]);
    assert!(allows(&r, "get", "", "configmaps", "cfg"));
    assert!(allows(&r, "update", "", "configmaps", "cfg"));
    assert!(!allows(&r, "get", "", "configmaps", "other"));
    for verb in ["create", "list", "watch", "deletecollection"] {
        assert!(!allows(&r, verb, "", "configmaps", ""), "{verb}");
    }
}

#[test]
fn non_resource_urls_match_exactly_or_by_star_suffix() {
    let r = url_rule(&["get"], &["/healthz", "/logs/*", "/api*"]);
    let ask =
        |verb: &str, path: &str| matching::rule_allows(&r, &Request::non_resource(verb, path));
    assert!(ask("get", "/healthz"));
    assert!(!ask("get", "/healthz/ready"));
    assert!(ask("get", "/logs/"));
    assert!(ask("get", "/logs/kube-apiserver.log"));
    assert!(!ask("get", "/logs"));
    assert!(ask("get", "/apis/apps"));
    assert!(!ask("post", "/healthz"));
    let all = url_rule(&["*"], &["*"]);
    assert!(matching::rule_allows(
        &all,
        &Request::non_resource("post", "/anything")
    ));
    // A resource rule never grants a non-resource URL and vice versa.
    assert!(!matching::rule_allows(
        &rule(&["*"], &["*"], &["*"], &[]),
        &Request::non_resource("get", "/healthz")
    ));
    assert!(!allows(&all, "get", "", "pods", ""));
}

const BINDINGS: &str = r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: pod-reader}
rules:
- apiGroups: [""]
  resources: [pods]
  verbs: [get, list]
- nonResourceURLs: ["/metrics"]
  verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: health}
rules:
- nonResourceURLs: ["/healthz"]
  verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: cm-writer, namespace: team}
rules:
- apiGroups: [""]
  resources: [configmaps]
  verbs: [create]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: read-pods, namespace: team}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: pod-reader}
subjects:
- kind: ServiceAccount
  name: app
- kind: User
  name: alice
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: write-cm, namespace: team}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: cm-writer}
subjects:
- kind: Group
  name: system:serviceaccounts:team
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: read-pods-everywhere}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: pod-reader}
subjects:
- kind: User
  name: bob
- kind: ServiceAccount
  name: nowhere
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: everyone-metrics}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: health}
subjects:
- kind: Group
  name: system:authenticated
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: dangling, namespace: team}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: missing}
subjects:
- kind: User
  name: carol
- kind: Robot
  name: r2
"#;

fn can(m: &Model, user: &UserInfo, verb: &str, resource: &str, ns: &str) -> bool {
    m.authorize(user, &Request::resource(verb, "", resource, ns))
        .allowed
}

#[test]
fn rolebinding_to_clusterrole_has_namespaced_effect_only() {
    let m = model(BINDINGS);
    let alice = UserInfo::user("alice", &[]);
    assert!(can(&m, &alice, "get", "pods", "team"));
    assert!(!can(&m, &alice, "get", "pods", "other"));
    assert!(!can(&m, &alice, "get", "pods", ""));
    let bob = UserInfo::user("bob", &[]);
    assert!(can(&m, &bob, "list", "pods", ""));
    assert!(can(&m, &bob, "list", "pods", "anything"));
}

#[test]
fn service_account_subject_defaults_to_binding_namespace() {
    let m = model(BINDINGS);
    assert!(can(
        &m,
        &UserInfo::service_account("team", "app"),
        "get",
        "pods",
        "team"
    ));
    assert!(!can(
        &m,
        &UserInfo::service_account("other", "app"),
        "get",
        "pods",
        "team"
    ));
    // In a ClusterRoleBinding there is no namespace to default to: it matches nobody.
    assert!(!can(
        &m,
        &UserInfo::service_account("", "nowhere"),
        "get",
        "pods",
        "x"
    ));
    assert!(
        m.warnings
            .iter()
            .any(|w| w.message.contains("without a namespace"))
    );
}

#[test]
fn implicit_groups_apply() {
    let m = model(BINDINGS);
    // system:serviceaccounts:team gets the Role in team.
    let sa = UserInfo::service_account("team", "any");
    assert!(can(&m, &sa, "create", "configmaps", "team"));
    assert!(!can(
        &m,
        &UserInfo::service_account("x", "any"),
        "create",
        "configmaps",
        "team"
    ));
    // system:authenticated may get /healthz; anonymous is not in it.
    let anon = UserInfo::user(ANONYMOUS_USER, &[]);
    assert!(anon.in_group("system:unauthenticated"));
    assert!(!anon.in_group("system:authenticated"));
    let healthz = Request::non_resource("get", "/healthz");
    assert!(!m.authorize(&anon, &healthz).allowed);
    assert!(m.authorize(&UserInfo::user("zed", &[]), &healthz).allowed);
    assert!(
        m.authorize(&UserInfo::service_account("a", "b"), &healthz)
            .allowed
    );
}

#[test]
fn non_resource_urls_only_through_cluster_role_bindings() {
    let m = model(BINDINGS);
    let metrics = Request::non_resource("get", "/metrics");
    // alice has pod-reader (which lists /metrics) only through a RoleBinding.
    assert!(!m.authorize(&UserInfo::user("alice", &[]), &metrics).allowed);
    assert!(m.authorize(&UserInfo::user("bob", &[]), &metrics).allowed);
}

#[test]
fn masters_bypass_rbac() {
    let m = model(BINDINGS);
    let root = UserInfo::user("root", &["system:masters".to_string()]);
    let d = m.authorize(&root, &Request::resource("delete", "", "nodes", ""));
    assert!(d.allowed && d.masters && d.grants.is_empty());
}

#[test]
fn dangling_role_refs_and_unknown_subjects_are_warnings_with_lines() {
    let m = model(BINDINGS);
    let dangling = m
        .warnings
        .iter()
        .find(|w| w.message.contains("does not exist"))
        .expect("dangling roleRef warning");
    assert_eq!(dangling.at.to_string(), "rbac.yaml:66");
    assert!(m.warnings.iter().any(|w| w.message.contains("\"Robot\"")));
    assert!(!can(
        &m,
        &UserInfo::user("carol", &[]),
        "get",
        "pods",
        "team"
    ));
}

#[test]
fn grant_chain_points_at_binding_role_and_rule() {
    let m = model(BINDINGS);
    let d = m.authorize(
        &UserInfo::user("alice", &[]),
        &Request::resource("get", "", "pods", "team"),
    );
    let g = d
        .grants
        .iter()
        .find(|g| g.binding.name == "read-pods")
        .expect("grant via read-pods");
    assert_eq!(g.role.display(), "ClusterRole pod-reader");
    assert_eq!(g.rule.at.pos.line, 6);
    assert_eq!(g.binding.at.pos.line, 27);
}

#[test]
fn who_can_lists_subjects_with_defaulted_namespaces() {
    let m = model(BINDINGS);
    let who = m.who_can(&Request::resource("get", "", "pods", "team"));
    let names: Vec<String> = who.keys().map(ToString::to_string).collect();
    assert!(
        names.contains(&"ServiceAccount team:app".to_string()),
        "{names:?}"
    );
    assert!(names.contains(&"User alice".to_string()));
    assert!(names.contains(&"User bob".to_string()));
    assert!(!names.contains(&"Group system:authenticated".to_string()));
    assert!(!names.iter().any(|n| n.contains("nowhere")));
}

const AGGREGATION: &str = r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: top}
aggregationRule:
  clusterRoleSelectors:
  - matchLabels: {agg/top: "true"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: middle, labels: {agg/top: "true"}}
aggregationRule:
  clusterRoleSelectors:
  - matchExpressions:
    - {key: tier, operator: In, values: [low, lower]}
    - {key: skip, operator: DoesNotExist}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: leaf-a, labels: {tier: low}}
rules:
- {apiGroups: [""], resources: [secrets], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: leaf-b, labels: {tier: lower, skip: "yes"}}
rules:
- {apiGroups: [""], resources: [nodes], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: prefilled}
aggregationRule:
  clusterRoleSelectors:
  - matchLabels: {tier: low}
rules:
- {apiGroups: [""], resources: [services], verbs: [list]}
"#;

#[test]
fn aggregation_reaches_a_fixpoint_through_nested_aggregated_roles() {
    let m = model(AGGREGATION);
    let top = m.cluster_role("top").unwrap();
    assert_eq!(top.rules.len(), 1);
    assert_eq!(top.rules[0].resources, vec!["secrets".to_string()]);
    assert_eq!(top.aggregated_from, vec!["middle".to_string()]);
    let middle = m.cluster_role("middle").unwrap();
    assert_eq!(middle.aggregated_from, vec!["leaf-a".to_string()]);
    // A role that already carries rules keeps them.
    let prefilled = m.cluster_role("prefilled").unwrap();
    assert_eq!(prefilled.rules.len(), 1);
    assert_eq!(prefilled.rules[0].resources, vec!["services".to_string()]);
}

#[test]
fn selector_operators() {
    let labels: BTreeMap<String, String> = [("a".to_string(), "1".to_string())].into();
    let expr = |op: &str, values: &[&str]| Selector {
        match_labels: vec![],
        match_expressions: vec![(
            "a".to_string(),
            op.to_string(),
            values
                .iter()
                .map(std::string::ToString::to_string)
                .collect(),
        )],
    };
    assert!(Selector::default().matches(&labels));
    assert!(expr("In", &["1"]).matches(&labels));
    assert!(!expr("NotIn", &["1"]).matches(&labels));
    assert!(expr("NotIn", &["2"]).matches(&labels));
    assert!(expr("Exists", &[]).matches(&labels));
    assert!(!expr("DoesNotExist", &[]).matches(&labels));
    assert!(!expr("Bogus", &[]).matches(&labels));
}

#[test]
fn malformed_input_never_panics() {
    let m = model(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: x}\nrules:\n- resources: [pods]\n- 5\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: y}\nroleRef: {kind: Role, name: x}\nsubjects: 7\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: z}\n",
    );
    assert!(m.cluster_role("x").unwrap().rules.is_empty());
    assert!(m.warnings.len() >= 3, "{:?}", m.warnings);
}

#[test]
fn malformed_rules_are_located_warnings() {
    let m = model(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: team}\nrules:\n- nonResourceURLs: [/x]\n  resources: [pods]\n  verbs: [get]\n- apiGroups: [\"\"]\n  resources: [pods]\n",
    );
    let lines: Vec<String> = m
        .warnings
        .iter()
        .map(|w| format!("{}: {}", w.at, w.message))
        .collect();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("rbac.yaml:5:") && l.contains("mixes")),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("rbac.yaml:5:") && l.contains("namespaced Role"))
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("rbac.yaml:8:") && l.contains("without verbs"))
    );
    assert_eq!(m.role("team", "r").map(|r| r.rules.len()), Some(1));
}

#[test]
fn holders_and_permissions_follow_the_indexes() {
    let m = model(BINDINGS);
    let reader = m.cluster_role("pod-reader").unwrap();
    let holders: Vec<String> = m
        .holders(reader)
        .iter()
        .map(|(b, s)| format!("{} {s}", b.name))
        .collect();
    assert_eq!(
        holders,
        [
            "read-pods ServiceAccount team:app",
            "read-pods User alice",
            "read-pods-everywhere User bob",
        ]
    );
    let sa = m.permissions(&UserInfo::service_account("team", "app"));
    let scopes: Vec<_> = sa.keys().cloned().collect();
    assert_eq!(scopes, [None, Some("team".to_string())]);
    // pod-reader's rule, then cm-writer's through the group; /metrics has no effect here.
    assert_eq!(sa[&Some("team".to_string())].len(), 2);
    assert!(
        m.permissions(&UserInfo::user("nobody", &[]))
            .keys()
            .all(Option::is_none)
    );
}

mod properties {
    use proptest::prelude::*;

    use super::*;

    fn word() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("*".to_string()),
            Just(String::new()),
            Just("pods".to_string()),
            Just("pods/exec".to_string()),
            Just("*/scale".to_string()),
            Just("/api*".to_string()),
            Just("Role".to_string()),
            Just("ClusterRole".to_string()),
            Just("ServiceAccount".to_string()),
            "[a-z:/*]{0,8}",
        ]
    }

    fn list() -> impl Strategy<Value = String> {
        prop::collection::vec(word(), 0..4).prop_map(|v| {
            format!(
                "[{}]",
                v.iter()
                    .map(|w| format!("{w:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
    }

    proptest! {
        #[test]
        fn any_rbac_shaped_input_is_answered_without_panics(
            kinds in prop::collection::vec(0usize..4, 1..6),
            lists in prop::collection::vec(list(), 12),
            names in prop::collection::vec(word(), 6),
            verb in word(),
            resource in word(),
        ) {
            let kind_names = ["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"];
            let mut yaml = String::new();
            for (i, k) in kinds.iter().enumerate() {
                use std::fmt::Write as _;
                let l = |j: usize| &lists[(i * 3 + j) % lists.len()];
                let n = |j: usize| &names[(i + j) % names.len()];
                let _ = write!(
                    yaml,
                    "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: {}\nmetadata: {{name: {:?}, namespace: ns, labels: {{a: {:?}}}}}\nrules:\n- verbs: {}\n  apiGroups: {}\n  resources: {}\n  resourceNames: {}\naggregationRule: {{clusterRoleSelectors: [{{matchLabels: {{a: {:?}}}}}, {{matchExpressions: [{{key: a, operator: {:?}, values: {}}}]}}]}}\nroleRef: {{kind: {:?}, name: {:?}}}\nsubjects:\n- {{kind: {:?}, name: {:?}}}\n",
                    kind_names[*k], n(0), n(1), l(0), l(1), l(2), l(0), n(2), n(3), l(1), n(4), n(5), n(3), n(0),
                );
            }
            let m = model(&yaml);
            let user = UserInfo::service_account("ns", &names[0]);
            for request in [
                Request::resource(&verb, "", &resource, "ns"),
                Request::resource(&verb, "*", &resource, "").named(&names[1]),
                Request::non_resource(&verb, &resource),
            ] {
                let _ = m.authorize(&user, &request);
                let _ = m.who_can(&request);
            }
            let _ = m.permissions(&user);
        }
    }
}
