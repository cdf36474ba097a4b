//! `cargo xtask bench-node`: how long `palisade node` takes on the fixture nodes. Builds the
//! release binary, lays out the control-plane and worker fixtures under a temporary directory
//! with the modes and owners of their `modes.txt`, writes a snapshot of the control plane, then
//! times 30 runs each of `--root` on both, `--from` the snapshot, and the machine itself.

use std::fs;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::bench::{cpu_time, wait_with_rusage};

const RUNS: usize = 30;

fn copy_tree(from: &Path, to: &Path) -> anyhow::Result<()> {
    fs::create_dir_all(to)?;
    fs::set_permissions(to, fs::Permissions::from_mode(0o755))?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), &target)?;
            fs::set_permissions(&target, fs::Permissions::from_mode(0o644))?;
        }
    }
    Ok(())
}

/// Copies a fixture node and applies its `modes.txt` (owners only when running as root).
fn lay_out(fixture: &Path, to: &Path) -> anyhow::Result<()> {
    copy_tree(fixture, to)?;
    let modes = fs::read_to_string(fixture.join("modes.txt")).context("modes.txt")?;
    for line in modes
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let (mode, owner, file) = match fields.as_slice() {
            [mode, file] => (*mode, None, *file),
            [mode, owner, file] => (*mode, Some(*owner), *file),
            _ => bail!("bad modes.txt line {line:?}"),
        };
        let path = to.join(file);
        if let Some((uid, gid)) = owner.and_then(|o| o.split_once(':')) {
            let _ = std::os::unix::fs::chown(&path, uid.parse().ok(), gid.parse().ok());
        }
        fs::set_permissions(
            &path,
            fs::Permissions::from_mode(u32::from_str_radix(mode, 8)?),
        )?;
    }
    Ok(())
}

struct Run {
    wall: Duration,
    cpu: Duration,
    max_rss_kib: i64,
}

fn node_once(binary: &Path, args: &[&str]) -> anyhow::Result<Run> {
    let start = Instant::now();
    let child = Command::new(binary)
        .arg("node")
        .args(args)
        .args(["--format", "json", "-o", "/dev/null"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("cannot start {}", binary.display()))?;
    let (code, usage) = wait_with_rusage(child.id())?;
    let wall = start.elapsed();
    if !(0..=1).contains(&code) {
        bail!("palisade node {} exited with {code}", args.join(" "));
    }
    Ok(Run {
        wall,
        cpu: cpu_time(&usage.ru_utime) + cpu_time(&usage.ru_stime),
        max_rss_kib: usage.ru_maxrss,
    })
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Runs the benchmark and prints a Markdown table.
pub fn bench_node(root: &Path) -> anyhow::Result<()> {
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
    let scratch = std::env::temp_dir().join(format!("palisade-bench-node-{}", std::process::id()));
    let fixtures = root.join("crates/palisade/tests/fixtures/node");
    let control_plane = scratch.join("control-plane");
    let worker = scratch.join("worker");
    lay_out(&fixtures.join("control-plane"), &control_plane)?;
    lay_out(&fixtures.join("worker"), &worker)?;
    let snapshot = scratch.join("snapshot.json");
    let collected = Command::new(&binary)
        .args(["node", "--collect", "--root"])
        .arg(&control_plane)
        .arg("-o")
        .arg(&snapshot)
        .status()?;
    if !collected.success() {
        bail!("palisade node --collect failed");
    }
    let path = |p: &Path| p.display().to_string();
    let (cp, wk, snap) = (path(&control_plane), path(&worker), path(&snapshot));
    let cases: [(&str, Vec<&str>); 4] = [
        ("control-plane node, `--root`", vec!["--root", &cp]),
        ("worker node, `--root`", vec!["--root", &wk]),
        ("control-plane snapshot, `--from`", vec!["--from", &snap]),
        ("this machine (live, `/` and `/proc`)", vec![]),
    ];
    #[allow(clippy::print_stdout)]
    {
        println!(
            "| input | wall min (ms) | wall median (ms) | wall max (ms) | CPU median (ms) | peak RSS (MiB) |\n\
             |---|---|---|---|---|---|"
        );
    }
    for (name, args) in &cases {
        let mut runs = (0..RUNS)
            .map(|_| node_once(&binary, args))
            .collect::<anyhow::Result<Vec<Run>>>()?;
        runs.sort_by_key(|r| r.wall);
        let mut cpu: Vec<Duration> = runs.iter().map(|r| r.cpu).collect();
        cpu.sort();
        let rss = runs.iter().map(|r| r.max_rss_kib).max().unwrap_or(0);
        #[allow(clippy::print_stdout, clippy::cast_precision_loss)]
        {
            println!(
                "| {name} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} |",
                ms(runs[0].wall),
                ms(runs[RUNS / 2].wall),
                ms(runs[RUNS - 1].wall),
                ms(cpu[RUNS / 2]),
                rss as f64 / 1024.0
            );
        }
    }
    fs::remove_dir_all(&scratch).ok();
    Ok(())
}
