//! Connectivity diff: connections added, removed and changed between two states of a cluster
//! (the question a policy change raises: what does it open or close?).

use std::collections::{BTreeMap, BTreeSet};

use super::{Cluster, Connection};

/// How a connection differs between the two states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DiffKind {
    /// Allowed in both, with different ports or protocols.
    Changed,
    /// Allowed only in the second state.
    Added,
    /// Allowed only in the first state.
    Removed,
}

impl DiffKind {
    /// The lower-case name used in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            DiffKind::Changed => "changed",
            DiffKind::Added => "added",
            DiffKind::Removed => "removed",
        }
    }
}

/// One difference between two connectivity lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffEntry {
    /// What changed.
    pub kind: DiffKind,
    /// Source peer name.
    pub src: String,
    /// Destination peer name.
    pub dst: String,
    /// Connections in the first state (`No Connections` when none).
    pub before: String,
    /// Connections in the second state (`No Connections` when none).
    pub after: String,
    /// Workloads of this connection that exist in only one state, e.g.
    /// `workload ns/x[Deployment] added`.
    pub workloads_info: Option<String>,
}

const NONE: &str = "No Connections";

fn index(list: &[Connection]) -> BTreeMap<(&str, &str), &str> {
    list.iter()
        .map(|c| ((c.src.as_str(), c.dst.as_str()), c.conn.as_str()))
        .collect()
}

fn workload_names(cluster: &Cluster) -> BTreeSet<String> {
    cluster
        .workloads()
        .iter()
        .map(super::Workload::display)
        .collect()
}

/// Differences from `before` to `after`: changed, then added, then removed, each sorted by
/// source and destination.
pub fn diff(before: &Cluster, after: &Cluster) -> Vec<DiffEntry> {
    let list_before = before.connectivity();
    let list_after = after.connectivity();
    let (old, new) = (index(&list_before), index(&list_after));
    let (old_workloads, new_workloads) = (workload_names(before), workload_names(after));
    let info = |kind: DiffKind, src: &str, dst: &str| -> Option<String> {
        let (only_in, word) = match kind {
            DiffKind::Added => (&new_workloads, &old_workloads),
            DiffKind::Removed => (&old_workloads, &new_workloads),
            DiffKind::Changed => return None,
        };
        let fresh: Vec<&str> = [src, dst]
            .into_iter()
            .filter(|w| only_in.contains(*w) && !word.contains(*w))
            .collect();
        let verb = kind.as_str();
        match fresh.as_slice() {
            [w] => Some(format!("workload {w} {verb}")),
            [a, b] => Some(format!("workloads {a}, {b} {verb}")),
            _ => None,
        }
    };
    let mut out = Vec::new();
    for (&(src, dst), &conn) in &new {
        match old.get(&(src, dst)) {
            Some(&was) if was != conn => out.push(DiffEntry {
                kind: DiffKind::Changed,
                src: src.into(),
                dst: dst.into(),
                before: was.into(),
                after: conn.into(),
                workloads_info: None,
            }),
            Some(_) => {}
            None => out.push(DiffEntry {
                kind: DiffKind::Added,
                src: src.into(),
                dst: dst.into(),
                before: NONE.into(),
                after: conn.into(),
                workloads_info: info(DiffKind::Added, src, dst),
            }),
        }
    }
    for (&(src, dst), &was) in &old {
        if !new.contains_key(&(src, dst)) {
            out.push(DiffEntry {
                kind: DiffKind::Removed,
                src: src.into(),
                dst: dst.into(),
                before: was.into(),
                after: NONE.into(),
                workloads_info: info(DiffKind::Removed, src, dst),
            });
        }
    }
    out.sort_by(|a, b| (a.kind, &a.src, &a.dst).cmp(&(b.kind, &b.src, &b.dst)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::parse_stream;

    fn cluster(text: &str) -> Cluster {
        let s = parse_stream(text);
        Cluster::from_roots(s.documents.iter().map(|d| &d.root))
    }

    #[test]
    fn reports_added_removed_and_changed() {
        let pods = "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: ns, labels: {app: a}}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: b, namespace: ns, labels: {app: b}}\n";
        let before = cluster(&format!(
            "{pods}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: p, namespace: ns}}\nspec:\n  podSelector: {{matchLabels: {{app: b}}}}\n  ingress: [{{ports: [{{port: 80}}]}}]"
        ));
        let after = cluster(&format!(
            "{pods}---\napiVersion: v1\nkind: Pod\nmetadata: {{name: c, namespace: ns}}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: p, namespace: ns}}\nspec:\n  podSelector: {{matchLabels: {{app: b}}}}\n  ingress: [{{ports: [{{port: 80}}, {{port: 53, protocol: UDP}}]}}]"
        ));
        let d = diff(&before, &after);
        let changed: Vec<_> = d.iter().filter(|e| e.kind == DiffKind::Changed).collect();
        assert_eq!(changed.len(), 2);
        assert_eq!(changed[0].before, "TCP 80");
        assert_eq!(changed[0].after, "TCP 80,UDP 53");
        let added = d.iter().find(|e| e.kind == DiffKind::Added).expect("added");
        assert_eq!(
            added.workloads_info.as_deref(),
            Some("workload ns/c[Pod] added")
        );
        assert!(d.iter().all(|e| e.kind != DiffKind::Removed));
        assert!(diff(&after, &after).is_empty());
    }
}
