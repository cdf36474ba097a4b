//! `palisade node`: the CIS benchmark for a node's control plane, etcd and kubelet. Reads the
//! running node (or a node file system with `--root`, or a saved snapshot with `--from`),
//! evaluates the benchmark chosen from the detected Kubernetes version (or `--benchmark`),
//! and exits 1 when a scored check fails. `--collect` writes the snapshot instead.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Args, ValueEnum};
use palisade_core::inventory::Inventory;
use palisade_core::node::cis::{Benchmark, Options, Target, evaluate};
use palisade_core::report::node::{write_json, write_junit, write_table};
use palisade_io::node::{NodeRoot, collect_node, read_snapshot};
use palisade_io::{ReadOptions, load_paths};

use super::output::{ColorWhen, Output, write_with};
use super::{EXIT_ERROR, EXIT_FINDINGS, EXIT_OK};

/// Output formats of `node`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum NodeFormat {
    /// Checks grouped by target, with what was found and where (for people).
    Table,
    /// The `palisade.node/v1` JSON document.
    Json,
    /// JUnit XML, one test suite per target.
    Junit,
}

#[derive(Debug, Args)]
pub struct NodeArgs {
    /// Check the node file system mounted or copied under DIR instead of this node (command
    /// lines then come from static pod manifests and systemd units).
    #[arg(long, value_name = "DIR", conflicts_with = "from")]
    root: Option<PathBuf>,

    /// Sections to run, comma-separated: master, etcd, controlplane, node, policies
    /// (default: those whose components are on the node, plus policies with -f).
    #[arg(long, value_name = "LIST", value_delimiter = ',', value_parser = parse_target)]
    targets: Option<Vec<Target>>,

    /// Benchmark release: cis-1.12, cis-1.11, cis-1.10, or auto (from the detected version).
    #[arg(long, value_name = "NAME", default_value = "auto", value_parser = parse_benchmark)]
    benchmark: BenchmarkChoice,

    /// Output format.
    #[arg(long, value_enum, default_value_t = NodeFormat::Table)]
    format: NodeFormat,

    /// Write the collected snapshot as JSON instead of checking it.
    #[arg(long, conflicts_with = "from")]
    collect: bool,

    /// Check a snapshot written earlier by --collect.
    #[arg(long, value_name = "SNAPSHOT")]
    from: Option<PathBuf>,

    /// A cluster dump (files or directories of manifests) that answers the policy section.
    #[arg(short = 'f', long = "cluster", value_name = "CLUSTER_DUMP")]
    cluster: Vec<PathBuf>,

    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy)]
enum BenchmarkChoice {
    Auto,
    Fixed(Benchmark),
}

fn parse_target(text: &str) -> Result<Target, String> {
    text.trim().parse()
}

fn parse_benchmark(text: &str) -> Result<BenchmarkChoice, String> {
    if text == "auto" {
        Ok(BenchmarkChoice::Auto)
    } else {
        text.parse().map(BenchmarkChoice::Fixed)
    }
}

pub fn run(args: &NodeArgs, color: ColorWhen) -> anyhow::Result<ExitCode> {
    let snapshot = match (&args.from, &args.root) {
        (Some(path), _) => read_snapshot(path)?,
        (None, Some(root)) => {
            anyhow::ensure!(
                root.is_dir(),
                "--root {} is not a directory",
                root.display()
            );
            collect_node(&NodeRoot::at(root))
        }
        (None, None) => collect_node(&NodeRoot::live()),
    };
    let mut output = Output::open(args.output.as_deref(), color)?;
    if args.collect {
        write_with(&mut output, |out, _| {
            serde_json::to_writer_pretty(&mut *out, &snapshot).map_err(std::io::Error::other)?;
            writeln!(out)
        })?;
        output.finish()?;
        return Ok(ExitCode::from(EXIT_OK));
    }

    let mut input_error = false;
    let cluster = if args.cluster.is_empty() {
        None
    } else {
        let loaded = load_paths(&args.cluster, &ReadOptions::default());
        input_error |= super::report_diagnostics(&loaded.diagnostics);
        Some(Inventory::new(loaded.objects))
    };
    let options = Options {
        benchmark: match args.benchmark {
            BenchmarkChoice::Auto => None,
            BenchmarkChoice::Fixed(b) => Some(b),
        },
        targets: args.targets.clone(),
    };
    let report = evaluate(&snapshot, cluster.as_ref(), &options);
    if args.format != NodeFormat::Table {
        // Machine formats keep standard output clean; people still see the choice.
        #[allow(clippy::print_stderr)]
        {
            eprintln!("{}", palisade_core::report::node::benchmark_line(&report));
        }
    }
    write_with(&mut output, |out, color| match args.format {
        NodeFormat::Table => write_table(&report, color, out),
        NodeFormat::Json => write_json(&report, out),
        NodeFormat::Junit => write_junit(&report, out),
    })
    .context("cannot write the report")?;
    output.finish()?;
    Ok(ExitCode::from(if input_error {
        EXIT_ERROR
    } else if report.scored_failure() {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }))
}
