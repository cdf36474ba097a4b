//! Flags containers without a CPU request.

use crate::check::{Check, Reference, Sink};
use crate::inventory::Inventory;
use crate::object::Object;

use super::cpu_limit_missing::{ResourceSetting, report_missing_resource};

crate::declare_check! {
    /// ## What it flags
    /// Regular and init containers without `resources.requests.cpu`. A container that sets
    /// `resources.limits.cpu` is not flagged, because Kubernetes then uses the limit as the
    /// request. Ephemeral containers cannot have resources and are skipped. Nothing is flagged
    /// when the pod spec sets a pod-level `resources.requests.cpu`, or when a LimitRange in the
    /// same namespace sets a `defaultRequest.cpu` or `default.cpu` for containers.
    ///
    /// ## Why it matters
    /// The scheduler places pods by their requests. A container without a CPU request counts as
    /// needing nothing, so nodes get overcommitted and, under contention, the container gets
    /// only a minimal CPU share while noisy neighbours take the rest; such pods are also the
    /// first to be evicted.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    /// - name: app
    ///   image: registry.example/app:1.4.2
    ///   resources:
    ///     requests: {memory: 256Mi}
    /// ```
    ///
    /// ## Fix
    /// Set `resources.requests.cpu` to the CPU the container needs under normal load, or give
    /// the namespace a LimitRange with a default CPU request.
    ///
    /// ## References
    /// NSA/CISA "Resource policies"; MITRE ATT&CK T1496 (Resource Hijacking) and T1499 (Endpoint
    /// Denial of Service); CWE-770.
    pub struct CpuRequestMissing {
        id: "PAL-123",
        slug: "cpu-request-missing",
        title: "Container has no CPU request",
        severity: Low,
        area: Workload,
        remediation: "Set resources.requests.cpu on the container, or add a LimitRange with a default CPU request to the namespace.",
        references: [
            Reference::NsaCisa("resource-policies"),
            Reference::MitreAttack("T1496"),
            Reference::MitreAttack("T1499"),
            Reference::Cwe("CWE-770"),
        ],
    }
}

impl Check for CpuRequestMissing {
    fn check_object(&self, object: &Object, inventory: &Inventory, out: &mut Sink<'_>) {
        report_missing_resource(
            object,
            inventory,
            ResourceSetting {
                section: "requests",
                resource: "cpu",
            },
            out,
        );
    }
}
