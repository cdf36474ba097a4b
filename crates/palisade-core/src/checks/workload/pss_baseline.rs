//! Reports every violation of the Pod Security Standards baseline level, through the exact
//! evaluator of `palisade pss`.

use crate::check::{Check, Reference, Sink};
use crate::pss::{Level, Version};
use crate::workload::PodView;

crate::declare_check! {
    /// ## What it flags
    /// Pod specs that the Pod Security admission controller would reject at the `baseline`
    /// level of the newest policy version, one finding per failed control (`privileged`,
    /// `hostNamespaces`, `capabilities_baseline`, `hostPathVolumes`, …), worded as the admission
    /// controller words it. This check is opt-in: `palisade scan --framework pss-baseline` runs
    /// it, or name it with `--select`. Use `palisade pss --version vX.Y` for older policies.
    ///
    /// ## Why it matters
    /// Baseline is the minimum the Kubernetes project considers safe for ordinary workloads: it
    /// blocks the known ways to escalate to the node. A namespace labelled
    /// `pod-security.kubernetes.io/enforce: baseline` rejects these pods at admission.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   hostNetwork: true
    ///   containers:
    ///   - name: app
    ///     securityContext: {privileged: true}
    /// ```
    ///
    /// ## Fix
    /// Remove host namespaces, privileged mode, added capabilities outside the default set,
    /// hostPath volumes and host ports; keep AppArmor, SELinux, seccomp, procMount and sysctls
    /// at their defaults.
    ///
    /// ## References
    /// Pod Security Standards, baseline level; NSA/CISA "Pod security"; CIS 5.2.
    pub struct PssBaseline {
        id: "PAL-150",
        slug: "pss-baseline",
        title: "Pod violates the Pod Security Standards baseline level",
        severity: High,
        area: Workload,
        opt_in: true,
        remediation: "Change the pod spec until `palisade pss --level baseline` allows it.",
        references: [
            Reference::Pss("baseline"),
            Reference::NsaCisa("pod-security"),
            Reference::Cis("5.2"),
        ],
    }
}

impl Check for PssBaseline {
    fn check_pod(&self, pod: &PodView<'_>, out: &mut Sink<'_>) {
        report_violations(pod, Level::Baseline, out);
    }
}

/// Reports each violation of `level` at the newest policy version as one finding.
pub(crate) fn report_violations(pod: &PodView<'_>, level: Level, out: &mut Sink<'_>) {
    for violation in crate::pss::evaluate(pod, level, Version::Latest) {
        out.report(violation.pos, violation.path.clone(), format!("{}: {violation}", violation.check));
    }
}
