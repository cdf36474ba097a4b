//! Workload → its service account, when the token is mounted.

use super::{Technique, workload_vertex};
use crate::graph::context::service_account_vertex_name;
use crate::graph::{Context, EdgeSink, VertexKind};

declare_technique! {
    /// ## What
    /// A workload's pods carry the token of their service account (unless
    /// `automountServiceAccountToken: false` on the pod or the account), so whoever runs code in
    /// them acts as that account.
    ///
    /// ## Why
    /// The token is a file in every container; reading it needs no privilege.
    ///
    /// ## Evidence
    /// `serviceAccountName` (or the pod spec, for the default account).
    ///
    /// ## MITRE
    /// T1528 (Steal Application Access Token).
    pub struct MountToken {
        id: "T-MOUNT-TOKEN",
        slug: "mount-token",
        name: "Mounted service account token",
        mitre: ["T1528"],
    }
}

impl Technique for MountToken {
    fn add_edges(&self, context: &Context<'_>, out: &mut EdgeSink<'_>) {
        for w in context.workloads.iter().filter(|w| w.automount) {
            let from = workload_vertex(out, w);
            let to = out.vertex(
                VertexKind::ServiceAccount,
                &service_account_vertex_name(w.namespace, &w.service_account),
            );
            out.edge(from, to, vec![w.service_account_evidence.clone()]);
        }
    }
}
