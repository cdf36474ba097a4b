//! Where output goes (standard output or `--output FILE`) and whether it is coloured.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::Path;

use anyhow::Context as _;

/// The `--color` choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorWhen {
    /// Colour on a terminal unless `NO_COLOR` is set.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// An output destination and whether colour applies to it.
pub struct Output {
    pub writer: Box<dyn Write>,
    pub color: bool,
}

impl Output {
    /// Opens `--output FILE` (never coloured unless forced) or standard output.
    pub fn open(path: Option<&Path>, when: ColorWhen) -> anyhow::Result<Output> {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        if let Some(path) = path {
            let file =
                File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
            Ok(Output {
                writer: Box::new(BufWriter::new(file)),
                color: when == ColorWhen::Always,
            })
        } else {
            let color = match when {
                ColorWhen::Always => true,
                ColorWhen::Never => false,
                ColorWhen::Auto => io::stdout().is_terminal() && !no_color,
            };
            Ok(Output {
                writer: Box::new(BufWriter::new(io::stdout().lock())),
                color,
            })
        }
    }

    /// Flushes, turning a closed pipe into a quiet success.
    pub fn finish(mut self) -> anyhow::Result<()> {
        match self.writer.flush() {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
            other => other.context("cannot write output"),
        }
    }
}

/// Writes with `f`, treating a closed pipe (`palisade … | head`) as success.
pub fn write_with(
    output: &mut Output,
    f: impl FnOnce(&mut dyn Write, bool) -> io::Result<()>,
) -> anyhow::Result<()> {
    let color = output.color;
    match f(&mut output.writer, color) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("cannot write output"),
    }
}
