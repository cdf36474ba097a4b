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
    default_service_account::DefaultServiceAccount,
}
