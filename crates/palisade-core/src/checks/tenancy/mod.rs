//! Checks of namespaces and tenancy boundaries.

crate::check::registry! {
    default_namespace::DefaultNamespace,
    namespace_without_pod_security::NamespaceWithoutPodSecurity,
}
