//! Flags Role and ClusterRole rules that let a subject run commands in, attach to or forward
//! ports of running pods, or reach kubelets through `nodes/proxy`.

use crate::check::{Check, Reference, Sink};
use crate::inventory::Inventory;
use crate::object::Object;

crate::declare_check! {
    /// ## What it flags
    /// Rules of Roles and ClusterRoles that allow `create` or `get` on `pods/exec`,
    /// `pods/attach` or `pods/portforward`, `patch` or `update` on `pods/ephemeralcontainers`,
    /// or `get` or `create` on `nodes/proxy`. Bootstrap defaults are not flagged.
    ///
    /// ## Why it matters
    /// Exec gives a shell in the container with its service account token, its Secrets and its
    /// network position. `get` is enough: before Kubernetes 1.35 the API server authorizes an
    /// exec over WebSocket as `get pods/exec`. Ephemeral containers add a debug container with
    /// any image to a running pod. `nodes/proxy` reaches the kubelet API, whose `/exec` and
    /// `/run` endpoints run commands in every pod on the node without an audit record of the
    /// command in the API server.
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    /// - apiGroups: [""]
    ///   resources: ["pods/exec"]
    ///   verbs: ["get"]
    /// ```
    ///
    /// ## Fix
    /// Remove these rules from roles of everyday use; grant them just in time for debugging.
    /// Monitoring should read `nodes/metrics` or `nodes/stats`, never `nodes/proxy`.
    ///
    /// ## References
    /// NSA/CISA "Authentication and authorization"; MITRE ATT&CK T1609 (Container
    /// Administration Command).
    pub struct PodExecAccess {
        id: "PAL-505",
        slug: "pod-exec-access",
        title: "RBAC rule allows exec into pods or the kubelet proxy",
        severity: High,
        area: Rbac,
        remediation: "Remove exec, attach, portforward, ephemeralcontainers and nodes/proxy from the role.",
        references: [
            Reference::NsaCisa("authentication-authorization"),
            Reference::MitreAttack("T1609"),
        ],
    }
}

/// Subresources and the verbs that make them usable.
const ACCESS: &[(&str, &[&str])] = &[
    ("pods/exec", &["create", "get"]),
    ("pods/attach", &["create", "get"]),
    ("pods/portforward", &["create", "get"]),
    ("pods/ephemeralcontainers", &["patch", "update"]),
    ("nodes/proxy", &["get", "create"]),
];

impl Check for PodExecAccess {
    fn check_object(&self, object: &Object, inventory: &Inventory, out: &mut Sink<'_>) {
        // Nodes are cluster-scoped: a namespaced Role cannot grant nodes/proxy.
        let namespaced = &*object.kind == "Role";
        super::report_rules(object, inventory, out, |rule| {
            let what: Vec<String> = ACCESS
                .iter()
                .filter(|(resource, _)| !(namespaced && resource.starts_with("nodes/")))
                .filter_map(|(resource, verbs)| {
                    let verbs = super::granted(rule, verbs, "", resource);
                    (!verbs.is_empty()).then(|| format!("{} {resource}", verbs.join("/")))
                })
                .collect();
            (!what.is_empty()).then(|| format!("rule allows {}", what.join(", ")))
        });
    }
}
