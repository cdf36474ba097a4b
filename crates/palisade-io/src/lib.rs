//! Palisade's effects: finding input files, reading them, and handing their text to the core.
//!
//! This crate owns everything that touches the file system or standard input: directory walks
//! that honour `.palisadeignore` files (gitignore syntax), the size limit on inputs, and reading
//! in parallel. Parsing and analysis stay in `palisade-core`; every problem met here becomes a
//! located [`Diagnostic`] so that one bad input never stops the others.

pub mod audit;
pub mod node;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use palisade_core::load::{Diagnostic, Loaded, load_bytes};
use palisade_core::object::Object;
use palisade_core::report::InputSummary;
use rayon::prelude::*;

/// The name of the ignore files read in every directory walked.
pub const IGNORE_FILE: &str = ".palisadeignore";

/// The largest input read by default, in bytes (256 MiB).
pub const DEFAULT_MAX_FILE_SIZE: u64 = 256 * 1024 * 1024;

/// The path that means standard input.
pub const STDIN: &str = "-";

/// An error met while finding or reading an input.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The path does not exist.
    #[error("no such file or directory")]
    NotFound,
    /// The file is larger than the limit.
    #[error("file is {size} bytes, over the limit of {limit} bytes (--max-file-size); skipped")]
    TooLarge {
        /// The file's size.
        size: u64,
        /// The limit in force.
        limit: u64,
    },
    /// The operating system refused or failed a read.
    #[error("cannot read: {0}")]
    Read(#[from] std::io::Error),
    /// A directory walk failed below a path.
    #[error("cannot walk directory: {0}")]
    Walk(#[from] ignore::Error),
}

/// How inputs are read.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Inputs larger than this many bytes are refused with an error.
    pub max_file_size: u64,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            max_file_size: DEFAULT_MAX_FILE_SIZE,
        }
    }
}

/// One input to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A file on disk.
    File(PathBuf),
    /// Standard input.
    Stdin,
}

impl Input {
    /// The name findings and errors use for it.
    pub fn display_name(&self) -> String {
        match self {
            // `palisade scan .` walks `./x.yaml`; findings read better as `x.yaml`.
            Input::File(path) => {
                let text = path.display().to_string();
                match text.strip_prefix("./") {
                    Some(rest) if !rest.is_empty() => rest.to_string(),
                    _ => text,
                }
            }
            Input::Stdin => STDIN.to_string(),
        }
    }
}

/// The inputs found under the paths given on the command line.
#[derive(Debug, Default)]
pub struct Discovered {
    /// Inputs to read, in a stable order: arguments in order, directory contents sorted.
    pub inputs: Vec<Input>,
    /// Files passed over in directories (ignored, or not named `.yaml`, `.yml` or `.json`).
    pub ignored: usize,
    /// Paths that could not be walked.
    pub diagnostics: Vec<Diagnostic>,
}

fn has_manifest_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "yaml" | "yml" | "json"))
}

/// Expands command-line paths into inputs. Files named explicitly are always read; directories
/// are walked recursively for `.yaml`, `.yml` and `.json` files, skipping hidden entries and
/// whatever `.palisadeignore` files exclude.
pub fn discover(paths: &[PathBuf]) -> Discovered {
    let mut out = Discovered::default();
    for path in paths {
        if path.as_os_str() == STDIN {
            out.inputs.push(Input::Stdin);
            continue;
        }
        let name: Arc<str> = path.display().to_string().into();
        match std::fs::metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                out.diagnostics.push(Diagnostic::file_error(
                    &name,
                    InputError::NotFound.to_string(),
                ));
            }
            Err(e) => {
                out.diagnostics.push(Diagnostic::file_error(
                    &name,
                    InputError::Read(e).to_string(),
                ));
            }
            Ok(meta) if meta.is_dir() => walk(path, &mut out),
            Ok(_) => out.inputs.push(Input::File(path.clone())),
        }
    }
    out
}

fn walk(dir: &Path, out: &mut Discovered) {
    let walker = ignore::WalkBuilder::new(dir)
        .standard_filters(false)
        .hidden(true)
        .add_custom_ignore_filename(IGNORE_FILE)
        .sort_by_file_name(std::cmp::Ord::cmp)
        .build();
    for entry in walker {
        match entry {
            Ok(entry) => {
                if !entry.file_type().is_some_and(|t| t.is_file()) {
                    continue;
                }
                if has_manifest_extension(entry.path()) {
                    out.inputs.push(Input::File(entry.into_path()));
                } else if entry.file_name() != IGNORE_FILE {
                    out.ignored += 1;
                }
            }
            Err(e) => {
                let name: Arc<str> = dir.display().to_string().into();
                out.diagnostics.push(Diagnostic::file_error(
                    &name,
                    InputError::Walk(e).to_string(),
                ));
            }
        }
    }
}

fn read_input(input: &Input, options: &ReadOptions) -> Result<Vec<u8>, InputError> {
    let limit = options.max_file_size;
    let mut bytes = Vec::new();
    match input {
        Input::File(path) => {
            let file = std::fs::File::open(path)?;
            let size = file.metadata()?.len();
            if size > limit {
                return Err(InputError::TooLarge { size, limit });
            }
            file.take(limit + 1).read_to_end(&mut bytes)?;
        }
        Input::Stdin => {
            std::io::stdin()
                .lock()
                .take(limit + 1)
                .read_to_end(&mut bytes)?;
        }
    }
    if bytes.len() as u64 > limit {
        return Err(InputError::TooLarge {
            size: bytes.len() as u64,
            limit,
        });
    }
    Ok(bytes)
}

/// Reads and parses one input; never fails, problems become diagnostics.
pub fn load_input(input: &Input, options: &ReadOptions) -> Loaded {
    let name: Arc<str> = input.display_name().into();
    match read_input(input, options) {
        Ok(bytes) => load_bytes(&name, &bytes),
        Err(e) => Loaded {
            diagnostics: vec![Diagnostic::file_error(&name, e.to_string())],
            ..Loaded::default()
        },
    }
}

/// Everything read from the command-line paths.
#[derive(Debug, Default)]
pub struct LoadedInputs {
    /// Objects in input order.
    pub objects: Vec<Object>,
    /// Counts for the summary.
    pub summary: InputSummary,
    /// Problems, in input order.
    pub diagnostics: Vec<Diagnostic>,
}

/// Finds, reads and parses every input under `paths`, in parallel, keeping input order.
pub fn load_paths(paths: &[PathBuf], options: &ReadOptions) -> LoadedInputs {
    let discovered = discover(paths);
    let loaded: Vec<Loaded> = discovered
        .inputs
        .par_iter()
        .map(|input| load_input(input, options))
        .collect();
    let mut out = LoadedInputs {
        summary: InputSummary {
            files: discovered.inputs.len(),
            ignored_files: discovered.ignored,
            ..InputSummary::default()
        },
        diagnostics: discovered.diagnostics,
        ..LoadedInputs::default()
    };
    for l in loaded {
        out.summary.documents += l.documents;
        out.summary.skipped_documents += l.skipped;
        out.objects.extend(l.objects);
        out.diagnostics.extend(l.diagnostics);
    }
    out.summary.objects = out.objects.len();
    out
}
