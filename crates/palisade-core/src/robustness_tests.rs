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
    "\r",
    "\r\n",
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

/// Lines as YAML counts them: `\n`, `\r\n` and a lone `\r` each end one.
fn line_count(bytes: &[u8]) -> usize {
    let breaks = bytes
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
        .count();
    breaks + 1
}

fn check_lines_located(text: &str, loaded: &Loaded) -> Result<(), TestCaseError> {
    if text.trim().is_empty() {
        return Ok(());
    }
    // An error met at the end of a text that lacks a final line break is placed by the parser at
    // the start of the line after it, which is where an editor puts the cursor at the end.
    let lines = line_count(text.as_bytes()) + 1;
    for d in &loaded.diagnostics {
        prop_assert!(d.line >= 1, "diagnostic without a line: {d}\n{text:?}");
        prop_assert!(
            d.line as usize <= lines,
            "diagnostic past the end: {d}\n{text:?}"
        );
    }
    Ok(())
}

/// Found by the `load` fuzz target: lone carriage returns (old Mac line ends) are line breaks to
/// the YAML parser but were not to the document splitter, so an error in a later document was
/// reported on a line past the end of the file.
#[test]
fn fuzz_lone_carriage_returns_keep_diagnostics_inside_the_file() {
    let text = "a: 1\r\r\r\r\r\r\r\r\r\r\nb: 2\n---\nc: [unclosed\n---\nd: {\"e\n";
    let loaded = load_text(&name(), text);
    let lines = line_count(text.as_bytes());
    assert!(!loaded.diagnostics.is_empty());
    for d in &loaded.diagnostics {
        assert!(
            d.line >= 1 && d.line as usize <= lines,
            "{d} (file has {lines} lines)"
        );
    }
    // The first error sits on the `c:` line, which is line 14 once each lone CR counts.
    assert_eq!(loaded.diagnostics[0].line, 14, "{}", loaded.diagnostics[0]);
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
