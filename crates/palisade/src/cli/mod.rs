//! Command-line definitions shared by all subcommands, and the dispatch to them.

mod checks;
mod detect;
mod explain;
mod netpol;
mod node;
mod output;
mod pss;
mod rbac;
mod scan;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit code: nothing at or above the threshold.
pub const EXIT_OK: u8 = 0;
/// Exit code: findings at or above the threshold.
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code: usage error, or an input that could not be read.
pub const EXIT_ERROR: u8 = 2;

/// Kubernetes security from manifest to runtime.
#[derive(Debug, Parser)]
#[command(name = "palisade", version, about, max_term_width = 100)]
pub struct Cli {
    /// Worker threads (default: one per core).
    #[arg(long, short = 'j', global = true, value_name = "N")]
    jobs: Option<usize>,

    /// When to colour output.
    #[arg(long, global = true, value_enum, default_value_t = output::ColorWhen::Auto)]
    color: output::ColorWhen,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Scan manifests for misconfigurations.
    Scan(scan::ScanArgs),
    /// List the checks.
    Checks(checks::ChecksArgs),
    /// Show a check's documentation.
    Explain(explain::ExplainArgs),
    /// Evaluate pods and templates against the Pod Security Standards.
    Pss(pss::PssArgs),
    /// Answer RBAC questions offline: can-i, who-can, permissions.
    Rbac(rbac::RbacArgs),
    /// NetworkPolicy connectivity: list allowed connections, evaluate one.
    Netpol(netpol::NetpolArgs),
    /// CIS benchmark of this node's control plane, etcd and kubelet.
    Node(node::NodeArgs),
    /// Runtime threat detection: Falco and Sigma rules over Kubernetes audit events.
    Detect(detect::DetectArgs),
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    if let Some(jobs) = cli.jobs {
        rayon::ThreadPoolBuilder::new()
            .num_threads(jobs.max(1))
            .build_global()?;
    }
    match cli.command {
        Command::Scan(args) => scan::run(&args, cli.color),
        Command::Checks(args) => checks::run(&args, cli.color),
        Command::Explain(args) => explain::run(&args, cli.color),
        Command::Pss(args) => pss::run(&args, cli.color),
        Command::Rbac(args) => rbac::run(&args, cli.color),
        Command::Netpol(args) => netpol::run(&args, cli.color),
        Command::Node(args) => node::run(&args, cli.color),
        Command::Detect(args) => detect::run(&args),
    }
}
