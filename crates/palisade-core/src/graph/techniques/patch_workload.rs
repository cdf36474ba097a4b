//! Permission to patch workload controllers → those workloads.

use super::Technique;
use crate::graph::context::{PermissionSet, WorkloadInfo};
use crate::graph::{Capability, Context, EdgeSink};

declare_technique! {
    /// ## What
    /// Whoever may `patch` or `update` Deployments, DaemonSets, StatefulSets or CronJobs in a
    /// namespace changes their pod template: a new command, image or volume runs with the
    /// workload's service account (and on every node, for a DaemonSet).
    ///
    /// ## Why
    /// Changing a trusted workload borrows its identity and placement without creating anything
    /// new that reviews would notice.
    ///
    /// ## Evidence
    /// The workload, after the grant of patch or update.
    ///
    /// ## MITRE
    /// T1525 (Implant Internal Image), T1610 (Deploy Container).
    pub struct PatchWorkload {
        id: "T-PATCH-WORKLOAD",
        slug: "patch-workload",
        name: "Patch a workload's pod template",
        mitre: ["T1525", "T1610"],
    }
}

impl Technique for PatchWorkload {
    fn add_edges(&self, context: &Context<'_>, out: &mut EdgeSink<'_>) {
        super::to_workloads(context, out, Capability::PatchWorkloads, |w, set| {
            patchable(w, set)
        });
    }
}

/// Whether `set` lets its holder patch the template of `w`: a Deployment, DaemonSet,
/// StatefulSet or CronJob, of the name a `resourceNames` grant names if it does.
pub(crate) fn patchable(w: &WorkloadInfo<'_>, set: &PermissionSet) -> bool {
    let resource = match &*w.object.kind {
        "Deployment" => "deployments",
        "DaemonSet" => "daemonsets",
        "StatefulSet" => "statefulsets",
        "CronJob" => "cronjobs",
        _ => return false,
    };
    set.covers(resource, &w.object.name)
}
