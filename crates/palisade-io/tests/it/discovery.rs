//! Which files a directory walk reads: extensions, hidden entries and `.palisadeignore`.

use crate::{Scratch, errors, load, names, pod};

#[test]
fn only_manifest_extensions_are_read_from_directories() {
    let dir = Scratch::new();
    dir.write("a.yaml", pod("a"));
    dir.write("b.YML", pod("b"));
    dir.write(
        "c.json",
        r#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "c"}}"#,
    );
    dir.write("notes.txt", pod("txt"));
    dir.write("script.sh", "echo hi\n");
    dir.write("Makefile", "all:\n");
    dir.write(".hidden/h.yaml", pod("hidden"));
    dir.write(".secret.yaml", pod("dotfile"));
    let loaded = load(&[dir.path().to_path_buf()]);
    assert_eq!(names(&loaded), ["a", "b", "c"]);
    assert_eq!(loaded.summary.ignored_files, 3);
    assert!(errors(&loaded).is_empty());
}

#[test]
fn explicitly_named_files_are_read_whatever_their_extension() {
    let dir = Scratch::new();
    let path = dir.write("manifest.txt", pod("named"));
    assert_eq!(names(&load(&[path])), ["named"]);
}

#[test]
fn palisadeignore_excludes_files_and_directories() {
    let dir = Scratch::new();
    dir.write(
        ".palisadeignore",
        "vendor/\n*.generated.yaml\n!keep.generated.yaml\n",
    );
    dir.write("app.yaml", pod("app"));
    dir.write("vendor/lib.yaml", pod("vendored"));
    dir.write("x.generated.yaml", pod("generated"));
    dir.write("keep.generated.yaml", pod("kept"));
    dir.write("sub/.palisadeignore", "local.yaml\n");
    dir.write("sub/local.yaml", pod("local"));
    dir.write("sub/other.yaml", pod("other"));
    let loaded = load(&[dir.path().to_path_buf()]);
    assert_eq!(names(&loaded), ["app", "kept", "other"]);
    assert!(errors(&loaded).is_empty());
}
