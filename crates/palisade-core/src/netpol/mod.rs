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
//! decided go to the NetworkPolicies if any isolates the pod, else to the
//! BaselineAdminNetworkPolicy, else are allowed. Pods collapse to their owning workload
//! (`ns/name[Kind]`); addresses outside the cluster are split into ranges at every ipBlock
//! boundary the policies mention. Ingresses and Routes add the `{ingress-controller}` peer,
//! which reaches the target ports of the Services they name, as far as policies admitting
//! any pod of any namespace let it.
//!
//! Assumptions (stated in output as [`ASSUMPTIONS`]): ipBlocks and admin `networks` match only
//! addresses outside the cluster, never pod IPs; admin `nodes` peers match nothing (nodes are
//! not modelled); only IPv4 ranges are analysed; a workload's connections to itself are not
//! listed.

pub mod conn;
pub mod diff;
mod model;

pub use conn::{ConnSet, PortSet, Protocol};
pub use model::{Cluster, Peer, Workload, parse_peer};

/// Assumptions under which results hold, for outputs to state.
pub const ASSUMPTIONS: &[&str] = &[
    "ipBlock peers and admin networks match only addresses outside the cluster, not pod IPs",
    "admin policy nodes peers match nothing: nodes are not modelled",
    "only IPv4 external ranges are analysed; IPv6 CIDRs are ignored",
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
