//! Integration tests of palisade-core over the shared corpora.

// A skipped corpus test says so on stdout, which the test harness shows with --nocapture.
#![allow(clippy::print_stdout)]

mod rbac_bootstrap;

use std::path::PathBuf;

/// The shared corpora directory: `PALISADE_CORPORA`, else `../shared/corpora` beside the
/// repository. `None` (after printing why) when it is absent, so that the caller skips.
pub fn corpora() -> Option<PathBuf> {
    let dir = std::env::var_os("PALISADE_CORPORA").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora"),
        PathBuf::from,
    );
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("skipped: corpus not found at {}", dir.display());
        None
    }
}
