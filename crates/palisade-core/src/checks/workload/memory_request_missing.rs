//! Flags containers without a memory request.

use crate::check::{Check, Reference, Sink};
use crate::inventory::Inventory;
use crate::object::Object;

use super::cpu_limit_missing::{ResourceSetting, report_missing_resource};

crate::declare_check! {
    /// ## What it flags
    /// Regular and init containers without `resources.requests.memory`. A container that sets
    /// `resources.limits.memory` is not flagged, because Kubernetes then uses the limit as the
    /// request. Ephemeral containers cannot have resources and are skipped. Nothing is flagged
    /// when the pod spec sets a pod-level `resources.requests.memory`, or when a LimitRange in
    /// the same namespace sets a `defaultRequest.memory` or `default.memory` for containers.
    ///
    /// ## Why it matters
    /// Without a memory request the scheduler assumes the container needs no memory and may
    /// pack it onto a node that cannot hold it. When the node runs short, pods using more than
    /// they requested are evicted first, so the workload's availability depends on what else
    /// happens to run beside it.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    /// - name: app
    ///   image: registry.example/app:1.4.2
    ///   resources:
    ///     requests: {cpu: 250m}
    /// ```
    ///
    /// ## Fix
    /// Set `resources.requests.memory` to what the container uses under normal load, or give the
    /// namespace a LimitRange with a default memory request.
    ///
    /// ## References
    /// NSA/CISA "Resource policies"; MITRE ATT&CK T1496 (Resource Hijacking) and T1499 (Endpoint
    /// Denial of Service); CWE-770.
    pub struct MemoryRequestMissing {
        id: "PAL-124",
        slug: "memory-request-missing",
        title: "Container has no memory request",
        severity: Low,
        area: Workload,
        remediation: "Set resources.requests.memory on the container, or add a LimitRange with a default memory request to the namespace.",
        references: [
            Reference::NsaCisa("resource-policies"),
            Reference::MitreAttack("T1496"),
            Reference::MitreAttack("T1499"),
            Reference::Cwe("CWE-770"),
        ],
    }
}

impl Check for MemoryRequestMissing {
    fn check_object(&self, object: &Object, inventory: &Inventory, out: &mut Sink<'_>) {
        report_missing_resource(
            object,
            inventory,
            ResourceSetting {
                section: "requests",
                resource: "memory",
            },
            out,
        );
    }
}
