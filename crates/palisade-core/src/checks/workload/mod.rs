//! Checks of pod and container settings: privileges, isolation from the host, identities,
//! resources and images.
//!
//! Besides the registry, this module holds the few helpers that several checks of the area
//! share (pod annotations with their positions); each check's own logic stays in its file.

use crate::document::{Entry, Node};
use crate::workload::PodView;

crate::check::registry! {
    privileged_container::PrivilegedContainer,
    host_pid::HostPid,
    host_ipc::HostIpc,
    host_network::HostNetwork,
    host_path_volume::HostPathVolume,
    container_runtime_socket::ContainerRuntimeSocket,
    host_port::HostPort,
    dangerous_capabilities::DangerousCapabilities,
    capabilities_not_dropped::CapabilitiesNotDropped,
    privilege_escalation_allowed::PrivilegeEscalationAllowed,
    run_as_root_allowed::RunAsRootAllowed,
    run_as_uid_zero::RunAsUidZero,
    writable_root_filesystem::WritableRootFilesystem,
    seccomp_profile_missing::SeccompProfileMissing,
    seccomp_unconfined::SeccompUnconfined,
    apparmor_unconfined::ApparmorUnconfined,
    selinux_custom_options::SelinuxCustomOptions,
    unsafe_sysctls::UnsafeSysctls,
    proc_mount_unmasked::ProcMountUnmasked,
    service_account_token_automount::ServiceAccountTokenAutomount,
    cpu_limit_missing::CpuLimitMissing,
    memory_limit_missing::MemoryLimitMissing,
    cpu_request_missing::CpuRequestMissing,
    memory_request_missing::MemoryRequestMissing,
    image_tag_mutable::ImageTagMutable,
    image_without_digest::ImageWithoutDigest,
    image_pull_policy_not_always::ImagePullPolicyNotAlways,
    secret_in_env_literal::SecretInEnvLiteral,
    liveness_probe_missing::LivenessProbeMissing,
    readiness_probe_missing::ReadinessProbeMissing,
    windows_host_process::WindowsHostProcess,
    share_process_namespace::ShareProcessNamespace,
    default_service_account::DefaultServiceAccount,
    pss_baseline::PssBaseline,
    pss_restricted::PssRestricted,
}

/// A pod template annotation entry (so findings can point at its key) and its field path.
pub(crate) fn annotation_entry<'a>(pod: &PodView<'a>, key: &str) -> Option<(&'a Entry, String)> {
    let entry = pod.metadata?.get("annotations")?.entry(key)?;
    // The metadata sits beside the spec: `spec` -> `metadata`, `spec.template.spec` ->
    // `spec.template.metadata`.
    let prefix = pod.spec_path.strip_suffix("spec").unwrap_or("");
    Some((entry, format!("{prefix}metadata.annotations[\"{key}\"]")))
}

/// Whether the container's effective `privileged` is true. Confinement settings (seccomp,
/// AppArmor, dropped capabilities) have no effect on such a container, so checks about them
/// leave it to `privileged-container`.
pub(crate) fn is_privileged(container: &crate::workload::ContainerView<'_>) -> bool {
    container
        .effective("privileged")
        .is_some_and(|s| s.node.as_bool() == Some(true))
}

/// A capability name as the runtimes read it: upper case, without the `CAP_` prefix.
pub(crate) fn capability_name(node: &Node) -> Option<String> {
    let text = node.scalar_text()?;
    let upper = text.trim().to_ascii_uppercase();
    Some(upper.strip_prefix("CAP_").unwrap_or(&upper).to_string())
}

/// Runs one check of this area on a YAML text and returns its messages, for unit tests that
/// look at what a finding says rather than where it points (the fixtures cover that).
#[cfg(test)]
pub(crate) fn messages_of(slug: &str, yaml: &str) -> Vec<String> {
    let registered = CHECKS
        .iter()
        .find(|r| r.meta.slug == slug)
        .expect("a check of this area");
    let file: std::sync::Arc<str> = "test.yaml".into();
    let loaded = crate::load::load_text(&file, yaml);
    let inventory = crate::inventory::Inventory::new(loaded.objects);
    crate::scan::scan(&inventory, &[registered], jiff::civil::date(2026, 1, 1))
        .findings
        .into_iter()
        .map(|r| r.finding.message)
        .collect()
}
