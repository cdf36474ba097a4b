//! `cargo xtask bench-node`: how long `palisade node` takes on the fixture nodes. Builds the
//! release binary, lays out the control-plane and worker fixtures under a temporary directory
//! with the modes and owners of their `modes.txt`, writes a snapshot of the control plane, then
//! times 30 runs each of `--root` on both, `--from` the snapshot, and the machine itself.

use std::fs;
use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, bail};

use crate::measure::{Run, measure, quiet, release_binary};

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

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Runs the benchmark and prints a Markdown table.
pub fn bench_node(root: &Path) -> anyhow::Result<()> {
    let binary = release_binary(root)?;
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
            .map(|_| {
                let mut full = vec!["node"];
                full.extend(args.iter().copied());
                full.extend(["--format", "json", "-o", "/dev/null"]);
                measure(&mut quiet(&binary, &full, None))
            })
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
