//! Flags cloud and SaaS credentials in ConfigMaps, annotations and container environment values.

use base64::Engine as _;

use super::patterns::{FoundCredential, cloud_credential, is_aws_secret_access_key, names_aws_secret};
use crate::check::{Check, Reference, Sink};
use crate::document::Node;
use crate::inventory::Inventory;
use crate::object::Object;
use crate::workload::PodView;

crate::declare_check! {
    /// ## What it flags
    /// Credentials of cloud providers and SaaS APIs written in plain text:
    /// - AWS access key ids (`AKIA…`/`ASIA…` and 16 upper-case letters or digits; the message
    ///   says whether a 40-character secret access key sits beside it), and values named
    ///   `AWS_SECRET_ACCESS_KEY` (or `secret_access_key`) that look like a secret access key;
    /// - GCP service-account key files (JSON with `"type": "service_account"` and a
    ///   `private_key`);
    /// - Azure storage connection strings and Service Bus keys (`AccountKey=…`,
    ///   `SharedAccessKey=…`);
    /// - GitHub tokens (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`, `github_pat_`);
    /// - Slack tokens (`xoxb-`, `xoxa-`, `xoxp-`, `xoxr-`, `xoxs-`).
    ///
    /// It looks in ConfigMap `data` and `binaryData`, in the annotations of every object and of
    /// pod templates, and in the literal `env[].value` of every container. Secrets are not
    /// flagged: that is where credentials belong. AWS's documented example key
    /// (`…EXAMPLE`) is ignored. Messages show at most the first four characters of a token.
    ///
    /// ## Why it matters
    /// ConfigMaps, annotations and pod specs are readable by many more identities than
    /// Secrets and end up in Git, CI logs, dashboards and backups. A leaked cloud key gives
    /// access to the account behind it — storage, databases, often the ability to create
    /// infrastructure — from anywhere on the internet, not just from inside the cluster.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    /// - name: uploader
    ///   env:
    ///   - name: AWS_ACCESS_KEY_ID
    ///     value: AKIA................
    /// ```
    ///
    /// ## Fix
    /// Revoke and rotate the credential first: it has been exposed. Then prefer workload
    /// identity (IRSA or EKS Pod Identity, GKE Workload Identity, Azure Workload Identity) so
    /// that no long-lived key exists; otherwise keep the key in a Secret and reference it.
    ///
    /// ## References
    /// NSA/CISA "Secrets"; CIS 5.4.1; MITRE ATT&CK T1552.001 (Unsecured Credentials:
    /// Credentials In Files), T1552.007 (Container API) and T1078.004 (Valid Accounts: Cloud
    /// Accounts); CWE-798.
    pub struct CloudCredentialsInObject {
        id: "PAL-302",
        slug: "cloud-credentials-in-object",
        title: "Cloud or API credential stored in plain text outside a Secret",
        severity: High,
        area: Secrets,
        remediation: "Revoke and rotate the credential, then use workload identity or reference it from a Secret.",
        references: [
            Reference::NsaCisa("secrets"),
            Reference::Cis("5.4.1"),
            Reference::MitreAttack("T1552.001"),
            Reference::MitreAttack("T1552.007"),
            Reference::MitreAttack("T1078.004"),
            Reference::Cwe("CWE-798"),
        ],
    }
}

const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// What a named value holds: a known token in its text, or an AWS secret key by its name.
fn credential_in(name: &str, text: &str) -> Option<FoundCredential> {
    cloud_credential(text).or_else(|| {
        (names_aws_secret(name) && is_aws_secret_access_key(text)).then_some(FoundCredential {
            kind: "AWS secret access key",
            redacted: None,
        })
    })
}

/// Reports credentials in the annotations under `metadata`, whose field path is `path`.
fn check_annotations(
    metadata: Option<&Node>,
    path: &str,
    owner: &str,
    out: &mut Sink<'_>,
) {
    let Some(annotations) = metadata.and_then(|m| m.get("annotations")) else {
        return;
    };
    for entry in annotations.entries() {
        if &*entry.key == LAST_APPLIED {
            continue;
        }
        let Some(text) = entry.value.as_str() else {
            continue;
        };
        if let Some(found) = credential_in(&entry.key, text) {
            out.report(
                entry.key_pos,
                format!("{path}.annotations.{}", entry.key),
                format!(
                    "{owner} annotation \"{}\" holds a credential: {}",
                    entry.key,
                    found.describe()
                ),
            );
        }
    }
}

impl Check for CloudCredentialsInObject {
    fn check_object(&self, object: &Object, _inventory: &Inventory, out: &mut Sink<'_>) {
        if &*object.kind == "Secret" && object.group().is_empty() {
            return;
        }
        let owner = format!("{} \"{}\"", object.kind, object.name);
        check_annotations(object.metadata(), "metadata", &owner, out);
        if &*object.kind != "ConfigMap" || !object.group().is_empty() {
            return;
        }
        for field in ["data", "binaryData"] {
            let Some(data) = object.root.get(field) else {
                continue;
            };
            for entry in data.entries() {
                let Some(raw) = entry.value.as_str() else {
                    continue;
                };
                let decoded;
                let text = if field == "binaryData" {
                    let compact: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
                    let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(compact)
                    else {
                        continue;
                    };
                    decoded = String::from_utf8_lossy(&bytes).into_owned();
                    decoded.as_str()
                } else {
                    raw
                };
                if let Some(found) = credential_in(&entry.key, text) {
                    out.report(
                        entry.key_pos,
                        format!("{field}.{}", entry.key),
                        format!("{owner} key \"{}\" holds a credential: {}", entry.key, found.describe()),
                    );
                }
            }
        }
    }

    fn check_pod(&self, pod: &PodView<'_>, out: &mut Sink<'_>) {
        // A bare Pod's metadata is the object's own, already checked in check_object.
        if let Some(template) = pod.spec_path.strip_suffix(".spec") {
            let owner = format!("pod template of {} \"{}\"", pod.object.kind, pod.object.name);
            check_annotations(pod.metadata, &format!("{template}.metadata"), &owner, out);
        }
        for container in pod.containers() {
            let env = container.get("env").map_or(&[][..], Node::items);
            for (index, var) in env.iter().enumerate() {
                let Some(value) = var.entry("value") else {
                    continue;
                };
                let Some(text) = value.value.as_str() else {
                    continue;
                };
                let name = var.get("name").and_then(Node::as_str).unwrap_or("");
                if let Some(found) = credential_in(name, text) {
                    out.report(
                        value.key_pos,
                        container.field_path(&format!("env[{index}].value")),
                        format!(
                            "{} has environment variable {name} set to a credential: {}",
                            container.describe(),
                            found.describe()
                        ),
                    );
                }
            }
        }
    }
}
