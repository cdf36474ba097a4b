//! Flags containers that receive Secret values as environment variables.

use crate::check::{Check, Reference, Sink};
use crate::document::{Node, Value};
use crate::workload::PodView;

crate::declare_check! {
    /// ## What it flags
    /// Containers of any kind with an `env[].valueFrom.secretKeyRef` or an
    /// `envFrom[].secretRef`, each reported at the reference.
    ///
    /// ## Why it matters
    /// Environment variables are much easier to leak than files: they are inherited by every
    /// child process, printed by crash reporters, debug endpoints and `env` in a shell, kept in
    /// `/proc/<pid>/environ`, and frequently logged by frameworks at start-up. They also never
    /// change while the container runs, so a rotated Secret needs a restart. A Secret mounted as
    /// a file is read only when needed, can be given tight file permissions, and is updated in
    /// place on rotation.
    ///
    /// ## Example
    /// ```yaml
    /// env:
    /// - name: DB_PASSWORD
    ///   valueFrom:
    ///     secretKeyRef: {name: db, key: password}
    /// ```
    ///
    /// ## Fix
    /// Mount the Secret as a volume and have the application read the file (many accept a
    /// `*_FILE` variable that names it):
    /// ```yaml
    /// volumes:
    /// - name: db
    ///   secret: {secretName: db, defaultMode: 0400}
    /// ```
    ///
    /// ## References
    /// NSA/CISA "Secrets"; CIS 5.4.1; MITRE ATT&CK T1552.007 (Unsecured Credentials: Container
    /// API); CWE-526.
    pub struct SecretAsEnvVar {
        id: "PAL-304",
        slug: "secret-as-env-var",
        title: "Secret passed to a container as an environment variable",
        severity: Low,
        area: Secrets,
        remediation: "Mount the Secret as a read-only file volume and read it from the file instead of the environment.",
        references: [
            Reference::NsaCisa("secrets"),
            Reference::Cis("5.4.1"),
            Reference::MitreAttack("T1552.007"),
            Reference::Cwe("CWE-526"),
        ],
    }
}

/// Whether a reference is a mapping; anything else is rejected by the API server.
fn is_map(node: &Node) -> bool {
    matches!(node.value, Value::Map(_))
}

impl Check for SecretAsEnvVar {
    fn check_pod(&self, pod: &PodView<'_>, out: &mut Sink<'_>) {
        for container in pod.containers() {
            let env = container.get("env").map_or(&[][..], Node::items);
            for (index, var) in env.iter().enumerate() {
                let Some(reference) = var
                    .get("valueFrom")
                    .and_then(|from| from.entry("secretKeyRef"))
                    .filter(|r| is_map(&r.value))
                else {
                    continue;
                };
                let name = var.get("name").and_then(Node::as_str).unwrap_or("");
                let secret = reference.value.get("name").and_then(Node::as_str).unwrap_or("");
                out.report(
                    reference.key_pos,
                    container.field_path(&format!("env[{index}].valueFrom.secretKeyRef")),
                    format!(
                        "{} reads Secret \"{secret}\" into environment variable {name}",
                        container.describe()
                    ),
                );
            }
            let env_from = container.get("envFrom").map_or(&[][..], Node::items);
            for (index, source) in env_from.iter().enumerate() {
                let Some(reference) = source.entry("secretRef").filter(|r| is_map(&r.value)) else {
                    continue;
                };
                let secret = reference.value.get("name").and_then(Node::as_str).unwrap_or("");
                out.report(
                    reference.key_pos,
                    container.field_path(&format!("envFrom[{index}].secretRef")),
                    format!(
                        "{} loads every key of Secret \"{secret}\" into its environment",
                        container.describe()
                    ),
                );
            }
        }
    }
}
