//! Compatibility of the RBAC model with the default ("bootstrap") RBAC objects of every
//! cluster: aggregation and well-known answers of a real API server.

use std::collections::BTreeSet;
use std::sync::Arc;

use palisade_core::load::load_text;
use palisade_core::object::Object;
use palisade_core::rbac::{Model, Request, Rule, SubjectKey, SubjectKind, UserInfo};

fn bootstrap() -> Option<(Vec<Object>, Model)> {
    let dir = crate::corpus("rbac-bootstrap")?;
    if !dir.is_dir() {
        println!("skipped: corpus not found at {}", dir.display());
        return None;
    }
    let mut objects = Vec::new();
    for name in [
        "cluster-roles.yaml",
        "cluster-role-bindings.yaml",
        "controller-roles.yaml",
        "controller-role-bindings.yaml",
        "namespace-roles.yaml",
        "namespace-role-bindings.yaml",
    ] {
        let path = dir.join(name);
        let text = std::fs::read_to_string(&path).expect("readable corpus file");
        let file: Arc<str> = Arc::from(path.display().to_string());
        let loaded = load_text(&file, &text);
        assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
        objects.extend(loaded.objects);
    }
    let model = Model::from_objects(objects.iter());
    Some((objects, model))
}

fn can(model: &Model, user: &UserInfo, request: &Request) -> bool {
    model.authorize(user, request).allowed
}

fn res(verb: &str, group: &str, resource: &str, ns: &str) -> Request {
    Request::resource(verb, group, resource, ns)
}

/// The rules of a role as comparable content.
fn contents(rules: &[Rule]) -> BTreeSet<String> {
    rules.iter().map(ToString::to_string).collect()
}

#[test]
fn corpus_reads_cleanly() {
    let Some((objects, model)) = bootstrap() else {
        return;
    };
    assert_eq!(objects.len(), 131);
    assert_eq!(model.roles.len(), 31 + 38 + 7);
    assert_eq!(model.bindings.len(), 10 + 38 + 7);
    assert!(model.warnings.is_empty(), "{:?}", model.warnings);
    assert!(model.bindings.iter().all(|b| b.role.is_some()));
}

#[test]
fn aggregation_builds_admin_edit_view_as_a_cluster_does() {
    let Some((_, model)) = bootstrap() else {
        return;
    };
    let role = |name: &str| model.cluster_role(name).expect(name);
    assert_eq!(role("view").aggregated_from, ["system:aggregate-to-view"]);
    assert_eq!(
        role("edit").aggregated_from,
        ["system:aggregate-to-edit", "view"]
    );
    assert_eq!(
        role("admin").aggregated_from,
        ["edit", "system:aggregate-to-admin"]
    );
    // The controller's union, de-duplicated: each level holds the one below plus its own.
    let view = contents(&role("view").rules);
    let edit = contents(&role("edit").rules);
    let admin = contents(&role("admin").rules);
    let own = |name: &str| contents(&role(name).rules);
    assert_eq!(view, own("system:aggregate-to-view"));
    assert_eq!(
        edit,
        &own("system:aggregate-to-edit") | &view,
        "edit = aggregate-to-edit ∪ view"
    );
    assert_eq!(admin, &own("system:aggregate-to-admin") | &edit);
    assert!(view.len() < edit.len() && edit.len() < admin.len());
    // Rules keep the position where they are written, in the aggregate-to-* roles.
    assert!(
        role("admin")
            .rules
            .iter()
            .all(|r| r.at.file.ends_with("cluster-roles.yaml") && r.at.pos.line > 16)
    );
}

#[test]
fn well_known_answers_of_the_aggregated_roles() {
    // The aggregated roles bound in a namespace, as a user would bind them.
    let mut objects = Vec::new();
    let file: Arc<str> = Arc::from("bindings.yaml");
    for role in ["view", "edit", "admin"] {
        let yaml = format!(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {{name: {role}, namespace: dev}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: {role}}}\nsubjects:\n- {{kind: User, name: {role}-user}}\n"
        );
        objects.extend(load_text(&file, &yaml).objects);
    }
    let Some((mut all, _)) = bootstrap() else {
        return;
    };
    all.extend(objects);
    let bound = Model::from_objects(all.iter());
    let view = UserInfo::user("view-user", &[]);
    let edit = UserInfo::user("edit-user", &[]);
    let admin = UserInfo::user("admin-user", &[]);

    assert!(can(&bound, &view, &res("list", "", "pods", "dev")));
    assert!(can(
        &bound,
        &view,
        &res("get", "apps", "deployments", "dev")
    ));
    assert!(!can(&bound, &view, &res("get", "", "secrets", "dev")));
    assert!(!can(&bound, &view, &res("list", "", "secrets", "dev")));
    assert!(!can(&bound, &view, &res("create", "", "pods/exec", "dev")));
    assert!(!can(&bound, &view, &res("list", "", "pods", "prod")));

    assert!(can(&bound, &edit, &res("create", "", "pods/exec", "dev")));
    assert!(can(&bound, &edit, &res("get", "", "pods/exec", "dev")));
    assert!(can(&bound, &edit, &res("get", "", "secrets", "dev")));
    assert!(can(
        &bound,
        &edit,
        &res("patch", "apps", "deployments/scale", "dev")
    ));
    assert!(can(
        &bound,
        &edit,
        &res("create", "", "serviceaccounts/token", "dev")
    ));
    assert!(!can(
        &bound,
        &edit,
        &res("create", "rbac.authorization.k8s.io", "rolebindings", "dev")
    ));
    assert!(!can(
        &bound,
        &edit,
        &res("update", "", "resourcequotas", "dev")
    ));

    assert!(can(
        &bound,
        &admin,
        &res("create", "rbac.authorization.k8s.io", "rolebindings", "dev")
    ));
    assert!(can(
        &bound,
        &admin,
        &res("create", "rbac.authorization.k8s.io", "roles", "dev")
    ));
    assert!(!can(&bound, &admin, &res("delete", "", "namespaces", "")));
    assert!(!can(&bound, &admin, &res("create", "", "pods", "prod")));
}

#[test]
fn well_known_answers_of_the_default_bindings() {
    let Some((_, model)) = bootstrap() else {
        return;
    };
    let kcm = UserInfo::user("system:kube-controller-manager", &[]);
    assert!(can(&model, &kcm, &res("get", "", "secrets", "kube-system")));
    assert!(can(&model, &kcm, &res("create", "", "serviceaccounts", "")));
    assert!(can(
        &model,
        &kcm,
        &res("create", "", "serviceaccounts/token", "kube-system")
    ));
    assert!(can(
        &model,
        &kcm,
        &res("update", "coordination.k8s.io", "leases", "kube-system")
    ));
    assert!(!can(
        &model,
        &kcm,
        &res("update", "coordination.k8s.io", "leases", "default")
    ));
    // It lists and watches every resource cluster-wide (its rule `*` on `*`).
    assert!(can(&model, &kcm, &res("list", "", "secrets", "")));
    assert!(can(&model, &kcm, &res("watch", "apps", "deployments", "")));
    assert!(!can(&model, &kcm, &res("delete", "", "nodes", "")));
    assert!(!can(&model, &kcm, &res("create", "", "pods", "default")));
    // resourceNames: get by name, never list.
    let auth_cm =
        res("get", "", "configmaps", "kube-system").named("extension-apiserver-authentication");
    assert!(can(&model, &kcm, &auth_cm));

    let ns_controller = UserInfo::service_account("kube-system", "namespace-controller");
    assert!(can(
        &model,
        &ns_controller,
        &res("deletecollection", "apps", "deployments", "team")
    ));
    assert!(can(
        &model,
        &ns_controller,
        &res("get", "", "secrets", "team")
    ));
    assert!(!can(
        &model,
        &ns_controller,
        &res("create", "", "pods", "team")
    ));
    assert!(!can(
        &model,
        &UserInfo::service_account("other", "namespace-controller"),
        &res("get", "", "secrets", "team")
    ));

    let rs_controller = UserInfo::service_account("kube-system", "replicaset-controller");
    assert!(can(
        &model,
        &rs_controller,
        &res("create", "", "pods", "team")
    ));
    assert!(!can(
        &model,
        &rs_controller,
        &res("get", "", "secrets", "team")
    ));
}

#[test]
fn non_resource_urls_implicit_groups_and_masters() {
    let Some((_, model)) = bootstrap() else {
        return;
    };
    // Non-resource URLs and the implicit groups.
    let anonymous = UserInfo::user("system:anonymous", &[]);
    let someone = UserInfo::user("someone", &[]);
    assert!(can(
        &model,
        &anonymous,
        &Request::non_resource("get", "/healthz")
    ));
    assert!(can(
        &model,
        &anonymous,
        &Request::non_resource("get", "/version")
    ));
    assert!(!can(
        &model,
        &anonymous,
        &Request::non_resource("get", "/apis/apps")
    ));
    assert!(can(
        &model,
        &someone,
        &Request::non_resource("get", "/apis/apps/v1")
    ));
    assert!(!can(
        &model,
        &someone,
        &Request::non_resource("get", "/metrics")
    ));
    assert!(!can(&model, &someone, &res("get", "", "pods", "default")));
    assert!(can(
        &model,
        &someone,
        &res(
            "create",
            "authorization.k8s.io",
            "selfsubjectaccessreviews",
            ""
        )
    ));

    // cluster-admin is bound to system:masters, which is allowed everything anyway.
    let master = UserInfo::user("root", &["system:masters".to_string()]);
    let decision = model.authorize(&master, &res("delete", "", "nodes", ""));
    assert!(decision.allowed && decision.masters);
    assert!(
        decision
            .grants
            .iter()
            .any(|g| g.binding.name == "cluster-admin" && g.role.name == "cluster-admin")
    );
}

#[test]
fn who_can_read_secrets_in_kube_system() {
    let Some((_, model)) = bootstrap() else {
        return;
    };
    let who = model.who_can(&res("get", "", "secrets", "kube-system"));
    let has = |kind: SubjectKind, ns: Option<&str>, name: &str| {
        who.contains_key(&SubjectKey {
            kind,
            namespace: ns.map(str::to_string),
            name: name.to_string(),
        })
    };
    assert!(has(SubjectKind::Group, None, "system:masters"));
    assert!(has(
        SubjectKind::User,
        None,
        "system:kube-controller-manager"
    ));
    assert!(has(
        SubjectKind::ServiceAccount,
        Some("kube-system"),
        "namespace-controller"
    ));
    assert!(!has(SubjectKind::Group, None, "system:authenticated"));
    assert!(!has(
        SubjectKind::ServiceAccount,
        Some("kube-system"),
        "replicaset-controller"
    ));
}

#[test]
fn rbac_checks_leave_the_bootstrap_defaults_alone() {
    let Some((objects, _)) = bootstrap() else {
        return;
    };
    let inventory = palisade_core::inventory::Inventory::new(objects);
    let checks =
        palisade_core::scan::select_checks(&["rbac".to_string()], &[], None).expect("rbac area");
    assert!(checks.len() >= 6);
    let result = palisade_core::scan::scan(&inventory, &checks, jiff::civil::date(2026, 1, 1));
    let found: Vec<String> = result
        .findings
        .iter()
        .map(|r| {
            format!(
                "{}:{} {}",
                r.finding.location.file, r.finding.location.line, r.finding.message
            )
        })
        .collect();
    assert!(found.is_empty(), "{found:#?}");
}
