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
