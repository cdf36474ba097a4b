//! `palisade checks`: the catalog of checks, for people (a table) or machines (JSON).

use std::process::ExitCode;

use clap::{Args, ValueEnum};
use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use palisade_core::check::CheckMeta;
use palisade_core::checks;
use serde::Serialize;

use super::output::{ColorWhen, Output, write_with};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CatalogFormat {
    /// A table.
    Table,
    /// `{"schema": "palisade.checks/v1", "checks": [...]}`.
    Json,
}

/// The catalog document. A struct rather than `json!`, whose map would sort `checks` before
/// `schema`; the contract puts `schema` first.
#[derive(Serialize)]
struct CatalogJson {
    schema: &'static str,
    checks: Vec<&'static CheckMeta>,
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
            let doc = CatalogJson {
                schema: "palisade.checks/v1",
                checks: checks::all().map(|r| r.meta).collect(),
            };
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
