//! `palisade scan`: load manifests, run the checks, report, and set the exit code.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use palisade_core::check::Severity;
use palisade_core::inventory::Inventory;
use palisade_core::load::Level;
use palisade_core::report::{self, ScanReport};
use palisade_core::scan::{Framework, scan, select_checks};
use palisade_io::{ReadOptions, load_paths};

use super::output::{ColorWhen, Output, write_with};
use super::{EXIT_ERROR, EXIT_FINDINGS, EXIT_OK};

/// Output formats of `scan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScanFormat {
    /// Findings grouped by file, with a summary (for people).
    Table,
    /// The `palisade.scan/v1` JSON document.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// JUnit XML, for CI systems that show test results.
    Junit,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files and directories to scan (`-` for standard input). Directories are walked
    /// recursively for .yaml, .yml and .json files, honouring .palisadeignore files.
    #[arg(value_name = "PATH", default_value = ".")]
    paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = ScanFormat::Table)]
    format: ScanFormat,

    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,

    /// Exit 1 only for findings at or above this severity.
    #[arg(long, value_name = "SEVERITY", default_value = "info", value_parser = parse_severity)]
    severity_threshold: Severity,

    /// Run only these checks (ids, slugs or areas; repeatable or comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "CHECK")]
    select: Vec<String>,

    /// Skip these checks (ids, slugs or areas; repeatable or comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "CHECK")]
    ignore: Vec<String>,

    /// Limit the scan to one framework's controls: nsa-cisa, cis, mitre-attack, or an exact Pod
    /// Security Standards level, pss-baseline or pss-restricted (the evaluator `palisade pss`
    /// uses, at the newest policy version).
    #[arg(long, value_name = "FRAMEWORK", value_parser = parse_framework)]
    framework: Option<Framework>,

    /// List suppressed findings too (they are always counted).
    #[arg(long)]
    show_suppressed: bool,

    /// Refuse inputs larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = palisade_io::DEFAULT_MAX_FILE_SIZE)]
    max_file_size: u64,
}

fn parse_framework(s: &str) -> Result<Framework, String> {
    Framework::parse(s).map_err(|e| e.to_string())
}

pub fn parse_severity(s: &str) -> Result<Severity, String> {
    Severity::parse(s).ok_or_else(|| {
        let names: Vec<_> = Severity::ALL.iter().map(|s| s.as_str()).collect();
        format!("expected one of {}", names.join(", "))
    })
}

pub fn run(args: &ScanArgs, color: ColorWhen) -> anyhow::Result<ExitCode> {
    let checks = select_checks(&args.select, &args.ignore, args.framework)?;
    let loaded = load_paths(
        &args.paths,
        &ReadOptions {
            max_file_size: args.max_file_size,
        },
    );
    let inventory = Inventory::new(loaded.objects);
    let today = jiff::Zoned::now().date();
    let result = scan(&inventory, &checks, today);
    let report = ScanReport {
        inventory: &inventory,
        checks: &checks,
        result: &result,
        inputs: &loaded.summary,
        diagnostics: &loaded.diagnostics,
        show_suppressed: args.show_suppressed,
        tool_version: env!("CARGO_PKG_VERSION"),
    };
    let mut output = Output::open(args.output.as_deref(), color)?;
    write_with(&mut output, |out, color| match args.format {
        ScanFormat::Table => report::table::write(&report, color, out),
        ScanFormat::Json => report::json::write(&report, out),
        ScanFormat::Sarif => report::sarif::write(&report, out),
        ScanFormat::Junit => report::junit::write(&report, out),
    })?;
    output.finish()?;

    let input_error = loaded.diagnostics.iter().any(|d| d.level == Level::Error);
    let over_threshold = result
        .findings
        .iter()
        .any(|r| r.finding.check.severity >= args.severity_threshold);
    Ok(ExitCode::from(if input_error {
        EXIT_ERROR
    } else if over_threshold {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }))
}
