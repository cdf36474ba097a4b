//! Pod templates inside workload objects, and the security settings that apply to each container.
//!
//! This module owns where a pod spec lives in each workload kind (including custom resources that
//! embed a pod template), how containers of every type are enumerated, and how pod-level
//! `securityContext` fields are inherited by containers the way the kubelet inherits them. Checks
//! and the Pod Security Standards evaluator read pods only through these views.

use crate::document::{Node, Pos, Value};
use crate::object::Object;

/// Where the pod spec sits in a built-in workload kind.
fn builtin_spec_path(kind: &str, group: &str) -> Option<&'static [&'static str]> {
    match (group, kind) {
        ("", "Pod") => Some(&["spec"]),
        ("", "PodTemplate") => Some(&["template", "spec"]),
        ("", "ReplicationController")
        | ("apps" | "extensions", "Deployment" | "ReplicaSet" | "DaemonSet")
        | ("apps", "StatefulSet")
        | ("batch", "Job") => Some(&["spec", "template", "spec"]),
        ("batch", "CronJob") => Some(&["spec", "jobTemplate", "spec", "template", "spec"]),
        _ => None,
    }
}

/// Finds every pod spec in an object: the built-in location for workload kinds, or every
/// embedded `template.spec` with a `containers` list for other kinds (custom resources).
pub fn pod_specs(object: &Object) -> Vec<PodView<'_>> {
    if let Some(path) = builtin_spec_path(&object.kind, object.group()) {
        return object
            .root
            .path(path)
            .filter(|spec| matches!(spec.value, Value::Map(_)))
            .map(|spec| {
                let meta_path = &path[..path.len() - 1];
                let metadata = if meta_path.is_empty() {
                    object.root.get("metadata")
                } else {
                    object.root.path(meta_path).and_then(|t| t.get("metadata"))
                };
                PodView {
                    object,
                    spec,
                    spec_path: path.join("."),
                    metadata,
                }
            })
            .into_iter()
            .collect();
    }
    if is_known_kind_without_pods(object) {
        return Vec::new();
    }
    let mut found = Vec::new();
    find_embedded_templates(object, &object.root, "", 0, &mut found);
    found
}

/// Kinds of the core API groups that never embed pod templates; skipping them avoids walking
/// large objects (`ConfigMaps`, CRD schemas) for nothing.
fn is_known_kind_without_pods(object: &Object) -> bool {
    matches!(
        object.group(),
        "" | "rbac.authorization.k8s.io"
            | "networking.k8s.io"
            | "apiextensions.k8s.io"
            | "admissionregistration.k8s.io"
            | "policy"
            | "storage.k8s.io"
            | "scheduling.k8s.io"
            | "coordination.k8s.io"
            | "certificates.k8s.io"
            | "autoscaling"
            | "discovery.k8s.io"
    )
}

const MAX_TEMPLATE_SEARCH_DEPTH: usize = 12;

fn find_embedded_templates<'a>(
    object: &'a Object,
    node: &'a Node,
    path: &str,
    depth: usize,
    found: &mut Vec<PodView<'a>>,
) {
    if depth > MAX_TEMPLATE_SEARCH_DEPTH {
        return;
    }
    for entry in node.entries() {
        let child_path = if path.is_empty() {
            entry.key.to_string()
        } else {
            format!("{path}.{}", entry.key)
        };
        if &*entry.key == "template"
            && let Some(spec) = entry.value.get("spec")
            && matches!(
                spec.get("containers").map(|c| &c.value),
                Some(Value::Seq(_))
            )
        {
            found.push(PodView {
                object,
                spec,
                spec_path: format!("{child_path}.spec"),
                metadata: entry.value.get("metadata"),
            });
            continue;
        }
        if matches!(entry.value.value, Value::Map(_)) {
            find_embedded_templates(object, &entry.value, &child_path, depth + 1, found);
        }
    }
}

/// A pod spec inside an object.
#[derive(Debug, Clone)]
pub struct PodView<'a> {
    /// The object holding the pod spec.
    pub object: &'a Object,
    /// The pod spec itself.
    pub spec: &'a Node,
    /// The spec's field path in the object, e.g. `spec.template.spec`.
    pub spec_path: String,
    /// The pod's metadata (the template's, or the Pod's own).
    pub metadata: Option<&'a Node>,
}

/// The three kinds of containers in a pod.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContainerKind {
    /// `containers`
    Regular,
    /// `initContainers`
    Init,
    /// `ephemeralContainers`
    Ephemeral,
}

impl ContainerKind {
    /// The pod spec field that lists this kind.
    pub fn field(self) -> &'static str {
        match self {
            ContainerKind::Regular => "containers",
            ContainerKind::Init => "initContainers",
            ContainerKind::Ephemeral => "ephemeralContainers",
        }
    }

    /// How messages name this kind.
    pub fn noun(self) -> &'static str {
        match self {
            ContainerKind::Regular => "container",
            ContainerKind::Init => "init container",
            ContainerKind::Ephemeral => "ephemeral container",
        }
    }
}

impl<'a> PodView<'a> {
    /// The full field path of a field of the pod spec.
    pub fn field_path(&self, field: &str) -> String {
        format!("{}.{field}", self.spec_path)
    }

    /// A pod spec field.
    pub fn get(&self, field: &str) -> Option<&'a Node> {
        self.spec.get(field)
    }

    /// Where a pod spec field's key is, or the spec's own position when the field is absent.
    pub fn field_pos(&self, field: &str) -> Pos {
        self.spec.entry(field).map_or(self.spec.pos, |e| e.key_pos)
    }

    /// Whether `spec.os.name` is `windows` (Linux-only settings do not apply).
    pub fn is_windows(&self) -> bool {
        self.spec.path(&["os", "name"]).and_then(Node::as_str) == Some("windows")
    }

    /// Whether `hostUsers` is `false` (the pod runs in its own user namespace).
    pub fn uses_user_namespace(&self) -> bool {
        self.spec.get("hostUsers").and_then(Node::as_bool) == Some(false)
    }

    /// The pod-level `securityContext`.
    pub fn security_context(&self) -> Option<&'a Node> {
        self.spec.get("securityContext")
    }

    /// A pod template annotation.
    pub fn annotation(&self, key: &str) -> Option<&'a str> {
        self.metadata
            .and_then(|m| m.path(&["annotations", key]))
            .and_then(Node::as_str)
    }

    /// The pod's `volumes`.
    pub fn volumes(&self) -> &'a [Node] {
        self.spec.get("volumes").map_or(&[], Node::items)
    }

    /// Every container of every kind, in spec order (regular, init, ephemeral).
    pub fn containers(&self) -> impl Iterator<Item = ContainerView<'a>> + '_ {
        [
            ContainerKind::Regular,
            ContainerKind::Init,
            ContainerKind::Ephemeral,
        ]
        .into_iter()
        .flat_map(move |kind| {
            let items = self.spec.get(kind.field()).map_or(&[][..], Node::items);
            items
                .iter()
                .enumerate()
                .filter(|(_, n)| matches!(n.value, Value::Map(_)))
                .map(move |(index, node)| ContainerView {
                    kind,
                    node,
                    path: format!("{}.{}[{index}]", self.spec_path, kind.field()),
                    pod_security_context: self.security_context(),
                    pod_spec_path: self.spec_path.clone(),
                })
        })
    }
}

/// One container of a pod, with the pod-level settings it inherits.
#[derive(Debug, Clone)]
pub struct ContainerView<'a> {
    /// Regular, init or ephemeral.
    pub kind: ContainerKind,
    /// The container's node.
    pub node: &'a Node,
    /// Its field path, e.g. `spec.template.spec.containers[0]`.
    pub path: String,
    pod_security_context: Option<&'a Node>,
    pod_spec_path: String,
}

/// A security setting and where it was set: on the container or inherited from the pod.
#[derive(Debug, Clone)]
pub struct Setting<'a> {
    /// The value.
    pub node: &'a Node,
    /// Where the key is.
    pub pos: Pos,
    /// The field path.
    pub path: String,
    /// Whether it was inherited from the pod-level `securityContext`.
    pub from_pod: bool,
}

/// Container `securityContext` fields that the pod-level `securityContext` provides defaults for.
const INHERITED_FIELDS: &[&str] = &[
    "runAsUser",
    "runAsGroup",
    "runAsNonRoot",
    "seLinuxOptions",
    "seccompProfile",
    "appArmorProfile",
    "windowsOptions",
];

impl<'a> ContainerView<'a> {
    /// The container's name (empty if missing).
    pub fn name(&self) -> &'a str {
        self.node.get("name").and_then(Node::as_str).unwrap_or("")
    }

    /// The container's image, if set.
    pub fn image(&self) -> Option<&'a str> {
        self.node.get("image").and_then(Node::as_str)
    }

    /// A container field.
    pub fn get(&self, field: &str) -> Option<&'a Node> {
        self.node.get(field)
    }

    /// The full path of a container field.
    pub fn field_path(&self, field: &str) -> String {
        format!("{}.{field}", self.path)
    }

    /// Where a container field's key is, or the container's position when absent.
    pub fn field_pos(&self, field: &str) -> Pos {
        self.node.entry(field).map_or(self.node.pos, |e| e.key_pos)
    }

    /// `container "name"` or `init container "name"`, for messages.
    pub fn describe(&self) -> String {
        format!("{} \"{}\"", self.kind.noun(), self.name())
    }

    /// The container's own `securityContext`.
    pub fn security_context(&self) -> Option<&'a Node> {
        self.node.get("securityContext")
    }

    /// A `securityContext` field as it applies to the container: its own value, or for fields
    /// Kubernetes inherits, the pod-level value.
    pub fn effective(&self, field: &str) -> Option<Setting<'a>> {
        if let Some(entry) = self.security_context().and_then(|sc| sc.entry(field))
            && !entry.value.is_null()
        {
            return Some(Setting {
                node: &entry.value,
                pos: entry.key_pos,
                path: format!("{}.securityContext.{field}", self.path),
                from_pod: false,
            });
        }
        if INHERITED_FIELDS.contains(&field)
            && let Some(entry) = self.pod_security_context.and_then(|sc| sc.entry(field))
            && !entry.value.is_null()
        {
            return Some(Setting {
                node: &entry.value,
                pos: entry.key_pos,
                path: format!("{}.securityContext.{field}", self.pod_spec_path),
                from_pod: true,
            });
        }
        None
    }

    /// Where a finding about a missing `securityContext` field should point: the container's
    /// `securityContext` key if it has one, else the container itself.
    pub fn security_context_pos(&self) -> Pos {
        self.field_pos("securityContext")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::parse_stream;
    use crate::object::objects_from_document;

    fn objects(text: &str) -> Vec<Object> {
        let file = "t.yaml".into();
        parse_stream(text)
            .documents
            .into_iter()
            .flat_map(|d| objects_from_document(&file, d).objects)
            .collect()
    }

    #[test]
    fn finds_templates_in_builtin_kinds() {
        let objs = objects(
            "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        metadata: {annotations: {a: b}}\n        spec:\n          containers: [{name: x, image: y}]\n          initContainers: [{name: i}]\n",
        );
        let pods = pod_specs(&objs[0]);
        assert_eq!(pods.len(), 1);
        assert_eq!(pods[0].spec_path, "spec.jobTemplate.spec.template.spec");
        assert_eq!(pods[0].annotation("a"), Some("b"));
        let containers: Vec<_> = pods[0].containers().collect();
        assert_eq!(containers.len(), 2);
        assert_eq!(
            containers[1].path,
            "spec.jobTemplate.spec.template.spec.initContainers[0]"
        );
    }

    #[test]
    fn finds_templates_embedded_in_custom_resources() {
        let objs = objects(
            "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: r}\nspec:\n  template:\n    spec:\n      containers: [{name: x}]\n",
        );
        let pods = pod_specs(&objs[0]);
        assert_eq!(pods.len(), 1);
        assert_eq!(pods[0].spec_path, "spec.template.spec");
    }

    #[test]
    fn container_settings_override_pod_settings() {
        let objs = objects(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  securityContext: {runAsNonRoot: true, runAsUser: 5}\n  containers:\n  - name: a\n    securityContext: {runAsUser: 0, privileged: true}\n",
        );
        let pods = pod_specs(&objs[0]);
        let c = pods[0].containers().next().unwrap();
        let user = c.effective("runAsUser").unwrap();
        assert_eq!(user.node.as_i64(), Some(0));
        assert!(!user.from_pod);
        let non_root = c.effective("runAsNonRoot").unwrap();
        assert!(non_root.from_pod);
        assert_eq!(non_root.path, "spec.securityContext.runAsNonRoot");
        // privileged is container-only: never inherited.
        assert!(c.effective("privileged").is_some());
        assert!(c.effective("readOnlyRootFilesystem").is_none());
    }
}
