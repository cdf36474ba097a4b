//! Flags namespaced objects placed explicitly in the `default` namespace.

use crate::check::{Check, Reference, Sink};
use crate::inventory::Inventory;
use crate::object::Object;

crate::declare_check! {
    /// ## What it flags
    /// Namespaced objects — workloads, Services, Secrets, ConfigMaps, ServiceAccounts, Roles,
    /// RoleBindings, custom resources and so on — whose manifest sets `metadata.namespace:
    /// default`. The finding points at the `namespace` line.
    ///
    /// Not flagged:
    /// - objects without `metadata.namespace`: they land in the namespace of the kubectl
    ///   context or of `--namespace`, which this check cannot know;
    /// - cluster-scoped kinds (Namespace, Node, PersistentVolume, ClusterRole,
    ///   ClusterRoleBinding, StorageClass, CustomResourceDefinition, webhook configurations,
    ///   admission policies, PriorityClass, RuntimeClass, IngressClass, CSIDriver, APIService and
    ///   any kind starting with `Cluster`), where a namespace is ignored anyway;
    /// - the objects Kubernetes itself keeps in `default`, as seen in cluster dumps: the
    ///   `kubernetes` Service, Endpoints and EndpointSlice, the `default` ServiceAccount and
    ///   the `kube-root-ca.crt` ConfigMap, and Events (records, not deployed objects);
    /// - objects with `metadata.ownerReferences` (pods of a ReplicaSet, in cluster dumps): the
    ///   owner is reported instead, so one decision is reported once.
    ///
    /// ## Why it matters
    /// The `default` namespace is where everything ends up when nobody decides otherwise, so it
    /// tends to mix unrelated applications. Namespaces are the unit for RBAC, NetworkPolicy,
    /// Pod Security admission, quotas and limits; putting workloads in `default` makes those
    /// boundaries coarse and invites broad grants that reach unrelated workloads.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Deployment
    /// metadata:
    ///   name: web
    ///   namespace: default
    /// ```
    ///
    /// ## Fix
    /// Create a namespace per application or team, with its own RBAC, NetworkPolicies, Pod
    /// Security labels and quotas, and deploy into it.
    ///
    /// ## References
    /// NSA/CISA "Namespaces"; CIS 5.7.4 (The default namespace should not be used); MITRE
    /// ATT&CK T1610 (Deploy Container).
    pub struct DefaultNamespace {
        id: "PAL-401",
        slug: "default-namespace",
        title: "Object is placed in the default namespace",
        severity: Low,
        area: Tenancy,
        remediation: "Deploy the object into a dedicated namespace with its own RBAC, NetworkPolicies and Pod Security labels.",
        references: [
            Reference::NsaCisa("namespaces"),
            Reference::Cis("5.7.4"),
            Reference::MitreAttack("T1610"),
        ],
    }
}

/// Built-in kinds that are cluster-scoped (kinds starting with `Cluster` are handled apart).
const CLUSTER_SCOPED_KINDS: &[&str] = &[
    "Namespace",
    "Node",
    "PersistentVolume",
    "StorageClass",
    "CSIDriver",
    "CSINode",
    "VolumeAttachment",
    "CustomResourceDefinition",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "MutatingAdmissionPolicy",
    "MutatingAdmissionPolicyBinding",
    "PriorityClass",
    "RuntimeClass",
    "IngressClass",
    "GatewayClass",
    "CertificateSigningRequest",
    "ComponentStatus",
    "FlowSchema",
    "PriorityLevelConfiguration",
    "IPAddress",
    "ServiceCIDR",
    "DeviceClass",
    "PodSecurityPolicy",
];

/// Objects that Kubernetes creates in `default` by itself.
fn is_system_object(object: &Object) -> bool {
    matches!(
        (&*object.kind, &*object.name),
        ("Service" | "Endpoints" | "EndpointSlice", "kubernetes")
            | ("ServiceAccount", "default")
            | ("ConfigMap", "kube-root-ca.crt")
            | ("Event", _)
    )
}

/// Whether a controller created the object (its owner carries the finding).
fn is_owned(object: &Object) -> bool {
    object
        .metadata()
        .and_then(|m| m.get("ownerReferences"))
        .is_some_and(|refs| !refs.items().is_empty())
}

impl Check for DefaultNamespace {
    fn check_object(&self, object: &Object, _inventory: &Inventory, out: &mut Sink<'_>) {
        if object.namespace.as_deref() != Some("default")
            || object.kind.starts_with("Cluster")
            || CLUSTER_SCOPED_KINDS.contains(&&*object.kind)
            || is_system_object(object)
            || is_owned(object)
        {
            return;
        }
        let Some(entry) = object.metadata().and_then(|m| m.entry("namespace")) else {
            return;
        };
        out.report(
            entry.key_pos,
            "metadata.namespace",
            format!(
                "{} \"{}\" is placed in the default namespace",
                object.kind, object.name
            ),
        );
    }
}
