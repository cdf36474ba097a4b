//! Size limits and paths that do not exist.

use palisade_io::ReadOptions;

use crate::{Scratch, errors, load, load_and_scan, names, pod};

#[test]
fn file_over_the_size_limit_is_skipped_with_an_error() {
    let dir = Scratch::new();
    let big = dir.write("big.yaml", pod("big").repeat(20));
    let small = dir.write("small.yaml", pod("small"));
    let options = ReadOptions { max_file_size: 500 };
    let loaded = load_and_scan(&[big.clone(), small], &options);
    assert_eq!(names(&loaded), ["small"]);
    let errs = errors(&loaded);
    assert_eq!(errs.len(), 1);
    assert_eq!(&*errs[0].file, big.display().to_string());
    assert_eq!(errs[0].line, 0, "a size error concerns the whole file");
    assert!(
        errs[0].message.contains("over the limit of 500 bytes"),
        "{}",
        errs[0]
    );
}

#[test]
fn file_exactly_at_the_limit_is_read() {
    let dir = Scratch::new();
    let text = pod("edge");
    let path = dir.write("edge.yaml", &text);
    let options = ReadOptions {
        max_file_size: text.len() as u64,
    };
    assert_eq!(names(&load_and_scan(&[path], &options)), ["edge"]);
}

#[test]
fn missing_path_is_an_error_and_others_still_load() {
    let dir = Scratch::new();
    let missing = dir.path().join("nope.yaml");
    let good = dir.write("good.yaml", pod("good"));
    let loaded = load(&[missing.clone(), good]);
    assert_eq!(names(&loaded), ["good"]);
    let errs = errors(&loaded);
    assert_eq!(errs.len(), 1);
    assert_eq!(&*errs[0].file, missing.display().to_string());
    assert!(errs[0].message.contains("no such file"), "{}", errs[0]);
}
