//! `palisade netpol`: NetworkPolicy connectivity — `list` every allowed connection, `eval` one.

use std::io::{Read as _, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use clap::{Args, Subcommand, ValueEnum};
use palisade_core::document::{Document, parse_stream_where};
use palisade_core::netpol::explain::Side;
use palisade_core::netpol::{
    self, Cluster, EvalScope, Focus, FocusDirection, Protocol, parse_peer,
};
use palisade_core::report::netpol::{
    ExposureFilter, ListFormat, reason_text, write_diff, write_explain,
    write_explain_with_exposure, write_list, write_list_with_exposure, write_permitted,
};
use palisade_io::{Input, discover};
use rayon::prelude::*;

use super::output::{ColorWhen, Output, write_with};
use super::{EXIT_FINDINGS, EXIT_OK};

#[derive(Debug, Args)]
pub struct NetpolArgs {
    #[command(subcommand)]
    command: NetpolCommand,
}

#[derive(Debug, Subcommand)]
enum NetpolCommand {
    /// List every allowed connection between workloads and external address ranges.
    List(ListArgs),
    /// Say whether one connection is allowed (exit 0) or denied (exit 1).
    Eval(EvalArgs),
    /// Connections added, removed and changed from one set of manifests to another.
    Diff(DiffArgs),
    /// Which policies and rules allow or deny a connection, and which side blocks it.
    Explain(EvalArgs),
}

#[derive(Debug, Args)]
struct DiffArgs {
    /// The manifests before the change (file or directory).
    #[arg(value_name = "DIR1")]
    before: PathBuf,

    /// The manifests after the change (file or directory).
    #[arg(value_name = "DIR2")]
    after: PathBuf,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Txt)]
    format: Format,

    /// Write the diff to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,

    /// Exit 1 when any connection changed.
    #[arg(long)]
    fail_on_change: bool,
}

/// Output formats of `netpol list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// `src => dst : conn` lines.
    Txt,
    /// The `palisade.netpol.list/v1` JSON document.
    Json,
    /// CSV with the header `src,dst,conn`.
    Csv,
    /// A Markdown table.
    Md,
    /// A Graphviz digraph (workloads grouped by namespace).
    Dot,
}

#[derive(Debug, Args)]
struct ListArgs {
    /// Files and directories of manifests (`-` for standard input).
    #[arg(value_name = "PATH", default_value = ".")]
    paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Txt)]
    format: Format,

    /// Write the list to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,

    /// Only connections of these workloads (`ns/name[Kind]`, `ns/name` or `name`;
    /// repeatable or comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "W")]
    focus_workload: Vec<String>,

    /// With --focus-workload: only connections in which the focus workload receives
    /// (ingress) or sends (egress).
    #[arg(long, value_enum, requires = "focus_workload")]
    focus_direction: Option<Direction>,

    /// With --focus-workload: only connections with these other workloads.
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "W",
        requires = "focus_workload"
    )]
    focus_peer: Vec<String>,

    /// Only connections permitted on this destination port (listed without ports).
    #[arg(long, value_name = "P")]
    port: Option<u32>,

    /// Protocol of `--port`.
    #[arg(long, default_value = "TCP", value_parser = parse_protocol)]
    protocol: Protocol,

    /// Also show what each workload is open to beyond the given objects (any namespace, any
    /// pod matching a selector, the outside world) and, in txt and json, which workloads no
    /// policy protects; in dot, exposure peers are nodes of the graph.
    #[arg(long)]
    exposure: bool,

    /// Instead of the list, explain every pair of peers (txt format): what is allowed and
    /// what is denied, with the policies, rules or defaults that decided each side; with
    /// --exposure, the exposure sections follow.
    #[arg(long, conflicts_with = "port")]
    explain: bool,
}

/// `--focus-direction` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Direction {
    /// The focus workload is the destination.
    Ingress,
    /// The focus workload is the source.
    Egress,
}

#[derive(Debug, Args)]
struct EvalArgs {
    /// Files and directories of manifests (`-` for standard input).
    #[arg(value_name = "PATH", default_value = ".")]
    paths: Vec<PathBuf>,

    /// The source: a workload (`ns/name[Kind]` or `ns/name`) or an IPv4 address.
    #[arg(long, value_name = "W|IP")]
    src: String,

    /// The destination: a workload or an IPv4 address.
    #[arg(long, value_name = "W|IP")]
    dst: String,

    /// Only this destination port (default: any connection at all).
    #[arg(long, value_name = "P")]
    port: Option<u32>,

    /// Protocol of `--port`.
    #[arg(long, default_value = "TCP", value_parser = parse_protocol)]
    protocol: Protocol,
}

fn parse_protocol(text: &str) -> Result<Protocol, String> {
    Protocol::parse(&text.to_ascii_uppercase()).ok_or_else(|| "expected TCP, UDP or SCTP".into())
}

pub fn run(args: &NetpolArgs, color: ColorWhen) -> anyhow::Result<ExitCode> {
    match &args.command {
        NetpolCommand::List(a) => list(a, color),
        NetpolCommand::Eval(a) => eval(a, color),
        NetpolCommand::Diff(a) => diff(a, color),
        NetpolCommand::Explain(a) => explain(a, color),
    }
}

/// Reads every manifest under `paths` and builds the cluster model. Parse problems go to
/// standard error; what parsed is still analysed.
fn load_cluster(paths: &[PathBuf]) -> anyhow::Result<Cluster> {
    let inputs = read_inputs(paths)?;
    build_cluster(&inputs, &|_| true).into_result()
}

/// The text of every input under `paths`, by display name. Inputs that cannot be found are
/// reported on standard error and passed over.
fn read_inputs(paths: &[PathBuf]) -> anyhow::Result<Vec<(String, String)>> {
    let discovered = discover(paths);
    let mut stderr = std::io::stderr();
    for d in &discovered.diagnostics {
        writeln!(stderr, "{d}")?;
    }
    discovered
        .inputs
        .par_iter()
        .map(|input| {
            let text = match input {
                Input::File(path) => std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read {}", path.display()))?,
                Input::Stdin => {
                    let mut text = String::new();
                    std::io::stdin()
                        .read_to_string(&mut text)
                        .context("cannot read standard input")?;
                    text
                }
            };
            Ok((input.display_name(), text))
        })
        .collect()
}

/// A model and what building it had to say, not yet shown.
struct Built {
    cluster: Cluster,
    /// Parse problems and model warnings, as lines for standard error.
    messages: Vec<String>,
}

impl Built {
    /// Shows the messages and refuses a model of invalid objects.
    fn into_result(self) -> anyhow::Result<Cluster> {
        let mut stderr = std::io::stderr();
        for m in &self.messages {
            writeln!(stderr, "{m}")?;
        }
        // Objects the API server would reject make any result misleading: refuse, naming each.
        if !self.cluster.errors.is_empty() {
            bail!(
                "invalid policies, no result:\n  {}",
                self.cluster.errors.join("\n  ")
            );
        }
        Ok(self.cluster)
    }
}

/// Builds the model from the documents of `inputs` whose text `wanted` accepts (see
/// [`parse_stream_where`]); the others are neither parsed nor checked.
fn build_cluster(inputs: &[(String, String)], wanted: &(dyn Fn(&str) -> bool + Sync)) -> Built {
    let mut messages = Vec::new();
    let mut documents: Vec<(&str, Document)> = Vec::new();
    let streams: Vec<_> = inputs
        .par_iter()
        .map(|(_, text)| parse_stream_where(text, wanted))
        .collect();
    for ((name, _), parsed) in inputs.iter().zip(streams) {
        for p in &parsed.problems {
            messages.push(format!("{name}:{}: {}", p.pos, p.message));
        }
        documents.extend(parsed.documents.into_iter().map(|d| (name.as_str(), d)));
    }
    let cluster = Cluster::from_files(documents.iter().map(|(f, d)| (*f, &d.root)));
    messages.extend(cluster.warnings.iter().map(|w| format!("warning: {w}")));
    Built { cluster, messages }
}

fn list(args: &ListArgs, color: ColorWhen) -> anyhow::Result<ExitCode> {
    let cluster = load_cluster(&args.paths)?;
    let focus = Focus {
        workloads: args.focus_workload.clone(),
        direction: args.focus_direction.map(|d| match d {
            Direction::Ingress => FocusDirection::Ingress,
            Direction::Egress => FocusDirection::Egress,
        }),
        peers: args.focus_peer.clone(),
    };
    if args.explain {
        if args.format != Format::Txt {
            bail!("--explain is available in the txt format");
        }
        let explanations: Vec<_> = cluster
            .explain_all()
            .into_iter()
            .filter(|e| {
                focus.keeps(&netpol::Connection {
                    src: e.src.clone(),
                    dst: e.dst.clone(),
                    conn: e.allowed.to_string(),
                })
            })
            .collect();
        let mut output = Output::open(args.output.as_deref(), color)?;
        if args.exposure {
            // The exposure section merges in the external ranges of the (focused) list.
            let connections: Vec<_> = cluster
                .connectivity()
                .into_iter()
                .filter(|c| focus.keeps(c))
                .collect();
            let filter = ExposureFilter {
                focus: &focus,
                port: None,
            };
            write_with(&mut output, |out, _| {
                write_explain_with_exposure(
                    out,
                    &explanations,
                    netpol::ASSUMPTIONS,
                    &connections,
                    &cluster.exposure(),
                    &filter,
                )
            })?;
        } else {
            write_with(&mut output, |out, _| {
                write_explain(out, &explanations, netpol::ASSUMPTIONS)
            })?;
        }
        output.finish()?;
        return Ok(ExitCode::SUCCESS);
    }
    let all = match args.port {
        Some(port) => cluster.permitted_on(args.protocol, port),
        None => cluster.connectivity(),
    };
    let connections: Vec<_> = all.into_iter().filter(|c| focus.keeps(c)).collect();
    let format = list_format(args.format);
    let filter = ExposureFilter {
        focus: &focus,
        port: args.port.map(|p| (args.protocol, p)),
    };
    let mut output = Output::open(args.output.as_deref(), color)?;
    write_with(&mut output, |out, _| match args.port {
        _ if args.exposure => write_list_with_exposure(
            out,
            &connections,
            netpol::ASSUMPTIONS,
            &cluster.exposure(),
            &filter,
            format,
        ),
        Some(port) => write_permitted(
            out,
            &connections,
            netpol::ASSUMPTIONS,
            &format!("{} {port}", args.protocol.as_str()),
            format,
        ),
        None => write_list(out, &connections, netpol::ASSUMPTIONS, format),
    })?;
    output.finish()?;
    Ok(ExitCode::SUCCESS)
}

fn eval(args: &EvalArgs, color: ColorWhen) -> anyhow::Result<ExitCode> {
    // Only the documents that can bear on this one connection are parsed (see `EvalScope`):
    // on a large cluster that is nearly all the time the command takes. When an end is not
    // found that way (a typo, a bare name, an IPv6 address and no IPv6 rule among the
    // policies read), everything is read, so that the answer or the error is the same as
    // from the whole input.
    let inputs = read_inputs(&args.paths)?;
    let scoped = EvalScope::new(&args.src, &args.dst).and_then(|scope| {
        // Whole files first (one search of their text), then documents.
        let relevant: Vec<(String, String)> = inputs
            .iter()
            .filter(|(_, text)| !scope.leaves_out_input(text))
            .cloned()
            .collect();
        let built = build_cluster(&relevant, &|d| scope.bears_on(d));
        let src = parse_peer(&built.cluster, &args.src)?;
        let dst = parse_peer(&built.cluster, &args.dst)?;
        Some((built, src, dst))
    });
    let (cluster, src, dst) = if let Some((built, src, dst)) = scoped {
        (built.into_result()?, src, dst)
    } else {
        let cluster = build_cluster(&inputs, &|_| true).into_result()?;
        let Some(src) = parse_peer(&cluster, &args.src) else {
            bail!("no workload or IPv4 address `{}` in the inputs", args.src);
        };
        let Some(dst) = parse_peer(&cluster, &args.dst) else {
            bail!("no workload or IPv4 address `{}` in the inputs", args.dst);
        };
        (cluster, src, dst)
    };
    let conn = cluster.allowed(src, dst);
    let allowed = match args.port {
        Some(port) => conn.allows(args.protocol, port),
        None => !conn.is_empty(),
    };
    let what = args.port.map_or_else(String::new, |p| {
        format!(" on {} {p}", args.protocol.as_str())
    });
    let mut output = Output::open(None, color)?;
    write_with(&mut output, |out, _| {
        writeln!(
            out,
            "{}: {} => {}{what} (allowed between them: {conn})",
            if allowed { "allowed" } else { "denied" },
            cluster.peer_name(src),
            cluster.peer_name(dst),
        )
    })?;
    output.finish()?;
    Ok(ExitCode::from(if allowed {
        EXIT_OK
    } else {
        EXIT_FINDINGS
    }))
}

fn list_format(format: Format) -> ListFormat {
    match format {
        Format::Txt => ListFormat::Txt,
        Format::Json => ListFormat::Json,
        Format::Csv => ListFormat::Csv,
        Format::Md => ListFormat::Md,
        Format::Dot => ListFormat::Dot,
    }
}

fn diff(args: &DiffArgs, color: ColorWhen) -> anyhow::Result<ExitCode> {
    let before = load_cluster(std::slice::from_ref(&args.before))?;
    let after = load_cluster(std::slice::from_ref(&args.after))?;
    let entries = netpol::diff::diff(&before, &after);
    let mut output = Output::open(args.output.as_deref(), color)?;
    write_with(&mut output, |out, _| {
        write_diff(out, &entries, netpol::ASSUMPTIONS, list_format(args.format))
    })?;
    output.finish()?;
    let changed = args.fail_on_change && !entries.is_empty();
    Ok(ExitCode::from(if changed {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }))
}

fn explain(args: &EvalArgs, color: ColorWhen) -> anyhow::Result<ExitCode> {
    let cluster = load_cluster(&args.paths)?;
    let Some(src) = parse_peer(&cluster, &args.src) else {
        bail!("no workload or IPv4 address `{}` in the inputs", args.src);
    };
    let Some(dst) = parse_peer(&cluster, &args.dst) else {
        bail!("no workload or IPv4 address `{}` in the inputs", args.dst);
    };
    let e = cluster.explain(src, dst);
    let allows = |set: &netpol::ConnSet| match args.port {
        Some(port) => set.allows(args.protocol, port),
        None => !set.is_empty(),
    };
    let allowed = allows(&e.allowed);
    let what = args.port.map_or_else(String::new, |p| {
        format!(" on {} {p}", args.protocol.as_str())
    });
    let mut output = Output::open(None, color)?;
    write_with(&mut output, |out, _| {
        writeln!(
            out,
            "{}: {} => {}{what}",
            if allowed { "allowed" } else { "denied" },
            e.src,
            e.dst
        )?;
        writeln!(out, "allowed between them: {}", e.allowed)?;
        for (title, side, set) in [
            ("egress of the source", Side::Egress, &e.egress),
            ("ingress of the destination", Side::Ingress, &e.ingress),
        ] {
            writeln!(out, "\n{title}: {set}")?;
            // With a port, only what decided that port.
            let relevant = e
                .side(side)
                .filter(|r| args.port.is_none_or(|p| r.conn.allows(args.protocol, p)));
            for r in relevant {
                writeln!(out, "  - {}: {}", r.conn, reason_text(&e, r))?;
            }
        }
        if !allowed {
            let blocked: Vec<&str> = [("egress", &e.egress), ("ingress", &e.ingress)]
                .into_iter()
                .filter(|(_, set)| !allows(set))
                .map(|(side, _)| side)
                .collect();
            let sides = if blocked.is_empty() {
                "egress and ingress allow different ports".to_string()
            } else {
                blocked.join(" and ")
            };
            writeln!(out, "\nblocked by: {sides}")?;
        }
        Ok(())
    })?;
    output.finish()?;
    Ok(ExitCode::from(if allowed {
        EXIT_OK
    } else {
        EXIT_FINDINGS
    }))
}
