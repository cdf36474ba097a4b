//! What the techniques read, computed once per graph: the workloads with their pod views, the
//! identities with the dangerous capabilities the RBAC model grants them (once per identity, not
//! per pod), secrets, nodes, entry points, namespaces that enforce Pod Security, and — only when
//! some step needs it — the NetworkPolicy engine's view of the cluster.
//!
//! This module only gathers and indexes; it adds no edges.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::{Arc, OnceLock};

use serde::Serialize;

use super::{EdgeSink, Evidence};
use crate::document::Node;
use crate::inventory::{Inventory, ObjectId};
use crate::netpol::{Cluster, Peer};
use crate::object::Object;
use crate::rbac::{Grant, Model, Request, Rule, SubjectKind, UserInfo, matching};
use crate::workload::{PodView, pod_specs};

/// Options of a graph build.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Workloads (selectors as for `--from`) from which lateral network movement is computed in
    /// addition to the exposed workloads.
    pub network_from: Vec<String>,
}

/// A dangerous capability an identity can hold, in one namespace or cluster-wide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Capability {
    /// Every verb on every resource cluster-wide.
    ClusterAdmin,
    /// Create pods, directly or through a workload controller.
    CreatePods,
    /// `pods/exec` or `pods/attach` (`create`, or `get` over WebSocket).
    ExecPods,
    /// Read secrets (`get`, `list` or `watch`).
    ReadSecrets,
    /// Mint service account tokens (`serviceaccounts/token`).
    CreateTokens,
    /// Impersonate any user.
    ImpersonateUsers,
    /// Impersonate any group.
    ImpersonateGroups,
    /// Impersonate any service account.
    ImpersonateServiceAccounts,
    /// Bind or escalate roles, and write bindings.
    BindRoles,
    /// Create, approve and read certificate signing requests of the API server client signer.
    ApproveCsr,
    /// Create, approve and read certificate signing requests of the kubelet client signer.
    ApproveKubeletCsr,
    /// Write mutating admission webhook configurations.
    MutateAdmission,
    /// Patch or update workload controllers.
    PatchWorkloads,
    /// `nodes/proxy`: the kubelet API, exec into any pod.
    NodesProxy,
}

impl Capability {
    /// The kebab-case name used in permission vertex names.
    pub fn as_str(self) -> &'static str {
        match self {
            Capability::ClusterAdmin => "cluster-admin",
            Capability::CreatePods => "create-pods",
            Capability::ExecPods => "exec-pods",
            Capability::ReadSecrets => "read-secrets",
            Capability::CreateTokens => "create-tokens",
            Capability::ImpersonateUsers => "impersonate-users",
            Capability::ImpersonateGroups => "impersonate-groups",
            Capability::ImpersonateServiceAccounts => "impersonate-serviceaccounts",
            Capability::BindRoles => "bind-roles",
            Capability::ApproveCsr => "approve-csr",
            Capability::ApproveKubeletCsr => "approve-kubelet-csr",
            Capability::MutateAdmission => "mutate-admission",
            Capability::PatchWorkloads => "patch-workloads",
            Capability::NodesProxy => "nodes-proxy",
        }
    }

    /// Capabilities that cluster-scoped resources make meaningless in a namespace.
    fn cluster_only(self) -> bool {
        matches!(
            self,
            Capability::ClusterAdmin
                | Capability::ImpersonateUsers
                | Capability::ImpersonateGroups
                | Capability::ApproveCsr
                | Capability::ApproveKubeletCsr
                | Capability::MutateAdmission
                | Capability::NodesProxy
        )
    }
}

/// (verb, API group, resource, subresource) requests any of which gives a capability.
fn probes(
    capability: Capability,
) -> &'static [(&'static str, &'static str, &'static str, &'static str)] {
    match capability {
        Capability::CreatePods => &[
            ("create", "", "pods", ""),
            ("create", "apps", "deployments", ""),
            ("create", "apps", "daemonsets", ""),
            ("create", "apps", "statefulsets", ""),
            ("create", "apps", "replicasets", ""),
            ("create", "batch", "jobs", ""),
            ("create", "batch", "cronjobs", ""),
            ("create", "", "replicationcontrollers", ""),
        ],
        Capability::ExecPods => &[
            ("create", "", "pods", "exec"),
            ("get", "", "pods", "exec"),
            ("create", "", "pods", "attach"),
            ("get", "", "pods", "attach"),
        ],
        Capability::ReadSecrets => &[
            ("get", "", "secrets", ""),
            ("list", "", "secrets", ""),
            ("watch", "", "secrets", ""),
        ],
        Capability::CreateTokens => &[("create", "", "serviceaccounts", "token")],
        Capability::ImpersonateUsers => &[("impersonate", "", "users", "")],
        Capability::ImpersonateGroups => &[("impersonate", "", "groups", "")],
        Capability::ImpersonateServiceAccounts => &[("impersonate", "", "serviceaccounts", "")],
        Capability::MutateAdmission => &[
            (
                "create",
                "admissionregistration.k8s.io",
                "mutatingwebhookconfigurations",
                "",
            ),
            (
                "update",
                "admissionregistration.k8s.io",
                "mutatingwebhookconfigurations",
                "",
            ),
            (
                "patch",
                "admissionregistration.k8s.io",
                "mutatingwebhookconfigurations",
                "",
            ),
        ],
        Capability::PatchWorkloads => &[
            ("patch", "apps", "deployments", ""),
            ("update", "apps", "deployments", ""),
            ("patch", "apps", "daemonsets", ""),
            ("update", "apps", "daemonsets", ""),
            ("patch", "apps", "statefulsets", ""),
            ("update", "apps", "statefulsets", ""),
            ("patch", "batch", "cronjobs", ""),
            ("update", "batch", "cronjobs", ""),
        ],
        Capability::NodesProxy => &[
            ("get", "", "nodes", "proxy"),
            ("create", "", "nodes", "proxy"),
        ],
        Capability::ClusterAdmin
        | Capability::BindRoles
        | Capability::ApproveCsr
        | Capability::ApproveKubeletCsr => &[],
    }
}

const BIND_PROBES: &[(&str, &str, &str, &str)] = &[
    ("bind", RBAC, "clusterroles", ""),
    ("bind", RBAC, "roles", ""),
    ("escalate", RBAC, "clusterroles", ""),
    ("escalate", RBAC, "roles", ""),
];
/// `bind` alone: limited by `resourceNames` it binds the named roles only.
const NAMED_BIND_PROBES: &[(&str, &str, &str, &str)] = &[
    ("bind", RBAC, "clusterroles", ""),
    ("bind", RBAC, "roles", ""),
];
/// `escalate` alone: limited by `resourceNames` it rewrites the named roles only.
const NAMED_ESCALATE_PROBES: &[(&str, &str, &str, &str)] = &[
    ("escalate", RBAC, "clusterroles", ""),
    ("escalate", RBAC, "roles", ""),
];
const ROLE_UPDATE_PROBES: &[(&str, &str, &str, &str)] = &[
    ("update", RBAC, "clusterroles", ""),
    ("patch", RBAC, "clusterroles", ""),
    ("update", RBAC, "roles", ""),
    ("patch", RBAC, "roles", ""),
];
const CREATE_ROLE_BINDING: &[(&str, &str, &str, &str)] = &[("create", RBAC, "rolebindings", "")];
const CREATE_CLUSTER_ROLE_BINDING: &[(&str, &str, &str, &str)] =
    &[("create", RBAC, "clusterrolebindings", "")];
const BINDING_WRITE_PROBES: &[(&str, &str, &str, &str)] = &[
    ("create", RBAC, "rolebindings", ""),
    ("create", RBAC, "clusterrolebindings", ""),
    ("update", RBAC, "rolebindings", ""),
    ("update", RBAC, "clusterrolebindings", ""),
    ("patch", RBAC, "rolebindings", ""),
    ("patch", RBAC, "clusterrolebindings", ""),
    ("update", RBAC, "roles", ""),
    ("update", RBAC, "clusterroles", ""),
    ("patch", RBAC, "roles", ""),
    ("patch", RBAC, "clusterroles", ""),
];
/// Approving a request: its `approval` subresource. The requester picks the request's name, so
/// a grant limited to named requests serves as well as one that is not.
const CSR_APPROVAL_PROBES: &[(&str, &str, &str, &str)] = &[
    (
        "update",
        CERTIFICATES,
        "certificatesigningrequests",
        "approval",
    ),
    (
        "patch",
        CERTIFICATES,
        "certificatesigningrequests",
        "approval",
    ),
];
/// Creating a request; a create is never limited by name.
const CSR_CREATE_PROBES: &[(&str, &str, &str, &str)] =
    &[("create", CERTIFICATES, "certificatesigningrequests", "")];
/// Reading the issued certificate back from the request's status (by name, as for approval).
const CSR_READ_PROBES: &[(&str, &str, &str, &str)] = &[
    ("get", CERTIFICATES, "certificatesigningrequests", ""),
    ("list", CERTIFICATES, "certificatesigningrequests", ""),
    ("watch", CERTIFICATES, "certificatesigningrequests", ""),
];
/// The signer whose certificates the API server accepts for any client identity.
pub const CLIENT_SIGNER: &str = "kubernetes.io/kube-apiserver-client";
/// The signer whose certificates the API server accepts as a kubelet's identity.
pub const KUBELET_SIGNER: &str = "kubernetes.io/kube-apiserver-client-kubelet";

/// Whether `rule` lets its holder approve requests for `signer`. The API server asks for
/// `approve` on `signers` named after the signer, or after its domain with `/*`
/// (`kubernetes.io/*`); the RBAC model's matcher answers both questions.
fn approves_signer(rule: &Rule, signer: &str) -> bool {
    if !may_match(rule, ("approve", CERTIFICATES, "signers", "")) {
        return false;
    }
    let wildcard = signer
        .split_once('/')
        .map(|(domain, _)| format!("{domain}/*"));
    [Some(signer.to_string()), wildcard]
        .into_iter()
        .flatten()
        .any(|name| {
            matching::rule_allows(
                rule,
                &Request::resource("approve", CERTIFICATES, "signers", "").named(&name),
            )
        })
}

/// Whether `rule` allows one of `probes`, for any object name or (when `any_name`) for some
/// name.
fn allows_some(rule: &Rule, probes: &[(&str, &str, &str, &str)], any_name: bool) -> bool {
    probes.iter().any(|&probe| {
        if !may_match(rule, probe) {
            return false;
        }
        let request = probe_request(probe);
        matching::rule_allows(rule, &request)
            || (any_name
                && rule
                    .resource_names
                    .iter()
                    .any(|n| matching::rule_allows(rule, &request.clone().named(n))))
    })
}

/// Whether `rule` covers the verb, group and resource of `probe`, names aside: a cheap test
/// that spares building requests for the many rules that cannot match (every rule of every
/// identity meets every probe).
fn may_match(rule: &Rule, (verb, group, resource, sub): (&str, &str, &str, &str)) -> bool {
    matching::verb_matches(rule, verb)
        && matching::api_group_matches(rule, group)
        && matching::resource_matches(rule, resource, sub)
}

/// The request a probe stands for, without an object name.
fn probe_request((verb, group, resource, sub): (&str, &str, &str, &str)) -> Request {
    if sub.is_empty() {
        Request::resource(verb, group, resource, "")
    } else {
        Request::resource(verb, group, &format!("{resource}/{sub}"), "")
    }
}

/// What a rule allows of `probes`: everything (`[None]`), or only the objects named in its
/// `resourceNames` (`resource/name` each). A create of a new object has no name when it is
/// authorized, so a name-limited rule never allows it; a create on a subresource of an existing
/// object (`pods/exec`, `serviceaccounts/token`) names that object and is limited as any verb.
fn allowed_objects(rule: &Rule, probes: &[(&str, &str, &str, &str)]) -> Vec<Option<String>> {
    let mut out = Vec::new();
    for &probe in probes {
        if !may_match(rule, probe) {
            continue;
        }
        let request = probe_request(probe);
        if matching::rule_allows(rule, &request) {
            return vec![None];
        }
        let (verb, _, resource, sub) = probe;
        if (verb == "create" && sub.is_empty()) || verb == "deletecollection" {
            continue;
        }
        for name in &rule.resource_names {
            if matching::rule_allows(rule, &request.clone().named(name)) {
                let only = Some(format!("{resource}/{name}"));
                if !out.contains(&only) {
                    out.push(only);
                }
            }
        }
    }
    out
}

const RBAC: &str = "rbac.authorization.k8s.io";
const CERTIFICATES: &str = "certificates.k8s.io";

/// Whether `rule` allows one of `probes` for any object name.
fn allows_any(rule: &Rule, probes: &[(&str, &str, &str, &str)]) -> bool {
    allows_some(rule, probes, false)
}

fn is_full_wildcard(rule: &Rule) -> bool {
    rule.verbs.iter().any(|v| v == "*")
        && rule.api_groups.iter().any(|g| g == "*")
        && rule.resources.iter().any(|r| r == "*")
        && rule.resource_names.is_empty()
}

/// A capability in one namespace or cluster-wide, over every object or only one named object
/// (a grant limited by `resourceNames`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PermissionSet {
    /// What it allows.
    pub capability: Capability,
    /// The namespace, or `None` for cluster-wide.
    pub scope: Option<String>,
    /// `resource/name` of the one object it is limited to, or `None` for every object.
    pub only: Option<String>,
}

impl PermissionSet {
    /// The set of `capability` in `scope` over every object.
    pub fn all(capability: Capability, scope: Option<&str>) -> Self {
        PermissionSet {
            capability,
            scope: scope.map(str::to_string),
            only: None,
        }
    }

    /// Its vertex name: `perm:<capability>@<namespace or *>`, followed by `[resource/name]`
    /// when it is limited to one object.
    pub fn vertex_name(&self) -> String {
        let mut name = permission_vertex_name(self.capability, self.scope.as_deref());
        if let Some(only) = &self.only {
            name.push('[');
            name.push_str(only);
            name.push(']');
        }
        name
    }

    /// Whether it covers the object `name` of `resource`.
    pub fn covers(&self, resource: &str, name: &str) -> bool {
        match &self.only {
            None => true,
            Some(only) => only
                .split_once('/')
                .is_some_and(|(r, n)| r == resource && n == name),
        }
    }

    /// The name of the one object it is limited to.
    pub fn only_name(&self) -> Option<&str> {
        self.only
            .as_deref()
            .and_then(|o| o.split_once('/'))
            .map(|(_, n)| n)
    }
}

/// A capability an identity holds, with the grant chain that gives it.
#[derive(Debug, Clone)]
pub struct Held {
    /// What it can do.
    pub capability: Capability,
    /// The namespace, or `None` for cluster-wide.
    pub scope: Option<String>,
    /// `resource/name` of the one object a `resourceNames` grant limits it to.
    pub only: Option<String>,
    /// The binding and rule (and for combined capabilities, the second rule).
    pub evidence: Vec<Evidence>,
}

impl Held {
    /// The permission set it is.
    pub fn set(&self) -> PermissionSet {
        PermissionSet {
            capability: self.capability,
            scope: self.scope.clone(),
            only: self.only.clone(),
        }
    }
}

/// A service account, user or group and what it can do.
#[derive(Debug, Clone)]
pub struct Identity {
    /// Service account, user or group.
    pub kind: super::VertexKind,
    /// The vertex name (`sa:ns/name`, `user:name`, `group:name`).
    pub name: String,
    /// Its dangerous capabilities.
    pub held: Vec<Held>,
}

/// A workload (or bare Pod) with its pod view.
#[derive(Debug, Clone)]
pub struct WorkloadInfo<'a> {
    /// The vertex name, `workload:ns/name[Kind]` as the NetworkPolicy engine names it.
    pub name: String,
    /// The id of the object that holds the pod spec (the first, when several pods collapse into
    /// one workload).
    pub id: ObjectId,
    /// The object that holds the pod spec.
    pub object: &'a Object,
    /// The pod spec.
    pub pod: PodView<'a>,
    /// Its namespace.
    pub namespace: &'a str,
    /// The service account its pods run as.
    pub service_account: String,
    /// Where the service account is named (or the pod spec when it is defaulted).
    pub service_account_evidence: Evidence,
    /// Whether the token is mounted.
    pub automount: bool,
    /// `spec.nodeName`, when the pod is pinned.
    pub node_name: Option<&'a str>,
    /// Whether it runs on every node (a DaemonSet).
    pub on_every_node: bool,
    /// Pod template labels.
    pub labels: BTreeMap<&'a str, &'a str>,
}

impl WorkloadInfo<'_> {
    /// The object's file.
    pub fn file(&self) -> &Arc<str> {
        &self.object.source.file
    }
}

/// A Secret.
#[derive(Debug, Clone)]
pub struct SecretInfo<'a> {
    /// `secret:ns/name`.
    pub name: String,
    /// The object.
    pub object: &'a Object,
    /// Its namespace.
    pub namespace: &'a str,
}

/// An exposed entry point and the workloads it sends traffic to.
#[derive(Debug, Clone)]
pub struct EntryPoint {
    /// `entry:Service/ns/name`, `entry:Ingress/ns/name` or `entry:hostPort/ns/workload:port`.
    pub name: String,
    /// Where it is exposed.
    pub evidence: Evidence,
    /// Workloads (indexes into [`Context::workloads`]) it routes to, with the evidence.
    pub routes: Vec<(usize, Evidence)>,
    /// Whether traffic arrives through the ingress controller (Ingress) rather than directly.
    pub through_ingress_controller: bool,
}

/// The NetworkPolicy engine's view, with the external ranges computed once.
#[derive(Debug)]
pub struct Network {
    /// The engine's model.
    pub cluster: Cluster,
    /// Its external address ranges.
    pub external: Vec<(u128, u128)>,
    /// The engine's index of each workload of [`Context::workloads`], when it was given to it.
    pub index_of: Vec<Option<usize>>,
}

impl Network {
    /// What may flow to workload `dst` (engine index) from outside the cluster, as text, or
    /// `None` when policies stop all of it.
    pub fn from_outside(&self, dst: usize, through_ingress_controller: bool) -> Option<String> {
        if through_ingress_controller {
            let allowed = self
                .cluster
                .allowed(Peer::IngressController, Peer::Workload(dst));
            return (!allowed.is_empty()).then(|| allowed.to_string());
        }
        self.external.iter().find_map(|&(a, b)| {
            let allowed = self
                .cluster
                .allowed(Peer::External(a, b), Peer::Workload(dst));
            (!allowed.is_empty()).then(|| allowed.to_string())
        })
    }

    /// What may flow from workload `src` to workload `dst` (engine indexes), as text.
    pub fn between(&self, src: usize, dst: usize) -> Option<String> {
        let allowed = self
            .cluster
            .allowed(Peer::Workload(src), Peer::Workload(dst));
        (!allowed.is_empty()).then(|| allowed.to_string())
    }
}

/// Everything the techniques read.
#[derive(Debug)]
pub struct Context<'a> {
    /// The inventory.
    pub inventory: &'a Inventory,
    /// The RBAC model.
    pub rbac: &'a Model,
    /// Workloads, one per vertex.
    pub workloads: Vec<WorkloadInfo<'a>>,
    /// Workload indexes by namespace.
    pub workloads_by_namespace: BTreeMap<&'a str, Vec<usize>>,
    /// Known service accounts by namespace (objects, pods' accounts, binding subjects).
    pub service_accounts: BTreeMap<String, BTreeSet<String>>,
    /// ServiceAccount objects by (namespace, name).
    pub service_account_objects: HashMap<(&'a str, &'a str), &'a Object>,
    /// Secrets.
    pub secrets: Vec<SecretInfo<'a>>,
    /// Secret indexes by namespace.
    pub secrets_by_namespace: BTreeMap<&'a str, Vec<usize>>,
    /// Node objects.
    pub nodes: Vec<&'a Object>,
    /// Namespaces whose Pod Security admission enforces baseline or restricted.
    pub pss_enforced: BTreeSet<&'a str>,
    /// Every namespace seen.
    pub namespaces: BTreeSet<&'a str>,
    /// Identities with their capabilities.
    pub identities: Vec<Identity>,
    /// Every permission set held by some identity, plus those that binding rights imply, with
    /// the grant chain of its first holder.
    pub permission_sets: BTreeMap<PermissionSet, Vec<Evidence>>,
    /// Exposed entry points.
    pub entry_points: Vec<EntryPoint>,
    network: OnceLock<Network>,
    useful: OnceLock<Vec<bool>>,
    /// Addresses of every object that holds a pod spec (deduplicated workloads included).
    pod_objects: HashSet<usize>,
    /// Workload indexes from which lateral movement is computed.
    pub lateral_sources: Vec<usize>,
    /// Of those, the ones named in [`Options::network_from`]: their every reachable peer is an
    /// edge, not only the peers that lead somewhere.
    pub explicit_lateral_sources: BTreeSet<usize>,
}

/// The vertex name of a workload.
pub fn workload_vertex_name(namespace: &str, name: &str, kind: &str) -> String {
    format!("workload:{namespace}/{name}[{kind}]")
}

/// The vertex name of a service account.
pub fn service_account_vertex_name(namespace: &str, name: &str) -> String {
    format!("sa:{namespace}/{name}")
}

/// The vertex name of a permission set.
pub fn permission_vertex_name(capability: Capability, scope: Option<&str>) -> String {
    format!("perm:{}@{}", capability.as_str(), scope.unwrap_or("*"))
}

/// The vertex name of a secret.
pub fn secret_vertex_name(namespace: &str, name: &str) -> String {
    format!("secret:{namespace}/{name}")
}

/// The vertex name of container `container` of the workload named `workload` (a workload
/// vertex name): `container:ns/name[Kind]/container`.
pub fn container_vertex_name(workload: &str, container: &str) -> String {
    format!(
        "container:{}/{container}",
        workload.strip_prefix("workload:").unwrap_or(workload)
    )
}

/// The vertex name of volume `volume` of the workload named `workload`:
/// `volume:ns/name[Kind]/volume`.
pub fn volume_vertex_name(workload: &str, volume: &str) -> String {
    format!(
        "volume:{}/{volume}",
        workload.strip_prefix("workload:").unwrap_or(workload)
    )
}

/// The vertex name of the node an unpinned pod lands on.
pub const ANY_NODE: &str = "node:*";

/// The owner that the NetworkPolicy engine collapses a Pod into: its controller, when that is a
/// workload kind.
fn controller_of(object: &Object) -> Option<(&str, &str)> {
    object
        .root
        .path(&["metadata", "ownerReferences"])
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .find(|o| o.get("controller").and_then(Node::as_bool) != Some(false))
        .and_then(|o| {
            let name = o
                .get("name")
                .and_then(Node::as_str)
                .filter(|n| !n.is_empty())?;
            let kind = o.get("kind").and_then(Node::as_str)?;
            matches!(
                kind,
                "Deployment"
                    | "StatefulSet"
                    | "DaemonSet"
                    | "ReplicaSet"
                    | "Job"
                    | "CronJob"
                    | "ReplicationController"
            )
            .then_some((name, kind))
        })
}

/// An object's address, to recognise it in the inventory without comparing contents.
fn address(object: &Object) -> usize {
    std::ptr::from_ref(object) as usize
}

fn namespace_of(object: &Object) -> &str {
    object.namespace.as_deref().unwrap_or("default")
}

impl<'a> Context<'a> {
    /// Gathers the context of `inventory`.
    pub fn new(inventory: &'a Inventory, options: &Options) -> Self {
        let rbac = inventory.rbac();
        let mut context = Context {
            inventory,
            rbac,
            workloads: Vec::new(),
            workloads_by_namespace: BTreeMap::new(),
            service_accounts: BTreeMap::new(),
            service_account_objects: HashMap::new(),
            secrets: Vec::new(),
            secrets_by_namespace: BTreeMap::new(),
            nodes: Vec::new(),
            pss_enforced: BTreeSet::new(),
            namespaces: BTreeSet::new(),
            identities: Vec::new(),
            permission_sets: BTreeMap::new(),
            entry_points: Vec::new(),
            network: OnceLock::new(),
            useful: OnceLock::new(),
            pod_objects: HashSet::new(),
            lateral_sources: Vec::new(),
            explicit_lateral_sources: BTreeSet::new(),
        };
        context.read_objects();
        context.read_identities();
        context.read_entry_points();
        context.read_lateral_sources(options);
        context
    }

    fn read_objects(&mut self) {
        let inventory = self.inventory;
        let mut seen_workloads: HashMap<String, usize> = HashMap::new();
        // Accounts first: a pod's token mount depends on its account's setting.
        for (_, object) in inventory.of_kind("ServiceAccount") {
            if !object.group().is_empty() {
                continue;
            }
            let namespace = namespace_of(object);
            self.namespaces.insert(namespace);
            self.service_account_objects
                .insert((namespace, &object.name), object);
            self.service_accounts
                .entry(namespace.to_string())
                .or_default()
                .insert(object.name.to_string());
        }
        for (id, object) in inventory.iter() {
            let namespace = namespace_of(object);
            match (&*object.kind, object.group()) {
                ("ServiceAccount", "") => continue,
                ("Secret", "") => {
                    self.namespaces.insert(namespace);
                    self.secrets_by_namespace
                        .entry(namespace)
                        .or_default()
                        .push(self.secrets.len());
                    self.secrets.push(SecretInfo {
                        name: secret_vertex_name(namespace, &object.name),
                        object,
                        namespace,
                    });
                    continue;
                }
                ("Node", "") => {
                    self.nodes.push(object);
                    continue;
                }
                ("Namespace", "") => {
                    self.namespaces.insert(&object.name);
                    if matches!(
                        object.label("pod-security.kubernetes.io/enforce"),
                        Some("baseline" | "restricted")
                    ) {
                        self.pss_enforced.insert(&object.name);
                    }
                    continue;
                }
                _ => {}
            }
            let Some(pod) = pod_specs(object).into_iter().next() else {
                continue;
            };
            self.pod_objects.insert(address(object));
            self.add_workload(id, object, pod, &mut seen_workloads);
        }
    }

    /// Adds the workload of `object` (whose pod spec is `pod`) unless its vertex exists.
    fn add_workload(
        &mut self,
        id: ObjectId,
        object: &'a Object,
        pod: PodView<'a>,
        seen_workloads: &mut HashMap<String, usize>,
    ) {
        let namespace = namespace_of(object);
        self.namespaces.insert(namespace);
        let (owner_name, owner_kind) =
            controller_of(object).unwrap_or((&object.name, &object.kind));
        let name = workload_vertex_name(namespace, owner_name, owner_kind);
        if seen_workloads.contains_key(&name) {
            return;
        }
        let file = &object.source.file;
        let (service_account, service_account_evidence) = match pod
            .spec
            .entry("serviceAccountName")
            .or_else(|| pod.spec.entry("serviceAccount"))
            .and_then(|e| Some((e.value.as_str()?, e.key_pos)))
        {
            Some((sa, pos)) if !sa.is_empty() => (
                sa.to_string(),
                Evidence::at(file, pos, format!("pods run as service account {sa}")),
            ),
            _ => (
                "default".to_string(),
                Evidence::at(
                    file,
                    pod.spec.pos,
                    "pods run as the namespace's default service account",
                ),
            ),
        };
        let pod_automount = pod
            .get("automountServiceAccountToken")
            .and_then(Node::as_bool);
        let account_automount = self
            .service_account_objects
            .get(&(namespace, service_account.as_str()))
            .and_then(|sa| sa.root.get("automountServiceAccountToken"))
            .and_then(Node::as_bool);
        let automount = pod_automount.or(account_automount).unwrap_or(true);
        let labels = pod
            .metadata
            .and_then(|m| m.get("labels"))
            .map(Node::entries)
            .unwrap_or_default()
            .iter()
            .filter_map(|e| Some((&*e.key, e.value.as_str()?)))
            .collect();
        self.service_accounts
            .entry(namespace.to_string())
            .or_default()
            .insert(service_account.clone());
        let index = self.workloads.len();
        seen_workloads.insert(name.clone(), index);
        self.workloads_by_namespace
            .entry(namespace)
            .or_default()
            .push(index);
        self.workloads.push(WorkloadInfo {
            name,
            id,
            object,
            namespace,
            service_account,
            service_account_evidence,
            automount,
            node_name: pod.get("nodeName").and_then(Node::as_str),
            on_every_node: &*object.kind == "DaemonSet",
            labels,
            pod,
        });
    }

    fn read_identities(&mut self) {
        let rbac = self.rbac;
        let mut users = BTreeSet::new();
        let mut groups = BTreeSet::new();
        for binding in &rbac.bindings {
            for subject in &binding.subjects {
                let Some(key) = binding.subject_key(subject) else {
                    continue;
                };
                match key.kind {
                    SubjectKind::User => {
                        users.insert(key.name);
                    }
                    SubjectKind::Group => {
                        groups.insert(key.name);
                    }
                    SubjectKind::ServiceAccount => {
                        self.service_accounts
                            .entry(key.namespace.unwrap_or_default())
                            .or_default()
                            .insert(key.name);
                    }
                }
            }
        }
        let owned: Vec<String> = self
            .scope_namespaces(None)
            .into_iter()
            .map(str::to_string)
            .collect();
        let all_namespaces: Vec<&str> = owned.iter().map(String::as_str).collect();
        let mut identities = Vec::new();
        for (namespace, names) in &self.service_accounts {
            for name in names {
                let user = UserInfo::service_account(namespace, name);
                identities.push(Identity {
                    kind: super::VertexKind::ServiceAccount,
                    name: service_account_vertex_name(namespace, name),
                    held: held_by(rbac, &user, &all_namespaces),
                });
            }
        }
        for name in users {
            let user = UserInfo::user(&name, &[]);
            identities.push(Identity {
                kind: super::VertexKind::User,
                name: format!("user:{name}"),
                held: held_by(rbac, &user, &all_namespaces),
            });
        }
        for name in groups {
            let user = UserInfo::group_member(std::slice::from_ref(&name));
            identities.push(Identity {
                kind: super::VertexKind::Group,
                name: format!("group:{name}"),
                held: held_by(rbac, &user, &all_namespaces),
            });
        }
        for identity in &identities {
            for held in &identity.held {
                self.permission_sets
                    .entry(held.set())
                    .or_insert_with(|| held.evidence.clone());
                // Binding in a namespace hands out any role there: everything a namespace
                // admin can do.
                if held.capability == Capability::BindRoles && held.only.is_some() {
                    let (_, implied) = bound_role_capabilities(rbac, &held.set());
                    for set in implied {
                        self.permission_sets
                            .entry(set)
                            .or_insert_with(|| held.evidence.clone());
                    }
                    continue;
                }
                if held.capability == Capability::BindRoles
                    && let Some(ns) = &held.scope
                {
                    for implied in NAMESPACE_ADMIN {
                        self.permission_sets
                            .entry(PermissionSet::all(*implied, Some(ns)))
                            .or_insert_with(|| held.evidence.clone());
                    }
                }
            }
        }
        self.identities = identities;
    }

    fn read_entry_points(&mut self) {
        let service_selectors = self.read_services();
        self.read_ingresses(&service_selectors);
        self.read_host_ports();
    }

    /// Exposed Services; returns every Service's selector, for Ingress backends.
    fn read_services(&mut self) -> HashMap<(&'a str, &'a str), Vec<(&'a str, &'a str)>> {
        let inventory = self.inventory;
        let mut service_selectors: HashMap<(&str, &str), Vec<(&str, &str)>> = HashMap::new();
        for (_, service) in inventory.of_kind("Service") {
            let namespace = namespace_of(service);
            let selector: Vec<(&str, &str)> = service
                .root
                .path(&["spec", "selector"])
                .map(Node::entries)
                .unwrap_or_default()
                .iter()
                .filter_map(|e| Some((&*e.key, e.value.as_str()?)))
                .collect();
            if selector.is_empty() {
                continue;
            }
            service_selectors.insert((namespace, &service.name), selector.clone());
            let spec = service.root.get("spec");
            let kind_entry = spec.and_then(|s| s.entry("type"));
            let service_type = kind_entry
                .and_then(|e| e.value.as_str())
                .unwrap_or("ClusterIP");
            let external_ips = spec
                .and_then(|s| s.entry("externalIPs"))
                .filter(|e| !e.value.items().is_empty());
            let evidence = match (service_type, kind_entry, external_ips) {
                ("LoadBalancer" | "NodePort", Some(e), _) => Evidence::at(
                    &service.source.file,
                    e.value.pos,
                    format!(
                        "Service {namespace}/{} is of type {service_type}",
                        service.name
                    ),
                ),
                (_, _, Some(e)) => Evidence::at(
                    &service.source.file,
                    e.key_pos,
                    format!("Service {namespace}/{} has externalIPs", service.name),
                ),
                _ => continue,
            };
            let selects = Evidence::at(
                &service.source.file,
                evidence.pos(),
                format!("the selector of Service {namespace}/{}", service.name),
            );
            let routes = self.selected(namespace, &selector, &selects);
            self.entry_points.push(EntryPoint {
                name: format!("entry:Service/{namespace}/{}", service.name),
                evidence,
                routes,
                through_ingress_controller: false,
            });
        }
        service_selectors
    }

    fn read_ingresses(
        &mut self,
        service_selectors: &HashMap<(&'a str, &'a str), Vec<(&'a str, &'a str)>>,
    ) {
        let inventory = self.inventory;
        for (_, ingress) in inventory.of_kind("Ingress") {
            let namespace = namespace_of(ingress);
            let mut backends: Vec<(&str, crate::document::Pos)> = Vec::new();
            let spec = ingress.root.get("spec");
            let mut add_backend = |backend: &'a Node| {
                let name = backend
                    .path(&["service", "name"])
                    .or_else(|| backend.get("serviceName"))
                    .and_then(Node::as_str);
                if let Some(name) = name {
                    backends.push((name, backend.pos));
                }
            };
            if let Some(default) =
                spec.and_then(|s| s.get("defaultBackend").or_else(|| s.get("backend")))
            {
                add_backend(default);
            }
            for rule in spec
                .and_then(|s| s.get("rules"))
                .map(Node::items)
                .unwrap_or_default()
            {
                for path in rule
                    .path(&["http", "paths"])
                    .map(Node::items)
                    .unwrap_or_default()
                {
                    if let Some(backend) = path.get("backend") {
                        add_backend(backend);
                    }
                }
            }
            let Some(first) = backends.first() else {
                continue;
            };
            let evidence = Evidence::at(
                &ingress.source.file,
                first.1,
                format!(
                    "Ingress {namespace}/{} routes outside traffic in",
                    ingress.name
                ),
            );
            let mut routes = Vec::new();
            for (service, pos) in &backends {
                let Some(selector) = service_selectors.get(&(namespace, *service)) else {
                    continue;
                };
                let backend = Evidence::at(
                    &ingress.source.file,
                    *pos,
                    format!("backend Service {namespace}/{service}"),
                );
                for (w, e) in self.selected(namespace, selector, &backend) {
                    if !routes.iter().any(|(r, _)| *r == w) {
                        routes.push((w, e));
                    }
                }
            }
            self.entry_points.push(EntryPoint {
                name: format!("entry:Ingress/{namespace}/{}", ingress.name),
                evidence,
                routes,
                through_ingress_controller: true,
            });
        }
    }

    fn read_host_ports(&mut self) {
        for (index, workload) in self.workloads.iter().enumerate() {
            for container in workload.pod.containers() {
                for port in container.get("ports").map(Node::items).unwrap_or_default() {
                    let Some(entry) = port.entry("hostPort") else {
                        continue;
                    };
                    let Some(number) = entry.value.as_i64().filter(|p| *p > 0) else {
                        continue;
                    };
                    let evidence = Evidence::at(
                        workload.file(),
                        entry.key_pos,
                        format!("{} listens on host port {number}", container.describe()),
                    );
                    self.entry_points.push(EntryPoint {
                        name: format!(
                            "entry:hostPort/{}/{}:{number}",
                            workload.namespace,
                            workload
                                .name
                                .trim_start_matches("workload:")
                                .split_once('/')
                                .map_or("", |(_, n)| n)
                        ),
                        evidence: evidence.clone(),
                        routes: vec![(index, evidence)],
                        through_ingress_controller: false,
                    });
                }
            }
        }
    }

    /// Workloads of `namespace` whose pod labels satisfy `selector`.
    fn selected(
        &self,
        namespace: &str,
        selector: &[(&str, &str)],
        evidence: &Evidence,
    ) -> Vec<(usize, Evidence)> {
        self.workloads_by_namespace
            .get(namespace)
            .into_iter()
            .flatten()
            .filter(|&&w| {
                selector
                    .iter()
                    .all(|(k, v)| self.workloads[w].labels.get(k) == Some(v))
            })
            .map(|&w| (w, evidence.clone()))
            .collect()
    }

    fn read_lateral_sources(&mut self, options: &Options) {
        let mut lateral: BTreeSet<usize> = self
            .entry_points
            .iter()
            .flat_map(|e| e.routes.iter().map(|(w, _)| *w))
            .collect();
        for selector in &options.network_from {
            for (i, w) in self.workloads.iter().enumerate() {
                let peer = w.name.trim_start_matches("workload:");
                if w.name == *selector
                    || crate::netpol::names_workload(peer, selector)
                    || super::glob_matches(selector, &w.name)
                {
                    lateral.insert(i);
                    self.explicit_lateral_sources.insert(i);
                }
            }
        }
        self.lateral_sources = lateral.into_iter().collect();
    }

    /// Which workloads lead somewhere (see [`EdgeSink::leads_somewhere`]), decided once, on
    /// first use — which must come after every technique that adds edges out of workloads and
    /// before lateral movement is added.
    pub fn useful_workloads(&self, out: &EdgeSink<'_>) -> &[bool] {
        self.useful
            .get_or_init(|| {
                self.workloads
                    .iter()
                    .map(|w| out.leads_somewhere(&w.name))
                    .collect()
            })
            .as_slice()
    }

    /// The NetworkPolicy view, built on first use and only when some workload is a lateral
    /// source. The engine is given every object except the workloads no step needs (neither a
    /// lateral source nor one that leads somewhere): NetworkPolicy answers for one pair of
    /// workloads do not depend on other workloads, and leaving them out keeps the engine's
    /// work proportional to what the paths need.
    pub fn network(&self, out: &EdgeSink<'_>) -> Option<&Network> {
        if self.lateral_sources.is_empty() {
            return None;
        }
        let useful = self.useful_workloads(out);
        self.network
            .get_or_init(|| {
                let mut needed: HashSet<usize> = HashSet::new();
                for (i, w) in self.workloads.iter().enumerate() {
                    if useful[i] || self.lateral_sources.binary_search(&i).is_ok() {
                        needed.insert(address(w.object));
                    }
                }
                let cluster = Cluster::from_files(
                    self.inventory
                        .objects()
                        .iter()
                        .filter(|o| {
                            let at = address(o);
                            !self.pod_objects.contains(&at) || needed.contains(&at)
                        })
                        .map(|o| (&*o.source.file, &o.root)),
                );
                let by_name: HashMap<String, usize> = cluster
                    .workloads()
                    .iter()
                    .enumerate()
                    .map(|(i, w)| (format!("workload:{}", w.display()), i))
                    .collect();
                let index_of = self
                    .workloads
                    .iter()
                    .map(|w| by_name.get(&w.name).copied())
                    .collect();
                let external = cluster.external_ranges();
                Network {
                    cluster,
                    external,
                    index_of,
                }
            })
            .into()
    }

    /// Whether pods that break the baseline Pod Security Standard can be admitted in
    /// `namespace` (`None`: in some namespace).
    pub fn admits_privileged_pods(&self, namespace: Option<&str>) -> bool {
        match namespace {
            Some(ns) => !self.pss_enforced.contains(ns),
            None => {
                self.namespaces
                    .iter()
                    .any(|ns| !self.pss_enforced.contains(ns))
                    || self.namespaces.is_empty()
            }
        }
    }

    /// Namespaces a scope covers: the one namespace, or all of them.
    pub fn scope_namespaces<'s>(&'s self, scope: Option<&'s str>) -> Vec<&'s str> {
        match scope {
            Some(ns) => vec![ns],
            None => self
                .namespaces
                .iter()
                .copied()
                .chain(self.service_accounts.keys().map(String::as_str))
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect(),
        }
    }
}

/// What binding rights in a namespace amount to.
pub const NAMESPACE_ADMIN: &[Capability] = &[
    Capability::CreatePods,
    Capability::ExecPods,
    Capability::ReadSecrets,
    Capability::CreateTokens,
    Capability::PatchWorkloads,
];

const SIMPLE: &[Capability] = &[
    Capability::CreatePods,
    Capability::ExecPods,
    Capability::ReadSecrets,
    Capability::CreateTokens,
    Capability::ImpersonateUsers,
    Capability::ImpersonateGroups,
    Capability::ImpersonateServiceAccounts,
    Capability::MutateAdmission,
    Capability::PatchWorkloads,
    Capability::NodesProxy,
];

fn grant_evidence(grant: &Grant<'_>) -> Vec<Evidence> {
    vec![
        Evidence::at(
            &grant.binding.at.file,
            grant.binding.at.pos,
            format!(
                "{} grants {}",
                grant.binding.display(),
                grant.role.display()
            ),
        ),
        Evidence::at(
            &grant.rule.at.file,
            grant.rule.at.pos,
            format!("rule {}", grant.rule),
        ),
    ]
}

/// The dangerous capabilities `user` holds, each with the first grant chain that gives it.
fn held_by(rbac: &Model, user: &UserInfo, namespaces: &[&str]) -> Vec<Held> {
    type Key = (Capability, Option<String>, Option<String>);
    let mut held: BTreeMap<Key, Vec<Evidence>> = BTreeMap::new();
    let mut csr = CsrRights::default();
    let mut roles = RoleRights::default();
    for (scope, grants) in rbac.permissions(user) {
        for grant in &grants {
            let rule = grant.rule;
            if !rule.non_resource_urls.is_empty() {
                continue;
            }
            if scope.is_none() && is_full_wildcard(rule) {
                held.entry((Capability::ClusterAdmin, None, None))
                    .or_insert_with(|| grant_evidence(grant));
            }
            for &capability in SIMPLE {
                if scope.is_some() && capability.cluster_only() {
                    continue;
                }
                for only in allowed_objects(rule, probes(capability)) {
                    held.entry((capability, scope.clone(), only))
                        .or_insert_with(|| grant_evidence(grant));
                }
            }
            roles.read(scope.as_deref(), grant);
            if scope.is_none() {
                csr.read(grant);
            }
        }
    }
    for ((scope, only), evidence) in roles.binding_rights(namespaces) {
        held.entry((Capability::BindRoles, scope, only))
            .or_insert(evidence);
    }
    for (capability, evidence) in csr.capabilities() {
        held.insert((capability, None, None), evidence);
    }
    // Whoever may do everything needs no other edge: they would only restate it.
    if let Some(all) = held.remove(&(Capability::ClusterAdmin, None, None)) {
        return vec![Held {
            capability: Capability::ClusterAdmin,
            scope: None,
            only: None,
            evidence: all,
        }];
    }
    // A grant limited to one object adds nothing where the same capability covers every object.
    let unlimited: BTreeSet<(Capability, Option<String>)> = held
        .keys()
        .filter(|(_, _, only)| only.is_none())
        .map(|(c, scope, _)| (*c, scope.clone()))
        .collect();
    held.into_iter()
        .filter(|((capability, scope, only), _)| {
            only.is_none()
                || !(unlimited.contains(&(*capability, scope.clone()))
                    || unlimited.contains(&(*capability, None)))
        })
        .map(|((capability, scope, only), evidence)| Held {
            capability,
            scope,
            only,
            evidence,
        })
        .collect()
}

/// Evidence by scope (a namespace, or `None` for cluster-wide).
type ByScope = BTreeMap<Option<String>, Vec<Evidence>>;
/// Evidence by scope and `resource/name` of a role.
type ByScopeAndRole = BTreeMap<(Option<String>, String), Vec<Evidence>>;

/// The rights over roles and bindings that let an identity grant itself roles: `bind` or
/// `escalate` (on any role, or on named ones), writing bindings, rewriting roles, and the roles
/// it is bound to.
#[derive(Default)]
struct RoleRights {
    bind: ByScope,
    binding_write: ByScope,
    named_bind: ByScopeAndRole,
    named_escalate: ByScopeAndRole,
    create_role_binding: ByScope,
    create_cluster_role_binding: Option<Vec<Evidence>>,
    role_update: BTreeMap<(Option<String>, Option<String>), Vec<Evidence>>,
    /// The roles bound to the identity (`clusterroles/name` or `roles/name`, and the role's
    /// namespace), each with the scopes of its bindings.
    bound_to: BTreeMap<(String, Option<String>), ByScope>,
}

fn first(map: &mut ByScope, scope: Option<&str>, grant: &Grant<'_>) {
    map.entry(scope.map(str::to_string))
        .or_insert_with(|| grant_evidence(grant));
}

fn merged(mut evidence: Vec<Evidence>, more: &[Evidence]) -> Vec<Evidence> {
    for e in more {
        if !evidence.contains(e) {
            evidence.push(e.clone());
        }
    }
    evidence
}

impl RoleRights {
    fn read(&mut self, scope: Option<&str>, grant: &Grant<'_>) {
        let rule = grant.rule;
        if allows_any(rule, BIND_PROBES) {
            first(&mut self.bind, scope, grant);
        }
        if allows_any(rule, BINDING_WRITE_PROBES) {
            first(&mut self.binding_write, scope, grant);
        }
        if allows_any(rule, CREATE_ROLE_BINDING) {
            first(&mut self.create_role_binding, scope, grant);
        }
        if scope.is_none()
            && self.create_cluster_role_binding.is_none()
            && allows_any(rule, CREATE_CLUSTER_ROLE_BINDING)
        {
            self.create_cluster_role_binding = Some(grant_evidence(grant));
        }
        let resource = match grant.role.kind {
            crate::rbac::RoleKind::ClusterRole => "clusterroles",
            crate::rbac::RoleKind::Role => "roles",
        };
        let bound = (
            format!("{resource}/{}", grant.role.name),
            grant.role.namespace.clone(),
        );
        first(self.bound_to.entry(bound).or_default(), scope, grant);
        for (probes, map) in [
            (NAMED_BIND_PROBES, &mut self.named_bind),
            (NAMED_ESCALATE_PROBES, &mut self.named_escalate),
        ] {
            for only in allowed_objects(rule, probes).into_iter().flatten() {
                map.entry((scope.map(str::to_string), only))
                    .or_insert_with(|| grant_evidence(grant));
            }
        }
        for only in allowed_objects(rule, ROLE_UPDATE_PROBES) {
            self.role_update
                .entry((scope.map(str::to_string), only))
                .or_insert_with(|| grant_evidence(grant));
        }
    }

    /// The `bind-roles` sets these rights add up to: (scope, `None` or the one role), with
    /// their evidence.
    fn binding_rights(&self, namespaces: &[&str]) -> ByScopeAndRoleOption {
        let mut out = ByScopeAndRoleOption::new();
        for (scope, evidence) in &self.bind {
            // Writing a binding cluster-wide also writes one in every namespace.
            let write = self
                .binding_write
                .get(scope)
                .or_else(|| self.binding_write.get(&None));
            if let Some(write) = write {
                out.entry((scope.clone(), None))
                    .or_insert_with(|| merged(evidence.clone(), write));
            }
        }
        self.named_bindings(namespaces, &mut out);
        self.rewritten_roles(&mut out);
        out
    }

    /// `bind` on named roles, with the right to create bindings: those roles, where a binding
    /// can be created — in a namespace (a RoleBinding there, or anywhere) or cluster-wide (a
    /// ClusterRoleBinding).
    fn named_bindings(&self, namespaces: &[&str], out: &mut ByScopeAndRoleOption) {
        for ((scope, only), evidence) in &self.named_bind {
            let mut places: Vec<(Option<String>, &Vec<Evidence>)> = Vec::new();
            if let Some(ns) = scope {
                if let Some(create) = self
                    .create_role_binding
                    .get(scope)
                    .or_else(|| self.create_role_binding.get(&None))
                {
                    places.push((Some(ns.clone()), create));
                }
            } else {
                if let Some(create) = &self.create_cluster_role_binding {
                    places.push((None, create));
                } else if let Some(create) = self.create_role_binding.get(&None) {
                    // RoleBindings anywhere but no ClusterRoleBinding: the role in each namespace.
                    for ns in namespaces {
                        places.push((Some((*ns).to_string()), create));
                    }
                }
                for (ns, create) in &self.create_role_binding {
                    if ns.is_some() {
                        places.push((ns.clone(), create));
                    }
                }
            }
            for (place, create) in places {
                out.entry((place, Some(only.clone())))
                    .or_insert_with(|| merged(evidence.clone(), create));
            }
        }
    }

    /// `escalate` and `update` on a named role the identity is bound to: the role can be
    /// rewritten to allow everything, wherever the identity's binding of it takes effect.
    fn rewritten_roles(&self, out: &mut ByScopeAndRoleOption) {
        for ((scope, only), evidence) in &self.named_escalate {
            let cluster_role = only.starts_with("clusterroles/");
            // A ClusterRole is cluster-scoped: only a cluster-wide grant writes it.
            if cluster_role && scope.is_some() {
                continue;
            }
            let update = [
                (scope.clone(), Some(only.clone())),
                (scope.clone(), None),
                (None, Some(only.clone())),
                (None, None),
            ]
            .into_iter()
            .find_map(|key| self.role_update.get(&key));
            let Some(update) = update else { continue };
            for ((role, role_namespace), bindings) in &self.bound_to {
                let same_place = cluster_role
                    || scope.is_none()
                    || role_namespace.as_deref() == scope.as_deref();
                if role != only || !same_place {
                    continue;
                }
                for (binding_scope, holds) in bindings {
                    out.entry((binding_scope.clone(), None))
                        .or_insert_with(|| merged(merged(evidence.clone(), update), holds));
                }
            }
        }
    }
}

/// Evidence by scope and, for a set limited to one role, its `resource/name`.
type ByScopeAndRoleOption = BTreeMap<(Option<String>, Option<String>), Vec<Evidence>>;

/// The cluster-wide rights over CertificateSigningRequests that together mint a certificate:
/// create a request, approve it (the `approval` subresource and the signer's `approve`), and
/// read the issued certificate back.
#[derive(Default)]
struct CsrRights {
    create: Option<Vec<Evidence>>,
    approval: Option<Vec<Evidence>>,
    read: Option<Vec<Evidence>>,
    client_signer: Option<Vec<Evidence>>,
    kubelet_signer: Option<Vec<Evidence>>,
}

impl CsrRights {
    fn read(&mut self, grant: &Grant<'_>) {
        let rule = grant.rule;
        let note = |slot: &mut Option<Vec<Evidence>>, allowed: bool| {
            if allowed && slot.is_none() {
                *slot = Some(grant_evidence(grant));
            }
        };
        note(&mut self.create, allows_any(rule, CSR_CREATE_PROBES));
        note(
            &mut self.approval,
            allows_some(rule, CSR_APPROVAL_PROBES, true),
        );
        note(&mut self.read, allows_some(rule, CSR_READ_PROBES, true));
        note(
            &mut self.client_signer,
            approves_signer(rule, CLIENT_SIGNER),
        );
        note(
            &mut self.kubelet_signer,
            approves_signer(rule, KUBELET_SIGNER),
        );
    }

    /// The signer capabilities these rights add up to, with the evidence of each right
    /// (approval and signer first: they are what is rare).
    fn capabilities(self) -> Vec<(Capability, Vec<Evidence>)> {
        let (Some(create), Some(approval), Some(read)) = (self.create, self.approval, self.read)
        else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (capability, signer) in [
            (Capability::ApproveCsr, self.client_signer),
            (Capability::ApproveKubeletCsr, self.kubelet_signer),
        ] {
            let Some(signer) = signer else { continue };
            let mut evidence = approval.clone();
            for e in signer.iter().chain(&create).chain(&read) {
                if !evidence.contains(e) {
                    evidence.push(e.clone());
                }
            }
            out.push((capability, evidence));
        }
        out
    }
}

/// What binding the role that a name-limited `bind` set names gives, where the set says:
/// whether it is cluster-admin (every verb on every resource, cluster-wide), and the permission
/// sets its rules hold, each with the rule that holds it. A Role named cluster-wide, or a role
/// not in the input, gives nothing.
pub fn bound_role_capabilities<'m>(
    rbac: &'m Model,
    set: &PermissionSet,
) -> (Option<&'m Rule>, Vec<PermissionSet>) {
    let mut sets = Vec::new();
    let role = match set.only.as_deref().and_then(|o| o.split_once('/')) {
        Some(("clusterroles", name)) => rbac.cluster_role(name),
        Some(("roles", name)) => set.scope.as_deref().and_then(|ns| rbac.role(ns, name)),
        _ => None,
    };
    let Some(role) = role else {
        return (None, sets);
    };
    let scope = set.scope.as_deref();
    let mut admin = None;
    for rule in role.rules.iter().filter(|r| r.non_resource_urls.is_empty()) {
        if is_full_wildcard(rule) {
            match scope {
                None => admin = admin.or(Some(rule)),
                // Everything in a namespace: what a namespace admin can do there.
                Some(_) => {
                    for &implied in NAMESPACE_ADMIN {
                        sets.push(PermissionSet::all(implied, scope));
                    }
                }
            }
        }
        for &capability in SIMPLE {
            if scope.is_some() && capability.cluster_only() {
                continue;
            }
            for only in allowed_objects(rule, probes(capability)) {
                sets.push(PermissionSet {
                    capability,
                    scope: scope.map(str::to_string),
                    only,
                });
            }
        }
    }
    // Whoever may do everything needs no other step.
    if admin.is_some() {
        sets.clear();
    }
    sets.sort();
    sets.dedup();
    (admin, sets)
}
