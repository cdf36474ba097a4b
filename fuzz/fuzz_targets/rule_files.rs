//! Fuzz target: arbitrary text as a Falco rules file and as a Sigma rule, loaded on top of the
//! default rules. Every problem must come back as a located `LoadError`, never a panic or a
//! hang in the condition parser.

#![no_main]

use libfuzzer_sys::fuzz_target;
use palisade_core::detect::{LoadOptions, RuleFormat, RuleSource, load_rules};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for format in [RuleFormat::Falco, RuleFormat::Sigma] {
        let source = RuleSource {
            file: "fuzz.yaml",
            text,
            format,
        };
        let (_, errors) = load_rules(&[source], &LoadOptions::default());
        for error in &errors {
            assert!(!error.message.is_empty(), "an error must say what is wrong");
        }
    }
});
