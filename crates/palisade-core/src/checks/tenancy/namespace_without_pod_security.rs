//! Flags namespaces that do not enforce a Pod Security Standards level.

use crate::check::{Check, Reference, Sink};
use crate::inventory::Inventory;
use crate::object::Object;

crate::declare_check! {
    /// ## What it flags
    /// Namespace objects without a `pod-security.kubernetes.io/enforce` label, and those whose
    /// enforce label is `privileged`. A missing label is reported at the namespace's `labels`
    /// key (or at `metadata` when there are no labels); a `privileged` level at the label.
    ///
    /// The namespaces Kubernetes creates for itself are not reported: `kube-system` runs node
    /// and network agents that legitimately need host access and is governed by the cluster
    /// operator; `kube-public` and `kube-node-lease` hold no pods. A cluster-wide default set
    /// in the PodSecurity admission configuration is not visible in manifests; if you rely on
    /// one, suppress this check.
    ///
    /// ## Why it matters
    /// Without an enforced level, Pod Security admission lets any pod into the namespace —
    /// privileged containers, host namespaces, hostPath mounts of the node's root — so anyone
    /// who can create a pod there can take over the node. Labelling the namespace is the
    /// built-in, zero-cost way to make the API server refuse such pods.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Namespace
    /// metadata:
    ///   name: shop
    /// ```
    ///
    /// ## Fix
    /// Enforce `restricted` (or at least `baseline`), pinned to a version, and warn/audit on
    /// `restricted` while migrating:
    /// ```yaml
    /// metadata:
    ///   labels:
    ///     pod-security.kubernetes.io/enforce: restricted
    ///     pod-security.kubernetes.io/enforce-version: v1.33
    /// ```
    ///
    /// ## References
    /// NSA/CISA "Pod security"; CIS 5.2.1 (Ensure that the cluster has at least one active
    /// policy control mechanism in place); MITRE ATT&CK T1610 (Deploy Container) and T1611
    /// (Escape to Host).
    pub struct NamespaceWithoutPodSecurity {
        id: "PAL-402",
        slug: "namespace-without-pod-security",
        title: "Namespace does not enforce a Pod Security Standards level",
        severity: Medium,
        area: Tenancy,
        remediation: "Label the namespace with pod-security.kubernetes.io/enforce set to restricted or baseline.",
        references: [
            Reference::NsaCisa("pod-security"),
            Reference::Cis("5.2.1"),
            Reference::MitreAttack("T1610"),
            Reference::MitreAttack("T1611"),
        ],
    }
}

const ENFORCE_LABEL: &str = "pod-security.kubernetes.io/enforce";

/// Namespaces created and governed by Kubernetes itself.
const SYSTEM_NAMESPACES: &[&str] = &["kube-system", "kube-public", "kube-node-lease"];

impl Check for NamespaceWithoutPodSecurity {
    fn check_object(&self, object: &Object, _inventory: &Inventory, out: &mut Sink<'_>) {
        if &*object.kind != "Namespace"
            || !object.group().is_empty()
            || SYSTEM_NAMESPACES.contains(&&*object.name)
        {
            return;
        }
        let name = &object.name;
        let metadata = object.root.entry("metadata");
        let labels = metadata.and_then(|m| m.value.entry("labels"));
        let Some(enforce) = labels.and_then(|l| l.value.entry(ENFORCE_LABEL)) else {
            let (pos, path) = match (labels, metadata) {
                (Some(l), _) => (l.key_pos, "metadata.labels"),
                (None, Some(m)) => (m.key_pos, "metadata"),
                (None, None) => (object.pos(), ""),
            };
            out.report(
                pos,
                path,
                format!("Namespace \"{name}\" has no {ENFORCE_LABEL} label; any pod is admitted"),
            );
            return;
        };
        let level = enforce.value.scalar_text().unwrap_or_default();
        if level.trim().eq_ignore_ascii_case("privileged") {
            out.report(
                enforce.key_pos,
                format!("metadata.labels.{ENFORCE_LABEL}"),
                format!(
                    "Namespace \"{name}\" enforces the privileged Pod Security level, which allows any pod"
                ),
            );
        }
    }
}
