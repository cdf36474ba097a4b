//! A very large valid input. Slow in debug builds, so ignored by default; run it with
//! `cargo test --release -p palisade-io --test it -- --ignored`.

use crate::{Scratch, errors, load, pod};

#[test]
#[ignore = "writes and parses 100 MB; run in release"]
fn hundred_megabyte_file_loads_without_panicking() {
    const TARGET: usize = 100 * 1024 * 1024;
    let mut text = String::with_capacity(TARGET + 4096);
    let mut count = 0usize;
    while text.len() < TARGET {
        text.push_str(&pod(&format!("p{count}")));
        text.push_str("---\n");
        count += 1;
    }
    let dir = Scratch::new();
    let path = dir.write("huge.yaml", &text);
    drop(text);
    let loaded = load(&[path]);
    assert!(errors(&loaded).is_empty(), "{:?}", &loaded.diagnostics[..1]);
    assert_eq!(loaded.objects.len(), count);
}
