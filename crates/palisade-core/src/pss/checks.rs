//! The predicates of every Pod Security Standards check.
//!
//! Each predicate takes a pod and the policy version and returns the check's violation, if any,
//! worded like the admission controller's message. Version revisions of a check (a grown allow
//! list, a Windows exemption, the `hostUsers: false` relaxation) are applied inside the predicate,
//! so a predicate is the whole check; the table in the parent module decides when it runs.
//!
//! The predicates read each container's own `securityContext` except where the standard says a
//! pod-level value counts (`runAsNonRoot`, `seccompProfile` at the restricted level).

use std::collections::BTreeSet;

use crate::document::{Node, Pos};
use crate::workload::{ContainerView, PodView};

use super::{Version, Violation};

/// Capabilities a baseline container may add: the container runtimes' default set.
pub const BASELINE_CAPABILITIES: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

/// Volume sources the restricted level allows.
pub const RESTRICTED_VOLUME_SOURCES: &[&str] = &[
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

/// Volume sources named in restricted-volume messages, in the order they are recognised;
/// any other source is reported as `unknown`.
const NAMED_VOLUME_SOURCES: &[&str] = &[
    "hostPath",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "nfs",
    "iscsi",
    "glusterfs",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "fc",
    "azureFile",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "portworxVolume",
    "scaleIO",
    "storageos",
];

/// The sysctls a baseline pod may set at a policy version (the list grew in 1.27, 1.29, 1.32 and 1.37).
pub fn allowed_sysctls(version: Version) -> Vec<&'static str> {
    let mut allowed = vec![
        "kernel.shm_rmid_forced",
        "net.ipv4.ip_local_port_range",
        "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range",
        "net.ipv4.ip_unprivileged_port_start",
    ];
    if version.at_least(27) {
        allowed.push("net.ipv4.ip_local_reserved_ports");
    }
    if version.at_least(29) {
        allowed.extend([
            "net.ipv4.tcp_keepalive_time",
            "net.ipv4.tcp_fin_timeout",
            "net.ipv4.tcp_keepalive_intvl",
            "net.ipv4.tcp_keepalive_probes",
        ]);
    }
    if version.at_least(32) {
        allowed.extend(["net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"]);
    }
    if version.at_least(37) {
        allowed.extend([
            "net.ipv4.tcp_slow_start_after_idle",
            "net.ipv4.tcp_notsent_lowat",
        ]);
    }
    allowed
}

/// The SELinux types a baseline pod may use at a policy version (`container_engine_t` since 1.31).
pub fn allowed_selinux_types(version: Version) -> &'static [&'static str] {
    if version.at_least(31) {
        &[
            "",
            "container_t",
            "container_init_t",
            "container_kvm_t",
            "container_engine_t",
        ]
    } else {
        &["", "container_t", "container_init_t", "container_kvm_t"]
    }
}

/// Whether the pod's own user namespace relaxes the baseline `procMount` check at this version
/// (from 1.35 on, `hostUsers: false` allows any `procMount`; the restricted level still forbids
/// it through `procMount_restricted`).
pub fn relaxed_for_user_namespace(pod: &PodView<'_>, version: Version) -> bool {
    version.at_least(35) && pod.uses_user_namespace()
}

/// Whether a Windows pod is exempt from the Linux-only restricted checks (from 1.25 on).
pub fn exempt_as_windows(pod: &PodView<'_>, version: Version) -> bool {
    version.at_least(25) && pod.is_windows()
}

fn plural(count: usize, one: &'static str, many: &'static str) -> &'static str {
    if count == 1 { one } else { many }
}

fn join_quote<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> String {
    let quoted: Vec<String> = items
        .into_iter()
        .map(|s| format!("\"{}\"", s.as_ref()))
        .collect();
    quoted.join(", ")
}

/// `container "a"` or `containers "a", "b"`.
fn containers_phrase(names: &[String]) -> String {
    format!(
        "{} {}",
        plural(names.len(), "container", "containers"),
        join_quote(names)
    )
}

/// The things that broke a check, and where the first of them is.
#[derive(Default)]
struct Offenders {
    names: Vec<String>,
    first: Option<(Pos, String)>,
}

impl Offenders {
    fn add(&mut self, name: impl Into<String>, pos: Pos, path: impl FnOnce() -> String) {
        self.names.push(name.into());
        if self.first.is_none() {
            self.first = Some((pos, path()));
        }
    }

    fn note(&mut self, pos: Pos, path: impl FnOnce() -> String) {
        if self.first.is_none() {
            self.first = Some((pos, path()));
        }
    }

    fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

#[allow(clippy::unnecessary_wraps)] // every predicate ends with it, returning its result
fn violation(
    pod: &PodView<'_>,
    check: &'static str,
    reason: impl Into<String>,
    detail: String,
    first: Option<(Pos, String)>,
) -> Option<Violation> {
    let (pos, path) = first.unwrap_or_else(|| (pod.spec.pos, pod.spec_path.clone()));
    Some(Violation {
        check,
        reason: reason.into(),
        detail,
        pos,
        path,
    })
}

/// A scalar field's text as Kubernetes reads it; empty when absent.
fn field_text(node: &Node, field: &str) -> String {
    node.get(field)
        .and_then(Node::scalar_text)
        .map(std::borrow::Cow::into_owned)
        .unwrap_or_default()
}

/// A container's own `securityContext` field (not inherited), ignoring explicit nulls.
fn own_field<'a>(container: &ContainerView<'a>, field: &str) -> Option<(&'a Node, Pos)> {
    let entry = container.security_context()?.entry(field)?;
    (!entry.value.is_null()).then_some((&entry.value, entry.key_pos))
}

/// A pod-level `securityContext` field, ignoring explicit nulls.
fn pod_field<'a>(pod: &PodView<'a>, field: &str) -> Option<(&'a Node, Pos)> {
    let entry = pod.security_context()?.entry(field)?;
    (!entry.value.is_null()).then_some((&entry.value, entry.key_pos))
}

fn sc_path(container: &ContainerView<'_>, field: &str) -> String {
    format!("{}.securityContext.{field}", container.path)
}

fn pod_sc_path(pod: &PodView<'_>, field: &str) -> String {
    pod.field_path(&format!("securityContext.{field}"))
}

/// `hostNamespaces`: the pod must not share the host's network, PID or IPC namespace.
pub fn host_namespaces(pod: &PodView<'_>, _version: Version) -> Option<Violation> {
    let mut set = Vec::new();
    let mut first = None;
    for field in ["hostNetwork", "hostPID", "hostIPC"] {
        if pod.get(field).and_then(Node::as_bool) == Some(true) {
            set.push(format!("{field}=true"));
            first.get_or_insert_with(|| (pod.field_pos(field), pod.field_path(field)));
        }
    }
    if set.is_empty() {
        return None;
    }
    violation(
        pod,
        "hostNamespaces",
        "host namespaces",
        set.join(", "),
        first,
    )
}

/// `privileged`: no container may run privileged.
pub fn privileged(pod: &PodView<'_>, _version: Version) -> Option<Violation> {
    let mut bad = Offenders::default();
    for c in pod.containers() {
        if let Some((node, pos)) = own_field(&c, "privileged")
            && node.as_bool() == Some(true)
        {
            bad.add(c.name(), pos, || sc_path(&c, "privileged"));
        }
    }
    if bad.is_empty() {
        return None;
    }
    let detail = format!(
        "{} must not set securityContext.privileged=true",
        containers_phrase(&bad.names)
    );
    violation(pod, "privileged", "privileged", detail, bad.first)
}

fn capability_adds<'a>(c: &ContainerView<'a>) -> Option<(&'a Node, Pos)> {
    let caps = c.security_context()?.get("capabilities")?;
    let entry = caps.entry("add")?;
    Some((&entry.value, entry.key_pos))
}

/// `capabilities_baseline`: containers may add only the runtimes' default capabilities.
pub fn capabilities_baseline(pod: &PodView<'_>, _version: Version) -> Option<Violation> {
    let mut bad = Offenders::default();
    let mut forbidden = BTreeSet::new();
    for c in pod.containers() {
        let Some((adds, pos)) = capability_adds(&c) else {
            continue;
        };
        let mut container_bad = false;
        for cap in adds.items() {
            let name = cap.scalar_text().unwrap_or_default();
            if !BASELINE_CAPABILITIES.contains(&name.as_ref()) {
                container_bad = true;
                forbidden.insert(name.into_owned());
            }
        }
        if container_bad {
            bad.add(c.name(), pos, || {
                format!("{}.securityContext.capabilities.add", c.path)
            });
        }
    }
    if bad.is_empty() {
        return None;
    }
    let detail = format!(
        "{} must not include {} in securityContext.capabilities.add",
        containers_phrase(&bad.names),
        join_quote(&forbidden)
    );
    violation(
        pod,
        "capabilities_baseline",
        "non-default capabilities",
        detail,
        bad.first,
    )
}

/// `capabilities_restricted`: containers must drop `ALL` and may add only `NET_BIND_SERVICE`
/// (Windows pods are exempt from 1.25 on).
pub fn capabilities_restricted(pod: &PodView<'_>, version: Version) -> Option<Violation> {
    if exempt_as_windows(pod, version) {
        return None;
    }
    let mut missing_drop = Offenders::default();
    let mut adding = Offenders::default();
    let mut forbidden = BTreeSet::new();
    for c in pod.containers() {
        let caps = c.security_context().and_then(|sc| sc.get("capabilities"));
        let drops_all = caps
            .and_then(|caps| caps.get("drop"))
            .is_some_and(|drop| drop.items().iter().any(|d| d.as_str() == Some("ALL")));
        if !drops_all {
            missing_drop.add(c.name(), c.security_context_pos(), || {
                format!("{}.securityContext.capabilities.drop", c.path)
            });
        }
        if let Some((adds, pos)) = capability_adds(&c) {
            let mut container_bad = false;
            for cap in adds.items() {
                let name = cap.scalar_text().unwrap_or_default();
                if name != "NET_BIND_SERVICE" {
                    container_bad = true;
                    forbidden.insert(name.into_owned());
                }
            }
            if container_bad {
                adding.add(c.name(), pos, || {
                    format!("{}.securityContext.capabilities.add", c.path)
                });
            }
        }
    }
    if missing_drop.is_empty() && adding.is_empty() {
        return None;
    }
    let mut details = Vec::new();
    if !missing_drop.is_empty() {
        details.push(format!(
            "{} must set securityContext.capabilities.drop=[\"ALL\"]",
            containers_phrase(&missing_drop.names)
        ));
    }
    if !adding.is_empty() {
        details.push(format!(
            "{} must not include {} in securityContext.capabilities.add",
            containers_phrase(&adding.names),
            join_quote(&forbidden)
        ));
    }
    let first = missing_drop.first.or(adding.first);
    violation(
        pod,
        "capabilities_restricted",
        "unrestricted capabilities",
        details.join("; "),
        first,
    )
}

/// The volume sources a volume sets: its non-null fields other than `name`.
fn volume_sources(volume: &Node) -> impl Iterator<Item = &str> {
    volume
        .entries()
        .iter()
        .filter(|e| &*e.key != "name" && !e.value.is_null())
        .map(|e| &*e.key)
}

fn volume_name(volume: &Node) -> String {
    field_text(volume, "name")
}

/// `hostPathVolumes`: no `hostPath` volumes.
pub fn host_path_volumes(pod: &PodView<'_>, _version: Version) -> Option<Violation> {
    let mut bad = Offenders::default();
    for (index, volume) in pod.volumes().iter().enumerate() {
        if let Some(entry) = volume.entry("hostPath")
            && !entry.value.is_null()
        {
            bad.add(volume_name(volume), entry.key_pos, || {
                pod.field_path(&format!("volumes[{index}].hostPath"))
            });
        }
    }
    if bad.is_empty() {
        return None;
    }
    let detail = format!(
        "{} {}",
        plural(bad.names.len(), "volume", "volumes"),
        join_quote(&bad.names)
    );
    violation(
        pod,
        "hostPathVolumes",
        "hostPath volumes",
        detail,
        bad.first,
    )
}

/// `restrictedVolumes`: only the volume sources in [`RESTRICTED_VOLUME_SOURCES`].
pub fn restricted_volumes(pod: &PodView<'_>, _version: Version) -> Option<Violation> {
    let mut bad = Offenders::default();
    let mut types = BTreeSet::new();
    for (index, volume) in pod.volumes().iter().enumerate() {
        let sources: Vec<&str> = volume_sources(volume).collect();
        // A volume without a source is defaulted to an emptyDir by the API server.
        if sources.is_empty()
            || sources
                .iter()
                .any(|s| RESTRICTED_VOLUME_SOURCES.contains(s))
        {
            continue;
        }
        let named = NAMED_VOLUME_SOURCES
            .iter()
            .find(|named| sources.contains(named))
            .copied();
        let kind = named.unwrap_or("unknown");
        types.insert(kind);
        let pos = named
            .and_then(|n| volume.entry(n))
            .map_or(volume.pos, |e| e.key_pos);
        bad.add(volume_name(volume), pos, || {
            pod.field_path(&format!("volumes[{index}].{kind}"))
        });
    }
    if bad.is_empty() {
        return None;
    }
    let count = bad.names.len();
    let detail = format!(
        "{} {} {} {} {}",
        plural(count, "volume", "volumes"),
        join_quote(&bad.names),
        plural(count, "uses", "use"),
        plural(
            types.len(),
            "restricted volume type",
            "restricted volume types"
        ),
        join_quote(&types)
    );
    violation(
        pod,
        "restrictedVolumes",
        "restricted volume types",
        detail,
        bad.first,
    )
}

/// `hostPorts`: no container port may bind a host port.
pub fn host_ports(pod: &PodView<'_>, _version: Version) -> Option<Violation> {
    let mut bad = Offenders::default();
    let mut ports = BTreeSet::new();
    for c in pod.containers() {
        let mut container_bad = false;
        for (index, port) in c
            .get("ports")
            .map_or(&[][..], Node::items)
            .iter()
            .enumerate()
        {
            if let Some(entry) = port.entry("hostPort")
                && let Some(number) = entry.value.as_i64()
                && number != 0
            {
                // The admission controller sorts the ports as text.
                ports.insert(number.to_string());
                bad.note(entry.key_pos, || {
                    format!("{}.ports[{index}].hostPort", c.path)
                });
                container_bad = true;
            }
        }
        if container_bad {
            bad.names.push(c.name().to_string());
        }
    }
    if bad.is_empty() {
        return None;
    }
    let count = bad.names.len();
    let detail = format!(
        "{} {} {} {}",
        containers_phrase(&bad.names),
        plural(count, "uses", "use"),
        plural(ports.len(), "hostPort", "hostPorts"),
        ports.into_iter().collect::<Vec<_>>().join(", ")
    );
    violation(pod, "hostPorts", "hostPort", detail, bad.first)
}

const APPARMOR_ANNOTATION_PREFIX: &str = "container.apparmor.security.beta.kubernetes.io/";

/// Whether a field `appArmorProfile.type` is allowed.
pub fn allowed_app_armor_type(kind: &str) -> bool {
    matches!(kind, "RuntimeDefault" | "Localhost")
}

/// Whether an AppArmor annotation value is allowed.
pub fn allowed_app_armor_annotation(value: &str) -> bool {
    value.is_empty() || value == "runtime/default" || value.starts_with("localhost/")
}

/// Who sets a profile field (`appArmorProfile`, `seccompProfile`) to a type that is not allowed:
/// the pod and/or a phrase naming the containers, where the first one is, and the types used.
struct DisallowedProfiles {
    setters: Vec<String>,
    first: Option<(Pos, String)>,
    values: BTreeSet<String>,
}

fn disallowed_profile_types(
    pod: &PodView<'_>,
    field: &str,
    allowed: fn(&str) -> bool,
) -> DisallowedProfiles {
    let type_path = format!("{field}.type");
    let mut found = DisallowedProfiles {
        setters: Vec::new(),
        first: None,
        values: BTreeSet::new(),
    };
    if let Some((profile, pos)) = pod_field(pod, field) {
        let kind = field_text(profile, "type");
        if !allowed(&kind) {
            found.setters.push("pod".to_string());
            found.first = Some((pos, pod_sc_path(pod, &type_path)));
            found.values.insert(kind);
        }
    }
    let mut containers = Offenders::default();
    for c in pod.containers() {
        if let Some((profile, pos)) = own_field(&c, field) {
            let kind = field_text(profile, "type");
            if !allowed(&kind) {
                containers.add(c.name(), pos, || sc_path(&c, &type_path));
                found.values.insert(kind);
            }
        }
    }
    if !containers.is_empty() {
        found.setters.push(containers_phrase(&containers.names));
        found.first = found.first.or(containers.first);
    }
    found
}

/// `appArmorProfile`: AppArmor may not be disabled or overridden with an unconfined profile,
/// neither by the beta annotations nor by the `appArmorProfile` fields.
pub fn app_armor_profile(pod: &PodView<'_>, _version: Version) -> Option<Violation> {
    let DisallowedProfiles {
        mut setters,
        mut first,
        values: bad_values,
    } = disallowed_profile_types(pod, "appArmorProfile", allowed_app_armor_type);
    let mut annotations = Vec::new();
    if let Some(entries) = pod.metadata.and_then(|m| m.get("annotations")) {
        for entry in entries.entries() {
            if !entry.key.starts_with(APPARMOR_ANNOTATION_PREFIX) {
                continue;
            }
            let value = entry.value.scalar_text().unwrap_or_default();
            if !allowed_app_armor_annotation(&value) {
                annotations.push(format!("{}={:?}", entry.key, value));
                first.get_or_insert_with(|| {
                    (entry.key_pos, format!("metadata.annotations.{}", entry.key))
                });
            }
        }
    }
    let mut values: Vec<String> = bad_values.into_iter().collect();
    if !annotations.is_empty() {
        annotations.sort();
        setters.push(plural(annotations.len(), "annotation", "annotations").to_string());
        values.extend(annotations);
    }
    if setters.is_empty() {
        return None;
    }
    let detail = format!(
        "{} must not set AppArmor profile type to {}",
        setters.join(" and "),
        join_quote(&values)
    );
    violation(
        pod,
        "appArmorProfile",
        plural(
            values.len(),
            "forbidden AppArmor profile",
            "forbidden AppArmor profiles",
        ),
        detail,
        first,
    )
}

/// `seLinuxOptions`: only the container SELinux types, and no custom user or role.
pub fn se_linux_options(pod: &PodView<'_>, version: Version) -> Option<Violation> {
    let allowed = allowed_selinux_types(version);
    let mut bad_types = BTreeSet::new();
    let mut set_user = false;
    let mut set_role = false;
    let mut first = None;
    let mut judge = |options: &Node, pos: Pos, path: String| -> bool {
        let text = |field: &str| field_text(options, field);
        let mut valid = true;
        let kind = text("type");
        if !allowed.contains(&kind.as_str()) {
            valid = false;
            bad_types.insert(kind);
        }
        if !text("user").is_empty() {
            valid = false;
            set_user = true;
        }
        if !text("role").is_empty() {
            valid = false;
            set_role = true;
        }
        if !valid && first.is_none() {
            first = Some((pos, path));
        }
        valid
    };
    let mut setters = Vec::new();
    if let Some((options, pos)) = pod_field(pod, "seLinuxOptions")
        && !judge(options, pos, pod_sc_path(pod, "seLinuxOptions"))
    {
        setters.push("pod".to_string());
    }
    let mut containers = Vec::new();
    for c in pod.containers() {
        if let Some((options, pos)) = own_field(&c, "seLinuxOptions")
            && !judge(options, pos, sc_path(&c, "seLinuxOptions"))
        {
            containers.push(c.name().to_string());
        }
    }
    if !containers.is_empty() {
        setters.push(containers_phrase(&containers));
    }
    if setters.is_empty() {
        return None;
    }
    let mut data = Vec::new();
    if !bad_types.is_empty() {
        data.push(format!(
            "{} {}",
            plural(bad_types.len(), "type", "types"),
            join_quote(&bad_types)
        ));
    }
    if set_user {
        data.push("user may not be set".to_string());
    }
    if set_role {
        data.push("role may not be set".to_string());
    }
    let detail = format!(
        "{} set forbidden securityContext.seLinuxOptions: {}",
        setters.join(" and "),
        data.join("; ")
    );
    violation(pod, "seLinuxOptions", "seLinuxOptions", detail, first)
}

fn unmasked_proc_mounts(pod: &PodView<'_>, check: &'static str) -> Option<Violation> {
    let mut bad = Offenders::default();
    let mut kinds = BTreeSet::new();
    for c in pod.containers() {
        if let Some((node, pos)) = own_field(&c, "procMount") {
            let kind = node.scalar_text().unwrap_or_default();
            if kind != "Default" {
                kinds.insert(kind.into_owned());
                bad.add(c.name(), pos, || sc_path(&c, "procMount"));
            }
        }
    }
    if bad.is_empty() {
        return None;
    }
    let detail = format!(
        "{} must not set securityContext.procMount to {}",
        containers_phrase(&bad.names),
        join_quote(&kinds)
    );
    violation(pod, check, "procMount", detail, bad.first)
}

/// `procMount` (baseline): the default `/proc` masks must stay, except for pods in their own
/// user namespace from 1.35 on.
pub fn proc_mount_baseline(pod: &PodView<'_>, version: Version) -> Option<Violation> {
    if relaxed_for_user_namespace(pod, version) {
        return None;
    }
    unmasked_proc_mounts(pod, "procMount")
}

/// `procMount_restricted` (from 1.35): the default `/proc` masks must stay, user namespace or not.
pub fn proc_mount_restricted(pod: &PodView<'_>, _version: Version) -> Option<Violation> {
    unmasked_proc_mounts(pod, "procMount_restricted")
}

const SECCOMP_POD_ANNOTATION: &str = "seccomp.security.alpha.kubernetes.io/pod";
const SECCOMP_CONTAINER_ANNOTATION_PREFIX: &str = "container.seccomp.security.alpha.kubernetes.io/";

/// `seccompProfile_baseline`: a seccomp profile, if set, must be the runtime default or a
/// localhost profile; before 1.19 through the alpha annotations, from 1.19 on through the
/// `seccompProfile` fields.
pub fn seccomp_profile_baseline(pod: &PodView<'_>, version: Version) -> Option<Violation> {
    if !version.at_least(19) {
        return seccomp_annotations_baseline(pod);
    }
    let DisallowedProfiles {
        setters,
        first,
        values,
    } = disallowed_profile_types(pod, "seccompProfile", allowed_seccomp_type);
    if setters.is_empty() {
        return None;
    }
    let detail = format!(
        "{} must not set securityContext.seccompProfile.type to {}",
        setters.join(" and "),
        join_quote(&values)
    );
    violation(
        pod,
        "seccompProfile_baseline",
        "seccompProfile",
        detail,
        first,
    )
}

/// Whether a seccomp alpha annotation value is allowed.
pub fn allowed_seccomp_annotation(value: &str) -> bool {
    value == "runtime/default" || value == "docker/default" || value.starts_with("localhost/")
}

fn seccomp_annotations_baseline(pod: &PodView<'_>) -> Option<Violation> {
    let annotations = pod.metadata.and_then(|m| m.get("annotations"))?;
    let mut forbidden = BTreeSet::new();
    let mut first = None;
    let mut judge = |key: &str| {
        if let Some(entry) = annotations.entry(key) {
            let value = entry.value.scalar_text().unwrap_or_default();
            if !allowed_seccomp_annotation(&value) {
                forbidden.insert(format!("{key}={value:?}"));
                first.get_or_insert_with(|| (entry.key_pos, format!("metadata.annotations.{key}")));
            }
        }
    };
    judge(SECCOMP_POD_ANNOTATION);
    for c in pod.containers() {
        judge(&format!(
            "{SECCOMP_CONTAINER_ANNOTATION_PREFIX}{}",
            c.name()
        ));
    }
    if forbidden.is_empty() {
        return None;
    }
    let detail = format!(
        "forbidden {} {}",
        plural(forbidden.len(), "annotation", "annotations"),
        forbidden.into_iter().collect::<Vec<_>>().join(", ")
    );
    violation(
        pod,
        "seccompProfile_baseline",
        "seccompProfile",
        detail,
        first,
    )
}

/// Whether a seccomp profile type is allowed (at both levels: baseline only tolerates its
/// absence).
pub fn allowed_seccomp_type(kind: &str) -> bool {
    matches!(kind, "RuntimeDefault" | "Localhost")
}

/// `seccompProfile_restricted` (from 1.19): every container must run with `RuntimeDefault` or
/// `Localhost` seccomp, set on it or on the pod (Windows pods are exempt from 1.25 on).
pub fn seccomp_profile_restricted(pod: &PodView<'_>, version: Version) -> Option<Violation> {
    if exempt_as_windows(pod, version) {
        return None;
    }
    let type_of = |profile: &Node| field_text(profile, "type");
    let mut setters = Vec::new();
    let mut first = None;
    let mut values = BTreeSet::new();
    let mut pod_ok = false;
    if let Some((profile, pos)) = pod_field(pod, "seccompProfile") {
        let kind = type_of(profile);
        if allowed_seccomp_type(&kind) {
            pod_ok = true;
        } else {
            setters.push("pod".to_string());
            first = Some((pos, pod_sc_path(pod, "seccompProfile.type")));
            values.insert(kind);
        }
    }
    let mut explicit = Offenders::default();
    let mut implicit = Offenders::default();
    for c in pod.containers() {
        match own_field(&c, "seccompProfile") {
            Some((profile, pos)) => {
                let kind = type_of(profile);
                if !allowed_seccomp_type(&kind) {
                    explicit.add(c.name(), pos, || sc_path(&c, "seccompProfile.type"));
                    values.insert(kind);
                }
            }
            None if !pod_ok => implicit.add(c.name(), c.security_context_pos(), || {
                sc_path(&c, "seccompProfile")
            }),
            None => {}
        }
    }
    if !explicit.is_empty() {
        setters.push(containers_phrase(&explicit.names));
        first = first.or(explicit.first);
    }
    if setters.is_empty() && implicit.is_empty() {
        return None;
    }
    let mut details = Vec::new();
    if !setters.is_empty() {
        details.push(format!(
            "{} must not set securityContext.seccompProfile.type to {}",
            setters.join(" and "),
            join_quote(&values)
        ));
    }
    if !implicit.is_empty() {
        details.push(format!(
            "pod or {} must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"",
            containers_phrase(&implicit.names)
        ));
    }
    violation(
        pod,
        "seccompProfile_restricted",
        "seccompProfile",
        details.join("; "),
        first.or(implicit.first),
    )
}

/// `sysctls`: only the namespaced, isolated sysctls of [`allowed_sysctls`].
pub fn sysctls(pod: &PodView<'_>, version: Version) -> Option<Violation> {
    let allowed = allowed_sysctls(version);
    let list = pod_field(pod, "sysctls")?.0;
    let mut bad = Offenders::default();
    for (index, sysctl) in list.items().iter().enumerate() {
        let name = sysctl
            .get("name")
            .and_then(Node::scalar_text)
            .unwrap_or_default();
        if !allowed.contains(&name.as_ref()) {
            bad.add(name.into_owned(), sysctl.pos, || {
                pod_sc_path(pod, &format!("sysctls[{index}].name"))
            });
        }
    }
    if bad.is_empty() {
        return None;
    }
    let detail = bad.names.join(", ");
    violation(pod, "sysctls", "forbidden sysctls", detail, bad.first)
}

fn host_process(options: &Node) -> bool {
    options.get("hostProcess").and_then(Node::as_bool) == Some(true)
}

/// `windowsHostProcess`: no Windows HostProcess pods or containers.
pub fn windows_host_process(pod: &PodView<'_>, _version: Version) -> Option<Violation> {
    let mut setters = Vec::new();
    let mut first = None;
    if let Some((options, pos)) = pod_field(pod, "windowsOptions")
        && host_process(options)
    {
        setters.push("pod".to_string());
        first = Some((pos, pod_sc_path(pod, "windowsOptions.hostProcess")));
    }
    let mut containers = Offenders::default();
    for c in pod.containers() {
        if let Some((options, pos)) = own_field(&c, "windowsOptions")
            && host_process(options)
        {
            containers.add(c.name(), pos, || sc_path(&c, "windowsOptions.hostProcess"));
        }
    }
    if !containers.is_empty() {
        setters.push(containers_phrase(&containers.names));
        first = first.or(containers.first);
    }
    if setters.is_empty() {
        return None;
    }
    let detail = format!(
        "{} must not set securityContext.windowsOptions.hostProcess=true",
        setters.join(" and ")
    );
    violation(pod, "windowsHostProcess", "hostProcess", detail, first)
}

/// The non-empty `host` of a handler's `httpGet` and `tcpSocket`, with positions.
fn handler_hosts(handler: Option<&Node>) -> Vec<(String, Pos)> {
    let Some(handler) = handler else {
        return Vec::new();
    };
    ["httpGet", "tcpSocket"]
        .iter()
        .filter_map(|kind| handler.get(kind)?.entry("host"))
        .filter_map(|entry| {
            let host = entry.value.scalar_text()?;
            (!host.is_empty()).then(|| (host.into_owned(), entry.key_pos))
        })
        .collect()
}

/// `hostProbesAndHostLifecycle` (from 1.34): probes and lifecycle handlers must not target
/// another host.
pub fn host_probes_and_host_lifecycle(pod: &PodView<'_>, _version: Version) -> Option<Violation> {
    let mut containers = BTreeSet::new();
    let mut hosts = BTreeSet::new();
    let mut first = None;
    for c in pod.containers() {
        let lifecycle = c.get("lifecycle");
        let handlers = [
            ("livenessProbe", c.get("livenessProbe")),
            ("readinessProbe", c.get("readinessProbe")),
            ("startupProbe", c.get("startupProbe")),
            (
                "lifecycle.postStart",
                lifecycle.and_then(|l| l.get("postStart")),
            ),
            (
                "lifecycle.preStop",
                lifecycle.and_then(|l| l.get("preStop")),
            ),
        ];
        for (field, handler) in handlers {
            for (host, pos) in handler_hosts(handler) {
                containers.insert(c.name().to_string());
                hosts.insert(host);
                first.get_or_insert_with(|| (pos, c.field_path(field)));
            }
        }
    }
    if containers.is_empty() {
        return None;
    }
    let names: Vec<String> = containers.into_iter().collect();
    let detail = format!(
        "{} {} {} {}",
        containers_phrase(&names),
        plural(names.len(), "uses", "use"),
        plural(
            hosts.len(),
            "probe or lifecycle host",
            "probe or lifecycle hosts"
        ),
        join_quote(&hosts)
    );
    violation(
        pod,
        "hostProbesAndHostLifecycle",
        "probe or lifecycle host",
        detail,
        first,
    )
}

/// `allowPrivilegeEscalation` (from 1.8): every container must set
/// `allowPrivilegeEscalation: false` (Windows pods are exempt from 1.25 on).
pub fn allow_privilege_escalation(pod: &PodView<'_>, version: Version) -> Option<Violation> {
    if exempt_as_windows(pod, version) {
        return None;
    }
    let mut bad = Offenders::default();
    for c in pod.containers() {
        match own_field(&c, "allowPrivilegeEscalation") {
            Some((node, _)) if node.as_bool() == Some(false) => {}
            Some((_, pos)) => bad.add(c.name(), pos, || sc_path(&c, "allowPrivilegeEscalation")),
            None => bad.add(c.name(), c.security_context_pos(), || {
                sc_path(&c, "allowPrivilegeEscalation")
            }),
        }
    }
    if bad.is_empty() {
        return None;
    }
    let detail = format!(
        "{} must set securityContext.allowPrivilegeEscalation=false",
        containers_phrase(&bad.names)
    );
    violation(
        pod,
        "allowPrivilegeEscalation",
        "allowPrivilegeEscalation != false",
        detail,
        bad.first,
    )
}

/// `runAsNonRoot`: the pod or every container must set `runAsNonRoot: true`, and none may set
/// it to false. A user namespace (`hostUsers: false`) does not exempt the pod: that relaxation
/// only ever existed behind an alpha feature gate, since removed.
pub fn run_as_non_root(pod: &PodView<'_>, _version: Version) -> Option<Violation> {
    let mut setters = Vec::new();
    let mut first = None;
    let mut pod_true = false;
    if let Some((node, pos)) = pod_field(pod, "runAsNonRoot") {
        if node.as_bool() == Some(true) {
            pod_true = true;
        } else {
            setters.push("pod".to_string());
            first = Some((pos, pod_sc_path(pod, "runAsNonRoot")));
        }
    }
    let mut explicit = Offenders::default();
    let mut implicit = Offenders::default();
    for c in pod.containers() {
        match own_field(&c, "runAsNonRoot") {
            Some((node, _)) if node.as_bool() == Some(true) => {}
            Some((_, pos)) => explicit.add(c.name(), pos, || sc_path(&c, "runAsNonRoot")),
            None if !pod_true => implicit.add(c.name(), c.security_context_pos(), || {
                sc_path(&c, "runAsNonRoot")
            }),
            None => {}
        }
    }
    if !explicit.is_empty() {
        setters.push(containers_phrase(&explicit.names));
        first = first.or(explicit.first);
    }
    if setters.is_empty() && implicit.is_empty() {
        return None;
    }
    let mut details = Vec::new();
    if !setters.is_empty() {
        details.push(format!(
            "{} must not set securityContext.runAsNonRoot=false",
            setters.join(" and ")
        ));
    }
    if !implicit.is_empty() {
        details.push(format!(
            "pod or {} must set securityContext.runAsNonRoot=true",
            containers_phrase(&implicit.names)
        ));
    }
    violation(
        pod,
        "runAsNonRoot",
        "runAsNonRoot != true",
        details.join("\n"),
        first.or(implicit.first),
    )
}

/// `runAsUser` (from 1.23): neither the pod nor a container may set `runAsUser: 0`, user
/// namespace or not (as for [`run_as_non_root`]).
pub fn run_as_user(pod: &PodView<'_>, _version: Version) -> Option<Violation> {
    let mut setters = Vec::new();
    let mut first = None;
    if let Some((node, pos)) = pod_field(pod, "runAsUser")
        && node.as_i64() == Some(0)
    {
        setters.push("pod".to_string());
        first = Some((pos, pod_sc_path(pod, "runAsUser")));
    }
    let mut containers = Offenders::default();
    for c in pod.containers() {
        if let Some((node, pos)) = own_field(&c, "runAsUser")
            && node.as_i64() == Some(0)
        {
            containers.add(c.name(), pos, || sc_path(&c, "runAsUser"));
        }
    }
    if !containers.is_empty() {
        setters.push(containers_phrase(&containers.names));
        first = first.or(containers.first);
    }
    if setters.is_empty() {
        return None;
    }
    let detail = format!("{} must not set runAsUser=0", setters.join(" and "));
    violation(pod, "runAsUser", "runAsUser=0", detail, first)
}
