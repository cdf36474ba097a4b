//! Flags containers without a CPU limit, and holds the resource lookup shared by the four
//! missing-resource checks.

use crate::check::{Check, Reference, Sink};
use crate::document::Node;
use crate::inventory::Inventory;
use crate::object::Object;
use crate::workload::{ContainerKind, pod_specs};

crate::declare_check! {
    /// ## What it flags
    /// Regular and init containers without `resources.limits.cpu`. Ephemeral containers cannot
    /// have resources and are skipped. Nothing is flagged when the pod spec sets a pod-level
    /// `resources.limits.cpu`, or when the input has a LimitRange in the same namespace whose
    /// `Container` entry sets a `default.cpu`, since either supplies the limit.
    ///
    /// ## Why it matters
    /// Without a CPU limit a container may use every idle core of its node. A bug, a load spike
    /// or a compromised container running a cryptominer then slows down every other workload
    /// on that node, and a ResourceQuota on limits cannot be enforced for the namespace.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    /// - name: app
    ///   image: registry.example/app:1.4.2
    ///   resources:
    ///     requests: {cpu: 250m, memory: 256Mi}
    /// ```
    ///
    /// ## Fix
    /// Set `resources.limits.cpu` to what the container may use at most, or give the namespace
    /// a LimitRange with a default CPU limit.
    ///
    /// ## References
    /// NSA/CISA "Resource policies"; MITRE ATT&CK T1496 (Resource Hijacking) and T1499 (Endpoint
    /// Denial of Service); CWE-770.
    pub struct CpuLimitMissing {
        id: "PAL-121",
        slug: "cpu-limit-missing",
        title: "Container has no CPU limit",
        severity: Low,
        area: Workload,
        remediation: "Set resources.limits.cpu on the container, or add a LimitRange with a default CPU limit to the namespace.",
        references: [
            Reference::NsaCisa("resource-policies"),
            Reference::MitreAttack("T1496"),
            Reference::MitreAttack("T1499"),
            Reference::Cwe("CWE-770"),
        ],
    }
}

/// Which resource setting a missing-resource check is about.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ResourceSetting {
    /// `limits` or `requests`.
    pub section: &'static str,
    /// `cpu` or `memory`.
    pub resource: &'static str,
}

impl ResourceSetting {
    fn is_request(self) -> bool {
        self.section == "requests"
    }

    fn noun(self) -> &'static str {
        match (self.resource, self.is_request()) {
            ("cpu", false) => "CPU limit",
            ("cpu", true) => "CPU request",
            (_, false) => "memory limit",
            (_, true) => "memory request",
        }
    }
}

/// Whether a `resources` mapping sets `section.resource` to a value.
fn sets(resources: Option<&Node>, section: &str, resource: &str) -> bool {
    resources
        .and_then(|r| r.path(&[section, resource]))
        .is_some_and(|value| !value.is_null())
}

/// Whether a LimitRange of the object's namespace gives containers a default for `setting`.
/// A default limit also serves as the default request, as the LimitRanger admission plugin
/// applies it.
fn namespace_has_default(object: &Object, inventory: &Inventory, setting: ResourceSetting) -> bool {
    let mut fields = vec!["default"];
    if setting.is_request() {
        fields.push("defaultRequest");
    }
    inventory
        .of_kind("LimitRange")
        .filter(|(_, range)| range.namespace == object.namespace)
        .flat_map(|(_, range)| {
            range
                .root
                .path(&["spec", "limits"])
                .map_or(&[][..], Node::items)
        })
        .filter(|limit| limit.get("type").and_then(Node::as_str) == Some("Container"))
        .any(|limit| {
            fields.iter().any(|field| {
                limit
                    .path(&[field, setting.resource])
                    .is_some_and(|value| !value.is_null())
            })
        })
}

/// Reports regular and init containers of `object` that lack `setting`.
pub(crate) fn report_missing_resource(
    object: &Object,
    inventory: &Inventory,
    setting: ResourceSetting,
    out: &mut Sink<'_>,
) {
    let pods = pod_specs(object);
    if pods.is_empty() || namespace_has_default(object, inventory, setting) {
        return;
    }
    for pod in pods {
        if sets(pod.get("resources"), setting.section, setting.resource) {
            continue;
        }
        for container in pod.containers() {
            if container.kind == ContainerKind::Ephemeral {
                continue;
            }
            let resources = container.get("resources");
            if sets(resources, setting.section, setting.resource)
                // Kubernetes sets a missing request to the container's limit.
                || (setting.is_request() && sets(resources, "limits", setting.resource))
            {
                continue;
            }
            out.report(
                container.field_pos("resources"),
                container.field_path(&format!(
                    "resources.{}.{}",
                    setting.section, setting.resource
                )),
                format!("{} has no {}", container.describe(), setting.noun()),
            );
        }
    }
}

impl Check for CpuLimitMissing {
    fn check_object(&self, object: &Object, inventory: &Inventory, out: &mut Sink<'_>) {
        report_missing_resource(
            object,
            inventory,
            ResourceSetting {
                section: "limits",
                resource: "cpu",
            },
            out,
        );
    }
}
