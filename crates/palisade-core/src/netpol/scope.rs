//! Which manifests can bear on one connection question (`netpol eval`), judged from each
//! document's text before it is parsed, so that a question about two workloads of a large
//! cluster does not pay for parsing the whole cluster.
//!
//! What [`Cluster::allowed`](super::Cluster::allowed) between two peers reads, and so what
//! [`EvalScope`] keeps:
//!
//! - the two workloads: their own manifests (by namespace, name and kind) and every Pod of
//!   their namespaces, since a Pod joins the workload named by its owner reference, which the
//!   text filter does not read;
//! - the NetworkPolicies of their namespaces: only policies of a pod's own namespace select it;
//! - the Namespace objects of their namespaces, whose labels namespace selectors read;
//! - every AdminNetworkPolicy, BaselineAdminNetworkPolicy and ClusterNetworkPolicy (cluster
//!   scoped, they may select anything).
//!
//! Services, Ingresses and Routes only expose workloads to the ingress controller, which is
//! not a peer `eval` takes, and other kinds are not read by the engine at all. An address end
//! needs nothing of its own: the external range holding it is cut at the ipBlock boundaries of
//! the policies kept, which are all the boundaries that can change the answer; the range may
//! therefore be wider than the one a model of the whole input would name.
//!
//! Whatever cannot be judged surely from the text (flow style, JSON, Lists, anchors, unusual
//! values; see [`sniff_kind`]) is kept, so the filter only ever saves work.

use crate::load::{sniff_kind, sniff_name, sniff_namespace};

/// The workload kinds whose manifests carry their own pod template.
const TEMPLATE_KINDS: &[&str] = &[
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "Job",
    "CronJob",
    "ReplicationController",
];

/// A workload end of the question, as given: `ns/name[Kind]` or `ns/name`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct WorkloadEnd {
    namespace: String,
    name: String,
    /// `None`: any kind (the engine takes the first of that name).
    kind: Option<String>,
}

/// The documents that can bear on whether one source may reach one destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalScope {
    workloads: Vec<WorkloadEnd>,
}

impl EvalScope {
    /// The scope of a question between `src` and `dst`, each a workload (`ns/name[Kind]` or
    /// `ns/name`) or an IP address. `None` when an end is neither, so it names no namespace:
    /// then everything must be read (to give the same answer, or the same error).
    pub fn new(src: &str, dst: &str) -> Option<EvalScope> {
        let mut workloads = Vec::new();
        for end in [src, dst] {
            if end.parse::<std::net::IpAddr>().is_ok() {
                continue;
            }
            workloads.push(workload_end(end)?);
        }
        Some(EvalScope { workloads })
    }

    /// Whether `document` (one YAML document's text, or a whole JSON file) may hold an object
    /// that bears on the question; `true` whenever that is not certain.
    pub fn bears_on(&self, document: &str) -> bool {
        let Some(kind) = sniff_kind(document) else {
            return true;
        };
        match kind {
            "AdminNetworkPolicy" | "BaselineAdminNetworkPolicy" | "ClusterNetworkPolicy" => true,
            "Namespace" => {
                sniff_name(document).is_none_or(|name| name.is_none_or(|n| self.has_namespace(n)))
            }
            "NetworkPolicy" | "Pod" => self.in_namespaces(document),
            _ if TEMPLATE_KINDS.contains(&kind) => {
                self.in_namespaces(document)
                    && sniff_name(document).is_none_or(|name| {
                        self.workloads.iter().any(|w| {
                            name.is_none_or(|n| n == w.name)
                                && w.kind.as_deref().is_none_or(|k| k == kind)
                        })
                    })
            }
            _ => kind.ends_with("List"),
        }
    }

    /// Whether no document of a whole input (a file's text) can bear on the question, found
    /// by searching the text rather than reading its documents: it names neither the ends'
    /// namespaces nor an admin-tier kind, and has no escape sequence that could spell them.
    /// Every object that bears holds one of those words: a namespaced object its namespace
    /// (unless it is `default`, which may go unwritten), a Namespace its name, an admin
    /// policy its kind. YAML folding cannot join a word across lines without a space or a
    /// backslash, so the text holds the word itself.
    pub fn leaves_out_input(&self, text: &str) -> bool {
        let bytes = text.as_bytes();
        if memchr::memchr(b'\\', bytes).is_some()
            || self.workloads.iter().any(|w| w.namespace == "default")
        {
            return false;
        }
        let holds = |word: &str| memchr::memmem::find(bytes, word.as_bytes()).is_some();
        !(holds("AdminNetworkPolicy")
            || holds("ClusterNetworkPolicy")
            || self.workloads.iter().any(|w| holds(&w.namespace)))
    }

    fn has_namespace(&self, namespace: &str) -> bool {
        self.workloads.iter().any(|w| w.namespace == namespace)
    }

    /// Whether the document's object lives in one of the workloads' namespaces (or may).
    fn in_namespaces(&self, document: &str) -> bool {
        // The engine puts objects without a namespace (or with an empty one) in `default`;
        // an empty value is not sniffed as certain, so it is kept.
        sniff_namespace(document)
            .is_none_or(|namespace| self.has_namespace(namespace.unwrap_or("default")))
    }
}

/// Splits `ns/name[Kind]` or `ns/name`; `None` without a namespace.
fn workload_end(text: &str) -> Option<WorkloadEnd> {
    let (namespace, rest) = text.split_once('/')?;
    let (name, kind) = match rest.strip_suffix(']').and_then(|r| r.rsplit_once('[')) {
        Some((name, kind)) => (name, Some(kind.to_string())),
        None => (rest, None),
    };
    Some(WorkloadEnd {
        namespace: namespace.to_string(),
        name: name.to_string(),
        kind,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(kind: &str, namespace: Option<&str>, name: &str) -> String {
        let namespace = namespace.map_or(String::new(), |n| format!("  namespace: {n}\n"));
        format!("apiVersion: v1\nkind: {kind}\nmetadata:\n  name: {name}\n{namespace}spec: {{}}\n")
    }

    #[test]
    fn keeps_what_the_two_ends_read_and_leaves_out_the_rest() {
        let scope = EvalScope::new("a/web[Deployment]", "b/db").unwrap();
        let kept = |kind: &str, ns: Option<&str>, name: &str| scope.bears_on(&doc(kind, ns, name));
        assert!(kept("Namespace", None, "a"));
        assert!(kept("Namespace", None, "b"));
        assert!(!kept("Namespace", None, "c"));
        assert!(kept("NetworkPolicy", Some("b"), "any"));
        assert!(!kept("NetworkPolicy", Some("c"), "any"));
        assert!(kept("Pod", Some("a"), "web-5d8f-x2"));
        assert!(!kept("Pod", None, "p"), "no namespace means default");
        assert!(kept("Deployment", Some("a"), "web"));
        assert!(!kept("StatefulSet", Some("a"), "web"), "a kind was given");
        assert!(!kept("Deployment", Some("a"), "api"));
        assert!(kept("StatefulSet", Some("b"), "db"), "any kind of b/db");
        assert!(kept("CronJob", Some("b"), "db"));
        assert!(!kept("Service", Some("a"), "web"));
        assert!(kept("AdminNetworkPolicy", None, "x"));
        assert!(kept("ClusterNetworkPolicy", None, "x"));
        assert!(kept("BaselineAdminNetworkPolicy", None, "default"));
        assert!(scope.bears_on("kind: PodList\nitems: []\n"));
        assert!(scope.bears_on("{\"kind\": \"NetworkPolicy\"}"));
        assert!(scope.bears_on("kind: NetworkPolicy\nmetadata: {namespace: c}\n"));
    }

    #[test]
    fn inputs_without_the_words_that_bear_are_left_out_whole() {
        let scope = EvalScope::new("team-1/web", "10.0.0.1").unwrap();
        let other =
            doc("NetworkPolicy", Some("team-2"), "p") + "---\n" + &doc("Pod", Some("x"), "q");
        assert!(scope.leaves_out_input(&other));
        assert!(!scope.leaves_out_input(&doc("Pod", Some("team-1"), "q")));
        assert!(!scope.leaves_out_input(&doc("Namespace", None, "team-1")));
        assert!(!scope.leaves_out_input(&doc("BaselineAdminNetworkPolicy", None, "default")));
        assert!(!scope.leaves_out_input(&doc("ClusterNetworkPolicy", None, "c")));
        assert!(!scope.leaves_out_input("kind: Pod\nmetadata:\n  namespace: \"team-\\x31\"\n"));
        let default = EvalScope::new("default/web", "10.0.0.1").unwrap();
        assert!(!default.leaves_out_input(&doc("Pod", None, "q")));
    }

    #[test]
    fn the_default_namespace_and_address_ends() {
        let scope = EvalScope::new("10.0.0.1", "default/web").unwrap();
        assert!(scope.bears_on(&doc("NetworkPolicy", None, "p")));
        assert!(scope.bears_on(&doc("Deployment", None, "web")));
        assert!(!scope.bears_on(&doc("Deployment", Some("b"), "web")));
        let addresses = EvalScope::new("10.0.0.1", "2001:db8::1").unwrap();
        assert!(!addresses.bears_on(&doc("NetworkPolicy", None, "p")));
        assert!(addresses.bears_on(&doc("AdminNetworkPolicy", None, "p")));
        assert_eq!(EvalScope::new("web", "b/db"), None);
    }
}
