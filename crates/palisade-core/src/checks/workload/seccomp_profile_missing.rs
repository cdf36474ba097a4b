//! Flags containers that run without a seccomp profile, and resolves which profile applies.

use crate::check::{Check, Reference, Sink};
use crate::document::{Node, Pos};
use crate::workload::{ContainerView, PodView};

use super::{annotation_entry, is_privileged};

crate::declare_check! {
    /// ## What it flags
    /// Containers of any kind to which no seccomp profile applies. The profile is looked up the
    /// way Kubernetes resolves it, first match wins:
    ///
    /// 1. the container's `securityContext.seccompProfile.type`;
    /// 2. the legacy annotation `container.seccomp.security.alpha.kubernetes.io/<container>`;
    /// 3. the pod's `securityContext.seccompProfile.type`;
    /// 4. the legacy annotation `seccomp.security.alpha.kubernetes.io/pod`.
    ///
    /// `RuntimeDefault` and `Localhost` (annotations `runtime/default`, `docker/default` and
    /// `localhost/<file>`) pass. An explicit `Unconfined` is reported by `seccomp-unconfined`
    /// instead. Privileged containers (which the runtime never confines) are left to
    /// `privileged-container`, and Windows pods are skipped.
    ///
    /// Kubelets started with `--seccomp-default` apply `RuntimeDefault` to such containers; the
    /// manifest cannot show that, and the setting is off by default, so the check still
    /// reports them.
    ///
    /// ## Why it matters
    /// Without a profile the container can make every system call the kernel offers, including
    /// rarely used ones (`keyctl`, `bpf`, `userfaultfd`, `unshare`, ...) where most kernel
    /// escape vulnerabilities are found. The runtime's default profile blocks them at almost no
    /// cost to ordinary applications.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   containers:
    ///   - name: app
    ///     image: registry.example/app:1.4.2
    /// ```
    ///
    /// ## Fix
    /// Set it once for the whole pod:
    /// ```yaml
    /// spec:
    ///   securityContext:
    ///     seccompProfile:
    ///       type: RuntimeDefault
    /// ```
    ///
    /// ## References
    /// NSA/CISA "Pod security"; CIS 5.7.2; Pod Security Standards restricted "Seccomp"; MITRE
    /// ATT&CK T1611 (Escape to Host), T1068 (Exploitation for Privilege Escalation).
    pub struct SeccompProfileMissing {
        id: "PAL-114",
        slug: "seccomp-profile-missing",
        title: "Container runs without a seccomp profile",
        severity: Low,
        area: Workload,
        remediation: "Set securityContext.seccompProfile.type to RuntimeDefault (or Localhost) in the pod's securityContext.",
        references: [
            Reference::NsaCisa("pod-security"),
            Reference::Cis("5.7.2"),
            Reference::Pss("restricted/seccompProfile"),
            Reference::MitreAttack("T1611"),
            Reference::MitreAttack("T1068"),
        ],
    }
}

/// The seccomp profile applied to a container.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SeccompKind {
    /// `RuntimeDefault` or `Localhost` (or their annotation spellings).
    Confined,
    /// `Unconfined`.
    Unconfined,
    /// A value Kubernetes would not accept; neither flagged as missing nor as unconfined.
    Unknown,
}

/// A resolved seccomp profile and where it was set.
#[derive(Debug, Clone)]
pub(crate) struct SeccompSetting {
    /// What it does.
    pub kind: SeccompKind,
    /// The position of the `type` key or the annotation key.
    pub pos: Pos,
    /// The field path of the same.
    pub path: String,
    /// Where it comes from, for messages.
    pub source: &'static str,
}

fn from_field(node: &Node, path: &str, source: &'static str) -> Option<SeccompSetting> {
    let entry = node.entry("type")?;
    // What counts as confined is the Pod Security Standards' definition, shared with
    // `palisade pss`.
    let kind = match entry.value.as_str()? {
        t if crate::pss::checks::allowed_seccomp_type(t) => SeccompKind::Confined,
        "Unconfined" => SeccompKind::Unconfined,
        _ => SeccompKind::Unknown,
    };
    Some(SeccompSetting {
        kind,
        pos: entry.key_pos,
        path: format!("{path}.type"),
        source,
    })
}

fn from_annotation(pod: &PodView<'_>, key: &str, source: &'static str) -> Option<SeccompSetting> {
    let (entry, path) = annotation_entry(pod, key)?;
    let value = entry.value.as_str()?.trim();
    let kind = if crate::pss::checks::allowed_seccomp_annotation(value) {
        SeccompKind::Confined
    } else if value == "unconfined" {
        SeccompKind::Unconfined
    } else {
        SeccompKind::Unknown
    };
    Some(SeccompSetting {
        kind,
        pos: entry.key_pos,
        path,
        source,
    })
}

/// The seccomp profile that applies to `container`, if any is set anywhere.
pub(crate) fn effective_seccomp(
    pod: &PodView<'_>,
    container: &ContainerView<'_>,
) -> Option<SeccompSetting> {
    let own = container
        .security_context()
        .and_then(|sc| sc.get("seccompProfile"))
        .filter(|n| !n.is_null());
    if let Some(node) = own {
        return from_field(
            node,
            &container.field_path("securityContext.seccompProfile"),
            "the container's securityContext",
        );
    }
    let container_key = format!(
        "container.seccomp.security.alpha.kubernetes.io/{}",
        container.name()
    );
    if let Some(setting) = from_annotation(pod, &container_key, "a container annotation") {
        return Some(setting);
    }
    let pod_level = pod
        .security_context()
        .and_then(|sc| sc.get("seccompProfile"))
        .filter(|n| !n.is_null());
    if let Some(node) = pod_level {
        return from_field(
            node,
            &pod.field_path("securityContext.seccompProfile"),
            "the pod's securityContext",
        );
    }
    from_annotation(pod, "seccomp.security.alpha.kubernetes.io/pod", "the pod annotation")
}

impl Check for SeccompProfileMissing {
    fn check_pod(&self, pod: &PodView<'_>, out: &mut Sink<'_>) {
        if pod.is_windows() {
            return;
        }
        for container in pod.containers() {
            if is_privileged(&container) || effective_seccomp(pod, &container).is_some() {
                continue;
            }
            out.report(
                container.security_context_pos(),
                container.field_path("securityContext.seccompProfile"),
                format!(
                    "{} runs without a seccomp profile (no seccompProfile on the container or \
                     the pod)",
                    container.describe()
                ),
            );
        }
    }
}
