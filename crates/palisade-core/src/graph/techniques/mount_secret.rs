//! Workload → the Secrets its pods mount or read into the environment.

use super::{Technique, workload_vertex};
use crate::document::{Node, Pos};
use crate::graph::context::secret_vertex_name;
use crate::graph::{Context, EdgeSink, Evidence, VertexKind};

declare_technique! {
    /// ## What
    /// A workload whose pods mount a Secret volume (or a projected Secret source) or read a
    /// Secret through `env` or `envFrom`.
    ///
    /// ## Why
    /// The Secret's content is in the container: code execution there reads it.
    ///
    /// ## Evidence
    /// The `secretName`, `secretKeyRef` or `secretRef` line.
    ///
    /// ## MITRE
    /// T1552.007 (Unsecured Credentials: Container API).
    pub struct MountSecret {
        id: "T-MOUNT-SECRET",
        slug: "mount-secret",
        name: "Secret in the pod",
        mitre: ["T1552.007"],
    }
}

fn named_at(node: &Node, key: &str) -> Option<(String, Pos)> {
    let entry = node.entry(key)?;
    Some((entry.value.as_str()?.to_string(), entry.key_pos))
}

impl Technique for MountSecret {
    fn add_edges(&self, context: &Context<'_>, out: &mut EdgeSink<'_>) {
        for w in &context.workloads {
            let mut secrets: Vec<(String, Pos)> = Vec::new();
            for volume in w.pod.volumes() {
                if let Some(found) = volume.get("secret").and_then(|s| named_at(s, "secretName")) {
                    secrets.push(found);
                }
                for source in volume
                    .path(&["projected", "sources"])
                    .map(Node::items)
                    .unwrap_or_default()
                {
                    if let Some(found) = source.get("secret").and_then(|s| named_at(s, "name")) {
                        secrets.push(found);
                    }
                }
            }
            for container in w.pod.containers() {
                for env in container.get("env").map(Node::items).unwrap_or_default() {
                    if let Some(found) = env
                        .path(&["valueFrom", "secretKeyRef"])
                        .and_then(|s| named_at(s, "name"))
                    {
                        secrets.push(found);
                    }
                }
                for from in container.get("envFrom").map(Node::items).unwrap_or_default() {
                    if let Some(found) = from.get("secretRef").and_then(|s| named_at(s, "name")) {
                        secrets.push(found);
                    }
                }
            }
            if secrets.is_empty() {
                continue;
            }
            let source = workload_vertex(out, w);
            for (name, pos) in secrets {
                let to = out.vertex(VertexKind::Secret, &secret_vertex_name(w.namespace, &name));
                out.edge(
                    source,
                    to,
                    vec![Evidence::at(w.file(), pos, format!("pods read Secret {name}"))],
                );
            }
        }
    }
}
