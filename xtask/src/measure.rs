//! What every benchmark shares: building the release binary, running it once with its output
//! discarded while measuring wall time, CPU time and peak memory of that child alone, keeping the
//! best of several runs, and loading a generated directory in-process.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use palisade_core::inventory::Inventory;

/// One timed run of a child process.
#[derive(Debug, Clone, Copy)]
pub struct Run {
    /// Wall-clock time from spawn to reaping.
    pub wall: Duration,
    /// User plus system CPU time of the child.
    pub cpu: Duration,
    /// Peak resident set size of the child, in KiB.
    pub max_rss_kib: i64,
}

impl Run {
    /// Peak resident set size in MiB.
    #[allow(clippy::cast_precision_loss)]
    pub fn rss_mib(&self) -> f64 {
        self.max_rss_kib as f64 / 1024.0
    }
}

/// Builds `palisade` in release mode and returns the path of the binary.
pub fn release_binary(root: &Path) -> anyhow::Result<PathBuf> {
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
    Ok(target.join("release/palisade"))
}

/// The corpora folder: `$PALISADE_CORPORA`, else `../shared/corpora` beside the repository.
pub fn corpora_dir(root: &Path) -> PathBuf {
    std::env::var_os("PALISADE_CORPORA")
        .map_or_else(|| root.join("../shared/corpora"), PathBuf::from)
}

/// Waits for `pid` and returns its exit code and resource usage. `std::process::Child::wait`
/// discards the child's rusage, and `getrusage(RUSAGE_CHILDREN)` would mix every child reaped so
/// far, so the child is reaped here with `wait4`.
#[allow(unsafe_code)]
pub fn wait_with_rusage(pid: u32) -> anyhow::Result<(i32, libc::rusage)> {
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

/// A `timeval` of `rusage` as a duration.
pub fn cpu_time(t: &libc::timeval) -> Duration {
    let secs = u64::try_from(t.tv_sec).unwrap_or(0);
    let micros = u32::try_from(t.tv_usec).unwrap_or(0);
    Duration::from_secs(secs) + Duration::from_micros(u64::from(micros))
}

/// Spawns `command`, reaps it and measures it. Exit codes 0 and 1 (findings, a denied query,
/// alerts) are both normal; anything else makes the timing meaningless and is an error.
pub fn measure(command: &mut Command) -> anyhow::Result<Run> {
    let start = Instant::now();
    let child = command
        .spawn()
        .with_context(|| format!("cannot start {}", command.get_program().display()))?;
    let (code, usage) = wait_with_rusage(child.id())?;
    let wall = start.elapsed();
    if !(0..=1).contains(&code) {
        bail!("{command:?} exited with {code}");
    }
    Ok(Run {
        wall,
        cpu: cpu_time(&usage.ru_utime) + cpu_time(&usage.ru_stime),
        max_rss_kib: usage.ru_maxrss,
    })
}

/// `binary args…` with every standard stream closed; `threads` sets `RAYON_NUM_THREADS`, `None`
/// leaves the default of one thread per core.
pub fn quiet(binary: &Path, args: &[&str], threads: Option<usize>) -> Command {
    let mut command = Command::new(binary);
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    match threads {
        Some(n) => command.env("RAYON_NUM_THREADS", n.to_string()),
        None => command.env_remove("RAYON_NUM_THREADS"),
    };
    command
}

/// Runs `binary args…` `runs` times and keeps the fastest wall and CPU times and the largest
/// peak memory: the minimum filters out noise from other users of the machine.
pub fn best_of(
    binary: &Path,
    args: &[&str],
    threads: Option<usize>,
    runs: usize,
) -> anyhow::Result<Run> {
    let mut best = Run {
        wall: Duration::MAX,
        cpu: Duration::MAX,
        max_rss_kib: 0,
    };
    for _ in 0..runs.max(1) {
        let run = measure(&mut quiet(binary, args, threads))?;
        best.wall = best.wall.min(run.wall);
        best.cpu = best.cpu.min(run.cpu);
        best.max_rss_kib = best.max_rss_kib.max(run.max_rss_kib);
    }
    Ok(best)
}

/// Prints the Markdown row `| label | wall (s) | CPU (s) | peak RSS (MiB) |` of the best of
/// `runs` runs.
pub fn report_row(binary: &Path, label: &str, args: &[&str], runs: usize) -> anyhow::Result<()> {
    report_row_with(binary, label, args, None, runs)
}

/// [`report_row`] with `RAYON_NUM_THREADS` set to `threads`.
pub fn report_row_with(
    binary: &Path,
    label: &str,
    args: &[&str],
    threads: Option<usize>,
    runs: usize,
) -> anyhow::Result<()> {
    let run = best_of(binary, args, threads, runs)?;
    #[allow(clippy::print_stdout)]
    {
        println!(
            "| {label} | {:.3} | {:.3} | {:.1} |",
            run.wall.as_secs_f64(),
            run.cpu.as_secs_f64(),
            run.rss_mib()
        );
    }
    Ok(())
}

/// Loads every file directly under `dir` (as the generators write them), in name order, into
/// one inventory.
pub fn load_dir(dir: &Path) -> anyhow::Result<Inventory> {
    let mut objects = Vec::new();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    paths.sort();
    for path in paths {
        let name: Arc<str> = path.display().to_string().into();
        let bytes = std::fs::read(&path)?;
        objects.extend(palisade_core::load::load_bytes(&name, &bytes).objects);
    }
    Ok(Inventory::new(objects))
}
