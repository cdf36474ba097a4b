//! Flags Role and ClusterRole rules that let a subject create pods, directly or through a
//! workload controller.

use crate::check::{Check, Reference, Sink};
use crate::inventory::Inventory;
use crate::object::Object;

crate::declare_check! {
    /// ## What it flags
    /// Rules of Roles and ClusterRoles that allow `create`, `update` or `patch` on pods, or
    /// `create` on a kind whose controller creates pods: Deployments, ReplicaSets,
    /// StatefulSets, DaemonSets (`apps`), Jobs, CronJobs (`batch`) and ReplicationControllers.
    /// Bootstrap defaults are not flagged.
    ///
    /// ## Why it matters
    /// A pod runs as any service account of its namespace and mounts any Secret, ConfigMap or
    /// volume there: creating a pod is reading every Secret and using every token of the
    /// namespace. Where the namespace allows privileged pods, it is the node.
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    /// - apiGroups: ["apps"]
    ///   resources: ["deployments"]
    ///   verbs: ["create"]
    /// ```
    ///
    /// ## Fix
    /// Deploy through a pipeline or GitOps controller whose own identity holds this right, and
    /// give people read access. Enforce Pod Security `restricted` on namespaces where pods can
    /// be created.
    ///
    /// ## References
    /// CIS 5.1.4; NSA/CISA "Authentication and authorization"; MITRE ATT&CK T1610 (Deploy
    /// Container).
    pub struct PodCreateAccess {
        id: "PAL-504",
        slug: "pod-create-access",
        title: "RBAC rule allows creating pods or pod-creating workloads",
        severity: Medium,
        area: Rbac,
        remediation: "Remove create on pods and workload kinds, or confine it to a deployment identity.",
        references: [
            Reference::Cis("5.1.4"),
            Reference::NsaCisa("authentication-authorization"),
            Reference::MitreAttack("T1610"),
        ],
    }
}

/// Kinds whose controllers create pods from a template, by API group and resource.
const POD_CREATING: &[(&str, &str)] = &[
    ("", "replicationcontrollers"),
    ("apps", "deployments"),
    ("apps", "replicasets"),
    ("apps", "statefulsets"),
    ("apps", "daemonsets"),
    ("batch", "jobs"),
    ("batch", "cronjobs"),
];

impl Check for PodCreateAccess {
    fn check_object(&self, object: &Object, inventory: &Inventory, out: &mut Sink<'_>) {
        super::report_rules(object, inventory, out, |rule| {
            let mut what = Vec::new();
            let pods = super::granted(rule, &["create", "update", "patch"], "", "pods");
            if !pods.is_empty() {
                what.push(format!("{} pods", pods.join("/")));
            }
            for (group, resource) in POD_CREATING {
                if !super::granted(rule, &["create"], group, resource).is_empty() {
                    what.push(format!("create {resource}"));
                }
            }
            (!what.is_empty()).then(|| format!("rule allows {}", what.join(", ")))
        });
    }
}
