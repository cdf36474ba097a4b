//! `cargo xtask bench`: end-to-end timing of `palisade scan` on generated workloads and on the
//! pod-security corpus, single-threaded and with every core, with wall time, throughput and peak
//! resident memory of the scanning process.
//!
//! The figures cover the whole process (start-up, directory walk, reading, parsing, checks and
//! the JSON report), because that is what a user or a CI job waits for.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::generate::{DEFAULT_SEED, generate};

/// Sizes of the generated workloads, in objects.
const SIZES: &[usize] = &[1_000, 10_000, 100_000];

/// One timed run of the scanner.
struct Measurement {
    wall: Duration,
    /// User plus system CPU time of the child.
    cpu: Duration,
    /// Peak resident set size of the child, in KiB.
    max_rss_kib: i64,
}

/// Waits for `pid` and returns its exit code and resource usage. `std::process::Child::wait`
/// discards the child's rusage, and `getrusage(RUSAGE_CHILDREN)` would mix every child reaped so
/// far, so the child is reaped here with `wait4`.
#[allow(unsafe_code)]
pub(crate) fn wait_with_rusage(pid: u32) -> anyhow::Result<(i32, libc::rusage)> {
    let pid = libc::pid_t::try_from(pid).context("pid out of range")?;
    let mut status: libc::c_int = 0;
    // SAFETY: `rusage` is plain old data, valid when zeroed; both pointers refer to live locals
    // for the duration of the call, and `pid` is our own un-reaped child.
    let (reaped, usage) = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        let reaped = libc::wait4(pid, &raw mut status, 0, &raw mut usage);
        (reaped, usage)
    };
    if reaped != pid {
        bail!("wait4 failed: {}", std::io::Error::last_os_error());
    }
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    Ok((code, usage))
}

pub(crate) fn cpu_time(t: &libc::timeval) -> Duration {
    let secs = u64::try_from(t.tv_sec).unwrap_or(0);
    let micros = u32::try_from(t.tv_usec).unwrap_or(0);
    Duration::from_secs(secs) + Duration::from_micros(u64::from(micros))
}

/// Runs `palisade scan -f json -o /dev/null PATH` once; `threads` sets RAYON_NUM_THREADS.
fn scan_once(binary: &Path, path: &Path, threads: Option<usize>) -> anyhow::Result<Measurement> {
    let mut cmd = Command::new(binary);
    cmd.args(["scan", "-f", "json", "-o", "/dev/null"])
        .arg(path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    match threads {
        Some(n) => cmd.env("RAYON_NUM_THREADS", n.to_string()),
        None => cmd.env_remove("RAYON_NUM_THREADS"),
    };
    let start = Instant::now();
    let child = cmd
        .spawn()
        .with_context(|| format!("cannot start {}", binary.display()))?;
    let (code, usage) = wait_with_rusage(child.id())?;
    let wall = start.elapsed();
    // Exit 1 means findings, which generated workloads are meant to have; 2 is a usage or input
    // error and would make the timing meaningless.
    if !(0..=1).contains(&code) {
        bail!("palisade scan {} exited with {code}", path.display());
    }
    Ok(Measurement {
        wall,
        cpu: cpu_time(&usage.ru_utime) + cpu_time(&usage.ru_stime),
        max_rss_kib: usage.ru_maxrss,
    })
}

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
    for threads in [Some(1), None] {
        let mut best = Duration::MAX;
        let mut cpu = Duration::MAX;
        let mut rss = 0;
        for _ in 0..runs {
            let m = scan_once(binary, path, threads)?;
            best = best.min(m.wall);
            cpu = cpu.min(m.cpu);
            rss = rss.max(m.max_rss_kib);
        }
        let secs = best.as_secs_f64();
        #[allow(clippy::cast_precision_loss)]
        let rate = objects as f64 / secs;
        #[allow(clippy::cast_precision_loss)]
        let mib = rss as f64 / 1024.0;
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

fn corpora_dir(root: &Path) -> PathBuf {
    std::env::var_os("PALISADE_CORPORA")
        .map_or_else(|| root.join("../shared/corpora"), PathBuf::from)
}

/// Builds the release binary, generates the workloads and prints a Markdown table of results.
pub fn bench(root: &Path) -> anyhow::Result<()> {
    let status = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["build", "--release", "--quiet", "-p", "palisade"])
        .current_dir(root)
        .status()
        .context("cannot run cargo build")?;
    if !status.success() {
        bail!("release build failed");
    }
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let binary = target.join("release/palisade");

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
