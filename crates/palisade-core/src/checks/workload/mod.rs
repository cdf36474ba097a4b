//! Checks of pod and container settings: privileges, isolation from the host, identities,
//! resources and images.

crate::check::registry! {
    privileged_container::PrivilegedContainer,
    host_pid::HostPid,
}
