//! Workload → the Secrets its pods mount or read into the environment.

use super::{Technique, workload_vertex};
use crate::document::{Node, Pos};
use crate::graph::context::{WorkloadInfo, secret_vertex_name, volume_vertex_name};
use crate::graph::{Context, EdgeSink, Evidence, VertexId, VertexKind};

declare_technique! {
    /// ## What
    /// A Secret volume, or a projected volume with a Secret source, → the Secret (the volume is
    /// a vertex, reached from its workload by `T-MOUNT-VOLUME`); and a workload whose containers
    /// read a Secret through `env` or `envFrom` → the Secret.
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
            // Secret volumes are vertices of their own: workload → volume → Secret.
            for volume in w.pod.volumes() {
                let Some(volume_name) = volume.get("name").and_then(Node::as_str) else {
                    continue;
                };
                let mut secrets: Vec<(String, Pos)> = Vec::new();
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
                if secrets.is_empty() {
                    continue;
                }
                let from = out.vertex(
                    VertexKind::Volume,
                    &volume_vertex_name(&w.name, volume_name),
                );
                add(out, w, from, secrets);
            }
            // The environment is not a volume: workload → Secret.
            let mut secrets: Vec<(String, Pos)> = Vec::new();
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
            if !secrets.is_empty() {
                let from = workload_vertex(out, w);
                add(out, w, from, secrets);
            }
        }
    }
}

fn add(out: &mut EdgeSink<'_>, w: &WorkloadInfo<'_>, from: VertexId, secrets: Vec<(String, Pos)>) {
    for (name, pos) in secrets {
        let to = out.vertex(VertexKind::Secret, &secret_vertex_name(w.namespace, &name));
        out.edge(
            from,
            to,
            vec![Evidence::at(w.file(), pos, format!("pods read Secret {name}"))],
        );
    }
}
