//! Flags containers without a memory limit.

use crate::check::{Check, Reference, Sink};
use crate::inventory::Inventory;
use crate::object::Object;

use super::cpu_limit_missing::{ResourceSetting, report_missing_resource};

crate::declare_check! {
    /// ## What it flags
    /// Regular and init containers without `resources.limits.memory`. Ephemeral containers
    /// cannot have resources and are skipped. Nothing is flagged when the pod spec sets a
    /// pod-level `resources.limits.memory`, or when the input has a LimitRange in the same
    /// namespace whose `Container` entry sets a `default.memory`.
    ///
    /// ## Why it matters
    /// Memory cannot be throttled: a container without a limit can grow until the node runs out
    /// of memory, and the kernel's OOM killer or the kubelet's evictions then end other pods on
    /// that node, possibly system components. A leak or a deliberate allocation loop in one
    /// workload becomes an outage for its neighbours.
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
    /// Set `resources.limits.memory` to the most the container may use, or give the namespace
    /// a LimitRange with a default memory limit.
    ///
    /// ## References
    /// NSA/CISA "Resource policies"; MITRE ATT&CK T1496 (Resource Hijacking) and T1499 (Endpoint
    /// Denial of Service); CWE-770.
    pub struct MemoryLimitMissing {
        id: "PAL-122",
        slug: "memory-limit-missing",
        title: "Container has no memory limit",
        severity: Medium,
        area: Workload,
        remediation: "Set resources.limits.memory on the container, or add a LimitRange with a default memory limit to the namespace.",
        references: [
            Reference::NsaCisa("resource-policies"),
            Reference::MitreAttack("T1496"),
            Reference::MitreAttack("T1499"),
            Reference::Cwe("CWE-770"),
        ],
    }
}

impl Check for MemoryLimitMissing {
    fn check_object(&self, object: &Object, inventory: &Inventory, out: &mut Sink<'_>) {
        report_missing_resource(
            object,
            inventory,
            ResourceSetting {
                section: "limits",
                resource: "memory",
            },
            out,
        );
    }
}
