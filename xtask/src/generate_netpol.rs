//! `cargo xtask gen-netpol`: writes a synthetic cluster of workloads and NetworkPolicies at
//! scale, for the NetworkPolicy benchmark.
//!
//! The output depends only on the sizes and the seed. The shape is that of a multi-team
//! cluster: every namespace is closed by a default-deny for both directions, then opened
//! tier by tier (web ← internet, api ← web, db ← api, by labels and named ports), for DNS to
//! the `dns` namespace, for scraping by the `monitoring` namespace, and between the api tiers of
//! namespaces in one group (namespace selector AND pod selector, with expressions). A few
//! namespaces reach external ranges through ipBlocks with exceptions. So the list is neither
//! empty nor all-to-all, and every part of the engine (selectors, named ports, ipBlocks,
//! cross-namespace peers) is exercised.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context;

use crate::generate::Rng;

/// Tiers of workloads, spread round-robin over each namespace's workloads.
const TIERS: &[&str] = &["web", "api", "db", "cache", "worker"];

/// How many namespaces share one group (api tiers of one group talk to each other).
const GROUP: usize = 10;

/// Sizes of a generated NetworkPolicy cluster.
pub struct NetpolSizes {
    /// Number of namespaces.
    pub namespaces: usize,
    /// Workloads (Deployments), in total.
    pub workloads: usize,
    /// NetworkPolicies, in total.
    pub policies: usize,
}

impl Default for NetpolSizes {
    fn default() -> Self {
        NetpolSizes {
            namespaces: 200,
            workloads: 5_000,
            policies: 2_000,
        }
    }
}

/// Spreads `total` over `parts` as evenly as possible: part `i` gets its share.
fn share(total: usize, parts: usize, i: usize) -> usize {
    total / parts + usize::from(i < total % parts)
}

fn namespace_name(ns: usize) -> String {
    match ns {
        0 => "monitoring".to_string(),
        1 => "dns".to_string(),
        _ => format!("team-{ns:04}"),
    }
}

fn namespace(ns: usize) -> String {
    let env = if ns.is_multiple_of(2) { "prod" } else { "dev" };
    format!(
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {}\n  labels:\n    env: {env}\n    group: g{}\n    role: {}\n",
        namespace_name(ns),
        ns / GROUP,
        match ns {
            0 => "monitoring",
            1 => "dns",
            _ => "team",
        }
    )
}

fn deployment(ns: &str, index: usize) -> String {
    let tier = TIERS[index % TIERS.len()];
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {tier}-{index}\n  namespace: {ns}\n\
         spec:\n  selector:\n    matchLabels:\n      app: {tier}-{index}\n  template:\n    metadata:\n      labels:\n        app: {tier}-{index}\n        tier: {tier}\n\
         \x20   spec:\n      containers:\n      - name: main\n        image: registry.example.com/{tier}:1.0\n        ports:\n        - name: http\n          containerPort: 8080\n        - name: metrics\n          containerPort: 9090\n        - name: dns\n          containerPort: 53\n          protocol: UDP\n"
    )
}

fn policy(ns: &str, name: &str, spec: &str) -> String {
    format!(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n{spec}"
    )
}

/// The policies of one namespace, most important first; the caller keeps as many as that
/// namespace's share.
fn policies(ns: usize, rng: &mut Rng) -> Vec<String> {
    let name = namespace_name(ns);
    let n = &name;
    let group = ns / GROUP;
    let mut out = vec![
        policy(
            n,
            "default-deny",
            "  podSelector: {}\n  policyTypes: [Ingress, Egress]\n",
        ),
        policy(
            n,
            "allow-dns",
            "  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n  - to:\n    - namespaceSelector:\n        matchLabels: {role: dns}\n    ports:\n    - {port: 53, protocol: UDP}\n    - {port: 53, protocol: TCP}\n",
        ),
        policy(
            n,
            "allow-scrape",
            "  podSelector: {}\n  policyTypes: [Ingress]\n  ingress:\n  - from:\n    - namespaceSelector:\n        matchLabels: {role: monitoring}\n    ports:\n    - {port: metrics}\n",
        ),
        policy(
            n,
            "web-from-internet",
            "  podSelector:\n    matchLabels: {tier: web}\n  ingress:\n  - from:\n    - ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8, 192.168.0.0/16]}\n    ports:\n    - {port: http}\n",
        ),
        policy(
            n,
            "api-from-web",
            "  podSelector:\n    matchLabels: {tier: api}\n  ingress:\n  - from:\n    - podSelector:\n        matchLabels: {tier: web}\n    ports:\n    - {port: http}\n",
        ),
        policy(
            n,
            "web-to-api",
            "  podSelector:\n    matchLabels: {tier: web}\n  policyTypes: [Egress]\n  egress:\n  - to:\n    - podSelector:\n        matchLabels: {tier: api}\n    ports:\n    - {port: 8080}\n",
        ),
        policy(
            n,
            "db-from-api",
            "  podSelector:\n    matchLabels: {tier: db}\n  ingress:\n  - from:\n    - podSelector:\n        matchExpressions:\n        - {key: tier, operator: In, values: [api, worker]}\n    ports:\n    - {port: 5432, endPort: 5439}\n",
        ),
        policy(
            n,
            "api-egress",
            "  podSelector:\n    matchExpressions:\n    - {key: tier, operator: In, values: [api, worker]}\n  policyTypes: [Egress]\n  egress:\n  - to:\n    - podSelector:\n        matchLabels: {tier: db}\n  - to:\n    - podSelector:\n        matchLabels: {tier: cache}\n    ports:\n    - {port: 6379}\n",
        ),
        policy(
            n,
            "api-within-group",
            &format!(
                "  podSelector:\n    matchLabels: {{tier: api}}\n  policyTypes: [Ingress, Egress]\n  ingress:\n  - from:\n    - namespaceSelector:\n        matchLabels: {{group: g{group}}}\n      podSelector:\n        matchLabels: {{tier: api}}\n    ports:\n    - {{port: http}}\n  egress:\n  - to:\n    - namespaceSelector:\n        matchExpressions:\n        - {{key: group, operator: In, values: [g{group}]}}\n      podSelector:\n        matchLabels: {{tier: api}}\n    ports:\n    - {{port: 8080}}\n"
            ),
        ),
        {
            let third = rng.below(250) + 1;
            policy(
                n,
                "worker-to-partners",
                &format!(
                    "  podSelector:\n    matchLabels: {{tier: worker}}\n  policyTypes: [Egress]\n  egress:\n  - to:\n    - ipBlock: {{cidr: 172.{third}.0.0/16, except: [172.{third}.1.0/24]}}\n    ports:\n    - {{port: 443}}\n"
                ),
            )
        },
    ];
    // The two service namespaces replace the partner policy with their own.
    if ns == 0 {
        out.pop();
        out.push(policy(
            n,
            "prometheus-scrapes-all",
            "  podSelector:\n    matchLabels: {tier: worker}\n  policyTypes: [Egress]\n  egress:\n  - to:\n    - namespaceSelector: {}\n    ports:\n    - {port: 9090}\n",
        ));
    }
    if ns == 1 {
        out.pop();
        out.push(policy(
            n,
            "dns-from-all",
            "  podSelector: {}\n  ingress:\n  - from:\n    - namespaceSelector: {}\n    ports:\n    - {port: 53, protocol: UDP}\n    - {port: 53, protocol: TCP}\n",
        ));
    }
    out
}

/// Writes the cluster under `out` as one file per namespace. Returns the number of objects
/// and files written.
pub fn generate_netpol(
    sizes: &NetpolSizes,
    out: &Path,
    seed: u64,
) -> anyhow::Result<(usize, usize)> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let mut rng = Rng::new(seed);
    let namespaces = sizes.namespaces.max(1);
    let mut objects = 0;
    for ns in 0..namespaces {
        let name = namespace_name(ns);
        let mut docs = vec![namespace(ns)];
        let workloads = share(sizes.workloads, namespaces, ns);
        docs.extend((0..workloads).map(|i| deployment(&name, i)));
        let mut pols = policies(ns, &mut rng);
        let wanted = share(sizes.policies, namespaces, ns);
        pols.truncate(wanted);
        // Beyond the standard set: one policy per workload, admitting its own tier.
        for extra in 0..wanted.saturating_sub(pols.len()) {
            let i = extra % workloads.max(1);
            let tier = TIERS[i % TIERS.len()];
            pols.push(policy(
                &name,
                &format!("extra-{extra}"),
                &format!(
                    "  podSelector:\n    matchLabels: {{app: {tier}-{i}}}\n  ingress:\n  - from:\n    - podSelector:\n        matchLabels: {{tier: {tier}}}\n"
                ),
            ));
        }
        docs.extend(pols);
        objects += docs.len();
        let mut text = String::new();
        for (i, d) in docs.iter().enumerate() {
            if i > 0 {
                text.push_str("---\n");
            }
            let _ = write!(text, "{d}");
        }
        let path = out.join(format!("{name}.yaml"));
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok((objects, namespaces))
}
