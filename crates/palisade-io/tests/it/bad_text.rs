//! Text that is not what a manifest should be: syntax errors, wrong shapes, bad encodings and
//! hostile structures.

use std::fmt::Write as _;

use crate::{Scratch, errors, load, names, pod};

#[test]
fn malformed_yaml_document_is_located_and_the_rest_still_loads() {
    let dir = Scratch::new();
    let text = format!(
        "{}---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: broken\n  labels: [unclosed\n---\n{}",
        pod("before"),
        pod("after")
    );
    let bad = dir.write("bad.yaml", text);
    let good = dir.write("good.yaml", pod("other-file"));
    let loaded = load(&[bad.clone(), good]);
    assert_eq!(names(&loaded), ["before", "after", "other-file"]);
    let errs = errors(&loaded);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(&*errs[0].file, bad.display().to_string());
    // The broken flow sequence starts on line 14; the parser notices at or after it.
    assert!(errs[0].line >= 14 && errs[0].line <= 16, "{}", errs[0]);
    assert_eq!(loaded.summary.documents, 3);
}

#[test]
fn malformed_json_is_located_and_other_files_still_load() {
    let dir = Scratch::new();
    let bad = dir.write(
        "bad.json",
        "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"Pod\",\n  \"metadata\": {\"name\": \"x\",}\n  ]\n}\n",
    );
    let good = dir.write(
        "good.json",
        r#"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}}"#,
    );
    let loaded = load(&[bad.clone(), good]);
    assert_eq!(names(&loaded), ["cm"]);
    let errs = errors(&loaded);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(&*errs[0].file, bad.display().to_string());
    assert!(errs[0].line >= 4, "{}", errs[0]);
}

#[test]
fn wrong_types_load_and_scan_without_panicking() {
    let dir = Scratch::new();
    let shapes = [
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  containers: 5\n",
        "apiVersion: v1\nkind: Pod\nmetadata: []\nspec: {}\n",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: b\nspec: \"text\"\n",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: c\nspec:\n  containers:\n  - 5\n  - [x]\n  - name: {a: b}\n    image: [1]\n    securityContext: yes\n",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template: [1, 2]\n",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: e\nspec:\n  template:\n    spec:\n      securityContext: 7\n      hostPID: \"maybe\"\n      containers:\n      - name: x\n        securityContext:\n          privileged: [true]\n          capabilities: {add: ALL}\n",
        "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: f\nspec:\n  jobTemplate: null\n",
        "apiVersion: v1\nkind: List\nitems: 3\n",
        "apiVersion: 5\nkind: [Pod]\n",
        "- just\n- a list\n",
        "42\n",
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: g\nspec:\n  podSelector: 1\n  ingress: {from: 2}\n",
    ];
    let paths: Vec<_> = shapes
        .iter()
        .enumerate()
        .map(|(i, text)| dir.write(&format!("shape-{i:02}.yaml"), text))
        .collect();
    let loaded = load(&paths);
    assert_eq!(loaded.summary.files, shapes.len());
    for name in ["a", "b", "c", "d", "e", "f", "g"] {
        assert!(
            names(&loaded).contains(&name),
            "{name} missing: {:?}",
            names(&loaded)
        );
    }
}

#[test]
fn invalid_utf8_is_an_error_at_its_line_and_column() {
    let dir = Scratch::new();
    let bad = dir.write(
        "latin1.yaml",
        b"apiVersion: v1\nkind: ConfigMap\ndata:\n  k: caf\xe9\n",
    );
    let good = dir.write("good.yaml", pod("ok"));
    let loaded = load(&[bad, good]);
    assert_eq!(names(&loaded), ["ok"]);
    let errs = errors(&loaded);
    assert_eq!(errs.len(), 1);
    assert_eq!((errs[0].line, errs[0].column), (4, 9), "{}", errs[0]);
    assert!(errs[0].message.contains("UTF-8"));
}

#[test]
fn binary_file_is_refused_without_parsing() {
    let dir = Scratch::new();
    let bad = dir.write("blob.yaml", b"apiVersion: v1\n\x00\x01\x02\xff\xfe");
    let loaded = load(&[bad]);
    assert!(loaded.objects.is_empty());
    let errs = errors(&loaded);
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].line, 2);
    assert!(errs[0].message.contains("binary"), "{}", errs[0]);
}

#[test]
fn alias_bomb_is_refused_and_later_documents_still_load() {
    let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    let mut prev = 'a';
    for name in 'b'..='j' {
        let refs = vec![format!("*{prev}"); 10].join(", ");
        let _ = writeln!(text, "{name}: &{name} [{refs}]");
        prev = name;
    }
    text.push_str("---\n");
    text.push_str(&pod("survivor"));
    let dir = Scratch::new();
    let path = dir.write("bomb.yaml", text);
    let loaded = load(&[path]);
    assert_eq!(names(&loaded), ["survivor"]);
    let errs = errors(&loaded);
    assert_eq!(errs.len(), 1);
    assert!(errs[0].message.contains("alias"), "{}", errs[0]);
    assert!(errs[0].line >= 1);
}

#[test]
fn hundred_thousand_deep_nesting_is_refused() {
    let dir = Scratch::new();
    let depth = 100_000;
    let flow = format!("{}{}\n", "[".repeat(depth), "]".repeat(depth));
    let mut block = String::new();
    for level in 0..depth {
        block.push_str(&" ".repeat(level.min(2_000)));
        block.push_str("- \n");
    }
    let json = format!("{}1{}\n", "{\"a\":".repeat(depth), "}".repeat(depth));
    let paths = [
        dir.write("flow.yaml", flow),
        dir.write("objects.json", json),
        dir.write("block.yaml", block),
        dir.write("fine.yaml", pod("fine")),
    ];
    let loaded = load(&paths);
    assert_eq!(names(&loaded), ["fine"]);
    let errs = errors(&loaded);
    assert!(errs.len() >= 2, "{errs:?}");
    for e in &errs {
        assert!(e.line >= 1, "{e}");
    }
}

#[test]
fn empty_and_comment_only_files_are_quiet() {
    let dir = Scratch::new();
    let paths = [
        dir.write("empty.yaml", ""),
        dir.write("comments.yaml", "# nothing here\n---\n# still nothing\n"),
        dir.write("bom.yaml", b"\xEF\xBB\xBF"),
        dir.write("blank.json", "\n\n  \n"),
    ];
    let loaded = load(&paths);
    assert!(loaded.objects.is_empty());
    assert!(errors(&loaded).is_empty(), "{:?}", loaded.diagnostics);
    assert_eq!(loaded.summary.files, 4);
}
