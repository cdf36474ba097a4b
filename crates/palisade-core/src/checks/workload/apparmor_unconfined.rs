//! Flags containers whose AppArmor profile is explicitly `Unconfined`.

use crate::check::{Check, Reference, Sink};
use crate::document::{Node, Pos};
use crate::workload::PodView;

use super::{annotation_entry, is_privileged};

crate::declare_check! {
    /// ## What it flags
    /// Containers of any kind to which an `Unconfined` AppArmor profile applies. The profile is
    /// resolved as Kubernetes resolves it, first match wins:
    ///
    /// 1. the container's `securityContext.appArmorProfile.type`;
    /// 2. the annotation `container.apparmor.security.beta.kubernetes.io/<container>`
    ///    (value `unconfined`);
    /// 3. the pod's `securityContext.appArmorProfile.type`.
    ///
    /// So a container that sets `RuntimeDefault` or `Localhost` is not flagged even when the pod
    /// says `Unconfined`. Privileged containers (which run without AppArmor anyway) and Windows
    /// pods are skipped.
    ///
    /// ## Why it matters
    /// On nodes with AppArmor, the runtime's default profile denies writes to sensitive parts of
    /// `/proc` and `/sys`, mounting, and other operations used in container escapes.
    /// `Unconfined` removes that layer on purpose, so a single leftover capability or kernel
    /// flaw is enough to reach the node.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   appArmorProfile:
    ///     type: Unconfined
    /// ```
    ///
    /// ## Fix
    /// Remove the setting (the runtime default applies) or set `type: RuntimeDefault`, or
    /// `Localhost` with a profile loaded on the nodes.
    ///
    /// ## References
    /// NSA/CISA "Pod security"; Pod Security Standards baseline "AppArmor"; MITRE ATT&CK T1611
    /// (Escape to Host).
    pub struct ApparmorUnconfined {
        id: "PAL-116",
        slug: "apparmor-unconfined",
        title: "Container's AppArmor profile is Unconfined",
        severity: High,
        area: Workload,
        remediation: "Remove the Unconfined AppArmor profile or set appArmorProfile.type to RuntimeDefault or Localhost.",
        references: [
            Reference::NsaCisa("pod-security"),
            Reference::Pss("baseline/appArmorProfile"),
            Reference::MitreAttack("T1611"),
        ],
    }
}

/// The `type` entry of an `appArmorProfile` mapping: its position and whether it is
/// `Unconfined`.
fn profile_type(profile: Option<&Node>) -> Option<(Pos, bool)> {
    let entry = profile.filter(|n| !n.is_null())?.entry("type")?;
    Some((entry.key_pos, entry.value.as_str() == Some("Unconfined")))
}

impl Check for ApparmorUnconfined {
    fn check_pod(&self, pod: &PodView<'_>, out: &mut Sink<'_>) {
        if pod.is_windows() {
            return;
        }
        for container in pod.containers() {
            if is_privileged(&container) {
                continue;
            }
            let own = container
                .security_context()
                .and_then(|sc| sc.get("appArmorProfile"));
            let annotation_key = format!(
                "container.apparmor.security.beta.kubernetes.io/{}",
                container.name()
            );
            let annotation = annotation_entry(pod, &annotation_key);
            let found = if let Some((pos, unconfined)) = profile_type(own) {
                unconfined.then(|| {
                    (
                        pos,
                        container.field_path("securityContext.appArmorProfile.type"),
                        "the container's securityContext",
                    )
                })
            } else if let Some((entry, path)) = annotation {
                (entry.value.as_str().map(str::trim) == Some("unconfined"))
                    .then_some((entry.key_pos, path, "a container annotation"))
            } else {
                let pod_profile = pod
                    .security_context()
                    .and_then(|sc| sc.get("appArmorProfile"));
                profile_type(pod_profile).and_then(|(pos, unconfined)| {
                    unconfined.then(|| {
                        (
                            pos,
                            pod.field_path("securityContext.appArmorProfile.type"),
                            "the pod's securityContext",
                        )
                    })
                })
            };
            if let Some((pos, path, source)) = found {
                out.report(
                    pos,
                    path,
                    format!(
                        "{} runs without AppArmor confinement: the profile is Unconfined in \
                         {source}",
                        container.describe()
                    ),
                );
            }
        }
    }
}
