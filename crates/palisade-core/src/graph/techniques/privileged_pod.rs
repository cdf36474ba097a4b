//! Permission to create or patch pods where Pod Security does not stop privileged pods → node.

use super::Technique;
use crate::graph::context::ANY_NODE;
use crate::graph::{Capability, Context, EdgeSink, Evidence, VertexKind};

declare_technique! {
    /// ## What
    /// Whoever may create pods (or patch a workload's template) in a namespace whose Namespace
    /// does not enforce the baseline or restricted Pod Security Standard can run a privileged
    /// pod with the host's namespaces and file system, and so owns the node it lands on.
    ///
    /// ## Why
    /// Pod Security admission is what stands between "may create a pod" and "may run anything
    /// as root on a node".
    ///
    /// ## Evidence
    /// The grant of pod creation, and the missing `pod-security.kubernetes.io/enforce` label.
    ///
    /// ## MITRE
    /// T1610 (Deploy Container), T1611 (Escape to Host).
    pub struct PrivilegedPod {
        id: "T-PRIVILEGED-POD",
        slug: "privileged-pod",
        name: "Create a privileged pod",
        mitre: ["T1610", "T1611"],
    }
}

impl Technique for PrivilegedPod {
    fn add_edges(&self, context: &Context<'_>, out: &mut EdgeSink<'_>) {
        for (set, grant) in &context.permission_sets {
            let scope = &set.scope;
            if !matches!(
                set.capability,
                Capability::CreatePods | Capability::PatchWorkloads
            ) || !context.admits_privileged_pods(scope.as_deref())
            {
                continue;
            }
            // A grant limited to named workloads needs one of them to exist to patch it.
            if set.only.is_some()
                && !context
                    .scope_namespaces(scope.as_deref())
                    .into_iter()
                    .flat_map(|ns| context.workloads_by_namespace.get(ns).into_iter().flatten())
                    .any(|&w| super::patch_workload::patchable(&context.workloads[w], set))
            {
                continue;
            }
            let from = out.vertex(VertexKind::Permission, &set.vertex_name());
            let node = out.vertex(VertexKind::Node, ANY_NODE);
            let mut evidence = grant.clone();
            evidence.push(Evidence::note(match scope {
                Some(ns) => format!(
                    "namespace {ns} does not enforce the baseline Pod Security Standard"
                ),
                None => "some namespace does not enforce the baseline Pod Security Standard"
                    .to_string(),
            }));
            out.edge(from, node, evidence);
        }
    }
}
