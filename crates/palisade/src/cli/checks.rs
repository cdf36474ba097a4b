//! `palisade checks`: the catalog of checks, for people (a table) or machines (JSON).

use std::process::ExitCode;

use clap::{Args, ValueEnum};
use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use palisade_core::checks;

use super::output::{ColorWhen, Output, write_with};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CatalogFormat {
    /// A table.
    Table,
    /// `{"schema": "palisade.checks/v1", "checks": [...]}`.
    Json,
}

#[derive(Debug, Args)]
pub struct ChecksArgs {
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = CatalogFormat::Table)]
    format: CatalogFormat,
}

pub fn run(args: &ChecksArgs, color: ColorWhen) -> anyhow::Result<ExitCode> {
    let mut output = Output::open(None, color)?;
    write_with(&mut output, |out, _| match args.format {
        CatalogFormat::Json => {
            let checks: Vec<_> = checks::all().map(|r| r.meta).collect();
            let doc = serde_json::json!({"schema": "palisade.checks/v1", "checks": checks});
            serde_json::to_writer_pretty(&mut *out, &doc)?;
            writeln!(out)
        }
        CatalogFormat::Table => {
            let mut table = Table::new();
            table
                .load_preset(UTF8_FULL_CONDENSED)
                .set_content_arrangement(ContentArrangement::Dynamic);
            table.set_header(["ID", "SLUG", "SEVERITY", "AREA", "TITLE"]);
            for r in checks::all() {
                let m = r.meta;
                table.add_row([m.id, m.slug, m.severity.as_str(), m.area.as_str(), m.title]);
            }
            writeln!(out, "{table}")?;
            writeln!(
                out,
                "{} checks; `palisade explain ID` shows one in full.",
                checks::all().count()
            )
        }
    })?;
    output.finish()?;
    Ok(ExitCode::SUCCESS)
}
