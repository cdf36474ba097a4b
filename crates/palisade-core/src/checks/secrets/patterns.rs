//! Text patterns shared by the secrets checks: PEM private keys, cloud and SaaS credentials,
//! and redaction of values for messages.
//!
//! Everything here is a plain scan over `&str` without regular expressions; each pattern is
//! anchored on a fixed prefix and checks the characters around it, so that the checks stay
//! cheap on large objects and produce few false positives.

/// Shortens a secret for a message: at most its first four characters, then `…`. Short values
/// show fewer characters (a third of their length) so that a message never reveals most of one.
pub(crate) fn redact(value: &str) -> String {
    let length = value.chars().count();
    let shown = if length >= 12 { 4 } else { length / 3 };
    let mut out: String = value.chars().take(shown).collect();
    out.push('…');
    out
}

/// The label of the first PEM private key block in `text` (e.g. `RSA PRIVATE KEY`), when the
/// header is followed by a body of key material rather than a placeholder.
pub(crate) fn pem_private_key_label(text: &str) -> Option<&str> {
    const BEGIN: &str = "-----BEGIN ";
    let mut rest = text;
    while let Some(start) = rest.find(BEGIN) {
        let after = &rest[start + BEGIN.len()..];
        let end = after.find("-----")?;
        let label = &after[..end];
        let body = &after[end + 5..];
        let is_key_label = label.len() <= 40
            && label.bytes().all(|b| b.is_ascii_uppercase() || b == b' ')
            && (label.ends_with("PRIVATE KEY") || label == "PGP PRIVATE KEY BLOCK");
        if is_key_label {
            let body = body.find("-----END").map_or(body, |e| &body[..e]);
            let material = body
                .bytes()
                .filter(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
                .count();
            // Real keys have hundreds of base64 characters; documentation placeholders such as
            // `...` or `<key here>` have a handful.
            if material >= 64 {
                return Some(label);
            }
        }
        rest = after;
    }
    None
}

/// A credential found in a text: what it is and a redacted form for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FoundCredential {
    /// What kind of credential, e.g. `AWS access key id`.
    pub kind: &'static str,
    /// The credential shortened by [`redact`]; `None` when showing any part adds nothing.
    pub redacted: Option<String>,
}

impl FoundCredential {
    /// `AWS access key id "AKIA…"`, for messages.
    pub(crate) fn describe(&self) -> String {
        match &self.redacted {
            Some(r) => format!("{} \"{r}\"", self.kind),
            None => self.kind.to_string(),
        }
    }
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Every occurrence of `prefix` in `text` that does not follow a word character, with the
/// token characters (by `allowed`) that follow it.
fn tokens_after<'t>(
    text: &'t str,
    prefix: &'t str,
    allowed: impl Fn(u8) -> bool + Copy + 't,
) -> impl Iterator<Item = &'t str> + 't {
    text.match_indices(prefix).filter_map(move |(start, _)| {
        let bytes = text.as_bytes();
        if start > 0 && is_word_byte(bytes[start - 1]) {
            return None;
        }
        let tail = &bytes[start + prefix.len()..];
        let length = tail.iter().take_while(|b| allowed(**b)).count();
        Some(&text[start..start + prefix.len() + length])
    })
}

fn aws_access_key_id(text: &str) -> Option<&str> {
    ["AKIA", "ASIA"].into_iter().find_map(|prefix| {
        tokens_after(text, prefix, |b| {
            b.is_ascii_uppercase() || b.is_ascii_digit()
        })
        .find(|token| token.len() == 20 && !token.ends_with("EXAMPLE"))
    })
}

/// Whether `text` holds a standalone 40-character AWS secret access key.
pub(crate) fn is_aws_secret_access_key(text: &str) -> bool {
    let text = text.trim();
    text.len() == 40
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'/' || b == b'+')
        && text.bytes().any(|b| b.is_ascii_digit())
        && text.bytes().any(|b| b.is_ascii_lowercase())
        && text.bytes().any(|b| b.is_ascii_uppercase())
        && !text.contains("EXAMPLE")
}

fn has_aws_secret_beside(text: &str) -> bool {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '/' || c == '+'))
        .any(is_aws_secret_access_key)
}

fn github_token(text: &str) -> Option<&str> {
    let classic = ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"]
        .into_iter()
        .find_map(|p| tokens_after(text, p, |b| b.is_ascii_alphanumeric()).find(|t| t.len() >= 40));
    classic.or_else(|| tokens_after(text, "github_pat_", is_word_byte).find(|t| t.len() >= 33))
}

fn slack_token(text: &str) -> Option<&str> {
    ["xoxb-", "xoxa-", "xoxp-", "xoxr-", "xoxs-"]
        .into_iter()
        .find_map(|p| {
            tokens_after(text, p, |b| b.is_ascii_alphanumeric() || b == b'-')
                .find(|t| t.len() >= 15 && t[5..].bytes().any(|b| b.is_ascii_digit()))
        })
}

fn azure_key(text: &str) -> Option<&'static str> {
    [
        ("AccountKey=", "Azure storage account key"),
        ("SharedAccessKey=", "Azure shared access key"),
    ]
    .into_iter()
    .find_map(|(marker, kind)| {
        text.match_indices(marker).find_map(|(start, _)| {
            let value = &text.as_bytes()[start + marker.len()..];
            let length = value
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
                .count();
            (length >= 40).then_some(kind)
        })
    })
}

fn gcp_service_account_key(text: &str) -> bool {
    if !text.contains("service_account") || !text.contains("private_key") {
        return false;
    }
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    compact.contains("\"type\":\"service_account\"")
        && compact.contains("\"private_key\":\"-----BEGIN")
}

/// The first cloud or SaaS credential in `text`, if any.
pub(crate) fn cloud_credential(text: &str) -> Option<FoundCredential> {
    if let Some(id) = aws_access_key_id(text) {
        let kind = if has_aws_secret_beside(text) {
            "AWS access key id with its secret access key"
        } else {
            "AWS access key id"
        };
        return Some(FoundCredential {
            kind,
            redacted: Some(redact(id)),
        });
    }
    if gcp_service_account_key(text) {
        return Some(FoundCredential {
            kind: "GCP service-account key (JSON)",
            redacted: None,
        });
    }
    if let Some(kind) = azure_key(text) {
        return Some(FoundCredential {
            kind,
            redacted: None,
        });
    }
    if let Some(token) = github_token(text) {
        return Some(FoundCredential {
            kind: "GitHub token",
            redacted: Some(redact(token)),
        });
    }
    if let Some(token) = slack_token(text) {
        return Some(FoundCredential {
            kind: "Slack token",
            redacted: Some(redact(token)),
        });
    }
    None
}

/// Whether a key or variable name says it holds an AWS secret access key.
pub(crate) fn names_aws_secret(name: &str) -> bool {
    let normalized: String = name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    matches!(
        normalized.as_str(),
        "awssecretaccesskey" | "secretaccesskey" | "awssecretkey"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const RSA: &str = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgwMbRvI0MBZhpF\nY2hlY2tzdW0gb25seSBmb3IgdGVzdHMgbm90IGEgcmVhbCBrZXk=\n-----END RSA PRIVATE KEY-----\n";

    #[test]
    fn finds_pem_private_keys_but_not_placeholders_or_certificates() {
        assert_eq!(pem_private_key_label(RSA), Some("RSA PRIVATE KEY"));
        assert_eq!(
            pem_private_key_label("-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----"),
            None
        );
        assert_eq!(
            pem_private_key_label("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"),
            None
        );
        assert_eq!(pem_private_key_label("-----BEGIN broken"), None);
    }

    #[test]
    fn finds_cloud_credentials() {
        let aws = cloud_credential("id=AKIAZ3MHALQ7TESTKEY1 other").unwrap();
        assert_eq!(aws.describe(), "AWS access key id \"AKIA…\"");
        assert!(cloud_credential("AKIAIOSFODNN7EXAMPLE").is_none());
        assert!(cloud_credential("XAKIAZ3MHALQ7TESTKEY1").is_none());
        assert_eq!(
            cloud_credential("token: ghp_0123456789abcdefghijABCDEFGHIJ012345")
                .unwrap()
                .kind,
            "GitHub token"
        );
        assert_eq!(
            cloud_credential("xoxb-123456789012-abcdefABCDEF")
                .unwrap()
                .kind,
            "Slack token"
        );
        assert!(cloud_credential("xoxb-placeholder").is_none());
        let azure = "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0==;";
        assert_eq!(
            cloud_credential(azure).unwrap().kind,
            "Azure storage account key"
        );
        assert!(cloud_credential("AccountKey=<your key>").is_none());
        let gcp = format!(
            "{{\"type\": \"service_account\", \"private_key\": \"{}\"}}",
            RSA.replace('\n', "\\n")
        );
        assert!(cloud_credential(&gcp).is_some());
    }

    #[test]
    fn redaction_never_shows_most_of_a_value() {
        assert_eq!(redact("supersecretvalue"), "supe…");
        assert_eq!(redact("abcdef"), "ab…");
        assert_eq!(redact("ab"), "…");
    }
}
