//! Flags Services that set `spec.externalIPs`.

use crate::check::{Check, Reference, Sink};
use crate::document::Node;
use crate::inventory::Inventory;
use crate::object::Object;

crate::declare_check! {
    /// ## What it flags
    /// Services with a non-empty `spec.externalIPs` list.
    ///
    /// ## Why it matters
    /// kube-proxy routes traffic for every address in `externalIPs` to the Service, on every
    /// node, without checking that the address belongs to the Service's owner. Anyone who can
    /// create or update a Service can therefore claim any address — another tenant's service,
    /// a cloud metadata endpoint, a well-known DNS resolver — and intercept the cluster's
    /// traffic to it (CVE-2020-8554, which Kubernetes will not fix in kube-proxy). Legitimate
    /// uses are rare; the usual advice is to forbid the field with admission control.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Service
    /// spec:
    ///   externalIPs: ["8.8.8.8"]
    /// ```
    ///
    /// ## Fix
    /// Remove `externalIPs` and expose the Service through a LoadBalancer, an Ingress or a
    /// Gateway. Block the field cluster-wide with an admission policy (for example the
    /// `DenyServiceExternalIPs` admission plugin), allowing only audited exceptions.
    ///
    /// ## References
    /// NSA/CISA "Network separation and hardening"; MITRE ATT&CK T1557 (Adversary-in-the-Middle);
    /// CVE-2020-8554; CWE-284.
    pub struct ServiceExternalIps {
        id: "PAL-204",
        slug: "service-external-ips",
        title: "Service claims external IPs (CVE-2020-8554)",
        severity: High,
        area: Network,
        remediation: "Remove spec.externalIPs and deny the field with an admission policy.",
        references: [
            Reference::NsaCisa("network-separation"),
            Reference::MitreAttack("T1557"),
            Reference::Cwe("CWE-284"),
        ],
    }
}

impl Check for ServiceExternalIps {
    fn check_object(&self, object: &Object, _inventory: &Inventory, out: &mut Sink<'_>) {
        if &*object.kind != "Service" || !object.group().is_empty() {
            return;
        }
        let Some(entry) = object
            .root
            .get("spec")
            .and_then(|spec| spec.entry("externalIPs"))
        else {
            return;
        };
        let addresses: Vec<&str> = entry
            .value
            .items()
            .iter()
            .filter_map(Node::as_str)
            .filter(|a| !a.trim().is_empty())
            .collect();
        if addresses.is_empty() {
            return;
        }
        out.report(
            entry.key_pos,
            "spec.externalIPs",
            format!(
                "Service \"{}\" claims external IP(s) {}; traffic to them from the cluster is intercepted (CVE-2020-8554)",
                object.name,
                addresses.join(", ")
            ),
        );
    }
}
