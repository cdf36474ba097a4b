//! Flags pods that get a service account token mounted without needing to say so.

use crate::check::{Check, Reference, Sink};
use crate::document::{Node, Pos};
use crate::inventory::Inventory;
use crate::object::Object;
use crate::workload::{PodView, pod_specs};

crate::declare_check! {
    /// ## What it flags
    /// Pod specs that do not set `automountServiceAccountToken: false`. A pod that leaves the
    /// field unset is not flagged when the input also holds the ServiceAccount it runs as
    /// (`serviceAccountName`, else `default`, in the same namespace) and that ServiceAccount
    /// sets `automountServiceAccountToken: false`. A pod that sets the field to `true` is always
    /// flagged, on that line.
    ///
    /// ## Why it matters
    /// Unless automounting is turned off, every container gets a token for the pod's service
    /// account under `/var/run/secrets/kubernetes.io/serviceaccount`. Most applications never
    /// call the Kubernetes API, yet anyone who gains code execution or file read in the
    /// container can take that token and act with the service account's permissions, from
    /// inside or outside the cluster.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   serviceAccountName: shop
    ///   containers:
    ///   - name: app
    ///     image: registry.example/app:1.4.2
    /// ```
    ///
    /// ## Fix
    /// Set `automountServiceAccountToken: false` in the pod spec, or on the ServiceAccount the
    /// pod uses. Pods that call the API should keep the token, run as a dedicated service
    /// account with minimal RBAC, and can suppress this finding with a reason.
    ///
    /// ## References
    /// NSA/CISA "Authentication and authorization"; CIS 5.1.6; MITRE ATT&CK T1528 (Steal
    /// Application Access Token).
    pub struct ServiceAccountTokenAutomount {
        id: "PAL-120",
        slug: "service-account-token-automount",
        title: "Pod mounts a service account token automatically",
        severity: Low,
        area: Workload,
        remediation: "Set automountServiceAccountToken: false on the pod or its ServiceAccount unless the pod calls the Kubernetes API.",
        references: [
            Reference::NsaCisa("authentication-authorization"),
            Reference::Cis("5.1.6"),
            Reference::MitreAttack("T1528"),
        ],
    }
}

/// The service account a pod runs as: `serviceAccountName`, the deprecated `serviceAccount`,
/// or `default`.
pub(crate) fn service_account_name<'a>(pod: &PodView<'a>) -> &'a str {
    ["serviceAccountName", "serviceAccount"]
        .into_iter()
        .filter_map(|field| pod.get(field).and_then(Node::as_str))
        .find(|name| !name.is_empty())
        .unwrap_or("default")
}

/// Whether the inventory holds the pod's ServiceAccount (same namespace) and it disables token
/// automounting.
pub(crate) fn service_account_disables_automount(
    pod: &PodView<'_>,
    inventory: &Inventory,
) -> bool {
    let name = service_account_name(pod);
    inventory.of_kind("ServiceAccount").any(|(_, account)| {
        &*account.name == name
            && account.namespace == pod.object.namespace
            && account.root.get("automountServiceAccountToken").and_then(Node::as_bool)
                == Some(false)
    })
}

/// Where the pod spec's own key is (`spec:` or `template.spec:`), for findings about a field
/// the spec lacks.
pub(crate) fn spec_key_pos(pod: &PodView<'_>) -> Pos {
    let keys: Vec<&str> = pod.spec_path.split('.').collect();
    let Some((last, parents)) = keys.split_last() else {
        return pod.spec.pos;
    };
    pod.object
        .root
        .path(parents)
        .and_then(|parent| parent.entry(last))
        .map_or(pod.spec.pos, |entry| entry.key_pos)
}

impl Check for ServiceAccountTokenAutomount {
    fn check_object(&self, object: &Object, inventory: &Inventory, out: &mut Sink<'_>) {
        for pod in pod_specs(object) {
            let field = "automountServiceAccountToken";
            match pod.get(field).and_then(Node::as_bool) {
                Some(false) => {}
                Some(true) => out.report(
                    pod.field_pos(field),
                    pod.field_path(field),
                    format!(
                        "pod mounts a token of service account \"{}\" (automountServiceAccountToken: true)",
                        service_account_name(&pod)
                    ),
                ),
                None if service_account_disables_automount(&pod, inventory) => {}
                None => {
                    let pos = pod
                        .spec
                        .entry("serviceAccountName")
                        .map_or_else(|| spec_key_pos(&pod), |entry| entry.key_pos);
                    out.report(
                        pos,
                        pod.field_path(field),
                        format!(
                            "pod mounts a token of service account \"{}\" automatically; automountServiceAccountToken is not false",
                            service_account_name(&pod)
                        ),
                    );
                }
            }
        }
    }
}
