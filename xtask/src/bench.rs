//! `cargo xtask bench`: end-to-end timing of `palisade scan` on generated workloads and on the
//! pod-security corpus, single-threaded and with every core, with wall time, throughput and peak
//! resident memory of the scanning process.
//!
//! The figures cover the whole process (start-up, directory walk, reading, parsing, checks and
//! the JSON report), because that is what a user or a CI job waits for.

use std::io::Read as _;
use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context, bail};

use crate::generate::{DEFAULT_SEED, generate};
use crate::measure::{best_of, corpora_dir, release_binary};

/// Sizes of the generated workloads, in objects.
const SIZES: &[usize] = &[1_000, 10_000, 100_000];

/// The number of objects a scan of `path` reports, read from the JSON summary near the top of
/// the report. The report goes to a file and only its head is read, because a child's peak-RSS
/// figure includes this process's own high-water mark at the time of the spawn (the kernel
/// carries it across `exec`); reading a 100 MB report here would inflate every later figure.
fn object_count(binary: &Path, path: &Path, scratch: &Path) -> anyhow::Result<u64> {
    let report = scratch.join("count.json");
    let status = Command::new(binary)
        .args(["scan", "-f", "json", "-o"])
        .arg(&report)
        .arg(path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .context("cannot run palisade")?;
    if !matches!(status.code(), Some(0 | 1)) {
        bail!("palisade scan {} failed: {status}", path.display());
    }
    let mut head = Vec::with_capacity(HEAD);
    std::fs::File::open(&report)?
        .take(HEAD as u64)
        .read_to_end(&mut head)?;
    std::fs::remove_file(&report).ok();
    let head = String::from_utf8_lossy(&head);
    let digits: String = head
        .split_once("\"objects\":")
        .context("no summary.objects near the top of the report")?
        .1
        .trim_start()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().context("summary.objects is not a number")
}

/// How much of a report's head to read for its summary.
const HEAD: usize = 4096;

fn file_count(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| {
            let p = e.path();
            if p.is_dir() { file_count(&p) } else { 1 }
        })
        .sum()
}

/// Runs each configuration `runs` times and keeps the fastest wall and CPU times and the largest
/// peak RSS: the minimum filters out noise from other users of the machine.
fn report_line(
    binary: &Path,
    label: &str,
    path: &Path,
    runs: usize,
    scratch: &Path,
) -> anyhow::Result<()> {
    let objects = object_count(binary, path, scratch)?;
    let files = file_count(path);
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let path_text = path.display().to_string();
    let args = ["scan", "-f", "json", "-o", "/dev/null", path_text.as_str()];
    for threads in [Some(1), None] {
        let run = best_of(binary, &args, threads, runs)?;
        let (best, cpu, mib) = (run.wall, run.cpu, run.rss_mib());
        let secs = best.as_secs_f64();
        #[allow(clippy::cast_precision_loss)]
        let rate = objects as f64 / secs;
        let line = format!(
            "| {label} | {files} | {objects} | {} | {secs:.3} | {cpu:.3} | {rate:.0} | {mib:.1} |",
            threads.unwrap_or(cores),
            cpu = cpu.as_secs_f64(),
        );
        #[allow(clippy::print_stdout)]
        {
            println!("{line}");
        }
    }
    Ok(())
}

/// Builds the release binary, generates the workloads and prints a Markdown table of results.
pub fn bench(root: &Path) -> anyhow::Result<()> {
    let binary = release_binary(root)?;

    #[allow(clippy::print_stdout)]
    {
        println!(
            "| input | files | objects | threads | wall (s) | CPU (s) | objects/s | peak RSS (MiB) |\n\
             |---|---|---|---|---|---|---|---|"
        );
    }
    let scratch = std::env::temp_dir().join(format!("palisade-bench-{}", std::process::id()));
    std::fs::create_dir_all(&scratch)?;
    for &size in SIZES {
        let dir = scratch.join(size.to_string());
        generate(size, &dir, DEFAULT_SEED)?;
        let runs = if size >= 100_000 { 1 } else { 3 };
        let result = report_line(&binary, &format!("generated {size}"), &dir, runs, &scratch);
        std::fs::remove_dir_all(&dir).ok();
        result?;
    }

    let corpus = corpora_dir(root).join("pod-security");
    let result = if corpus.is_dir() {
        report_line(&binary, "pod-security corpus", &corpus, 5, &scratch)
    } else {
        #[allow(clippy::print_stdout)]
        {
            println!("skipped: corpus not found at {}", corpus.display());
        }
        Ok(())
    };
    std::fs::remove_dir_all(&scratch).ok();
    result
}
