//! Flags ConfigMap keys whose name says they hold a password, token or other credential.

use super::patterns::redact;
use crate::check::{Check, Reference, Sink};
use crate::inventory::Inventory;
use crate::object::Object;

crate::declare_check! {
    /// ## What it flags
    /// ConfigMap `data` keys whose name contains `password`, `passwd`, `passphrase`, `secret`,
    /// `token`, `api_key`/`apikey`, `private_key` or `credential(s)` (compared case-insensitively
    /// with `_`, `-` and `.` ignored, so `DB_PASSWORD`, `db.password` and `dbPassword` all
    /// match) and whose value is set.
    ///
    /// To keep false positives low it does not report:
    /// - keys that name a setting about the credential rather than the credential itself
    ///   (ending in `name`, `file`, `path`, `url`, `endpoint`, `ttl`, `timeout`, `length`,
    ///   `policy`, `ref`, `enabled`, `type` and similar, or starting with `enable`,
    ///   `require`, `allow`, `disable`, `skip`);
    /// - keys where the word is part of another one (`max_tokens`, `tokenizer`);
    /// - keys that look like file names (`secrets.yaml`, `token.json`): their content is
    ///   checked by `private-key-in-object` and `cloud-credentials-in-object`;
    /// - empty values and placeholders: `${VAR}`, `$(VAR)`, `{{ .Values.x }}`, `<password>`,
    ///   `%VAR%`, runs of `*` or `x`, `true`/`false`, absolute paths and URLs without user
    ///   information.
    ///
    /// Weak defaults such as `changeme` or `admin` are reported: they are credentials too, and
    /// the weakest kind. Messages show at most the first four characters of the value.
    ///
    /// ## Why it matters
    /// ConfigMaps are not meant for confidential data: they are readable by every role with
    /// `view` rights, shown in full by `kubectl describe`, rarely encrypted at rest, and usually
    /// committed to Git. A password in one is effectively public inside the organisation.
    ///
    /// ## Example
    /// ```yaml
    /// kind: ConfigMap
    /// data:
    ///   DB_HOST: postgres.shop.svc
    ///   DB_PASSWORD: hunter2hunter2
    /// ```
    ///
    /// ## Fix
    /// Rotate the credential, move it to a Secret (or an external secret store) and mount it
    /// as a file; keep only non-confidential settings in the ConfigMap.
    ///
    /// ## References
    /// NSA/CISA "Secrets"; CIS 5.4.1; MITRE ATT&CK T1552.001 (Unsecured Credentials:
    /// Credentials In Files) and T1552.007 (Container API); CWE-312.
    pub struct CredentialsInConfigMap {
        id: "PAL-303",
        slug: "credentials-in-config-map",
        title: "ConfigMap holds a credential",
        severity: High,
        area: Secrets,
        remediation: "Rotate the credential and move it from the ConfigMap to a Secret mounted as a file.",
        references: [
            Reference::NsaCisa("secrets"),
            Reference::Cis("5.4.1"),
            Reference::MitreAttack("T1552.001"),
            Reference::MitreAttack("T1552.007"),
            Reference::Cwe("CWE-312"),
        ],
    }
}

const CREDENTIAL_WORDS: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "secret",
    "token",
    "apikey",
    "privatekey",
    "credential",
];

/// Endings of key names that describe a credential's setting, not the credential.
const SETTING_SUFFIXES: &[&str] = &[
    "name", "names", "file", "filename", "path", "dir", "url", "uri", "endpoint", "ttl",
    "timeout", "expiry", "expiration", "lifetime", "length", "policy", "ref", "enabled",
    "enable", "type", "header", "field", "mount", "location", "mode", "format", "version",
    "size", "count", "max", "min", "required", "source", "provider", "store", "backend",
    "prefix", "duration", "seconds", "age", "regex", "pattern", "namespace", "selector",
    "audience", "issuer", "scope", "scopes", "method", "strategy", "rotation", "interval",
    "period", "hash", "algorithm", "encoding", "minlength", "maxlength", "env", "limit",
    "budget",
];

/// Words that contain a credential word but name something else (`max_tokens` of a language
/// model, a `tokenizer`, a `secretary`).
const LOOKALIKE_WORDS: &[&str] = &["tokens", "tokeniz", "secretar"];

const SETTING_PREFIXES: &[&str] = &["enable", "require", "allow", "disable", "skip"];

const FILE_EXTENSIONS: &[&str] = &[
    "yaml", "yml", "json", "conf", "cfg", "ini", "properties", "toml", "xml", "env", "txt",
    "sh", "py", "js", "tpl", "template", "hcl", "pem", "crt", "key",
];

/// Whether a data key's name says it holds a credential.
fn names_credential(key: &str) -> bool {
    if let Some((_, extension)) = key.rsplit_once('.')
        && FILE_EXTENSIONS.contains(&extension.to_ascii_lowercase().as_str())
    {
        return false;
    }
    let normalized: String = key
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    CREDENTIAL_WORDS.iter().any(|w| normalized.contains(w))
        && !SETTING_SUFFIXES
            .iter()
            .any(|s| normalized.ends_with(s) && !CREDENTIAL_WORDS.iter().any(|w| w.ends_with(s)))
        && !SETTING_PREFIXES.iter().any(|p| normalized.starts_with(p))
        && !LOOKALIKE_WORDS.iter().any(|w| normalized.contains(w))
}

/// Whether a value is empty, a template placeholder, or a setting rather than a credential.
fn is_placeholder(value: &str) -> bool {
    let v = value.trim();
    let wrapped = |open: &str, close: &str| v.starts_with(open) && v.ends_with(close);
    v.is_empty()
        || wrapped("${", "}")
        || wrapped("$(", ")")
        || wrapped("{{", "}}")
        || wrapped("<", ">")
        || (v.len() > 2 && wrapped("%", "%"))
        || v.chars().all(|c| matches!(c, '*' | 'x' | 'X' | '-' | '.'))
        || matches!(
            v.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "none" | "~"
        )
        || (v.starts_with('/') && !v.contains(char::is_whitespace))
        || ((v.starts_with("http://") || v.starts_with("https://")) && !v.contains('@'))
}

impl Check for CredentialsInConfigMap {
    fn check_object(&self, object: &Object, _inventory: &Inventory, out: &mut Sink<'_>) {
        if &*object.kind != "ConfigMap" || !object.group().is_empty() {
            return;
        }
        let Some(data) = object.root.get("data") else {
            return;
        };
        for entry in data.entries() {
            let Some(value) = entry.value.scalar_text() else {
                continue;
            };
            if !names_credential(&entry.key) || is_placeholder(&value) {
                continue;
            }
            out.report(
                entry.key_pos,
                format!("data.{}", entry.key),
                format!(
                    "ConfigMap \"{}\" key \"{}\" holds what looks like a credential (\"{}\")",
                    object.name,
                    entry.key,
                    redact(value.trim())
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{is_placeholder, names_credential};

    #[test]
    fn credential_names_but_not_settings_or_files() {
        for key in ["DB_PASSWORD", "db.password", "redisPassword", "api-key", "API_KEY", "userPassword", "client_secret", "oauth.token", "credentials", "secretKey", "vault_secret_id"] {
            assert!(names_credential(key), "{key}");
        }
        for key in ["password_min_length", "secretName", "token_url", "tokenTTL", "enable_token_auth", "secrets.yaml", "credentials.json", "log_level", "password_policy", "max_tokens", "tokenizer_model"] {
            assert!(!names_credential(key), "{key}");
        }
    }

    #[test]
    fn placeholders_are_skipped_but_weak_defaults_are_not() {
        for value in ["", "  ", "${DB_PASSWORD}", "$(TOKEN)", "{{ .Values.password }}", "<password>", "********", "true", "/var/run/secrets/token", "https://auth.example.com/token"] {
            assert!(is_placeholder(value), "{value}");
        }
        for value in ["changeme", "admin", "hunter2", "https://user:pw@host"] {
            assert!(!is_placeholder(value), "{value}");
        }
    }
}
