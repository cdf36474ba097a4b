//! The cluster model the connectivity engine works on, read from parsed manifests, and the
//! evaluation of NetworkPolicy rules over it.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{Ipv4Addr, Ipv6Addr};

use super::conn::{ConnSet, PortSet, Protocol};
use super::explain::{AdminTier, Decider, Denial, Explanation, Reason, Side, Verdict};
use super::{Connection, validate};
use crate::document::{Node, Value};

pub mod exposure;
pub mod lint;
mod matrix;

type Labels = BTreeMap<String, String>;

/// The label every namespace carries with its own name.
const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// A workload: the pods of one owner, seen as one peer.
#[derive(Debug, Clone)]
pub struct Workload {
    /// Namespace.
    pub namespace: String,
    /// Owner name (or the pod's own name for a pod without owner).
    pub name: String,
    /// Owner kind (`Deployment`, `ReplicaSet`, `Pod`, ...).
    pub kind: String,
    labels: Labels,
    /// Label sets of further pods of the same owner that differ from `labels`.
    other_labels: Vec<Labels>,
    /// Named container ports: name → (protocol, port).
    named_ports: Vec<(String, Protocol, u32)>,
}

impl Workload {
    /// The name used in connectivity lists: `ns/name[Kind]`.
    pub fn display(&self) -> String {
        format!("{}/{}[{}]", self.namespace, self.name, self.kind)
    }

    fn resolve_port(&self, name: &str, protocol: Protocol) -> Option<u32> {
        self.named_ports
            .iter()
            .find(|(n, p, _)| n == name && *p == protocol)
            .map(|&(_, _, port)| port)
    }
}

/// A label selector (`matchLabels` and `matchExpressions`, all ANDed).
#[derive(Debug, Clone, Default, PartialEq)]
struct Selector {
    labels: Vec<(String, String)>,
    expressions: Vec<Expression>,
    /// A malformed selector matches nothing, as the API server would have rejected it.
    invalid: bool,
}

#[derive(Debug, Clone, PartialEq)]
enum Expression {
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    DoesNotExist(String),
}

impl Selector {
    fn parse(node: &Node) -> Selector {
        let mut sel = Selector::default();
        if let Some(m) = node.get("matchLabels") {
            for e in m.entries() {
                let value = e
                    .value
                    .scalar_text()
                    .map(|v| v.to_string())
                    .unwrap_or_default();
                sel.labels.push((e.key.to_string(), value));
            }
        }
        if let Some(exprs) = node.get("matchExpressions") {
            for e in exprs.items() {
                let key = e
                    .get("key")
                    .and_then(Node::scalar_text)
                    .map(|k| k.to_string());
                let op = e.get("operator").and_then(Node::as_str);
                let values: Vec<String> = e
                    .get("values")
                    .map(Node::items)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|v| v.scalar_text().map(|s| s.to_string()))
                    .collect();
                let expr = match (key, op) {
                    (Some(k), Some("In")) if !values.is_empty() => Expression::In(k, values),
                    (Some(k), Some("NotIn")) if !values.is_empty() => Expression::NotIn(k, values),
                    (Some(k), Some("Exists")) if values.is_empty() => Expression::Exists(k),
                    (Some(k), Some("DoesNotExist")) if values.is_empty() => {
                        Expression::DoesNotExist(k)
                    }
                    _ => {
                        sel.invalid = true;
                        continue;
                    }
                };
                sel.expressions.push(expr);
            }
        }
        sel
    }

    /// True for `{}`: every label set matches.
    fn matches_everything(&self) -> bool {
        !self.invalid && self.labels.is_empty() && self.expressions.is_empty()
    }

    fn matches(&self, labels: &Labels) -> bool {
        if self.invalid {
            return false;
        }
        self.labels
            .iter()
            .all(|(k, v)| labels.get(k).is_some_and(|l| l == v))
            && self.expressions.iter().all(|e| match e {
                Expression::In(k, vs) => labels.get(k).is_some_and(|l| vs.contains(l)),
                Expression::NotIn(k, vs) => labels.get(k).is_none_or(|l| !vs.contains(l)),
                Expression::Exists(k) => labels.contains_key(k),
                Expression::DoesNotExist(k) => !labels.contains_key(k),
            })
    }
}

/// An address range, inclusive, in the IPv6 space where IPv4 addresses sit at their
/// IPv4-mapped place (`::ffff:a.b.c.d`), so that both families share one ordered line.
pub type IpRange = (u128, u128);

/// The IPv4-mapped block `::ffff:0.0.0.0/96`, where IPv4 addresses are placed.
const V4_MAPPED: IpRange = (0xffff_0000_0000, 0xffff_ffff_ffff);

fn from_v4(addr: Ipv4Addr) -> u128 {
    V4_MAPPED.0 | u128::from(u32::from(addr))
}

fn is_v4(addr: u128) -> bool {
    V4_MAPPED.0 <= addr && addr <= V4_MAPPED.1
}

/// An address as text: dotted IPv4 inside the mapped block, IPv6 otherwise.
fn address_text(addr: u128) -> String {
    if is_v4(addr) {
        Ipv4Addr::from((addr & 0xffff_ffff) as u32).to_string()
    } else {
        Ipv6Addr::from(addr).to_string()
    }
}

#[derive(Debug, Clone)]
enum RulePeer {
    Pods {
        namespaces: Option<Selector>,
        pods: Option<Selector>,
    },
    Block {
        cidr: IpRange,
        except: Vec<IpRange>,
    },
}

#[derive(Debug, Clone)]
enum PortValue {
    Number(u32),
    Named(String),
}

#[derive(Debug, Clone)]
struct RulePort {
    protocol: Protocol,
    port: Option<PortValue>,
    end_port: Option<u32>,
}

#[derive(Debug, Clone)]
struct Rule {
    /// `None`: every peer.
    peers: Option<Vec<RulePeer>>,
    /// Empty: every port.
    ports: Vec<RulePort>,
}

#[derive(Debug, Clone)]
struct Policy {
    namespace: String,
    name: String,
    selector: Selector,
    isolates_ingress: bool,
    isolates_egress: bool,
    ingress: Vec<Rule>,
    egress: Vec<Rule>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AdminAction {
    Allow,
    Deny,
    Pass,
}

/// A pod set of the admin policy API: pods matching `pods` in namespaces matching `namespaces`.
#[derive(Debug, Clone)]
struct AdminPods {
    namespaces: Selector,
    pods: Option<Selector>,
}

#[derive(Debug, Clone)]
enum AdminPeer {
    Pods(AdminPods),
    Networks(Vec<IpRange>),
    /// Node peers: nodes are not modelled, so these match nothing.
    Nodes,
}

#[derive(Debug, Clone)]
struct AdminRule {
    name: String,
    action: AdminAction,
    peers: Vec<AdminPeer>,
    /// Empty: every port.
    ports: Vec<RulePort>,
}

/// An AdminNetworkPolicy, or the BaselineAdminNetworkPolicy (whose priority is unused).
#[derive(Debug, Clone)]
struct AdminPolicy {
    kind: &'static str,
    name: String,
    priority: i64,
    subject: AdminPods,
    ingress: Vec<AdminRule>,
    egress: Vec<AdminRule>,
}

/// A party to a connection: a workload (by index) or an external address range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Peer {
    /// A workload of the cluster, by its index in [`Cluster::workloads`].
    Workload(usize),
    /// External addresses, an inclusive range (see [`IpRange`] for how IPv4 is placed).
    External(u128, u128),
    /// The cluster's ingress controller, reaching workloads that Ingresses and Routes expose.
    /// Its namespace and labels are unknown: only rules admitting every pod of every
    /// namespace match it.
    IngressController,
}

/// A Service port: what clients name (`port`, `name`) and where it lands on pods.
#[derive(Debug, Clone)]
struct ServicePort {
    name: Option<String>,
    port: u32,
    /// `None`: same as `port`.
    target: Option<PortValue>,
    protocol: Protocol,
}

#[derive(Debug, Clone)]
struct Service {
    namespace: String,
    name: String,
    /// `None`: no selector, so no pods.
    selector: Option<Labels>,
    ports: Vec<ServicePort>,
}

/// Which ports of a Service an Ingress or Route sends traffic to.
#[derive(Debug, Clone)]
enum ExposedPort {
    /// Every port of the Service.
    All,
    /// A Service port, by number.
    ServiceNumber(u32),
    /// A Service port, by name.
    ServiceName(String),
    /// A Route's `targetPort`: a pod port number, or a Service port or container port name.
    RouteTarget(PortValue),
}

/// An Ingress backend or Route destination.
#[derive(Debug, Clone)]
struct Exposure {
    /// `Ingress` or `Route`.
    kind: &'static str,
    /// The Ingress or Route's name.
    name: String,
    namespace: String,
    service: String,
    port: ExposedPort,
}

/// Namespaces, workloads and NetworkPolicies read from manifests.
#[derive(Debug, Clone, Default)]
pub struct Cluster {
    namespaces: BTreeMap<String, Labels>,
    workloads: Vec<Workload>,
    policies: Vec<Policy>,
    /// AdminNetworkPolicies, highest precedence (lowest priority number) first.
    admin: Vec<AdminPolicy>,
    /// The baseline tier: Baseline ClusterNetworkPolicies and the
    /// BaselineAdminNetworkPolicy, in precedence order.
    baselines: Vec<AdminPolicy>,
    services: Vec<Service>,
    exposures: Vec<Exposure>,
    /// Problems met while reading (unsupported values, malformed fields).
    pub warnings: Vec<String>,
    /// Objects the API server would reject, each with the line of the problem. Results are
    /// still computed from what could be read, but should not be trusted.
    pub errors: Vec<String>,
    /// Names already seen, to report duplicates: (kind, namespace, name).
    seen: BTreeSet<(String, String, String)>,
    /// Priorities taken, by tier (`Admin`, `Baseline`).
    admin_priorities: BTreeMap<(String, i64), String>,
    /// The file being read, to name it in errors.
    current_file: String,
    /// Which policies select each workload, parallel to `workloads`.
    selection: Vec<Selection>,
    /// Position in `workloads` (while reading) by (namespace, name, kind), so that pods of one
    /// owner find their workload without a scan.
    workload_index: std::collections::HashMap<(String, String, String), usize>,
}

/// The policies that select one workload, found once so that evaluating a connection never
/// scans every policy of the cluster.
#[derive(Debug, Clone, Default)]
struct Selection {
    /// AdminNetworkPolicies whose subject holds the workload, in precedence order.
    admin: Vec<usize>,
    /// Baseline-tier policies whose subject holds it, in precedence order.
    baseline: Vec<usize>,
    /// NetworkPolicies that select it and isolate ingress.
    ingress: Vec<usize>,
    /// NetworkPolicies that select it and isolate egress.
    egress: Vec<usize>,
}

/// One rule of one policy, in a direction known from context.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum RuleRef {
    /// Rule `.1` of AdminNetworkPolicy `.0` (index into `Cluster::admin`).
    Admin(usize, usize),
    /// Rule `.1` of baseline-tier policy `.0` (index into `Cluster::baselines`).
    Baseline(usize, usize),
    /// Rule `.1` of NetworkPolicy `.0`.
    Policy(usize, usize),
}

fn kind_of<'a>(node: &'a Node, list_kind: Option<&'a str>) -> Option<&'a str> {
    node.get("kind")
        .and_then(Node::as_str)
        .or_else(|| list_kind.and_then(|k| k.strip_suffix("List")))
}

fn labels_of(meta: Option<&Node>) -> Labels {
    meta.and_then(|m| m.get("labels"))
        .map(Node::entries)
        .unwrap_or_default()
        .iter()
        .filter_map(|e| {
            e.value
                .scalar_text()
                .map(|v| (e.key.to_string(), v.to_string()))
        })
        .collect()
}

fn labels_of_map(node: &Node) -> Labels {
    node.entries()
        .iter()
        .filter_map(|e| {
            e.value
                .scalar_text()
                .map(|v| (e.key.to_string(), v.to_string()))
        })
        .collect()
}

/// A port given as a number or a name (`port`, `targetPort`).
fn port_value(node: &Node) -> Option<PortValue> {
    match &node.value {
        Value::Int(_) => as_port(node).map(PortValue::Number),
        Value::Str(s) => Some(
            s.parse::<u32>()
                .map_or_else(|_| PortValue::Named(s.to_string()), PortValue::Number),
        ),
        _ => None,
    }
}

fn text(node: Option<&Node>) -> Option<String> {
    node.and_then(Node::scalar_text).map(|s| s.to_string())
}

/// An IPv4 or IPv6 CIDR as a range. An IPv6 CIDR covering the IPv4-mapped block (`::/0`)
/// still admits no IPv4 range: [`within`] compares families.
fn parse_cidr(text: &str) -> Option<IpRange> {
    let (addr, len) = text.trim().split_once('/')?;
    let len: u32 = len.parse().ok()?;
    if let Ok(v4) = addr.parse::<Ipv4Addr>() {
        if len > 32 {
            return None;
        }
        let mask: u32 = if len == 0 { 0 } else { u32::MAX << (32 - len) };
        let start = u32::from(v4) & mask;
        return Some((
            from_v4(Ipv4Addr::from(start)),
            from_v4(Ipv4Addr::from(start | !mask)),
        ));
    }
    let v6: Ipv6Addr = addr.parse().ok()?;
    if len > 128 {
        return None;
    }
    let mask: u128 = if len == 0 {
        0
    } else {
        u128::MAX << (128 - len)
    };
    let start = u128::from(v6) & mask;
    Some((start, start | !mask))
}

/// True when the range `(a, b)` lies inside `outer` and in the same address family.
fn within(outer: IpRange, a: u128, b: u128) -> bool {
    outer.0 <= a && b <= outer.1 && is_v4(outer.0) == is_v4(a)
}

fn as_port(node: &Node) -> Option<u32> {
    node.as_i64()
        .and_then(|p| u32::try_from(p).ok())
        .filter(|p| (1..=65535).contains(p))
}

impl Cluster {
    /// Reads a cluster from document roots. Kubernetes `List`s (also `*List` whose items omit
    /// their kind, as in `kubectl get pods -o yaml`) are unpacked.
    pub fn from_roots<'a>(roots: impl IntoIterator<Item = &'a Node>) -> Cluster {
        Cluster::from_files(roots.into_iter().map(|r| ("", r)))
    }

    /// Like [`Cluster::from_roots`], with the file each document came from, so that errors
    /// name it (`file:line`).
    pub fn from_files<'a>(documents: impl IntoIterator<Item = (&'a str, &'a Node)>) -> Cluster {
        let mut cluster = Cluster::default();
        for (file, root) in documents {
            file.clone_into(&mut cluster.current_file);
            cluster.add_root(root, None);
        }
        cluster.finish();
        cluster
    }

    fn add_root(&mut self, node: &Node, list_kind: Option<&str>) {
        let Some(kind) = kind_of(node, list_kind) else {
            return;
        };
        if kind.ends_with("List") {
            for item in node.get("items").map(Node::items).unwrap_or_default() {
                self.add_root(item, Some(kind));
            }
            return;
        }
        let api_version = node.get("apiVersion").and_then(Node::as_str).unwrap_or("");
        if kind == "ClusterNetworkPolicy" && !api_version.starts_with("policy.networking.k8s.io/") {
            // Network plugins have their own kinds of this name, with other schemas.
            return;
        }
        let meta = node.get("metadata");
        let namespace = text(meta.and_then(|m| m.get("namespace")))
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "default".to_string());
        let name = text(meta.and_then(|m| m.get("name"))).unwrap_or_default();
        self.validate(node, kind, &namespace, &name);
        match kind {
            "Namespace" => {
                let mut labels = labels_of(meta);
                labels.insert(NAMESPACE_NAME_LABEL.to_string(), name.clone());
                self.namespaces.insert(name, labels);
            }
            "NetworkPolicy" => {
                if let Some(p) = self.parse_policy(node, namespace, &name) {
                    self.policies.push(p);
                }
            }
            "Service" => self.add_service(node, namespace, name),
            "Ingress" => self.add_ingress(node, &namespace, &name),
            "Route" => self.add_route(node, namespace, name),
            "AdminNetworkPolicy" | "BaselineAdminNetworkPolicy" | "ClusterNetworkPolicy" => {
                self.add_admin(node, kind, &name);
            }
            "Pod" => {
                let owner = meta
                    .and_then(|m| m.get("ownerReferences"))
                    .map(Node::items)
                    .unwrap_or_default()
                    .iter()
                    .find(|o| o.get("controller").and_then(Node::as_bool) != Some(false))
                    .and_then(|o| {
                        let owner_name = text(o.get("name")).filter(|n| !n.is_empty())?;
                        // Static pods are owned by their Node: the pod is its own workload.
                        match text(o.get("kind")).unwrap_or_default().as_str() {
                            "" => Some((owner_name, "Pod".to_string())),
                            kind @ ("Deployment"
                            | "StatefulSet"
                            | "DaemonSet"
                            | "ReplicaSet"
                            | "Job"
                            | "CronJob"
                            | "ReplicationController") => Some((owner_name, kind.to_string())),
                            _ => None,
                        }
                    });
                let (wname, wkind) = owner.unwrap_or((name, "Pod".to_string()));
                self.add_workload(namespace, wname, wkind, meta, node.get("spec"));
            }
            "Deployment"
            | "StatefulSet"
            | "DaemonSet"
            | "ReplicaSet"
            | "Job"
            | "ReplicationController" => {
                let template = node.path(&["spec", "template"]);
                self.add_workload(
                    namespace,
                    name,
                    kind.to_string(),
                    template.and_then(|t| t.get("metadata")),
                    template.and_then(|t| t.get("spec")),
                );
            }
            "CronJob" => {
                let template = node.path(&["spec", "jobTemplate", "spec", "template"]);
                self.add_workload(
                    namespace,
                    name,
                    kind.to_string(),
                    template.and_then(|t| t.get("metadata")),
                    template.and_then(|t| t.get("spec")),
                );
            }
            _ => {}
        }
    }

    /// Files an admin-tier or baseline-tier policy where it belongs.
    fn add_admin(&mut self, node: &Node, kind: &str, name: &str) {
        let baseline = match kind {
            "BaselineAdminNetworkPolicy" => true,
            "ClusterNetworkPolicy" => {
                node.path(&["spec", "tier"]).and_then(Node::as_str) == Some("Baseline")
            }
            _ => false,
        };
        let Some(policy) = self.parse_admin(node, kind, name) else {
            return;
        };
        if baseline {
            self.baselines.push(policy);
        } else {
            self.admin.push(policy);
        }
    }

    fn validate(&mut self, node: &Node, kind: &str, namespace: &str, name: &str) {
        let (problems, scope) = match kind {
            "NetworkPolicy" => (validate::network_policy(node), namespace),
            "AdminNetworkPolicy" => (validate::admin_policy(node, false), ""),
            "BaselineAdminNetworkPolicy" => (validate::admin_policy(node, true), ""),
            "ClusterNetworkPolicy" => (validate::cluster_policy(node), ""),
            "Namespace" => (Vec::new(), ""),
            _ => return,
        };
        let file = if self.current_file.is_empty() {
            String::new()
        } else {
            format!("{}: ", self.current_file)
        };
        let label = if scope.is_empty() {
            format!("{file}{kind} {name}")
        } else {
            format!("{file}{kind} {scope}/{name}")
        };
        for p in problems {
            self.errors.push(format!("{label}: {p}"));
        }
        let line = node.pos.line;
        let key = (
            if kind == "BaselineAdminNetworkPolicy" {
                kind.to_string()
            } else {
                format!("{kind}/{name}")
            },
            scope.to_string(),
            String::new(),
        );
        if !self.seen.insert(key) {
            let what = if kind == "BaselineAdminNetworkPolicy" {
                "more than one BaselineAdminNetworkPolicy".to_string()
            } else {
                "defined twice".to_string()
            };
            self.errors.push(format!("{label}: line {line}: {what}"));
        }
        if kind == "BaselineAdminNetworkPolicy" && name != "default" {
            self.errors.push(format!(
                "{label}: line {line}: a BaselineAdminNetworkPolicy must be named `default`"
            ));
        }
        let priority = node.path(&["spec", "priority"]).and_then(Node::as_i64);
        let tier = match kind {
            "AdminNetworkPolicy" => Some("Admin"),
            "ClusterNetworkPolicy" => node.path(&["spec", "tier"]).and_then(Node::as_str),
            _ => None,
        };
        if let (Some(priority), Some(tier)) = (priority, tier)
            && let Some(other) = self
                .admin_priorities
                .insert((tier.to_string(), priority), name.to_string())
        {
            self.errors.push(format!(
                "{label}: line {line}: priority {priority} is also that of {other}; the order between them is undefined"
            ));
        }
    }

    fn add_workload(
        &mut self,
        namespace: String,
        name: String,
        kind: String,
        meta: Option<&Node>,
        spec: Option<&Node>,
    ) {
        let mut named_ports = Vec::new();
        for list in ["containers", "initContainers"] {
            for c in spec
                .and_then(|s| s.get(list))
                .map(Node::items)
                .unwrap_or_default()
            {
                for p in c.get("ports").map(Node::items).unwrap_or_default() {
                    let (Some(pname), Some(port)) = (
                        text(p.get("name")),
                        p.get("containerPort").and_then(as_port),
                    ) else {
                        continue;
                    };
                    let protocol = p
                        .get("protocol")
                        .and_then(Node::as_str)
                        .and_then(Protocol::parse)
                        .unwrap_or(Protocol::Tcp);
                    named_ports.push((pname, protocol, port));
                }
            }
        }
        let key = (namespace.clone(), name.clone(), kind.clone());
        if let Some(existing) = self
            .workload_index
            .get(&key)
            .map(|&i| &mut self.workloads[i])
        {
            for np in named_ports {
                if !existing.named_ports.contains(&np) {
                    existing.named_ports.push(np);
                }
            }
            let labels = labels_of(meta);
            if labels != existing.labels && !existing.other_labels.contains(&labels) {
                existing.other_labels.push(labels);
            }
            return;
        }
        self.workload_index.insert(key, self.workloads.len());
        self.workloads.push(Workload {
            namespace,
            name,
            kind,
            labels: labels_of(meta),
            other_labels: Vec::new(),
            named_ports,
        });
    }

    fn parse_policy(&mut self, node: &Node, namespace: String, name: &str) -> Option<Policy> {
        let spec = node.get("spec")?;
        let selector = spec
            .get("podSelector")
            .map(Selector::parse)
            .unwrap_or_default();
        let ingress_rules = spec.get("ingress").map(Node::items).unwrap_or_default();
        let egress_rules = spec.get("egress").map(Node::items).unwrap_or_default();
        let (isolates_ingress, isolates_egress) = match spec.get("policyTypes") {
            Some(types) if matches!(types.value, Value::Seq(_)) => {
                let has = |t: &str| types.items().iter().any(|n| n.as_str() == Some(t));
                (has("Ingress"), has("Egress"))
            }
            _ => (true, !egress_rules.is_empty()),
        };
        let mut policy = Policy {
            namespace,
            name: name.to_string(),
            selector,
            isolates_ingress,
            isolates_egress,
            ingress: Vec::new(),
            egress: Vec::new(),
        };
        for (rules, key, out) in [
            (ingress_rules, "from", &mut policy.ingress),
            (egress_rules, "to", &mut policy.egress),
        ] {
            for r in rules {
                let rule = self.parse_rule(r, key, name);
                out.push(rule);
            }
        }
        Some(policy)
    }

    fn parse_rule(&mut self, node: &Node, peers_key: &str, policy: &str) -> Rule {
        let peers = match node.get(peers_key) {
            Some(list) if !list.items().is_empty() => {
                let mut peers = Vec::new();
                for p in list.items() {
                    if let Some(block) = p.get("ipBlock") {
                        let cidr = text(block.get("cidr")).unwrap_or_default();
                        let Some(range) = parse_cidr(&cidr) else {
                            self.warnings.push(format!(
                                "NetworkPolicy {policy}: ipBlock cidr `{cidr}` is not a CIDR; peer ignored"
                            ));
                            continue;
                        };
                        let except = block
                            .get("except")
                            .map(Node::items)
                            .unwrap_or_default()
                            .iter()
                            .filter_map(|e| e.as_str().and_then(parse_cidr))
                            .collect();
                        peers.push(RulePeer::Block {
                            cidr: range,
                            except,
                        });
                    } else {
                        peers.push(RulePeer::Pods {
                            namespaces: p.get("namespaceSelector").map(Selector::parse),
                            pods: p.get("podSelector").map(Selector::parse),
                        });
                    }
                }
                Some(peers)
            }
            _ => None,
        };
        let mut ports = Vec::new();
        for p in node.get("ports").map(Node::items).unwrap_or_default() {
            let protocol = match p.get("protocol").and_then(Node::as_str) {
                None => Protocol::Tcp,
                Some(t) => {
                    let Some(proto) = Protocol::parse(t) else {
                        self.warnings.push(format!(
                            "NetworkPolicy {policy}: unknown protocol `{t}`; port ignored"
                        ));
                        continue;
                    };
                    proto
                }
            };
            let port = p.get("port").and_then(|n| match &n.value {
                Value::Int(_) => as_port(n).map(PortValue::Number),
                Value::Str(s) => Some(
                    s.parse::<u32>()
                        .map_or_else(|_| PortValue::Named(s.to_string()), PortValue::Number),
                ),
                _ => None,
            });
            let end_port = p.get("endPort").and_then(as_port);
            if let (Some(PortValue::Number(start)), Some(end)) = (&port, end_port)
                && end < *start
            {
                self.warnings.push(format!(
                    "NetworkPolicy {policy}: endPort {end} is below port {start}: the range is empty"
                ));
            }
            ports.push(RulePort {
                protocol,
                port,
                end_port,
            });
        }
        Rule { peers, ports }
    }

    fn parse_admin(&mut self, node: &Node, kind: &str, name: &str) -> Option<AdminPolicy> {
        let spec = node.get("spec")?;
        let cluster_policy = kind == "ClusterNetworkPolicy";
        // The BaselineAdminNetworkPolicy has no priority; it comes after the Baseline-tier
        // ClusterNetworkPolicies.
        let priority = if kind == "BaselineAdminNetworkPolicy" {
            i64::MAX
        } else {
            spec.get("priority").and_then(Node::as_i64).unwrap_or(0)
        };
        let Some(subject) = spec.get("subject").and_then(parse_admin_pods) else {
            self.warnings
                .push(format!("{kind} {name}: no valid subject; policy ignored"));
            return None;
        };
        let mut policy = AdminPolicy {
            kind: match kind {
                "AdminNetworkPolicy" => "AdminNetworkPolicy",
                "ClusterNetworkPolicy" => "ClusterNetworkPolicy",
                _ => "BaselineAdminNetworkPolicy",
            },
            name: name.to_string(),
            priority,
            subject,
            ingress: Vec::new(),
            egress: Vec::new(),
        };
        for (key, peers_key) in [("ingress", "from"), ("egress", "to")] {
            for r in spec.get(key).map(Node::items).unwrap_or_default() {
                let action = match r.get("action").and_then(Node::as_str) {
                    Some("Allow") if !cluster_policy => AdminAction::Allow,
                    Some("Accept") if cluster_policy => AdminAction::Allow,
                    Some("Deny") => AdminAction::Deny,
                    Some("Pass") if kind != "BaselineAdminNetworkPolicy" => AdminAction::Pass,
                    other => {
                        self.warnings.push(format!(
                            "{kind} {name}: unsupported action `{}`; rule ignored",
                            other.unwrap_or("")
                        ));
                        continue;
                    }
                };
                let mut peers = Vec::new();
                for p in r.get(peers_key).map(Node::items).unwrap_or_default() {
                    if let Some(nets) = p.get("networks") {
                        peers.push(AdminPeer::Networks(
                            nets.items()
                                .iter()
                                .filter_map(|n| n.as_str().and_then(parse_cidr))
                                .collect(),
                        ));
                    } else if p.get("nodes").is_some() || p.get("domainNames").is_some() {
                        // Neither nodes nor DNS names are modelled: these peers match nothing.
                        peers.push(AdminPeer::Nodes);
                    } else if let Some(pods) = parse_admin_pods(p) {
                        peers.push(AdminPeer::Pods(pods));
                    }
                }
                let ports = if cluster_policy {
                    parse_cluster_protocols(r)
                } else {
                    parse_admin_ports(r)
                };
                let rule = AdminRule {
                    name: text(r.get("name")).unwrap_or_default(),
                    action,
                    peers,
                    ports,
                };
                if key == "ingress" {
                    policy.ingress.push(rule);
                } else {
                    policy.egress.push(rule);
                }
            }
        }
        Some(policy)
    }

    fn admin_pods_match(&self, set: &AdminPods, workload: usize) -> bool {
        let w = &self.workloads[workload];
        self.namespaces
            .get(&w.namespace)
            .is_some_and(|labels| set.namespaces.matches(labels))
            && set.pods.as_ref().is_none_or(|sel| sel.matches(&w.labels))
    }

    fn admin_peer_matches(&self, peer: &AdminPeer, other: Peer) -> bool {
        match (peer, other) {
            (AdminPeer::Pods(set), Peer::Workload(i)) => self.admin_pods_match(set, i),
            (AdminPeer::Pods(set), Peer::IngressController) => {
                set.namespaces.matches_everything()
                    && set.pods.as_ref().is_none_or(Selector::matches_everything)
            }
            (AdminPeer::Networks(nets), Peer::External(a, b)) => {
                nets.iter().any(|&net| within(net, a, b))
            }
            _ => false,
        }
    }

    /// Applies one admin policy's rules, in order, to the connections still undecided.
    /// `Pass` moves connections to `passed`; `Allow` to `allowed`; `Deny` drops them.
    /// `rule_ref` names rule `i` of the policy for `matches`.
    #[allow(clippy::too_many_arguments)]
    fn apply_admin(
        &self,
        policy: &AdminPolicy,
        rule_ref: &dyn Fn(usize) -> RuleRef,
        ingress: bool,
        matches: &dyn Fn(RuleRef) -> bool,
        dst: Peer,
        undecided: &mut ConnSet,
        allowed: &mut ConnSet,
        passed: &mut ConnSet,
        mut trace: Option<&mut Vec<Reason>>,
    ) {
        let rules = if ingress {
            &policy.ingress
        } else {
            &policy.egress
        };
        for (i, rule) in rules.iter().enumerate() {
            if undecided.is_empty() {
                return;
            }
            if !matches(rule_ref(i)) {
                continue;
            }
            let ports = if rule.ports.is_empty() {
                ConnSet::all()
            } else {
                rule_port_set(&rule.ports, dst, &self.workloads)
            };
            let hit = undecided.intersection(&ports);
            if let Some(t) = trace.as_deref_mut()
                && !hit.is_empty()
            {
                t.push(Reason {
                    side: side_of(ingress),
                    verdict: match rule.action {
                        AdminAction::Allow => Verdict::Allows,
                        AdminAction::Deny => Verdict::Denies,
                        AdminAction::Pass => Verdict::Passes,
                    },
                    conn: hit.clone(),
                    decider: Decider::AdminRule {
                        kind: policy.kind,
                        tier: match rule_ref(i) {
                            RuleRef::Baseline(..) => AdminTier::Baseline,
                            _ => AdminTier::Admin,
                        },
                        policy: policy.name.clone(),
                        rule: i,
                        rule_name: rule.name.clone(),
                    },
                });
            }
            match rule.action {
                AdminAction::Allow => allowed.union_with(&hit),
                AdminAction::Pass => passed.union_with(&hit),
                AdminAction::Deny => {}
            }
            *undecided = undecided.difference(&hit);
        }
    }

    fn add_service(&mut self, node: &Node, namespace: String, name: String) {
        let spec = node.get("spec");
        let selector = spec
            .and_then(|s| s.get("selector"))
            .filter(|s| !s.entries().is_empty())
            .map(labels_of_map);
        let ports = spec
            .and_then(|s| s.get("ports"))
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .filter_map(|p| {
                Some(ServicePort {
                    name: text(p.get("name")),
                    port: p.get("port").and_then(as_port)?,
                    target: p.get("targetPort").and_then(port_value),
                    protocol: p
                        .get("protocol")
                        .and_then(Node::as_str)
                        .and_then(Protocol::parse)
                        .unwrap_or(Protocol::Tcp),
                })
            })
            .collect();
        self.services.push(Service {
            namespace,
            name,
            selector,
            ports,
        });
    }

    fn add_route(&mut self, node: &Node, namespace: String, name: String) {
        if let Some(service) = text(node.path(&["spec", "to", "name"])) {
            let port = node
                .path(&["spec", "port", "targetPort"])
                .and_then(port_value)
                .map_or(ExposedPort::All, ExposedPort::RouteTarget);
            self.exposures.push(Exposure {
                kind: "Route",
                name,
                namespace,
                service,
                port,
            });
        }
    }

    fn add_ingress(&mut self, node: &Node, namespace: &str, ingress_name: &str) {
        let mut backends: Vec<&Node> = Vec::new();
        if let Some(b) = node.path(&["spec", "defaultBackend"]) {
            backends.push(b);
        }
        for rule in node
            .path(&["spec", "rules"])
            .map(Node::items)
            .unwrap_or_default()
        {
            for path in rule
                .path(&["http", "paths"])
                .map(Node::items)
                .unwrap_or_default()
            {
                if let Some(b) = path.get("backend") {
                    backends.push(b);
                }
            }
        }
        for b in backends {
            let Some(service) = b.get("service") else {
                continue;
            };
            let Some(name) = text(service.get("name")) else {
                continue;
            };
            let port = match service.get("port") {
                Some(p) => match (p.get("number").and_then(as_port), text(p.get("name"))) {
                    (Some(n), _) => ExposedPort::ServiceNumber(n),
                    (None, Some(n)) => ExposedPort::ServiceName(n),
                    (None, None) => ExposedPort::All,
                },
                None => ExposedPort::All,
            };
            self.exposures.push(Exposure {
                kind: "Ingress",
                name: ingress_name.to_string(),
                namespace: namespace.to_string(),
                service: name,
                port,
            });
        }
    }

    /// The pod ports a Service port lands on in one workload.
    fn target_ports(port: &ServicePort, workload: &Workload) -> ConnSet {
        let number = match &port.target {
            None => Some(port.port),
            Some(PortValue::Number(n)) => Some(*n),
            Some(PortValue::Named(name)) => workload.resolve_port(name, port.protocol),
        };
        number.map_or_else(ConnSet::none, |n| {
            ConnSet::ports(port.protocol, PortSet::range(n, n))
        })
    }

    /// What Ingresses and Routes expose of a workload to the ingress controller, before
    /// policies.
    fn exposed(&self, workload: usize) -> ConnSet {
        let mut out = ConnSet::none();
        for (_, conn) in self.exposed_by(workload) {
            out.union_with(&conn);
        }
        out
    }

    /// Per Ingress backend or Route whose Service selects `workload`: what it exposes of it
    /// (possibly nothing, when no port of the Service matches).
    fn exposed_by(&self, workload: usize) -> Vec<(&Exposure, ConnSet)> {
        let w = &self.workloads[workload];
        let mut out = Vec::new();
        for e in self.exposures.iter().filter(|e| e.namespace == w.namespace) {
            let mut exposed = ConnSet::none();
            let mut selected = false;
            for svc in self.services.iter().filter(|s| {
                s.namespace == e.namespace
                    && s.name == e.service
                    && s.selector
                        .as_ref()
                        .is_some_and(|sel| sel.iter().all(|(k, v)| w.labels.get(k) == Some(v)))
            }) {
                selected = true;
                for sp in &svc.ports {
                    let conn = Self::target_ports(sp, w);
                    let hit = match &e.port {
                        ExposedPort::All => true,
                        // Manifests in the wild often give the pod port here; accept it
                        // as the reference tool does.
                        ExposedPort::ServiceNumber(n) => {
                            sp.port == *n
                                || matches!(sp.target, Some(PortValue::Number(t)) if t == *n)
                        }
                        ExposedPort::ServiceName(n) => sp.name.as_deref() == Some(n),
                        ExposedPort::RouteTarget(PortValue::Named(n)) => {
                            sp.name.as_deref() == Some(n)
                                || matches!(&sp.target, Some(PortValue::Named(t)) if t == n)
                        }
                        ExposedPort::RouteTarget(PortValue::Number(n)) => {
                            conn.allows(sp.protocol, *n)
                        }
                    };
                    if hit {
                        exposed.union_with(&conn);
                    }
                }
            }
            if selected {
                out.push((e, exposed));
            }
        }
        out
    }

    /// Adds namespaces that workloads or policies live in but no Namespace object describes.
    fn finish(&mut self) {
        let referenced: BTreeSet<String> = self
            .workloads
            .iter()
            .map(|w| w.namespace.clone())
            .chain(self.policies.iter().map(|p| p.namespace.clone()))
            .collect();
        for ns in referenced {
            self.namespaces
                .entry(ns.clone())
                .or_insert_with(|| Labels::from([(NAMESPACE_NAME_LABEL.to_string(), ns.clone())]));
        }
        self.workloads.sort_by_key(Workload::display);
        self.workload_index.clear();
        self.admin.sort_by_key(|p| p.priority);
        self.baselines.sort_by_key(|p| p.priority);
        self.check_label_gaps();
        self.index_selection();
    }

    /// Fills `selection`: for each workload, the policies of each tier that apply to it.
    fn index_selection(&mut self) {
        let mut by_namespace: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, p) in self.policies.iter().enumerate() {
            by_namespace
                .entry(p.namespace.as_str())
                .or_default()
                .push(i);
        }
        let selection = (0..self.workloads.len())
            .map(|w| {
                let workload = &self.workloads[w];
                let mut sel = Selection {
                    admin: (0..self.admin.len())
                        .filter(|&p| self.admin_pods_match(&self.admin[p].subject, w))
                        .collect(),
                    baseline: (0..self.baselines.len())
                        .filter(|&p| self.admin_pods_match(&self.baselines[p].subject, w))
                        .collect(),
                    ..Selection::default()
                };
                for &p in by_namespace
                    .get(workload.namespace.as_str())
                    .map(Vec::as_slice)
                    .unwrap_or_default()
                {
                    let policy = &self.policies[p];
                    if policy.selector.matches(&workload.labels) {
                        if policy.isolates_ingress {
                            sel.ingress.push(p);
                        }
                        if policy.isolates_egress {
                            sel.egress.push(p);
                        }
                    }
                }
                sel
            })
            .collect();
        self.selection = selection;
    }

    /// Whether rule `rule` (of direction `ingress`) names `other` as a peer.
    fn rule_matches(&self, rule: RuleRef, ingress: bool, other: Peer) -> bool {
        match rule {
            RuleRef::Admin(p, r) => {
                let policy = &self.admin[p];
                let rules = if ingress {
                    &policy.ingress
                } else {
                    &policy.egress
                };
                rules[r]
                    .peers
                    .iter()
                    .any(|peer| self.admin_peer_matches(peer, other))
            }
            RuleRef::Baseline(p, r) => {
                let b = &self.baselines[p];
                let rules = if ingress { &b.ingress } else { &b.egress };
                rules[r]
                    .peers
                    .iter()
                    .any(|peer| self.admin_peer_matches(peer, other))
            }
            RuleRef::Policy(p, r) => {
                let policy = &self.policies[p];
                let rules = if ingress {
                    &policy.ingress
                } else {
                    &policy.egress
                };
                match &rules[r].peers {
                    None => true,
                    Some(peers) => peers
                        .iter()
                        .any(|peer| self.peer_matches(policy, peer, other)),
                }
            }
        }
    }

    /// Pods of one owner are analysed as one workload; a selector that matches some of them
    /// but not others would make that wrong, so it is an error.
    fn check_label_gaps(&mut self) {
        let mut errors = Vec::new();
        for w in self.workloads.iter().filter(|w| !w.other_labels.is_empty()) {
            let splits = |sel: &Selector| {
                let first = sel.matches(&w.labels);
                w.other_labels.iter().any(|l| sel.matches(l) != first)
            };
            for p in &self.policies {
                let mut selectors: Vec<&Selector> = Vec::new();
                if p.namespace == w.namespace {
                    selectors.push(&p.selector);
                }
                for rule in p.ingress.iter().chain(&p.egress) {
                    for peer in rule.peers.iter().flatten() {
                        if let RulePeer::Pods {
                            pods: Some(sel), ..
                        } = peer
                        {
                            selectors.push(sel);
                        }
                    }
                }
                if selectors.into_iter().any(splits) {
                    errors.push(format!(
                        "NetworkPolicy {}/{}: selects some pods of {} but not others (their labels differ); one workload cannot be analysed as a whole",
                        p.namespace,
                        p.name,
                        w.display()
                    ));
                }
            }
            for p in self.admin.iter().chain(&self.baselines) {
                let mut sets: Vec<&AdminPods> = vec![&p.subject];
                for rule in p.ingress.iter().chain(&p.egress) {
                    for peer in &rule.peers {
                        if let AdminPeer::Pods(set) = peer {
                            sets.push(set);
                        }
                    }
                }
                if sets.iter().any(|set| set.pods.as_ref().is_some_and(splits)) {
                    errors.push(format!(
                        "{} {}: selects some pods of {} but not others (their labels differ); one workload cannot be analysed as a whole",
                        p.kind,
                        p.name,
                        w.display()
                    ));
                }
            }
        }
        self.errors.extend(errors);
    }

    /// The workloads, sorted by display name.
    pub fn workloads(&self) -> &[Workload] {
        &self.workloads
    }

    /// Finds a workload by display name (`ns/name[Kind]`) or by `ns/name`.
    pub fn find_workload(&self, name: &str) -> Option<usize> {
        self.workloads
            .iter()
            .position(|w| w.display() == name)
            .or_else(|| {
                self.workloads
                    .iter()
                    .position(|w| format!("{}/{}", w.namespace, w.name) == name)
            })
    }

    /// The external address ranges: the IPv4 space (and the IPv6 space when a rule names an
    /// IPv6 range) cut at every ipBlock boundary.
    pub fn external_ranges(&self) -> Vec<IpRange> {
        self.external_ranges_of(true, true)
    }

    /// The IPv4 space cut at the ipBlock and network boundaries of ingress rules, egress
    /// rules or both. Lists cut sources only at ingress boundaries and destinations only at
    /// egress ones, so that each range shown is one a rule of that direction names.
    fn external_ranges_of(&self, ingress: bool, egress: bool) -> Vec<IpRange> {
        let mut cuts: BTreeSet<u128> = BTreeSet::from([V4_MAPPED.0, V4_MAPPED.1 + 1]);
        let mut any_v6 = false;
        let pick = |i: &'_ [Rule], e: &'_ [Rule]| -> Vec<Rule> {
            let mut v = Vec::new();
            if ingress {
                v.extend_from_slice(i);
            }
            if egress {
                v.extend_from_slice(e);
            }
            v
        };
        for p in &self.policies {
            for rule in &pick(&p.ingress, &p.egress) {
                for peer in rule.peers.iter().flatten() {
                    if let RulePeer::Block { cidr, except } = peer {
                        for &(a, b) in std::iter::once(cidr).chain(except) {
                            any_v6 |= !is_v4(a);
                            cuts.insert(a);
                            cuts.extend(b.checked_add(1));
                        }
                    }
                }
            }
        }
        for p in self.admin.iter().chain(&self.baselines) {
            let rules = p
                .ingress
                .iter()
                .filter(|_| ingress)
                .chain(p.egress.iter().filter(|_| egress));
            for rule in rules {
                for peer in &rule.peers {
                    if let AdminPeer::Networks(nets) = peer {
                        for &(a, b) in nets {
                            any_v6 |= !is_v4(a);
                            cuts.insert(a);
                            cuts.extend(b.checked_add(1));
                        }
                    }
                }
            }
        }
        if any_v6 {
            cuts.insert(0);
        }
        // Each cut starts a range that runs to the next cut; the last runs to the top of the
        // space. IPv6 ranges appear only when some rule names one.
        let starts: Vec<u128> = cuts.into_iter().collect();
        let ends = starts
            .iter()
            .skip(1)
            .map(|&next| next - 1)
            .chain([u128::MAX]);
        starts
            .iter()
            .copied()
            .zip(ends)
            .filter(|&(a, _)| any_v6 || is_v4(a))
            .collect()
    }

    fn peer_matches(&self, policy: &Policy, peer: &RulePeer, other: Peer) -> bool {
        match (peer, other) {
            (RulePeer::Block { cidr, except }, Peer::External(a, b)) => {
                within(*cidr, a, b) && !except.iter().any(|&e| within(e, a, b))
            }
            (RulePeer::Pods { namespaces, pods }, Peer::IngressController) => {
                namespaces
                    .as_ref()
                    .is_some_and(Selector::matches_everything)
                    && pods.as_ref().is_none_or(Selector::matches_everything)
            }
            (RulePeer::Pods { namespaces, pods }, Peer::Workload(i)) => {
                let w = &self.workloads[i];
                let ns_ok = match namespaces {
                    Some(sel) => self
                        .namespaces
                        .get(&w.namespace)
                        .is_some_and(|labels| sel.matches(labels)),
                    None => w.namespace == policy.namespace,
                };
                ns_ok && pods.as_ref().is_none_or(|sel| sel.matches(&w.labels))
            }
            _ => false,
        }
    }

    fn rule_ports(rule: &Rule, dst: Peer, workloads: &[Workload]) -> ConnSet {
        if rule.ports.is_empty() {
            return ConnSet::all();
        }
        rule_port_set(&rule.ports, dst, workloads)
    }

    /// What `subject`'s policies let through in one direction with `other` (ingress: `other`
    /// is the source; egress: the destination). `dst` is where named ports are resolved.
    fn direction_allows(&self, subject: usize, other: Peer, dst: Peer, ingress: bool) -> ConnSet {
        self.direction_traced(subject, other, dst, ingress, None)
    }

    /// [`Self::direction_allows`], writing to `trace` which policy and rule decided what.
    fn direction_traced(
        &self,
        subject: usize,
        other: Peer,
        dst: Peer,
        ingress: bool,
        trace: Option<&mut Vec<Reason>>,
    ) -> ConnSet {
        let matches = |rule: RuleRef| self.rule_matches(rule, ingress, other);
        self.evaluate(subject, ingress, &matches, dst, trace)
    }

    /// The rules that can decide `subject`'s connections in one direction, in evaluation
    /// order: admin rules by precedence, NetworkPolicy rules, baseline rules.
    fn deciding_rules(&self, subject: usize, ingress: bool) -> Vec<RuleRef> {
        let sel = &self.selection[subject];
        let mut out = Vec::new();
        for &p in &sel.admin {
            let policy = &self.admin[p];
            let n = if ingress {
                policy.ingress.len()
            } else {
                policy.egress.len()
            };
            out.extend((0..n).map(|r| RuleRef::Admin(p, r)));
        }
        for &p in if ingress { &sel.ingress } else { &sel.egress } {
            let policy = &self.policies[p];
            let n = if ingress {
                policy.ingress.len()
            } else {
                policy.egress.len()
            };
            out.extend((0..n).map(|r| RuleRef::Policy(p, r)));
        }
        for &p in &sel.baseline {
            let b = &self.baselines[p];
            let n = if ingress {
                b.ingress.len()
            } else {
                b.egress.len()
            };
            out.extend((0..n).map(|r| RuleRef::Baseline(p, r)));
        }
        out
    }

    /// Whether a rule has ports that depend on the destination (named ports).
    fn rule_names_ports(&self, rule: RuleRef, ingress: bool) -> bool {
        let named = |ports: &[RulePort]| {
            ports
                .iter()
                .any(|p| matches!(p.port, Some(PortValue::Named(_))))
        };
        match rule {
            RuleRef::Admin(p, r) => {
                let policy = &self.admin[p];
                named(
                    &if ingress {
                        &policy.ingress
                    } else {
                        &policy.egress
                    }[r]
                        .ports,
                )
            }
            RuleRef::Baseline(p, r) => {
                let b = &self.baselines[p];
                named(&if ingress { &b.ingress } else { &b.egress }[r].ports)
            }
            RuleRef::Policy(p, r) => {
                let policy = &self.policies[p];
                named(
                    &if ingress {
                        &policy.ingress
                    } else {
                        &policy.egress
                    }[r]
                        .ports,
                )
            }
        }
    }

    /// What `subject`'s policies let through in one direction, given which of its rules match
    /// the other party (`matches`); `dst` is where named ports are resolved.
    fn evaluate(
        &self,
        subject: usize,
        ingress: bool,
        matches: &dyn Fn(RuleRef) -> bool,
        dst: Peer,
        mut trace: Option<&mut Vec<Reason>>,
    ) -> ConnSet {
        let sel = &self.selection[subject];
        let mut undecided = ConnSet::all();
        let mut allowed = ConnSet::none();
        let mut passed = ConnSet::none();
        for &p in &sel.admin {
            self.apply_admin(
                &self.admin[p],
                &|r| RuleRef::Admin(p, r),
                ingress,
                matches,
                dst,
                &mut undecided,
                &mut allowed,
                &mut passed,
                trace.as_deref_mut(),
            );
        }
        undecided.union_with(&passed);
        // Once the admin tier has decided every port, NetworkPolicies play no part: naming
        // them would blame them for what the admin rules did.
        let policy_trace = if undecided.is_empty() {
            None
        } else {
            trace.as_deref_mut()
        };
        if let Some(np) =
            self.policy_allows(subject, ingress, matches, dst, &undecided, policy_trace)
        {
            allowed.union_with(&undecided.intersection(&np));
            return allowed;
        }
        // A Pass in the baseline tier hands the connection to the next tier, the cluster
        // default, which allows it.
        let mut passed_on = ConnSet::none();
        for &p in &sel.baseline {
            self.apply_admin(
                &self.baselines[p],
                &|r| RuleRef::Baseline(p, r),
                ingress,
                matches,
                dst,
                &mut undecided,
                &mut allowed,
                &mut passed_on,
                trace.as_deref_mut(),
            );
        }
        undecided.union_with(&passed_on);
        if let Some(t) = trace
            && !undecided.is_empty()
        {
            t.push(Reason {
                side: side_of(ingress),
                verdict: Verdict::Allows,
                conn: undecided.clone(),
                decider: Decider::Default,
            });
        }
        // Whatever no tier decided is allowed: the cluster default.
        allowed.union_with(&undecided);
        allowed
    }

    /// What the NetworkPolicies selecting `subject` let through in one direction, or `None`
    /// when none isolates it in that direction. `undecided` is what the admin tier left to
    /// them: the reasons written to `trace` cover only that.
    fn policy_allows(
        &self,
        subject: usize,
        ingress: bool,
        matches: &dyn Fn(RuleRef) -> bool,
        dst: Peer,
        undecided: &ConnSet,
        mut trace: Option<&mut Vec<Reason>>,
    ) -> Option<ConnSet> {
        let sel = &self.selection[subject];
        let selecting = if ingress { &sel.ingress } else { &sel.egress };
        let mut allowed = ConnSet::none();
        // Per selecting policy: the rules that select the peer, and whether all of those
        // name ports the destination lacks.
        let mut per_policy: Vec<(usize, Vec<usize>, bool)> = Vec::new();
        for &pi in selecting {
            let p = &self.policies[pi];
            let rules = if ingress { &p.ingress } else { &p.egress };
            let mut selecting_rules = Vec::new();
            let mut only_unresolved_names = true;
            for (i, rule) in rules.iter().enumerate() {
                if !matches(RuleRef::Policy(pi, i)) {
                    continue;
                }
                selecting_rules.push(i);
                let ports = Self::rule_ports(rule, dst, &self.workloads);
                only_unresolved_names &=
                    ports.is_empty() && self.rule_names_ports(RuleRef::Policy(pi, i), ingress);
                let decided = ports.intersection(undecided);
                if let Some(t) = trace.as_deref_mut()
                    && !decided.is_empty()
                {
                    t.push(Reason {
                        side: side_of(ingress),
                        verdict: Verdict::Allows,
                        conn: decided,
                        decider: Decider::PolicyRule {
                            policy: format!("{}/{}", p.namespace, p.name),
                            rule: i,
                        },
                    });
                }
                allowed.union_with(&ports);
            }
            per_policy.push((pi, selecting_rules, only_unresolved_names));
        }
        let denied = undecided.difference(&allowed);
        if let Some(t) = trace
            && !denied.is_empty()
        {
            for (pi, selecting_rules, only_unresolved_names) in per_policy {
                let p = &self.policies[pi];
                let rules = if ingress { &p.ingress } else { &p.egress };
                let denial = if rules.is_empty() {
                    Denial::NoRules
                } else if selecting_rules.is_empty() {
                    Denial::NoRuleSelectsPeer
                } else if only_unresolved_names {
                    Denial::NamedPortsUnresolved(selecting_rules)
                } else {
                    Denial::PortsDoNotMatch(selecting_rules)
                };
                t.push(Reason {
                    side: side_of(ingress),
                    verdict: Verdict::Denies,
                    conn: denied.clone(),
                    decider: Decider::PolicyDenies {
                        policy: format!("{}/{}", p.namespace, p.name),
                        denial,
                    },
                });
            }
        }
        (!selecting.is_empty()).then_some(allowed)
    }

    /// Why what flows from `src` to `dst` is allowed or denied, side by side.
    pub fn explain(&self, src: Peer, dst: Peer) -> Explanation {
        let mut reasons = Vec::new();
        let outside = |side| Reason {
            side,
            verdict: Verdict::Allows,
            conn: ConnSet::all(),
            decider: Decider::Outside,
        };
        let egress = match src {
            Peer::Workload(i) => self.direction_traced(i, dst, dst, false, Some(&mut reasons)),
            Peer::External(..) => {
                reasons.push(outside(Side::Egress));
                ConnSet::all()
            }
            // No policy applies to the ingress controller: its traffic is shaped by what
            // Ingresses and Routes expose, which is the destination's ingress business.
            Peer::IngressController => {
                reasons.push(Reason {
                    decider: Decider::Default,
                    ..outside(Side::Egress)
                });
                ConnSet::all()
            }
        };
        let ingress = match (src, dst) {
            (Peer::IngressController, Peer::Workload(i)) => {
                let by_object = self.exposed_by(i);
                let exposed = self.exposed(i);
                let hidden = ConnSet::all().difference(&exposed);
                for (e, conn) in &by_object {
                    let decider = Decider::Exposure {
                        kind: e.kind,
                        object: format!("{}/{}", e.namespace, e.name),
                        service: e.service.clone(),
                    };
                    for (verdict, conn) in [(Verdict::Allows, conn), (Verdict::Denies, &hidden)] {
                        if !conn.is_empty() {
                            reasons.push(Reason {
                                side: Side::Ingress,
                                verdict,
                                conn: conn.clone(),
                                decider: decider.clone(),
                            });
                        }
                    }
                }
                let mut traced = Vec::new();
                let policies = self.direction_traced(i, src, dst, true, Some(&mut traced));
                // Where no policy isolates, what the Ingresses and Routes expose is the whole
                // story: the cluster default adds nothing to it.
                reasons.extend(traced.into_iter().filter(|r| r.decider != Decider::Default));
                exposed.intersection(&policies)
            }
            (_, Peer::Workload(i)) => self.direction_traced(i, src, dst, true, Some(&mut reasons)),
            (_, Peer::External(..)) => {
                reasons.push(outside(Side::Ingress));
                ConnSet::all()
            }
            (_, Peer::IngressController) => ConnSet::none(),
        };
        Explanation {
            src: self.peer_name(src),
            dst: self.peer_name(dst),
            allowed: egress.intersection(&ingress),
            egress,
            ingress,
            reasons,
        }
    }

    /// [`Cluster::explain`] for every ordered pair of distinct peers — workloads with each
    /// other and with the external ranges, and the ingress controller with the workloads
    /// Ingresses or Routes expose — sorted by source then destination name, the
    /// pairs `list --explain` reports.
    pub fn explain_all(&self) -> Vec<Explanation> {
        let workloads: Vec<Peer> = (0..self.workloads.len()).map(Peer::Workload).collect();
        let mut pairs = Vec::new();
        for &w in &workloads {
            for &other in &workloads {
                if w != other {
                    pairs.push((w, other));
                }
            }
        }
        for (a, b) in self.external_ranges_of(true, false) {
            for &w in &workloads {
                pairs.push((Peer::External(a, b), w));
            }
        }
        for (a, b) in self.external_ranges_of(false, true) {
            for &w in &workloads {
                pairs.push((w, Peer::External(a, b)));
            }
        }
        for (i, &w) in workloads.iter().enumerate() {
            if !self.exposed(i).is_empty() {
                pairs.push((Peer::IngressController, w));
            }
        }
        let mut out: Vec<Explanation> = pairs
            .into_iter()
            .map(|(src, dst)| self.explain(src, dst))
            .collect();
        out.sort_by(|x, y| (&x.src, &x.dst).cmp(&(&y.src, &y.dst)));
        out
    }

    /// What may flow from `src` to `dst`.
    pub fn allowed(&self, src: Peer, dst: Peer) -> ConnSet {
        let egress = match src {
            Peer::Workload(i) => self.direction_allows(i, dst, dst, false),
            Peer::External(..) => ConnSet::all(),
            Peer::IngressController => match dst {
                Peer::Workload(i) => self.exposed(i),
                _ => ConnSet::none(),
            },
        };
        if egress.is_empty() {
            return egress;
        }
        let ingress = match dst {
            Peer::Workload(i) => self.direction_allows(i, src, dst, true),
            Peer::External(..) => ConnSet::all(),
            Peer::IngressController => ConnSet::none(),
        };
        egress.intersection(&ingress)
    }

    /// The name of a peer in connectivity lists.
    pub fn peer_name(&self, peer: Peer) -> String {
        match peer {
            Peer::Workload(i) => self.workloads[i].display(),
            Peer::IngressController => "{ingress-controller}".to_string(),
            Peer::External(a, b) => {
                format!("{}-{}[External]", address_text(a), address_text(b))
            }
        }
    }

    /// Every allowed connection between distinct peers, sorted by text.
    pub fn connectivity(&self) -> Vec<Connection> {
        self.connectivity_where(|_| true)
    }

    /// The connections that allow `port` of `protocol`, sorted by text.
    pub fn permitted_on(&self, protocol: Protocol, port: u32) -> Vec<Connection> {
        self.connectivity_where(|c| c.allows(protocol, port))
    }

    /// Pair by pair through [`Cluster::allowed`]: the reference the fast path is tested against.
    #[cfg(test)]
    fn connectivity_brute(&self, keep: impl Fn(&ConnSet) -> bool) -> Vec<Connection> {
        let sources: Vec<Peer> = self
            .external_ranges_of(true, false)
            .into_iter()
            .map(|(a, b)| Peer::External(a, b))
            .collect();
        let destinations: Vec<Peer> = self
            .external_ranges_of(false, true)
            .into_iter()
            .map(|(a, b)| Peer::External(a, b))
            .collect();
        let workloads: Vec<Peer> = (0..self.workloads.len()).map(Peer::Workload).collect();
        let mut out = Vec::new();
        let mut push = |src: Peer, dst: Peer| {
            let conn = self.allowed(src, dst);
            if !conn.is_empty() && keep(&conn) {
                out.push(Connection {
                    src: self.peer_name(src),
                    dst: self.peer_name(dst),
                    conn: conn.to_string(),
                });
            }
        };
        for &w in &workloads {
            for &e in &sources {
                push(e, w);
            }
            push(Peer::IngressController, w);
            for &e in &destinations {
                push(w, e);
            }
            for &d in &workloads {
                if w != d {
                    push(w, d);
                }
            }
        }
        out.sort();
        out
    }
}

/// The side a direction flag stands for.
fn side_of(ingress: bool) -> Side {
    if ingress { Side::Ingress } else { Side::Egress }
}

/// The connections a list of rule ports names; named ports resolve on `dst`.
fn rule_port_set(ports: &[RulePort], dst: Peer, workloads: &[Workload]) -> ConnSet {
    let mut set = ConnSet::none();
    for p in ports {
        let range = match &p.port {
            None => PortSet::all(),
            Some(PortValue::Number(n)) => PortSet::range(*n, p.end_port.unwrap_or(*n).max(*n)),
            Some(PortValue::Named(name)) => match dst {
                Peer::Workload(i) => workloads[i]
                    .resolve_port(name, p.protocol)
                    .map(|n| PortSet::range(n, n))
                    .unwrap_or_default(),
                Peer::External(..) | Peer::IngressController => PortSet::default(),
            },
        };
        set.union_with(&ConnSet::ports(p.protocol, range));
    }
    set
}

/// The `ports` of an admin policy rule.
fn parse_admin_ports(r: &Node) -> Vec<RulePort> {
    let mut ports = Vec::new();
    for port in r.get("ports").map(Node::items).unwrap_or_default() {
        let protocol_of = |n: &Node| {
            n.get("protocol")
                .and_then(Node::as_str)
                .map_or(Some(Protocol::Tcp), Protocol::parse)
        };
        if let Some(num) = port.get("portNumber") {
            if let (Some(protocol), Some(p)) = (protocol_of(num), num.get("port").and_then(as_port))
            {
                ports.push(RulePort {
                    protocol,
                    port: Some(PortValue::Number(p)),
                    end_port: None,
                });
            }
        } else if let Some(range) = port.get("portRange") {
            if let (Some(protocol), Some(a), Some(b)) = (
                protocol_of(range),
                range.get("start").and_then(as_port),
                range.get("end").and_then(as_port),
            ) {
                ports.push(RulePort {
                    protocol,
                    port: Some(PortValue::Number(a)),
                    end_port: Some(b),
                });
            }
        } else if let Some(named) = port.get("namedPort").and_then(Node::as_str) {
            // A named port carries no protocol: it means the container port of
            // that name, whatever its protocol.
            for protocol in Protocol::ALL {
                ports.push(RulePort {
                    protocol,
                    port: Some(PortValue::Named(named.to_string())),
                    end_port: None,
                });
            }
        }
    }
    ports
}

/// The `protocols` of a ClusterNetworkPolicy rule (`tcp`/`udp`/`sctp` with a destination port
/// number or range, or a destination named port).
fn parse_cluster_protocols(r: &Node) -> Vec<RulePort> {
    let mut ports = Vec::new();
    for entry in r.get("protocols").map(Node::items).unwrap_or_default() {
        if let Some(named) = entry.get("destinationNamedPort").and_then(Node::as_str) {
            // Like the admin API's namedPort: the container port of that name, whatever its
            // protocol.
            for protocol in Protocol::ALL {
                ports.push(RulePort {
                    protocol,
                    port: Some(PortValue::Named(named.to_string())),
                    end_port: None,
                });
            }
            continue;
        }
        for (key, protocol) in [
            ("tcp", Protocol::Tcp),
            ("udp", Protocol::Udp),
            ("sctp", Protocol::Sctp),
        ] {
            let Some(matcher) = entry.get(key) else {
                continue;
            };
            let port = matcher.get("destinationPort");
            let (start, end) = match (
                port.and_then(|p| p.get("number")).and_then(as_port),
                port.and_then(|p| p.get("range")),
            ) {
                (Some(n), _) => (Some(n), None),
                (None, Some(range)) => (
                    range.get("start").and_then(as_port),
                    range.get("end").and_then(as_port),
                ),
                // No port: every port of the protocol.
                (None, None) => (None, None),
            };
            ports.push(RulePort {
                protocol,
                port: start.map(PortValue::Number),
                end_port: end,
            });
        }
    }
    ports
}

fn parse_admin_pods(node: &Node) -> Option<AdminPods> {
    if let Some(ns) = node.get("namespaces") {
        return Some(AdminPods {
            namespaces: Selector::parse(ns),
            pods: None,
        });
    }
    let pods = node.get("pods")?;
    Some(AdminPods {
        namespaces: pods
            .get("namespaceSelector")
            .map(Selector::parse)
            .unwrap_or_default(),
        pods: Some(
            pods.get("podSelector")
                .map(Selector::parse)
                .unwrap_or_default(),
        ),
    })
}

/// Parses a peer given on a command line: a workload name (`ns/name[Kind]` or `ns/name`) or
/// an IPv4 or IPv6 address.
pub fn parse_peer(cluster: &Cluster, text: &str) -> Option<Peer> {
    let ip = match text.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(v4)) => Some(from_v4(v4)),
        Ok(std::net::IpAddr::V6(v6)) => Some(v6.to_ipv4_mapped().map_or(u128::from(v6), from_v4)),
        Err(_) => None,
    };
    if let Some(ip) = ip {
        return cluster
            .external_ranges()
            .into_iter()
            .find(|&(a, b)| a <= ip && ip <= b)
            .map(|(a, b)| Peer::External(a, b));
    }
    cluster.find_workload(text).map(Peer::Workload)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::parse_stream;

    const PODS: &str = "
apiVersion: v1
kind: Namespace
metadata: {name: prod, labels: {env: prod}}
---
apiVersion: v1
kind: Namespace
metadata: {name: dev}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: prod}
spec:
  template:
    metadata: {labels: {app: web, tier: front}}
    spec:
      containers:
      - name: c
        ports:
        - {name: http, containerPort: 8080}
        - {name: dns, containerPort: 53, protocol: UDP}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: prod}
spec:
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: c}]}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: dev, labels: {app: client}}
spec: {containers: [{name: c}]}
";

    fn cluster(policies: &str) -> Cluster {
        let text = format!("{PODS}\n---\n{policies}");
        let stream = parse_stream(&text);
        Cluster::from_roots(stream.documents.iter().map(|d| &d.root))
    }

    fn conn(c: &Cluster, src: &str, dst: &str) -> String {
        let src = parse_peer(c, src).expect("src");
        let dst = parse_peer(c, dst).expect("dst");
        c.allowed(src, dst).to_string()
    }

    #[test]
    fn without_policies_everything_is_allowed() {
        let c = cluster("");
        assert_eq!(conn(&c, "dev/client", "prod/web"), "All Connections");
        assert_eq!(conn(&c, "prod/web", "8.8.8.8"), "All Connections");
    }

    #[test]
    fn policy_types_default_to_ingress_and_to_egress_only_with_egress_rules() {
        // No policyTypes, no rules: ingress isolation only.
        let c = cluster(
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: prod}\nspec: {podSelector: {matchLabels: {app: web}}}",
        );
        assert_eq!(conn(&c, "dev/client", "prod/web"), "No Connections");
        assert_eq!(conn(&c, "prod/web", "dev/client"), "All Connections");
        // Egress rules present: egress isolated too.
        let c = cluster(
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: prod}\nspec:\n  podSelector: {matchLabels: {app: web}}\n  egress: [{ports: [{port: 53, protocol: UDP}]}]",
        );
        assert_eq!(conn(&c, "prod/web", "dev/client"), "UDP 53");
        assert_eq!(conn(&c, "dev/client", "prod/web"), "No Connections");
    }

    #[test]
    fn explicit_egress_only_policy_leaves_ingress_open() {
        let c = cluster(
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: prod}\nspec: {podSelector: {}, policyTypes: [Egress]}",
        );
        assert_eq!(conn(&c, "dev/client", "prod/web"), "All Connections");
        assert_eq!(conn(&c, "prod/web", "prod/db"), "No Connections");
    }

    #[test]
    fn allows_of_several_policies_are_united() {
        let c = cluster(
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a, namespace: prod}\nspec:\n  podSelector: {}\n  ingress: [{ports: [{port: 80}]}]\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: b, namespace: prod}\nspec:\n  podSelector: {matchLabels: {app: web}}\n  ingress: [{ports: [{port: 81, endPort: 90}, {port: 53, protocol: UDP}, {port: 9003, protocol: SCTP}]}]",
        );
        assert_eq!(
            conn(&c, "dev/client", "prod/web"),
            "SCTP 9003,TCP 80-90,UDP 53"
        );
        assert_eq!(conn(&c, "dev/client", "prod/db"), "TCP 80");
    }

    #[test]
    fn both_egress_of_source_and_ingress_of_destination_must_allow() {
        let c = cluster(
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a, namespace: prod}\nspec:\n  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Egress]\n  egress: [{ports: [{port: 80}, {port: 5432}]}]\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: b, namespace: prod}\nspec:\n  podSelector: {matchLabels: {app: db}}\n  ingress: [{ports: [{port: 5432}, {port: 5433}]}]",
        );
        assert_eq!(conn(&c, "prod/web", "prod/db"), "TCP 5432");
    }

    #[test]
    fn selectors_within_a_peer_are_anded_and_peers_ored() {
        let and = cluster(
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a, namespace: prod}\nspec:\n  podSelector: {matchLabels: {app: db}}\n  ingress:\n  - from:\n    - namespaceSelector: {matchLabels: {env: prod}}\n      podSelector: {matchLabels: {app: client}}",
        );
        assert_eq!(conn(&and, "dev/client", "prod/db"), "No Connections");
        assert_eq!(conn(&and, "prod/web", "prod/db"), "No Connections");
        let or = cluster(
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a, namespace: prod}\nspec:\n  podSelector: {matchLabels: {app: db}}\n  ingress:\n  - from:\n    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: dev}}\n    - podSelector: {matchLabels: {app: web}}",
        );
        assert_eq!(conn(&or, "dev/client", "prod/db"), "All Connections");
        assert_eq!(conn(&or, "prod/web", "prod/db"), "All Connections");
    }

    #[test]
    fn pod_selector_alone_means_the_policy_namespace() {
        let c = cluster(
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a, namespace: prod}\nspec:\n  podSelector: {matchLabels: {app: db}}\n  ingress: [{from: [{podSelector: {}}]}]",
        );
        assert_eq!(conn(&c, "prod/web", "prod/db"), "All Connections");
        assert_eq!(conn(&c, "dev/client", "prod/db"), "No Connections");
    }

    #[test]
    fn match_expressions_operators() {
        let labels: Labels = [("app".to_string(), "web".to_string())].into();
        let sel = |yaml: &str| Selector::parse(&parse_stream(yaml).documents[0].root);
        assert!(
            sel("matchExpressions: [{key: app, operator: In, values: [web, db]}]").matches(&labels)
        );
        assert!(
            !sel("matchExpressions: [{key: app, operator: NotIn, values: [web]}]").matches(&labels)
        );
        assert!(
            sel("matchExpressions: [{key: x, operator: NotIn, values: [web]}]").matches(&labels)
        );
        assert!(sel("matchExpressions: [{key: app, operator: Exists}]").matches(&labels));
        assert!(!sel("matchExpressions: [{key: app, operator: DoesNotExist}]").matches(&labels));
        assert!(!sel("matchExpressions: [{key: app, operator: Bogus}]").matches(&labels));
        assert!(sel("{}").matches(&labels));
    }

    #[test]
    fn ip_blocks_with_except_split_external_ranges() {
        let c = cluster(
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a, namespace: prod}\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n  egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}]}]",
        );
        assert_eq!(c.external_ranges().len(), 5);
        assert_eq!(conn(&c, "prod/web", "10.2.3.4"), "All Connections");
        assert_eq!(conn(&c, "prod/web", "10.1.3.4"), "No Connections");
        assert_eq!(conn(&c, "prod/web", "11.0.0.1"), "No Connections");
        assert_eq!(
            c.peer_name(parse_peer(&c, "10.1.0.1").expect("peer")),
            "10.1.0.0-10.1.255.255[External]"
        );
    }

    #[test]
    fn ipv6_ip_blocks_give_ipv6_ranges_apart_from_ipv4() {
        let c = cluster(
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a, namespace: prod}\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n  egress: [{to: [{ipBlock: {cidr: '2001:db8::/32', except: ['2001:db8:1::/48']}}, {ipBlock: {cidr: 10.0.0.0/8}}]}]",
        );
        let names: Vec<String> = c
            .external_ranges()
            .into_iter()
            .map(|(a, b)| c.peer_name(Peer::External(a, b)))
            .collect();
        assert!(
            names.contains(&"2001:db8::-2001:db8:0:ffff:ffff:ffff:ffff:ffff[External]".to_string()),
            "{names:?}"
        );
        assert!(
            names.contains(
                &"2001:db8:1::-2001:db8:1:ffff:ffff:ffff:ffff:ffff[External]".to_string()
            )
        );
        assert!(names.contains(&"::-::fffe:ffff:ffff[External]".to_string()));
        assert!(names.contains(&"0.0.0.0-9.255.255.255[External]".to_string()));
        assert_eq!(conn(&c, "prod/web", "2001:db8::1"), "All Connections");
        assert_eq!(conn(&c, "prod/web", "2001:db8:2::1"), "All Connections");
        assert_eq!(conn(&c, "prod/web", "2001:db8:1::1"), "No Connections");
        assert_eq!(conn(&c, "prod/web", "2001:db9::1"), "No Connections");
        assert_eq!(conn(&c, "prod/web", "10.0.0.1"), "All Connections");
        assert_eq!(conn(&c, "prod/web", "::ffff:10.0.0.1"), "All Connections");
        assert_eq!(conn(&c, "prod/web", "11.0.0.1"), "No Connections");
    }

    #[test]
    fn ipv6_any_admits_no_ipv4_and_ipv4_only_policies_list_no_ipv6() {
        let c = cluster(
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a, namespace: prod}\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n  egress: [{to: [{ipBlock: {cidr: '::/0'}}]}]",
        );
        assert_eq!(conn(&c, "prod/web", "1.2.3.4"), "No Connections");
        assert_eq!(conn(&c, "prod/web", "fe80::1"), "All Connections");
        assert_eq!(
            conn(&c, "prod/web", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
            "All Connections"
        );
        let v4_only = cluster(
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a, namespace: prod}\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n  egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0}}]}]",
        );
        assert_eq!(
            v4_only
                .external_ranges()
                .into_iter()
                .map(|(a, b)| v4_only.peer_name(Peer::External(a, b)))
                .collect::<Vec<_>>(),
            ["0.0.0.0-255.255.255.255[External]"]
        );
        assert!(parse_peer(&v4_only, "2001:db8::1").is_none());
    }

    #[test]
    fn named_ports_resolve_on_the_destination() {
        let c = cluster(
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a, namespace: prod}\nspec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n  ingress: [{ports: [{port: http}, {port: dns, protocol: UDP}]}]\n  egress: [{ports: [{port: http}]}]",
        );
        assert_eq!(conn(&c, "dev/client", "prod/web"), "TCP 8080,UDP 53");
        assert_eq!(conn(&c, "dev/client", "prod/db"), "No Connections");
        // Egress with a named port reaches only destinations exposing that name.
        assert_eq!(conn(&c, "prod/db", "prod/web"), "TCP 8080");
        assert_eq!(conn(&c, "prod/web", "dev/client"), "No Connections");
    }

    #[test]
    fn pods_collapse_to_their_owner() {
        let stream = parse_stream(
            "apiVersion: v1\nkind: PodList\nitems:\n- metadata:\n    name: a-1\n    namespace: ns\n    ownerReferences: [{kind: ReplicaSet, name: a-5d, controller: true}]\n- metadata:\n    name: a-2\n    namespace: ns\n    ownerReferences: [{kind: ReplicaSet, name: a-5d, controller: true}]\n- metadata:\n    name: etcd\n    namespace: kube-system\n    ownerReferences: [{kind: Node, name: n1, controller: true}]",
        );
        let c = Cluster::from_roots(stream.documents.iter().map(|d| &d.root));
        let names: Vec<String> = c.workloads().iter().map(Workload::display).collect();
        assert_eq!(names, ["kube-system/etcd[Pod]", "ns/a-5d[ReplicaSet]"]);
    }

    const ANP: &str = "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy";
    const BANP: &str =
        "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy";

    #[test]
    fn admin_policies_apply_by_priority_and_rule_order() {
        let c = cluster(&format!(
            "{ANP}\nmetadata: {{name: low}}\nspec:\n  priority: 20\n  subject: {{namespaces: {{}}}}\n  ingress: [{{action: Allow, from: [{{namespaces: {{}}}}]}}]\n---\n{ANP}\nmetadata: {{name: high}}\nspec:\n  priority: 10\n  subject: {{namespaces: {{matchLabels: {{env: prod}}}}}}\n  ingress:\n  - {{action: Deny, from: [{{namespaces: {{}}}}], ports: [{{portNumber: {{protocol: TCP, port: 22}}}}]}}\n  - {{action: Allow, from: [{{namespaces: {{}}}}], ports: [{{portRange: {{protocol: TCP, start: 20, end: 30}}}}]}}"
        ));
        let got = c.allowed(
            parse_peer(&c, "dev/client").expect("src"),
            parse_peer(&c, "prod/web").expect("dst"),
        );
        assert!(!got.allows(Protocol::Tcp, 22));
        assert!(got.allows(Protocol::Tcp, 23));
        assert!(got.allows(Protocol::Udp, 22));
    }

    #[test]
    fn admin_allow_overrides_network_policies_and_deny_overrides_everything() {
        let c = cluster(&format!(
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: deny, namespace: prod}}\nspec: {{podSelector: {{}}}}\n---\n{ANP}\nmetadata: {{name: a}}\nspec:\n  priority: 1\n  subject: {{pods: {{namespaceSelector: {{}}, podSelector: {{matchLabels: {{app: web}}}}}}}}\n  ingress: [{{action: Allow, from: [{{pods: {{namespaceSelector: {{}}, podSelector: {{matchLabels: {{app: client}}}}}}}}]}}]\n  egress: [{{action: Deny, to: [{{networks: [8.8.8.0/24]}}]}}]"
        ));
        assert_eq!(conn(&c, "dev/client", "prod/web"), "All Connections");
        assert_eq!(conn(&c, "dev/client", "prod/db"), "No Connections");
        assert_eq!(conn(&c, "prod/web", "8.8.8.8"), "No Connections");
        assert_eq!(conn(&c, "prod/web", "8.8.9.8"), "All Connections");
    }

    #[test]
    fn pass_defers_to_network_policies_then_the_baseline() {
        let c = cluster(&format!(
            "{ANP}\nmetadata: {{name: p}}\nspec:\n  priority: 1\n  subject: {{namespaces: {{}}}}\n  ingress: [{{action: Pass, from: [{{namespaces: {{}}}}]}}]\n---\n{BANP}\nmetadata: {{name: default}}\nspec:\n  subject: {{namespaces: {{}}}}\n  ingress: [{{action: Deny, from: [{{namespaces: {{matchLabels: {{kubernetes.io/metadata.name: dev}}}}}}]}}]\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: np, namespace: prod}}\nspec:\n  podSelector: {{matchLabels: {{app: db}}}}\n  ingress: [{{ports: [{{port: 5432}}]}}]"
        ));
        // db is isolated by a NetworkPolicy: the baseline is not consulted.
        assert_eq!(conn(&c, "dev/client", "prod/db"), "TCP 5432");
        // web is not: the baseline denies dev.
        assert_eq!(conn(&c, "dev/client", "prod/web"), "No Connections");
        assert_eq!(conn(&c, "prod/db", "prod/web"), "All Connections");
    }

    #[test]
    fn admin_named_ports_resolve_on_the_destination_for_any_protocol() {
        let c = cluster(&format!(
            "{BANP}\nmetadata: {{name: default}}\nspec:\n  subject: {{namespaces: {{}}}}\n  ingress:\n  - {{action: Allow, from: [{{namespaces: {{}}}}], ports: [{{namedPort: dns}}]}}\n  - {{action: Deny, from: [{{namespaces: {{}}}}]}}"
        ));
        assert_eq!(conn(&c, "dev/client", "prod/web"), "UDP 53");
        assert_eq!(conn(&c, "dev/client", "prod/db"), "No Connections");
    }

    const CNP: &str = "apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy";

    #[test]
    fn cluster_network_policies_admin_tier_decides_before_network_policies() {
        let c = cluster(&format!(
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: deny, namespace: prod}}\nspec: {{podSelector: {{}}}}\n---\n{CNP}\nmetadata: {{name: a}}\nspec:\n  tier: Admin\n  priority: 5\n  subject: {{namespaces: {{matchLabels: {{env: prod}}}}}}\n  ingress:\n  - {{action: Deny, from: [{{namespaces: {{}}}}], protocols: [{{tcp: {{destinationPort: {{number: 22}}}}}}]}}\n  - {{action: Accept, from: [{{namespaces: {{}}}}], protocols: [{{tcp: {{destinationPort: {{range: {{start: 20, end: 30}}}}}}}}, {{destinationNamedPort: dns}}]}}"
        ));
        assert!(c.errors.is_empty(), "{:?}", c.errors);
        assert_eq!(conn(&c, "dev/client", "prod/web"), "TCP 20-21,23-30,UDP 53");
        assert_eq!(conn(&c, "dev/client", "prod/db"), "TCP 20-21,23-30");
    }

    #[test]
    fn cluster_network_policies_baseline_tier_by_priority_with_pass_to_the_default() {
        let c = cluster(&format!(
            "{CNP}\nmetadata: {{name: b1}}\nspec:\n  tier: Baseline\n  priority: 1\n  subject: {{namespaces: {{}}}}\n  ingress: [{{action: Pass, from: [{{pods: {{namespaceSelector: {{}}, podSelector: {{matchLabels: {{app: client}}}}}}}}]}}]\n---\n{CNP}\nmetadata: {{name: b2}}\nspec:\n  tier: Baseline\n  priority: 2\n  subject: {{namespaces: {{}}}}\n  ingress: [{{action: Deny, from: [{{namespaces: {{}}}}]}}]\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: np, namespace: prod}}\nspec:\n  podSelector: {{matchLabels: {{app: db}}}}\n  ingress: [{{ports: [{{port: 5432}}]}}]"
        ));
        assert!(c.errors.is_empty(), "{:?}", c.errors);
        // Passed by the first baseline policy: the cluster default allows it.
        assert_eq!(conn(&c, "dev/client", "prod/web"), "All Connections");
        // Denied by the second.
        assert_eq!(conn(&c, "prod/db", "prod/web"), "No Connections");
        // A NetworkPolicy isolates db: the baseline tier is not consulted.
        assert_eq!(conn(&c, "prod/web", "prod/db"), "TCP 5432");
        assert_eq!(c.connectivity(), c.connectivity_brute(|_| true));
    }

    #[test]
    fn cluster_network_policies_are_validated() {
        let c = cluster(&format!(
            "{CNP}\nmetadata: {{name: x}}\nspec:\n  tier: Admin\n  priority: 3\n  subject: {{namespaces: {{}}}}\n  ingress: [{{action: Allow, from: [{{namespaces: {{}}}}]}}]\n---\n{CNP}\nmetadata: {{name: y}}\nspec:\n  tier: Admin\n  priority: 3\n  subject: {{namespaces: {{}}}}\n  egress: [{{action: Deny, to: [{{networks: [10.0.0.0/33]}}]}}]\n---\n{CNP}\nmetadata: {{name: z}}\nspec:\n  tier: Admin\n  priority: 4\n  subject: {{namespaces: {{}}}}\n  egress: [{{action: Deny, to: [{{domainNames: [example.com]}}]}}]\n---\napiVersion: crd.antrea.io/v1beta1\nkind: ClusterNetworkPolicy\nmetadata: {{name: other-schema}}\nspec: {{priority: 1}}"
        ));
        let all = c.errors.join("\n");
        assert!(
            all.contains("action must be one of Accept, Deny, Pass"),
            "{all}"
        );
        assert!(all.contains("invalid network `10.0.0.0/33`"), "{all}");
        assert!(all.contains("priority 3 is also that of x"), "{all}");
        assert!(
            all.contains("domainNames peers are only allowed in Accept rules"),
            "{all}"
        );
        assert!(!all.contains("other-schema"), "{all}");
    }

    #[test]
    fn ingress_controller_reaches_what_ingresses_and_routes_expose() {
        let c = cluster(
            "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: prod}\nspec:\n  selector: {app: web}\n  ports: [{name: http, port: 80, targetPort: http}, {port: 9090}]\n---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i, namespace: prod}\nspec:\n  rules: [{http: {paths: [{path: /, backend: {service: {name: web, port: {number: 80}}}}]}}]\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np, namespace: prod}\nspec:\n  podSelector: {}\n  ingress: [{from: [{namespaceSelector: {}}]}]",
        );
        let web = parse_peer(&c, "prod/web").expect("web");
        let db = parse_peer(&c, "prod/db").expect("db");
        assert_eq!(
            c.allowed(Peer::IngressController, web).to_string(),
            "TCP 8080"
        );
        assert!(c.allowed(Peer::IngressController, db).is_empty());
        // A policy admitting only labelled pods does not admit the unknown controller.
        let c = cluster(
            "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: prod}\nspec: {selector: {app: web}, ports: [{port: 9090}]}\n---\napiVersion: route.openshift.io/v1\nkind: Route\nmetadata: {name: r, namespace: prod}\nspec: {to: {kind: Service, name: web}}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np, namespace: prod}\nspec:\n  podSelector: {}\n  ingress: [{from: [{podSelector: {matchLabels: {app: x}}}]}]",
        );
        let web = parse_peer(&c, "prod/web").expect("web");
        assert!(c.allowed(Peer::IngressController, web).is_empty());
    }

    #[test]
    fn explain_names_the_deciding_rules_and_the_blocking_side() {
        let c = cluster(&format!(
            "{ANP}\nmetadata: {{name: block-ssh}}\nspec:\n  priority: 1\n  subject: {{namespaces: {{}}}}\n  ingress: [{{name: no-ssh, action: Deny, from: [{{namespaces: {{}}}}], ports: [{{portNumber: {{protocol: TCP, port: 22}}}}]}}]\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: db, namespace: prod}}\nspec:\n  podSelector: {{matchLabels: {{app: db}}}}\n  ingress: [{{from: [{{podSelector: {{matchLabels: {{app: web}}}}}}], ports: [{{port: 5432}}]}}]"
        ));
        let e = c.explain(
            parse_peer(&c, "prod/web").expect("web"),
            parse_peer(&c, "prod/db").expect("db"),
        );
        assert_eq!(e.allowed.to_string(), "TCP 5432");
        assert!(e.egress.is_all());
        let ingress: Vec<(&Decider, Verdict, String)> = e
            .side(Side::Ingress)
            .map(|r| (&r.decider, r.verdict, r.conn.to_string()))
            .collect();
        let admin = Decider::AdminRule {
            kind: "AdminNetworkPolicy",
            tier: AdminTier::Admin,
            policy: "block-ssh".into(),
            rule: 0,
            rule_name: "no-ssh".into(),
        };
        let rule = Decider::PolicyRule {
            policy: "prod/db".into(),
            rule: 0,
        };
        let denies = Decider::PolicyDenies {
            policy: "prod/db".into(),
            denial: Denial::PortsDoNotMatch(vec![0]),
        };
        assert_eq!(
            ingress,
            [
                (&admin, Verdict::Denies, "TCP 22".to_string()),
                (&rule, Verdict::Allows, "TCP 5432".to_string()),
                (
                    &denies,
                    Verdict::Denies,
                    "SCTP 1-65535,TCP 1-21,23-5431,5433-65535,UDP 1-65535".to_string()
                ),
            ]
        );
        let e = c.explain(
            parse_peer(&c, "dev/client").expect("client"),
            parse_peer(&c, "prod/db").expect("db"),
        );
        assert!(e.allowed.is_empty());
        let denial = e.side(Side::Ingress).nth(1).map(|r| &r.decider);
        assert_eq!(
            denial,
            Some(&Decider::PolicyDenies {
                policy: "prod/db".into(),
                denial: Denial::NoRuleSelectsPeer,
            })
        );
        let egress: Vec<&Reason> = e.side(Side::Egress).collect();
        assert!(egress.len() == 1 && egress[0].decider == Decider::Default);
    }

    #[test]
    fn indexed_connectivity_equals_pair_by_pair_evaluation() {
        let cases = [
            String::new(),
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a, namespace: prod}\nspec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n  ingress: [{ports: [{port: http}, {port: dns, protocol: UDP}]}]\n  egress: [{ports: [{port: http}]}, {to: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}]}]".to_string(),
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a, namespace: prod}\nspec:\n  podSelector: {matchLabels: {app: db}}\n  ingress:\n  - from:\n    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: dev}}\n    - podSelector: {matchLabels: {app: web}}\n  egress: [{to: [{podSelector: {}}], ports: [{port: http}]}]".to_string(),
            format!("{ANP}\nmetadata: {{name: p}}\nspec:\n  priority: 1\n  subject: {{namespaces: {{}}}}\n  ingress: [{{action: Pass, from: [{{namespaces: {{}}}}], ports: [{{namedPort: http}}]}}]\n  egress: [{{action: Deny, to: [{{pods: {{namespaceSelector: {{}}, podSelector: {{matchLabels: {{app: db}}}}}}}}]}}]\n---\n{BANP}\nmetadata: {{name: default}}\nspec:\n  subject: {{namespaces: {{}}}}\n  ingress: [{{action: Deny, from: [{{namespaces: {{matchLabels: {{kubernetes.io/metadata.name: dev}}}}}}]}}]\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: np, namespace: prod}}\nspec:\n  podSelector: {{matchLabels: {{app: db}}}}\n  ingress: [{{ports: [{{port: 5432}}]}}]"),
        ];
        for case in &cases {
            let c = cluster(case);
            assert_eq!(c.connectivity(), c.connectivity_brute(|_| true), "{case}");
        }
    }

    #[test]
    fn connectivity_lists_every_pair_but_self() {
        let c = cluster(
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a, namespace: prod}\nspec: {podSelector: {}}",
        );
        let lines: Vec<String> = c
            .connectivity()
            .into_iter()
            .map(|c| format!("{} => {} : {}", c.src, c.dst, c.conn))
            .collect();
        assert_eq!(
            lines,
            [
                "0.0.0.0-255.255.255.255[External] => dev/client[Pod] : All Connections",
                "dev/client[Pod] => 0.0.0.0-255.255.255.255[External] : All Connections",
                "prod/db[Deployment] => 0.0.0.0-255.255.255.255[External] : All Connections",
                "prod/db[Deployment] => dev/client[Pod] : All Connections",
                "prod/web[Deployment] => 0.0.0.0-255.255.255.255[External] : All Connections",
                "prod/web[Deployment] => dev/client[Pod] : All Connections",
            ]
        );
    }
}
