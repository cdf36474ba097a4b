//! Connection sets: per-protocol sets of port intervals, and their text form.
//!
//! Ports run from 1 to 65535; a set holding that whole range for TCP, UDP and SCTP is "all
//! connections". The text form groups ports by protocol in alphabetical protocol order
//! (`SCTP 9003,TCP 80,8080-8090,UDP 53`), the form the connectivity lists are compared in.

use std::collections::BTreeMap;
use std::fmt;

/// Lowest port a rule can name.
pub const MIN_PORT: u32 = 1;
/// Highest port a rule can name.
pub const MAX_PORT: u32 = 65535;

/// A transport protocol NetworkPolicy can filter on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Protocol {
    /// SCTP.
    Sctp,
    /// TCP (the default when a rule names no protocol).
    Tcp,
    /// UDP.
    Udp,
}

impl Protocol {
    /// Every protocol, in the order the text form lists them.
    pub const ALL: [Protocol; 3] = [Protocol::Sctp, Protocol::Tcp, Protocol::Udp];

    /// Parses a protocol name as the API spells it (upper case); `None` for anything else.
    pub fn parse(text: &str) -> Option<Protocol> {
        match text {
            "TCP" => Some(Protocol::Tcp),
            "UDP" => Some(Protocol::Udp),
            "SCTP" => Some(Protocol::Sctp),
            _ => None,
        }
    }

    /// The API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
            Protocol::Sctp => "SCTP",
        }
    }
}

/// A set of ports: sorted, disjoint, non-adjacent inclusive intervals.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PortSet {
    ranges: Vec<(u32, u32)>,
}

impl PortSet {
    /// Every port.
    pub fn all() -> Self {
        PortSet {
            ranges: vec![(MIN_PORT, MAX_PORT)],
        }
    }

    /// The ports `from..=to` (clamped to the valid range; empty if inverted).
    pub fn range(from: u32, to: u32) -> Self {
        let (from, to) = (from.max(MIN_PORT), to.min(MAX_PORT));
        if from > to {
            return PortSet::default();
        }
        PortSet {
            ranges: vec![(from, to)],
        }
    }

    /// True when no port is in the set.
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// True when every port is in the set.
    pub fn is_all(&self) -> bool {
        self.ranges == [(MIN_PORT, MAX_PORT)]
    }

    /// True when `port` is in the set.
    pub fn contains(&self, port: u32) -> bool {
        self.ranges.iter().any(|&(a, b)| a <= port && port <= b)
    }

    /// The intervals, in order.
    pub fn ranges(&self) -> &[(u32, u32)] {
        &self.ranges
    }

    /// Adds every port of `other`.
    pub fn union_with(&mut self, other: &PortSet) {
        let mut all: Vec<(u32, u32)> = self.ranges.iter().chain(&other.ranges).copied().collect();
        all.sort_unstable();
        let mut merged: Vec<(u32, u32)> = Vec::with_capacity(all.len());
        for (a, b) in all {
            match merged.last_mut() {
                Some(last) if a <= last.1.saturating_add(1) => last.1 = last.1.max(b),
                _ => merged.push((a, b)),
            }
        }
        self.ranges = merged;
    }

    /// The ports in both sets.
    #[must_use]
    pub fn intersection(&self, other: &PortSet) -> PortSet {
        let mut out = Vec::new();
        let (mut i, mut j) = (0, 0);
        while i < self.ranges.len() && j < other.ranges.len() {
            let (a1, b1) = self.ranges[i];
            let (a2, b2) = other.ranges[j];
            let (a, b) = (a1.max(a2), b1.min(b2));
            if a <= b {
                out.push((a, b));
            }
            if b1 < b2 {
                i += 1;
            } else {
                j += 1;
            }
        }
        PortSet { ranges: out }
    }
}

impl PortSet {
    /// The ports of `self` not in `other`.
    #[must_use]
    pub fn difference(&self, other: &PortSet) -> PortSet {
        let mut complement = Vec::new();
        let mut next = MIN_PORT;
        for &(a, b) in &other.ranges {
            if a > next {
                complement.push((next, a - 1));
            }
            next = b + 1;
        }
        if next <= MAX_PORT {
            complement.push((next, MAX_PORT));
        }
        self.intersection(&PortSet { ranges: complement })
    }
}

/// A set of connections: for each protocol, the ports allowed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConnSet {
    by_protocol: BTreeMap<Protocol, PortSet>,
}

impl ConnSet {
    /// No connection.
    pub fn none() -> Self {
        ConnSet::default()
    }

    /// Every port of every protocol.
    pub fn all() -> Self {
        ConnSet {
            by_protocol: Protocol::ALL.iter().map(|&p| (p, PortSet::all())).collect(),
        }
    }

    /// The given ports of one protocol.
    pub fn ports(protocol: Protocol, ports: PortSet) -> Self {
        let mut set = ConnSet::none();
        if !ports.is_empty() {
            set.by_protocol.insert(protocol, ports);
        }
        set
    }

    /// True when nothing is allowed.
    pub fn is_empty(&self) -> bool {
        self.by_protocol.values().all(PortSet::is_empty)
    }

    /// True when everything is allowed.
    pub fn is_all(&self) -> bool {
        Protocol::ALL
            .iter()
            .all(|p| self.by_protocol.get(p).is_some_and(PortSet::is_all))
    }

    /// True when `port` of `protocol` is allowed.
    pub fn allows(&self, protocol: Protocol, port: u32) -> bool {
        self.by_protocol
            .get(&protocol)
            .is_some_and(|s| s.contains(port))
    }

    /// The ports allowed for `protocol`, if any.
    pub fn protocol(&self, protocol: Protocol) -> Option<&PortSet> {
        self.by_protocol.get(&protocol).filter(|s| !s.is_empty())
    }

    /// Adds every connection of `other`.
    pub fn union_with(&mut self, other: &ConnSet) {
        for (p, ports) in &other.by_protocol {
            self.by_protocol.entry(*p).or_default().union_with(ports);
        }
    }

    /// The connections in both sets.
    #[must_use]
    pub fn intersection(&self, other: &ConnSet) -> ConnSet {
        let mut out = ConnSet::none();
        for (p, ports) in &self.by_protocol {
            if let Some(theirs) = other.by_protocol.get(p) {
                let both = ports.intersection(theirs);
                if !both.is_empty() {
                    out.by_protocol.insert(*p, both);
                }
            }
        }
        out
    }
}

impl ConnSet {
    /// The connections of `self` not in `other`.
    #[must_use]
    pub fn difference(&self, other: &ConnSet) -> ConnSet {
        let mut out = ConnSet::none();
        for (p, ports) in &self.by_protocol {
            let rest = match other.by_protocol.get(p) {
                Some(theirs) => ports.difference(theirs),
                None => ports.clone(),
            };
            if !rest.is_empty() {
                out.by_protocol.insert(*p, rest);
            }
        }
        out
    }
}

impl fmt::Display for ConnSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_all() {
            return f.write_str("All Connections");
        }
        if self.is_empty() {
            return f.write_str("No Connections");
        }
        let mut first_group = true;
        for (p, ports) in &self.by_protocol {
            if ports.is_empty() {
                continue;
            }
            if !first_group {
                f.write_str(",")?;
            }
            first_group = false;
            write!(f, "{} ", p.as_str())?;
            for (i, &(a, b)) in ports.ranges().iter().enumerate() {
                if i > 0 {
                    f.write_str(",")?;
                }
                if a == b {
                    write!(f, "{a}")?;
                } else {
                    write!(f, "{a}-{b}")?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn union_merges_adjacent_and_overlapping_ranges() {
        let mut s = PortSet::range(80, 80);
        s.union_with(&PortSet::range(81, 90));
        s.union_with(&PortSet::range(100, 200));
        s.union_with(&PortSet::range(150, 300));
        assert_eq!(s.ranges(), &[(80, 90), (100, 300)]);
    }

    #[test]
    fn intersection_keeps_common_ports() {
        let mut a = PortSet::range(1, 10);
        a.union_with(&PortSet::range(20, 30));
        let b = PortSet::range(5, 25);
        assert_eq!(a.intersection(&b).ranges(), &[(5, 10), (20, 25)]);
    }

    #[test]
    fn difference_removes_ports() {
        let a = PortSet::all();
        let mut b = PortSet::range(80, 80);
        b.union_with(&PortSet::range(443, 443));
        assert_eq!(
            a.difference(&b).ranges(),
            &[(1, 79), (81, 442), (444, 65535)]
        );
        let c = ConnSet::all().difference(&ConnSet::ports(Protocol::Udp, PortSet::all()));
        assert_eq!(c.to_string(), "SCTP 1-65535,TCP 1-65535");
    }

    #[test]
    fn text_form_groups_by_protocol() {
        let mut c = ConnSet::ports(Protocol::Tcp, PortSet::range(8080, 8090));
        c.union_with(&ConnSet::ports(Protocol::Tcp, PortSet::range(80, 80)));
        c.union_with(&ConnSet::ports(Protocol::Udp, PortSet::range(53, 53)));
        c.union_with(&ConnSet::ports(Protocol::Sctp, PortSet::range(9003, 9003)));
        assert_eq!(c.to_string(), "SCTP 9003,TCP 80,8080-8090,UDP 53");
        assert_eq!(ConnSet::all().to_string(), "All Connections");
        let mut full = ConnSet::none();
        for p in Protocol::ALL {
            full.union_with(&ConnSet::ports(p, PortSet::range(1, 65535)));
        }
        assert!(full.is_all());
    }
}
