//! `palisade paths`: attack paths across workloads, RBAC, nodes, secrets and network
//! reachability — shortest and k-shortest paths, blast radius, the edges whose removal cuts
//! the most paths, and the paths a change adds or removes (`paths diff`).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::bail;
use clap::{Args, Subcommand, ValueEnum};
use palisade_core::graph::diff::{Change, default_sources, diff};
use palisade_core::graph::search::{ToTargets, blast_radius, cut, paths_to};
use palisade_core::graph::{Graph, Options};
use palisade_core::inventory::Inventory;
use palisade_core::report::paths as out;
use palisade_io::{ReadOptions, load_paths};

use super::output::{ColorWhen, Output, write_with};
use super::{EXIT_FINDINGS, EXIT_OK};

/// Output formats of `palisade paths`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PathsFormat {
    /// Text for people.
    Txt,
    /// A `palisade.paths/v1` JSON document.
    Json,
    /// A Graphviz digraph of the steps.
    Dot,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct PathsArgs {
    #[command(subcommand)]
    command: Option<PathsCommand>,

    #[command(flatten)]
    query: QueryArgs,
}

#[derive(Debug, Subcommand)]
enum PathsCommand {
    /// New and removed paths to critical targets between two states (exit 1 on any new one).
    Diff(DiffArgs),
}

#[derive(Debug, Args)]
struct QueryArgs {
    /// Files or directories with the cluster's objects (`-` for standard input).
    #[arg(value_name = "PATH", required = true)]
    paths: Vec<PathBuf>,

    /// Where attacks start (repeatable): `external`, `workloads`, `identities`, a vertex name
    /// such as `workload:shop/web[Deployment]` or `sa:ci/builder`, a name with `*` wildcards,
    /// or a workload as `ns/name` (default: `external` and every workload).
    #[arg(long, value_name = "SELECTOR")]
    from: Vec<String>,

    /// What attacks aim at: `cluster-admin`, `node`, `secrets`, or an identity or other vertex
    /// (`sa:kube-system/admin`, `user:alice`).
    #[arg(long, value_name = "TARGET", default_value = "cluster-admin")]
    to: String,

    /// Longest path considered, in steps.
    #[arg(long, value_name = "N", default_value_t = palisade_core::graph::search::DEFAULT_MAX_DEPTH)]
    max_depth: usize,

    /// Paths per source (the k shortest, loop-free).
    #[arg(short = 'k', value_name = "N", default_value_t = 1)]
    k: usize,

    /// Everything reachable from one compromised workload (or other vertex).
    #[arg(long, value_name = "WORKLOAD", conflicts_with_all = ["cut", "from"])]
    blast_radius: Option<String>,

    /// Rank edges by how many sources their removal cuts off from the target.
    #[arg(long)]
    cut: bool,

    /// How many edges `--cut` evaluates and lists.
    #[arg(long, value_name = "N", default_value_t = 10)]
    limit: usize,

    /// Output format.
    #[arg(long, value_enum, default_value_t = PathsFormat::Txt)]
    format: PathsFormat,

    /// Refuse inputs larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = palisade_io::DEFAULT_MAX_FILE_SIZE)]
    max_file_size: u64,
}

#[derive(Debug, Args)]
struct DiffArgs {
    /// The base state (file or directory).
    base: PathBuf,

    /// The head state (file or directory).
    head: PathBuf,

    /// Longest path considered, in steps.
    #[arg(long, value_name = "N", default_value_t = palisade_core::graph::search::DEFAULT_MAX_DEPTH)]
    max_depth: usize,

    /// Output format (`dot` is not available for diffs).
    #[arg(long, value_enum, default_value_t = PathsFormat::Txt)]
    format: PathsFormat,

    /// Refuse inputs larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = palisade_io::DEFAULT_MAX_FILE_SIZE)]
    max_file_size: u64,
}

fn load_inventory(paths: &[PathBuf], max_file_size: u64) -> anyhow::Result<Inventory> {
    let loaded = load_paths(paths, &ReadOptions { max_file_size });
    if super::report_diagnostics(&loaded.diagnostics) {
        bail!("some inputs could not be read");
    }
    Ok(Inventory::new(loaded.objects))
}

/// Runs `palisade paths …`.
pub fn run(args: &PathsArgs, color: ColorWhen) -> anyhow::Result<ExitCode> {
    match &args.command {
        Some(PathsCommand::Diff(d)) => run_diff(d, color),
        None => run_query(&args.query, color),
    }
}

fn run_query(args: &QueryArgs, color: ColorWhen) -> anyhow::Result<ExitCode> {
    if args.k == 0 {
        bail!("-k must be at least 1");
    }
    let inventory = load_inventory(&args.paths, args.max_file_size)?;
    let mut network_from = args.from.clone();
    network_from.extend(args.blast_radius.iter().cloned());
    let graph = Graph::build(&inventory, &Options { network_from });
    let mut output = Output::open(None, color)?;
    if let Some(start) = &args.blast_radius {
        let Some(&source) = graph.select(start).first() else {
            bail!("no workload or vertex matches {start:?}");
        };
        let reach = blast_radius(&graph, source, args.max_depth);
        write_with(&mut output, |w, color| match args.format {
            PathsFormat::Txt => out::write_blast_text(&graph, &reach, color, w),
            PathsFormat::Json => out::write_blast_json(&graph, &reach, w),
            PathsFormat::Dot => {
                let edges: Vec<_> = reach
                    .reached
                    .iter()
                    .filter_map(|&(v, _)| reach.path_to(&graph, v))
                    .flat_map(|p| p.edges)
                    .collect();
                out::write_dot(&graph, &edges, w)
            }
        })?;
        output.finish()?;
        return Ok(ExitCode::from(EXIT_OK));
    }
    let sources = if args.from.is_empty() {
        default_sources(&graph)
    } else {
        let mut sources = Vec::new();
        for selector in &args.from {
            let found = if selector == "external" {
                graph.find("external").into_iter().collect()
            } else {
                graph.select(selector)
            };
            if found.is_empty() {
                bail!("--from {selector:?} matches nothing in the graph");
            }
            sources.extend(found);
        }
        sources.sort_unstable();
        sources.dedup();
        sources
    };
    let targets = graph.targets(&args.to);
    if targets.is_empty() && !matches!(args.to.as_str(), "cluster-admin" | "node" | "secrets") {
        bail!("--to {:?} matches nothing in the graph", args.to);
    }
    if args.cut {
        let to = ToTargets::new(
            &graph,
            &targets,
            args.max_depth,
            &palisade_core::graph::search::Blocked::none(&graph),
        );
        let reaching = sources.iter().filter(|&&s| to.reaches(s)).count();
        let cuts = cut(&graph, &sources, &targets, args.max_depth, args.limit);
        write_with(&mut output, |w, color| match args.format {
            PathsFormat::Txt => out::write_cut_text(&graph, &args.to, reaching, &cuts, color, w),
            PathsFormat::Json => out::write_cut_json(&graph, &args.to, reaching, &cuts, w),
            PathsFormat::Dot => {
                let edges: Vec<_> = cuts.iter().map(|c| c.edge).collect();
                out::write_dot(&graph, &edges, w)
            }
        })?;
        output.finish()?;
        return Ok(ExitCode::from(if reaching > 0 {
            EXIT_FINDINGS
        } else {
            EXIT_OK
        }));
    }
    let paths = paths_to(&graph, &sources, &targets, args.k, args.max_depth);
    write_with(&mut output, |w, color| match args.format {
        PathsFormat::Txt => out::write_paths_text(&graph, &args.to, &paths, color, w),
        PathsFormat::Json => out::write_paths_json(&graph, &args.to, &paths, w),
        PathsFormat::Dot => out::write_dot(&graph, &out::path_edges(&paths), w),
    })?;
    output.finish()?;
    Ok(ExitCode::from(if paths.is_empty() {
        EXIT_OK
    } else {
        EXIT_FINDINGS
    }))
}

fn run_diff(args: &DiffArgs, color: ColorWhen) -> anyhow::Result<ExitCode> {
    if args.format == PathsFormat::Dot {
        bail!("--format dot is not available for diffs");
    }
    let base_inventory = load_inventory(std::slice::from_ref(&args.base), args.max_file_size)?;
    let head_inventory = load_inventory(std::slice::from_ref(&args.head), args.max_file_size)?;
    let base = Graph::from_inventory(&base_inventory);
    let head = Graph::from_inventory(&head_inventory);
    let changes = diff(&base, &head, args.max_depth);
    let mut output = Output::open(None, color)?;
    write_with(&mut output, |w, color| match args.format {
        PathsFormat::Json => out::write_diff_json(&base, &head, &changes, w),
        _ => out::write_diff_text(&base, &head, &changes, color, w),
    })?;
    output.finish()?;
    Ok(ExitCode::from(
        if changes.iter().any(|c| c.change == Change::New) {
            EXIT_FINDINGS
        } else {
            EXIT_OK
        },
    ))
}
