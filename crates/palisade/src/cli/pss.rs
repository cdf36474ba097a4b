//! `palisade pss`: evaluate pods and pod templates against a Pod Security Standards level and
//! version, report each object's verdict, and exit 1 when admission would refuse any.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use palisade_core::load::Level as DiagnosticLevel;
use palisade_core::pss::{Level, Version, evaluate_objects};
use palisade_core::report::pss::{PssReport, write_json, write_table};
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

    /// The level: baseline or restricted.
    #[arg(long, value_name = "LEVEL", value_parser = parse_level)]
    level: Level,

    /// The policy version: latest or v1.MINOR.
    #[arg(long, value_name = "VERSION", default_value = "latest", value_parser = parse_version)]
    version: Version,

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
    let evaluation = evaluate_objects(&loaded.objects, args.level, args.version);
    let report = PssReport {
        level: args.level,
        version: args.version,
        evaluation: &evaluation,
        diagnostics: &loaded.diagnostics,
    };
    let mut output = Output::open(args.output.as_deref(), color)?;
    write_with(&mut output, |out, color| match args.format {
        PssFormat::Table => write_table(&report, color, out),
        PssFormat::Json => write_json(&report, out),
    })?;
    output.finish()?;

    let input_error = loaded
        .diagnostics
        .iter()
        .any(|d| d.level == DiagnosticLevel::Error);
    Ok(ExitCode::from(if input_error {
        EXIT_ERROR
    } else if report.denied() > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }))
}
