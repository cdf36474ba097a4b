//! Permission to write mutating webhook configurations → every admitted object: cluster-admin.

use super::Technique;
use crate::graph::{Capability, Context, EdgeSink, VertexKind};

declare_technique! {
    /// ## What
    /// Whoever may create or change MutatingWebhookConfigurations sends every admitted object
    /// (pods, bindings, secrets) to a server of their choice, which may rewrite it: add a
    /// privileged container to each new pod, a subject to each new binding.
    ///
    /// ## Why
    /// Admission sits in front of everything the cluster stores; controlling it controls what
    /// runs and who may do what.
    ///
    /// ## Evidence
    /// The grant of writing mutating webhook configurations.
    ///
    /// ## MITRE
    /// T1546 (Event Triggered Execution), T1556 (Modify Authentication Process).
    pub struct MutatingWebhook {
        id: "T-MUTATING-WEBHOOK",
        slug: "mutating-webhook",
        name: "Control a mutating admission webhook",
        mitre: ["T1546", "T1556"],
    }
}

impl Technique for MutatingWebhook {
    fn add_edges(&self, context: &Context<'_>, out: &mut EdgeSink<'_>) {
        let admin = out.vertex(VertexKind::ClusterAdmin, "cluster-admin");
        super::to_vertex(
            context,
            out,
            Capability::MutateAdmission,
            admin,
            "every admitted object, RBAC bindings included, passes through the webhook",
        );
    }
}
