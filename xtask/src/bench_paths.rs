//! `cargo xtask bench-paths`: end-to-end timing and peak memory of `palisade paths` on a
//! generated cluster at the scale (all shortest paths to cluster-admin, and the cut
//! ranking), next to a parse-only scan of the same input, plus an in-process breakdown
//! (load, graph build, search) when xtask itself is built with optimisations.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use palisade_core::graph::Graph;
use palisade_core::graph::diff::default_sources;
use palisade_core::graph::search::paths_to;
use palisade_core::inventory::Inventory;

use crate::bench::{cpu_time, wait_with_rusage};
use crate::generate::DEFAULT_SEED;
use crate::generate_paths::{PathSizes, generate_paths};

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

/// Load, graph build and search timed separately in this process.
fn in_process(dir: &Path) -> anyhow::Result<()> {
    if cfg!(debug_assertions) {
        #[allow(clippy::print_stdout)]
        {
            println!(
                "\nnote: xtask is unoptimised, so the in-process figures below are not \
                 representative; run `cargo run --release -p xtask -- bench-paths`"
            );
        }
    }
    let start = Instant::now();
    let inventory = load_dir(dir)?;
    let load = start.elapsed();
    let start = Instant::now();
    let rbac = inventory.rbac();
    let rbac_build = start.elapsed();
    let start = Instant::now();
    let cluster = palisade_core::netpol::Cluster::from_files(
        inventory
            .objects()
            .iter()
            .map(|o| (&*o.source.file, &o.root)),
    );
    let network = start.elapsed();
    drop(cluster);
    let start = Instant::now();
    let graph = Graph::from_inventory(&inventory);
    let build = start.elapsed();
    let start = Instant::now();
    let sources = default_sources(&graph);
    let paths = paths_to(&graph, &sources, &graph.targets("cluster-admin"), 1, 12);
    let search = start.elapsed();
    #[allow(clippy::print_stdout)]
    {
        println!(
            "\nIn process ({} objects, {} bindings): load + parse {:.3} s, RBAC model {:.3} s, \
             NetworkPolicy model of every object alone {:.3} s, graph build {:.3} s ({} vertices, {} edges), all shortest paths to cluster-admin \
             from {} sources {:.3} s ({} paths)",
            inventory.len(),
            rbac.bindings.len(),
            load.as_secs_f64(),
            rbac_build.as_secs_f64(),
            network.as_secs_f64(),
            build.as_secs_f64(),
            graph.vertices.len(),
            graph.edges.len(),
            sources.len(),
            search.as_secs_f64(),
            paths.len(),
        );
    }
    Ok(())
}

/// Builds the release binary, generates the default-size cluster and prints the figures; with
/// `in_process_only`, only the in-process breakdown.
pub fn bench_paths(root: &Path, in_process_only: bool) -> anyhow::Result<()> {
    if in_process_only {
        let dir = std::env::temp_dir().join(format!("palisade-bench-paths-{}", std::process::id()));
        generate_paths(&PathSizes::default(), &dir, DEFAULT_SEED)?;
        let result = in_process(&dir);
        std::fs::remove_dir_all(&dir).ok();
        return result;
    }
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
    let dir = std::env::temp_dir().join(format!("palisade-bench-paths-{}", std::process::id()));
    let sizes = PathSizes::default();
    let (objects, files) = generate_paths(&sizes, &dir, DEFAULT_SEED)?;
    let d = dir.to_str().context("temporary directory is not UTF-8")?;
    #[allow(clippy::print_stdout)]
    {
        println!(
            "{} pods, {} service accounts, {} bindings, {} nodes, {} namespaces: \
             {objects} objects in {files} files\n\n\
             | command | wall (s) | CPU (s) | peak RSS (MiB) |\n|---|---|---|---|",
            sizes.pods, sizes.service_accounts, sizes.bindings, sizes.nodes, sizes.namespaces
        );
    }
    let result = (|| {
        report(
            &binary,
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
            &binary,
            "`paths DIR --format json` (every workload and the outside → cluster-admin)",
            &["paths", d, "--format", "json"],
            3,
        )?;
        report(
            &binary,
            "`paths DIR --to node --format json`",
            &["paths", d, "--to", "node", "--format", "json"],
            1,
        )?;
        report(
            &binary,
            "`paths DIR --cut --format json`",
            &["paths", d, "--cut", "--format", "json"],
            1,
        )?;
        in_process(&dir)
    })();
    std::fs::remove_dir_all(&dir).ok();
    result
}
