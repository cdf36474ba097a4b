//! Integration tests of palisade-core against external corpora.

mod netpol_corpus;

use std::path::PathBuf;

/// Where the external corpora are: `PALISADE_CORPORA`, else `../shared/corpora` beside the
/// repository. `None` (after saying so) when absent, so tests skip instead of failing.
pub fn corpora() -> Option<PathBuf> {
    let dir = std::env::var_os("PALISADE_CORPORA").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora"),
        PathBuf::from,
    );
    if dir.is_dir() {
        Some(dir)
    } else {
        #[allow(clippy::print_stdout)]
        {
            println!("skipped: corpus not found at {}", dir.display());
        }
        None
    }
}
