//! `palisade detect audit`: runs Falco and Sigma rules (and Palisade's defaults) over Kubernetes
//! audit events from files, standard input, a growing file or the API server's audit webhook,
//! writes alerts as JSON lines (Falcosidekick's payload plus the event's location) or text,
//! optionally POSTs them to a URL, and prints a summary on standard error at the end.
//!
//! Exit codes: 0 no alert, 1 some alert, 2 a usage error, an input that could not be read, or
//! (with `--strict`) a rules file with errors.

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use clap::{Args, Subcommand, ValueEnum};
use palisade_core::detect::runtime::{Detector, DetectorOptions, parse_cidr_list};
use palisade_core::detect::state::{
    BadEventKind, DAY_MS, DEFAULT_BASELINE_CAPACITY, RateLimit, Summary, parse_duration_ms,
};
use palisade_core::detect::{
    LoadOptions, Match, Priority, RuleFormat, RuleSource, load_rules, parse_audit_json,
};
use palisade_io::Input;
use palisade_io::audit::{AuditReadOptions, Item, classify_failure, follow, read_input};
use palisade_server::{AlertForwarder, AuditReceiver, stop_on_signal};
use serde::Serialize;

use super::{EXIT_ERROR, EXIT_FINDINGS, EXIT_OK};

#[derive(Debug, Args)]
pub struct DetectArgs {
    #[command(subcommand)]
    command: DetectCommand,
}

#[derive(Debug, Subcommand)]
enum DetectCommand {
    /// Detect threats in Kubernetes audit events.
    Audit(AuditArgs),
}

/// Alert formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AlertFormat {
    /// One JSON object per line, compatible with Falcosidekick.
    Json,
    /// One line of text per alert.
    Text,
}

#[derive(Debug, Args)]
#[allow(clippy::struct_excessive_bools)]
pub struct AuditArgs {
    /// Audit logs to read: JSON lines, an EventList or a JSON array, gzip-compressed or not;
    /// `-` (the default without --listen) reads standard input.
    #[arg(value_name = "FILE")]
    inputs: Vec<PathBuf>,

    /// Falco rules files, or directories of them (`.yaml`, `.yml`); repeatable.
    #[arg(long, value_name = "FILE|DIR")]
    rules: Vec<PathBuf>,

    /// Sigma rules files, or directories of them; repeatable.
    #[arg(long, value_name = "FILE|DIR")]
    sigma: Vec<PathBuf>,

    /// Do not load Palisade's default rules (nor its stateful ones: first-time activity and
    /// failed-auth bursts).
    #[arg(long)]
    no_default_rules: bool,

    /// Refuse to run when any rules file has an error.
    #[arg(long)]
    strict: bool,

    /// Keep reading FILE as it grows (follows truncation and rotation); stop with Ctrl-C.
    #[arg(long, conflicts_with = "listen")]
    follow: bool,

    /// Receive the API server's audit webhook on ADDR (e.g. 0.0.0.0:8765); stop with Ctrl-C.
    #[arg(long, value_name = "ADDR")]
    listen: Option<String>,

    /// Alert format.
    #[arg(long, value_enum, default_value_t = AlertFormat::Json)]
    format: AlertFormat,

    /// Emit only alerts at or above this priority (emergency, alert, critical, error, warning,
    /// notice, informational, debug).
    #[arg(long, value_name = "PRIORITY", default_value = "debug", value_parser = parse_priority)]
    min_priority: Priority,

    /// At most N alerts of one rule per PERIOD, with bursts of N (e.g. 10/1m).
    #[arg(long, value_name = "N/PERIOD", value_parser = RateLimit::parse)]
    rate_limit: Option<RateLimit>,

    /// Hold back an alert identical to one the same rule gave within this time (e.g. 5m).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration_ms)]
    dedup: Option<i64>,

    /// POST each alert's JSON to this http:// URL (e.g. Falcosidekick's).
    #[arg(long, value_name = "URL")]
    webhook_url: Option<String>,

    /// Alert on requests from these addresses and CIDR ranges (one per line, `#` comments).
    #[arg(long, value_name = "FILE")]
    known_bad_cidrs: Option<PathBuf>,

    /// First-time activity: report a subject's verb on a resource not seen in this many days.
    #[arg(long, value_name = "DAYS", default_value_t = 7)]
    baseline_days: u32,

    /// First-time activity: learn for this long (of event time) before reporting.
    #[arg(long, value_name = "DURATION", default_value = "1h", value_parser = parse_duration_ms)]
    baseline_learning: i64,

    /// First-time activity: how many (subject, verb, resource) triples to remember.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_BASELINE_CAPACITY)]
    baseline_capacity: usize,

    /// Failed-auth bursts: N responses 401/403 for one user or source address within PERIOD.
    #[arg(long, value_name = "N/PERIOD", default_value = "10/1m", value_parser = RateLimit::parse)]
    failed_auth_burst: RateLimit,

    /// Events larger than this many bytes are skipped and counted.
    #[arg(long, value_name = "BYTES", default_value_t = palisade_io::audit::DEFAULT_MAX_EVENT_SIZE)]
    max_event_size: usize,
}

fn parse_priority(text: &str) -> Result<Priority, String> {
    text.parse()
}

pub fn run(args: &DetectArgs) -> anyhow::Result<ExitCode> {
    match &args.command {
        DetectCommand::Audit(audit) => run_audit(audit),
    }
}

/// A rules file read from disk.
struct RulesFile {
    name: String,
    text: String,
    format: RuleFormat,
}

/// Files named on the command line, and the `.yaml`/`.yml` files under named directories.
fn rule_files(
    paths: &[PathBuf],
    format: RuleFormat,
    out: &mut Vec<RulesFile>,
) -> anyhow::Result<()> {
    for path in paths {
        let discovered = palisade_io::discover(std::slice::from_ref(path));
        if let Some(d) = discovered.diagnostics.first() {
            bail!("{}: {}", path.display(), d.message);
        }
        for input in discovered.inputs {
            let Input::File(file) = &input else { continue };
            let named = file == path;
            let yaml = file.extension().is_some_and(|e| e == "yaml" || e == "yml");
            if !named && !yaml {
                continue;
            }
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("cannot read rules file {}", file.display()))?;
            out.push(RulesFile {
                name: input.display_name(),
                text,
                format,
            });
        }
    }
    Ok(())
}

/// The alert document: Falcosidekick's payload, Sigma's rule id, and where the event was.
#[derive(Serialize)]
struct AlertJson<'a> {
    time: &'a str,
    rule: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_id: Option<&'a str>,
    priority: &'a str,
    output: &'a str,
    output_fields: &'a std::collections::BTreeMap<String, serde_json::Value>,
    source: &'static str,
    tags: &'a [String],
    hostname: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    event: Option<EventLocation<'a>>,
}

#[derive(Serialize, Clone, Copy)]
struct EventLocation<'a> {
    file: &'a str,
    line: u64,
}

/// RFC 3339 with nanoseconds in UTC, as Falco writes times; the event's own text when it is not
/// a readable time.
fn alert_time(raw: &str) -> String {
    // The API server's own shape needs only its fraction padded; a general parse and format of
    // the time cost several times more than the rest of the alert.
    if palisade_core::detect::utc_timestamp_ns(raw).is_some() {
        let (seconds, fraction) = raw[..raw.len() - 1].split_at(19);
        let digits = fraction.strip_prefix('.').unwrap_or("");
        return format!("{seconds}.{digits:0<9}Z");
    }
    match raw.parse::<jiff::Timestamp>() {
        Ok(ts) => ts.strftime("%Y-%m-%dT%H:%M:%S%.9fZ").to_string(),
        Err(_) => raw.to_string(),
    }
}

/// Where alerts go.
struct Sink {
    out: BufWriter<Box<dyn Write>>,
    format: AlertFormat,
    hostname: String,
    forwarder: Option<AlertForwarder>,
    scratch: Vec<u8>,
    /// Set when standard output was closed: alerts are still counted.
    closed: bool,
}

impl Sink {
    fn emit(&mut self, m: &Match, location: Option<EventLocation<'_>>) {
        let time = alert_time(&m.time);
        let output = format!("{time}: {} {}", m.priority, m.output);
        let doc = AlertJson {
            time: &time,
            rule: &m.rule,
            rule_id: m.rule_id.as_deref(),
            priority: m.priority.as_str(),
            output: &output,
            output_fields: &m.output_fields,
            source: "k8s_audit",
            tags: &m.tags,
            hostname: &self.hostname,
            event: location,
        };
        self.scratch.clear();
        let needs_json = self.format == AlertFormat::Json || self.forwarder.is_some();
        if needs_json && serde_json::to_writer(&mut self.scratch, &doc).is_err() {
            return;
        }
        if let Some(forwarder) = &self.forwarder {
            forwarder.send(self.scratch.clone());
        }
        if self.closed {
            return;
        }
        let written = match self.format {
            AlertFormat::Json => self
                .out
                .write_all(&self.scratch)
                .and_then(|()| self.out.write_all(b"\n")),
            AlertFormat::Text => {
                let at = location.map_or(String::new(), |l| format!(" ({}:{})", l.file, l.line));
                writeln!(self.out, "{output} [{}]{at}", m.rule)
            }
        };
        if written.is_err() {
            self.closed = true;
        }
    }

    fn flush(&mut self) {
        if !self.closed && self.out.flush().is_err() {
            self.closed = true;
        }
    }
}

/// One run: the detector, where alerts go, and whether any was emitted.
struct Run {
    detector: Detector,
    sink: Sink,
}

impl Run {
    /// Parses `text` (one line, one document or one webhook body) found at `file:line` and
    /// evaluates the events in it.
    fn text(&mut self, file: &str, line: u64, text: &str, locate: bool) {
        match parse_audit_json(text) {
            Ok(events) => {
                let location = locate.then_some(EventLocation { file, line });
                for event in &events {
                    let sink = &mut self.sink;
                    self.detector
                        .process(event, &mut |m| sink.emit(m, location));
                }
            }
            Err(e) => {
                let kind = classify_failure(text);
                self.bad(kind, file, line, &e.message);
            }
        }
    }

    fn bad(&mut self, kind: BadEventKind, file: &str, line: u64, detail: &str) {
        let location = format!("{file}:{line}");
        self.detector
            .summary_mut()
            .bad_event(kind, &location, detail);
    }

    fn item(&mut self, file: &str, item: Item<'_>) {
        match item {
            Item::Event { line, text } => self.text(file, line, text, true),
            Item::Bad { line, kind, detail } => self.bad(kind, file, line, &detail),
        }
    }
}

fn audit_inputs(paths: &[PathBuf]) -> Vec<Input> {
    let mut inputs = Vec::new();
    for path in paths {
        if path.as_os_str() == palisade_io::STDIN {
            inputs.push(Input::Stdin);
        } else if path.is_dir() {
            // A log directory: every file in it, in name order (rotated files sort by suffix).
            let mut files: Vec<PathBuf> = std::fs::read_dir(path)
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path())
                .filter(|p| {
                    p.is_file()
                        && !p
                            .file_name()
                            .is_some_and(|n| n.to_string_lossy().starts_with('.'))
                })
                .collect();
            files.sort();
            inputs.extend(files.into_iter().map(Input::File));
        } else {
            inputs.push(Input::File(path.clone()));
        }
    }
    inputs
}

fn detector_options(args: &AuditArgs) -> anyhow::Result<DetectorOptions> {
    let mut options = DetectorOptions {
        min_priority: args.min_priority,
        rate_limit: args.rate_limit,
        dedup_window_ms: args.dedup,
        stateful_rules: !args.no_default_rules,
        baseline_horizon_ms: i64::from(args.baseline_days.max(1)) * DAY_MS,
        baseline_learning_ms: args.baseline_learning,
        baseline_capacity: args.baseline_capacity.max(1),
        failed_auth_threshold: args.failed_auth_burst.burst as usize,
        failed_auth_window_ms: args.failed_auth_burst.period_ms,
        known_bad: Vec::new(),
    };
    // With the default rules, the ranges extend their list and their rule reports; without them,
    // the detector's own rule does.
    if let Some(nets) = known_bad_cidrs(args)?
        && args.no_default_rules
    {
        options.known_bad = nets;
    }
    Ok(options)
}

/// The ranges of `--known-bad-cidrs`, checked line by line.
fn known_bad_cidrs(args: &AuditArgs) -> anyhow::Result<Option<Vec<ipnet::IpNet>>> {
    let Some(path) = &args.known_bad_cidrs else {
        return Ok(None);
    };
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let (nets, problems) = parse_cidr_list(&text);
    if let Some((line, message)) = problems.first() {
        bail!("{}:{line}: {message}", path.display());
    }
    Ok(Some(nets))
}

/// A Falco rules text appending `nets` to the default rules' list of hostile source ranges.
fn known_bad_list_source(nets: &[ipnet::IpNet]) -> String {
    let items: Vec<String> = nets.iter().map(|n| format!("\"{n}\"")).collect();
    format!(
        "- list: pal_known_bad_source_ranges\n  items: [{}]\n  append: true\n",
        items.join(", ")
    )
}

#[allow(clippy::too_many_lines)]
fn run_audit(args: &AuditArgs) -> anyhow::Result<ExitCode> {
    let mut files = Vec::new();
    rule_files(&args.rules, RuleFormat::Falco, &mut files)?;
    rule_files(&args.sigma, RuleFormat::Sigma, &mut files)?;
    if !args.no_default_rules
        && let Some(nets) = known_bad_cidrs(args)?
    {
        files.insert(
            0,
            RulesFile {
                name: format!(
                    "--known-bad-cidrs {}",
                    args.known_bad_cidrs
                        .as_ref()
                        .map_or(String::new(), |p| p.display().to_string())
                ),
                text: known_bad_list_source(&nets),
                format: RuleFormat::Falco,
            },
        );
    }
    let sources: Vec<RuleSource<'_>> = files
        .iter()
        .map(|f| RuleSource {
            file: &f.name,
            text: &f.text,
            format: f.format,
        })
        .collect();
    let (rules, errors) = load_rules(
        &sources,
        &LoadOptions {
            default_rules: !args.no_default_rules,
            strict: args.strict,
        },
    );
    let mut stderr = io::stderr().lock();
    for e in &errors {
        let _ = writeln!(stderr, "rules error: {e}");
    }
    if args.strict && !errors.is_empty() {
        let _ = writeln!(
            stderr,
            "error: {} rules error(s) and --strict: nothing evaluated",
            errors.len()
        );
        return Ok(ExitCode::from(EXIT_ERROR));
    }
    drop(stderr);
    let options = detector_options(args)?;
    let mut detector = Detector::new(rules, options);
    detector.summary_mut().load_errors = errors.iter().map(ToString::to_string).collect();

    let forwarder = match &args.webhook_url {
        Some(url) => Some(AlertForwarder::start(url, 10_000)?),
        None => None,
    };
    let stdout: Box<dyn Write> = Box::new(io::stdout().lock());
    let sink = Sink {
        out: BufWriter::with_capacity(64 * 1024, stdout),
        format: args.format,
        hostname: gethostname::gethostname().to_string_lossy().into_owned(),
        forwarder,
        scratch: Vec::with_capacity(1024),
        closed: false,
    };
    let mut run = Run { detector, sink };
    let read_options = AuditReadOptions {
        max_event_size: args.max_event_size,
        ..AuditReadOptions::default()
    };
    let stop = Arc::new(AtomicBool::new(false));
    let mut unreadable = 0usize;
    // The rate in the summary is of reading and evaluating events, not of loading rules.
    let started = Instant::now();

    if args.listen.is_some() && !args.inputs.is_empty() {
        bail!("--listen reads the webhook only; give no FILE with it");
    }
    let inputs = if args.inputs.is_empty() && args.listen.is_none() {
        vec![Input::Stdin]
    } else {
        audit_inputs(&args.inputs)
    };
    if args.follow {
        let [Input::File(path)] = inputs.as_slice() else {
            bail!("--follow takes exactly one FILE");
        };
        stop_on_signal(Arc::clone(&stop))?;
        let name = Input::File(path.clone()).display_name();
        // Alerts of a followed file should reach a reader promptly, so flush after each batch.
        let result = follow(path, false, &read_options, &stop, &mut |item| {
            run.item(&name, item);
            run.sink.flush();
        });
        if let Err(e) = result {
            report_unreadable(&name, &e);
            unreadable += 1;
        }
    } else if let Some(addr) = &args.listen {
        let receiver = AuditReceiver::listen(addr, palisade_server::DEFAULT_QUEUE)?;
        stop_on_signal(Arc::clone(&stop))?;
        #[allow(clippy::print_stderr)]
        {
            eprintln!(
                "palisade detect: listening for audit webhook batches on http://{}",
                receiver.local_addr()
            );
        }
        let mut batch = 0u64;
        while !stop.load(Ordering::Relaxed) {
            let Some(body) = receiver.recv_timeout(Duration::from_millis(200)) else {
                continue;
            };
            batch += 1;
            match std::str::from_utf8(&body) {
                Ok(text) => run.text("webhook", batch, text, false),
                Err(_) => run.bad(BadEventKind::NotUtf8, "webhook batch", batch, "not UTF-8"),
            }
            run.sink.flush();
        }
        let dropped = receiver.dropped();
        if dropped > 0 {
            run.detector
                .summary_mut()
                .dropped
                .insert("webhook batches (queue full)", dropped);
        }
    } else {
        for input in &inputs {
            let name = input.display_name();
            if let Err(e) = read_input(input, &read_options, &mut |item| run.item(&name, item)) {
                report_unreadable(&name, &e);
                unreadable += 1;
            }
        }
    }

    let Run { detector, mut sink } = run;
    sink.flush();
    let mut summary = detector.finish();
    if let Some(forwarder) = sink.forwarder.take() {
        let stats = forwarder.finish();
        if stats.dropped > 0 {
            summary
                .dropped
                .insert("webhook alerts (queue full)", stats.dropped);
        }
        if stats.failed > 0 {
            summary
                .dropped
                .insert("webhook alerts (POST failed)", stats.failed);
        }
    }
    let mut stderr = io::stderr().lock();
    let _ = write_summary(&mut stderr, &summary, started.elapsed());
    Ok(ExitCode::from(if unreadable > 0 {
        EXIT_ERROR
    } else if summary.emitted() > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }))
}

fn report_unreadable(name: &str, error: &palisade_io::InputError) {
    #[allow(clippy::print_stderr)]
    {
        eprintln!("error: {name}: {error}");
    }
}

/// The end-of-run summary, for people (standard error).
fn write_summary(out: &mut dyn Write, s: &Summary, elapsed: Duration) -> io::Result<()> {
    let secs = elapsed.as_secs_f64().max(1e-9);
    #[allow(clippy::cast_precision_loss)]
    let rate = s.events as f64 / secs;
    writeln!(
        out,
        "palisade detect: {} events in {secs:.2} s ({rate:.0} events/s), {} bad events, \
         {} rules loaded, {} rules errors, {} alerts",
        s.events,
        s.bad_total(),
        s.rules_loaded,
        s.load_errors.len(),
        s.emitted()
    )?;
    for (kind, bad) in &s.bad {
        let first: Vec<String> = bad
            .first
            .iter()
            .map(|(at, detail)| format!("{at} ({detail})"))
            .collect();
        writeln!(
            out,
            "  bad events, {}: {} (first at {})",
            kind.as_str(),
            bad.count,
            first.join("; ")
        )?;
    }
    for (rule, c) in &s.per_rule {
        let mut held = Vec::new();
        if c.duplicates > 0 {
            held.push(format!("{} duplicates", c.duplicates));
        }
        if c.rate_limited > 0 {
            held.push(format!("{} rate-limited", c.rate_limited));
        }
        if c.below_priority > 0 {
            held.push(format!("{} below --min-priority", c.below_priority));
        }
        let held = if held.is_empty() {
            String::new()
        } else {
            format!(" ({} held back)", held.join(", "))
        };
        writeln!(out, "  alerts, {rule}: {}{held}", c.emitted)?;
    }
    for (what, n) in &s.dropped {
        writeln!(out, "  dropped, {what}: {n}")?;
    }
    for (what, n) in &s.evictions {
        writeln!(out, "  memory bound reached, {what}: {n} entries forgotten")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alert_times_are_normalised_to_nanoseconds() {
        assert_eq!(
            alert_time("2018-10-25T14:09:12.123456Z"),
            "2018-10-25T14:09:12.123456000Z"
        );
        assert_eq!(alert_time("garbage"), "garbage");
        for raw in [
            "2018-10-25T14:09:12Z",
            "2018-10-25T14:09:12.1Z",
            "2018-10-25T14:09:12.123456789Z",
            "2018-10-25T16:09:12.5+02:00",
        ] {
            let general = raw
                .parse::<jiff::Timestamp>()
                .unwrap()
                .strftime("%Y-%m-%dT%H:%M:%S%.9fZ")
                .to_string();
            assert_eq!(alert_time(raw), general, "{raw}");
        }
    }

    #[test]
    fn summary_lists_bad_events_and_held_back_alerts() {
        let mut s = Summary {
            events: 3,
            ..Summary::default()
        };
        s.bad_event(BadEventKind::NotJson, "a.log:2", "invalid JSON");
        s.alert("R", palisade_core::detect::state::AlertOutcome::Emitted);
        s.alert("R", palisade_core::detect::state::AlertOutcome::Duplicate);
        let mut out = Vec::new();
        write_summary(&mut out, &s, Duration::from_secs(1)).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("3 events"), "{text}");
        assert!(text.contains("bad events, not_json: 1 (first at a.log:2 (invalid JSON))"));
        assert!(text.contains("alerts, R: 1 (1 duplicates held back)"));
    }

    #[test]
    fn rules_dirs_take_yaml_files_only() {
        let dir = std::env::temp_dir().join(format!("palisade-rules-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("a.yaml"), "- list: x\n  items: []\n").unwrap();
        std::fs::write(dir.join("b.json"), "{}").unwrap();
        let mut out = Vec::new();
        rule_files(std::slice::from_ref(&dir), RuleFormat::Falco, &mut out).unwrap();
        std::fs::remove_dir_all(&dir).ok();
        assert_eq!(out.len(), 1);
        assert!(out[0].name.ends_with("a.yaml"));
    }
}
