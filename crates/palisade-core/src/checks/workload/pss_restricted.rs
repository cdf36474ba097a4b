//! Reports every violation of the Pod Security Standards restricted level, through the exact
//! evaluator of `palisade pss`.

use crate::check::{Check, Reference, Sink};
use crate::pss::Level;
use crate::workload::PodView;

use super::pss_baseline::report_violations;

crate::declare_check! {
    /// ## What it flags
    /// Pod specs that the Pod Security admission controller would reject at the `restricted`
    /// level of the newest policy version (which includes baseline), one finding per failed
    /// control (`allowPrivilegeEscalation`, `runAsNonRoot`, `capabilities_restricted`,
    /// `seccompProfile_restricted`, `restrictedVolumes`, …), worded as the admission controller
    /// words it. This check is opt-in: `palisade scan --framework pss-restricted` runs it, or
    /// name it with `--select`. Use `palisade pss --version vX.Y` for older policies.
    ///
    /// ## Why it matters
    /// Restricted is the hardened profile the Kubernetes project recommends for security-critical
    /// workloads: non-root, no privilege escalation, all capabilities dropped, a seccomp profile,
    /// and only ephemeral or projected volume types.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    /// - name: app
    ///   image: registry.example/app:1.0.0
    /// ```
    ///
    /// ## Fix
    /// Set `runAsNonRoot: true`, `allowPrivilegeEscalation: false`,
    /// `capabilities: {drop: [ALL]}` and `seccompProfile: {type: RuntimeDefault}`, and use only
    /// the allowed volume types.
    ///
    /// ## References
    /// Pod Security Standards, restricted level; NSA/CISA "Pod security"; CIS 5.2.
    pub struct PssRestricted {
        id: "PAL-151",
        slug: "pss-restricted",
        title: "Pod violates the Pod Security Standards restricted level",
        severity: Medium,
        area: Workload,
        opt_in: true,
        remediation: "Change the pod spec until `palisade pss --level restricted` allows it.",
        references: [
            Reference::Pss("restricted"),
            Reference::NsaCisa("pod-security"),
            Reference::Cis("5.2"),
        ],
    }
}

impl Check for PssRestricted {
    fn check_pod(&self, pod: &PodView<'_>, out: &mut Sink<'_>) {
        report_violations(pod, Level::Restricted, out);
    }
}
