//! `cargo xtask gen-rbac`: writes synthetic RBAC objects at cluster scale for the RBAC benchmark.
//!
//! The output depends only on the sizes and the seed. Each namespace gets its share of Roles and
//! RoleBindings (mostly read-only or edit-like, some reading secrets, a few with wildcards, exec,
//! or escalate/bind), its ServiceAccounts and a Deployment per account pair; a fixed set of
//! ClusterRoles (some built by label aggregation) and ClusterRoleBindings sits on top. Subjects
//! mix users, groups and service accounts so every lookup path of the model is exercised.
//! Objects are packed into multi-document files of about fifty.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context;

use crate::generate::{Packer, Rng};

/// How many objects the generator puts in one file.
const PER_FILE: usize = 50;

/// How many ClusterRoles (besides the aggregated ones) and ClusterRoleBindings are written.
const CLUSTER_ROLES: usize = 200;
const CLUSTER_ROLE_BINDINGS: usize = 300;

/// Sizes of a generated RBAC tree.
pub struct RbacSizes {
    /// Number of namespaces.
    pub namespaces: usize,
    /// Roles plus RoleBindings, in total, about half of each.
    pub roles: usize,
    /// ServiceAccounts, in total.
    pub service_accounts: usize,
}

impl Default for RbacSizes {
    fn default() -> Self {
        RbacSizes {
            namespaces: 10_000,
            roles: 50_000,
            service_accounts: 20_000,
        }
    }
}

/// How the generated objects are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RbacFormat {
    /// Multi-document YAML files of about fifty objects.
    Yaml,
    /// One `cluster.json` holding a single `List` of every object, the shape of
    /// `kubectl get … -A -o json`.
    Json,
}

/// Rule sets a generated Role may carry, weighted towards the harmless ones as in real clusters.
const READ_ONLY: &str = "- apiGroups: [\"\"]
  resources: [pods, services, configmaps, endpoints]
  verbs: [get, list, watch]
- apiGroups: [apps]
  resources: [deployments, replicasets]
  verbs: [get, list, watch]
";
const EDIT_LIKE: &str = "- apiGroups: [\"\"]
  resources: [pods, services, configmaps, persistentvolumeclaims]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: [apps]
  resources: [deployments, statefulsets]
  verbs: [get, list, watch, create, update, patch, delete]
";
const SECRETS: &str = "- apiGroups: [\"\"]
  resources: [secrets]
  verbs: [get, list, watch]
";
const NAMED_SECRET: &str = "- apiGroups: [\"\"]
  resources: [secrets]
  resourceNames: [tls-cert]
  verbs: [get]
";
const WILDCARD: &str = "- apiGroups: [\"*\"]
  resources: [\"*\"]
  verbs: [\"*\"]
";
const EXEC: &str = "- apiGroups: [\"\"]
  resources: [pods/exec, pods/log]
  verbs: [get, create]
";
const ESCALATE: &str = "- apiGroups: [rbac.authorization.k8s.io]
  resources: [roles, rolebindings]
  verbs: [get, list, escalate, bind]
";

fn role_rules(rng: &mut Rng) -> (&'static str, String) {
    let roll = rng.below(100);
    let (kind, mut rules) = match roll {
        0..=44 => ("reader", READ_ONLY.to_string()),
        45..=79 => ("editor", EDIT_LIKE.to_string()),
        80..=89 => ("secrets", format!("{READ_ONLY}{SECRETS}")),
        90..=93 => ("cert-reader", format!("{READ_ONLY}{NAMED_SECRET}")),
        94..=96 => ("debugger", format!("{READ_ONLY}{EXEC}")),
        97..=98 => ("rbac-manager", ESCALATE.to_string()),
        _ => ("admin", WILDCARD.to_string()),
    };
    if rng.chance(10) {
        rules.push_str(EXEC);
    }
    (kind, rules)
}

/// A subject list: service accounts of the namespace, users, groups, sometimes a cross-namespace
/// service account.
fn subjects(rng: &mut Rng, ns: usize, sas_here: usize, namespaces: usize) -> String {
    let mut out = String::new();
    let count = 1 + rng.below(3);
    for _ in 0..count {
        match rng.below(10) {
            0..=4 if sas_here > 0 => {
                let _ = write!(
                    out,
                    "- kind: ServiceAccount\n  name: sa-{}\n  namespace: ns-{ns:05}\n",
                    rng.below(sas_here as u64)
                );
            }
            5 => {
                let other = rng.below(namespaces as u64);
                let _ = write!(
                    out,
                    "- kind: ServiceAccount\n  name: default\n  namespace: ns-{other:05}\n"
                );
            }
            6 | 7 => {
                let _ = write!(
                    out,
                    "- kind: User\n  apiGroup: rbac.authorization.k8s.io\n  name: user-{}@example.com\n",
                    rng.below(5_000)
                );
            }
            _ => {
                let _ = write!(
                    out,
                    "- kind: Group\n  apiGroup: rbac.authorization.k8s.io\n  name: team-{}\n",
                    rng.below(300)
                );
            }
        }
    }
    out
}

/// ClusterRoles shared by all namespaces: plain ones, aggregated ones whose rules come from
/// labelled parts, and the bindings that hand them out.
fn cluster_objects(
    p: &mut Packer,
    rng: &mut Rng,
    namespaces: usize,
) -> anyhow::Result<Vec<String>> {
    let mut names = Vec::with_capacity(CLUSTER_ROLES);
    for agg in 0..10 {
        p.push(&format!(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: aggregate-{agg}\n\
             aggregationRule:\n  clusterRoleSelectors:\n  - matchLabels:\n      bench.palisade.dev/aggregate-to: \"{agg}\"\nrules: []\n"
        ))?;
    }
    for i in 0..CLUSTER_ROLES {
        let (flavour, rules) = role_rules(rng);
        let label = if i % 4 == 0 {
            format!(
                "  labels:\n    bench.palisade.dev/aggregate-to: \"{}\"\n",
                rng.below(10)
            )
        } else {
            String::new()
        };
        let name = format!("cluster-{flavour}-{i}");
        p.push(&format!(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: {name}\n{label}rules:\n{rules}"
        ))?;
        names.push(name);
    }
    for i in 0..CLUSTER_ROLE_BINDINGS {
        let role = if i % 5 == 0 {
            format!("aggregate-{}", rng.below(10))
        } else {
            rng.pick(&names).clone()
        };
        let home = rng_ns(rng, namespaces);
        let subjects = subjects(rng, home, 2, namespaces);
        p.push(&format!(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: crb-{i}\n\
             roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: {role}\nsubjects:\n{subjects}"
        ))?;
    }
    Ok(names)
}

fn rng_ns(rng: &mut Rng, namespaces: usize) -> usize {
    rng.below(namespaces.max(1) as u64) as usize
}

/// Spreads `total` over `parts` as evenly as possible: part `i` gets its share.
fn share(total: usize, parts: usize, i: usize) -> usize {
    total / parts + usize::from(i < total % parts)
}

/// Writes the RBAC tree under `out` as `rbac-NNNNN.yaml` files. Returns the number of objects
/// and files written.
pub fn generate_rbac(sizes: &RbacSizes, out: &Path, seed: u64) -> anyhow::Result<(usize, usize)> {
    generate_rbac_as(sizes, out, seed, RbacFormat::Yaml)
}

/// [`generate_rbac`] in the given format; the objects are the same.
pub fn generate_rbac_as(
    sizes: &RbacSizes,
    out: &Path,
    seed: u64,
    format: RbacFormat,
) -> anyhow::Result<(usize, usize)> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let mut rng = Rng::new(seed);
    let mut p = match format {
        RbacFormat::Yaml => Packer::yaml(out, "rbac", PER_FILE),
        RbacFormat::Json => Packer::json(out),
    };
    let namespaces = sizes.namespaces.max(1);
    let cluster_roles = cluster_objects(&mut p, &mut rng, namespaces)?;
    let roles_total = sizes.roles.div_ceil(2);
    let bindings_total = sizes.roles / 2;
    for ns in 0..namespaces {
        let sas = share(sizes.service_accounts, namespaces, ns);
        for sa in 0..sas {
            p.push(&format!(
                "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa-{sa}\n  namespace: ns-{ns:05}\n"
            ))?;
        }
        let mut local_roles = Vec::new();
        for r in 0..share(roles_total, namespaces, ns) {
            let (flavour, rules) = role_rules(&mut rng);
            let name = format!("{flavour}-{r}");
            p.push(&format!(
                "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: {name}\n  namespace: ns-{ns:05}\nrules:\n{rules}"
            ))?;
            local_roles.push(name);
        }
        let bindings = share(bindings_total, namespaces, ns);
        for b in 0..bindings {
            let subjects = subjects(&mut rng, ns, sas, namespaces);
            // Most bindings grant a local Role; the rest reuse a ClusterRole inside the namespace.
            let role_ref = if !local_roles.is_empty() && rng.chance(80) {
                format!("kind: Role\n  name: {}", rng.pick(&local_roles))
            } else {
                format!("kind: ClusterRole\n  name: {}", rng.pick(&cluster_roles))
            };
            p.push(&format!(
                "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: binding-{b}\n  namespace: ns-{ns:05}\n\
                 roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  {role_ref}\nsubjects:\n{subjects}"
            ))?;
        }
        for d in 0..sas.div_ceil(2) {
            p.push(&deployment(ns, d, d * 2))?;
        }
    }
    p.flush()?;
    Ok((p.objects, p.files))
}

fn deployment(ns: usize, index: usize, sa: usize) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{index}\n  namespace: ns-{ns:05}\n\
         spec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: app-{index}\n  template:\n    metadata:\n      labels:\n        app: app-{index}\n\
         \x20   spec:\n      serviceAccountName: sa-{sa}\n      containers:\n      - name: main\n        image: registry.example.com/app-{index}:1.0\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small(tag: &str) -> (std::path::PathBuf, usize, usize) {
        let dir =
            std::env::temp_dir().join(format!("palisade-gen-rbac-{tag}-{}", std::process::id()));
        let sizes = RbacSizes {
            namespaces: 20,
            roles: 100,
            service_accounts: 40,
        };
        let (objects, files) = generate_rbac(&sizes, &dir, crate::generate::DEFAULT_SEED).unwrap();
        (dir, objects, files)
    }

    #[test]
    fn generated_rbac_loads_cleanly_and_is_deterministic() {
        let (a, objects, files) = small("a");
        let (b, _, _) = small("b");
        let mut loaded = 0;
        let mut kinds = std::collections::BTreeSet::new();
        for i in 0..files {
            let path = a.join(format!("rbac-{i:05}.yaml"));
            let bytes = std::fs::read(&path).unwrap();
            assert_eq!(
                bytes,
                std::fs::read(b.join(format!("rbac-{i:05}.yaml"))).unwrap()
            );
            let name: std::sync::Arc<str> = path.display().to_string().into();
            let l = palisade_core::load::load_bytes(&name, &bytes);
            assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
            loaded += l.objects.len();
            kinds.extend(l.objects.iter().map(|o| o.kind.clone()));
        }
        std::fs::remove_dir_all(&a).unwrap();
        std::fs::remove_dir_all(&b).unwrap();
        assert_eq!(loaded, objects);
        for kind in [
            "Role",
            "RoleBinding",
            "ClusterRole",
            "ClusterRoleBinding",
            "ServiceAccount",
            "Deployment",
        ] {
            assert!(kinds.iter().any(|k| k.to_string() == kind), "no {kind}");
        }
    }
}
