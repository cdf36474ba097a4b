//! Checks of pod and container settings: privileges, isolation from the host, identities,
//! resources and images.

crate::check::registry! {
    privileged_container::PrivilegedContainer,
    host_pid::HostPid,
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
}
