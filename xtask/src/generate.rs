//! `cargo xtask gen`: writes synthetic but realistic workload manifests for benchmarks and
//! large-input tests.
//!
//! The output is a function of the seed and the object count only, so two runs produce identical
//! trees and benchmark figures stay comparable. Each "application" is a workload (Deployment,
//! StatefulSet, DaemonSet, CronJob or bare Pod) with the Service, ConfigMap and NetworkPolicy
//! that usually travel with it; applications are packed into multi-document files of about ten
//! objects, spread over several namespace directories. About a third of the workloads carry a
//! hardened securityContext, the rest range from missing to plainly dangerous settings, so the
//! checks have real work to do.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context;

/// The seed used when none is given, so `gen` and `bench` agree by default.
pub const DEFAULT_SEED: u64 = 0x5EED_CAFE;

/// A SplitMix64 generator: tiny, fast, and good enough to vary synthetic manifests. No crate is
/// pulled in because reproducibility matters more here than statistical quality.
pub struct Rng(u64);

impl Rng {
    /// A generator started from `seed`.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

const NAMESPACES: &[&str] = &[
    "payments",
    "checkout",
    "catalog",
    "identity",
    "monitoring",
    "logging",
    "ingress",
    "batch",
    "data",
    "platform",
];

const APPS: &[&str] = &[
    "api",
    "web",
    "worker",
    "gateway",
    "cache",
    "db",
    "search",
    "auth",
    "billing",
    "report",
    "exporter",
    "agent",
    "sync",
    "queue",
    "frontend",
    "scheduler",
];

const IMAGES: &[&str] = &[
    "registry.example.com/team/api:1.4.2",
    "registry.example.com/team/web@sha256:3f1c0e9a8b7d6c5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e",
    "nginx:latest",
    "nginx:1.27",
    "postgres:16",
    "redis",
    "busybox:1.36",
    "quay.io/prometheus/node-exporter:v1.8.1",
    "docker.io/library/alpine:3.20",
    "ghcr.io/example/worker:2024.11.3",
];

/// Which workload shape an application uses.
#[derive(Clone, Copy)]
enum Shape {
    Deployment,
    StatefulSet,
    DaemonSet,
    CronJob,
    Pod,
}

/// How careful the generated securityContext is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Posture {
    Hardened,
    Missing,
    Partial,
    Dangerous,
}

struct Writer {
    text: String,
    objects: usize,
}

impl Writer {
    fn doc(&mut self) {
        if !self.text.is_empty() {
            self.text.push_str("---\n");
        }
        self.objects += 1;
    }
}

fn labels(out: &mut String, indent: &str, app: &str, tier: &str) {
    let _ = writeln!(out, "{indent}labels:");
    let _ = writeln!(out, "{indent}  app.kubernetes.io/name: {app}");
    let _ = writeln!(out, "{indent}  app.kubernetes.io/part-of: shop");
    let _ = writeln!(out, "{indent}  tier: {tier}");
}

fn pod_security_context(out: &mut String, indent: &str, posture: Posture, rng: &mut Rng) {
    match posture {
        Posture::Hardened => {
            let _ = writeln!(out, "{indent}securityContext:");
            let _ = writeln!(out, "{indent}  runAsNonRoot: true");
            let _ = writeln!(out, "{indent}  runAsUser: {}", 10000 + rng.below(5000));
            let _ = writeln!(out, "{indent}  fsGroup: 2000");
            let _ = writeln!(out, "{indent}  seccompProfile:");
            let _ = writeln!(out, "{indent}    type: RuntimeDefault");
        }
        Posture::Partial => {
            let _ = writeln!(out, "{indent}securityContext:");
            let _ = writeln!(out, "{indent}  runAsUser: {}", rng.below(2) * 1000);
        }
        Posture::Dangerous => {
            if rng.chance(40) {
                let _ = writeln!(out, "{indent}hostNetwork: true");
            }
            if rng.chance(30) {
                let _ = writeln!(out, "{indent}hostPID: true");
            }
            if rng.chance(15) {
                let _ = writeln!(out, "{indent}hostIPC: true");
            }
            let _ = writeln!(out, "{indent}securityContext:");
            let _ = writeln!(out, "{indent}  runAsUser: 0");
        }
        Posture::Missing => {}
    }
}

fn container_security_context(out: &mut String, indent: &str, posture: Posture, rng: &mut Rng) {
    match posture {
        Posture::Hardened => {
            let _ = writeln!(out, "{indent}securityContext:");
            let _ = writeln!(out, "{indent}  allowPrivilegeEscalation: false");
            let _ = writeln!(out, "{indent}  readOnlyRootFilesystem: true");
            let _ = writeln!(out, "{indent}  capabilities:");
            let _ = writeln!(out, "{indent}    drop: [\"ALL\"]");
        }
        Posture::Partial => {
            let _ = writeln!(out, "{indent}securityContext:");
            let _ = writeln!(out, "{indent}  allowPrivilegeEscalation: false");
            if rng.chance(50) {
                let _ = writeln!(out, "{indent}  capabilities:");
                let _ = writeln!(out, "{indent}    add: [\"NET_BIND_SERVICE\"]");
            }
        }
        Posture::Dangerous => {
            let _ = writeln!(out, "{indent}securityContext:");
            if rng.chance(60) {
                let _ = writeln!(out, "{indent}  privileged: true");
            }
            let _ = writeln!(out, "{indent}  allowPrivilegeEscalation: true");
            let _ = writeln!(out, "{indent}  capabilities:");
            let cap = rng.pick(&["SYS_ADMIN", "NET_ADMIN", "ALL", "SYS_PTRACE"]);
            let _ = writeln!(out, "{indent}    add: [\"{cap}\"]");
        }
        Posture::Missing => {}
    }
}

/// Writes a pod spec whose `spec:` key sits at `indent` minus two spaces.
fn pod_spec(out: &mut String, indent: &str, app: &str, posture: Posture, rng: &mut Rng) {
    let _ = writeln!(out, "{indent}serviceAccountName: {app}");
    if posture == Posture::Hardened || rng.chance(30) {
        let _ = writeln!(out, "{indent}automountServiceAccountToken: false");
    }
    pod_security_context(out, indent, posture, rng);
    if rng.chance(25) {
        let _ = writeln!(out, "{indent}initContainers:");
        let _ = writeln!(out, "{indent}- name: init-schema");
        let _ = writeln!(out, "{indent}  image: {}", rng.pick(IMAGES));
        let _ = writeln!(out, "{indent}  command: [\"sh\", \"-c\", \"echo init\"]");
        container_security_context(out, &format!("{indent}  "), posture, rng);
    }
    let _ = writeln!(out, "{indent}containers:");
    for c in 0..=rng.below(2) {
        let _ = writeln!(
            out,
            "{indent}- name: {app}{}",
            if c == 0 { "" } else { "-sidecar" }
        );
        let _ = writeln!(out, "{indent}  image: {}", rng.pick(IMAGES));
        if rng.chance(70) {
            let _ = writeln!(out, "{indent}  imagePullPolicy: IfNotPresent");
        }
        let _ = writeln!(out, "{indent}  ports:");
        let port = 8080 + rng.below(10);
        let _ = writeln!(out, "{indent}  - containerPort: {port}");
        let _ = writeln!(out, "{indent}    name: http");
        if posture == Posture::Dangerous && rng.chance(30) {
            let _ = writeln!(out, "{indent}    hostPort: {port}");
        }
        let _ = writeln!(out, "{indent}  env:");
        let _ = writeln!(out, "{indent}  - name: LOG_LEVEL");
        let _ = writeln!(out, "{indent}    value: info");
        let _ = writeln!(out, "{indent}  - name: DB_PASSWORD");
        if posture == Posture::Dangerous {
            let _ = writeln!(out, "{indent}    value: hunter2");
        } else {
            let _ = writeln!(out, "{indent}    valueFrom:");
            let _ = writeln!(
                out,
                "{indent}      secretKeyRef: {{name: {app}-db, key: password}}"
            );
        }
        let _ = writeln!(out, "{indent}  envFrom:");
        let _ = writeln!(out, "{indent}  - configMapRef:");
        let _ = writeln!(out, "{indent}      name: {app}-config");
        if posture != Posture::Missing {
            let _ = writeln!(out, "{indent}  resources:");
            let _ = writeln!(out, "{indent}    requests: {{cpu: 100m, memory: 128Mi}}");
            let _ = writeln!(out, "{indent}    limits: {{memory: 256Mi}}");
            let _ = writeln!(out, "{indent}  readinessProbe:");
            let _ = writeln!(out, "{indent}    httpGet: {{path: /healthz, port: http}}");
        }
        container_security_context(out, &format!("{indent}  "), posture, rng);
        let _ = writeln!(out, "{indent}  volumeMounts:");
        let _ = writeln!(out, "{indent}  - name: config");
        let _ = writeln!(out, "{indent}    mountPath: /etc/{app}");
    }
    let _ = writeln!(out, "{indent}volumes:");
    let _ = writeln!(out, "{indent}- name: config");
    let _ = writeln!(out, "{indent}  configMap:");
    let _ = writeln!(out, "{indent}    name: {app}-config");
    if posture == Posture::Dangerous && rng.chance(40) {
        let _ = writeln!(out, "{indent}- name: host-root");
        let _ = writeln!(out, "{indent}  hostPath:");
        let _ = writeln!(
            out,
            "{indent}    path: {}",
            rng.pick(&["/", "/var/run/docker.sock", "/etc"])
        );
    }
}

fn workload(w: &mut Writer, shape: Shape, ns: &str, app: &str, posture: Posture, rng: &mut Rng) {
    w.doc();
    let out = &mut w.text;
    let (api, kind) = match shape {
        Shape::Deployment => ("apps/v1", "Deployment"),
        Shape::StatefulSet => ("apps/v1", "StatefulSet"),
        Shape::DaemonSet => ("apps/v1", "DaemonSet"),
        Shape::CronJob => ("batch/v1", "CronJob"),
        Shape::Pod => ("v1", "Pod"),
    };
    let _ = writeln!(out, "apiVersion: {api}\nkind: {kind}\nmetadata:");
    let _ = writeln!(out, "  name: {app}\n  namespace: {ns}");
    labels(out, "  ", app, "backend");
    if rng.chance(10) {
        let _ = writeln!(out, "  annotations:");
        let _ = writeln!(out, "    owner: team-{}", rng.below(20));
    }
    let _ = writeln!(out, "spec:");
    let template_indent = match shape {
        Shape::Pod => {
            pod_spec(out, "  ", app, posture, rng);
            return;
        }
        Shape::CronJob => {
            let _ = writeln!(out, "  schedule: \"{} * * * *\"", rng.below(60));
            let _ = writeln!(out, "  concurrencyPolicy: Forbid");
            let _ = writeln!(out, "  jobTemplate:\n    spec:\n      backoffLimit: 2");
            let _ = writeln!(out, "      template:");
            "        "
        }
        Shape::StatefulSet | Shape::Deployment | Shape::DaemonSet => {
            if !matches!(shape, Shape::DaemonSet) {
                let _ = writeln!(out, "  replicas: {}", 1 + rng.below(5));
            }
            if matches!(shape, Shape::StatefulSet) {
                let _ = writeln!(out, "  serviceName: {app}");
            }
            let _ = writeln!(out, "  selector:\n    matchLabels:");
            let _ = writeln!(out, "      app.kubernetes.io/name: {app}");
            let _ = writeln!(out, "  template:");
            "    "
        }
    };
    let _ = writeln!(out, "{template_indent}metadata:");
    labels(out, &format!("{template_indent}  "), app, "backend");
    let _ = writeln!(out, "{template_indent}spec:");
    if matches!(shape, Shape::CronJob) {
        let _ = writeln!(out, "{template_indent}  restartPolicy: OnFailure");
    }
    pod_spec(out, &format!("{template_indent}  "), app, posture, rng);
}

fn service(w: &mut Writer, ns: &str, app: &str, rng: &mut Rng) {
    w.doc();
    let out = &mut w.text;
    let _ = writeln!(out, "apiVersion: v1\nkind: Service\nmetadata:");
    let _ = writeln!(out, "  name: {app}\n  namespace: {ns}\nspec:");
    let kind = rng.pick(&[
        "ClusterIP",
        "ClusterIP",
        "ClusterIP",
        "NodePort",
        "LoadBalancer",
    ]);
    let _ = writeln!(out, "  type: {kind}");
    let _ = writeln!(out, "  selector:\n    app.kubernetes.io/name: {app}");
    let _ = writeln!(
        out,
        "  ports:\n  - name: http\n    port: 80\n    targetPort: http"
    );
}

fn config_map(w: &mut Writer, ns: &str, app: &str, rng: &mut Rng) {
    w.doc();
    let out = &mut w.text;
    let _ = writeln!(out, "apiVersion: v1\nkind: ConfigMap\nmetadata:");
    let _ = writeln!(out, "  name: {app}-config\n  namespace: {ns}\ndata:");
    let _ = writeln!(out, "  LOG_FORMAT: json\n  FEATURE_FLAGS: \"a,b,c\"");
    if rng.chance(10) {
        let _ = writeln!(
            out,
            "  AWS_SECRET_ACCESS_KEY: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
        );
    }
    let _ = writeln!(
        out,
        "  app.properties: |\n    server.port=8080\n    cache.ttl=300"
    );
}

fn network_policy(w: &mut Writer, ns: &str, app: &str, rng: &mut Rng) {
    w.doc();
    let out = &mut w.text;
    let _ = writeln!(
        out,
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:"
    );
    let _ = writeln!(out, "  name: {app}-ingress\n  namespace: {ns}\nspec:");
    let _ = writeln!(
        out,
        "  podSelector:\n    matchLabels:\n      app.kubernetes.io/name: {app}"
    );
    let _ = writeln!(out, "  policyTypes: [Ingress]\n  ingress:");
    if rng.chance(20) {
        let _ = writeln!(out, "  - {{}}");
    } else {
        let _ = writeln!(out, "  - from:\n    - podSelector:\n        matchLabels:");
        let _ = writeln!(
            out,
            "          tier: frontend\n    ports:\n    - port: 8080"
        );
    }
}

/// Appends one application (its workload plus companions) and returns how many objects it wrote.
fn application(w: &mut Writer, ns: &str, app: &str, rng: &mut Rng) {
    let shape = *rng.pick(&[
        Shape::Deployment,
        Shape::Deployment,
        Shape::Deployment,
        Shape::StatefulSet,
        Shape::DaemonSet,
        Shape::CronJob,
        Shape::Pod,
    ]);
    let posture = *rng.pick(&[
        Posture::Hardened,
        Posture::Hardened,
        Posture::Missing,
        Posture::Partial,
        Posture::Dangerous,
    ]);
    workload(w, shape, ns, app, posture, rng);
    if !matches!(shape, Shape::CronJob) {
        service(w, ns, app, rng);
    }
    config_map(w, ns, app, rng);
    if rng.chance(50) {
        network_policy(w, ns, app, rng);
    }
}

/// Writes about `count` objects (never fewer) under `out`, as `<namespace>/apps-NNNNN.yaml` files
/// of about ten objects each. Returns the exact number of objects and files written.
pub fn generate(count: usize, out: &Path, seed: u64) -> anyhow::Result<(usize, usize)> {
    let mut rng = Rng::new(seed);
    let mut objects = 0usize;
    let mut files = 0usize;
    let mut app_no = 0usize;
    while objects < count {
        let ns = NAMESPACES[files % NAMESPACES.len()];
        let dir = out.join(ns);
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        let mut w = Writer {
            text: String::new(),
            objects: 0,
        };
        while w.objects < 10 && objects + w.objects < count {
            let app = format!("{}-{app_no}", rng.pick(APPS));
            app_no += 1;
            application(&mut w, ns, &app, &mut rng);
        }
        let path = dir.join(format!("apps-{files:05}.yaml"));
        std::fs::write(&path, &w.text)
            .with_context(|| format!("cannot write {}", path.display()))?;
        objects += w.objects;
        files += 1;
    }
    Ok((objects, files))
}

/// Buffers generated YAML documents and writes them into numbered files
/// (`<prefix>-00000.yaml`, …) of `per_file` documents each, or, in JSON mode, gathers every
/// object into one `cluster.json` List, the shape of `kubectl get -A -o json`.
pub struct Packer<'a> {
    out: &'a Path,
    prefix: &'static str,
    per_file: usize,
    text: String,
    in_file: usize,
    /// Objects written so far.
    pub objects: usize,
    /// Files written so far.
    pub files: usize,
    /// In JSON mode, every object so far.
    items: Option<Vec<serde_json::Value>>,
}

impl<'a> Packer<'a> {
    /// Files of `per_file` YAML documents named `<prefix>-NNNNN.yaml` under `out`.
    pub fn yaml(out: &'a Path, prefix: &'static str, per_file: usize) -> Self {
        Packer {
            out,
            prefix,
            per_file,
            text: String::new(),
            in_file: 0,
            objects: 0,
            files: 0,
            items: None,
        }
    }

    /// One `cluster.json` List under `out`.
    pub fn json(out: &'a Path) -> Self {
        Packer {
            items: Some(Vec::new()),
            ..Packer::yaml(out, "cluster", usize::MAX)
        }
    }

    /// Adds one YAML document.
    pub fn push(&mut self, doc: &str) -> anyhow::Result<()> {
        self.objects += 1;
        if let Some(items) = &mut self.items {
            let parsed = palisade_core::document::parse_stream(doc);
            let root = parsed
                .documents
                .first()
                .context("generated document does not parse")?;
            items.push(root.root.to_json());
            return Ok(());
        }
        if self.in_file > 0 {
            self.text.push_str("---\n");
        }
        self.text.push_str(doc);
        self.in_file += 1;
        if self.in_file >= self.per_file {
            self.flush()?;
        }
        Ok(())
    }

    /// Writes what is buffered.
    pub fn flush(&mut self) -> anyhow::Result<()> {
        let (path, text) = if let Some(items) = self.items.take() {
            let list = serde_json::json!({"apiVersion": "v1", "kind": "List", "items": items});
            (
                self.out.join("cluster.json"),
                serde_json::to_string_pretty(&list)?,
            )
        } else if self.in_file > 0 {
            let name = format!("{}-{:05}.yaml", self.prefix, self.files);
            (self.out.join(name), std::mem::take(&mut self.text))
        } else {
            return Ok(());
        };
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
        self.in_file = 0;
        self.files += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_manifests_load_without_diagnostics_and_match_the_count() {
        let dir = std::env::temp_dir().join(format!("palisade-gen-test-{}", std::process::id()));
        let (objects, files) = generate(200, &dir, DEFAULT_SEED).unwrap();
        assert!(
            objects >= 200 && files >= 15,
            "{objects} objects, {files} files"
        );
        let mut loaded = 0;
        for ns in std::fs::read_dir(&dir).unwrap() {
            for file in std::fs::read_dir(ns.unwrap().path()).unwrap() {
                let path = file.unwrap().path();
                let name: std::sync::Arc<str> = path.display().to_string().into();
                let l = palisade_core::load::load_bytes(&name, &std::fs::read(&path).unwrap());
                assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
                assert_eq!(l.skipped, 0);
                loaded += l.objects.len();
            }
        }
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(loaded, objects);
    }

    #[test]
    fn same_seed_gives_same_output() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        assert!((0..100).all(|_| a.next_u64() == b.next_u64()));
    }
}
