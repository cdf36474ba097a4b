//! The technique registry: every kind of edge of the attack graph, one file per technique.
//!
//! A technique has a stable id (`T-EXEC-INTO`), a kebab-case slug, a name, MITRE ATT&CK
//! references and a doc with the sections What / Why / Evidence / MITRE, taken from its doc
//! comment so that code, `palisade paths --explain` and docs share one text. Its logic reads the
//! [`Context`] and adds edges with evidence. Each technique has a fixture beside it
//! (`<slug with underscores>.yaml`) whose evidence lines carry `# expect-edge: T-ID` markers;
//! one harness runs every technique on its fixture, so adding a technique adds no test code.

use serde::Serialize;

use super::context::{ANY_NODE, Context, WorkloadInfo, container_vertex_name, volume_vertex_name};
use super::{EdgeSink, Evidence, VertexId, VertexKind};

/// Everything about a technique that is not its logic.
#[derive(Debug, Serialize)]
pub struct TechniqueMeta {
    /// Stable id, never reused, e.g. `T-EXEC-INTO`.
    pub id: &'static str,
    /// Stable kebab-case name, e.g. `exec-into`.
    pub slug: &'static str,
    /// One-line name.
    pub name: &'static str,
    /// MITRE ATT&CK technique ids.
    pub mitre: &'static [&'static str],
    /// The documentation (What / Why / Evidence / MITRE), from the doc comment.
    #[serde(skip)]
    pub doc: &'static str,
}

impl TechniqueMeta {
    /// The documentation with the one leading space of each doc-comment line removed.
    pub fn doc_text(&self) -> String {
        let mut out = String::with_capacity(self.doc.len());
        for line in self.doc.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out.trim().to_string() + "\n"
    }
}

/// The logic of a technique: adds its edges to the graph.
pub trait Technique: Send + Sync {
    /// Adds every edge of this technique that the context supports.
    fn add_edges(&self, context: &Context<'_>, out: &mut EdgeSink<'_>);
}

/// A technique in the registry.
pub struct RegisteredTechnique {
    /// Its metadata.
    pub meta: &'static TechniqueMeta,
    /// Its logic.
    pub technique: &'static dyn Technique,
}

/// Declares a technique's unit struct and its [`TechniqueMeta`], the doc comment being its
/// documentation.
macro_rules! declare_technique {
    (
        $(#[doc = $doc:literal])*
        pub struct $name:ident {
            id: $id:literal,
            slug: $slug:literal,
            name: $title:literal,
            mitre: [$($mitre:literal),* $(,)?] $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        pub struct $name;

        impl $name {
            /// This technique's metadata.
            pub const META: $crate::graph::techniques::TechniqueMeta =
                $crate::graph::techniques::TechniqueMeta {
                    id: $id,
                    slug: $slug,
                    name: $title,
                    mitre: &[$($mitre),*],
                    doc: concat!($($doc, "\n"),*),
                };
        }
    };
}

macro_rules! technique_registry {
    ($($module:ident :: $technique:ident),* $(,)?) => {
        $(pub mod $module;)*

        /// Every technique, in the order edges are added. The network techniques come last: the
        /// NetworkPolicy engine is asked only about workloads the other techniques found useful.
        pub static TECHNIQUES: &[RegisteredTechnique] = &[
            $(RegisteredTechnique { meta: &$module::$technique::META, technique: &$module::$technique },)*
        ];
    };
}

technique_registry! {
    mount_token::MountToken,
    mount_secret::MountSecret,
    secret_holds_token::SecretHoldsToken,
    rbac_grant::RbacGrant,
    create_pod_with_sa::CreatePodWithSa,
    token_request::TokenRequest,
    exec_into::ExecInto,
    patch_workload::PatchWorkload,
    read_secret::ReadSecret,
    impersonate::Impersonate,
    approve_csr::ApproveCsr,
    cluster_admin::ClusterAdmin,
    admin_owns_nodes::AdminOwnsNodes,
    bind_escalate::BindEscalate,
    mutating_webhook::MutatingWebhook,
    nodes_proxy::NodesProxy,
    privileged_pod::PrivilegedPod,
    escape_privileged::EscapePrivileged,
    escape_host_pid::EscapeHostPid,
    escape_host_path::EscapeHostPath,
    escape_runtime_socket::EscapeRuntimeSocket,
    escape_sys_admin::EscapeSysAdmin,
    run_in_container::RunInContainer,
    mount_volume::MountVolume,
    node_control::NodeControl,
    exposed_entry_point::ExposedEntryPoint,
    entry_routes_to_workload::EntryRoutesToWorkload,
    network_reach::NetworkReach,
}

/// The technique with this id or slug.
pub fn find(key: &str) -> Option<&'static RegisteredTechnique> {
    TECHNIQUES
        .iter()
        .find(|t| t.meta.id.eq_ignore_ascii_case(key) || t.meta.slug == key)
}

/// The vertex of workload `w`.
pub(crate) fn workload_vertex(out: &mut EdgeSink<'_>, w: &WorkloadInfo<'_>) -> VertexId {
    out.vertex(VertexKind::Workload, &w.name)
}

/// Where a workload is declared, as evidence.
pub(crate) fn workload_evidence(w: &WorkloadInfo<'_>, what: impl Into<String>) -> Evidence {
    Evidence::at(w.file(), w.object.pos(), what)
}

/// The node a container escape from `w` lands on: its pinned node, or `node:*`.
pub(crate) fn escape_target(out: &mut EdgeSink<'_>, w: &WorkloadInfo<'_>) -> VertexId {
    match w.node_name {
        Some(node) if !w.on_every_node => out.vertex(VertexKind::Node, &format!("node:{node}")),
        _ => out.vertex(VertexKind::Node, ANY_NODE),
    }
}

/// Adds an escape edge to its node from every container of every workload in which `escapes`
/// finds a reason (container name and evidence); the workload → container step is
/// [`run_in_container`]'s.
pub(crate) fn escape_edges(
    context: &Context<'_>,
    out: &mut EdgeSink<'_>,
    escapes: impl Fn(&WorkloadInfo<'_>) -> Vec<(String, Evidence)>,
) {
    step_edges(
        context,
        out,
        escapes,
        container_vertex_name,
        VertexKind::Container,
    );
}

/// Adds an escape edge to its node from every volume of every workload in which `escapes`
/// finds a reason (volume name and evidence); the workload → volume step is
/// [`mount_volume`]'s.
pub(crate) fn volume_escape_edges(
    context: &Context<'_>,
    out: &mut EdgeSink<'_>,
    escapes: impl Fn(&WorkloadInfo<'_>) -> Vec<(String, Evidence)>,
) {
    step_edges(
        context,
        out,
        escapes,
        volume_vertex_name,
        VertexKind::Volume,
    );
}

fn step_edges(
    context: &Context<'_>,
    out: &mut EdgeSink<'_>,
    escapes: impl Fn(&WorkloadInfo<'_>) -> Vec<(String, Evidence)>,
    vertex_name: fn(&str, &str) -> String,
    kind: VertexKind,
) {
    for w in &context.workloads {
        if w.pod.is_windows() {
            continue;
        }
        let found = escapes(w);
        if found.is_empty() {
            continue;
        }
        let to = escape_target(out, w);
        for (part, evidence) in found {
            let from = out.vertex(kind, &vertex_name(&w.name, &part));
            out.edge(from, to, vec![evidence]);
        }
    }
}

#[cfg(test)]
mod harness;

pub(crate) use create_pod_with_sa::{
    edges_to_service_accounts as to_service_accounts, service_accounts_of as to_service_accounts_of,
};

/// Edges from every permission set of `capability` to the workloads of its namespaces that
/// `keep` accepts (given the set, for grants limited to named objects), with the workload as
/// first evidence.
pub(crate) fn to_workloads(
    context: &Context<'_>,
    out: &mut EdgeSink<'_>,
    capability: super::Capability,
    keep: impl Fn(&WorkloadInfo<'_>, &super::context::PermissionSet) -> bool,
) {
    for (set, grant) in &context.permission_sets {
        if set.capability != capability {
            continue;
        }
        let mut from = None;
        let namespaces = context.scope_namespaces(set.scope.as_deref());
        for ns in namespaces {
            for &index in context.workloads_by_namespace.get(ns).into_iter().flatten() {
                let w = &context.workloads[index];
                if !keep(w, set) {
                    continue;
                }
                let from = *from
                    .get_or_insert_with(|| out.vertex(VertexKind::Permission, &set.vertex_name()));
                let to = workload_vertex(out, w);
                let mut evidence = vec![workload_evidence(w, w.name.clone())];
                evidence.extend(grant.iter().cloned());
                out.edge(from, to, evidence);
            }
        }
    }
}

/// Edges from every cluster-wide permission set of `capability` that covers every object to
/// `target`, with the grant as evidence.
pub(crate) fn to_vertex(
    context: &Context<'_>,
    out: &mut EdgeSink<'_>,
    capability: super::Capability,
    target: VertexId,
    why: &str,
) {
    for (set, grant) in &context.permission_sets {
        if set.capability != capability || set.scope.is_some() || set.only.is_some() {
            continue;
        }
        let from = out.vertex(VertexKind::Permission, &set.vertex_name());
        let mut evidence = grant.clone();
        evidence.push(Evidence::note(why));
        out.edge(from, target, evidence);
    }
}
