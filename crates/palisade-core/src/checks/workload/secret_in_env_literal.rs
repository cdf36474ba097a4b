//! Flags credentials written as literal environment variable values in pod specs.

use crate::check::{Check, Reference, Sink};
use crate::document::{Node, Value};
use crate::workload::PodView;

crate::declare_check! {
    /// ## What it flags
    /// `env` entries of any container (regular, init, ephemeral) that have a literal, non-empty
    /// `value` and whose name looks like a credential: one of its words (split at `_`, `-`, `.`
    /// and camel case) is `PASSWORD`, `PASSWD`, `SECRET`, `TOKEN`, `APIKEY`, `CREDENTIAL(S)` or
    /// `AUTH`, or two adjacent words are `API KEY`, `ACCESS KEY` or `PRIVATE KEY`.
    ///
    /// To keep noise low it does not flag: names whose last word says the value is something
    /// else than the secret (`_FILE`, `_PATH`, `_DIR`, `_URL`, `_HOST`, `_PORT`, `_NAME`, `_ID`,
    /// `_ENABLED`, `_TYPE`, `_MODE`, `_TTL`, `_TIMEOUT`, …); values that are file paths, URLs
    /// without a password, booleans, `$(VAR)` references or template placeholders. A URL value
    /// with a password in it (`https://user:pass@host`) is flagged whatever the suffix.
    /// Findings show only a redacted form of the value.
    ///
    /// ## Why it matters
    /// A literal value is part of the manifest: it is stored in Git, in CI logs, in the
    /// Deployment object (readable by anyone who can `get` it, unlike Secrets, which RBAC
    /// usually guards separately) and in `kubectl describe` output. Rotating it means changing
    /// and redeploying the workload. Environment variables also leak into crash dumps, child
    /// processes and debug endpoints.
    ///
    /// ## Example
    /// ```yaml
    /// env:
    /// - name: DB_PASSWORD
    ///   value: s3cr3t-passw0rd
    /// ```
    ///
    /// ## Fix
    /// Store the value in a Secret (or an external secret store) and reference it, preferably
    /// mounted as a file:
    /// ```yaml
    /// env:
    /// - name: DB_PASSWORD
    ///   valueFrom:
    ///     secretKeyRef: {name: db, key: password}
    /// ```
    /// Then rotate the credential, since it has been exposed.
    ///
    /// ## References
    /// CIS 5.4.1 (prefer secrets as files over environment variables); NSA/CISA "Pod security";
    /// MITRE ATT&CK T1552.007 (Container API) and T1552.001 (Credentials In Files); CWE-798.
    pub struct SecretInEnvLiteral {
        id: "PAL-128",
        slug: "secret-in-env-literal",
        title: "Credential written as a literal environment variable value",
        severity: High,
        area: Workload,
        remediation: "Move the value into a Secret, reference it with valueFrom.secretKeyRef or mount it as a file, and rotate the exposed credential.",
        references: [
            Reference::Cis("5.4.1"),
            Reference::NsaCisa("pod-security"),
            Reference::MitreAttack("T1552.007"),
            Reference::MitreAttack("T1552.001"),
            Reference::Cwe("CWE-798"),
        ],
    }
}

/// Words that on their own make a name look like a credential.
const CREDENTIAL_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "SECRET",
    "TOKEN",
    "APIKEY",
    "CREDENTIAL",
    "CREDENTIALS",
    "AUTH",
];

/// Words that make a name look like a credential when followed by `KEY`.
const KEY_QUALIFIERS: &[&str] = &["API", "ACCESS", "PRIVATE"];

/// Last words that say the value is a reference to, or a property of, the credential rather
/// than the credential itself.
const NON_SECRET_SUFFIXES: &[&str] = &[
    "FILE", "FILES", "PATH", "DIR", "DIRECTORY", "LOCATION", "URL", "URI", "ENDPOINT", "HOST",
    "HOSTNAME", "PORT", "NAME", "ID", "REF", "KEYREF", "USER", "USERNAME", "ENABLED", "ENABLE",
    "DISABLED", "DISABLE", "REQUIRED", "TYPE", "MODE", "METHOD", "PROVIDER", "TTL", "EXPIRY",
    "EXPIRES", "EXPIRATION", "LIFETIME", "TIMEOUT", "INTERVAL", "LENGTH", "SIZE", "HEADER",
    "ISSUER", "AUDIENCE", "SCOPE", "SCOPES", "ALGORITHM", "VERSION", "FORMAT", "PREFIX",
    "STRATEGY", "POLICY", "MOUNT",
];

/// Splits an environment variable name into upper-case words at `_`, `-`, `.` and camel-case
/// boundaries (`dbPassword` → `DB`, `PASSWORD`; `APIKey` → `API`, `KEY`).
fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in name.split(|c: char| !c.is_ascii_alphanumeric()) {
        let chars: Vec<char> = part.chars().collect();
        let mut current = String::new();
        for (i, &c) in chars.iter().enumerate() {
            let starts_word = i > 0
                && c.is_ascii_uppercase()
                && (chars[i - 1].is_ascii_lowercase()
                    || chars[i - 1].is_ascii_digit()
                    || (chars[i - 1].is_ascii_uppercase()
                        && chars.get(i + 1).is_some_and(char::is_ascii_lowercase)));
            if starts_word && !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            current.push(c.to_ascii_uppercase());
        }
        if !current.is_empty() {
            out.push(current);
        }
    }
    out
}

/// Whether the words of a name say it holds a credential.
fn names_credential(words: &[String]) -> bool {
    words.iter().any(|w| {
        CREDENTIAL_WORDS.contains(&w.as_str()) || w.ends_with("PASSWORD") || w.ends_with("PASSWD")
    }) || words
        .windows(2)
        .any(|pair| KEY_QUALIFIERS.contains(&pair[0].as_str()) && pair[1] == "KEY")
}

/// Whether a URL carries a password in its user information (`scheme://user:pass@host`).
fn url_has_password(value: &str) -> bool {
    let Some((_, rest)) = value.split_once("://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    authority
        .rsplit_once('@')
        .and_then(|(userinfo, _)| userinfo.split_once(':'))
        .is_some_and(|(_, password)| !password.is_empty() && !is_not_a_secret_value(password))
}

/// Whether a value is clearly not a secret itself: a reference, a placeholder, a path, a flag.
fn is_not_a_secret_value(value: &str) -> bool {
    let value = value.trim();
    value.is_empty()
        || (value.starts_with("$(") && value.ends_with(')'))
        || value.contains("${")
        || value.contains("{{")
        || value.starts_with('/')
        || value.starts_with("./")
        || value.starts_with("~/")
        || value.contains("://")
        || matches!(
            value.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "none" | "null" | "disabled" | "enabled"
        )
}

/// A redacted form of a secret value: never more than its first two characters.
fn redact(value: &str) -> String {
    let count = value.chars().count();
    if count >= 12 {
        let head: String = value.chars().take(2).collect();
        format!("{head}****** ({count} characters)")
    } else {
        "******".to_string()
    }
}

/// Whether an env entry's name and literal value together look like a credential.
fn looks_like_literal_credential(name: &str, value: &str) -> bool {
    if url_has_password(value) {
        return true;
    }
    if is_not_a_secret_value(value) {
        return false;
    }
    let words = words(name);
    names_credential(&words)
        && !words
            .last()
            .is_some_and(|last| NON_SECRET_SUFFIXES.contains(&last.as_str()))
}

impl Check for SecretInEnvLiteral {
    fn check_pod(&self, pod: &PodView<'_>, out: &mut Sink<'_>) {
        for container in pod.containers() {
            let Some(env) = container.get("env") else {
                continue;
            };
            for (index, variable) in env.items().iter().enumerate() {
                let Some(name) = variable.get("name").and_then(Node::as_str) else {
                    continue;
                };
                let Some(entry) = variable.entry("value") else {
                    continue;
                };
                // Booleans and numbers written unquoted are flags or sizes, not secrets.
                let Value::Str(value) = &entry.value.value else {
                    continue;
                };
                if !looks_like_literal_credential(name, value) {
                    continue;
                }
                out.report(
                    entry.key_pos,
                    container.field_path(&format!("env[{index}].value")),
                    format!(
                        "{} sets {name} to a literal value ({}); it looks like a credential",
                        container.describe(),
                        redact(value)
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_split_into_words() {
        assert_eq!(words("dbPassword"), ["DB", "PASSWORD"]);
        assert_eq!(words("APIKey"), ["API", "KEY"]);
        assert_eq!(words("AWS_SECRET_ACCESS_KEY"), ["AWS", "SECRET", "ACCESS", "KEY"]);
        assert_eq!(words("oauth2-client.secret"), ["OAUTH2", "CLIENT", "SECRET"]);
    }

    #[test]
    fn credentials_are_recognised_by_words_not_substrings() {
        let flagged = |name: &str| looks_like_literal_credential(name, "hunter2hunter2");
        assert!(flagged("DB_PASSWORD"));
        assert!(flagged("MYSQL_ROOT_PASSWORD"));
        assert!(flagged("githubToken"));
        assert!(flagged("STRIPE_API_KEY"));
        assert!(flagged("AWS_SECRET_ACCESS_KEY"));
        assert!(flagged("BASIC_AUTH"));
        assert!(!flagged("TOKENIZER_MODEL"));
        assert!(!flagged("AUTHOR"));
        assert!(!flagged("KEYCLOAK_REALM"));
        assert!(!flagged("PASSWORD_FILE"));
        assert!(!flagged("AUTH_ENABLED"));
        assert!(!flagged("AWS_ACCESS_KEY_ID"));
        assert!(!flagged("SECRET_NAME"));
    }

    #[test]
    fn references_paths_and_flags_are_not_secrets() {
        assert!(!looks_like_literal_credential("DB_PASSWORD", ""));
        assert!(!looks_like_literal_credential("DB_PASSWORD", "$(PASSWORD_FROM_SECRET)"));
        assert!(!looks_like_literal_credential("GOOGLE_APPLICATION_CREDENTIALS", "/var/run/key.json"));
        assert!(!looks_like_literal_credential("AUTH_SERVER", "https://auth.example"));
        assert!(!looks_like_literal_credential("AUTH", "false"));
        assert!(looks_like_literal_credential("DATABASE_URL", "postgres://app:pw@db:5432/app"));
        assert!(!looks_like_literal_credential("DATABASE_URL", "postgres://db:5432/app"));
        assert!(!looks_like_literal_credential("DATABASE_URL", "postgres://app:$(DB_PASSWORD)@db/app"));
    }

    #[test]
    fn values_are_redacted() {
        assert_eq!(redact("short"), "******");
        let shown = redact("sk_live_0123456789abcdef");
        assert!(shown.starts_with("sk******"));
        assert!(!shown.contains("0123"));
    }
}
