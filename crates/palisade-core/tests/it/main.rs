//! The core crate's integration tests: behaviour measured against external corpora.
//!
//! Corpora are read from `$PALISADE_CORPORA`, else from `../shared/corpora` beside the
//! repository. A suite whose corpus is absent prints a skip line and passes, unless
//! `PALISADE_REQUIRE_CORPORA` is set (as CI sets it), in which case it fails.

// The suites print their agreement figures and skip notices for whoever runs them.
#![allow(clippy::print_stdout)]

mod falco_corpus;
mod netpol_corpus;
mod netpol_eval_scope;
mod node_cis;
mod node_policies;
mod paths_scenarios;
mod posture_agreement;
mod pss_corpus;
mod rbac_bootstrap;
mod sigma_corpus;

use std::path::{Path, PathBuf};

/// The directory of one corpus, or `None` (after saying so) when it is absent.
pub fn corpus(name: &str) -> Option<PathBuf> {
    let root = match std::env::var_os("PALISADE_CORPORA") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora"),
    };
    let dir = root.join(name);
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("PALISADE_REQUIRE_CORPORA").is_none(),
        "corpus {name} not found at {} and PALISADE_REQUIRE_CORPORA is set",
        dir.display()
    );
    println!("skipped: corpus not found at {}", dir.display());
    None
}
