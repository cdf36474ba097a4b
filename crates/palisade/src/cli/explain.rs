//! `palisade explain ID|SLUG`: a check's documentation, from the same text as its code.

use std::process::ExitCode;

use anyhow::bail;
use clap::Args;
use palisade_core::checks;

use super::output::{ColorWhen, Output, write_with};

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The check's id (PAL-101) or slug (privileged-container).
    #[arg(value_name = "ID|SLUG")]
    check: String,
}

pub fn run(args: &ExplainArgs, color: ColorWhen) -> anyhow::Result<ExitCode> {
    let Some(registered) = checks::find(&args.check) else {
        bail!(
            "no check has the id or slug `{}` (see `palisade checks`)",
            args.check
        );
    };
    let m = registered.meta;
    let mut output = Output::open(None, color)?;
    write_with(&mut output, |out, _| {
        writeln!(out, "# {} {}: {}\n", m.id, m.slug, m.title)?;
        writeln!(
            out,
            "Severity: {}. Area: {}.\n",
            m.severity,
            m.area.as_str()
        )?;
        write!(out, "{}", m.doc_text())?;
        let refs: Vec<String> = m
            .references
            .iter()
            .map(|r| format!("{} {}", r.framework(), r.id()))
            .collect();
        writeln!(out, "\nControls: {}.", refs.join("; "))
    })?;
    output.finish()?;
    Ok(ExitCode::SUCCESS)
}
