//! Flags images referenced by a mutable tag, and holds the image reference parser shared by the
//! image checks.

use crate::check::{Check, Reference, Sink};
use crate::workload::PodView;

crate::declare_check! {
    /// ## What it flags
    /// Containers of any kind whose `image` has no tag or the tag `latest`, and no digest.
    /// A registry port is not a tag: `registry.example:5000/app` has no tag. Images written as
    /// template placeholders (`${IMAGE}`, `{{ .Values.image }}`) are skipped.
    ///
    /// ## Why it matters
    /// `latest` (which is also what a missing tag means) moves with every push. The code that
    /// runs changes without any change to the manifest, different nodes may run different
    /// builds of the same pod, a rollback does not roll back, and anyone who can push to the
    /// repository can replace what the cluster runs.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    /// - name: app
    ///   image: registry.example/app:latest
    /// ```
    ///
    /// ## Fix
    /// Pin a specific version tag, or better a digest:
    /// `registry.example/app:1.4.2@sha256:<digest>`.
    ///
    /// ## References
    /// NSA/CISA "Pod security" (container image hygiene); MITRE ATT&CK T1525 (Implant Internal
    /// Image); CWE-494.
    pub struct ImageTagMutable {
        id: "PAL-125",
        slug: "image-tag-mutable",
        title: "Image uses the latest tag or no tag",
        severity: Medium,
        area: Workload,
        remediation: "Reference the image by a specific version tag, preferably together with its digest.",
        references: [
            Reference::NsaCisa("pod-security"),
            Reference::MitreAttack("T1525"),
            Reference::Cwe("CWE-494"),
        ],
    }
}

/// The parts of an image reference that the image checks look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ImageRef<'a> {
    /// Registry, repository path and name, without tag or digest.
    pub name: &'a str,
    /// The tag, when one is written.
    pub tag: Option<&'a str>,
    /// The digest (`sha256:…`), when one is written.
    pub digest: Option<&'a str>,
}

impl ImageRef<'_> {
    /// Whether the tag is missing or `latest`, i.e. whether it follows every push.
    pub fn has_mutable_tag(&self) -> bool {
        matches!(self.tag, None | Some("latest"))
    }
}

/// Parses an image reference. Returns `None` for empty references and template placeholders,
/// which say nothing about the image that will run.
pub(crate) fn parse_image(image: &str) -> Option<ImageRef<'_>> {
    let image = image.trim();
    if image.is_empty() || image.contains('$') || image.contains("{{") {
        return None;
    }
    let (rest, digest) = match image.split_once('@') {
        Some((rest, digest)) => (rest, Some(digest)),
        None => (image, None),
    };
    // A digest is `algorithm:hex`; anything else after `@` is not one.
    let digest = digest.filter(|d| {
        d.split_once(':')
            .is_some_and(|(algorithm, hex)| !algorithm.is_empty() && !hex.is_empty())
    });
    // A colon is a tag separator only in the last path component: before it, it is a port.
    let last_component = rest.rfind('/').map_or(0, |slash| slash + 1);
    let (name, tag) = match rest[last_component..].rfind(':') {
        Some(colon) => {
            let colon = last_component + colon;
            (&rest[..colon], Some(&rest[colon + 1..]))
        }
        None => (rest, None),
    };
    Some(ImageRef {
        name,
        tag: tag.filter(|t| !t.is_empty()),
        digest,
    })
}

impl Check for ImageTagMutable {
    fn check_pod(&self, pod: &PodView<'_>, out: &mut Sink<'_>) {
        for container in pod.containers() {
            let Some(image) = container.image().and_then(parse_image) else {
                continue;
            };
            if image.digest.is_some() || !image.has_mutable_tag() {
                continue;
            }
            let how = if image.tag.is_some() {
                "the latest tag"
            } else {
                "no tag (which means latest)"
            };
            out.report(
                container.field_pos("image"),
                container.field_path("image"),
                format!(
                    "{} uses image \"{}\" with {how} and no digest",
                    container.describe(),
                    image.name
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_image;

    #[test]
    fn ports_are_not_tags() {
        let image = parse_image("registry.example:5000/team/app").unwrap();
        assert_eq!(image.name, "registry.example:5000/team/app");
        assert_eq!(image.tag, None);
        let image = parse_image("registry.example:5000/team/app:1.2").unwrap();
        assert_eq!(image.name, "registry.example:5000/team/app");
        assert_eq!(image.tag, Some("1.2"));
    }

    #[test]
    fn digests_are_split_off() {
        let image = parse_image("app:1.2@sha256:abc").unwrap();
        assert_eq!((image.name, image.tag, image.digest), ("app", Some("1.2"), Some("sha256:abc")));
        let image = parse_image("localhost:5000/app@sha256:abc").unwrap();
        assert_eq!(image.tag, None);
        assert_eq!(image.digest, Some("sha256:abc"));
        assert_eq!(parse_image("app@").unwrap().digest, None);
    }

    #[test]
    fn placeholders_and_empty_references_are_skipped() {
        assert!(parse_image("").is_none());
        assert!(parse_image("${IMAGE}").is_none());
        assert!(parse_image("{{ .Values.image }}").is_none());
        assert!(parse_image("nginx").unwrap().has_mutable_tag());
        assert!(parse_image("nginx:").unwrap().has_mutable_tag());
        assert!(!parse_image("nginx:1.27").unwrap().has_mutable_tag());
    }
}
