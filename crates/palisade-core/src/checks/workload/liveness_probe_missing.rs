//! Flags long-running containers without a liveness probe, and decides which pods are
//! long-running for both probe checks.

use crate::check::{Check, Reference, Sink};
use crate::document::Node;
use crate::workload::{ContainerKind, PodView};

crate::declare_check! {
    /// ## What it flags
    /// Regular containers of long-running workloads without a `livenessProbe`. Pods of Jobs and
    /// CronJobs, and pods whose `restartPolicy` is `Never` or `OnFailure`, run to completion and
    /// are skipped, as are init and ephemeral containers (Kubernetes does not probe them). The
    /// finding points at the container.
    ///
    /// ## Why it matters
    /// Without a liveness probe the kubelet restarts a container only when its main process
    /// exits. A deadlocked or wedged process keeps running, keeps its resources and, if it is
    /// also ready, keeps receiving traffic, until someone notices. This is about availability
    /// more than about an attacker; it is reported at `info` severity.
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
    /// Add a cheap probe that fails only when the process cannot recover by itself:
    /// ```yaml
    /// livenessProbe:
    ///   httpGet: {path: /healthz, port: 8080}
    ///   periodSeconds: 10
    ///   failureThreshold: 3
    /// ```
    ///
    /// ## References
    /// No framework control requires probes; CWE-754 (Improper Check for Unusual or Exceptional
    /// Conditions).
    pub struct LivenessProbeMissing {
        id: "PAL-129",
        slug: "liveness-probe-missing",
        title: "Container has no liveness probe",
        severity: Info,
        area: Workload,
        remediation: "Add a livenessProbe that fails only when the container cannot recover without a restart.",
        references: [Reference::Cwe("CWE-754")],
    }
}

/// Whether the pod is meant to keep running (a service or agent) rather than run to completion.
pub(crate) fn is_long_running(pod: &PodView<'_>) -> bool {
    let object = pod.object;
    if object.group() == "batch" && matches!(&*object.kind, "Job" | "CronJob") {
        return false;
    }
    !matches!(
        pod.get("restartPolicy").and_then(Node::as_str),
        Some("Never" | "OnFailure")
    )
}

/// Reports regular containers of long-running pods that lack `probe`.
pub(crate) fn report_missing_probe(
    pod: &PodView<'_>,
    probe: &str,
    what: &str,
    out: &mut Sink<'_>,
) {
    if !is_long_running(pod) {
        return;
    }
    for container in pod.containers() {
        if container.kind != ContainerKind::Regular
            || container.get(probe).is_some_and(|p| !p.is_null())
        {
            continue;
        }
        out.report(
            container.node.pos,
            container.field_path(probe),
            format!("{} has no {what}", container.describe()),
        );
    }
}

impl Check for LivenessProbeMissing {
    fn check_pod(&self, pod: &PodView<'_>, out: &mut Sink<'_>) {
        report_missing_probe(pod, "livenessProbe", "liveness probe", out);
    }
}
