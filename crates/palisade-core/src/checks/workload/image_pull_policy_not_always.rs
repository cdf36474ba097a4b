//! Flags containers that may run a cached copy of a tag-referenced image.

use crate::check::{Check, Reference, Sink};
use crate::document::Node;
use crate::workload::PodView;

use super::image_tag_mutable::parse_image;

crate::declare_check! {
    /// ## What it flags
    /// Containers of any kind whose image has no digest and whose pull policy is not `Always`:
    /// - `imagePullPolicy: IfNotPresent` or `Never` set explicitly (on the key's line);
    /// - `imagePullPolicy` unset with an explicit tag other than `latest` (on the container),
    ///   because Kubernetes then defaults it to `IfNotPresent`. With no tag or `latest` it
    ///   defaults to `Always`, which is not flagged.
    ///
    /// Images pinned by digest are never flagged: a digest names one image, so a cached copy is
    /// the same image.
    ///
    /// ## Why it matters
    /// With `IfNotPresent` or `Never` the kubelet runs whatever image the node already has under
    /// that tag. The registry's credentials are then not checked: a pod can start from a private
    /// image another tenant pulled onto the node without having pull access itself, and a node
    /// keeps running an old or tampered copy after the tag was fixed in the registry.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    /// - name: app
    ///   image: registry.example/app:1.4.2
    ///   imagePullPolicy: IfNotPresent
    /// ```
    ///
    /// ## Fix
    /// Pin the image by digest (then any pull policy is safe), or set `imagePullPolicy: Always`.
    /// Clusters can enforce the latter with the `AlwaysPullImages` admission plugin.
    ///
    /// ## References
    /// NSA/CISA "Pod security" (container image hygiene); CIS 1.2.11 (AlwaysPullImages); MITRE
    /// ATT&CK T1525 (Implant Internal Image).
    pub struct ImagePullPolicyNotAlways {
        id: "PAL-127",
        slug: "image-pull-policy-not-always",
        title: "Image pulled only if not present on the node",
        severity: Low,
        area: Workload,
        remediation: "Pin the image by digest, or set imagePullPolicy: Always.",
        references: [
            Reference::NsaCisa("pod-security"),
            Reference::Cis("1.2.11"),
            Reference::MitreAttack("T1525"),
        ],
    }
}

impl Check for ImagePullPolicyNotAlways {
    fn check_pod(&self, pod: &PodView<'_>, out: &mut Sink<'_>) {
        for container in pod.containers() {
            let Some(image) = container.image().and_then(parse_image) else {
                continue;
            };
            if image.digest.is_some() {
                continue;
            }
            match container.get("imagePullPolicy").and_then(Node::as_str) {
                Some(policy @ ("IfNotPresent" | "Never")) => out.report(
                    container.field_pos("imagePullPolicy"),
                    container.field_path("imagePullPolicy"),
                    format!(
                        "{} pulls image \"{}\" with policy {policy}; a cached copy under the same tag may run",
                        container.describe(),
                        image.name
                    ),
                ),
                Some(_) => {}
                None if image.has_mutable_tag() => {}
                None => out.report(
                    container.node.pos,
                    container.field_path("imagePullPolicy"),
                    format!(
                        "{} sets no imagePullPolicy, so the tagged image \"{}:{}\" defaults to IfNotPresent",
                        container.describe(),
                        image.name,
                        image.tag.unwrap_or_default()
                    ),
                ),
            }
        }
    }
}
