//! Fuzz target: arbitrary bytes loaded as manifests, then every analysis that reads the
//! inventory — all scan checks, the RBAC model, the NetworkPolicy engine and the attack graph.
//! Objects of the right kind with the wrong shapes must be read as far as they make sense.

#![no_main]

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use palisade_core::checks;
use palisade_core::inventory::Inventory;
use palisade_core::load::load_bytes;

fuzz_target!(|data: &[u8]| {
    let name: Arc<str> = Arc::from("fuzz.yaml");
    let inventory = Inventory::new(load_bytes(&name, data).objects);
    let all: Vec<_> = checks::all().collect();
    let _ = palisade_core::scan::scan(&inventory, &all, jiff::civil::date(2026, 1, 1));
    let _ = inventory.rbac();
    let _ = inventory.netpol().connectivity();
    let _ = inventory.attack_graph();
});
