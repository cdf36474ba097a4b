//! `palisade netpol`: list, eval and diff on manifests given on standard input or in files.

use std::fs;

use crate::{palisade, palisade_with_stdin};

const APP: &str = "\
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: shop}
spec:
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: c}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress: [{from: [{podSelector: {matchLabels: {app: web}}}], ports: [{port: 5432}]}]
";

#[test]
fn list_writes_reference_style_lines() {
    let run = palisade_with_stdin(&["netpol", "list", "-"], Some(APP));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "0.0.0.0-255.255.255.255[External] => shop/web[Deployment] : All Connections\n\
         shop/db[Deployment] => 0.0.0.0-255.255.255.255[External] : All Connections\n\
         shop/db[Deployment] => shop/web[Deployment] : All Connections\n\
         shop/web[Deployment] => 0.0.0.0-255.255.255.255[External] : All Connections\n\
         shop/web[Deployment] => shop/db[Deployment] : TCP 5432\n"
    );
}

#[test]
fn list_json_has_schema_and_assumptions() {
    let run = palisade_with_stdin(&["netpol", "list", "-", "--format", "json"], Some(APP));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    assert_eq!(doc["schema"], "palisade.netpol.list/v1");
    assert!(!doc["assumptions"].as_array().unwrap().is_empty());
    assert_eq!(doc["connections"].as_array().unwrap().len(), 5);
}

#[test]
fn eval_exits_zero_when_allowed_and_one_when_denied() {
    let allowed = palisade_with_stdin(
        &[
            "netpol", "eval", "-", "--src", "shop/web", "--dst", "shop/db", "--port", "5432",
        ],
        Some(APP),
    );
    assert_eq!(allowed.code, 0, "{}{}", allowed.stdout, allowed.stderr);
    let denied = palisade_with_stdin(
        &[
            "netpol", "eval", "-", "--src", "8.8.8.8", "--dst", "shop/db",
        ],
        Some(APP),
    );
    assert_eq!(denied.code, 1, "{}{}", denied.stdout, denied.stderr);
    assert!(denied.stdout.starts_with("denied"));
    let unknown = palisade_with_stdin(
        &["netpol", "eval", "-", "--src", "nope", "--dst", "shop/db"],
        Some(APP),
    );
    assert_eq!(unknown.code, 2);
}

#[test]
fn invalid_policies_are_an_error_not_a_result() {
    let bad = APP.replace("port: 5432", "port: 5432, protocol: ICMP");
    let run = palisade_with_stdin(&["netpol", "list", "-"], Some(&bad));
    assert_eq!(run.code, 2);
    assert!(run.stdout.is_empty());
    assert!(
        run.stderr.contains("unknown protocol `ICMP`"),
        "{}",
        run.stderr
    );
}

#[test]
fn diff_reports_changes_and_fails_on_change_when_asked() {
    let dir = std::env::temp_dir().join(format!("palisade-netpol-diff-{}", std::process::id()));
    let (before, after) = (dir.join("before"), dir.join("after"));
    fs::create_dir_all(&before).unwrap();
    fs::create_dir_all(&after).unwrap();
    fs::write(before.join("app.yaml"), APP).unwrap();
    fs::write(
        after.join("app.yaml"),
        APP.replace("[{port: 5432}]", "[{port: 5432}, {port: 5433}]"),
    )
    .unwrap();
    let (b, a) = (before.to_str().unwrap(), after.to_str().unwrap());
    let run = palisade(&["netpol", "diff", b, a, "--fail-on-change"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "Connectivity diff:\ndiff-type: changed, source: shop/web[Deployment], destination: shop/db[Deployment], ref1: TCP 5432, ref2: TCP 5432-5433\n"
    );
    let same = palisade(&["netpol", "diff", b, b, "--fail-on-change"]);
    assert_eq!(same.code, 0, "{}", same.stderr);
    fs::remove_dir_all(&dir).ok();
}

#[test]
fn explain_names_rules_and_the_blocking_side() {
    let run = palisade_with_stdin(
        &[
            "netpol", "explain", "-", "--src", "8.8.8.8", "--dst", "shop/db",
        ],
        Some(APP),
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("All Connections: NetworkPolicy 'shop/db' selects shop/db[Deployment], but 0.0.0.0-255.255.255.255[External] is not allowed by any Ingress rule"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.ends_with("blocked by: ingress\n"),
        "{}",
        run.stdout
    );
    // On one port, only the reasons that decided that port.
    let on_port = palisade_with_stdin(
        &[
            "netpol", "explain", "-", "--src", "shop/web", "--dst", "shop/db", "--port", "5432",
        ],
        Some(APP),
    );
    assert_eq!(on_port.code, 0, "{}{}", on_port.stdout, on_port.stderr);
    assert!(
        on_port.stdout.contains(
            "  - TCP 5432: NetworkPolicy 'shop/db' allows connections by Ingress rule #1\n"
        ),
        "{}",
        on_port.stdout
    );
    assert!(
        !on_port.stdout.contains("do not match"),
        "{}",
        on_port.stdout
    );
}

#[test]
fn list_exposure_and_dot() {
    let run = palisade_with_stdin(&["netpol", "list", "-", "--exposure"], Some(APP));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("Exposure Analysis Result:"),
        "{}",
        run.stdout
    );
    let squeezed: Vec<String> = run
        .stdout
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    assert!(
        squeezed.contains(&"shop/web[Deployment] <= entire-cluster : All Connections".to_string()),
        "{}",
        run.stdout
    );
    assert!(
        squeezed.contains(&"shop/db[Deployment] is not protected on Egress".to_string()),
        "{}",
        run.stdout
    );
    let dot = palisade_with_stdin(&["netpol", "list", "-", "-f", "dot"], Some(APP));
    assert_eq!(dot.code, 0, "{}", dot.stderr);
    assert!(
        dot.stdout
            .contains("\"shop/web[Deployment]\" -> \"shop/db[Deployment]\" [label=\"TCP 5432\"]"),
        "{}",
        dot.stdout
    );
}

#[test]
fn list_exposure_in_csv_md_and_dot() {
    let run = |format: &str, extra: &[&str]| {
        let mut args = vec!["netpol", "list", "-", "-f", format, "--exposure"];
        args.extend_from_slice(extra);
        let run = palisade_with_stdin(&args, Some(APP));
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.stdout
    };
    let csv = run("csv", &[]);
    assert!(
        csv.contains(
            "Exposure Analysis Result:,,\nEgress Exposure:,,\nsrc,dst,conn\n\
             shop/db[Deployment],0.0.0.0-255.255.255.255[External],All Connections\n"
        ),
        "{csv}"
    );
    assert!(csv.contains("Ingress Exposure:,,\ndst,src,conn\n"), "{csv}");
    assert!(
        csv.contains("shop/web[Deployment],entire-cluster,All Connections\n"),
        "{csv}"
    );
    let md = run("md", &["--port", "5432"]);
    assert!(md.starts_with("| src | dst |\n"), "{md}");
    assert!(
        md.contains(
            "## Exposure Analysis Result On TCP 5432:\n### Egress Exposure:\n| src | dst |\n"
        ),
        "{md}"
    );
    assert!(
        md.contains("### Ingress Exposure:\n| dst | src |\n"),
        "{md}"
    );
    let dot = run("dot", &["--focus-workload", "shop/web"]);
    assert!(
        dot.contains("\"entire-cluster\" -> \"shop/web[Deployment]\" [label=\"All Connections\" color=darkorange style=dashed]"),
        "{dot}"
    );
    assert!(dot.contains("\"entire-cluster\" [shape=diamond"), "{dot}");
    // The external range is both a connection and exposure: one edge.
    assert_eq!(
        dot.matches("\"shop/web[Deployment]\" -> \"0.0.0.0-255.255.255.255[External]\"")
            .count(),
        1,
        "{dot}"
    );
}

#[test]
fn list_explain_with_exposure() {
    let run = palisade_with_stdin(
        &["netpol", "list", "-", "--explain", "--exposure"],
        Some(APP),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = &run.stdout;
    let explained = out
        .find("Connections between shop/web[Deployment] => shop/db[Deployment]:")
        .expect(out);
    let exposure = out.find("Exposure Analysis Result:").expect(out);
    let assumptions = out.find("Assumptions:").expect(out);
    assert!(explained < exposure && exposure < assumptions, "{out}");
    assert!(
        out.contains("shop/db[Deployment] is not protected on Egress"),
        "{out}"
    );
}

#[test]
fn ipv6_ip_blocks_are_listed_and_evaluated() {
    let manifests = format!(
        "{APP}---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: web-out, namespace: shop}}
spec:
  podSelector: {{matchLabels: {{app: web}}}}
  policyTypes: [Egress]
  egress: [{{to: [{{ipBlock: {{cidr: '2001:db8::/32', except: ['2001:db8:1::/48']}}}}]}}]
"
    );
    let list = palisade_with_stdin(&["netpol", "list", "-"], Some(&manifests));
    assert_eq!(list.code, 0, "{}", list.stderr);
    assert!(
        list.stdout.contains(
            "shop/web[Deployment] => 2001:db8::-2001:db8:0:ffff:ffff:ffff:ffff:ffff[External] : All Connections"
        ),
        "{}",
        list.stdout
    );
    let eval = |dst: &str| {
        palisade_with_stdin(
            &["netpol", "eval", "-", "--src", "shop/web", "--dst", dst],
            Some(&manifests),
        )
        .code
    };
    assert_eq!(eval("2001:db8::5"), 0);
    assert_eq!(eval("2001:db8:1::5"), 1);
    assert_eq!(eval("10.0.0.1"), 1);
}

#[test]
fn list_explain_splits_each_pair_into_allowed_and_denied() {
    let run = palisade_with_stdin(
        &[
            "netpol",
            "list",
            "-",
            "--explain",
            "--focus-workload",
            "shop/db",
            "--focus-direction",
            "ingress",
        ],
        Some(APP),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = &run.stdout;
    assert!(out.contains("Connections between shop/web[Deployment] => shop/db[Deployment]:"));
    assert!(out.contains("\tAllowed TCP:[5432] due to the following policies and rules:"));
    assert!(out.contains("\tDenied TCP:[1-5431,5433-65535], UDP, SCTP due to"));
    assert!(out.contains("\t\t\tNetworkPolicy 'shop/db' allows connections by Ingress rule #1\n"));
    assert!(out.contains(
        "\t\t\tNetworkPolicy 'shop/db' selects shop/db[Deployment], and Ingress rule #1 \
         selects shop/web[Deployment], but the protocols and ports do not match\n"
    ));
    assert!(!out.contains("=> shop/web[Deployment]:"));

    let json = palisade_with_stdin(
        &["netpol", "list", "-", "--explain", "--format", "json"],
        Some(APP),
    );
    assert_ne!(json.code, 0);
    assert!(json.stderr.contains("txt"), "{}", json.stderr);
}

/// Two namespaces of block-style manifests, so that `eval` can leave documents out unparsed,
/// and a third whose policy is invalid and names the only IPv6 range.
const TEAMS: &str = "\
apiVersion: v1
kind: Namespace
metadata:
  name: a
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: a
spec:
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: c
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: db
  namespace: b
spec:
  template:
    metadata:
      labels:
        app: db
    spec:
      containers:
      - name: c
        ports:
        - name: pg
          containerPort: 5432
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: db
  namespace: b
spec:
  podSelector: {}
  ingress:
  - from:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: a
    ports:
    - port: pg
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: broken
  namespace: c
spec:
  podSelector: {}
  egress:
  - to:
    - ipBlock:
        cidr: 2001:db8::/32
    ports:
    - port: 53
      protocol: ICMP
";

#[test]
fn eval_reads_only_what_bears_on_the_connection() {
    let eval = |src: &str, dst: &str| {
        palisade_with_stdin(
            &["netpol", "eval", "-", "--src", src, "--dst", dst],
            Some(TEAMS),
        )
    };
    let run = eval("a/web", "b/db[Deployment]");
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        run.stdout,
        "allowed: a/web[Deployment] => b/db[Deployment] (allowed between them: TCP 5432)\n"
    );
    // The invalid policy of namespace c cannot change that answer, so it is not read; the
    // whole input is refused by the commands that read everything.
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    assert_eq!(
        palisade_with_stdin(&["netpol", "list", "-"], Some(TEAMS)).code,
        2
    );
    let run = eval("10.1.2.3", "b/db");
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    // An end the scoped documents do not resolve makes eval read everything (standard input
    // is read once), so it answers as the whole input does.
    let run = eval("a/nope", "b/db");
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("ICMP"), "{}", run.stderr);
    let run = eval("2001:db8::1", "b/db");
    assert_eq!(run.code, 2, "only namespace c names an IPv6 range");
    assert!(run.stderr.contains("ICMP"), "{}", run.stderr);
}

/// The netpol-analyzer corpus, or `None` (after saying so) when it is absent.
fn netpol_corpus() -> Option<std::path::PathBuf> {
    let root = std::env::var_os("PALISADE_CORPORA").map_or_else(
        || std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora"),
        std::path::PathBuf::from,
    );
    let dir = root.join("netpol-analyzer/tests");
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("PALISADE_REQUIRE_CORPORA").is_none(),
        "corpus not found at {} and PALISADE_REQUIRE_CORPORA is set",
        dir.display()
    );
    #[allow(clippy::print_stdout)]
    {
        println!("skipped: corpus not found at {}", dir.display());
    }
    None
}

#[test]
fn eval_agrees_with_the_full_list_on_corpus_cases() {
    let Some(root) = netpol_corpus() else {
        return;
    };
    for case in [
        "anp_banp_blog_demo",
        "test_with_named_ports",
        "multiple_topology_resources_1",
    ] {
        let dir = root.join(case);
        let dir = dir.to_str().unwrap();
        let list = palisade(&["netpol", "list", dir]);
        assert_eq!(list.code, 0, "{case}: {}", list.stderr);
        let allowed: std::collections::BTreeMap<(String, String), String> = list
            .stdout
            .lines()
            .filter_map(|l| {
                let (pair, conn) = l.split_once(" : ")?;
                let (src, dst) = pair.split_once(" => ")?;
                Some(((src.to_string(), dst.to_string()), conn.to_string()))
            })
            .collect();
        let workloads: std::collections::BTreeSet<&str> = allowed
            .keys()
            .flat_map(|(s, d)| [s.as_str(), d.as_str()])
            .filter(|w| !w.ends_with("[External]"))
            .collect();
        let mut asked = 0;
        for src in &workloads {
            for dst in workloads.iter().filter(|d| *d != src).take(3) {
                asked += 1;
                let run = palisade(&["netpol", "eval", dir, "--src", src, "--dst", dst]);
                let expected = match allowed.get(&(src.to_string(), dst.to_string())) {
                    Some(conn) => (
                        0,
                        format!("allowed: {src} => {dst} (allowed between them: {conn})"),
                    ),
                    None => (1, format!("denied: {src} => {dst} (allowed between them: ")),
                };
                assert_eq!(
                    run.code, expected.0,
                    "{case}: {src} => {dst}: {}",
                    run.stderr
                );
                assert!(
                    run.stdout.starts_with(&expected.1),
                    "{case}: {}\nexpected {}",
                    run.stdout,
                    expected.1
                );
            }
        }
        assert!(asked > 0, "{case}: no workload pairs");
    }
}
