//! `cargo xtask gen-paths`: writes a synthetic cluster for the attack-path benchmark — pods,
//! service accounts, bindings, nodes, exposed Services, NetworkPolicies and Secrets at the
//! scale the issue names (30,000 pods, 3,000 service accounts, 20,000 bindings, 500 nodes).
//!
//! The output depends only on the sizes and the seed. Most grants are harmless; a few are the
//! dangerous kinds the graph follows (pod creation, exec, secrets, bind, `nodes/proxy`,
//! wildcards), a few pods escape to their node, some Services are exposed, and every other
//! namespace is segmented by NetworkPolicies, so every kind of edge occurs.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context;

use crate::generate::{Packer, Rng};

/// Documents per file.
const PER_FILE: usize = 200;

/// Sizes of a generated cluster.
pub struct PathSizes {
    /// Pods.
    pub pods: usize,
    /// Service accounts.
    pub service_accounts: usize,
    /// RoleBindings plus ClusterRoleBindings.
    pub bindings: usize,
    /// Nodes.
    pub nodes: usize,
    /// Namespaces.
    pub namespaces: usize,
}

impl Default for PathSizes {
    fn default() -> Self {
        PathSizes {
            pods: 30_000,
            service_accounts: 3_000,
            bindings: 20_000,
            nodes: 500,
            namespaces: 300,
        }
    }
}

/// ClusterRoles: (name, rules as YAML flow sequences), the dangerous ones first.
const CLUSTER_ROLES: &[(&str, &str)] = &[
    (
        "everything",
        "- {apiGroups: ['*'], resources: ['*'], verbs: ['*']}",
    ),
    (
        "role-binder",
        "- {apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind]}\n\
         - {apiGroups: [rbac.authorization.k8s.io], resources: [clusterrolebindings], verbs: [create]}",
    ),
    (
        "kubelet-proxy",
        "- {apiGroups: [''], resources: [nodes/proxy], verbs: [get]}",
    ),
    (
        "deployer",
        "- {apiGroups: [apps], resources: [deployments], verbs: [create, patch, get, list]}\n\
         - {apiGroups: [''], resources: [pods], verbs: [create, get, list]}",
    ),
    (
        "secret-reader",
        "- {apiGroups: [''], resources: [secrets], verbs: [get, list]}",
    ),
    (
        "debugger",
        "- {apiGroups: [''], resources: [pods/exec], verbs: [get, create]}",
    ),
];

/// Harmless ClusterRoles written besides the dangerous ones.
const HARMLESS_ROLES: usize = 40;

fn name(prefix: &str, i: usize) -> String {
    format!("{prefix}-{i:05}")
}

/// Writes the cluster under `out`; returns (objects, files).
#[allow(clippy::too_many_lines)]
pub fn generate_paths(sizes: &PathSizes, out: &Path, seed: u64) -> anyhow::Result<(usize, usize)> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let mut rng = Rng::new(seed);
    let mut p = Packer::yaml(out, "cluster", PER_FILE);
    let namespaces = sizes.namespaces.max(1);
    let per_ns = (sizes.service_accounts / namespaces).max(1);
    for n in 0..namespaces {
        let enforce = if n % 5 == 0 {
            String::new()
        } else {
            "\n  labels: {pod-security.kubernetes.io/enforce: baseline}".to_string()
        };
        p.push(&format!(
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {}{enforce}\n",
            name("ns", n)
        ))?;
        for s in 0..per_ns {
            p.push(&format!(
                "apiVersion: v1\nkind: ServiceAccount\nmetadata: {{name: {}, namespace: {}}}\n",
                name("sa", s),
                name("ns", n)
            ))?;
        }
        p.push(&format!(
            "apiVersion: v1\nkind: Secret\nmetadata: {{name: db, namespace: {}}}\ntype: Opaque\n",
            name("ns", n)
        ))?;
        if n % 2 == 1 {
            p.push(&format!(
                "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n\
                 metadata: {{name: same-namespace, namespace: {}}}\n\
                 spec:\n  podSelector: {{}}\n  policyTypes: [Ingress]\n  ingress:\n  - from: [{{podSelector: {{}}}}]\n",
                name("ns", n)
            ))?;
        }
    }
    for n in 0..sizes.nodes {
        p.push(&format!(
            "apiVersion: v1\nkind: Node\nmetadata: {{name: {}}}\n",
            name("node", n)
        ))?;
    }
    for (role, rules) in CLUSTER_ROLES {
        p.push(&format!(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {{name: {role}}}\nrules:\n{rules}\n"
        ))?;
    }
    for r in 0..HARMLESS_ROLES {
        p.push(&format!(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {{name: {}}}\n\
             rules:\n- {{apiGroups: [''], resources: [configmaps, pods, services], verbs: [get, list, watch]}}\n",
            name("reader", r)
        ))?;
    }
    let cluster_bindings = (sizes.bindings / 60).max(6);
    for b in 0..sizes.bindings {
        let cluster = b < cluster_bindings;
        let ns = rng.below(namespaces as u64) as usize;
        let subject = match rng.below(10) {
            0..=6 => format!(
                "{{kind: ServiceAccount, name: {}, namespace: {}}}",
                name("sa", rng.below(per_ns as u64) as usize),
                name("ns", ns)
            ),
            7 | 8 => format!(
                "{{kind: User, name: {}}}",
                name("user", rng.below(2_000) as usize)
            ),
            _ => format!(
                "{{kind: Group, name: {}}}",
                name("group", rng.below(200) as usize)
            ),
        };
        // A handful of cluster-wide grants are dangerous; namespaced ones are dangerous one
        // time in ten.
        let role = if cluster && b < 6 {
            CLUSTER_ROLES[b % 3].0.to_string()
        } else if !cluster && rng.chance(10) {
            CLUSTER_ROLES[3 + rng.below(3) as usize].0.to_string()
        } else {
            name("reader", rng.below(HARMLESS_ROLES as u64) as usize)
        };
        let mut doc = String::new();
        if cluster {
            let _ = write!(
                doc,
                "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {{name: {}}}\n",
                name("crb", b)
            );
        } else {
            let _ = write!(
                doc,
                "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {{name: {}, namespace: {}}}\n",
                name("rb", b),
                name("ns", ns)
            );
        }
        let _ = write!(
            doc,
            "roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: {role}}}\nsubjects:\n- {subject}\n"
        );
        p.push(&doc)?;
    }
    for s in 0..30.min(namespaces) {
        let ns = name("ns", (s * 7) % namespaces);
        p.push(&format!(
            "apiVersion: v1\nkind: Service\nmetadata: {{name: web, namespace: {ns}}}\n\
             spec:\n  type: LoadBalancer\n  selector: {{app: app-0}}\n  ports: [{{port: 443}}]\n"
        ))?;
    }
    for i in 0..sizes.pods {
        let ns = name("ns", i % namespaces);
        let sa = name("sa", rng.below(per_ns as u64) as usize);
        let app = (i / namespaces) % 50;
        let mut security = String::new();
        let mut volumes = String::new();
        if rng.chance(1) {
            if rng.chance(50) {
                security = "\n    securityContext: {privileged: true}".to_string();
            } else {
                volumes = "\n  volumes: [{name: host, hostPath: {path: /}}]".to_string();
            }
        }
        let automount = if rng.chance(30) {
            "\n  automountServiceAccountToken: false"
        } else {
            ""
        };
        p.push(&format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {}\n  namespace: {ns}\n  labels: {{app: app-{app}}}\n\
             spec:\n  nodeName: {}\n  serviceAccountName: {sa}{automount}\n  containers:\n  - name: main\n    image: registry.example/app-{app}:1.0{security}{volumes}\n",
            name("pod", i),
            name("node", i % sizes.nodes.max(1)),
        ))?;
    }
    p.flush()?;
    Ok((p.objects, p.files))
}
