//! `cargo xtask gen-audit`: a synthetic but realistic Kubernetes audit event stream, as JSON lines.
//!
//! The mix follows what a busy cluster's audit log looks like: reads (get/list/watch) by
//! controllers, kubelets and people dominate, lease and status updates come next, and the
//! security-relevant events the rules look for are a small minority: pod creations with assorted
//! security contexts (some privileged, host namespaces, sensitive hostPath mounts), exec/attach/
//! port-forward, secret reads and enumeration, RBAC changes, service account tokens, NodePort
//! services, anonymous requests and 401/403 failures. Event times advance by a few milliseconds
//! per event from a fixed start, so the same seed always gives the same stream.

use std::fmt::Write as _;
use std::io::Write;

use crate::generate::Rng;

/// The first event's time, in microseconds since the Unix epoch (2026-11-01T00:00:00Z).
const START_MICROS: i64 = 1_793_491_200_000_000;

const NAMESPACES: &[&str] = &[
    "default",
    "kube-system",
    "payments",
    "checkout",
    "search",
    "monitoring",
    "ingress-nginx",
    "team-a",
    "team-b",
    "batch",
];

const CONTROLLERS: &[&str] = &[
    "system:serviceaccount:kube-system:replicaset-controller",
    "system:serviceaccount:kube-system:deployment-controller",
    "system:serviceaccount:kube-system:endpointslice-controller",
    "system:serviceaccount:kube-system:namespace-controller",
    "system:serviceaccount:kube-system:generic-garbage-collector",
    "system:kube-scheduler",
    "system:kube-controller-manager",
    "system:serviceaccount:monitoring:prometheus",
    "system:serviceaccount:ingress-nginx:ingress-nginx",
];

/// The people (and the CI robot) of the generated cluster.
pub const PEOPLE: &[&str] = &[
    "alice@example.com",
    "bob@example.com",
    "carol@example.com",
    "dave@example.com",
    "system:serviceaccount:ci:deployer",
];

const READ_RESOURCES: &[(&str, &str)] = &[
    ("", "pods"),
    ("", "pods"),
    ("", "pods"),
    ("", "services"),
    ("", "endpoints"),
    ("", "configmaps"),
    ("", "configmaps"),
    ("", "nodes"),
    ("", "namespaces"),
    ("", "serviceaccounts"),
    ("", "events"),
    ("apps", "deployments"),
    ("apps", "replicasets"),
    ("apps", "daemonsets"),
    ("apps", "statefulsets"),
    ("batch", "jobs"),
    ("batch", "cronjobs"),
    ("networking.k8s.io", "ingresses"),
    ("networking.k8s.io", "networkpolicies"),
    ("discovery.k8s.io", "endpointslices"),
    ("coordination.k8s.io", "leases"),
];

const AGENTS: &[&str] = &[
    "kube-controller-manager/v1.31.2 (linux/amd64) kubernetes/5864a46/system:serviceaccount:kube-system:replicaset-controller",
    "kube-scheduler/v1.31.2 (linux/amd64) kubernetes/5864a46/scheduler",
    "kubelet/v1.31.2 (linux/amd64) kubernetes/5864a46",
    "kubectl/v1.31.1 (linux/amd64) kubernetes/948afe5",
    "prometheus/2.54.1",
    "Go-http-client/2.0",
];

const IMAGES: &[&str] = &[
    "registry.example.com/payments/api:1.42.0",
    "nginx:1.27",
    "busybox:1.36",
    "ghcr.io/example/worker@sha256:7f3c9a1b2c3d4e5f60718293a4b5c6d7e8f90112233445566778899aabbccdd",
    "quay.io/prometheus/node-exporter:v1.8.2",
    "alpine:3.20",
];

/// Writes the path of a namespaced or cluster-scoped resource, with an optional name.
fn uri(out: &mut String, group: &str, resource: &str, ns: Option<&str>, name: Option<&str>) {
    if group.is_empty() {
        out.push_str("/api/v1");
    } else {
        let _ = write!(out, "/apis/{group}/v1");
    }
    if let Some(ns) = ns {
        let _ = write!(out, "/namespaces/{ns}");
    }
    let _ = write!(out, "/{resource}");
    if let Some(name) = name {
        let _ = write!(out, "/{name}");
    }
}

fn time(out: &mut String, micros: i64) {
    let ts = jiff::Timestamp::from_microsecond(micros).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let _ = write!(out, "\"{}\"", ts.strftime("%Y-%m-%dT%H:%M:%S%.6fZ"));
}

/// What one event is about, before it is written.
struct Request<'a> {
    verb: &'a str,
    user: &'a str,
    groups: &'a str,
    group: &'a str,
    resource: &'a str,
    subresource: Option<&'a str>,
    namespace: Option<&'a str>,
    name: Option<String>,
    code: u16,
    query: &'a str,
    body: Option<String>,
}

/// Groups written for `user`.
fn groups_of(user: &str) -> &'static str {
    if user == "system:anonymous" {
        "[\"system:unauthenticated\"]"
    } else if user.starts_with("system:serviceaccount:") {
        "[\"system:serviceaccounts\",\"system:authenticated\"]"
    } else if user.starts_with("system:node:") {
        "[\"system:nodes\",\"system:authenticated\"]"
    } else if user.starts_with("system:") {
        "[\"system:authenticated\"]"
    } else {
        "[\"developers\",\"system:authenticated\"]"
    }
}

fn write_event(out: &mut String, req: &Request<'_>, micros: i64, seq: u64, rng: &mut Rng) {
    let level = if req.body.is_some() {
        "RequestResponse"
    } else {
        "Metadata"
    };
    let _ = write!(
        out,
        "{{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"{level}\",\
         \"auditID\":\"{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}\",\"stage\":\"ResponseComplete\",\
         \"requestURI\":\"",
        seq & 0xffff_ffff,
        rng.below(0x10000),
        rng.below(0x1000),
        rng.below(0x1000),
        rng.next_u64() & 0xffff_ffff_ffff
    );
    uri(
        out,
        req.group,
        req.resource,
        req.namespace,
        req.name.as_deref(),
    );
    if let Some(sub) = req.subresource {
        let _ = write!(out, "/{sub}");
    }
    out.push_str(req.query);
    let _ = write!(
        out,
        "\",\"verb\":\"{}\",\"user\":{{\"username\":\"{}\",\"groups\":{}}},\
         \"sourceIPs\":[\"10.{}.{}.{}\"],\"userAgent\":\"{}\",\"objectRef\":{{\"resource\":\"{}\"",
        req.verb,
        req.user,
        req.groups,
        rng.below(4),
        rng.below(256),
        1 + rng.below(254),
        rng.pick(AGENTS),
        req.resource
    );
    if let Some(ns) = req.namespace {
        let _ = write!(out, ",\"namespace\":\"{ns}\"");
    }
    if let Some(name) = &req.name {
        let _ = write!(out, ",\"name\":\"{name}\"");
    }
    if let Some(sub) = req.subresource {
        let _ = write!(out, ",\"subresource\":\"{sub}\"");
    }
    if !req.group.is_empty() {
        let _ = write!(out, ",\"apiGroup\":\"{}\"", req.group);
    }
    let _ = write!(
        out,
        ",\"apiVersion\":\"v1\"}},\"responseStatus\":{{\"metadata\":{{}},\"code\":{}}}",
        req.code
    );
    if let Some(object) = &req.body {
        let _ = write!(out, ",\"requestObject\":{object}");
    }
    out.push_str(",\"requestReceivedTimestamp\":");
    time(out, micros);
    out.push_str(",\"stageTimestamp\":");
    time(
        out,
        micros + 1500 + i64::try_from(rng.below(20_000)).unwrap_or(0),
    );
    let decision = if req.code == 403 { "forbid" } else { "allow" };
    let _ = writeln!(
        out,
        ",\"annotations\":{{\"authorization.k8s.io/decision\":\"{decision}\",\
         \"authorization.k8s.io/reason\":\"\"}}}}"
    );
}

/// A pod with one of several security postures, as the request object of a create.
fn pod_object(name: &str, ns: &str, rng: &mut Rng) -> String {
    let image = rng.pick(IMAGES);
    let (pod_extra, container_ctx, volumes, mounts) = match rng.below(20) {
        0 => ("", "{\"privileged\":true}", "", ""),
        1 => ("\"hostNetwork\":true,", "{}", "", ""),
        2 => ("\"hostPID\":true,\"hostIPC\":true,", "{}", "", ""),
        3 => (
            "",
            "{}",
            ",\"volumes\":[{\"name\":\"host\",\"hostPath\":{\"path\":\"/etc\"}}]",
            ",\"volumeMounts\":[{\"name\":\"host\",\"mountPath\":\"/host/etc\"}]",
        ),
        4 => (
            "",
            "{}",
            ",\"volumes\":[{\"name\":\"docker\",\"hostPath\":{\"path\":\"/var/run/docker.sock\"}}]",
            ",\"volumeMounts\":[{\"name\":\"docker\",\"mountPath\":\"/var/run/docker.sock\"}]",
        ),
        5..=9 => (
            "\"securityContext\":{\"runAsNonRoot\":true,\"runAsUser\":10001,\"seccompProfile\":{\"type\":\"RuntimeDefault\"}},",
            "{\"allowPrivilegeEscalation\":false,\"readOnlyRootFilesystem\":true,\"capabilities\":{\"drop\":[\"ALL\"]}}",
            ",\"volumes\":[{\"name\":\"cache\",\"emptyDir\":{}}]",
            ",\"volumeMounts\":[{\"name\":\"cache\",\"mountPath\":\"/cache\"}]",
        ),
        10 => (
            "",
            "{\"capabilities\":{\"add\":[\"NET_ADMIN\",\"SYS_TIME\"]}}",
            "",
            "",
        ),
        _ => ("", "{}", "", ""),
    };
    format!(
        "{{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{{\"name\":\"{name}\",\"namespace\":\"{ns}\",\
         \"labels\":{{\"app\":\"{app}\"}}}},\"spec\":{{{pod_extra}\"containers\":[{{\"name\":\"main\",\
         \"image\":\"{image}\",\"resources\":{{}},\"securityContext\":{container_ctx}{mounts}}}],\
         \"restartPolicy\":\"Always\",\"serviceAccountName\":\"default\"{volumes}}},\"status\":{{}}}}",
        app = name.split('-').next().unwrap_or(name),
    )
}

/// Picks the next event and writes it to `out`.
#[allow(clippy::too_many_lines)]
fn next_event(out: &mut String, seq: u64, micros: i64, rng: &mut Rng) {
    let ns = *rng.pick(NAMESPACES);
    let roll = rng.below(1000);
    let node = format!("system:node:node-{:03}", rng.below(200));
    let mut req = Request {
        verb: "get",
        user: "",
        groups: "",
        group: "",
        resource: "pods",
        subresource: None,
        namespace: Some(ns),
        name: None,
        code: 200,
        query: "",
        body: None,
    };
    let person = *rng.pick(PEOPLE);
    let controller = *rng.pick(CONTROLLERS);
    match roll {
        // Reads: three quarters of a real log.
        0..=749 => {
            let (group, resource) = *rng.pick(READ_RESOURCES);
            req.group = group;
            req.resource = resource;
            req.user = match rng.below(10) {
                0..=4 => controller,
                5..=7 => &node,
                _ => person,
            };
            req.verb = match rng.below(10) {
                0..=4 => "get",
                5..=7 => "list",
                _ => "watch",
            };
            if matches!(resource, "nodes" | "namespaces") {
                req.namespace = None;
            }
            if req.verb == "get" {
                req.name = Some(format!("{resource}-{}", rng.below(500)));
            } else if req.verb == "watch" {
                req.query = "?allowWatchBookmarks=true&resourceVersion=123456&watch=true";
            }
        }
        // Lease renewals and status updates.
        750..=859 => {
            req.user = &node;
            req.verb = if rng.chance(50) { "update" } else { "patch" };
            if rng.chance(60) {
                req.group = "coordination.k8s.io";
                req.resource = "leases";
                req.namespace = Some("kube-node-lease");
                req.name = Some(node.trim_start_matches("system:node:").to_string());
            } else {
                req.resource = "pods";
                req.subresource = Some("status");
                req.name = Some(format!("pod-{}", rng.below(5000)));
            }
        }
        // Pod creations with assorted security contexts.
        860..=899 => {
            let name = format!(
                "{}-{:05}",
                ["api", "worker", "web", "debug"][rng.below(4) as usize],
                rng.below(100_000)
            );
            req.user = if rng.chance(80) {
                "system:serviceaccount:kube-system:replicaset-controller"
            } else {
                person
            };
            req.verb = "create";
            req.code = 201;
            req.body = Some(pod_object(&name, ns, rng));
        }
        // Configmap and deployment writes.
        900..=929 => {
            req.user = person;
            req.verb = *rng.pick(&["create", "update", "patch", "delete"]);
            if rng.chance(50) {
                req.resource = "configmaps";
            } else {
                req.group = "apps";
                req.resource = "deployments";
            }
            req.name = Some(format!("app-{}", rng.below(300)));
        }
        // Exec, attach, port-forward.
        930..=944 => {
            req.user = person;
            req.verb = if rng.chance(20) { "get" } else { "create" };
            req.subresource = Some(*rng.pick(&["exec", "exec", "attach", "portforward"]));
            req.name = Some(format!("api-{:05}", rng.below(100_000)));
            req.query = "?command=sh&container=main&stdin=true&stdout=true&tty=true";
            req.code = 101;
        }
        // Secret reads and enumeration.
        945..=969 => {
            req.resource = "secrets";
            req.user = if rng.chance(60) { controller } else { person };
            req.verb = if rng.chance(70) { "get" } else { "list" };
            if req.verb == "get" {
                req.name = Some(format!("db-credentials-{}", rng.below(50)));
            } else if rng.chance(30) {
                req.namespace = None;
            }
        }
        // RBAC changes.
        970..=977 => {
            req.user = person;
            req.group = "rbac.authorization.k8s.io";
            req.verb = *rng.pick(&["create", "update", "delete"]);
            req.code = if req.verb == "create" { 201 } else { 200 };
            if rng.chance(50) {
                req.resource = "clusterrolebindings";
                req.namespace = None;
                let role_name = if rng.chance(30) {
                    "cluster-admin"
                } else {
                    "view"
                };
                let name = format!("grant-{}", rng.below(1000));
                req.body = Some(format!(
                    "{{\"kind\":\"ClusterRoleBinding\",\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\
                     \"metadata\":{{\"name\":\"{name}\"}},\"roleRef\":{{\"apiGroup\":\"rbac.authorization.k8s.io\",\
                     \"kind\":\"ClusterRole\",\"name\":\"{role_name}\"}},\"subjects\":[{{\"kind\":\"User\",\"name\":\"{person}\"}}]}}"
                ));
                req.name = Some(name);
            } else {
                req.resource = "roles";
                let name = format!("role-{}", rng.below(1000));
                let (verbs, resources) = if rng.chance(30) {
                    ("[\"*\"]", "[\"*\"]")
                } else {
                    ("[\"get\",\"list\"]", "[\"pods\",\"configmaps\"]")
                };
                req.body = Some(format!(
                    "{{\"kind\":\"Role\",\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\
                     \"metadata\":{{\"name\":\"{name}\",\"namespace\":\"{ns}\"}},\
                     \"rules\":[{{\"apiGroups\":[\"\"],\"resources\":{resources},\"verbs\":{verbs}}}]}}"
                ));
                req.name = Some(name);
            }
        }
        // Service account tokens and NodePort services.
        978..=984 => {
            req.user = person;
            req.verb = "create";
            req.code = 201;
            if rng.chance(50) {
                req.resource = "serviceaccounts";
                req.subresource = Some("token");
                req.name = Some(format!("sa-{}", rng.below(100)));
            } else {
                req.resource = "services";
                let name = format!("svc-{}", rng.below(1000));
                let kind = *rng.pick(&["ClusterIP", "ClusterIP", "NodePort", "LoadBalancer"]);
                req.body = Some(format!(
                    "{{\"kind\":\"Service\",\"apiVersion\":\"v1\",\"metadata\":{{\"name\":\"{name}\",\"namespace\":\"{ns}\"}},\
                     \"spec\":{{\"type\":\"{kind}\",\"ports\":[{{\"port\":80,\"targetPort\":8080,\"protocol\":\"TCP\"}}]}}}}"
                ));
                req.name = Some(name);
            }
        }
        // Anonymous requests: probes of the API, mostly refused.
        985..=991 => {
            req.user = "system:anonymous";
            req.verb = "get";
            req.namespace = None;
            req.resource = *rng.pick(&["namespaces", "nodes", "pods"]);
            req.code = if rng.chance(80) { 403 } else { 200 };
        }
        // Failed requests of known users: forbidden reads and writes.
        _ => {
            req.user = person;
            req.verb = *rng.pick(&["get", "list", "create", "delete"]);
            req.resource = *rng.pick(&["secrets", "pods", "nodes"]);
            req.code = if rng.chance(20) { 401 } else { 403 };
        }
    }
    req.groups = groups_of(req.user);
    write_event(out, &req, micros, seq, rng);
}

/// Writes `count` events as JSON lines to `out`.
pub fn write_events(count: u64, seed: u64, out: &mut dyn Write) -> std::io::Result<()> {
    let mut rng = Rng::new(seed);
    let mut buf = String::with_capacity(256 * 1024);
    let mut micros = START_MICROS;
    for seq in 0..count {
        micros += 100 + i64::try_from(rng.below(4_000)).unwrap_or(0);
        next_event(&mut buf, seq, micros, &mut rng);
        if buf.len() > 200 * 1024 {
            out.write_all(buf.as_bytes())?;
            buf.clear();
        }
    }
    out.write_all(buf.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_generated_line_is_a_json_audit_event() {
        let mut out = Vec::new();
        write_events(5_000, 7, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let mut verbs = std::collections::BTreeMap::new();
        for line in text.lines() {
            let event: serde_json::Value = serde_json::from_str(line).unwrap();
            assert_eq!(event["kind"], "Event");
            *verbs
                .entry(event["verb"].as_str().unwrap().to_string())
                .or_insert(0) += 1;
        }
        assert_eq!(text.lines().count(), 5_000);
        assert!(verbs["get"] > verbs["create"]);
        let mut again = Vec::new();
        write_events(5_000, 7, &mut again).unwrap();
        assert_eq!(text.as_bytes(), &again[..]);
    }
}
