//! Permission to create pods in a namespace → every service account there.

use super::Technique;
use crate::graph::context::{PermissionSet, service_account_vertex_name};
use crate::graph::{Capability, Context, EdgeSink, Evidence, VertexKind};

declare_technique! {
    /// ## What
    /// Whoever may create pods in a namespace (directly or through a Deployment, DaemonSet,
    /// StatefulSet, ReplicaSet, Job, CronJob or ReplicationController) may run a pod as any
    /// service account of that namespace and read its token.
    ///
    /// ## Why
    /// RBAC does not check `serviceAccountName`: pod creation in a namespace is the union of the
    /// rights of all its service accounts.
    ///
    /// ## Evidence
    /// The ServiceAccount (or where a pod names it), after the grant of pod creation.
    ///
    /// ## MITRE
    /// T1610 (Deploy Container), T1528 (Steal Application Access Token).
    pub struct CreatePodWithSa {
        id: "T-CREATE-POD-WITH-SA",
        slug: "create-pod-with-sa",
        name: "Create a pod that runs as any service account",
        mitre: ["T1610", "T1528"],
    }
}

impl Technique for CreatePodWithSa {
    fn add_edges(&self, context: &Context<'_>, out: &mut EdgeSink<'_>) {
        super::to_service_accounts(context, out, Capability::CreatePods);
    }
}

/// Edges from every permission set of `capability` to the service accounts it covers.
pub(crate) fn edges_to_service_accounts(
    context: &Context<'_>,
    out: &mut EdgeSink<'_>,
    capability: Capability,
) {
    for (set, grant) in &context.permission_sets {
        if set.capability == capability {
            service_accounts_of(context, out, set, grant);
        }
    }
}

/// Edges from the permission set `set` to the service accounts it covers (of its namespace,
/// or all; of the names a `resourceNames` grant lists, if it does).
pub(crate) fn service_accounts_of(
    context: &Context<'_>,
    out: &mut EdgeSink<'_>,
    set: &PermissionSet,
    grant: &[Evidence],
) {
    let mut from = None;
    for ns in context.scope_namespaces(set.scope.as_deref()) {
        for name in context.service_accounts.get(ns).into_iter().flatten() {
            if !set.covers("serviceaccounts", name) {
                continue;
            }
            let from = *from
                .get_or_insert_with(|| out.vertex(VertexKind::Permission, &set.vertex_name()));
            let evidence = match context.service_account_objects.get(&(ns, name.as_str())) {
                Some(object) => Evidence::at(
                    &object.source.file,
                    object.pos(),
                    format!("service account {ns}/{name}"),
                ),
                None => Evidence::note(format!(
                    "service account {ns}/{name} (named by a pod or binding)"
                )),
            };
            let mut all = vec![evidence];
            all.extend(grant.iter().cloned());
            let to = out.vertex(
                VertexKind::ServiceAccount,
                &service_account_vertex_name(ns, name),
            );
            out.edge(from, to, all);
        }
    }
}
