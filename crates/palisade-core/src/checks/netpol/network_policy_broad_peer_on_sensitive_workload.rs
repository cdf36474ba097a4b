//! NetworkPolicy opens a sensitive workload to every namespace or every address: the `network-policy-broad-peer-on-sensitive-workload` check (PAL-608).

use crate::check::{Check, Reference, Sink};
use crate::inventory::Inventory;
use crate::netpol::{Lint, lint};

crate::declare_check! {
    /// ## What it flags
    /// Rules of a NetworkPolicy that selects a sensitive workload and that admit every pod of
    /// every namespace (`namespaceSelector: {}` without a narrower pod selector), every address
    /// (an ipBlock of `0.0.0.0/0` or `::/0`), or every peer (a rule without `from`/`to`), in
    /// either direction. A workload is sensitive when its pods hold something worth stealing or
    /// a foothold on the node: a mounted Secret or one read into the environment, a privileged
    /// container, a hostPath volume, `hostNetwork` or `hostPID`. The finding points at the peer.
    ///
    /// ## Why it matters
    /// Inbound, such a rule lets any compromised pod (or the internet) reach the workload
    /// holding credentials; outbound, it lets that workload send them anywhere. These are
    /// the flows segmentation exists to cut.
    ///
    /// ## Example
    /// A Deployment mounting Secret `db-credentials`, with a policy admitting
    /// `namespaceSelector: {}`.
    ///
    /// ## Fix
    /// Name the namespaces and pods (or address ranges) that need the connection, and the
    /// ports.
    ///
    /// ## References
    /// NSA/CISA "Network separation and hardening"; MITRE ATT&CK T1552 (Unsecured
    /// Credentials); CWE-284.
    pub struct NetworkPolicyBroadPeerOnSensitiveWorkload {
        id: "PAL-608",
        slug: "network-policy-broad-peer-on-sensitive-workload",
        title: "NetworkPolicy opens a sensitive workload to every namespace or every address",
        severity: High,
        area: Netpol,
        remediation: "Replace the broad peer with the namespaces, pods or address ranges that need the connection, limited to the ports used.",
        references: [
            Reference::NsaCisa("network-separation"),
            Reference::MitreAttack("T1552"),
            Reference::Cwe("CWE-284"),
        ],
    }
}

impl Check for NetworkPolicyBroadPeerOnSensitiveWorkload {
    fn check_inventory(&self, inventory: &Inventory, out: &mut Sink<'_>) {
        for f in lint(inventory, Lint::BroadPeerOnSensitiveWorkload) {
            out.report_on(f.object, &f.file, f.pos, f.path, f.message);
        }
    }
}
