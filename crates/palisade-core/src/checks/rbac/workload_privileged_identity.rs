//! Flags workloads whose service account holds an escalation primitive: the blast radius of a
//! compromised pod.

use std::collections::{BTreeSet, HashMap};

use crate::check::{Check, Reference, Sink};
use crate::document::Node;
use crate::inventory::Inventory;
use crate::rbac::{Rule, UserInfo};
use crate::workload::pod_specs;

crate::declare_check! {
    /// ## What it flags
    /// Pod templates (Pods, Deployments, StatefulSets, DaemonSets, Jobs, CronJobs, …) whose
    /// service account — `serviceAccountName`, or `default` when unset — holds, through the
    /// bindings in the input, any of: every verb on every resource, reading Secrets, creating
    /// pods, exec into pods, `nodes/proxy`, `escalate`, `bind`, `impersonate`, or minting
    /// service account tokens. Pods with `automountServiceAccountToken: false` are left out.
    ///
    /// ## Why it matters
    /// The token of a pod's service account is a file in the container. Whoever gets code
    /// execution in the pod — a vulnerable dependency, an exposed debug endpoint — holds the
    /// account's rights, and these rights reach other workloads, their Secrets, or the node.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Deployment
    /// spec:
    ///   template:
    ///     spec:
    ///       serviceAccountName: deployer   # bound to a role that can create pods
    /// ```
    ///
    /// ## Fix
    /// Give the workload a service account with only the rights it uses
    /// (`palisade rbac permissions sa:NS:NAME` lists them), or turn off
    /// `automountServiceAccountToken` when it does not call the API.
    ///
    /// ## References
    /// CIS 5.1.6; NSA/CISA "Authentication and authorization"; MITRE ATT&CK T1528 (Steal
    /// Application Access Token).
    pub struct WorkloadPrivilegedIdentity {
        id: "PAL-515",
        slug: "workload-privileged-identity",
        title: "Workload runs as a service account that can escalate",
        severity: High,
        area: Rbac,
        remediation: "Run the workload as a service account without escalation rights, or stop mounting its token.",
        references: [
            Reference::Cis("5.1.6"),
            Reference::NsaCisa("authentication-authorization"),
            Reference::MitreAttack("T1528"),
        ],
    }
}

/// Requests that hand a pod's identity more than its own workload.
const PRIMITIVES: &[(&str, &str, &str)] = &[
    ("*", "*", "*"),
    ("get", "", "secrets"),
    ("list", "", "secrets"),
    ("watch", "", "secrets"),
    ("create", "", "pods"),
    ("create", "", "pods/exec"),
    ("get", "", "pods/exec"),
    ("get", "", "nodes/proxy"),
    ("escalate", super::RBAC_GROUP, "roles"),
    ("escalate", super::RBAC_GROUP, "clusterroles"),
    ("bind", super::RBAC_GROUP, "roles"),
    ("bind", super::RBAC_GROUP, "clusterroles"),
    ("impersonate", "", "users"),
    ("impersonate", "", "groups"),
    ("impersonate", "", "serviceaccounts"),
    ("create", "", "serviceaccounts/token"),
];

impl Check for WorkloadPrivilegedIdentity {
    fn check_inventory(&self, inventory: &Inventory, out: &mut Sink<'_>) {
        if inventory.of_kind("RoleBinding").next().is_none()
            && inventory.of_kind("ClusterRoleBinding").next().is_none()
        {
            return;
        }
        let model = inventory.rbac();
        // Many pods share roles (and so rules): describe each rule once per run, keyed by its
        // address in the model, which lives as long as this call.
        let mut described: HashMap<*const Rule, Option<String>> = HashMap::new();
        for (id, object) in inventory.iter() {
            for pod in pod_specs(object) {
                if pod.get("automountServiceAccountToken").and_then(Node::as_bool) == Some(false) {
                    continue;
                }
                let account = pod
                    .get("serviceAccountName")
                    .and_then(Node::as_str)
                    .unwrap_or("default");
                let namespace = object.namespace.as_deref().unwrap_or("default");
                let user = UserInfo::service_account(namespace, account);
                let mut held: BTreeSet<String> = BTreeSet::new();
                for grants in model.permissions(&user).values() {
                    for grant in grants {
                        let what = described
                            .entry(std::ptr::from_ref(grant.rule))
                            .or_insert_with(|| super::describe_grants(grant.rule, PRIMITIVES));
                        if let Some(what) = what {
                            held.insert(format!(
                                "{} (via {})",
                                what.trim_start_matches("rule allows "),
                                grant.binding.display()
                            ));
                        }
                    }
                }
                if held.is_empty() {
                    continue;
                }
                let (pos, path) = if pod.get("serviceAccountName").is_some() {
                    (pod.field_pos("serviceAccountName"), pod.field_path("serviceAccountName"))
                } else {
                    (pod.spec.pos, pod.spec_path.clone())
                };
                let held: Vec<String> = held.into_iter().collect();
                out.report_on(
                    id,
                    &object.source.file,
                    pos,
                    path,
                    format!(
                        "{} {} runs as service account {namespace}:{account}, which can {}",
                        object.kind,
                        object.display_name(),
                        held.join("; ")
                    ),
                );
            }
        }
    }
}
