//! `cargo xtask bench-rbac`: end-to-end timing of `palisade rbac risks` and `palisade rbac
//! who-can` on a generated cluster-scale RBAC tree, next to a parse-only scan of the same input,
//! plus an in-process timing of the who-can query alone on a model loaded once.
//!
//! Every `palisade rbac` invocation reads and parses its input, so the end-to-end figures are
//! dominated by parsing at this scale; the in-process figure shows what the analysis costs.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use palisade_core::inventory::Inventory;
use palisade_core::rbac::{Model, Request};

use crate::bench::{cpu_time, wait_with_rusage};
use crate::generate::DEFAULT_SEED;
use crate::generate_rbac::{RbacFormat, RbacSizes, generate_rbac, generate_rbac_as};

/// Runs `binary args…` once with its output discarded; returns wall time, CPU time and peak RSS
/// in KiB. Exit codes 0 and 1 (findings, or "nobody can") are both normal.
fn run_once(binary: &Path, args: &[&str]) -> anyhow::Result<(Duration, Duration, i64)> {
    let start = Instant::now();
    let child = Command::new(binary)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("cannot start {}", binary.display()))?;
    let (code, usage) = wait_with_rusage(child.id())?;
    let wall = start.elapsed();
    if !(0..=1).contains(&code) {
        bail!("palisade {} exited with {code}", args.join(" "));
    }
    let cpu = cpu_time(&usage.ru_utime) + cpu_time(&usage.ru_stime);
    Ok((wall, cpu, usage.ru_maxrss))
}

/// Best-of-`runs` line of the Markdown table.
fn report(binary: &Path, label: &str, args: &[&str], runs: usize) -> anyhow::Result<()> {
    let (mut wall, mut cpu, mut rss) = (Duration::MAX, Duration::MAX, 0);
    for _ in 0..runs {
        let (w, c, r) = run_once(binary, args)?;
        wall = wall.min(w);
        cpu = cpu.min(c);
        rss = rss.max(r);
    }
    #[allow(clippy::cast_precision_loss)]
    let mib = rss as f64 / 1024.0;
    #[allow(clippy::print_stdout)]
    {
        println!(
            "| {label} | {:.3} | {:.3} | {mib:.1} |",
            wall.as_secs_f64(),
            cpu.as_secs_f64()
        );
    }
    Ok(())
}

/// Loads every file under `dir` (one level, as the generator writes it) into an inventory.
fn load_dir(dir: &Path) -> anyhow::Result<Inventory> {
    let mut objects = Vec::new();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    paths.sort();
    for path in paths {
        let name: Arc<str> = path.display().to_string().into();
        let bytes = std::fs::read(&path)?;
        objects.extend(palisade_core::load::load_bytes(&name, &bytes).objects);
    }
    Ok(Inventory::new(objects))
}

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
    report(
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
    report(
        binary,
        "`rbac risks`",
        &["rbac", "risks", "-f", d, "--format", "json"],
        3,
    )?;
    report(
        binary,
        "`rbac who-can get secrets -n ns-04242`",
        &[
            "rbac", "who-can", "get", "secrets", "-n", "ns-04242", "-f", d, "--format", "json",
        ],
        3,
    )?;
    if permissions {
        report(
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
    let status = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["build", "--release", "--quiet", "-p", "palisade"])
        .current_dir(root)
        .status()
        .context("cannot run cargo build")?;
    if !status.success() {
        bail!("release build failed");
    }
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let binary = target.join("release/palisade");

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
