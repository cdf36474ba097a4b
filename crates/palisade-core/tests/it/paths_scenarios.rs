//! End-to-end attack path scenarios: each builds the graph of a small cluster and checks the
//! exact paths found, so that a change in any technique or in the search shows up as a changed
//! path here.

use std::sync::Arc;

use palisade_core::graph::diff::{Change, default_sources, diff};
use palisade_core::graph::search::{blast_radius, cut, paths_to};
use palisade_core::graph::{Graph, Options};
use palisade_core::inventory::Inventory;
use palisade_core::load::load_text;

fn inventory(name: &str, text: &str) -> Inventory {
    let file: Arc<str> = Arc::from(name);
    Inventory::new(load_text(&file, text).objects)
}

fn scenario(name: &str) -> &'static str {
    match name {
        "exposed_web_creates_pods" => {
            include_str!("../../../palisade/tests/fixtures/paths/exposed_web_creates_pods.yaml")
        }
        "privileged_daemonset" => {
            include_str!("../../../palisade/tests/fixtures/paths/privileged_daemonset.yaml")
        }
        "ci_bind" => include_str!("../../../palisade/tests/fixtures/paths/ci_bind.yaml"),
        "csr_approver" => include_str!("../../../palisade/tests/fixtures/paths/csr_approver.yaml"),
        "named_grants" => include_str!("../../../palisade/tests/fixtures/paths/named_grants.yaml"),
        "host_volumes" => include_str!("../../../palisade/tests/fixtures/paths/host_volumes.yaml"),
        "network_open" => include_str!("../../../palisade/tests/fixtures/paths/network_open.yaml"),
        "network_segmented" => {
            include_str!("../../../palisade/tests/fixtures/paths/network_segmented.yaml")
        }
        _ => unreachable!("unknown scenario {name}"),
    }
}

/// Shortest paths from `from` to `to`, as `a → b → c` with the techniques `T-A,T-B`.
fn paths(name: &str, from: &str, to: &str) -> Vec<String> {
    let inventory = inventory(name, scenario(name));
    let graph = Graph::build(
        &inventory,
        &Options {
            network_from: Vec::new(),
        },
    );
    let sources = if from == "default" {
        default_sources(&graph)
    } else {
        graph.select(from)
    };
    paths_to(&graph, &sources, &graph.targets(to), 1, 12)
        .iter()
        .map(|p| {
            let techniques: Vec<&str> = p
                .edges
                .iter()
                .map(|&e| graph.edge(e).technique.id)
                .collect();
            format!("{} [{}]", p.display(&graph), techniques.join(","))
        })
        .collect()
}

#[test]
fn exposed_web_pod_whose_token_creates_pods_in_kube_system() {
    assert_eq!(
        paths("exposed_web_creates_pods", "external", "cluster-admin"),
        [
            "external → entry:Service/shop/web → workload:shop/web[Deployment] → sa:shop/web \
          → perm:create-pods@kube-system → sa:kube-system/controller → cluster-admin \
          [T-EXPOSED,T-ENTRY-ROUTE,T-MOUNT-TOKEN,T-RBAC-GRANT,T-CREATE-POD-WITH-SA,T-CLUSTER-ADMIN]"
        ]
    );
    // kube-system enforces baseline: creating pods there does not reach a node by itself; the
    // node falls only because the stolen controller token is cluster-admin.
    let to_node = paths("exposed_web_creates_pods", "external", "node");
    assert!(!to_node.is_empty());
    for path in &to_node {
        assert!(!path.contains("T-PRIVILEGED-POD"), "{path}");
        assert!(path.ends_with("T-ADMIN-OWNS-NODES]"), "{path}");
    }
}

#[test]
fn privileged_daemonset_owns_the_node_and_the_controller_on_it() {
    assert_eq!(
        paths(
            "privileged_daemonset",
            "workload:ops/log-agent[DaemonSet]",
            "cluster-admin"
        ),
        [
            "workload:ops/log-agent[DaemonSet] → container:ops/log-agent[DaemonSet]/agent → node:* \
          → workload:kube-system/controller[Deployment] → sa:kube-system/controller → cluster-admin \
          [T-RUN-IN-CONTAINER,T-ESCAPE-PRIVILEGED,T-NODE-CONTROL,T-MOUNT-TOKEN,T-CLUSTER-ADMIN]"
        ]
    );
    assert_eq!(
        paths(
            "privileged_daemonset",
            "workload:ops/log-agent[DaemonSet]",
            "node"
        ),
        [
            "workload:ops/log-agent[DaemonSet] → container:ops/log-agent[DaemonSet]/agent → node:* \
          [T-RUN-IN-CONTAINER,T-ESCAPE-PRIVILEGED]"
        ]
    );
}

#[test]
fn ci_service_account_with_bind_makes_itself_cluster_admin() {
    assert_eq!(
        paths("ci_bind", "default", "cluster-admin"),
        [
            "workload:ci/runner[Deployment] → sa:ci/builder → perm:bind-roles@* → cluster-admin \
          [T-MOUNT-TOKEN,T-RBAC-GRANT,T-BIND-ESCALATE]"
        ]
    );
}

#[test]
fn a_namespace_network_policy_cuts_the_path_from_the_exposed_pod() {
    let open = paths("network_open", "external", "cluster-admin");
    assert_eq!(
        open,
        [
            "external → entry:Service/shop/store → workload:shop/store[Deployment] \
          → workload:payments/ledger[Deployment] → sa:payments/ledger → cluster-admin \
          [T-EXPOSED,T-ENTRY-ROUTE,T-NET-REACH,T-MOUNT-TOKEN,T-CLUSTER-ADMIN]"
        ]
    );
    assert!(paths("network_segmented", "external", "cluster-admin").is_empty());
}

#[test]
fn diff_reports_the_path_a_removed_policy_opens() {
    let base_inventory = inventory("segmented", scenario("network_segmented"));
    let head_inventory = inventory("open", scenario("network_open"));
    let base = Graph::from_inventory(&base_inventory);
    let head = Graph::from_inventory(&head_inventory);
    let changes = diff(&base, &head, 12);
    let new: Vec<(&str, &str)> = changes
        .iter()
        .filter(|c| c.change == Change::New)
        .map(|c| (c.source.as_str(), c.target))
        .collect();
    assert!(new.contains(&("external", "cluster-admin")), "{new:?}");
    assert!(new.contains(&("workload:shop/store[Deployment]", "cluster-admin")));
    assert!(changes.iter().all(|c| c.change == Change::New));
    assert!(diff(&head, &head, 12).is_empty());
}

#[test]
fn k_shortest_paths_are_loop_free_and_ordered() {
    let inventory = inventory("open", scenario("network_open"));
    let graph = Graph::from_inventory(&inventory);
    let from = graph.select("external");
    let all = paths_to(&graph, &from, &graph.targets("cluster-admin"), 5, 12);
    assert!(!all.is_empty());
    for window in all.windows(2) {
        assert!(window[0].edges.len() <= window[1].edges.len());
    }
    for path in &all {
        let mut vertices = path.vertices(&graph);
        let n = vertices.len();
        vertices.sort_unstable();
        vertices.dedup();
        assert_eq!(vertices.len(), n, "a path repeats a vertex");
    }
}

#[test]
fn cut_ranks_the_step_every_path_shares_first() {
    let inventory = inventory("web", scenario("exposed_web_creates_pods"));
    let graph = Graph::from_inventory(&inventory);
    let sources = default_sources(&graph);
    let ranked = cut(&graph, &sources, &graph.targets("cluster-admin"), 12, 10);
    let top = graph.edge(ranked[0].edge);
    assert_eq!(ranked[0].sources_cut_off, 2);
    assert_eq!(top.technique.id, "T-MOUNT-TOKEN");
}

#[test]
fn blast_radius_of_the_exposed_store_includes_the_ledger_and_cluster_admin() {
    let inventory = inventory("open", scenario("network_open"));
    let graph = Graph::build(
        &inventory,
        &Options {
            network_from: vec!["shop/store".to_string()],
        },
    );
    let source = graph.select("shop/store")[0];
    let reach = blast_radius(&graph, source, 12);
    let names: Vec<&str> = reach
        .reached
        .iter()
        .map(|&(v, _)| graph.vertex_of(v).name.as_str())
        .collect();
    assert!(names.contains(&"workload:payments/ledger[Deployment]"));
    assert!(names.contains(&"cluster-admin"));
}

#[test]
fn an_approver_of_client_certificates_mints_a_new_identity_in_system_masters() {
    assert_eq!(
        paths("csr_approver", "default", "cluster-admin"),
        [
            "workload:certs/approver[Deployment] → sa:certs/approver → perm:approve-csr@* \
          → new-identity:kubernetes.io/kube-apiserver-client → group:system:masters → cluster-admin \
          [T-MOUNT-TOKEN,T-RBAC-GRANT,T-APPROVE-CSR,T-APPROVE-CSR,T-CLUSTER-ADMIN]"
        ]
    );
    // The kubelet signer gives a node's identity, which leads to what system:nodes may do.
    assert_eq!(
        paths(
            "csr_approver",
            "workload:certs/node-approver[Deployment]",
            "secret:kube-system/admin-token"
        ),
        [
            "workload:certs/node-approver[Deployment] → sa:certs/node-approver \
          → perm:approve-kubelet-csr@* → new-identity:kubernetes.io/kube-apiserver-client-kubelet \
          → group:system:nodes → perm:read-secrets@kube-system[secrets/admin-token] \
          → secret:kube-system/admin-token \
          [T-MOUNT-TOKEN,T-RBAC-GRANT,T-APPROVE-CSR,T-APPROVE-CSR,T-RBAC-GRANT,T-READ-SECRET]"
        ]
    );
    // Approval without the right to create a request mints nothing.
    assert!(
        paths(
            "csr_approver",
            "workload:certs/half[Deployment]",
            "cluster-admin"
        )
        .is_empty()
    );
}

#[test]
fn grants_limited_by_resource_names_reach_only_the_named_objects() {
    // get secrets [deploy-token] reaches that token, and through it the deployer.
    assert_eq!(
        paths(
            "named_grants",
            "workload:apps/reader[Deployment]",
            "cluster-admin"
        ),
        ["workload:apps/reader[Deployment] → sa:apps/reader \
          → perm:read-secrets@apps[secrets/deploy-token] → secret:apps/deploy-token \
          → sa:apps/deployer → cluster-admin \
          [T-MOUNT-TOKEN,T-RBAC-GRANT,T-READ-SECRET,T-SECRET-TOKEN,T-CLUSTER-ADMIN]"]
    );
    let inventory = inventory("named_grants", scenario("named_grants"));
    let graph = Graph::from_inventory(&inventory);
    let named = graph
        .find("perm:read-secrets@apps[secrets/deploy-token]")
        .expect("the name-limited permission set");
    let reached: Vec<&str> = graph
        .outgoing(named)
        .iter()
        .map(|&e| graph.vertex_of(graph.edge(e).to).name.as_str())
        .collect();
    assert_eq!(reached, ["secret:apps/deploy-token"]);
    // impersonate serviceaccounts [helper] reaches helper only, not the deployer.
    assert_eq!(
        paths(
            "named_grants",
            "workload:apps/debugger[Deployment]",
            "sa:apps/helper"
        ),
        ["workload:apps/debugger[Deployment] → sa:apps/debugger \
          → perm:impersonate-serviceaccounts@apps[serviceaccounts/helper] → sa:apps/helper \
          [T-MOUNT-TOKEN,T-RBAC-GRANT,T-IMPERSONATE]"]
    );
    assert!(
        paths(
            "named_grants",
            "workload:apps/debugger[Deployment]",
            "sa:apps/deployer"
        )
        .is_empty()
    );
    // bind [cluster-admin] with ClusterRoleBindings creatable binds cluster-admin.
    assert_eq!(
        paths(
            "named_grants",
            "workload:apps/onboarder[Deployment]",
            "cluster-admin"
        ),
        ["workload:apps/onboarder[Deployment] → sa:apps/onboarder \
          → perm:bind-roles@*[clusterroles/cluster-admin] → cluster-admin \
          [T-MOUNT-TOKEN,T-RBAC-GRANT,T-BIND-ESCALATE]"]
    );
    // create pods [anything] is not a grant: a create is never limited by name.
    assert!(
        paths(
            "named_grants",
            "workload:apps/creator[Deployment]",
            "sa:apps/deployer"
        )
        .is_empty()
    );
}

#[test]
fn host_volumes_and_secret_volumes_are_steps_of_their_own() {
    assert_eq!(
        paths("host_volumes", "workload:ops/backup[DaemonSet]", "node"),
        [
            "workload:ops/backup[DaemonSet] → volume:ops/backup[DaemonSet]/host-root → node:* \
          [T-MOUNT-VOLUME,T-ESCAPE-HOST-PATH]"
        ]
    );
    assert_eq!(
        paths("host_volumes", "workload:ops/builder[Deployment]", "node"),
        [
            "workload:ops/builder[Deployment] → volume:ops/builder[Deployment]/docker → node:* \
          [T-MOUNT-VOLUME,T-ESCAPE-RUNTIME-SOCKET]"
        ]
    );
    assert_eq!(
        paths(
            "host_volumes",
            "workload:ops/builder[Deployment]",
            "secrets"
        ),
        [
            "workload:ops/builder[Deployment] → volume:ops/builder[Deployment]/registry \
          → secret:ops/registry [T-MOUNT-VOLUME,T-MOUNT-SECRET]"
        ]
    );
    // Containers and volumes that lead nowhere are not vertices.
    let inventory = inventory("host_volumes", scenario("host_volumes"));
    let graph = Graph::from_inventory(&inventory);
    assert!(
        graph
            .find("container:ops/builder[Deployment]/build")
            .is_none()
    );
    assert!(graph.find("volume:ops/builder[Deployment]/cache").is_none());
    assert!(
        graph
            .find("container:ops/monitor[DaemonSet]/probe")
            .is_some()
    );
}
