//! Checks of network exposure and segmentation: Services, Ingress, `NetworkPolicy` coverage.

crate::check::registry! {
    service_node_port::ServiceNodePort,
    namespace_without_network_policy::NamespaceWithoutNetworkPolicy,
}
