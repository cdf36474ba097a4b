//! Fuzz target: arbitrary bytes through the whole loader (binary and UTF-8 screening, document
//! splitting, YAML/JSON parsing, object extraction). Any panic, hang or runaway allocation is a
//! bug: bad input must only ever produce diagnostics.

#![no_main]

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use palisade_core::load::load_bytes;

fuzz_target!(|data: &[u8]| {
    let name: Arc<str> = Arc::from("fuzz.yaml");
    let loaded = load_bytes(&name, data);
    for d in &loaded.diagnostics {
        // A located diagnostic must point inside the input (or just after its end). Lines end at
        // `\n`, `\r\n` or a lone `\r`, as YAML counts them.
        if d.line > 0 {
            let breaks = data
                .iter()
                .enumerate()
                .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && data.get(i + 1) != Some(&b'\n')))
                .count();
            let lines = breaks + 1;
            assert!(d.line as usize <= lines + 1, "diagnostic past the end: {d}");
        }
    }
});
