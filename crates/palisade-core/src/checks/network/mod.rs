//! Checks of network exposure and segmentation: Services, Ingress, `NetworkPolicy` coverage.

crate::check::registry! {
    service_node_port::ServiceNodePort,
    service_load_balancer::ServiceLoadBalancer,
    ingress_without_tls::IngressWithoutTls,
    service_external_ips::ServiceExternalIps,
    namespace_without_network_policy::NamespaceWithoutNetworkPolicy,
}
