//! `palisade pss`: evaluate pods and pod templates against a Pod Security Standards level and
//! version (or, with `--namespaces`, against each namespace's labels), report each object's
//! verdict, and exit 1 when admission would refuse any.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use palisade_core::load::Level as DiagnosticLevel;
use palisade_core::pss::namespaces::{Mode, Policy, evaluate_namespaces};
use palisade_core::pss::{Level, Version, evaluate_objects};
use palisade_core::report::pss::{
    PssReport, write_json, write_namespaces_json, write_namespaces_table, write_table,
};
use palisade_io::{ReadOptions, load_paths};

use super::output::{ColorWhen, Output, write_with};
use super::{EXIT_ERROR, EXIT_FINDINGS, EXIT_OK};

/// Output formats of `pss`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PssFormat {
    /// One line per object with its violations (for people).
    Table,
    /// The `palisade.pss/v1` JSON document.
    Json,
}

#[derive(Debug, Args)]
pub struct PssArgs {
    /// Files and directories to evaluate (`-` for standard input).
    #[arg(value_name = "PATH", default_value = ".")]
    paths: Vec<PathBuf>,

    /// The level: baseline or restricted (required unless --namespaces).
    #[arg(long, value_name = "LEVEL", value_parser = parse_level, required_unless_present = "namespaces")]
    level: Option<Level>,

    /// The policy version: latest or v1.MINOR.
    #[arg(long, value_name = "VERSION", default_value = "latest", value_parser = parse_version)]
    version: Version,

    /// Report per namespace, using the Pod Security labels of the Namespace objects in the
    /// input: which workloads would be rejected (enforce), audited or warned about.
    #[arg(long, conflicts_with = "level")]
    namespaces: bool,

    /// With --namespaces: simulate this enforce policy (LEVEL[:VERSION], e.g. restricted:v1.30)
    /// on every namespace instead of its enforce labels.
    #[arg(long, value_name = "LEVEL[:VERSION]", requires = "namespaces", value_parser = parse_policy)]
    enforce: Option<Policy>,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = PssFormat::Table)]
    format: PssFormat,

    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,

    /// Refuse inputs larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = palisade_io::DEFAULT_MAX_FILE_SIZE)]
    max_file_size: u64,
}

fn parse_level(text: &str) -> Result<Level, String> {
    text.parse()
        .map_err(|e: palisade_core::pss::ParseError| e.to_string())
}

fn parse_policy(text: &str) -> Result<Policy, String> {
    Policy::parse_simulated(text).map_err(|e| e.to_string())
}

fn parse_version(text: &str) -> Result<Version, String> {
    text.parse()
        .map_err(|e: palisade_core::pss::ParseError| e.to_string())
}

pub fn run(args: &PssArgs, color: ColorWhen) -> anyhow::Result<ExitCode> {
    let loaded = load_paths(
        &args.paths,
        &ReadOptions {
            max_file_size: args.max_file_size,
        },
    );
    let mut output = Output::open(args.output.as_deref(), color)?;
    let denied = match args.level {
        Some(level) if !args.namespaces => {
            let evaluation = evaluate_objects(&loaded.objects, level, args.version);
            let report = PssReport {
                level,
                version: args.version,
                evaluation: &evaluation,
                diagnostics: &loaded.diagnostics,
            };
            write_with(&mut output, |out, color| match args.format {
                PssFormat::Table => write_table(&report, color, out),
                PssFormat::Json => write_json(&report, out),
            })?;
            report.denied()
        }
        _ => {
            let reports = evaluate_namespaces(&loaded.objects, args.enforce);
            write_with(&mut output, |out, color| match args.format {
                PssFormat::Table => {
                    write_namespaces_table(&reports, &loaded.diagnostics, color, out)
                }
                PssFormat::Json => write_namespaces_json(&reports, &loaded.diagnostics, out),
            })?;
            reports
                .iter()
                .flat_map(|ns| &ns.workloads)
                .filter(|w| w.flagged(Mode::Enforce))
                .count()
        }
    };
    output.finish()?;

    let input_error = loaded
        .diagnostics
        .iter()
        .any(|d| d.level == DiagnosticLevel::Error);
    Ok(ExitCode::from(if input_error {
        EXIT_ERROR
    } else if denied > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }))
}
