//! Workload → its service account, when the token is mounted.

use super::{Technique, workload_vertex};
use crate::document::Node;
use crate::graph::context::{service_account_vertex_name, volume_vertex_name};
use crate::graph::{Context, EdgeSink, Evidence, VertexKind};

declare_technique! {
    /// ## What
    /// A workload's pods carry the token of their service account (unless
    /// `automountServiceAccountToken: false` on the pod or the account), so whoever runs code in
    /// them acts as that account. A projected volume with a `serviceAccountToken` source (as
    /// `kube-api-access-*` in a live Pod, or declared by hand, automounting off or not) is a
    /// vertex of its own: workload → volume (`T-MOUNT-VOLUME`) → account. A token for another
    /// audience than the API server's is not followed.
    ///
    /// ## Why
    /// The token is a file in every container; reading it needs no privilege.
    ///
    /// ## Evidence
    /// The `serviceAccountToken` source of a projected volume, or else `serviceAccountName` (or
    /// the pod spec, for the default account).
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
        for w in &context.workloads {
            let account = service_account_vertex_name(w.namespace, &w.service_account);
            let mut declared = false;
            for volume in w.pod.volumes() {
                let Some(volume_name) = volume.get("name").and_then(Node::as_str) else {
                    continue;
                };
                for source in volume
                    .path(&["projected", "sources"])
                    .map(Node::items)
                    .unwrap_or_default()
                {
                    let Some(entry) = source.entry("serviceAccountToken") else {
                        continue;
                    };
                    if !for_the_api_server(&entry.value) {
                        continue;
                    }
                    declared = true;
                    let from = out.vertex(
                        VertexKind::Volume,
                        &volume_vertex_name(&w.name, volume_name),
                    );
                    let to = out.vertex(VertexKind::ServiceAccount, &account);
                    let evidence = Evidence::at(
                        w.file(),
                        entry.key_pos,
                        format!("projected token of service account {}", w.service_account),
                    );
                    out.edge(from, to, vec![evidence, w.service_account_evidence.clone()]);
                }
            }
            // The automounted token is a volume the API server adds: no vertex of its own.
            if w.automount && !declared {
                let from = workload_vertex(out, w);
                let to = out.vertex(VertexKind::ServiceAccount, &account);
                out.edge(from, to, vec![w.service_account_evidence.clone()]);
            }
        }
    }
}

/// Whether a projected `serviceAccountToken` source is a token the API server accepts: one
/// without an `audience` (the API server's), or one whose audience names the API server. A
/// token for another audience (a vault, a cloud's workload identity) is not accepted by it.
fn for_the_api_server(source: &Node) -> bool {
    match source.get("audience").and_then(Node::as_str) {
        None | Some("") => true,
        Some(audience) => audience.contains("kubernetes.default.svc") || audience == "api",
    }
}
