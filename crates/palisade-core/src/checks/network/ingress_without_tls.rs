//! Flags Ingresses that serve some or all of their hosts without TLS.

use crate::check::{Check, Reference, Sink};
use crate::document::Node;
use crate::inventory::Inventory;
use crate::object::Object;

crate::declare_check! {
    /// ## What it flags
    /// Ingresses (`networking.k8s.io/v1`, `networking.k8s.io/v1beta1` and
    /// `extensions/v1beta1`) that have rules but no `spec.tls`, and Ingresses whose rules name
    /// hosts that no `spec.tls[].hosts` entry covers. A TLS host `*.example.com` covers exactly
    /// one label in front of `example.com`, as in certificates. Each uncovered host is reported
    /// on its rule. Rules without a host are not reported when the Ingress has any TLS entry,
    /// since which certificate serves them depends on the controller's default. An Ingress
    /// without rules but with a default backend (`spec.defaultBackend`, or `spec.backend` in the
    /// beta APIs) and no TLS is reported at the backend.
    ///
    /// Ingresses whose TLS is configured by a cloud controller through annotations instead of
    /// `spec.tls` are skipped. The annotations recognised are
    /// `alb.ingress.kubernetes.io/certificate-arn` (AWS Load Balancer Controller),
    /// `networking.gke.io/managed-certificates`, `ingress.gcp.kubernetes.io/pre-shared-cert`
    /// and `ingress.kubernetes.io/ssl-cert` (GKE), and
    /// `appgw.ingress.kubernetes.io/appgw-ssl-certificate` (Azure Application Gateway).
    ///
    /// ## Why it matters
    /// Without TLS, requests and responses — session cookies, bearer tokens, passwords, personal
    /// data — cross the network in clear text. Anyone on the path (a shared network, a
    /// compromised node, a misrouted load balancer) can read and change them.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Ingress
    /// spec:
    ///   rules:
    ///   - host: shop.example.com
    ///     http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
    /// ```
    ///
    /// ## Fix
    /// Add a TLS entry covering every host, with a certificate Secret (issued, for example,
    /// by cert-manager), and redirect HTTP to HTTPS at the controller:
    /// ```yaml
    /// spec:
    ///   tls:
    ///   - hosts: [shop.example.com]
    ///     secretName: shop-example-com-tls
    /// ```
    ///
    /// ## References
    /// NSA/CISA "Network separation and hardening"; MITRE ATT&CK T1557 (Adversary-in-the-Middle)
    /// and T1040 (Network Sniffing); CWE-319.
    pub struct IngressWithoutTls {
        id: "PAL-203",
        slug: "ingress-without-tls",
        title: "Ingress serves hosts without TLS",
        severity: Medium,
        area: Network,
        remediation: "Add a spec.tls entry whose hosts cover every host of the Ingress rules, with a certificate Secret.",
        references: [
            Reference::NsaCisa("network-separation"),
            Reference::MitreAttack("T1557"),
            Reference::MitreAttack("T1040"),
            Reference::Cwe("CWE-319"),
        ],
    }
}

/// Annotations through which cloud ingress controllers attach certificates outside `spec.tls`.
const CLOUD_CERTIFICATE_ANNOTATIONS: &[&str] = &[
    "alb.ingress.kubernetes.io/certificate-arn",
    "networking.gke.io/managed-certificates",
    "ingress.gcp.kubernetes.io/pre-shared-cert",
    "ingress.kubernetes.io/ssl-cert",
    "appgw.ingress.kubernetes.io/appgw-ssl-certificate",
];

/// Whether a TLS host (possibly a `*.` wildcard) covers a rule host.
fn covers(tls_host: &str, host: &str) -> bool {
    let tls_host = tls_host.trim();
    let host = host.trim();
    if tls_host.eq_ignore_ascii_case(host) {
        return true;
    }
    let Some(suffix) = tls_host.strip_prefix("*.") else {
        return false;
    };
    host.split_once('.').is_some_and(|(label, rest)| {
        !label.is_empty() && label != "*" && rest.eq_ignore_ascii_case(suffix)
    })
}

impl Check for IngressWithoutTls {
    fn check_object(&self, object: &Object, _inventory: &Inventory, out: &mut Sink<'_>) {
        if &*object.kind != "Ingress"
            || !matches!(object.group(), "networking.k8s.io" | "extensions")
        {
            return;
        }
        let Some(spec) = object.root.get("spec") else {
            return;
        };
        if CLOUD_CERTIFICATE_ANNOTATIONS
            .iter()
            .any(|key| object.annotation(key).is_some_and(|v| !v.trim().is_empty()))
        {
            return;
        }
        let rules = spec.entry("rules").filter(|r| !r.value.items().is_empty());
        let served = rules.or_else(|| {
            ["defaultBackend", "backend"]
                .into_iter()
                .find_map(|key| spec.entry(key))
        });
        let Some(served) = served else {
            return;
        };
        let tls = spec.get("tls").map_or(&[][..], Node::items);
        let name = &object.name;
        if tls.is_empty() {
            out.report(
                served.key_pos,
                format!("spec.{}", served.key),
                format!("Ingress \"{name}\" has no spec.tls; its hosts are served over plain HTTP"),
            );
            return;
        }
        let tls_hosts: Vec<&str> = tls
            .iter()
            .flat_map(|entry| entry.get("hosts").map_or(&[][..], Node::items))
            .filter_map(Node::as_str)
            .collect();
        let Some(rules) = rules else {
            return;
        };
        for (index, rule) in rules.value.items().iter().enumerate() {
            let Some(host_entry) = rule.entry("host") else {
                continue;
            };
            let Some(host) = host_entry.value.as_str() else {
                continue;
            };
            if host.trim().is_empty() || tls_hosts.iter().any(|t| covers(t, host)) {
                continue;
            }
            out.report(
                host_entry.key_pos,
                format!("spec.rules[{index}].host"),
                format!("Ingress \"{name}\" serves host {host} without TLS: no spec.tls entry lists it"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::covers;

    #[test]
    fn wildcards_cover_one_label() {
        assert!(covers("shop.example.com", "SHOP.example.com"));
        assert!(covers("*.example.com", "shop.example.com"));
        assert!(!covers("*.example.com", "a.shop.example.com"));
        assert!(!covers("*.example.com", "example.com"));
        assert!(!covers("example.com", "shop.example.com"));
    }
}
