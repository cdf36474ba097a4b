//! `cargo xtask bench-rbac`: end-to-end timing of `palisade rbac risks` and `palisade rbac
//! who-can` on a generated cluster-scale RBAC tree, next to a parse-only scan of the same input,
//! plus an in-process timing of the who-can query alone on a model loaded once.
//!
//! Every `palisade rbac` invocation reads and parses its input, so the end-to-end figures are
//! dominated by parsing at this scale; the in-process figure shows what the analysis costs.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use palisade_core::inventory::Inventory;
use palisade_core::rbac::{Model, Request};

use crate::generate::DEFAULT_SEED;
use crate::generate_rbac::{RbacFormat, RbacSizes, generate_rbac, generate_rbac_as};
use crate::measure::{load_dir, release_binary, report_row};

/// Times model construction and `who_can` in this process, on the tree loaded once.
fn analysis_only(dir: &Path, namespaces: &[String]) -> anyhow::Result<()> {
    if cfg!(debug_assertions) {
        #[allow(clippy::print_stdout)]
        {
            println!(
                "\nnote: xtask is unoptimised, so the in-process figures below are not \
                 representative; run `cargo run --release -p xtask -- bench-rbac`"
            );
        }
    }
    let start = Instant::now();
    let inventory = load_dir(dir)?;
    let load = start.elapsed();
    let start = Instant::now();
    let model = Model::from_inventory(&inventory);
    let build = start.elapsed();
    let queries: Vec<Request> = namespaces
        .iter()
        .flat_map(|ns| {
            [
                Request::resource("get", "", "secrets", ns),
                Request::resource("create", "", "pods/exec", ns),
                Request::resource("list", "apps", "deployments", ns),
            ]
        })
        .chain([Request::resource("get", "", "secrets", "")])
        .collect();
    let checks = palisade_core::scan::select_checks(&["rbac".to_string()], &[], None)?;
    let today = jiff::Zoned::now().date();
    let mut per_check = Vec::new();
    for check in &checks {
        let fresh = Inventory::new(inventory.objects().to_vec());
        fresh.rbac();
        let start = Instant::now();
        let found = palisade_core::scan::scan(&fresh, &[*check], today)
            .findings
            .len();
        per_check.push((check.meta.slug, start.elapsed(), found));
    }
    let start = Instant::now();
    let fresh = Inventory::new(inventory.objects().to_vec());
    let all_found = palisade_core::scan::scan(&fresh, &checks, today)
        .findings
        .len();
    let all_checks = start.elapsed();
    let mut slowest = Duration::ZERO;
    let mut total = Duration::ZERO;
    let mut subjects = 0usize;
    for query in &queries {
        let start = Instant::now();
        subjects += model.who_can(query).len();
        let took = start.elapsed();
        slowest = slowest.max(took);
        total += took;
    }
    #[allow(clippy::cast_precision_loss)]
    let mean = total.as_secs_f64() / queries.len() as f64;
    #[allow(clippy::print_stdout)]
    {
        println!(
            "\nIn process ({} objects): load + parse {:.3} s, model build {:.3} s, \
             who_can over {} queries ({subjects} subjects in all): mean {:.3} ms, slowest {:.3} ms",
            inventory.len(),
            load.as_secs_f64(),
            build.as_secs_f64(),
            queries.len(),
            mean * 1e3,
            slowest.as_secs_f64() * 1e3,
        );
    }
    #[allow(clippy::print_stdout)]
    {
        println!(
            "RBAC-area checks together (model built inside): {:.3} s, {all_found} findings",
            all_checks.as_secs_f64()
        );
        for (slug, took, found) in per_check {
            println!("  {slug}: {:.3} s, {found} findings", took.as_secs_f64());
        }
    }
    Ok(())
}

/// The in-process figures alone, on a tree `gen-rbac` wrote earlier: for profiling without
/// the end-to-end runs.
pub fn in_process(dir: &Path) -> anyhow::Result<()> {
    let sizes = RbacSizes::default();
    let namespaces: Vec<String> = (0..20)
        .map(|i| format!("ns-{:05}", i * sizes.namespaces / 20))
        .collect();
    analysis_only(dir, &namespaces)
}

/// The end-to-end lines of the table for the input under `d`.
fn end_to_end(binary: &Path, d: &str, permissions: bool) -> anyhow::Result<()> {
    report_row(
        binary,
        "parse only: `scan --select PAL-101`",
        &[
            "scan",
            "--select",
            "PAL-101",
            "-f",
            "json",
            "-o",
            "/dev/null",
            d,
        ],
        3,
    )?;
    report_row(
        binary,
        "`rbac risks`",
        &["rbac", "risks", "-f", d, "--format", "json"],
        3,
    )?;
    report_row(
        binary,
        "`rbac who-can get secrets -n ns-04242`",
        &[
            "rbac", "who-can", "get", "secrets", "-n", "ns-04242", "-f", d, "--format", "json",
        ],
        3,
    )?;
    if permissions {
        report_row(
            binary,
            "`rbac permissions sa:ns-04242:sa-0`",
            &[
                "rbac",
                "permissions",
                "sa:ns-04242:sa-0",
                "-f",
                d,
                "--format",
                "json",
            ],
            3,
        )?;
    }
    Ok(())
}

/// Builds the release binary, generates the default-size tree and prints the figures.
pub fn bench_rbac(root: &Path) -> anyhow::Result<()> {
    let binary = release_binary(root)?;

    let dir = std::env::temp_dir().join(format!("palisade-bench-rbac-{}", std::process::id()));
    let json_dir =
        std::env::temp_dir().join(format!("palisade-bench-rbac-json-{}", std::process::id()));
    let sizes = RbacSizes::default();
    let (objects, files) = generate_rbac(&sizes, &dir, DEFAULT_SEED)?;
    let d = dir.to_str().context("temporary directory is not UTF-8")?;
    #[allow(clippy::print_stdout)]
    {
        println!(
            "{} namespaces, {} Roles+RoleBindings, {} ServiceAccounts: {objects} objects in {files} files\n\n\
             | command | wall (s) | CPU (s) | peak RSS (MiB) |\n|---|---|---|---|",
            sizes.namespaces, sizes.roles, sizes.service_accounts
        );
    }
    let result = (|| {
        end_to_end(&binary, d, true)?;
        // The same objects as one JSON List, the shape of `kubectl get -A -o json`.
        let (_, _) = generate_rbac_as(&sizes, &json_dir, DEFAULT_SEED, RbacFormat::Json)?;
        let j = json_dir
            .to_str()
            .context("temporary directory is not UTF-8")?;
        #[allow(clippy::print_stdout)]
        {
            println!("\nThe same objects as one JSON List (cluster.json):\n");
            println!("| command | wall (s) | CPU (s) | peak RSS (MiB) |\n|---|---|---|---|");
        }
        end_to_end(&binary, j, false)?;
        let namespaces: Vec<String> = (0..20)
            .map(|i| format!("ns-{:05}", i * sizes.namespaces / 20))
            .collect();
        analysis_only(&dir, &namespaces)
    })();
    std::fs::remove_dir_all(&dir).ok();
    std::fs::remove_dir_all(&json_dir).ok();
    result
}
