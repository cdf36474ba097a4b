//! Permission to have client certificates issued → the new identity the signer vouches for.

use super::Technique;
use crate::graph::context::{CLIENT_SIGNER, KUBELET_SIGNER};
use crate::graph::{Capability, Context, EdgeSink, Evidence, VertexKind};

declare_technique! {
    /// ## What
    /// Whoever may create a CertificateSigningRequest, approve it and read the issued
    /// certificate back holds a new identity, which depends on the signer:
    ///
    /// - approving requests needs `update` (or `patch`) on `certificatesigningrequests/approval`
    ///   and `approve` on `signers` named after the signer, or after its domain with `/*`
    ///   (`kubernetes.io/*`), or on every signer;
    /// - creating needs `create` on `certificatesigningrequests` (never limited by name), and
    ///   reading the certificate `get`, `list` or `watch` on them — the requester picks the
    ///   request's name, so approval and reading limited to named requests serve as well.
    ///
    /// With `kubernetes.io/kube-apiserver-client` the certificate may name any user and any
    /// group: `new-identity:kubernetes.io/kube-apiserver-client` → `group:system:masters`.
    /// With `kubernetes.io/kube-apiserver-client-kubelet` it names a node's kubelet
    /// (`system:node:<name>` in group `system:nodes`): the new identity leads to
    /// `group:system:nodes` and what RBAC grants it.
    ///
    /// ## Why
    /// Certificates cannot be revoked; the new identity outlives any cleanup of RBAC.
    ///
    /// ## Evidence
    /// The grants of approval, of the signer, of creating and of reading requests; then what the
    /// signer's certificates authenticate as.
    ///
    /// ## MITRE
    /// T1649 (Steal or Forge Authentication Certificates).
    pub struct ApproveCsr {
        id: "T-APPROVE-CSR",
        slug: "approve-csr",
        name: "Approve a client certificate",
        mitre: ["T1649"],
    }
}

impl Technique for ApproveCsr {
    fn add_edges(&self, context: &Context<'_>, out: &mut EdgeSink<'_>) {
        for (set, grant) in &context.permission_sets {
            let (signer, group, why) = match set.capability {
                Capability::ApproveCsr => (
                    CLIENT_SIGNER,
                    "system:masters",
                    "the signer issues certificates for any group: organization system:masters",
                ),
                Capability::ApproveKubeletCsr => (
                    KUBELET_SIGNER,
                    "system:nodes",
                    "the signer issues certificates for user system:node:<name> in group system:nodes",
                ),
                _ => continue,
            };
            let group_name = format!("group:{group}");
            // A kubelet identity leads on only where RBAC grants system:nodes something (the
            // Node authorizer is not modelled).
            if group != "system:masters"
                && !context
                    .identities
                    .iter()
                    .any(|i| i.name == group_name && !i.held.is_empty())
            {
                continue;
            }
            let from = out.vertex(VertexKind::Permission, &set.vertex_name());
            let identity = out.vertex(VertexKind::NewIdentity, &format!("new-identity:{signer}"));
            out.edge(from, identity, grant.clone());
            let to = out.vertex(VertexKind::Group, &group_name);
            out.edge(identity, to, vec![Evidence::note(why)]);
        }
    }
}
