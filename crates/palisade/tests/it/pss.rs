//! `palisade pss`: verdicts per object, exit codes, usage errors and the namespaces report.

use crate::palisade;

#[test]
fn denied_objects_exit_1_with_located_violations_in_input_order() {
    let run = palisade(&[
        "pss",
        "--level",
        "baseline",
        "--version",
        "latest",
        "-f",
        "json",
        "pss",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let doc = run.json();
    assert_eq!(doc["schema"], "palisade.pss/v1");
    let results = doc["results"].as_array().unwrap();
    let names: Vec<_> = results
        .iter()
        .map(|r| r["object"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["agent", "web", "plain"],
        "pod-bearing objects only, in input order"
    );
    assert_eq!(
        doc["summary"]["skipped"], 2,
        "the Namespace and the ConfigMap are skipped"
    );

    let agent = &results[0];
    assert_eq!(agent["allowed"], false);
    let checks: Vec<_> = agent["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["check"].as_str().unwrap())
        .collect();
    assert_eq!(checks, ["hostNamespaces", "privileged"]);
    let privileged = &agent["violations"][1];
    assert_eq!(
        privileged["location"]["line"], 22,
        "points at the template's field"
    );
    assert_eq!(
        privileged["detail"],
        "container \"agent\" must not set securityContext.privileged=true"
    );
    assert_eq!(results[1]["allowed"], true);
    assert_eq!(results[2]["allowed"], true, "a plain pod meets baseline");
}

#[test]
fn restricted_denies_what_baseline_allows() {
    let run = palisade(&[
        "pss",
        "--level",
        "restricted",
        "--version",
        "v1.30",
        "-f",
        "json",
        "pss",
    ]);
    assert_eq!(run.code, 1);
    let doc = run.json();
    let results = doc["results"].as_array().unwrap();
    assert_eq!(
        results[1]["allowed"], true,
        "the hardened pod meets restricted"
    );
    let plain: Vec<_> = results[2]["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["check"].as_str().unwrap())
        .collect();
    for check in [
        "allowPrivilegeEscalation",
        "capabilities_restricted",
        "runAsNonRoot",
        "seccompProfile_restricted",
    ] {
        assert!(plain.contains(&check), "{check} missing from {plain:?}");
    }
}

#[test]
fn an_allowed_input_exits_0() {
    let run = palisade(&["pss", "--level", "baseline", "--version", "latest", "clean"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

#[test]
fn bad_level_or_version_is_a_usage_error_listing_accepted_values() {
    let run = palisade(&["pss", "--level", "strict", "--version", "latest", "pss"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("baseline") && run.stderr.contains("restricted"),
        "{}",
        run.stderr
    );

    let run = palisade(&["pss", "--level", "baseline", "--version", "1.30", "pss"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("latest"), "{}", run.stderr);
}

#[test]
fn namespaces_mode_reads_labels_and_reports_rejections_and_warnings() {
    let run = palisade(&["pss", "--namespaces", "-f", "json", "pss"]);
    assert_eq!(
        run.code, 1,
        "a workload would be rejected by enforce: baseline"
    );
    let doc = run.json();
    let shop = &doc["namespaces"][0];
    assert_eq!(shop["name"], "shop");
    assert_eq!(shop["enforce"], "baseline:latest");
    assert_eq!(shop["rejected"], 1);
    assert_eq!(
        shop["warned"], 2,
        "the privileged agent and the plain pod fail restricted"
    );
}

#[test]
fn simulated_enforce_overrides_the_labels() {
    let run = palisade(&[
        "pss",
        "--namespaces",
        "--enforce",
        "restricted",
        "-f",
        "json",
        "pss",
    ]);
    assert_eq!(run.code, 1);
    assert_eq!(run.json()["namespaces"][0]["rejected"], 2);
}

#[test]
fn scan_with_a_pss_framework_agrees_with_the_pss_command() {
    let scan = palisade(&["scan", "--framework", "pss-baseline", "-f", "json", "pss"]);
    assert_eq!(scan.code, 1);
    let scan = scan.json();
    let findings = scan["findings"].as_array().unwrap();
    assert!(
        findings.iter().all(|f| f["slug"] == "pss-baseline"),
        "{findings:?}"
    );

    let pss = palisade(&[
        "pss",
        "--level",
        "baseline",
        "--version",
        "latest",
        "-f",
        "json",
        "pss",
    ]);
    let mut from_pss: Vec<(u64, String)> = pss.json()["results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["violations"].as_array().unwrap().clone())
        .map(|v| {
            (
                v["location"]["line"].as_u64().unwrap(),
                v["check"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut from_scan: Vec<(u64, String)> = findings
        .iter()
        .map(|f| {
            let message = f["message"].as_str().unwrap();
            let check = message.split(':').next().unwrap().to_string();
            (f["location"]["line"].as_u64().unwrap(), check)
        })
        .collect();
    from_pss.sort();
    from_scan.sort();
    assert_eq!(from_scan, from_pss);
}

#[test]
fn pss_checks_are_opt_in_and_frameworks_filter_by_reference() {
    let default = palisade(&["scan", "-f", "json", "pss"]).json();
    assert!(
        default["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["slug"] != "pss-baseline"),
        "whole-level checks do not run by default"
    );
    let cis = palisade(&["scan", "--framework", "cis", "-f", "json", "pss"]).json();
    for finding in cis["findings"].as_array().unwrap() {
        let refs = finding["references"].as_array().unwrap();
        assert!(refs.iter().any(|r| r["framework"] == "cis"), "{finding}");
    }
    let unknown = palisade(&["scan", "--framework", "iso-27001", "pss"]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("pss-restricted"),
        "{}",
        unknown.stderr
    );
}
