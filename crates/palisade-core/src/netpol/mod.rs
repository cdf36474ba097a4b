//! NetworkPolicy connectivity: which workloads and external address ranges may talk to which,
//! on which ports, under `networking.k8s.io/v1` NetworkPolicy.
//!
//! The engine owns the model ([`Cluster`]: namespaces, workloads, policies), reading it from
//! parsed manifests, and the analysis ([`Cluster::connectivity`], [`Cluster::allowed`]).
//! Semantics follow the API: a pod is isolated for a direction once any policy selecting it
//! has that policy type; an isolated pod accepts only the union of what the selecting
//! policies allow; a connection between two pods needs both the source's egress and the
//! destination's ingress. AdminNetworkPolicies (v1alpha1) are consulted first, by priority
//! then rule order (Allow, Deny, or Pass to the NetworkPolicy tier); connections no admin rule
//! decided go to the NetworkPolicies if any isolates the pod, else to the baseline tier, else
//! are allowed. ClusterNetworkPolicies (v1alpha2) join the admin tier (`tier: Admin`) or the
//! baseline tier (`tier: Baseline`, before the BaselineAdminNetworkPolicy) by priority, with
//! Accept, Deny and Pass; a Pass in the baseline tier leaves the connection to the default. Pods collapse to their owning workload
//! (`ns/name[Kind]`); addresses outside the cluster are split into ranges at every ipBlock
//! boundary the policies mention. Ingresses and Routes add the `{ingress-controller}` peer,
//! which reaches the target ports of the Services they name, as far as policies admitting
//! any pod of any namespace let it.
//!
//! Assumptions (stated in output as [`ASSUMPTIONS`]): ipBlocks and admin `networks` match only
//! addresses outside the cluster, never pod IPs; admin `nodes` peers match nothing (nodes are
//! not modelled); IPv6 ranges appear only when a rule names one; a workload's connections to itself are not
//! listed.

pub mod conn;
pub mod diff;
pub mod explain;
mod model;
pub mod scope;
pub mod validate;

pub use conn::{ConnSet, PortSet, Protocol};
pub use explain::Explanation;
pub use model::exposure::{Exposure, ExposureLine};
pub use model::lint::{Lint, LintFinding, lint};
pub use model::{Cluster, Peer, Workload, parse_peer};
pub use scope::EvalScope;

/// Assumptions under which results hold, for outputs to state.
pub const ASSUMPTIONS: &[&str] = &[
    "ipBlock peers and admin networks match only addresses outside the cluster, not pod IPs",
    "admin policy nodes and domainNames peers match nothing: nodes and DNS names are not modelled",
    "IPv6 external ranges are listed only when a rule names an IPv6 CIDR; an IPv6 CIDR never admits IPv4 addresses",
    "a workload's connections to itself are always allowed and not listed",
    "the ingress controller's namespace and labels are unknown: only rules admitting every pod of every namespace admit it",
    "all pods of a workload share the labels and ports of its pod template",
];

/// One allowed connection of a connectivity list.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Connection {
    /// The source: `ns/name[Kind]` or `a.b.c.d-e.f.g.h[External]`.
    pub src: String,
    /// The destination, named like the source.
    pub dst: String,
    /// What is allowed, in text form (`All Connections`, `TCP 80,UDP 53`).
    pub conn: String,
}

/// True when the peer name `peer` (`ns/name[Kind]`) is the workload `wanted`, given as
/// `ns/name[Kind]`, `ns/name` or `name`.
pub fn names_workload(peer: &str, wanted: &str) -> bool {
    let Some(without_kind) = peer
        .strip_suffix(']')
        .and_then(|p| p.rsplit_once('['))
        .filter(|(_, kind)| *kind != "External")
    else {
        return false;
    };
    let ns_name = without_kind.0;
    let name = ns_name.split_once('/').map_or(ns_name, |(_, n)| n);
    peer == wanted || ns_name == wanted || name == wanted
}

/// Which side of a connection a focus workload must be on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FocusDirection {
    /// The focus workload receives (is the destination).
    Ingress,
    /// The focus workload sends (is the source).
    Egress,
}

/// A filter on a connectivity list: connections of the focus workloads, optionally in one
/// direction and only with the given peers.
#[derive(Debug, Clone, Default)]
pub struct Focus {
    /// Focus workloads (`ns/name[Kind]`, `ns/name` or `name`); empty keeps everything.
    pub workloads: Vec<String>,
    /// Only connections in this direction, seen from the focus workload.
    pub direction: Option<FocusDirection>,
    /// Only connections whose other end is one of these workloads (empty: any).
    pub peers: Vec<String>,
}

impl Focus {
    /// True when `c` passes the filter.
    pub fn keeps(&self, c: &Connection) -> bool {
        if self.workloads.is_empty() {
            return true;
        }
        let is_focus = |name: &str| self.workloads.iter().any(|w| names_workload(name, w));
        let is_peer = |name: &str| {
            self.peers.is_empty() || self.peers.iter().any(|w| names_workload(name, w))
        };
        let as_source =
            self.direction != Some(FocusDirection::Ingress) && is_focus(&c.src) && is_peer(&c.dst);
        let as_destination =
            self.direction != Some(FocusDirection::Egress) && is_focus(&c.dst) && is_peer(&c.src);
        as_source || as_destination
    }
}

/// The connections that have one of `workloads` as source or destination (all of them when
/// `workloads` is empty).
pub fn focus(connections: Vec<Connection>, workloads: &[String]) -> Vec<Connection> {
    let filter = Focus {
        workloads: workloads.to_vec(),
        ..Focus::default()
    };
    connections
        .into_iter()
        .filter(|c| filter.keeps(c))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn focus_matches_full_short_and_bare_names() {
        let conn = |src: &str, dst: &str| Connection {
            src: src.into(),
            dst: dst.into(),
            conn: "All Connections".into(),
        };
        let list = vec![
            conn("ns/a[Deployment]", "ns/b[Pod]"),
            conn("0.0.0.0-255.255.255.255[External]", "ns/c[Pod]"),
        ];
        for w in ["ns/b[Pod]", "ns/b", "b"] {
            assert_eq!(focus(list.clone(), &[w.to_string()]).len(), 1, "{w}");
        }
        assert_eq!(focus(list.clone(), &[]).len(), 2);
        assert!(focus(list.clone(), &["0.0.0.0-255.255.255.255".into()]).is_empty());
        let egress_to_b = Focus {
            workloads: vec!["a".into()],
            direction: Some(FocusDirection::Egress),
            peers: vec!["b".into()],
        };
        assert!(egress_to_b.keeps(&list[0]));
        let ingress = Focus {
            direction: Some(FocusDirection::Ingress),
            ..egress_to_b
        };
        assert!(!ingress.keeps(&list[0]));
    }
}
