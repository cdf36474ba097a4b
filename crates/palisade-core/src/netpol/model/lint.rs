//! NetworkPolicy lint: mistakes in policies judged with the engine's semantics over the
//! objects of an inventory (the PAL-6xx checks report what this finds).
//!
//! Findings point at the policy, rule, peer or port they are about. Judgements that depend
//! on which pods exist ("selects no pod", "never matches") are made only about namespaces
//! that have workloads in the input, since a partial input cannot show what is missing.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{Cluster, Labels, Protocol, Selector, Workload, labels_of};
use crate::document::{Node, Pos, Value};
use crate::inventory::{Inventory, ObjectId};
use crate::object::Object;
use crate::workload::pod_specs;

/// What a lint finding is about; each PAL-6xx check asks for one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lint {
    /// A namespace with policies, none of which isolates all its pods for ingress.
    NoDefaultDenyIngress,
    /// The same for egress.
    NoDefaultDenyEgress,
    /// A workload no policy selects, in a namespace that has policies.
    UnselectedWorkload,
    /// A policy whose pod selector matches no workload of its namespace.
    PolicySelectsNothing,
    /// A peer or named port that can never match.
    RuleNeverMatches,
    /// A policy without `policyTypes` that has only egress rules, so isolates ingress too.
    ImplicitIngressIsolation,
    /// Rules of a direction that `policyTypes` leaves out, so are ignored.
    IgnoredRules,
    /// A peer open to every namespace or every address, on a sensitive workload.
    BroadPeerOnSensitiveWorkload,
    /// A rule that another rule for the same pods already covers.
    RedundantRule,
}

/// One lint finding.
#[derive(Debug, Clone)]
pub struct LintFinding {
    /// The object it is about.
    pub object: ObjectId,
    /// The object's file.
    pub file: Arc<str>,
    /// Where it points.
    pub pos: Pos,
    /// The field path in the object.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

/// A NetworkPolicy object, read for lint with positions.
struct PolicyObject<'a> {
    id: ObjectId,
    object: &'a Object,
    namespace: String,
    name: String,
    spec: &'a Node,
    selector: Selector,
    isolates_ingress: bool,
    isolates_egress: bool,
    policy_types_given: bool,
}

impl PolicyObject<'_> {
    fn rules(&self, ingress: bool) -> &[Node] {
        self.spec
            .get(if ingress { "ingress" } else { "egress" })
            .map(Node::items)
            .unwrap_or_default()
    }

    fn finding(&self, pos: Pos, path: impl Into<String>, message: String) -> LintFinding {
        LintFinding {
            object: self.id,
            file: self.object.source.file.clone(),
            pos,
            path: path.into(),
            message,
        }
    }

    fn label(&self) -> String {
        format!("NetworkPolicy {}/{}", self.namespace, self.name)
    }
}

fn namespace_of(object: &Object) -> String {
    object
        .namespace
        .as_deref()
        .filter(|n| !n.is_empty())
        .unwrap_or("default")
        .to_string()
}

fn read_policies(inventory: &Inventory) -> Vec<PolicyObject<'_>> {
    inventory
        .of_kind("NetworkPolicy")
        .filter(|(_, o)| o.group() == "networking.k8s.io")
        .filter_map(|(id, object)| {
            let spec = object.root.get("spec")?;
            let has_egress_rules = spec.get("egress").is_some_and(|e| !e.items().is_empty());
            let types = spec
                .get("policyTypes")
                .filter(|t| matches!(t.value, Value::Seq(_)));
            let (isolates_ingress, isolates_egress) = match types {
                Some(t) => {
                    let has = |name: &str| t.items().iter().any(|n| n.as_str() == Some(name));
                    (has("Ingress"), has("Egress"))
                }
                None => (true, has_egress_rules),
            };
            Some(PolicyObject {
                id,
                object,
                namespace: namespace_of(object),
                name: object.name.to_string(),
                spec,
                selector: spec
                    .get("podSelector")
                    .map(Selector::parse)
                    .unwrap_or_default(),
                isolates_ingress,
                isolates_egress,
                policy_types_given: types.is_some(),
            })
        })
        .collect()
}

/// The position a finding about `key` of `node` should point at: the key's line.
fn key_pos(node: &Node, key: &str) -> Pos {
    node.entry(key).map_or(node.pos, |e| e.key_pos)
}

/// Why a pod template counts as sensitive: it holds secrets or host-level privilege, so a
/// connection to or from it is worth more to an attacker than one to an ordinary pod.
fn sensitivity(object: &Object) -> Option<String> {
    for pod in pod_specs(object) {
        for v in pod.volumes() {
            if let Some(name) = v.path(&["secret", "secretName"]).and_then(Node::as_str) {
                return Some(format!("mounts Secret {name}"));
            }
            if v.get("hostPath").is_some() {
                return Some("mounts a hostPath volume".to_string());
            }
        }
        for key in ["hostNetwork", "hostPID"] {
            if pod.get(key).and_then(Node::as_bool) == Some(true) {
                return Some(format!("sets {key}"));
            }
        }
        for c in pod.containers() {
            if c.security_context()
                .and_then(|s| s.get("privileged"))
                .and_then(Node::as_bool)
                == Some(true)
            {
                return Some(format!("runs {} privileged", c.describe()));
            }
            let env_secret = c
                .get("env")
                .map(Node::items)
                .unwrap_or_default()
                .iter()
                .any(|e| e.path(&["valueFrom", "secretKeyRef"]).is_some())
                || c.get("envFrom")
                    .map(Node::items)
                    .unwrap_or_default()
                    .iter()
                    .any(|e| e.get("secretRef").is_some());
            if env_secret {
                return Some(format!(
                    "reads a Secret into the environment of {}",
                    c.describe()
                ));
            }
        }
    }
    None
}

/// What a rule peer admits, structurally.
#[derive(Debug, Clone, PartialEq)]
enum PeerShape {
    /// Pods: namespace selector (None: the policy's namespace) and pod selector, as JSON.
    Pods(Option<serde_json::Value>, Option<serde_json::Value>),
    /// An address block: IPv4 or IPv6 prefix, as (family bits, address bits, prefix length),
    /// with its exceptions.
    Block(Option<(u32, u128, u32)>, Vec<serde_json::Value>),
}

fn parse_prefix(text: &str) -> Option<(u32, u128, u32)> {
    let (addr, len) = text.trim().split_once('/')?;
    let len: u32 = len.parse().ok()?;
    if let Ok(v4) = addr.parse::<std::net::Ipv4Addr>() {
        return (len <= 32).then(|| (32, u128::from(u32::from(v4)), len));
    }
    let v6: std::net::Ipv6Addr = addr.parse().ok()?;
    (len <= 128).then(|| (128, u128::from(v6), len))
}

fn peer_shape(peer: &Node) -> PeerShape {
    if let Some(block) = peer.get("ipBlock") {
        let cidr = block
            .get("cidr")
            .and_then(Node::as_str)
            .and_then(parse_prefix);
        let except = block
            .get("except")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .map(Node::to_json)
            .collect();
        return PeerShape::Block(cidr, except);
    }
    let normal = |n: &Node| {
        let sel = Selector::parse(n);
        (!sel.matches_everything()).then(|| n.to_json())
    };
    let namespaces = peer
        .get("namespaceSelector")
        .map(|n| normal(n).unwrap_or(serde_json::Value::Null));
    PeerShape::Pods(namespaces, peer.get("podSelector").and_then(normal))
}

/// True when every address or pod `b` admits, `a` admits too (judged on the text alone).
fn peer_covers(a: &PeerShape, b: &PeerShape) -> bool {
    match (a, b) {
        (PeerShape::Pods(Some(serde_json::Value::Null), None), PeerShape::Pods(..)) => true,
        (PeerShape::Pods(an, ap), PeerShape::Pods(bn, bp)) => {
            an == bn && (ap.is_none() || ap == bp)
        }
        (PeerShape::Block(Some((fa, na, la)), ea), PeerShape::Block(Some((fb, nb, lb)), eb)) => {
            let within = fa == fb && la <= lb && {
                let shift = fa - la;
                let mask = if shift >= 128 { 0 } else { u128::MAX << shift };
                na & mask == nb & mask
            };
            within && (ea.is_empty() || ea == eb)
        }
        _ => false,
    }
}

/// A rule port, structurally: protocol and a numeric range or a name.
#[derive(Debug, Clone, PartialEq)]
enum PortShape {
    Range(String, u32, u32),
    Named(String, String),
    AllOf(String),
}

fn port_shape(p: &Node) -> PortShape {
    let protocol = p
        .get("protocol")
        .and_then(Node::as_str)
        .unwrap_or("TCP")
        .to_string();
    match p.get("port") {
        None => PortShape::AllOf(protocol),
        Some(n) => match (n.as_i64(), n.as_str()) {
            (Some(port), _) => {
                let port = u32::try_from(port).unwrap_or(0);
                let end = p
                    .get("endPort")
                    .and_then(Node::as_i64)
                    .and_then(|e| u32::try_from(e).ok())
                    .unwrap_or(port);
                PortShape::Range(protocol, port, end)
            }
            (None, Some(name)) => PortShape::Named(protocol, name.to_string()),
            _ => PortShape::AllOf(protocol),
        },
    }
}

fn port_covers(a: &PortShape, b: &PortShape) -> bool {
    match (a, b) {
        (
            PortShape::AllOf(pa),
            PortShape::AllOf(pb) | PortShape::Range(pb, ..) | PortShape::Named(pb, _),
        ) => pa == pb,
        (PortShape::Range(pa, a1, a2), PortShape::Range(pb, b1, b2)) => {
            pa == pb && a1 <= b1 && b2 <= a2
        }
        (PortShape::Named(pa, na), PortShape::Named(pb, nb)) => pa == pb && na == nb,
        _ => false,
    }
}

/// True when rule `a` admits everything rule `b` admits (peers and ports).
fn rule_covers(a: &Node, b: &Node, peers_key: &str) -> bool {
    let peers = |r: &Node| -> Option<Vec<PeerShape>> {
        r.get(peers_key)
            .map(Node::items)
            .filter(|p| !p.is_empty())
            .map(|p| p.iter().map(peer_shape).collect())
    };
    let ports = |r: &Node| -> Option<Vec<PortShape>> {
        r.get("ports")
            .map(Node::items)
            .filter(|p| !p.is_empty())
            .map(|p| p.iter().map(port_shape).collect())
    };
    let peers_ok = match (peers(a), peers(b)) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(pa), Some(pb)) => pb.iter().all(|q| pa.iter().any(|p| peer_covers(p, q))),
    };
    let ports_ok = match (ports(a), ports(b)) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(pa), Some(pb)) => pb.iter().all(|q| pa.iter().any(|p| port_covers(p, q))),
    };
    peers_ok && ports_ok
}

/// Lint over `inventory`, for one kind of finding.
pub fn lint(inventory: &Inventory, which: Lint) -> Vec<LintFinding> {
    let policies = read_policies(inventory);
    if policies.is_empty() {
        return Vec::new();
    }
    let cluster = inventory.netpol();
    let mut with_workloads: BTreeMap<&str, Vec<&Workload>> = BTreeMap::new();
    for w in &cluster.workloads {
        with_workloads
            .entry(w.namespace.as_str())
            .or_default()
            .push(w);
    }
    let ctx = Context {
        inventory,
        cluster,
        policies: &policies,
        with_workloads: &with_workloads,
    };
    match which {
        Lint::NoDefaultDenyIngress => ctx.default_deny(true),
        Lint::NoDefaultDenyEgress => ctx.default_deny(false),
        Lint::UnselectedWorkload => ctx.unselected_workloads(),
        Lint::PolicySelectsNothing => ctx.selects_nothing(),
        Lint::RuleNeverMatches => ctx.never_matches(),
        Lint::ImplicitIngressIsolation => ctx.implicit_ingress(),
        Lint::IgnoredRules => ctx.ignored_rules(),
        Lint::BroadPeerOnSensitiveWorkload => ctx.broad_peers(),
        Lint::RedundantRule => ctx.redundant_rules(),
    }
}

struct Context<'a> {
    inventory: &'a Inventory,
    cluster: &'a Cluster,
    policies: &'a [PolicyObject<'a>],
    with_workloads: &'a BTreeMap<&'a str, Vec<&'a Workload>>,
}

impl Context<'_> {
    fn workloads_in(&self, namespace: &str) -> &[&Workload] {
        self.with_workloads
            .get(namespace)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    fn selected(&self, p: &PolicyObject<'_>) -> Vec<&Workload> {
        self.workloads_in(&p.namespace)
            .iter()
            .copied()
            .filter(|w| p.selector.matches(&w.labels))
            .collect()
    }

    fn default_deny(&self, ingress: bool) -> Vec<LintFinding> {
        let mut by_namespace: BTreeMap<&str, Vec<&PolicyObject<'_>>> = BTreeMap::new();
        for p in self.policies {
            by_namespace
                .entry(p.namespace.as_str())
                .or_default()
                .push(p);
        }
        let direction = if ingress { "ingress" } else { "egress" };
        let mut out = Vec::new();
        for (ns, policies) in by_namespace {
            if self.workloads_in(ns).is_empty() {
                continue;
            }
            let covered = policies.iter().any(|p| {
                p.selector.matches_everything()
                    && if ingress {
                        p.isolates_ingress
                    } else {
                        p.isolates_egress
                    }
            });
            if covered {
                continue;
            }
            let message = format!(
                "namespace {ns} has NetworkPolicies but none selects every pod for {direction}: a pod no policy selects, or one added later, accepts {} connection",
                if ingress {
                    "any incoming"
                } else {
                    "any outgoing"
                }
            );
            let declared = self
                .inventory
                .of_kind("Namespace")
                .find(|(_, o)| &*o.name == ns);
            out.push(match declared {
                Some((id, o)) => LintFinding {
                    object: id,
                    file: o.source.file.clone(),
                    pos: o.pos(),
                    path: String::new(),
                    message,
                },
                None => policies[0].finding(policies[0].object.pos(), "", message),
            });
        }
        out
    }

    fn unselected_workloads(&self) -> Vec<LintFinding> {
        let mut by_namespace: BTreeMap<&str, Vec<&PolicyObject<'_>>> = BTreeMap::new();
        for p in self.policies {
            by_namespace
                .entry(p.namespace.as_str())
                .or_default()
                .push(p);
        }
        let mut out = Vec::new();
        for (id, object) in self.inventory.iter() {
            let ns = namespace_of(object);
            let Some(policies) = by_namespace.get(ns.as_str()) else {
                continue;
            };
            for pod in pod_specs(object) {
                let labels: Labels = labels_of(pod.metadata);
                let selected = policies.iter().any(|p| {
                    (p.isolates_ingress || p.isolates_egress) && p.selector.matches(&labels)
                });
                if !selected {
                    out.push(LintFinding {
                        object: id,
                        file: object.source.file.clone(),
                        pos: object.pos(),
                        path: String::new(),
                        message: format!(
                            "{} {ns}/{} is selected by no NetworkPolicy of its namespace: all its traffic is allowed",
                            object.kind, object.name
                        ),
                    });
                }
            }
        }
        out
    }

    fn selects_nothing(&self) -> Vec<LintFinding> {
        self.policies
            .iter()
            .filter(|p| !self.workloads_in(&p.namespace).is_empty() && self.selected(p).is_empty())
            .map(|p| {
                p.finding(
                    key_pos(p.spec, "podSelector"),
                    "spec.podSelector",
                    format!(
                        "{}: the pod selector matches none of the {} workload(s) of namespace {}",
                        p.label(),
                        self.workloads_in(&p.namespace).len(),
                        p.namespace
                    ),
                )
            })
            .collect()
    }

    /// The workloads a pod peer matches, or `None` when the input cannot tell (no namespace
    /// it may match has workloads in the input).
    fn peer_workloads(&self, p: &PolicyObject<'_>, peer: &Node) -> Option<Vec<&Workload>> {
        let pods = peer.get("podSelector").map(Selector::parse);
        let namespaces: Vec<&str> = match peer.get("namespaceSelector").map(Selector::parse) {
            None => vec![p.namespace.as_str()],
            Some(sel) => self
                .cluster
                .namespaces
                .iter()
                .filter(|(_, labels)| sel.matches(labels))
                .map(|(ns, _)| ns.as_str())
                .collect(),
        };
        let known: Vec<&str> = namespaces
            .into_iter()
            .filter(|ns| !self.workloads_in(ns).is_empty())
            .collect();
        if known.is_empty() {
            return None;
        }
        Some(
            known
                .iter()
                .flat_map(|ns| self.workloads_in(ns).iter().copied())
                .filter(|w| pods.as_ref().is_none_or(|s| s.matches(&w.labels)))
                .collect(),
        )
    }

    fn never_matches(&self) -> Vec<LintFinding> {
        let mut out = Vec::new();
        for p in self.policies {
            for ingress in [true, false] {
                let (key, peers_key) = if ingress {
                    ("ingress", "from")
                } else {
                    ("egress", "to")
                };
                for (i, rule) in p.rules(ingress).iter().enumerate() {
                    let peers = rule.get(peers_key).map(Node::items).unwrap_or_default();
                    let mut reachable: Option<Vec<&Workload>> = None;
                    let mut unknown = false;
                    for (j, peer) in peers.iter().enumerate() {
                        if peer.get("ipBlock").is_some() {
                            unknown = true;
                            continue;
                        }
                        let invalid = ["namespaceSelector", "podSelector"]
                            .iter()
                            .any(|k| peer.get(k).is_some_and(|s| Selector::parse(s).invalid));
                        let matched = if invalid {
                            Some(Vec::new())
                        } else {
                            self.peer_workloads(p, peer)
                        };
                        match matched {
                            Some(ws) if ws.is_empty() => out.push(p.finding(
                                peer.pos,
                                format!("spec.{key}[{i}].{peers_key}[{j}]"),
                                format!(
                                    "{}: {key} rule #{} has a peer that matches no workload in the given manifests",
                                    p.label(),
                                    i + 1
                                ),
                            )),
                            Some(ws) => reachable.get_or_insert_with(Vec::new).extend(ws),
                            None => unknown = true,
                        }
                    }
                    // Named ports resolve on the destination: the selected pods for ingress,
                    // the peers for egress.
                    let destinations: Option<Vec<&Workload>> = if ingress {
                        Some(self.selected(p)).filter(|s| !s.is_empty())
                    } else if peers.is_empty() {
                        Some(self.cluster.workloads.iter().collect())
                    } else if unknown {
                        None
                    } else {
                        reachable
                    };
                    let Some(destinations) = destinations.filter(|d| !d.is_empty()) else {
                        continue;
                    };
                    for (j, port) in rule
                        .get("ports")
                        .map(Node::items)
                        .unwrap_or_default()
                        .iter()
                        .enumerate()
                    {
                        let Some(name) = port.get("port").and_then(Node::as_str) else {
                            continue;
                        };
                        if name.parse::<u32>().is_ok() {
                            continue;
                        }
                        let protocol = port
                            .get("protocol")
                            .and_then(Node::as_str)
                            .and_then(Protocol::parse)
                            .unwrap_or(Protocol::Tcp);
                        if destinations
                            .iter()
                            .all(|w| w.resolve_port(name, protocol).is_none())
                        {
                            out.push(p.finding(
                                key_pos(port, "port"),
                                format!("spec.{key}[{i}].ports[{j}].port"),
                                format!(
                                    "{}: {key} rule #{} names port `{name}` ({}), which no container of its {} workload(s) declares",
                                    p.label(),
                                    i + 1,
                                    protocol.as_str(),
                                    if ingress { "selected" } else { "destination" }
                                ),
                            ));
                        }
                    }
                }
            }
        }
        out
    }

    fn implicit_ingress(&self) -> Vec<LintFinding> {
        self.policies
            .iter()
            .filter(|p| !p.policy_types_given && p.isolates_egress && p.rules(true).is_empty())
            .map(|p| {
                p.finding(
                    key_pos(p.spec, "egress"),
                    "spec.egress",
                    format!(
                        "{}: without policyTypes, a policy with egress rules also isolates ingress; it has no ingress rule, so its pods accept no incoming connection",
                        p.label()
                    ),
                )
            })
            .collect()
    }

    fn ignored_rules(&self) -> Vec<LintFinding> {
        let mut out = Vec::new();
        for p in self.policies.iter().filter(|p| p.policy_types_given) {
            for (ingress, key, ty) in [(true, "ingress", "Ingress"), (false, "egress", "Egress")] {
                let isolates = if ingress {
                    p.isolates_ingress
                } else {
                    p.isolates_egress
                };
                let n = p.rules(ingress).len();
                if n > 0 && !isolates {
                    out.push(p.finding(
                        key_pos(p.spec, key),
                        format!("spec.{key}"),
                        format!(
                            "{}: policyTypes leaves out {ty}, so its {n} {key} rule(s) are ignored and {key} is not isolated by it",
                            p.label()
                        ),
                    ));
                }
            }
        }
        out
    }

    fn broad_peers(&self) -> Vec<LintFinding> {
        let sensitive: Vec<(String, Labels, String, String)> = self
            .inventory
            .iter()
            .filter_map(|(_, o)| {
                let why = sensitivity(o)?;
                let labels = pod_specs(o)
                    .first()
                    .map(|pod| labels_of(pod.metadata))
                    .unwrap_or_default();
                Some((
                    namespace_of(o),
                    labels,
                    format!("{} {}", o.kind, o.name),
                    why,
                ))
            })
            .collect();
        let mut out = Vec::new();
        for p in self.policies {
            let Some((_, _, what, why)) = sensitive
                .iter()
                .find(|(ns, labels, _, _)| *ns == p.namespace && p.selector.matches(labels))
            else {
                continue;
            };
            for ingress in [true, false] {
                let isolates = if ingress {
                    p.isolates_ingress
                } else {
                    p.isolates_egress
                };
                if !isolates {
                    continue;
                }
                let (key, peers_key) = if ingress {
                    ("ingress", "from")
                } else {
                    ("egress", "to")
                };
                for (i, rule) in p.rules(ingress).iter().enumerate() {
                    let peers = rule.get(peers_key).map(Node::items).unwrap_or_default();
                    let mut broad: Vec<(Pos, String, &str)> = Vec::new();
                    if peers.is_empty() {
                        broad.push((rule.pos, format!("spec.{key}[{i}]"), "every peer"));
                    }
                    for (j, peer) in peers.iter().enumerate() {
                        let path = format!("spec.{key}[{i}].{peers_key}[{j}]");
                        match peer_shape(peer) {
                            PeerShape::Pods(Some(serde_json::Value::Null), None) => {
                                broad.push((peer.pos, path, "every pod of every namespace"));
                            }
                            PeerShape::Block(Some((_, _, 0)), _) => {
                                broad.push((peer.pos, path, "every address"));
                            }
                            _ => {}
                        }
                    }
                    for (pos, path, whom) in broad {
                        out.push(p.finding(
                            pos,
                            path,
                            format!(
                                "{}: {key} rule #{} admits {whom}, and it selects {what}, which {why}",
                                p.label(),
                                i + 1
                            ),
                        ));
                    }
                }
            }
        }
        out
    }

    fn redundant_rules(&self) -> Vec<LintFinding> {
        // Policies with the same pod selector in one namespace select the same pods: their
        // rules of one direction add up, so any of them can make another one redundant.
        let mut groups: BTreeMap<(String, String), Vec<&PolicyObject<'_>>> = BTreeMap::new();
        for p in self.policies {
            let selector = p
                .spec
                .get("podSelector")
                .filter(|s| !Selector::parse(s).matches_everything())
                .map_or_else(String::new, |s| s.to_json().to_string());
            groups
                .entry((p.namespace.clone(), selector))
                .or_default()
                .push(p);
        }
        let mut out = Vec::new();
        for group in groups.values() {
            for ingress in [true, false] {
                let (key, peers_key) = if ingress {
                    ("ingress", "from")
                } else {
                    ("egress", "to")
                };
                let rules: Vec<(&PolicyObject<'_>, usize, &Node)> = group
                    .iter()
                    .filter(|p| {
                        if ingress {
                            p.isolates_ingress
                        } else {
                            p.isolates_egress
                        }
                    })
                    .flat_map(|p| {
                        p.rules(ingress)
                            .iter()
                            .enumerate()
                            .map(move |(i, r)| (*p, i, r))
                    })
                    .collect();
                for (b, (pb, ib, rb)) in rules.iter().enumerate() {
                    let cover = rules.iter().enumerate().find(|(a, (_, _, ra))| {
                        *a != b
                            && rule_covers(ra, rb, peers_key)
                            // Of two equal rules, only the later one is redundant.
                            && !(*a > b && rule_covers(rb, ra, peers_key))
                    });
                    if let Some((_, (pa, ia, _))) = cover {
                        let by = if std::ptr::eq(*pa, *pb) {
                            format!("rule #{}", ia + 1)
                        } else {
                            format!("{key} rule #{} of {}", ia + 1, pa.label())
                        };
                        out.push(pb.finding(
                            rb.pos,
                            format!("spec.{key}[{ib}]"),
                            format!(
                                "{}: {key} rule #{} admits nothing that {by} does not already admit",
                                pb.label(),
                                ib + 1
                            ),
                        ));
                    }
                }
            }
        }
        out
    }
}
