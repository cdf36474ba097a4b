//! Flags long-running containers without a readiness probe.

use crate::check::{Check, Reference, Sink};
use crate::workload::PodView;

use super::liveness_probe_missing::report_missing_probe;

crate::declare_check! {
    /// ## What it flags
    /// Regular containers of long-running workloads without a `readinessProbe`. Pods of Jobs and
    /// CronJobs, and pods whose `restartPolicy` is `Never` or `OnFailure`, are skipped, as are
    /// init and ephemeral containers. The finding points at the container.
    ///
    /// ## Why it matters
    /// Without a readiness probe a container counts as ready as soon as it starts. Services send
    /// it traffic before it can serve, and a rolling update replaces healthy pods with ones that
    /// are not working yet, so a bad release or a slow start turns into errors for clients
    /// instead of a stalled rollout.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    /// - name: app
    ///   image: registry.example/app:1.4.2
    ///   ports: [{containerPort: 8080}]
    /// ```
    ///
    /// ## Fix
    /// Add a probe that succeeds only when the container can do its work:
    /// ```yaml
    /// readinessProbe:
    ///   httpGet: {path: /ready, port: 8080}
    ///   periodSeconds: 5
    /// ```
    ///
    /// ## References
    /// No framework control requires probes; CWE-754 (Improper Check for Unusual or Exceptional
    /// Conditions).
    pub struct ReadinessProbeMissing {
        id: "PAL-130",
        slug: "readiness-probe-missing",
        title: "Container has no readiness probe",
        severity: Low,
        area: Workload,
        remediation: "Add a readinessProbe that succeeds only when the container can serve its work.",
        references: [Reference::Cwe("CWE-754")],
    }
}

impl Check for ReadinessProbeMissing {
    fn check_pod(&self, pod: &PodView<'_>, out: &mut Sink<'_>) {
        report_missing_probe(pod, "readinessProbe", "readiness probe", out);
    }
}
