//! Fuzz target: arbitrary text as one audit input (an Event, an EventList, an array or a
//! managed-cluster envelope), then every default rule over whatever events it yields. Bad input
//! must only ever be an `EventError`; evaluation must never panic on odd field shapes.

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use palisade_core::detect::{LoadOptions, RuleSet, load_rules, parse_audit_json};

fn rules() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(|| load_rules(&[], &LoadOptions::default()).0)
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(events) = parse_audit_json(text) {
        for event in &events {
            let _ = rules().evaluate(event);
        }
    }
});
