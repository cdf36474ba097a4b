//! `cargo xtask bench-netpol`: timing of `palisade netpol list` and `palisade netpol eval` on a
//! generated cluster (by default 5,000 workloads in 200 namespaces with 2,000 NetworkPolicies),
//! end to end and in process.
//!
//! End-to-end figures include reading every manifest, and parsing each one for `list`; `eval`
//! parses only those that can bear on its question. The in-process figures split
//! parsing, model construction, the full connectivity list and single `allowed` queries, with
//! the CPU time of the process next to wall time: the machine is shared, so wall time alone
//! can mislead, and the list runs on every core.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use palisade_core::document::{parse_stream, parse_stream_where};
use palisade_core::netpol::{Cluster, EvalScope, Peer, parse_peer};

use crate::generate::{DEFAULT_SEED, Rng};
use crate::generate_netpol::{NetpolSizes, generate_netpol};
use crate::measure::{cpu_time, release_binary, report_row_with};

/// User plus system CPU time of this process so far.
#[allow(unsafe_code)]
fn own_cpu_time() -> Duration {
    // SAFETY: `rusage` is plain old data, valid when zeroed, and the pointer refers to a live
    // local for the duration of the call.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &raw mut usage);
        usage
    };
    cpu_time(&usage.ru_utime) + cpu_time(&usage.ru_stime)
}

/// Wall and CPU time of `f`.
fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration, Duration) {
    let (start, cpu) = (Instant::now(), own_cpu_time());
    let out = f();
    (out, start.elapsed(), own_cpu_time().saturating_sub(cpu))
}

/// The steps of one `eval` in this process, on one thread: reading every file, leaving out
/// files and documents with the question's [`EvalScope`] and parsing those kept, building the
/// model and answering. Best of `runs`.
fn eval_in_process(paths: &[PathBuf], src: &str, dst: &str, runs: usize) -> anyhow::Result<()> {
    let scope = EvalScope::new(src, dst).context("the question names no namespace")?;
    let mut best = [Duration::MAX; 3];
    let (mut kept, mut files_kept) = (0, 0);
    for _ in 0..runs {
        let (texts, read, _) = timed(|| {
            paths
                .iter()
                .map(std::fs::read_to_string)
                .collect::<Result<Vec<_>, _>>()
        });
        let texts = texts?;
        let (streams, filter, _) = timed(|| {
            texts
                .iter()
                .filter(|t| !scope.leaves_out_input(t))
                .map(|t| parse_stream_where(t, |d| scope.bears_on(d)))
                .collect::<Vec<_>>()
        });
        let (answer, answer_time, _) = timed(|| {
            let cluster = Cluster::from_roots(
                streams
                    .iter()
                    .flat_map(|s| s.documents.iter().map(|d| &d.root)),
            );
            let ends = parse_peer(&cluster, src).zip(parse_peer(&cluster, dst));
            ends.map(|(s, d)| cluster.allowed(s, d).to_string())
        });
        answer.context("the question's ends are not in the generated cluster")?;
        kept = streams.iter().map(|s| s.documents.len()).sum::<usize>();
        files_kept = streams.len();
        for (slot, took) in best.iter_mut().zip([read, filter, answer_time]) {
            *slot = (*slot).min(took);
        }
    }
    #[allow(clippy::print_stdout)]
    {
        println!(
            "\n`eval {src} => {dst}` in process, one thread, best of {runs} (ms): read every \
             file {:.2}, search the files + cut, filter and parse the {files_kept} files kept \
             {:.2} ({kept} documents parsed), model + answer {:.2}",
            best[0].as_secs_f64() * 1e3,
            best[1].as_secs_f64() * 1e3,
            best[2].as_secs_f64() * 1e3,
        );
    }
    Ok(())
}

/// Parses, builds the model, lists everything and answers single queries, in this process.
fn in_process(dir: &Path) -> anyhow::Result<()> {
    if cfg!(debug_assertions) {
        #[allow(clippy::print_stdout)]
        {
            println!(
                "\nnote: xtask is unoptimised, so the in-process figures below are not \
                 representative; run `cargo run --release -p xtask -- bench-netpol`"
            );
        }
    }
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    paths.sort();
    let (streams, parse_wall, parse_cpu) = timed(|| {
        paths
            .iter()
            .map(|p| {
                let text = std::fs::read_to_string(p)?;
                Ok((p.display().to_string(), parse_stream(&text)))
            })
            .collect::<anyhow::Result<Vec<_>>>()
    });
    let streams = streams?;
    let (cluster, build_wall, build_cpu) = timed(|| {
        Cluster::from_files(
            streams
                .iter()
                .flat_map(|(f, s)| s.documents.iter().map(move |d| (f.as_str(), &d.root))),
        )
    });
    if !cluster.errors.is_empty() {
        bail!(
            "generated policies are invalid: {}",
            cluster.errors.join("; ")
        );
    }
    let (list, list_wall, list_cpu) = timed(|| cluster.connectivity());

    let n = cluster.workloads().len();
    let mut rng = Rng::new(DEFAULT_SEED);
    let queries = 1_000;
    let (mut slowest, mut total, mut allowed) = (Duration::ZERO, Duration::ZERO, 0usize);
    for _ in 0..queries {
        let src = Peer::Workload(rng.below(n as u64) as usize);
        let dst = Peer::Workload(rng.below(n as u64) as usize);
        let start = Instant::now();
        allowed += usize::from(!cluster.allowed(src, dst).is_empty());
        let took = start.elapsed();
        slowest = slowest.max(took);
        total += took;
    }
    #[allow(clippy::cast_precision_loss)]
    let mean = total.as_secs_f64() / f64::from(queries);
    #[allow(clippy::print_stdout)]
    {
        println!(
            "\nIn process ({n} workloads, {} connections listed), wall / CPU seconds:\n\n\
             | step | wall (s) | CPU (s) |\n|---|---|---|\n\
             | read + parse | {:.3} | {:.3} |\n\
             | model build | {:.3} | {:.3} |\n\
             | full connectivity list | {:.3} | {:.3} |\n\n\
             `allowed` between {queries} random workload pairs ({allowed} allowed): \
             mean {:.3} ms, slowest {:.3} ms",
            list.len(),
            parse_wall.as_secs_f64(),
            parse_cpu.as_secs_f64(),
            build_wall.as_secs_f64(),
            build_cpu.as_secs_f64(),
            list_wall.as_secs_f64(),
            list_cpu.as_secs_f64(),
            mean * 1e3,
            slowest.as_secs_f64() * 1e3,
        );
    }
    eval_in_process(&paths, "team-0100/api-1", "team-0105/api-6", EVAL_RUNS)
}

/// Runs of each `eval` row; the table keeps the fastest.
const EVAL_RUNS: usize = 30;

/// Builds the release binary, generates the default-size cluster and prints the figures.
pub fn bench_netpol(root: &Path) -> anyhow::Result<()> {
    let binary = release_binary(root)?;

    let dir = std::env::temp_dir().join(format!("palisade-bench-netpol-{}", std::process::id()));
    let sizes = NetpolSizes::default();
    let (objects, files) = generate_netpol(&sizes, &dir, DEFAULT_SEED)?;
    let d = dir.to_str().context("temporary directory is not UTF-8")?;
    #[allow(clippy::print_stdout)]
    {
        println!(
            "{} namespaces, {} workloads, {} NetworkPolicies: {objects} objects in {files} files\n\n\
             | command | wall (s) | CPU (s) | peak RSS (MiB) |\n|---|---|---|---|",
            sizes.namespaces, sizes.workloads, sizes.policies
        );
    }
    let result = (|| {
        let list = ["netpol", "list", d, "-f", "json", "-o", "/dev/null"];
        report_row_with(&binary, "`netpol list -f json`", &list, None, 3)?;
        report_row_with(
            &binary,
            "`netpol list -f json`, one thread",
            &list,
            Some(1),
            3,
        )?;
        // `eval` takes milliseconds, where a loaded machine's noise is the figure: more runs.
        report_row_with(
            &binary,
            "`netpol eval --src team-0100/api-1 --dst team-0105/api-6`",
            &[
                "netpol",
                "eval",
                d,
                "--src",
                "team-0100/api-1",
                "--dst",
                "team-0105/api-6",
            ],
            None,
            EVAL_RUNS,
        )?;
        report_row_with(
            &binary,
            "`netpol eval --src 8.8.8.8 --dst team-0100/web-0 --port 8080`",
            &[
                "netpol",
                "eval",
                d,
                "--src",
                "8.8.8.8",
                "--dst",
                "team-0100/web-0",
                "--port",
                "8080",
            ],
            None,
            EVAL_RUNS,
        )?;
        in_process(&dir)
    })();
    std::fs::remove_dir_all(&dir).ok();
    result
}
