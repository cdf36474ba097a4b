//! Property tests for the loader on arbitrary input: it must never panic, and every diagnostic
//! about non-empty text must carry a real (1-based) line, so users can always find the problem.

use std::sync::Arc;

use proptest::prelude::*;

use crate::load::{Loaded, load_bytes, load_text};

fn name() -> Arc<str> {
    Arc::from("prop.yaml")
}

/// Pieces that drive YAML's structure, so that cases reach deep into the parser instead of
/// stopping at the first unexpected byte.
const PIECES: &[&str] = &[
    "\n",
    "  ",
    "- ",
    ": ",
    "---\n",
    "...\n",
    "[",
    "]",
    "{",
    "}",
    ",",
    "&a ",
    "*a",
    "<<: ",
    "!!str ",
    "? ",
    "|\n",
    ">-\n",
    "\"",
    "'",
    "#",
    "%YAML 1.2\n",
    "\t",
    "apiVersion: v1\nkind: Pod\n",
    "metadata:\n  name: x\n",
    "spec:\n  containers:\n",
    "é",
];

fn yamlish() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            proptest::sample::select(PIECES).prop_map(str::to_owned),
            "[a-z0-9]{1,6}",
        ],
        0..60,
    )
    .prop_map(|parts| parts.concat())
}

fn check_lines_located(text: &str, loaded: &Loaded) -> Result<(), TestCaseError> {
    if text.trim().is_empty() {
        return Ok(());
    }
    for d in &loaded.diagnostics {
        prop_assert!(d.line >= 1, "diagnostic without a line: {d}\n{text:?}");
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let loaded = load_bytes(&name(), &bytes);
        if !bytes.is_empty() {
            for d in &loaded.diagnostics {
                prop_assert!(d.line >= 1, "diagnostic without a line: {d}");
            }
        }
    }

    #[test]
    fn arbitrary_strings_never_panic_and_diagnostics_have_lines(text in any::<String>()) {
        let loaded = load_text(&name(), &text);
        check_lines_located(&text, &loaded)?;
    }

    #[test]
    fn yaml_like_text_never_panics_and_diagnostics_have_lines(text in yamlish()) {
        let loaded = load_bytes(&name(), text.as_bytes());
        check_lines_located(&text, &loaded)?;
    }
}
