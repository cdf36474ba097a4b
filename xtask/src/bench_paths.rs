//! `cargo xtask bench-paths`: end-to-end timing and peak memory of `palisade paths` on a
//! generated cluster at the scale (all shortest paths to cluster-admin, and the cut
//! ranking), next to a parse-only scan of the same input, plus an in-process breakdown
//! (load, graph build, search) when xtask itself is built with optimisations.

use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use palisade_core::graph::Graph;
use palisade_core::graph::diff::default_sources;
use palisade_core::graph::search::{DEFAULT_MAX_DEPTH, paths_to};

use crate::generate::DEFAULT_SEED;
use crate::generate_paths::{PathSizes, generate_paths};
use crate::measure::{load_dir, release_binary, report_row};

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
    let paths = paths_to(
        &graph,
        &sources,
        &graph.targets("cluster-admin"),
        1,
        DEFAULT_MAX_DEPTH,
    );
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
    let binary = release_binary(root)?;
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
        report_row(
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
        report_row(
            &binary,
            "`paths DIR --format json` (every workload and the outside → cluster-admin)",
            &["paths", d, "--format", "json"],
            3,
        )?;
        report_row(
            &binary,
            "`paths DIR --to node --format json`",
            &["paths", d, "--to", "node", "--format", "json"],
            1,
        )?;
        report_row(
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
