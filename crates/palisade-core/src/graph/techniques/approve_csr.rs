//! Permission to approve client certificates → a new identity of any group: cluster-admin.

use super::Technique;
use crate::graph::{Capability, Context, EdgeSink, VertexKind};

declare_technique! {
    /// ## What
    /// Whoever may approve CertificateSigningRequests (`update` on
    /// `certificatesigningrequests/approval` and `approve` on the signer) can create a CSR for
    /// the API server client signer naming any user and group, approve it, and log in with the
    /// issued certificate — as a member of `system:masters`.
    ///
    /// ## Why
    /// Certificates cannot be revoked; the new identity outlives any cleanup of RBAC.
    ///
    /// ## Evidence
    /// The grants of approval and of the signer.
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
        let admin = out.vertex(VertexKind::ClusterAdmin, "cluster-admin");
        super::to_vertex(
            context,
            out,
            Capability::ApproveCsr,
            admin,
            "a certificate for group system:masters can be issued and approved",
        );
    }
}
