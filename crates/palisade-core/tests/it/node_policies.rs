//! Section 5 of the node benchmark answered from cluster dumps (the fixtures beside this file),
//! and the ids and titles Palisade emits pinned per benchmark release.

use std::path::Path;
use std::sync::Arc;

use palisade_core::inventory::Inventory;
use palisade_core::load::load_text;
use palisade_core::node::cis::{
    Benchmark, CATALOG, CheckResult, NodeReport, Options, Status, Target, evaluate,
};
use palisade_core::node::policies;
use palisade_core::node::snapshot::Snapshot;
use palisade_core::pss::namespaces::ClusterDefaults;

fn dump(name: &str) -> Inventory {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/it/node_policies")
        .join(name);
    let text = std::fs::read_to_string(&path).expect("fixture");
    let file: Arc<str> = Arc::from(name);
    Inventory::new(load_text(&file, &text).objects)
}

fn policies_of(name: &str, benchmark: Benchmark) -> NodeReport {
    evaluate(
        &Snapshot::new("/", false),
        Some(&dump(name)),
        &Options {
            benchmark: Some(benchmark),
            targets: Some(vec![Target::Policies]),
        },
    )
}

fn check<'r>(report: &'r NodeReport, id: &str) -> &'r CheckResult {
    report
        .checks
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("{id} missing from the report"))
}

#[track_caller]
fn expect(report: &NodeReport, id: &str, status: Status) {
    let c = check(report, id);
    assert_eq!(c.status, status, "{id} {}: {}", c.title, c.actual);
}

#[test]
fn a_hardened_dump_passes_what_a_dump_can_settle() {
    let report = policies_of("hardened.yaml", Benchmark::Cis112);
    for id in [
        "5.1.5", "5.1.6", "5.2.1", "5.2.2", "5.2.3", "5.2.4", "5.2.5", "5.2.6", "5.2.7", "5.2.8",
        "5.2.9", "5.2.10", "5.2.11", "5.2.12", "5.3.2", "5.4.1", "5.6.1", "5.6.2", "5.6.3",
        "5.6.4",
    ] {
        expect(&report, id, Status::Pass);
    }
    assert!(
        check(&report, "5.2.2")
            .actual
            .contains("enforces baseline or stricter")
    );
    // Who is in system:masters is in client certificates, never in a dump.
    expect(&report, "5.1.7", Status::Warn);
}

#[test]
fn a_loose_dump_fails_on_unambiguous_evidence() {
    let report = policies_of("loose.yaml", Benchmark::Cis112);
    for id in [
        "5.2.2", "5.2.3", "5.2.4", "5.2.5", "5.2.6", "5.2.7", "5.2.8", "5.2.10", "5.2.11",
        "5.2.12", "5.6.3", "5.6.4",
    ] {
        expect(&report, id, Status::Fail);
    }
    // Whether a workload needs its token or its capabilities is the application's to say, and
    // a policy engine may guard the namespace: these stay WARN.
    for id in ["5.1.6", "5.1.7", "5.2.1", "5.2.9", "5.6.1"] {
        expect(&report, id, Status::Warn);
    }
    let privileged = check(&report, "5.2.2");
    assert_eq!(
        privileged.actual,
        "Deployment shop/agent: privileged (container \"agent\" must not set \
         securityContext.privileged=true)"
    );
    // The source is the offending field's line, not the object's.
    let source = privileged.source.as_ref().expect("source");
    assert_eq!(
        (source.file.as_str(), source.line),
        ("loose.yaml", Some(36))
    );
    assert_eq!(
        check(&report, "5.2.3").source.as_ref().unwrap().line,
        Some(20)
    );
    assert!(check(&report, "5.2.7").actual.contains("runAsUser=0"));
    assert!(
        check(&report, "5.2.8")
            .actual
            .contains("container \"agent\" is granted NET_RAW")
    );
    assert!(
        check(&report, "5.6.3")
            .actual
            .starts_with("Pod default/debug container \"shell\" has no securityContext")
    );
    assert!(
        check(&report, "5.2.1")
            .actual
            .starts_with("namespaces default, shop")
    );
    assert!(
        check(&report, "5.1.6")
            .actual
            .contains("mounts the token of ServiceAccount shop/default, which no binding grants")
    );

    // v1.10 numbers the same findings its own way and still has "added capabilities".
    let old = policies_of("loose.yaml", Benchmark::Cis110);
    expect(&old, "5.2.9", Status::Fail);
    assert!(check(&old, "5.2.9").actual.contains("SYS_ADMIN"));
    expect(&old, "5.2.10", Status::Warn);
    for id in ["5.2.11", "5.2.12", "5.2.13", "5.7.3", "5.7.4"] {
        expect(&old, id, Status::Fail);
    }
    expect(&old, "5.7.1", Status::Warn);
    assert!(old.checks.iter().all(|c| !c.id.starts_with("5.6.")));
}

#[test]
fn workloads_refused_by_the_enforce_label_are_not_admitted() {
    let report = policies_of("refused.yaml", Benchmark::Cis112);
    let privileged = check(&report, "5.2.2");
    assert_eq!(privileged.status, Status::Pass, "{}", privileged.actual);
    assert!(
        privileged
            .actual
            .contains("1 workload(s) asking for it are refused")
    );
    expect(&report, "5.2.1", Status::Pass);
    expect(&report, "5.2.3", Status::Pass);
    // Baseline does not refuse root or kept capabilities; the admitted api keeps NET_RAW
    // under containerd's defaults, which needs a person.
    let root = check(&report, "5.2.7");
    assert_eq!(root.status, Status::Warn, "{}", root.actual);
    assert!(root.actual.contains("ops (enforce baseline:latest)"));
    let net_raw = check(&report, "5.2.8");
    assert_eq!(net_raw.status, Status::Warn, "{}", net_raw.actual);
    assert!(
        net_raw
            .actual
            .starts_with("may admit containers with NET_RAW")
    );
}

#[test]
fn workloads_only_in_default_have_no_boundary() {
    let report = policies_of("only-default.yaml", Benchmark::Cis111);
    expect(&report, "5.6.1", Status::Fail);
    let masters = check(&report, "5.1.7");
    assert_eq!(masters.status, Status::Warn);
    assert!(
        masters
            .actual
            .contains("bindings naming the group: ClusterRoleBinding ops-are-masters")
    );
    // The default ServiceAccount is bound to a role, so its token has a use of its own.
    let tokens = check(&report, "5.1.6");
    assert_eq!(tokens.status, Status::Warn);
    assert!(
        tokens
            .actual
            .ends_with("mounts the token of ServiceAccount default/default")
    );
    // v1.11 still has 5.2.9 "added capabilities" and 5.2.13 host ports.
    expect(&report, "5.2.13", Status::Warn);
    expect(&report, "5.2.9", Status::Warn);
}

#[test]
fn without_a_dump_every_policy_item_asks_for_one() {
    for benchmark in [Benchmark::Cis110, Benchmark::Cis111, Benchmark::Cis112] {
        let results = policies::evaluate(None, benchmark, &ClusterDefaults::default());
        assert_eq!(results.len(), policies::items(benchmark).len());
        assert!(results.iter().all(|c| c.status == Status::Warn));
    }
}

/// Ids and what each recommendation is about, per release, as the benchmark numbers them; the
/// word or flag must appear in Palisade's title.
const PINNED: &[(Benchmark, &str, &str)] = &[
    (
        Benchmark::Cis112,
        "1.1.1",
        "API server pod specification file permissions",
    ),
    (
        Benchmark::Cis112,
        "1.1.12",
        "etcd data directory is owned by etcd:etcd",
    ),
    (Benchmark::Cis112, "1.1.13", "admin.conf"),
    (Benchmark::Cis112, "1.1.21", "PKI key files"),
    (Benchmark::Cis112, "1.2.1", "--anonymous-auth"),
    (Benchmark::Cis112, "1.2.3", "DenyServiceExternalIPs"),
    (Benchmark::Cis112, "1.2.9", "EventRateLimit"),
    (Benchmark::Cis112, "1.2.14", "NodeRestriction"),
    (Benchmark::Cis112, "1.2.29", "strong cryptographic ciphers"),
    (
        Benchmark::Cis112,
        "1.2.30",
        "--service-account-extend-token-expiration",
    ),
    (Benchmark::Cis112, "1.3.1", "--terminated-pod-gc-threshold"),
    (Benchmark::Cis112, "1.3.6", "RotateKubeletServerCertificate"),
    (Benchmark::Cis112, "1.4.2", "Scheduler --bind-address"),
    (Benchmark::Cis112, "2.1", "--cert-file and --key-file"),
    (Benchmark::Cis112, "2.7", "certificate authority of its own"),
    (
        Benchmark::Cis112,
        "3.1.1",
        "Client certificate authentication",
    ),
    (Benchmark::Cis112, "3.2.2", "audit policy covers"),
    (Benchmark::Cis112, "4.1.3", "proxy kubeconfig"),
    (Benchmark::Cis112, "4.1.9", "kubelet config file"),
    (Benchmark::Cis112, "4.2.4", "read-only port"),
    (Benchmark::Cis112, "4.2.13", "pod PIDs"),
    (Benchmark::Cis112, "4.2.14", "seccompDefault"),
    (Benchmark::Cis112, "4.3.1", "kube-proxy metrics"),
    (Benchmark::Cis112, "5.1.6", "Service account tokens"),
    (Benchmark::Cis112, "5.1.7", "system:masters"),
    (Benchmark::Cis112, "5.2.1", "policy control mechanism"),
    (Benchmark::Cis112, "5.2.8", "NET_RAW"),
    (Benchmark::Cis112, "5.2.9", "capabilities assigned"),
    (Benchmark::Cis112, "5.2.10", "Windows HostProcess"),
    (Benchmark::Cis112, "5.2.11", "HostPath"),
    (Benchmark::Cis112, "5.2.12", "host ports"),
    (Benchmark::Cis112, "5.3.2", "NetworkPolicies"),
    (Benchmark::Cis112, "5.4.1", "Secrets are used as files"),
    (Benchmark::Cis112, "5.6.1", "administrative boundaries"),
    (Benchmark::Cis112, "5.6.2", "seccomp profile"),
    (Benchmark::Cis112, "5.6.3", "security context"),
    (Benchmark::Cis112, "5.6.4", "default namespace"),
    (
        Benchmark::Cis111,
        "1.2.30",
        "--service-account-extend-token-expiration",
    ),
    (Benchmark::Cis111, "2.3", "--auto-tls"),
    (Benchmark::Cis111, "3.2.1", "minimal audit policy"),
    (Benchmark::Cis111, "4.2.14", "seccompDefault"),
    (Benchmark::Cis111, "4.2.15", "IPAddressDeny"),
    (Benchmark::Cis111, "5.2.9", "added capabilities"),
    (Benchmark::Cis111, "5.2.10", "capabilities assigned"),
    (Benchmark::Cis111, "5.2.11", "Windows HostProcess"),
    (Benchmark::Cis111, "5.2.13", "host ports"),
    (Benchmark::Cis111, "5.6.1", "administrative boundaries"),
    (Benchmark::Cis111, "5.6.4", "default namespace"),
    (Benchmark::Cis110, "1.1.19", "PKI directory"),
    (Benchmark::Cis110, "1.2.29", "strong cryptographic ciphers"),
    (Benchmark::Cis110, "2.6", "--peer-auto-tls"),
    (Benchmark::Cis110, "4.2.10", "certificate rotation"),
    (Benchmark::Cis110, "4.2.13", "pod PIDs"),
    (Benchmark::Cis110, "5.2.9", "added capabilities"),
    (Benchmark::Cis110, "5.2.12", "HostPath"),
    (Benchmark::Cis110, "5.2.13", "host ports"),
    (Benchmark::Cis110, "5.7.1", "administrative boundaries"),
    (Benchmark::Cis110, "5.7.2", "seccomp profile"),
    (Benchmark::Cis110, "5.7.3", "security context"),
    (Benchmark::Cis110, "5.7.4", "default namespace"),
];

/// Ids that a release does not have.
const ABSENT: &[(Benchmark, &str)] = &[
    (Benchmark::Cis110, "1.2.30"),
    (Benchmark::Cis110, "4.2.14"),
    (Benchmark::Cis110, "4.2.15"),
    (Benchmark::Cis110, "5.6.1"),
    (Benchmark::Cis111, "5.7.1"),
    (Benchmark::Cis112, "4.2.15"),
    (Benchmark::Cis112, "5.2.13"),
    (Benchmark::Cis112, "5.7.4"),
];

fn emitted(benchmark: Benchmark) -> Vec<(&'static str, &'static str)> {
    let mut out: Vec<(&str, &str)> = CATALOG
        .iter()
        .filter(|def| def.scored_in(benchmark).is_some())
        .map(|def| (def.id, def.title))
        .collect();
    out.extend(policies::items(benchmark));
    out
}

#[test]
fn ids_and_titles_match_each_benchmark_release() {
    for &(benchmark, id, about) in PINNED {
        let items = emitted(benchmark);
        let title = items
            .iter()
            .find(|(i, _)| *i == id)
            .unwrap_or_else(|| panic!("{benchmark}: {id} is not emitted"))
            .1;
        assert!(
            title.to_lowercase().contains(&about.to_lowercase()),
            "{benchmark} {id}: {title:?} is not about {about:?}"
        );
    }
    for &(benchmark, id) in ABSENT {
        assert!(
            emitted(benchmark).iter().all(|(i, _)| *i != id),
            "{benchmark} has no {id}"
        );
    }
    for benchmark in [Benchmark::Cis110, Benchmark::Cis111, Benchmark::Cis112] {
        let mut ids: Vec<&str> = emitted(benchmark).iter().map(|(i, _)| *i).collect();
        let count = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), count, "{benchmark}: an id is emitted twice");
    }
}

#[test]
fn docs_list_every_policy_item_with_its_ids() {
    let docs =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/node.md"))
            .expect("docs/node.md");
    let id_in = |benchmark: Benchmark, title: &str| {
        policies::items(benchmark)
            .into_iter()
            .find(|(_, t)| *t == title)
            .map_or("—", |(id, _)| id)
    };
    for (_, title) in policies::items(Benchmark::Cis110)
        .into_iter()
        .chain(policies::items(Benchmark::Cis112))
    {
        let row = format!(
            "| {} | {} | {} | {title} |",
            id_in(Benchmark::Cis110, title),
            id_in(Benchmark::Cis111, title),
            id_in(Benchmark::Cis112, title)
        );
        assert!(docs.contains(&row), "docs/node.md lacks the row {row}");
    }
}

#[test]
fn a_token_granted_in_another_namespace_has_a_use_of_its_own() {
    let report = policies_of("granted-elsewhere.yaml", Benchmark::Cis112);
    let tokens = check(&report, "5.1.6");
    assert_eq!(tokens.status, Status::Warn);
    assert!(
        tokens
            .actual
            .ends_with("mounts the token of ServiceAccount shop/web"),
        "{}",
        tokens.actual
    );
}
