//! The core crate's integration tests: behaviour measured against external corpora.

// The suites print their agreement figures and skip notices for whoever runs them.
#![allow(clippy::print_stdout)]

mod pss_corpus;
