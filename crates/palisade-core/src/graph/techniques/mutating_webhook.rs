//! Permission to write mutating webhook configurations → every admitted object: cluster-admin.

use super::Technique;
use crate::graph::{Capability, Context, EdgeSink, Evidence, VertexKind};

declare_technique! {
    /// ## What
    /// Whoever may create or change MutatingWebhookConfigurations sends every admitted object
    /// (pods, bindings, secrets) to a server of their choice, which may rewrite it: add a
    /// privileged container to each new pod, a subject to each new binding. A grant to update or
    /// patch only named configurations (`resourceNames`, as webhook installers get) is as good:
    /// the named configuration can be rewritten to match every object and call any server.
    ///
    /// ## Why
    /// Admission sits in front of everything the cluster stores; controlling it controls what
    /// runs and who may do what.
    ///
    /// ## Evidence
    /// The grant of writing mutating webhook configurations; for a name-limited grant, the
    /// named configuration first when it is in the input.
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
            WHY,
        );
        for (set, grant) in &context.permission_sets {
            let Some(name) = set.only_name() else {
                continue;
            };
            if set.capability != Capability::MutateAdmission {
                continue;
            }
            let named = context
                .inventory
                .of_kind("MutatingWebhookConfiguration")
                .find(|(_, o)| &*o.name == name)
                .map_or_else(
                    || {
                        Evidence::note(format!(
                            "MutatingWebhookConfiguration {name} (named by the grant)"
                        ))
                    },
                    |(_, o)| {
                        Evidence::at(
                            &o.source.file,
                            o.pos(),
                            format!("MutatingWebhookConfiguration {name}"),
                        )
                    },
                );
            let from = out.vertex(VertexKind::Permission, &set.vertex_name());
            let mut evidence = vec![named];
            evidence.extend(grant.iter().cloned());
            evidence.push(Evidence::note(WHY));
            out.edge(from, admin, evidence);
        }
    }
}

const WHY: &str = "every admitted object, RBAC bindings included, passes through the webhook";
