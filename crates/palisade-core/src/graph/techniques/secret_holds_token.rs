//! Service-account-token Secret → that service account.

use super::Technique;
use crate::document::Node;
use crate::graph::context::service_account_vertex_name;
use crate::graph::{Context, EdgeSink, Evidence, VertexKind};

declare_technique! {
    /// ## What
    /// A Secret of type `kubernetes.io/service-account-token` holds a long-lived token of the
    /// service account named by its `kubernetes.io/service-account.name` annotation.
    ///
    /// ## Why
    /// Whoever reads the Secret can act as the account, for as long as the Secret exists.
    ///
    /// ## Evidence
    /// The Secret's `type` line.
    ///
    /// ## MITRE
    /// T1528 (Steal Application Access Token), T1552.007 (Container API).
    pub struct SecretHoldsToken {
        id: "T-SECRET-TOKEN",
        slug: "secret-holds-token",
        name: "Secret holds a service account token",
        mitre: ["T1528", "T1552.007"],
    }
}

impl Technique for SecretHoldsToken {
    fn add_edges(&self, context: &Context<'_>, out: &mut EdgeSink<'_>) {
        for secret in &context.secrets {
            let object = secret.object;
            let Some(entry) = object.root.entry("type") else {
                continue;
            };
            if entry.value.as_str() != Some("kubernetes.io/service-account-token") {
                continue;
            }
            let Some(account) = object
                .root
                .path(&["metadata", "annotations", "kubernetes.io/service-account.name"])
                .and_then(Node::as_str)
            else {
                continue;
            };
            let from = out.vertex(VertexKind::Secret, &secret.name);
            let to = out.vertex(
                VertexKind::ServiceAccount,
                &service_account_vertex_name(secret.namespace, account),
            );
            out.edge(
                from,
                to,
                vec![Evidence::at(
                    &object.source.file,
                    entry.key_pos,
                    format!("token of service account {account}"),
                )],
            );
        }
    }
}
