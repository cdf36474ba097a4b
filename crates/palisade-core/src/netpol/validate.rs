//! Validation of policy objects as the API server would validate them: what it would reject
//! (malformed CIDRs, unknown protocols or actions, bad selectors, malformed admin-policy
//! subjects, peers and ports). Each problem names the line it was found on.

use std::net::{Ipv4Addr, Ipv6Addr};

use crate::document::{Node, Value};

#[allow(clippy::needless_pass_by_value)] // callers build the message in place
fn at(node: &Node, message: String) -> String {
    format!("line {}: {message}", node.pos.line)
}

/// True for a CIDR the API accepts (IPv4 or IPv6, prefix within range).
pub fn valid_cidr(text: &str) -> bool {
    let Some((addr, len)) = text.split_once('/') else {
        return false;
    };
    let Ok(len) = len.parse::<u32>() else {
        return false;
    };
    if addr.parse::<Ipv4Addr>().is_ok() {
        len <= 32
    } else {
        addr.parse::<Ipv6Addr>().is_ok() && len <= 128
    }
}

fn valid_name_part(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && s.starts_with(|c: char| c.is_ascii_alphanumeric())
        && s.ends_with(|c: char| c.is_ascii_alphanumeric())
}

fn valid_label_key(key: &str) -> bool {
    match key.rsplit_once('/') {
        Some((prefix, name)) => {
            !prefix.is_empty()
                && prefix.len() <= 253
                && prefix
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '.'))
                && valid_name_part(name)
        }
        None => valid_name_part(key),
    }
}

fn valid_label_value(value: &str) -> bool {
    value.is_empty() || valid_name_part(value)
}

/// Problems in a label selector.
pub fn selector(node: &Node, what: &str, out: &mut Vec<String>) {
    if node.is_null() {
        return;
    }
    if !matches!(node.value, Value::Map(_)) {
        out.push(at(node, format!("{what} must be a label selector")));
        return;
    }
    if let Some(labels) = node.get("matchLabels") {
        for e in labels.entries() {
            let value = e.value.scalar_text().unwrap_or_default();
            if !valid_label_key(&e.key) {
                out.push(at(
                    &e.value,
                    format!("{what}: invalid label key `{}`", e.key),
                ));
            }
            if !valid_label_value(&value) {
                out.push(at(
                    &e.value,
                    format!("{what}: invalid label value `{value}`"),
                ));
            }
        }
    }
    for expr in node
        .get("matchExpressions")
        .map(Node::items)
        .unwrap_or_default()
    {
        let key = expr
            .get("key")
            .and_then(Node::scalar_text)
            .unwrap_or_default();
        if !valid_label_key(&key) {
            out.push(at(expr, format!("{what}: invalid label key `{key}`")));
        }
        let values = expr.get("values").map(Node::items).unwrap_or_default();
        match expr.get("operator").and_then(Node::as_str) {
            Some("In" | "NotIn") if values.is_empty() => out.push(at(
                expr,
                format!("{what}: operator In and NotIn need values"),
            )),
            Some("Exists" | "DoesNotExist") if !values.is_empty() => out.push(at(
                expr,
                format!("{what}: operator Exists and DoesNotExist take no values"),
            )),
            Some("In" | "NotIn" | "Exists" | "DoesNotExist") => {}
            other => out.push(at(
                expr,
                format!("{what}: unknown operator `{}`", other.unwrap_or("")),
            )),
        }
        for v in values {
            let v = v.scalar_text().unwrap_or_default();
            if !valid_label_value(&v) {
                out.push(at(expr, format!("{what}: invalid label value `{v}`")));
            }
        }
    }
}

fn port_number(node: &Node) -> Option<i64> {
    node.as_i64().filter(|p| (1..=65535).contains(p))
}

fn protocol(node: Option<&Node>, out: &mut Vec<String>) {
    if let Some(p) = node.filter(|p| !matches!(p.as_str(), Some("TCP" | "UDP" | "SCTP"))) {
        out.push(at(
            p,
            format!(
                "unknown protocol `{}` (TCP, UDP or SCTP)",
                p.scalar_text().unwrap_or_default()
            ),
        ));
    }
}

/// Problems in a `networking.k8s.io/v1` NetworkPolicy.
pub fn network_policy(root: &Node) -> Vec<String> {
    let mut out = Vec::new();
    let Some(spec) = root.get("spec") else {
        return out;
    };
    if let Some(sel) = spec.get("podSelector") {
        selector(sel, "podSelector", &mut out);
    }
    for types in spec.get("policyTypes").map(Node::items).unwrap_or_default() {
        if !matches!(types.as_str(), Some("Ingress" | "Egress")) {
            out.push(at(types, "policyTypes holds Ingress or Egress only".into()));
        }
    }
    for (key, peers_key) in [("ingress", "from"), ("egress", "to")] {
        for rule in spec.get(key).map(Node::items).unwrap_or_default() {
            for peer in rule.get(peers_key).map(Node::items).unwrap_or_default() {
                let has = |k: &str| peer.get(k).is_some_and(|n| !n.is_null());
                let block = has("ipBlock");
                if block && (has("podSelector") || has("namespaceSelector")) {
                    out.push(at(
                        peer,
                        "a peer with ipBlock cannot also have podSelector or namespaceSelector"
                            .into(),
                    ));
                }
                if !block && !has("podSelector") && !has("namespaceSelector") {
                    out.push(at(peer, format!("empty `{peers_key}` peer")));
                }
                if let Some(b) = peer.get("ipBlock") {
                    let cidr = b
                        .get("cidr")
                        .and_then(Node::scalar_text)
                        .unwrap_or_default();
                    if !valid_cidr(&cidr) {
                        out.push(at(b, format!("invalid ipBlock cidr `{cidr}`")));
                    }
                    for e in b.get("except").map(Node::items).unwrap_or_default() {
                        let text = e.scalar_text().unwrap_or_default();
                        if !valid_cidr(&text) {
                            out.push(at(e, format!("invalid ipBlock except `{text}`")));
                        }
                    }
                }
                for k in ["podSelector", "namespaceSelector"] {
                    if let Some(s) = peer.get(k) {
                        selector(s, k, &mut out);
                    }
                }
            }
            for port in rule.get("ports").map(Node::items).unwrap_or_default() {
                protocol(port.get("protocol"), &mut out);
                let number = port.get("port");
                match number.map(|n| &n.value) {
                    Some(Value::Int(_)) if number.and_then(port_number).is_none() => {
                        out.push(at(port, "port out of range 1-65535".into()));
                    }
                    Some(Value::Str(_)) if port.get("endPort").is_some() => {
                        out.push(at(port, "endPort cannot go with a named port".into()));
                    }
                    _ => {}
                }
                // endPort below port is an empty range: accepted, and warned about by the
                // engine, as the analysers in use do.
                if let Some(end) = port.get("endPort").filter(|e| port_number(e).is_none()) {
                    out.push(at(end, "endPort out of range 1-65535".into()));
                }
            }
        }
    }
    out
}

/// Validates exactly one of `keys` being set in `node`.
fn one_of(node: &Node, keys: &[&str], what: &str, out: &mut Vec<String>) -> bool {
    let set = keys
        .iter()
        .filter(|k| node.get(k).is_some_and(|n| !n.is_null()))
        .count();
    if set != 1 {
        out.push(at(
            node,
            format!("{what} must set exactly one of {}", keys.join(", ")),
        ));
    }
    set == 1
}

/// The `priority` of an admin-tier policy: present and within 0 to 1000.
fn admin_priority(spec: &Node, out: &mut Vec<String>) {
    match spec.get("priority") {
        Some(p) if p.as_i64().is_some_and(|p| (0..=1000).contains(&p)) => {}
        Some(p) => out.push(at(p, "priority must be 0 to 1000".into())),
        None => out.push(at(spec, "no priority".into())),
    }
}

/// The `subject` of an admin-tier policy: exactly one of namespaces or pods.
fn admin_subject(spec: &Node, out: &mut Vec<String>) {
    match spec.get("subject") {
        Some(s) if one_of(s, &["namespaces", "pods"], "subject", out) => {
            admin_pods(s, "subject", out);
        }
        Some(_) => {}
        None => out.push(at(spec, "no subject".into())),
    }
}

/// The `action` of an admin-tier rule, which must be one of `actions`; returned for checks
/// that depend on it.
fn admin_action<'a>(rule: &'a Node, actions: &[&str], out: &mut Vec<String>) -> Option<&'a str> {
    let action = rule.get("action").and_then(Node::as_str);
    if !action.is_some_and(|a| actions.contains(&a)) {
        out.push(at(
            rule,
            format!(
                "action must be one of {} (found `{}`)",
                actions.join(", "),
                action.unwrap_or("")
            ),
        ));
    }
    action
}

/// The peers of an admin-tier rule: at least one, each exactly one of `peer_kinds`, with valid
/// pod selectors and network CIDRs. Returns the well-formed peers for further checks.
fn admin_peers<'a>(
    rule: &'a Node,
    peers_key: &str,
    peer_kinds: &[&str],
    out: &mut Vec<String>,
) -> Vec<&'a Node> {
    let peers = rule.get(peers_key).map(Node::items).unwrap_or_default();
    if peers.is_empty() {
        out.push(at(rule, format!("rule has no `{peers_key}` peers")));
    }
    let mut valid = Vec::new();
    for peer in peers {
        if !one_of(peer, peer_kinds, "a peer", out) {
            continue;
        }
        admin_pods(peer, peers_key, out);
        for net in peer.get("networks").map(Node::items).unwrap_or_default() {
            let text = net.scalar_text().unwrap_or_default();
            if !valid_cidr(&text) {
                out.push(at(net, format!("invalid network `{text}`")));
            }
        }
        valid.push(peer);
    }
    valid
}

fn admin_pods(node: &Node, what: &str, out: &mut Vec<String>) {
    if let Some(ns) = node.get("namespaces") {
        selector(ns, what, out);
    }
    if let Some(pods) = node.get("pods") {
        for k in ["namespaceSelector", "podSelector"] {
            if let Some(s) = pods.get(k) {
                selector(s, what, out);
            }
        }
    }
}

/// Problems in an AdminNetworkPolicy or BaselineAdminNetworkPolicy (v1alpha1).
pub fn admin_policy(root: &Node, baseline: bool) -> Vec<String> {
    let mut out = Vec::new();
    let Some(spec) = root.get("spec") else {
        out.push(at(root, "no spec".into()));
        return out;
    };
    if !baseline {
        admin_priority(spec, &mut out);
    }
    admin_subject(spec, &mut out);
    let actions: &[&str] = if baseline {
        &["Allow", "Deny"]
    } else {
        &["Allow", "Deny", "Pass"]
    };
    for (key, peers_key) in [("ingress", "from"), ("egress", "to")] {
        let peer_kinds: &[&str] = if key == "ingress" {
            &["namespaces", "pods"]
        } else {
            &["namespaces", "pods", "networks", "nodes"]
        };
        for rule in spec.get(key).map(Node::items).unwrap_or_default() {
            admin_action(rule, actions, &mut out);
            admin_peers(rule, peers_key, peer_kinds, &mut out);
            for port in rule.get("ports").map(Node::items).unwrap_or_default() {
                if !one_of(
                    port,
                    &["portNumber", "portRange", "namedPort"],
                    "a port",
                    &mut out,
                ) {
                    continue;
                }
                if let Some(n) = port.get("portNumber") {
                    protocol(n.get("protocol"), &mut out);
                    if n.get("port").and_then(port_number).is_none() {
                        out.push(at(n, "port out of range 1-65535".into()));
                    }
                }
                if let Some(r) = port.get("portRange") {
                    protocol(r.get("protocol"), &mut out);
                    match (
                        r.get("start").and_then(port_number),
                        r.get("end").and_then(port_number),
                    ) {
                        (Some(a), Some(b)) if a <= b => {}
                        _ => out.push(at(r, "portRange needs start <= end within 1-65535".into())),
                    }
                }
            }
        }
    }
    out
}

/// Problems in a ClusterNetworkPolicy (`policy.networking.k8s.io/v1alpha2`).
pub fn cluster_policy(root: &Node) -> Vec<String> {
    let mut out = Vec::new();
    let Some(spec) = root.get("spec") else {
        out.push(at(root, "no spec".into()));
        return out;
    };
    match spec.get("tier") {
        Some(t) if matches!(t.as_str(), Some("Admin" | "Baseline")) => {}
        Some(t) => out.push(at(t, "tier must be Admin or Baseline".into())),
        None => out.push(at(spec, "no tier".into())),
    }
    admin_priority(spec, &mut out);
    admin_subject(spec, &mut out);
    for (key, peers_key) in [("ingress", "from"), ("egress", "to")] {
        let peer_kinds: &[&str] = if key == "ingress" {
            &["namespaces", "pods"]
        } else {
            &["namespaces", "pods", "networks", "nodes", "domainNames"]
        };
        for rule in spec.get(key).map(Node::items).unwrap_or_default() {
            let action = admin_action(rule, &["Accept", "Deny", "Pass"], &mut out);
            for peer in admin_peers(rule, peers_key, peer_kinds, &mut out) {
                if peer.get("domainNames").is_some() && action != Some("Accept") {
                    out.push(at(
                        peer,
                        "domainNames peers are only allowed in Accept rules".into(),
                    ));
                }
            }
            for entry in rule.get("protocols").map(Node::items).unwrap_or_default() {
                if !one_of(
                    entry,
                    &["tcp", "udp", "sctp", "destinationNamedPort"],
                    "a protocol",
                    &mut out,
                ) {
                    continue;
                }
                for key in ["tcp", "udp", "sctp"] {
                    let Some(port) = entry.get(key).and_then(|m| m.get("destinationPort")) else {
                        continue;
                    };
                    if let Some(n) = port.get("number") {
                        if port_number(n).is_none() {
                            out.push(at(n, "port out of range 1-65535".into()));
                        }
                    } else if let Some(r) = port.get("range") {
                        match (
                            r.get("start").and_then(port_number),
                            r.get("end").and_then(port_number),
                        ) {
                            (Some(a), Some(b)) if a < b => {}
                            _ => out.push(at(r, "range needs start < end within 1-65535".into())),
                        }
                    } else {
                        out.push(at(port, "destinationPort needs a number or a range".into()));
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::parse_stream;

    fn root(text: &str) -> Node {
        parse_stream(text).documents.remove(0).root
    }

    #[test]
    fn cidrs_and_labels() {
        assert!(valid_cidr("10.0.0.0/8"));
        assert!(valid_cidr("fc00::/8"));
        assert!(!valid_cidr("zc00::/8"));
        assert!(!valid_cidr("A"));
        assert!(!valid_cidr("10.0.0.0/33"));
        assert!(valid_label_key("kubernetes.io/metadata.name"));
        assert!(!valid_label_key("app@b"));
        assert!(!valid_label_value("$x"));
    }

    #[test]
    fn network_policy_problems() {
        let errors = network_policy(&root(
            "spec:\n  ingress:\n  - from: [{}]\n    ports: [{port: http, endPort: 90}, {protocol: ICMP}]\n  - from: [{ipBlock: {cidr: A}, podSelector: {}}]\n",
        ));
        assert_eq!(errors.len(), 5, "{errors:#?}");
        assert!(network_policy(&root("spec: {podSelector: {}}")).is_empty());
    }

    #[test]
    fn admin_policy_problems() {
        let errors = admin_policy(
            &root(
                "spec:\n  priority: 1001\n  subject: {namespaces: {}, pods: {podSelector: {}}}\n  egress:\n  - action: Ok\n  - action: Allow\n    to: [{networks: [zc00::/8]}]\n    ports: [{portNumber: {port: 80}, namedPort: x}]\n",
            ),
            false,
        );
        assert_eq!(errors.len(), 6, "{errors:#?}");
        let errors = admin_policy(
            &root(
                "spec:\n  subject: {namespaces: {}}\n  ingress: [{action: Pass, from: [{namespaces: {}}]}]",
            ),
            true,
        );
        assert_eq!(errors.len(), 1, "{errors:#?}");
    }
}
