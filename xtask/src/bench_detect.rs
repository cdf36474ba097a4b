//! `cargo xtask bench-detect`: throughput and memory of `palisade detect audit` on one core.
//!
//! The generated stream (`gen-audit`) is piped into `palisade -j 1 detect audit -` from a thread
//! of this process, so no multi-gigabyte file is written; the rules are Falco's Kubernetes audit
//! rules from the corpus (passed by path) plus Palisade's default rules. Each run reports the
//! events/s of the detecting process (wall time, everything included: reading, JSON parsing,
//! evaluation, state, writing alerts) and its peak resident memory. Memory is flat when the
//! 10-million-event run peaks at about the same RSS as the 1-million-event one.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::bench::{cpu_time, wait_with_rusage};
use crate::generate::DEFAULT_SEED;
use crate::generate_audit::{PEOPLE, write_events};

struct Run {
    events: u64,
    wall: Duration,
    cpu: Duration,
    rss_kib: i64,
    alerts: u64,
}

/// Pipes `events` generated events into the binary and measures it.
fn run_once(binary: &Path, rules: &[&Path], events: u64, extra: &[&str]) -> anyhow::Result<Run> {
    let mut cmd = Command::new(binary);
    cmd.args(["-j", "1", "detect", "audit", "--format", "json"]);
    for file in rules {
        cmd.arg("--rules").arg(file);
    }
    cmd.args(extra)
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let start = Instant::now();
    let mut child = cmd
        .spawn()
        .with_context(|| format!("cannot start {}", binary.display()))?;
    let mut stdin = child.stdin.take().context("stdin is piped")?;
    let mut stdout = child.stdout.take().context("stdout is piped")?;
    // Alerts are counted as they stream out rather than stored: a long run raises many.
    let counter = std::thread::spawn(move || {
        let mut buf = vec![0u8; 1 << 16];
        let mut lines = 0u64;
        while let Ok(n) = std::io::Read::read(&mut stdout, &mut buf) {
            if n == 0 {
                break;
            }
            lines += buf[..n].iter().filter(|&&c| c == b'\n').count() as u64;
        }
        lines
    });
    let writer = std::thread::spawn(move || -> std::io::Result<()> {
        let mut pipe = std::io::BufWriter::with_capacity(1 << 20, &mut stdin);
        write_events(events, DEFAULT_SEED, &mut pipe)?;
        pipe.flush()
    });
    let (code, usage) = wait_with_rusage(child.id())?;
    let wall = start.elapsed();
    writer
        .join()
        .map_err(|_| anyhow::anyhow!("generator thread panicked"))?
        .context("cannot feed events")?;
    let alerts = counter
        .join()
        .map_err(|_| anyhow::anyhow!("alert counter panicked"))?;
    // Exit 1 means alerts were raised, which this stream is meant to cause.
    if !(0..=1).contains(&code) {
        bail!("palisade detect audit exited with {code}");
    }
    Ok(Run {
        events,
        wall,
        cpu: cpu_time(&usage.ru_utime) + cpu_time(&usage.ru_stime),
        rss_kib: usage.ru_maxrss,
        alerts,
    })
}

#[allow(clippy::cast_precision_loss)]
fn print_run(label: &str, run: &Run) {
    #[allow(clippy::print_stdout)]
    {
        println!(
            "| {label} | {} | {:.2} | {:.2} | {:.0} | {:.1} | {} |",
            run.events,
            run.wall.as_secs_f64(),
            run.cpu.as_secs_f64(),
            run.events as f64 / run.wall.as_secs_f64(),
            run.rss_kib as f64 / 1024.0,
            run.alerts,
        );
    }
}

/// Builds the release binary and prints the figures; `events` is the size of the throughput
/// run, and `memory_events` that of the memory run (0 skips it).
pub fn bench_detect(
    root: &Path,
    corpora: &Path,
    events: u64,
    memory_events: u64,
) -> anyhow::Result<()> {
    let falco = corpora.join("falco-k8saudit/k8s_audit_rules.yaml");
    if !falco.is_file() {
        bail!(
            "{} not found; set PALISADE_CORPORA to the corpora directory",
            falco.display()
        );
    }
    // The people of the generated cluster are its admins: a site running Falco's rules lists its
    // own users in `allowed_k8s_users`, or "Disallowed K8s User" fires on every request they make.
    let tuning =
        std::env::temp_dir().join(format!("palisade-bench-tuning-{}.yaml", std::process::id()));
    let people: Vec<String> = PEOPLE.iter().map(|p| format!("\"{p}\"")).collect();
    std::fs::write(
        &tuning,
        format!(
            "- list: allowed_k8s_users\n  items: [{}]\n  append: true\n",
            people.join(", ")
        ),
    )?;
    let rules = [falco.as_path(), tuning.as_path()];
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
            "| run | events | wall (s) | CPU (s) | events/s | peak RSS (MiB) | alerts |\n\
             |---|---|---|---|---|---|---|"
        );
    }
    let result = measure(&binary, &rules, events, memory_events);
    std::fs::remove_file(&tuning).ok();
    result
}

fn measure(binary: &Path, rules: &[&Path], events: u64, memory_events: u64) -> anyhow::Result<()> {
    let mut best: Option<Run> = None;
    for _ in 0..3 {
        let run = run_once(binary, rules, events, &[])?;
        if best.as_ref().is_none_or(|b| run.wall < b.wall) {
            best = Some(run);
        }
    }
    if let Some(run) = &best {
        print_run("Falco rules + defaults, best of 3", run);
    }
    let run = run_once(binary, rules, events, &["--no-default-rules"])?;
    print_run("Falco rules only", &run);
    if memory_events > 0 {
        let run = run_once(binary, rules, memory_events, &[])?;
        print_run("Falco rules + defaults, memory run", &run);
    }
    Ok(())
}
