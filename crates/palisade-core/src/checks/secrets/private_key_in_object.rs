//! Flags PEM private keys stored anywhere but in a Secret.

use base64::Engine as _;

use super::patterns::pem_private_key_label;
use crate::check::{Check, Reference, Sink};
use crate::document::{Node, Pos, Value};
use crate::inventory::Inventory;
use crate::object::Object;

crate::declare_check! {
    /// ## What it flags
    /// PEM private keys (`-----BEGIN … PRIVATE KEY-----`: PKCS#8, RSA, EC, DSA, OpenSSH,
    /// encrypted PKCS#8, and `PGP PRIVATE KEY BLOCK`) in any object that is not a Secret:
    /// ConfigMap `data` and `binaryData` (decoded from base64; values that are not valid base64
    /// are skipped), annotations and labels, container environment values, and string fields of
    /// custom resources. A header followed only by a placeholder (`...`) is not reported.
    ///
    /// Secrets are deliberately not flagged: a Secret (of type `kubernetes.io/tls`,
    /// `kubernetes.io/ssh-auth` or `Opaque`) is where Kubernetes expects key material, and its
    /// access can be restricted separately. The `kubectl.kubernetes.io/last-applied-configuration`
    /// annotation is skipped because it repeats the object's own fields, which are checked.
    ///
    /// ## Why it matters
    /// ConfigMaps, annotations and custom resources are readable by far more identities than
    /// Secrets — `view` roles, operators, dashboards, backups, `kubectl describe` output and CI
    /// logs all show them, and encryption at rest is rarely configured for them. A private
    /// key stored there lets whoever reads it impersonate the service, decrypt its traffic or
    /// log in to the hosts that trust it.
    ///
    /// ## Example
    /// ```yaml
    /// kind: ConfigMap
    /// data:
    ///   tls.key: |
    ///     -----BEGIN RSA PRIVATE KEY-----
    ///     MIIEowIBAAKCAQEA...
    /// ```
    ///
    /// ## Fix
    /// Rotate the key — it has been exposed — and store the new one in a Secret of type
    /// `kubernetes.io/tls` (or in an external secret store), mounted as a file by the pods
    /// that need it.
    ///
    /// ## References
    /// NSA/CISA "Secrets"; CIS 5.4.1; MITRE ATT&CK T1552.001 (Unsecured Credentials:
    /// Credentials In Files) and T1552.007 (Container API); CWE-312.
    pub struct PrivateKeyInObject {
        id: "PAL-301",
        slug: "private-key-in-object",
        title: "Private key stored outside a Secret",
        severity: Critical,
        area: Secrets,
        remediation: "Rotate the exposed key and store the new one in a Secret of type kubernetes.io/tls or an external secret store.",
        references: [
            Reference::NsaCisa("secrets"),
            Reference::Cis("5.4.1"),
            Reference::MitreAttack("T1552.001"),
            Reference::MitreAttack("T1552.007"),
            Reference::Cwe("CWE-312"),
        ],
    }
}

const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// A string that holds a key, where its field is, and the key's PEM label.
struct KeyFound {
    pos: Pos,
    path: String,
    label: String,
}

/// Walks every string of a node (nesting is bounded by the loader's depth limit).
fn walk(
    node: &Node,
    path: &str,
    pos: Pos,
    decode_base64: bool,
    is_config_map: bool,
    found: &mut Vec<KeyFound>,
) {
    match &node.value {
        Value::Str(text) => {
            let decoded;
            let text: &str = if decode_base64 {
                let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
                let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(compact) else {
                    return;
                };
                decoded = String::from_utf8_lossy(&bytes).into_owned();
                &decoded
            } else {
                text
            };
            if let Some(label) = pem_private_key_label(text) {
                found.push(KeyFound {
                    pos,
                    path: path.to_string(),
                    label: label.to_string(),
                });
            }
        }
        Value::Seq(items) => {
            for (index, item) in items.iter().enumerate() {
                walk(
                    item,
                    &format!("{path}[{index}]"),
                    item.pos,
                    decode_base64,
                    is_config_map,
                    found,
                );
            }
        }
        Value::Map(entries) => {
            for entry in entries {
                if &*entry.key == LAST_APPLIED && path == "metadata.annotations" {
                    continue;
                }
                let child = if path.is_empty() {
                    entry.key.to_string()
                } else {
                    format!("{path}.{}", entry.key)
                };
                // binaryData is base64 only in ConfigMaps; elsewhere the name means nothing.
                let binary = decode_base64
                    || (is_config_map && path.is_empty() && &*entry.key == "binaryData");
                walk(&entry.value, &child, entry.key_pos, binary, is_config_map, found);
            }
        }
        _ => {}
    }
}

impl Check for PrivateKeyInObject {
    fn check_object(&self, object: &Object, _inventory: &Inventory, out: &mut Sink<'_>) {
        if &*object.kind == "Secret" && object.group().is_empty() {
            return;
        }
        let is_config_map = &*object.kind == "ConfigMap" && object.group().is_empty();
        let mut found = Vec::new();
        walk(&object.root, "", object.root.pos, false, is_config_map, &mut found);
        for key in found {
            out.report(
                key.pos,
                key.path.clone(),
                format!(
                    "{} \"{}\" holds a PEM private key ({}) in {}; keys belong in a Secret",
                    object.kind, object.name, key.label, key.path
                ),
            );
        }
    }
}
