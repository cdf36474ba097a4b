//! Flags images that are not pinned by digest.

use crate::check::{Check, Reference, Sink};
use crate::workload::PodView;

use super::image_tag_mutable::parse_image;

crate::declare_check! {
    /// ## What it flags
    /// Containers of any kind whose `image` carries no digest (`@sha256:…`), whatever its tag.
    /// Images written as template placeholders are skipped.
    ///
    /// ## Why it matters
    /// Every tag, not only `latest`, can be moved to another image by whoever can push to the
    /// repository, or by a registry or mirror that is compromised. Only a digest names exactly
    /// one image: it makes what runs reproducible, lets signature and vulnerability results
    /// stay valid for what is deployed, and stops a replaced image from being pulled.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    /// - name: app
    ///   image: registry.example/app:1.4.2
    /// ```
    ///
    /// ## Fix
    /// Add the digest of the image you tested, keeping the tag for readers:
    /// `registry.example/app:1.4.2@sha256:<digest>`. Tools such as Renovate or a CI step can
    /// keep digests current.
    ///
    /// ## References
    /// NSA/CISA "Pod security" (container image hygiene); MITRE ATT&CK T1525 (Implant Internal
    /// Image); CWE-494.
    pub struct ImageWithoutDigest {
        id: "PAL-126",
        slug: "image-without-digest",
        title: "Image is not pinned by digest",
        severity: Low,
        area: Workload,
        remediation: "Pin the image by digest, e.g. registry.example/app:1.4.2@sha256:<digest>.",
        references: [
            Reference::NsaCisa("pod-security"),
            Reference::MitreAttack("T1525"),
            Reference::Cwe("CWE-494"),
        ],
    }
}

impl Check for ImageWithoutDigest {
    fn check_pod(&self, pod: &PodView<'_>, out: &mut Sink<'_>) {
        for container in pod.containers() {
            let Some(image) = container.image().and_then(parse_image) else {
                continue;
            };
            if image.digest.is_some() {
                continue;
            }
            out.report(
                container.field_pos("image"),
                container.field_path("image"),
                format!(
                    "{} uses image \"{}{}\" without a digest",
                    container.describe(),
                    image.name,
                    image.tag.map(|t| format!(":{t}")).unwrap_or_default()
                ),
            );
        }
    }
}
