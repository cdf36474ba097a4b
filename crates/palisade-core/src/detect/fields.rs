//! The field vocabulary rules may use on audit events, and how each field is read.
//!
//! The vocabulary is data ([`FIELDS`]: name, kind, argument, description) so that the loaders
//! can validate names and the documentation can be generated from it. Names and meanings follow
//! Falco's Kubernetes audit fields (`ka.*`, `jevt.*`) so existing rules run unchanged. Each
//! name resolves once, at rule load time, to an [`Extractor`]; evaluation never looks names up.

use std::borrow::Cow;

use super::event::{AuditEvent, Json, get, hot_slot, nested_slot};

/// Whether a field yields one value or a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// One string.
    String,
    /// A list of strings.
    List,
}

/// What may follow a field name in brackets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldArg {
    /// Nothing.
    None,
    /// An optional index selecting one item (`[0]`).
    Index,
    /// A required key (`[command]`).
    Key,
    /// A required JSON pointer (`[/objectRef/name]`).
    Pointer,
}

/// One declared field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldInfo {
    /// The name rules use.
    pub name: &'static str,
    /// One value or a list.
    pub kind: FieldKind,
    /// What may follow the name in brackets.
    pub arg: FieldArg,
    /// What the field holds.
    pub description: &'static str,
}

const fn f(
    name: &'static str,
    kind: FieldKind,
    arg: FieldArg,
    description: &'static str,
) -> FieldInfo {
    FieldInfo {
        name,
        kind,
        arg,
        description,
    }
}

use FieldArg as A;
use FieldKind as K;

/// Every field rules may use, in documentation order.
pub static FIELDS: &[FieldInfo] = &[
    f(
        "ka.auditid",
        K::String,
        A::None,
        "The audit event's unique id (`auditID`).",
    ),
    f(
        "ka.stage",
        K::String,
        A::None,
        "The stage of the request (`RequestReceived`, `ResponseStarted`, `ResponseComplete`, `Panic`).",
    ),
    f(
        "ka.auth.decision",
        K::String,
        A::None,
        "The authorization decision (`allow`, `forbid`), from the `authorization.k8s.io/decision` annotation.",
    ),
    f(
        "ka.auth.reason",
        K::String,
        A::None,
        "The authorization reason, from the `authorization.k8s.io/reason` annotation.",
    ),
    f(
        "ka.auth.openshift.decision",
        K::String,
        A::None,
        "OpenShift's authentication decision annotation, on OpenShift clusters.",
    ),
    f(
        "ka.auth.openshift.username",
        K::String,
        A::None,
        "The user name OpenShift's authentication reports, on OpenShift clusters.",
    ),
    f(
        "ka.validations.admission.policy.failure",
        K::String,
        A::None,
        "The failure reported by a ValidatingAdmissionPolicy.",
    ),
    f(
        "ka.security.pod.violations",
        K::String,
        A::None,
        "The Pod Security admission violations reported for the request.",
    ),
    f(
        "ka.user.name",
        K::String,
        A::None,
        "The name of the user making the request.",
    ),
    f(
        "ka.user.groups",
        K::List,
        A::None,
        "The groups of the user making the request.",
    ),
    f(
        "ka.impuser.name",
        K::String,
        A::None,
        "The impersonated user's name.",
    ),
    f(
        "ka.verb",
        K::String,
        A::None,
        "The request verb (`get`, `list`, `create`, `update`, `patch`, `delete`, ...).",
    ),
    f(
        "ka.uri",
        K::String,
        A::None,
        "The request URI as the client sent it.",
    ),
    f(
        "ka.uri.param",
        K::String,
        A::Key,
        "The first value of a query parameter of the URI: `ka.uri.param[command]`.",
    ),
    f(
        "ka.target.name",
        K::String,
        A::None,
        "The target object's name.",
    ),
    f(
        "ka.target.namespace",
        K::String,
        A::None,
        "The target object's namespace.",
    ),
    f(
        "ka.target.resource",
        K::String,
        A::None,
        "The target resource (`pods`, `secrets`, ...).",
    ),
    f(
        "ka.target.subresource",
        K::String,
        A::None,
        "The target subresource (`exec`, `attach`, `portforward`, `ephemeralcontainers`, ...).",
    ),
    f(
        "ka.target.pod.name",
        K::String,
        A::None,
        "The target object's name when the target resource is pods.",
    ),
    f(
        "ka.req.binding.subjects",
        K::List,
        A::None,
        "The subjects of a (Cluster)RoleBinding in the request, each as JSON.",
    ),
    f(
        "ka.req.binding.subjects.user_names",
        K::List,
        A::None,
        "The names of the User subjects of a binding in the request.",
    ),
    f(
        "ka.req.binding.subjects.serviceaccount_names",
        K::List,
        A::None,
        "The names of the ServiceAccount subjects of a binding in the request.",
    ),
    f(
        "ka.req.binding.subjects.serviceaccount_ns_names",
        K::List,
        A::None,
        "The ServiceAccount subjects of a binding in the request as `namespace:name`.",
    ),
    f(
        "ka.req.binding.subjects.group_names",
        K::List,
        A::None,
        "The names of the Group subjects of a binding in the request.",
    ),
    f(
        "ka.req.binding.role",
        K::String,
        A::None,
        "The role a binding in the request refers to.",
    ),
    f(
        "ka.req.binding.subject.has_name",
        K::String,
        A::Key,
        "Deprecated; always `true`.",
    ),
    f(
        "ka.req.configmap.name",
        K::String,
        A::None,
        "The ConfigMap's name when the request is about a ConfigMap.",
    ),
    f(
        "ka.req.configmap.obj",
        K::String,
        A::None,
        "The `data` of a ConfigMap in the request, as JSON.",
    ),
    f(
        "ka.req.container.image",
        K::String,
        A::None,
        "Deprecated: the image of the first container of a pod in the request.",
    ),
    f(
        "ka.req.container.image.repository",
        K::String,
        A::None,
        "Deprecated: the repository (image without tag or digest) of the first container.",
    ),
    f(
        "ka.req.container.privileged",
        K::String,
        A::None,
        "Deprecated: `true` if any container of a pod in the request is privileged, else `false`.",
    ),
    f(
        "ka.req.container.host_network",
        K::String,
        A::None,
        "Deprecated alias of `ka.req.pod.host_network`.",
    ),
    f(
        "ka.req.pod.host_ipc",
        K::String,
        A::None,
        "The `hostIPC` flag of a pod in the request.",
    ),
    f(
        "ka.req.pod.host_network",
        K::String,
        A::None,
        "The `hostNetwork` flag of a pod in the request.",
    ),
    f(
        "ka.req.pod.host_pid",
        K::String,
        A::None,
        "The `hostPID` flag of a pod in the request.",
    ),
    f(
        "ka.req.pod.run_as_user",
        K::String,
        A::None,
        "The pod-level `runAsUser` of a pod in the request.",
    ),
    f(
        "ka.req.pod.run_as_group",
        K::String,
        A::None,
        "The pod-level `runAsGroup` of a pod in the request.",
    ),
    f(
        "ka.req.pod.fs_group",
        K::String,
        A::None,
        "The `fsGroup` of a pod in the request.",
    ),
    f(
        "ka.req.pod.supplemental_groups",
        K::List,
        A::None,
        "The `supplementalGroups` of a pod in the request.",
    ),
    f(
        "ka.req.pod.volumes.hostpath",
        K::List,
        A::Index,
        "The hostPath paths of the volumes of a pod in the request.",
    ),
    f(
        "ka.req.volume.hostpath",
        K::String,
        A::Key,
        "Deprecated: `true` if a hostPath volume uses the given path (a trailing `*` matches a prefix), else `false`.",
    ),
    f(
        "ka.req.pod.volumes.flexvolume_driver",
        K::List,
        A::Index,
        "The flexVolume drivers of the volumes of a pod in the request.",
    ),
    f(
        "ka.req.pod.volumes.volume_type",
        K::List,
        A::Index,
        "The volume types (keys other than `name`) of the volumes of a pod in the request.",
    ),
    f(
        "ka.req.role.rules",
        K::List,
        A::None,
        "The rules of a (Cluster)Role in the request, each as JSON.",
    ),
    f(
        "ka.req.role.rules.apiGroups",
        K::List,
        A::Index,
        "The API groups of the rules of a role in the request.",
    ),
    f(
        "ka.req.role.rules.nonResourceURLs",
        K::List,
        A::Index,
        "The non-resource URLs of the rules of a role in the request.",
    ),
    f(
        "ka.req.role.rules.verbs",
        K::List,
        A::Index,
        "The verbs of the rules of a role in the request.",
    ),
    f(
        "ka.req.role.rules.resources",
        K::List,
        A::Index,
        "The resources of the rules of a role in the request.",
    ),
    f(
        "ka.req.service.type",
        K::String,
        A::None,
        "The type of a Service in the request.",
    ),
    f(
        "ka.req.service.ports",
        K::List,
        A::Index,
        "The ports of a Service in the request, each as JSON.",
    ),
    f(
        "ka.resp.name",
        K::String,
        A::None,
        "The response object's name.",
    ),
    f(
        "ka.response.code",
        K::String,
        A::None,
        "The HTTP response code.",
    ),
    f(
        "ka.response.reason",
        K::String,
        A::None,
        "The response reason (usually only on failures).",
    ),
    f(
        "ka.useragent",
        K::String,
        A::None,
        "The client's user agent.",
    ),
    f(
        "ka.sourceips",
        K::List,
        A::Index,
        "The client's IP addresses.",
    ),
    f(
        "ka.cluster.name",
        K::String,
        A::None,
        "The cluster's name, when the envelope carries it.",
    ),
    f(
        "jevt.value",
        K::String,
        A::Pointer,
        "The value at a JSON pointer into the event: `jevt.value[/objectRef/resource]` (non-strings as JSON).",
    ),
    f("jevt.obj", K::String, A::None, "The whole event as JSON."),
    f(
        "jevt.time",
        K::String,
        A::None,
        "The event time as written in the event.",
    ),
    f(
        "jevt.time.iso8601",
        K::String,
        A::None,
        "The event time in ISO 8601.",
    ),
    f(
        "jevt.rawtime",
        K::String,
        A::None,
        "The event time in nanoseconds since the Unix epoch.",
    ),
    f("evt.time", K::String, A::None, "Alias of `jevt.time`."),
    f(
        "evt.rawtime",
        K::String,
        A::None,
        "Alias of `jevt.rawtime`.",
    ),
];

/// Per-container fields, declared once per container list.
const CONTAINER_FIELDS: &[(&str, &str)] = &[
    ("name", "names"),
    ("image", "images"),
    (
        "image.repository",
        "image repositories (image without tag or digest)",
    ),
    ("command", "commands"),
    ("args", "arguments"),
    (
        "privileged",
        "`privileged` flags (containers that do not set it are skipped)",
    ),
    (
        "allow_privilege_escalation",
        "`allowPrivilegeEscalation` flags",
    ),
    ("read_only_fs", "`readOnlyRootFilesystem` flags"),
    ("run_as_user", "`runAsUser` values"),
    (
        "eff_run_as_user",
        "effective uids (container, else pod, else 0)",
    ),
    ("run_as_group", "`runAsGroup` values"),
    (
        "eff_run_as_group",
        "effective gids (container, else pod, else 0)",
    ),
    ("proc_mount", "`procMount` types"),
    ("add_capabilities", "added capabilities"),
    ("host_port", "host ports (else container ports)"),
];

const CONTAINER_LISTS: &[(&str, &str)] = &[
    ("containers", "containers"),
    ("initContainers", "init containers"),
    ("ephemeralContainers", "ephemeral containers"),
];

/// The declared per-container fields as (name, description) pairs, for documentation.
pub fn container_fields() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (list, label) in CONTAINER_LISTS {
        for (field, what) in CONTAINER_FIELDS {
            if *list == "ephemeralContainers" && *field == "host_port" {
                continue;
            }
            out.push((
                format!("ka.req.pod.{list}.{field}"),
                format!(
                    "The {what} of the {label} of a pod in the request (list; optional `[index]`)."
                ),
            ));
        }
    }
    out
}

/// The values a field took on an event.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Values<'e> {
    /// The event does not have the field.
    Missing,
    /// One value.
    One(Cow<'e, str>),
    /// A list (possibly empty).
    Many(Vec<Cow<'e, str>>),
}

impl<'e> Values<'e> {
    pub(crate) fn as_slice(&self) -> &[Cow<'e, str>] {
        match self {
            Values::Missing => &[],
            Values::One(v) => std::slice::from_ref(v),
            Values::Many(v) => v,
        }
    }

    /// Falco's rendering in outputs: a list as `(a,b)`, a missing value as `<NA>`.
    pub(crate) fn render(&self) -> Option<String> {
        match self {
            Values::Missing => None,
            Values::One(v) => Some(v.to_string()),
            Values::Many(items) => Some(format!("({})", items.join(","))),
        }
    }
}

/// Which container list a per-container field reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ContainerList {
    Containers,
    Init,
    Ephemeral,
}

impl ContainerList {
    fn key(self) -> &'static str {
        match self {
            ContainerList::Containers => "containers",
            ContainerList::Init => "initContainers",
            ContainerList::Ephemeral => "ephemeralContainers",
        }
    }
}

/// Which per-container property a field reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ContainerProp {
    Name,
    Image,
    Repository,
    Command,
    Args,
    Privileged,
    AllowPrivilegeEscalation,
    ReadOnlyFs,
    RunAsUser,
    EffRunAsUser,
    RunAsGroup,
    EffRunAsGroup,
    ProcMount,
    AddCapabilities,
    HostPort,
}

/// How a resolved field is read from an event.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Extractor {
    /// A value at a fixed path of object keys.
    Path(&'static [&'static str]),
    /// A list at a fixed path; each item as a string. Optional index.
    ListPath(&'static [&'static str], Option<usize>),
    /// A [`Extractor::Path`] whose first key is a member the event finds by position, with
    /// that member's slot, looked up once when the rules load instead of on every read.
    HotPath(usize, &'static [&'static str]),
    /// A [`Extractor::ListPath`] whose first key is found by position, as for `HotPath`.
    HotListPath(usize, &'static [&'static str], Option<usize>),
    /// A [`Extractor::Path`] of two keys that the event finds by position, with its slot.
    NestedPath(usize, &'static [&'static str]),
    /// A [`Extractor::ListPath`] of two keys found by position, as for `NestedPath`.
    NestedListPath(usize, &'static [&'static str], Option<usize>),
    /// A value at a JSON pointer, split into unescaped tokens (empty: the whole event), with
    /// the slot of its first token when the event finds that member by position.
    Pointer(Box<[Box<str>]>, Option<usize>),
    /// A Sigma field: dot-separated keys, descending into arrays.
    Dotted(Box<[Box<str>]>),
    UriParam(Box<str>),
    TargetPodName,
    BindingSubjects(SubjectPart),
    Always(&'static str),
    FirstContainerImage {
        repository: bool,
    },
    AnyContainerPrivileged,
    Container(ContainerList, ContainerProp, Option<usize>),
    VolumeHostPaths(Option<usize>),
    VolumeHasHostPath(Box<str>),
    FlexVolumeDrivers(Option<usize>),
    VolumeTypes(Option<usize>),
    RoleRules(&'static str, Option<usize>),
    Whole,
    Time,
    RawTime,
}

/// Which part of binding subjects to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SubjectPart {
    User,
    ServiceAccount,
    ServiceAccountNs,
    Group,
}

/// Looks a field up in the vocabulary and resolves it with its bracket argument.
// One arm per declared field: a table reads best as one match.
#[allow(clippy::too_many_lines)]
pub(crate) fn resolve(name: &str, arg: Option<&str>) -> Result<Extractor, String> {
    let info = lookup(name).ok_or_else(|| format!("unknown field {name:?}"))?;
    let index = match (info.arg, arg) {
        (A::None, Some(_)) => return Err(format!("field {name} takes no argument")),
        (A::Key | A::Pointer, None) => {
            return Err(format!("field {name} requires an argument in brackets"));
        }
        (A::Index, Some(a)) => Some(
            a.trim()
                .parse::<usize>()
                .map_err(|_| format!("field {name} takes a numeric index, not {a:?}"))?,
        ),
        _ => None,
    };
    let key = arg.unwrap_or("");
    Ok(with_slots(match name {
        "ka.auditid" => Extractor::Path(&["auditID"]),
        "ka.stage" => Extractor::Path(&["stage"]),
        "ka.auth.decision" => Extractor::Path(&["annotations", "authorization.k8s.io/decision"]),
        "ka.auth.reason" => Extractor::Path(&["annotations", "authorization.k8s.io/reason"]),
        "ka.auth.openshift.decision" => {
            Extractor::Path(&["annotations", "authentication.openshift.io/decision"])
        }
        "ka.auth.openshift.username" => {
            Extractor::Path(&["annotations", "authentication.openshift.io/username"])
        }
        "ka.validations.admission.policy.failure" => Extractor::Path(&[
            "annotations",
            "validation.policy.admission.k8s.io/validation_failure",
        ]),
        "ka.security.pod.violations" => {
            Extractor::Path(&["annotations", "pod-security.kubernetes.io/audit-violations"])
        }
        "ka.user.name" => Extractor::Path(&["user", "username"]),
        "ka.user.groups" => Extractor::ListPath(&["user", "groups"], None),
        "ka.impuser.name" => Extractor::Path(&["impersonatedUser", "username"]),
        "ka.verb" => Extractor::Path(&["verb"]),
        "ka.uri" => Extractor::Path(&["requestURI"]),
        "ka.uri.param" => Extractor::UriParam(key.into()),
        "ka.target.name" | "ka.req.configmap.name" => Extractor::Path(&["objectRef", "name"]),
        "ka.target.namespace" => Extractor::Path(&["objectRef", "namespace"]),
        "ka.target.resource" => Extractor::Path(&["objectRef", "resource"]),
        "ka.target.subresource" => Extractor::Path(&["objectRef", "subresource"]),
        "ka.target.pod.name" => Extractor::TargetPodName,
        "ka.req.binding.subjects" => Extractor::ListPath(&["requestObject", "subjects"], None),
        "ka.req.binding.subjects.user_names" => Extractor::BindingSubjects(SubjectPart::User),
        "ka.req.binding.subjects.serviceaccount_names" => {
            Extractor::BindingSubjects(SubjectPart::ServiceAccount)
        }
        "ka.req.binding.subjects.serviceaccount_ns_names" => {
            Extractor::BindingSubjects(SubjectPart::ServiceAccountNs)
        }
        "ka.req.binding.subjects.group_names" => Extractor::BindingSubjects(SubjectPart::Group),
        "ka.req.binding.role" => Extractor::Path(&["requestObject", "roleRef", "name"]),
        "ka.req.binding.subject.has_name" => Extractor::Always("true"),
        "ka.req.configmap.obj" => Extractor::Path(&["requestObject", "data"]),
        "ka.req.container.image" => Extractor::FirstContainerImage { repository: false },
        "ka.req.container.image.repository" => Extractor::FirstContainerImage { repository: true },
        "ka.req.container.privileged" => Extractor::AnyContainerPrivileged,
        "ka.req.container.host_network" | "ka.req.pod.host_network" => {
            Extractor::Path(&["requestObject", "spec", "hostNetwork"])
        }
        "ka.req.pod.host_ipc" => Extractor::Path(&["requestObject", "spec", "hostIPC"]),
        "ka.req.pod.host_pid" => Extractor::Path(&["requestObject", "spec", "hostPID"]),
        "ka.req.pod.run_as_user" => {
            Extractor::Path(&["requestObject", "spec", "securityContext", "runAsUser"])
        }
        "ka.req.pod.run_as_group" => {
            Extractor::Path(&["requestObject", "spec", "securityContext", "runAsGroup"])
        }
        "ka.req.pod.fs_group" => {
            Extractor::Path(&["requestObject", "spec", "securityContext", "fsGroup"])
        }
        "ka.req.pod.supplemental_groups" => Extractor::ListPath(
            &[
                "requestObject",
                "spec",
                "securityContext",
                "supplementalGroups",
            ],
            None,
        ),
        "ka.req.pod.volumes.hostpath" => Extractor::VolumeHostPaths(index),
        "ka.req.volume.hostpath" => Extractor::VolumeHasHostPath(key.into()),
        "ka.req.pod.volumes.flexvolume_driver" => Extractor::FlexVolumeDrivers(index),
        "ka.req.pod.volumes.volume_type" => Extractor::VolumeTypes(index),
        "ka.req.role.rules" => Extractor::ListPath(&["requestObject", "rules"], None),
        "ka.req.role.rules.apiGroups" => Extractor::RoleRules("apiGroups", index),
        "ka.req.role.rules.nonResourceURLs" => Extractor::RoleRules("nonResourceURLs", index),
        "ka.req.role.rules.verbs" => Extractor::RoleRules("verbs", index),
        "ka.req.role.rules.resources" => Extractor::RoleRules("resources", index),
        "ka.req.service.type" => Extractor::Path(&["requestObject", "spec", "type"]),
        "ka.req.service.ports" => Extractor::ListPath(&["requestObject", "spec", "ports"], index),
        "ka.resp.name" => Extractor::Path(&["responseObject", "metadata", "name"]),
        "ka.response.code" => Extractor::Path(&["responseStatus", "code"]),
        "ka.response.reason" => Extractor::Path(&["responseStatus", "reason"]),
        "ka.useragent" => Extractor::Path(&["userAgent"]),
        "ka.sourceips" => Extractor::ListPath(&["sourceIPs"], index),
        "ka.cluster.name" => Extractor::Path(&["clusterName"]),
        "jevt.value" => {
            if !(key.is_empty() || key.starts_with('/')) {
                return Err(format!(
                    "jevt.value takes a JSON pointer starting with '/', not {key:?}"
                ));
            }
            let tokens: Box<[Box<str>]> = key
                .split('/')
                .skip(1)
                .map(|t| t.replace("~1", "/").replace("~0", "~").into_boxed_str())
                .collect();
            let slot = tokens.first().and_then(|first| hot_slot(first));
            Extractor::Pointer(tokens, slot)
        }
        "jevt.obj" => Extractor::Whole,
        "jevt.time" | "jevt.time.iso8601" | "evt.time" => Extractor::Time,
        "jevt.rawtime" | "evt.rawtime" => Extractor::RawTime,
        other => match container_field(other) {
            Some((list, prop)) => Extractor::Container(list, prop, index),
            None => return Err(format!("unknown field {other:?}")),
        },
    }))
}

/// Resolves a fixed path to its slot among the event's positioned members: the whole path
/// when the event positions it, else its first key.
fn with_slots(extractor: Extractor) -> Extractor {
    let slot = |path: &[&str]| path.first().and_then(|key| hot_slot(key));
    let nested = |path: &[&str]| match path {
        [outer, inner] => hot_slot(outer).and_then(|parent| nested_slot(parent, inner)),
        _ => None,
    };
    match extractor {
        Extractor::Path(path) => match (nested(path), slot(path)) {
            (Some(at), _) => Extractor::NestedPath(at, path),
            (None, Some(at)) => Extractor::HotPath(at, path),
            (None, None) => extractor,
        },
        Extractor::ListPath(path, index) => match (nested(path), slot(path)) {
            (Some(at), _) => Extractor::NestedListPath(at, path, index),
            (None, Some(at)) => Extractor::HotListPath(at, path, index),
            (None, None) => extractor,
        },
        other => other,
    }
}

fn list_values(list: Option<&Json>, index: Option<usize>) -> Values<'_> {
    match list
        .and_then(Json::as_array)
        .and_then(|items| pick(items, index))
    {
        Some(items) => Values::Many(items.iter().map(text).collect()),
        None => Values::Missing,
    }
}

/// The member at `path` below the event's member in `slot` (the path's own first key).
fn at_slot<'e>(event: &'e AuditEvent, slot: usize, path: &[&str]) -> Option<&'e Json> {
    let rest = path.get(1..).unwrap_or_default();
    rest.iter()
        .try_fold(event.hot_member(slot)?, |v, k| get(v, k))
}

/// The declared field of that name, including the per-container fields.
pub(crate) fn lookup(name: &str) -> Option<FieldInfo> {
    if let Some(info) = FIELDS.iter().find(|f| f.name == name) {
        return Some(*info);
    }
    container_field(name).map(|_| FieldInfo {
        name: "ka.req.pod.containers.*",
        kind: K::List,
        arg: A::Index,
        description: "",
    })
}

fn container_field(name: &str) -> Option<(ContainerList, ContainerProp)> {
    let rest = name.strip_prefix("ka.req.pod.")?;
    let (list, prop) = rest.split_once('.')?;
    let list = match list {
        "containers" => ContainerList::Containers,
        "initContainers" => ContainerList::Init,
        "ephemeralContainers" => ContainerList::Ephemeral,
        _ => return None,
    };
    let prop = match prop {
        "name" => ContainerProp::Name,
        "image" => ContainerProp::Image,
        "image.repository" => ContainerProp::Repository,
        "command" => ContainerProp::Command,
        "args" => ContainerProp::Args,
        "privileged" => ContainerProp::Privileged,
        "allow_privilege_escalation" => ContainerProp::AllowPrivilegeEscalation,
        "read_only_fs" => ContainerProp::ReadOnlyFs,
        "run_as_user" => ContainerProp::RunAsUser,
        "eff_run_as_user" => ContainerProp::EffRunAsUser,
        "run_as_group" => ContainerProp::RunAsGroup,
        "eff_run_as_group" => ContainerProp::EffRunAsGroup,
        "proc_mount" => ContainerProp::ProcMount,
        "add_capabilities" => ContainerProp::AddCapabilities,
        "host_port" if list != ContainerList::Ephemeral => ContainerProp::HostPort,
        _ => return None,
    };
    Some((list, prop))
}

/// A JSON value as Falco's audit fields give it: strings as-is, anything else as JSON text.
fn text(value: &Json) -> Cow<'_, str> {
    match value {
        Json::Str(s) => Cow::Borrowed(s),
        Json::Bool(true) => Cow::Borrowed("true"),
        Json::Bool(false) => Cow::Borrowed("false"),
        Json::Null => Cow::Borrowed("null"),
        // Integers print the same either way; floats and containers as `serde_json` writes them.
        Json::Number(n) => match n.as_u64() {
            Some(small) if small < SMALL_NUMBERS => Cow::Borrowed(small_number(small)),
            _ if n.as_i64().is_some() || n.as_u64().is_some() => Cow::Owned(n.to_string()),
            _ => Cow::Owned(serde_json::Value::from(value).to_string()),
        },
        other => Cow::Owned(serde_json::Value::from(other).to_string()),
    }
}

/// Numbers below this are written once and lent out: every event's response code is one.
const SMALL_NUMBERS: u64 = 1000;

fn small_number(n: u64) -> &'static str {
    static TEXTS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    let texts = TEXTS.get_or_init(|| (0..SMALL_NUMBERS).map(|n| n.to_string()).collect());
    texts.get(n as usize).map_or("", String::as_str)
}

/// Something with members: the event (whose top-level members are found by position) or a
/// value.
trait Members {
    fn member(&self, key: &str) -> Option<&Json>;
}

impl Members for Json {
    fn member(&self, key: &str) -> Option<&Json> {
        get(self, key)
    }
}

impl Members for AuditEvent {
    fn member(&self, key: &str) -> Option<&Json> {
        AuditEvent::member(self, key)
    }
}

fn at<'e, R: Members + ?Sized>(root: &'e R, path: &[&str]) -> Option<&'e Json> {
    let (first, rest) = path.split_first()?;
    rest.iter().try_fold(root.member(first)?, |v, k| get(v, k))
}

/// Follows pointer tokens below a value (an array takes a decimal index).
fn follow<'v>(value: &'v Json, tokens: &[Box<str>]) -> Option<&'v Json> {
    tokens.iter().try_fold(value, |v, token| match v {
        Json::Object(_) => get(v, token),
        Json::Array(items) => token.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => None,
    })
}

fn pick<T>(items: &[T], index: Option<usize>) -> Option<&[T]> {
    match index {
        None => Some(items),
        Some(i) => items.get(i).map(std::slice::from_ref),
    }
}

fn image_repository(image: &str) -> &str {
    let no_tag = image.split(':').next().unwrap_or(image);
    no_tag.split('@').next().unwrap_or(no_tag)
}

impl Extractor {
    /// Reads the field from an event.
    // One arm per way of reading a field.
    #[allow(clippy::too_many_lines)]
    pub(crate) fn extract<'e>(&self, event: &'e AuditEvent) -> Values<'e> {
        let root = event;
        match self {
            Extractor::Path(path) => {
                at(root, path).map_or(Values::Missing, |v| Values::One(text(v)))
            }
            Extractor::HotPath(slot, path) => {
                at_slot(event, *slot, path).map_or(Values::Missing, |v| Values::One(text(v)))
            }
            Extractor::HotListPath(slot, path, index) => {
                list_values(at_slot(event, *slot, path), *index)
            }
            Extractor::NestedPath(slot, _) => event
                .nested_member(*slot)
                .map_or(Values::Missing, |v| Values::One(text(v))),
            Extractor::NestedListPath(slot, _, index) => {
                list_values(event.nested_member(*slot), *index)
            }
            Extractor::ListPath(path, index) => match at(root, path).and_then(Json::as_array) {
                Some(items) => match pick(items, *index) {
                    Some(items) => Values::Many(items.iter().map(text).collect()),
                    None => Values::Missing,
                },
                None => Values::Missing,
            },
            Extractor::Pointer(tokens, slot) => {
                let found = match (tokens.split_first(), slot) {
                    (None, _) => Some(event.root()),
                    (Some((_, rest)), Some(slot)) => {
                        event.hot_member(*slot).and_then(|v| follow(v, rest))
                    }
                    (Some((first, rest)), None) => {
                        event.member(first).and_then(|v| follow(v, rest))
                    }
                };
                found.map_or(Values::Missing, |v| Values::One(text(v)))
            }
            Extractor::Dotted(keys) => {
                let mut out = Vec::new();
                match keys.split_first() {
                    None => dotted(event.root(), keys, &mut out),
                    Some((first, rest)) => {
                        if let Some(v) = event.member(first) {
                            dotted(v, rest, &mut out);
                        }
                    }
                }
                if out.is_empty() {
                    Values::Missing
                } else {
                    Values::Many(out)
                }
            }
            Extractor::UriParam(key) => {
                let Some(uri) = event.str_at("requestURI") else {
                    return Values::Missing;
                };
                let query = uri.split_once('?').map_or("", |(_, q)| q);
                for pair in query.split('&') {
                    let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                    if percent_decode(k) == **key {
                        return Values::One(Cow::Owned(percent_decode(v)));
                    }
                }
                Values::Missing
            }
            Extractor::TargetPodName => match event.resource() {
                Some("pods") => event
                    .str_in("objectRef", "name")
                    .map_or(Values::Missing, |n| Values::One(Cow::Borrowed(n))),
                _ => Values::Missing,
            },
            Extractor::BindingSubjects(part) => {
                let Some(subjects) =
                    at(root, &["requestObject", "subjects"]).and_then(Json::as_array)
                else {
                    return Values::Missing;
                };
                let wanted = match part {
                    SubjectPart::User => "User",
                    SubjectPart::ServiceAccount | SubjectPart::ServiceAccountNs => "ServiceAccount",
                    SubjectPart::Group => "Group",
                };
                let mut out = Vec::new();
                for subject in subjects {
                    if get(subject, "kind").and_then(Json::as_str) != Some(wanted) {
                        continue;
                    }
                    let name = get(subject, "name").and_then(Json::as_str).unwrap_or("");
                    if *part == SubjectPart::ServiceAccountNs {
                        let ns = get(subject, "namespace")
                            .and_then(Json::as_str)
                            .unwrap_or("");
                        out.push(Cow::Owned(format!("{ns}:{name}")));
                    } else {
                        out.push(Cow::Borrowed(name));
                    }
                }
                Values::Many(out)
            }
            Extractor::Always(value) => Values::One(Cow::Borrowed(value)),
            Extractor::FirstContainerImage { repository } => {
                match containers(root, ContainerList::Containers)
                    .and_then(|c| c.first())
                    .and_then(|c| get(c, "image"))
                {
                    Some(Json::Str(image)) if *repository => {
                        Values::One(Cow::Borrowed(image_repository(image)))
                    }
                    Some(image) => Values::One(text(image)),
                    None => Values::Missing,
                }
            }
            Extractor::AnyContainerPrivileged => {
                match containers(root, ContainerList::Containers) {
                    Some(list) => {
                        let any = list.iter().any(|c| {
                            at(c, &["securityContext", "privileged"]).and_then(Json::as_bool)
                                == Some(true)
                        });
                        Values::One(Cow::Borrowed(if any { "true" } else { "false" }))
                    }
                    None => Values::Missing,
                }
            }
            Extractor::Container(list, prop, index) => {
                let Some(all) = containers(root, *list) else {
                    return Values::Missing;
                };
                let Some(selected) = pick(all, *index) else {
                    return Values::Missing;
                };
                container_values(root, selected, *prop)
            }
            Extractor::VolumeHostPaths(index) => {
                match volumes(root).and_then(|v| pick(v, *index)) {
                    Some(vols) => Values::Many(
                        vols.iter()
                            .filter_map(|v| at(v, &["hostPath", "path"]))
                            .map(text)
                            .collect(),
                    ),
                    None => Values::Missing,
                }
            }
            Extractor::VolumeHasHostPath(wanted) => {
                let Some(vols) = volumes(root) else {
                    return Values::Missing;
                };
                let prefix = wanted.strip_suffix('*');
                let hit = vols
                    .iter()
                    .filter_map(|v| at(v, &["hostPath", "path"]).and_then(Json::as_str))
                    .any(|p| match prefix {
                        Some(prefix) => p.starts_with(prefix),
                        None => p == &**wanted,
                    });
                Values::One(Cow::Borrowed(if hit { "true" } else { "false" }))
            }
            Extractor::FlexVolumeDrivers(index) => {
                match volumes(root).and_then(|v| pick(v, *index)) {
                    Some(vols) => Values::Many(
                        vols.iter()
                            .filter_map(|v| at(v, &["flexVolume", "driver"]))
                            .map(text)
                            .collect(),
                    ),
                    None => Values::Missing,
                }
            }
            Extractor::VolumeTypes(index) => match volumes(root).and_then(|v| pick(v, *index)) {
                Some(vols) => {
                    let mut out = Vec::new();
                    for object in vols.iter().filter_map(Json::as_object) {
                        // Each volume's keys once and in order, as a JSON object map holds them.
                        let mut keys: Vec<&str> = object.keys().filter(|k| *k != "name").collect();
                        keys.sort_unstable();
                        keys.dedup();
                        out.extend(keys.into_iter().map(Cow::Borrowed));
                    }
                    Values::Many(out)
                }
                None => Values::Missing,
            },
            Extractor::RoleRules(key, index) => {
                match at(root, &["requestObject", "rules"])
                    .and_then(Json::as_array)
                    .and_then(|r| pick(r, *index))
                {
                    Some(rules) => Values::Many(
                        rules
                            .iter()
                            .filter_map(|r| get(r, key).and_then(Json::as_array))
                            .flatten()
                            .filter(|v| !v.is_null())
                            .map(text)
                            .collect(),
                    ),
                    None => Values::Missing,
                }
            }
            Extractor::Whole => Values::One(Cow::Owned(event.value().to_string())),
            Extractor::Time => match event.time() {
                "" => Values::Missing,
                t => Values::One(Cow::Borrowed(t)),
            },
            Extractor::RawTime => event.raw_time_ns().map_or(Values::Missing, |ns| {
                Values::One(Cow::Owned(ns.to_string()))
            }),
        }
    }
}

fn dotted<'e>(value: &'e Json, keys: &[Box<str>], out: &mut Vec<Cow<'e, str>>) {
    match value {
        Json::Array(items) => {
            for item in items {
                dotted(item, keys, out);
            }
        }
        Json::Null => {}
        _ if keys.is_empty() => out.push(text(value)),
        Json::Object(_) => {
            if let Some(next) = get(value, &keys[0]) {
                dotted(next, &keys[1..], out);
            }
        }
        _ => {}
    }
}

fn containers(root: &AuditEvent, list: ContainerList) -> Option<&[Json]> {
    at(root, &["requestObject", "spec", list.key()]).and_then(Json::as_array)
}

fn volumes(root: &AuditEvent) -> Option<&[Json]> {
    at(root, &["requestObject", "spec", "volumes"]).and_then(Json::as_array)
}

fn container_values<'e>(
    root: &'e AuditEvent,
    selected: &'e [Json],
    prop: ContainerProp,
) -> Values<'e> {
    use ContainerProp as P;
    let security = |c: &'e Json, key: &str| at(c, &["securityContext", key]);
    // Falco reports the field as absent when one selected container lacks the property,
    // except for `privileged`, where containers that do not set it are skipped.
    let every = |get: &dyn Fn(&'e Json) -> Option<&'e Json>| -> Values<'e> {
        let mut out = Vec::with_capacity(selected.len());
        for c in selected {
            match get(c) {
                Some(v) if !v.is_null() => out.push(text(v)),
                _ => return Values::Missing,
            }
        }
        Values::Many(out)
    };
    match prop {
        P::Name => every(&|c| get(c, "name")),
        P::Image => every(&|c| get(c, "image")),
        P::Repository => {
            let mut out = Vec::with_capacity(selected.len());
            for c in selected {
                match get(c, "image").and_then(Json::as_str) {
                    Some(image) => out.push(Cow::Borrowed(image_repository(image))),
                    None => return Values::Missing,
                }
            }
            Values::Many(out)
        }
        P::Command | P::Args | P::AddCapabilities => {
            let mut out = Vec::new();
            for c in selected {
                let list = match prop {
                    P::Command => get(c, "command"),
                    P::Args => get(c, "args"),
                    _ => at(c, &["securityContext", "capabilities", "add"]),
                };
                if let Some(items) = list.and_then(Json::as_array) {
                    out.extend(items.iter().map(text));
                }
            }
            Values::Many(out)
        }
        P::Privileged => Values::Many(
            selected
                .iter()
                .filter_map(|c| security(c, "privileged"))
                .filter(|v| !v.is_null())
                .map(text)
                .collect(),
        ),
        P::AllowPrivilegeEscalation => every(&|c| security(c, "allowPrivilegeEscalation")),
        P::ReadOnlyFs => every(&|c| security(c, "readOnlyRootFilesystem")),
        P::RunAsUser => every(&|c| security(c, "runAsUser")),
        P::RunAsGroup => every(&|c| security(c, "runAsGroup")),
        P::ProcMount => every(&|c| security(c, "procMount")),
        P::EffRunAsUser | P::EffRunAsGroup => {
            let key = if prop == P::EffRunAsUser {
                "runAsUser"
            } else {
                "runAsGroup"
            };
            let pod = at(root, &["requestObject", "spec", "securityContext", key]);
            Values::Many(
                selected
                    .iter()
                    .map(|c| match security(c, key).or(pod) {
                        Some(v) => text(v),
                        None => Cow::Borrowed("0"),
                    })
                    .collect(),
            )
        }
        P::HostPort => {
            let mut out = Vec::new();
            for c in selected {
                for port in get(c, "ports")
                    .and_then(Json::as_array)
                    .into_iter()
                    .flatten()
                {
                    if let Some(p) = get(port, "hostPort").or_else(|| get(port, "containerPort")) {
                        out.push(text(p));
                    }
                }
            }
            Values::Many(out)
        }
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
