//! The posture checks of `palisade scan` that restate a Pod Security Standards control must
//! agree with it: on the admission controller's fixtures at the newest policy version, each one
//! flags every `fail/` pod of its control and no `pass/` pod of the level. This is what keeps
//! the per-container checks and the exact evaluator from drifting apart.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use palisade_core::checks;
use palisade_core::inventory::Inventory;
use palisade_core::load::load_text;
use palisade_core::scan::scan;

/// Pod Security Standards controls (as the fixture file names spell them) and the posture
/// checks that restate them. A control restated by several checks (host namespaces) is met
/// when any of them flags the pod.
const RESTATED: &[(&str, &[&str])] = &[
    ("privileged", &["privileged-container"]),
    ("hostnamespaces", &["host-pid", "host-ipc", "host-network"]),
    ("hostpathvolumes", &["host-path-volume"]),
    ("hostports", &["host-port"]),
    ("procmount", &["proc-mount-unmasked"]),
    ("sysctls", &["unsafe-sysctls"]),
    ("selinuxoptions", &["selinux-custom-options"]),
    ("windowshostprocess", &["windows-host-process"]),
    ("apparmorprofile", &["apparmor-unconfined"]),
    ("seccompprofile_baseline", &["seccomp-unconfined"]),
    (
        "allowprivilegeescalation",
        &["privilege-escalation-allowed"],
    ),
    ("runasnonroot", &["run-as-root-allowed", "run-as-uid-zero"]),
    ("runasuser", &["run-as-uid-zero"]),
    (
        "capabilities_restricted",
        &["capabilities-not-dropped", "dangerous-capabilities"],
    ),
];

/// Controls the posture checks restate only in part, so their failing pods are not all flagged:
/// restricted also forbids adding back default capabilities such as `CHOWN` after dropping ALL,
/// which only `pss-restricted` reports.
const RESTATED_IN_PART: &[&str] = &["capabilities_restricted"];

fn flagged_slugs(path: &Path, slugs: &[&str]) -> Vec<String> {
    let text = std::fs::read_to_string(path).expect("fixture is readable");
    let file: Arc<str> = path.display().to_string().into();
    let inventory = Inventory::new(load_text(&file, &text).objects);
    let selected: Vec<_> = checks::all()
        .filter(|r| slugs.contains(&r.meta.slug))
        .collect();
    let today = jiff::civil::date(2026, 1, 1);
    scan(&inventory, &selected, today)
        .findings
        .iter()
        .map(|r| r.finding.check.slug.to_string())
        .collect()
}

fn newest_version(dir: &Path) -> Option<String> {
    let mut minors: Vec<u32> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| {
            e.ok()?
                .file_name()
                .to_str()?
                .strip_prefix("v1.")?
                .parse()
                .ok()
        })
        .collect();
    minors.sort_unstable();
    minors.last().map(|m| format!("v1.{m}"))
}

#[test]
fn posture_checks_agree_with_the_controls_they_restate() {
    let Some(root) = crate::corpus("pod-security") else {
        return;
    };
    let mut problems = Vec::new();
    let mut compared = 0;
    for level in ["baseline", "restricted"] {
        let Some(version) = newest_version(&root.join(level)) else {
            continue;
        };
        let dir = root.join(level).join(&version);
        let mut by_control: BTreeMap<String, Vec<_>> = BTreeMap::new();
        for verdict in ["pass", "fail"] {
            for entry in std::fs::read_dir(dir.join(verdict))
                .into_iter()
                .flatten()
                .flatten()
            {
                let name = entry.file_name().to_string_lossy().to_lowercase();
                let control = name
                    .trim_end_matches(".yaml")
                    .trim_end_matches(|c: char| c.is_ascii_digit());
                by_control
                    .entry(format!("{verdict}/{control}"))
                    .or_default()
                    .push(entry.path());
            }
        }
        for (control, slugs) in RESTATED
            .iter()
            .filter(|(c, _)| !RESTATED_IN_PART.contains(c))
        {
            for path in by_control
                .get(&format!("fail/{control}"))
                .into_iter()
                .flatten()
            {
                compared += 1;
                if flagged_slugs(path, slugs).is_empty() {
                    problems.push(format!(
                        "{level} {version}: none of {slugs:?} flags {}",
                        path.display()
                    ));
                }
            }
        }
        // A pod that passes the level must pass every posture check restating one of the level's
        // controls.
        let level_slugs: Vec<&str> = RESTATED
            .iter()
            .filter(|(control, _)| {
                level == "restricted"
                    || !matches!(
                        *control,
                        "allowprivilegeescalation"
                            | "runasnonroot"
                            | "runasuser"
                            | "capabilities_restricted"
                    )
            })
            .flat_map(|(_, slugs)| slugs.iter().copied())
            // Stricter than the standards on purpose: seccomp may be missing at baseline, and
            // dangerous-capabilities also names capabilities baseline allows by default.
            .filter(|slug| *slug != "dangerous-capabilities")
            .collect();
        for path in by_control
            .iter()
            .filter(|(k, _)| k.starts_with("pass/"))
            .flat_map(|(_, v)| v)
        {
            compared += 1;
            let flagged = flagged_slugs(path, &level_slugs);
            if !flagged.is_empty() {
                problems.push(format!(
                    "{level} {version}: {flagged:?} flag passing {}",
                    path.display()
                ));
            }
        }
    }
    println!("posture checks compared with the Pod Security Standards on {compared} fixtures");
    assert!(
        problems.is_empty(),
        "{} disagreements:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
