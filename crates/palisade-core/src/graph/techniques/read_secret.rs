//! Permission to read secrets in a namespace → every Secret there.

use super::Technique;
use crate::graph::{Capability, Context, EdgeSink, Evidence, VertexKind};

declare_technique! {
    /// ## What
    /// Whoever may `get`, `list` or `watch` secrets in a namespace (or cluster-wide) reads every
    /// Secret there; `list` and `watch` return their content too. A grant limited by
    /// `resourceNames` reads only the Secrets it names.
    ///
    /// ## Why
    /// Secrets hold database passwords, cloud keys and service account tokens.
    ///
    /// ## Evidence
    /// The Secret, after the grant of reading secrets.
    ///
    /// ## MITRE
    /// T1552.007 (Unsecured Credentials: Container API).
    pub struct ReadSecret {
        id: "T-READ-SECRET",
        slug: "read-secret",
        name: "Read secrets",
        mitre: ["T1552.007"],
    }
}

impl Technique for ReadSecret {
    fn add_edges(&self, context: &Context<'_>, out: &mut EdgeSink<'_>) {
        for (set, grant) in &context.permission_sets {
            if set.capability != Capability::ReadSecrets {
                continue;
            }
            let from = out.vertex(VertexKind::Permission, &set.vertex_name());
            for ns in context.scope_namespaces(set.scope.as_deref()) {
                for &index in context.secrets_by_namespace.get(ns).into_iter().flatten() {
                    let secret = &context.secrets[index];
                    if !set.covers("secrets", &secret.object.name) {
                        continue;
                    }
                    let to = out.vertex(VertexKind::Secret, &secret.name);
                    let mut evidence = vec![Evidence::at(
                        &secret.object.source.file,
                        secret.object.pos(),
                        format!("Secret {ns}/{}", secret.object.name),
                    )];
                    evidence.extend(grant.iter().cloned());
                    out.edge(from, to, evidence);
                }
            }
        }
    }
}
