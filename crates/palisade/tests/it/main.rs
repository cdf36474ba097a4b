//! Integration tests of the `palisade` binary: each test runs the built executable on fixtures
//! under `tests/fixtures/` and checks its exit code and output.

mod catalog;
mod detect;
mod examples;
mod formats;
mod netpol;
mod node;
mod paths;
mod pss;
mod rbac;
mod scan;

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// What one run of the binary produced.
pub struct Run {
    /// The exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    /// Standard output parsed as JSON; fails the test with the output if it is not JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "output is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

/// The fixtures directory; runs use it as working directory so that paths in the output are
/// short and the same on every machine.
pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Runs `palisade ARGS` in the fixtures directory, without colour.
pub fn palisade(args: &[&str]) -> Run {
    palisade_with_stdin(args, None)
}

/// Runs `palisade ARGS` in the fixtures directory with `stdin` as standard input.
pub fn palisade_with_stdin(args: &[&str], stdin: Option<&str>) -> Run {
    palisade_in(&fixtures(), args, stdin)
}

/// Runs `palisade ARGS` in `dir` with `stdin` as standard input.
pub fn palisade_in(dir: &std::path::Path, args: &[&str], stdin: Option<&str>) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the palisade binary starts");
    if let Some(text) = stdin {
        let mut pipe = child.stdin.take().expect("stdin is piped");
        pipe.write_all(text.as_bytes())
            .expect("stdin accepts input");
    }
    let output = child.wait_with_output().expect("the palisade binary exits");
    Run {
        code: output.status.code().expect("exit code (not a signal)"),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

/// `slug`s of the findings of a `palisade.scan/v1` document.
pub fn slugs(doc: &serde_json::Value, list: &str) -> Vec<String> {
    doc[list]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|f| f["slug"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}
