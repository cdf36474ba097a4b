//! Flags SELinux options that give a pod or container a custom SELinux user, role or type.

use crate::check::{Check, Reference, Sink};
use crate::document::Node;
use crate::workload::PodView;

crate::declare_check! {
    /// ## What it flags
    /// `seLinuxOptions` at pod level or on any container (regular, init, ephemeral) that set
    /// `user` or `role`, or a `type` other than the container types the Pod Security Standards
    /// allow: `container_t`, `container_init_t`, `container_kvm_t` and `container_engine_t`.
    /// `level` (the MCS category) is not flagged. Windows pods are skipped.
    ///
    /// ## Why it matters
    /// The SELinux type is what confines a container process on SELinux-enforcing nodes. Types
    /// such as `spc_t` ("super privileged container") or `unconfined_t` switch that confinement
    /// off, and a custom user or role can grant access the container policy never intended, so
    /// a process breaking out of the container's namespaces is no longer stopped by SELinux.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   seLinuxOptions:
    ///     type: spc_t
    /// ```
    ///
    /// ## Fix
    /// Remove `user` and `role`, and either remove `type` (the runtime picks `container_t`) or
    /// set one of the allowed container types. Keep `level` if the workload needs a specific MCS
    /// category.
    ///
    /// ## References
    /// NSA/CISA "Pod security"; Pod Security Standards baseline "SELinux"; MITRE ATT&CK T1611
    /// (Escape to Host).
    pub struct SelinuxCustomOptions {
        id: "PAL-117",
        slug: "selinux-custom-options",
        title: "SELinux options set a custom user, role or type",
        severity: Medium,
        area: Workload,
        remediation: "Remove seLinuxOptions.user and seLinuxOptions.role, and leave seLinuxOptions.type unset or set it to container_t, container_init_t, container_kvm_t or container_engine_t.",
        references: [
            Reference::NsaCisa("pod-security"),
            Reference::Pss("baseline/seLinuxOptions"),
            Reference::MitreAttack("T1611"),
        ],
    }
}

/// Reports the custom fields of one `seLinuxOptions` mapping found under `path`.
fn check_options(options: &Node, path: &str, owner: &str, out: &mut Sink<'_>) {
    for entry in options.entries() {
        let value = entry.value.scalar_text().unwrap_or_default();
        if value.is_empty() {
            continue;
        }
        let message = match &*entry.key {
            // The allowed types are the Pod Security Standards' own, at the newest version.
            "type"
                if !crate::pss::checks::allowed_selinux_types(crate::pss::Version::Latest)
                    .contains(&value.as_ref()) =>
            {
                format!("{owner} sets SELinux type \"{value}\", which is not a confined container type")
            }
            "user" | "role" => format!("{owner} sets a custom SELinux {} \"{value}\"", entry.key),
            _ => continue,
        };
        out.report(entry.key_pos, format!("{path}.seLinuxOptions.{}", entry.key), message);
    }
}

impl Check for SelinuxCustomOptions {
    fn check_pod(&self, pod: &PodView<'_>, out: &mut Sink<'_>) {
        if pod.is_windows() {
            return;
        }
        // The pod-level value and each container's own value are checked once each, rather than
        // through inheritance, so a pod-level setting yields one finding instead of one per
        // container.
        if let Some(options) = pod.security_context().and_then(|sc| sc.get("seLinuxOptions")) {
            check_options(options, &pod.field_path("securityContext"), "pod", out);
        }
        for container in pod.containers() {
            if let Some(options) = container
                .security_context()
                .and_then(|sc| sc.get("seLinuxOptions"))
            {
                check_options(
                    options,
                    &container.field_path("securityContext"),
                    &container.describe(),
                    out,
                );
            }
        }
    }
}
