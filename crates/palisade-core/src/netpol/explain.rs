//! Why a connection is allowed or denied, as data: each side's reasons (which admin or
//! NetworkPolicy rule, or the cluster default, decided which ports, and how), and the split of
//! a pair's connections into parts that share the same reasons on both sides. Wording is the
//! writers' business (`report::netpol`).

use super::conn::ConnSet;

/// Which side of a connection a reason is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Side {
    /// The source's egress.
    Egress,
    /// The destination's ingress.
    Ingress,
}

/// What a reason does to the ports it covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// The ports may flow (as far as this side goes).
    Allows,
    /// The ports are blocked on this side.
    Denies,
    /// An admin rule hands the ports to the next tier.
    Passes,
}

/// The tier an admin-style policy belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AdminTier {
    /// AdminNetworkPolicies and `tier: Admin` ClusterNetworkPolicies: before NetworkPolicies.
    Admin,
    /// The BaselineAdminNetworkPolicy and `tier: Baseline` ClusterNetworkPolicies: after them.
    Baseline,
}

/// Why the NetworkPolicies selecting a workload admit nothing on some ports.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Denial {
    /// The policy has no rule in this direction: it only isolates.
    NoRules,
    /// No rule of the policy selects the peer.
    NoRuleSelectsPeer,
    /// These rules (0-based) select the peer, but not on these ports.
    PortsDoNotMatch(Vec<usize>),
    /// These rules (0-based) select the peer, but name ports that no container of the
    /// destination declares.
    NamedPortsUnresolved(Vec<usize>),
}

/// What decided part of one side.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Decider {
    /// A rule of an AdminNetworkPolicy, the BaselineAdminNetworkPolicy or a
    /// ClusterNetworkPolicy matched the peer.
    AdminRule {
        /// The policy's kind, as in manifests.
        kind: &'static str,
        /// Its tier.
        tier: AdminTier,
        /// The policy's name.
        policy: String,
        /// The rule's index (0-based) among the policy's rules of this side.
        rule: usize,
        /// The rule's name (may be empty).
        rule_name: String,
    },
    /// A rule of a NetworkPolicy selecting the workload admits the peer.
    PolicyRule {
        /// `namespace/name` of the policy.
        policy: String,
        /// The rule's index (0-based) among the policy's rules of this side.
        rule: usize,
    },
    /// A NetworkPolicy selects the workload (so isolates this side) and admits nothing of the
    /// peer on these ports.
    PolicyDenies {
        /// `namespace/name` of the policy.
        policy: String,
        /// How it fails to admit.
        denial: Denial,
    },
    /// No policy of any tier decided these ports: the cluster default allows them.
    Default,
    /// The workload of this side is outside the cluster: no policy applies.
    Outside,
    /// The source is the ingress controller: the destination receives from it what an
    /// Ingress or Route exposes of it through a Service, nothing else.
    Exposure {
        /// `Ingress` or `Route`.
        kind: &'static str,
        /// `namespace/name` of the Ingress or Route.
        object: String,
        /// The Service it sends to.
        service: String,
    },
}

/// One reason: which side, what it does, to which ports, and who decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    /// Egress of the source or ingress of the destination.
    pub side: Side,
    /// Allows, denies or passes.
    pub verdict: Verdict,
    /// The ports this reason decided (never empty).
    pub conn: ConnSet,
    /// The policy rule, or the default, that decided.
    pub decider: Decider,
}

impl Reason {
    /// True for reasons that stand for no policy at all: the cluster default, or a side
    /// outside the cluster.
    pub fn is_default(&self) -> bool {
        matches!(self.decider, Decider::Default | Decider::Outside)
    }
}

/// Why what flows from `src` to `dst` is allowed or denied.
#[derive(Debug, Clone)]
pub struct Explanation {
    /// Source peer name.
    pub src: String,
    /// Destination peer name.
    pub dst: String,
    /// What flows: both sides agree.
    pub allowed: ConnSet,
    /// What the source's egress lets through to the destination.
    pub egress: ConnSet,
    /// What the destination's ingress lets in from the source.
    pub ingress: ConnSet,
    /// The reasons of both sides, egress first, each side in evaluation order (admin tier,
    /// NetworkPolicies, baseline tier, default).
    pub reasons: Vec<Reason>,
}

/// A part of a pair's connections over which every reason of both sides agrees.
#[derive(Debug, Clone)]
pub struct ExplainedPart<'a> {
    /// The connections of this part.
    pub conn: ConnSet,
    /// Whether they flow.
    pub allowed: bool,
    /// Whether the source's egress lets them through.
    pub egress_allows: bool,
    /// Whether the destination's ingress lets them in.
    pub ingress_allows: bool,
    /// The reasons that cover them, egress first, in evaluation order.
    pub reasons: Vec<&'a Reason>,
}

fn covers(outer: &ConnSet, inner: &ConnSet) -> bool {
    inner.difference(outer).is_empty()
}

impl Explanation {
    /// The reasons of one side.
    pub fn side(&self, side: Side) -> impl Iterator<Item = &Reason> {
        self.reasons.iter().filter(move |r| r.side == side)
    }

    /// True when everything flows and no policy or admin rule took part on either side:
    /// explain reports list such pairs apart, as allowed by the system default.
    pub fn by_default_only(&self) -> bool {
        self.allowed.is_all() && self.reasons.iter().all(Reason::is_default)
    }

    /// Every connection of the pair, split into parts that the same reasons cover on both
    /// sides and that are all allowed or all denied; parts with the same reasons are joined
    /// even when their ports are apart. Allowed parts first, then by their first port.
    pub fn parts(&self) -> Vec<ExplainedPart<'_>> {
        // The coarsest split of all connections that every reason's ports and the verdict
        // respect.
        let mut atoms = vec![ConnSet::all()];
        let cuts = self.reasons.iter().map(|r| &r.conn).chain([
            &self.allowed,
            &self.egress,
            &self.ingress,
        ]);
        for cut in cuts {
            atoms = atoms
                .into_iter()
                .flat_map(|a| [a.intersection(cut), a.difference(cut)])
                .filter(|a| !a.is_empty())
                .collect();
        }
        let mut parts: Vec<(Vec<usize>, ExplainedPart<'_>)> = Vec::new();
        for atom in atoms {
            let covering: Vec<usize> = (0..self.reasons.len())
                .filter(|&i| covers(&self.reasons[i].conn, &atom))
                .collect();
            let allowed = covers(&self.allowed, &atom);
            if let Some((_, part)) = parts
                .iter_mut()
                .find(|(c, p)| *c == covering && p.allowed == allowed)
            {
                part.conn.union_with(&atom);
                continue;
            }
            let part = ExplainedPart {
                allowed,
                egress_allows: covers(&self.egress, &atom),
                ingress_allows: covers(&self.ingress, &atom),
                reasons: covering.iter().map(|&i| &self.reasons[i]).collect(),
                conn: atom,
            };
            parts.push((covering, part));
        }
        let mut parts: Vec<ExplainedPart<'_>> = parts.into_iter().map(|(_, p)| p).collect();
        parts.sort_by_key(|p| (!p.allowed, first_port(&p.conn)));
        parts
    }
}

/// The first (protocol, port) of a set, protocols in the order TCP, UDP, SCTP.
fn first_port(conn: &ConnSet) -> (usize, u32) {
    use super::conn::Protocol;
    [Protocol::Tcp, Protocol::Udp, Protocol::Sctp]
        .iter()
        .enumerate()
        .find_map(|(i, &p)| {
            conn.protocol(p)
                .and_then(|ports| ports.ranges().first())
                .map(|&(low, _)| (i, low))
        })
        .unwrap_or((usize::MAX, 0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::netpol::conn::{PortSet, Protocol};

    fn tcp(low: u32, high: u32) -> ConnSet {
        ConnSet::ports(Protocol::Tcp, PortSet::range(low, high))
    }

    #[test]
    fn parts_split_per_port_range_and_join_equal_reasons() {
        let rule = |rule, verdict, conn| Reason {
            side: Side::Ingress,
            verdict,
            conn,
            decider: Decider::PolicyRule {
                policy: "ns/p".into(),
                rule,
            },
        };
        let denied = ConnSet::all().difference(&tcp(80, 80));
        let e = Explanation {
            src: "a".into(),
            dst: "b".into(),
            allowed: tcp(80, 80),
            egress: ConnSet::all(),
            ingress: tcp(80, 80),
            reasons: vec![
                Reason {
                    side: Side::Egress,
                    verdict: Verdict::Allows,
                    conn: ConnSet::all(),
                    decider: Decider::Default,
                },
                rule(0, Verdict::Allows, tcp(80, 80)),
                Reason {
                    side: Side::Ingress,
                    verdict: Verdict::Denies,
                    conn: denied.clone(),
                    decider: Decider::PolicyDenies {
                        policy: "ns/p".into(),
                        denial: Denial::PortsDoNotMatch(vec![0]),
                    },
                },
            ],
        };
        let parts = e.parts();
        assert_eq!(parts.len(), 2, "{parts:#?}");
        assert!(parts[0].allowed && parts[0].conn == tcp(80, 80));
        assert_eq!(parts[0].reasons.len(), 2);
        assert!(!parts[1].allowed && !parts[1].ingress_allows && parts[1].egress_allows);
        // Ports below and above 80 share their reasons: one part.
        assert!(covers(&parts[1].conn, &denied) && covers(&denied, &parts[1].conn));
        assert!(!e.by_default_only());
    }
}
