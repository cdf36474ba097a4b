//! Flags Services of type `LoadBalancer` that accept traffic from any address.

use std::net::IpAddr;

use crate::check::{Check, Reference, Sink};
use crate::document::Node;
use crate::inventory::Inventory;
use crate::object::Object;

crate::declare_check! {
    /// ## What it flags
    /// Services with `spec.type: LoadBalancer` that are reachable from any address: neither
    /// `spec.loadBalancerSourceRanges` nor the `service.beta.kubernetes.io/load-balancer-source-ranges`
    /// annotation is set, or the ranges in effect contain a prefix of length 0 (`0.0.0.0/0`,
    /// `::/0`). As in Kubernetes, the spec field wins over the annotation when both are set.
    ///
    /// Load balancers that a cloud provider keeps inside the private network are skipped. The
    /// annotations that mark them are:
    /// - `service.beta.kubernetes.io/aws-load-balancer-internal` (any value but `false`)
    /// - `service.beta.kubernetes.io/aws-load-balancer-scheme: internal`
    /// - `networking.gke.io/load-balancer-type: Internal`
    /// - `cloud.google.com/load-balancer-type: Internal` (older GKE spelling)
    /// - `service.beta.kubernetes.io/azure-load-balancer-internal: "true"`
    /// - `service.beta.kubernetes.io/oci-load-balancer-internal: "true"`
    /// - `service.beta.kubernetes.io/openstack-internal-load-balancer: "true"`
    ///
    /// ## Why it matters
    /// A cloud load balancer gets a public address by default. Without source ranges, the
    /// service behind it is open to the whole internet, where scanners find it within minutes;
    /// services meant for a few partners or an office network end up exposed to everyone.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Service
    /// spec:
    ///   type: LoadBalancer
    ///   ports:
    ///   - port: 443
    /// ```
    ///
    /// ## Fix
    /// List the networks that need access, or make the load balancer internal:
    /// ```yaml
    /// spec:
    ///   type: LoadBalancer
    ///   loadBalancerSourceRanges: ["203.0.113.0/24"]
    /// ```
    /// Public web traffic is better served through an Ingress or Gateway, where TLS,
    /// authentication and rate limits apply in one place.
    ///
    /// ## References
    /// NSA/CISA "Network separation and hardening"; MITRE ATT&CK T1190 (Exploit Public-Facing
    /// Application); CWE-284.
    pub struct ServiceLoadBalancer {
        id: "PAL-202",
        slug: "service-load-balancer",
        title: "LoadBalancer Service accepts traffic from any address",
        severity: Medium,
        area: Network,
        remediation: "Set spec.loadBalancerSourceRanges to the networks that need access, or make the load balancer internal.",
        references: [
            Reference::NsaCisa("network-separation"),
            Reference::MitreAttack("T1190"),
            Reference::Cwe("CWE-284"),
        ],
    }
}

const SOURCE_RANGES_ANNOTATION: &str = "service.beta.kubernetes.io/load-balancer-source-ranges";

/// Whether a cloud provider's annotation keeps the load balancer on the private network.
fn is_internal(object: &Object) -> bool {
    let is = |key: &str, wanted: &str| {
        object
            .annotation(key)
            .is_some_and(|v| v.trim().eq_ignore_ascii_case(wanted))
    };
    object
        .annotation("service.beta.kubernetes.io/aws-load-balancer-internal")
        .is_some_and(|v| !v.trim().eq_ignore_ascii_case("false") && !v.trim().is_empty())
        || is("service.beta.kubernetes.io/aws-load-balancer-scheme", "internal")
        || is("networking.gke.io/load-balancer-type", "Internal")
        || is("cloud.google.com/load-balancer-type", "Internal")
        || is("service.beta.kubernetes.io/azure-load-balancer-internal", "true")
        || is("service.beta.kubernetes.io/oci-load-balancer-internal", "true")
        || is("service.beta.kubernetes.io/openstack-internal-load-balancer", "true")
}

/// Whether a CIDR covers every address (prefix length 0).
fn is_open_range(cidr: &str) -> bool {
    let Some((address, prefix)) = cidr.trim().split_once('/') else {
        return false;
    };
    prefix.trim().parse::<u8>() == Ok(0) && address.trim().parse::<IpAddr>().is_ok()
}

impl Check for ServiceLoadBalancer {
    fn check_object(&self, object: &Object, _inventory: &Inventory, out: &mut Sink<'_>) {
        if &*object.kind != "Service" || !object.group().is_empty() {
            return;
        }
        let Some(spec) = object.root.get("spec") else {
            return;
        };
        let Some(type_entry) = spec.entry("type") else {
            return;
        };
        if type_entry.value.as_str() != Some("LoadBalancer") || is_internal(object) {
            return;
        }
        let name = &object.name;
        let spec_ranges: &[Node] = spec
            .get("loadBalancerSourceRanges")
            .map_or(&[], Node::items);
        if !spec_ranges.is_empty() {
            for (index, item) in spec_ranges.iter().enumerate() {
                if let Some(cidr) = item.as_str()
                    && is_open_range(cidr)
                {
                    out.report(
                        item.pos,
                        format!("spec.loadBalancerSourceRanges[{index}]"),
                        format!(
                            "LoadBalancer Service \"{name}\" allows {}, i.e. every address",
                            cidr.trim()
                        ),
                    );
                }
            }
            return;
        }
        let annotation = object
            .metadata()
            .and_then(|m| m.get("annotations"))
            .and_then(|a| a.entry(SOURCE_RANGES_ANNOTATION));
        if let Some(entry) = annotation
            && let Some(text) = entry.value.as_str()
            && !text.trim().is_empty()
        {
            if let Some(open) = text.split(',').find(|cidr| is_open_range(cidr)) {
                out.report(
                    entry.key_pos,
                    format!("metadata.annotations.{SOURCE_RANGES_ANNOTATION}"),
                    format!(
                        "LoadBalancer Service \"{name}\" allows {}, i.e. every address",
                        open.trim()
                    ),
                );
            }
            return;
        }
        out.report(
            type_entry.key_pos,
            "spec.type",
            format!(
                "LoadBalancer Service \"{name}\" sets no loadBalancerSourceRanges and is reachable from any address"
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::is_open_range;

    #[test]
    fn only_zero_length_prefixes_are_open() {
        assert!(is_open_range("0.0.0.0/0"));
        assert!(is_open_range(" ::/0 "));
        assert!(is_open_range("10.0.0.0/0"));
        assert!(!is_open_range("10.0.0.0/8"));
        assert!(!is_open_range("0.0.0.0"));
        assert!(!is_open_range("nonsense/0"));
    }
}
