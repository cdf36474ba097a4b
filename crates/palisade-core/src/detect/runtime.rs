//! The detector a run drives: the loaded rule set plus the stateful rules and the alert gate,
//! fed one event at a time.
//!
//! For each event it evaluates the rules, adds the matches of Palisade's stateful rules (first-time
//! activity, failed-auth bursts, requests from known-bad address ranges), drops matches below the
//! minimum priority, passes the rest through the rate limit and deduplication gate, and counts
//! everything in the [`Summary`]. The clock is the event's own time, so the result does not depend
//! on when or how fast the log is read. It neither reads input nor writes alerts.

use std::collections::BTreeMap;
use std::net::IpAddr;

use serde_json::Value;

use super::event::Json;
use super::state::{
    AlertGate, AlertOutcome, AuthSubject, Baseline, DEFAULT_BASELINE_CAPACITY,
    DEFAULT_BASELINE_HORIZON_MS, DEFAULT_BASELINE_LEARNING_MS, DEFAULT_FAILED_AUTH_CAPACITY,
    DEFAULT_FAILED_AUTH_THRESHOLD, DEFAULT_FAILED_AUTH_WINDOW_MS, DEFAULT_GATE_CAPACITY,
    FailedAuth, Novelty, RateLimit, Summary,
};
use super::{AuditEvent, Match, Priority, RuleFormat, RuleSet};

/// The name of the first-time activity rule.
pub const FIRST_TIME_RULE: &str = "First Time Subject Activity";
/// The name of the failed-auth burst rule.
pub const FAILED_AUTH_RULE: &str = "Failed Authentication Burst";
/// The name of the known-bad address rule.
pub const KNOWN_BAD_RULE: &str = "Request From Known-Bad Address Range";

/// How the detector behaves.
#[derive(Debug, Clone)]
pub struct DetectorOptions {
    /// Matches below this priority are counted, not emitted.
    pub min_priority: Priority,
    /// Per-rule rate limit, if any.
    pub rate_limit: Option<RateLimit>,
    /// Deduplication window for identical alerts of one rule, in milliseconds, if any.
    pub dedup_window_ms: Option<i64>,
    /// Run the first-time activity and failed-auth burst rules (part of the default rules).
    pub stateful_rules: bool,
    /// First-time activity: how long an activity is remembered.
    pub baseline_horizon_ms: i64,
    /// First-time activity: how long to learn before reporting.
    pub baseline_learning_ms: i64,
    /// First-time activity: how many activities are remembered.
    pub baseline_capacity: usize,
    /// Failed-auth bursts: failures that make a burst.
    pub failed_auth_threshold: usize,
    /// Failed-auth bursts: the window, in milliseconds.
    pub failed_auth_window_ms: i64,
    /// Address ranges whose requests raise an alert.
    pub known_bad: Vec<ipnet::IpNet>,
}

impl Default for DetectorOptions {
    fn default() -> Self {
        DetectorOptions {
            min_priority: Priority::Debug,
            rate_limit: None,
            dedup_window_ms: None,
            stateful_rules: true,
            baseline_horizon_ms: DEFAULT_BASELINE_HORIZON_MS,
            baseline_learning_ms: DEFAULT_BASELINE_LEARNING_MS,
            baseline_capacity: DEFAULT_BASELINE_CAPACITY,
            failed_auth_threshold: DEFAULT_FAILED_AUTH_THRESHOLD,
            failed_auth_window_ms: DEFAULT_FAILED_AUTH_WINDOW_MS,
            known_bad: Vec::new(),
        }
    }
}

/// Parses a list of addresses and ranges, one per line (`10.0.0.0/8`, `203.0.113.7`, `2001:db8::/32`);
/// `#` starts a comment. Returns the ranges and the problems as `(line, message)`.
pub fn parse_cidr_list(text: &str) -> (Vec<ipnet::IpNet>, Vec<(usize, String)>) {
    let mut nets = Vec::new();
    let mut problems = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let entry = raw.split('#').next().unwrap_or("").trim();
        if entry.is_empty() {
            continue;
        }
        if let Ok(net) = entry.parse::<ipnet::IpNet>() {
            nets.push(net.trunc());
        } else if let Ok(addr) = entry.parse::<IpAddr>() {
            nets.push(ipnet::IpNet::from(addr));
        } else {
            problems.push((i + 1, format!("{entry:?} is not an address or CIDR range")));
        }
    }
    (nets, problems)
}

/// The few event fields the stateful rules read, looked up once per event.
#[derive(Clone, Copy)]
struct Facts<'a> {
    user: Option<&'a str>,
    verb: Option<&'a str>,
    resource: Option<&'a str>,
    subresource: Option<&'a str>,
    namespace: Option<&'a str>,
    source_ip: Option<&'a str>,
    code: Option<i64>,
    final_stage: bool,
}

/// The rule set, the stateful rules and the counters of one run.
pub struct Detector {
    rules: RuleSet,
    options: DetectorOptions,
    gate: AlertGate,
    baseline: Option<Baseline>,
    failed_auth: Option<FailedAuth>,
    last_ms: i64,
    summary: Summary,
    matches: Vec<Match>,
}

fn field(map: &mut BTreeMap<String, Value>, name: &str, value: Option<&str>) {
    map.insert(
        name.to_string(),
        value.map_or(Value::Null, |v| Value::String(v.to_string())),
    );
}

fn tags(list: &[&str]) -> Vec<String> {
    list.iter().map(|t| (*t).to_string()).collect()
}

impl Detector {
    /// A detector over `rules`.
    pub fn new(rules: RuleSet, options: DetectorOptions) -> Self {
        let baseline = options.stateful_rules.then(|| {
            Baseline::new(
                options.baseline_horizon_ms,
                options.baseline_learning_ms,
                options.baseline_capacity,
            )
        });
        let failed_auth = options.stateful_rules.then(|| {
            FailedAuth::new(
                options.failed_auth_threshold,
                options.failed_auth_window_ms,
                DEFAULT_FAILED_AUTH_CAPACITY,
            )
        });
        let mut summary = Summary {
            rules_loaded: rules.len(),
            ..Summary::default()
        };
        summary.rules_loaded += usize::from(baseline.is_some())
            + usize::from(failed_auth.is_some())
            + usize::from(!options.known_bad.is_empty());
        Detector {
            gate: AlertGate::new(
                options.rate_limit,
                options.dedup_window_ms,
                DEFAULT_GATE_CAPACITY,
            ),
            rules,
            options,
            baseline,
            failed_auth,
            last_ms: i64::MIN,
            summary,
            matches: Vec::new(),
        }
    }

    /// The counters so far.
    pub fn summary(&self) -> &Summary {
        &self.summary
    }

    /// The counters, for adding what the caller counts (bad events, load errors, drops).
    pub fn summary_mut(&mut self) -> &mut Summary {
        &mut self.summary
    }

    /// The counters with the state machines' evictions filled in.
    pub fn finish(mut self) -> Summary {
        self.summary
            .evictions
            .insert("alert gate", self.gate.evictions());
        if let Some(b) = &self.baseline {
            self.summary
                .evictions
                .insert("first-time baseline", b.evictions());
        }
        if let Some(f) = &self.failed_auth {
            self.summary
                .evictions
                .insert("failed-auth tracker", f.evictions());
        }
        self.summary.evictions.retain(|_, n| *n > 0);
        self.summary
    }

    /// Evaluates one event and calls `emit` for every alert that passes the priority filter,
    /// the deduplication and the rate limit.
    pub fn process(&mut self, event: &AuditEvent, emit: &mut dyn FnMut(&Match)) {
        self.summary.events += 1;
        let at_ms = match event.raw_time_ns() {
            Some(ns) => i64::try_from(ns / 1_000_000).unwrap_or(self.last_ms),
            // An event without a readable time happens "now" as far as the log is concerned.
            None => self.last_ms.max(0),
        };
        self.last_ms = self.last_ms.max(at_ms);
        let mut matches = std::mem::take(&mut self.matches);
        matches.clear();
        matches.extend(self.rules.evaluate(event));
        self.stateful(event, at_ms, &mut matches);
        for m in &matches {
            let outcome = if m.priority < self.options.min_priority {
                AlertOutcome::BelowPriority
            } else {
                self.gate.admit(&m.rule, &m.output, at_ms).into()
            };
            self.summary.alert(&m.rule, outcome);
            if outcome == AlertOutcome::Emitted {
                emit(m);
            }
        }
        self.matches = matches;
    }

    fn stateful(&mut self, event: &AuditEvent, at_ms: i64, out: &mut Vec<Match>) {
        let facts = Facts {
            user: event.user_name(),
            verb: event.verb(),
            resource: event.resource(),
            subresource: event.str_in("objectRef", "subresource"),
            namespace: event.str_in("objectRef", "namespace"),
            source_ip: event
                .member("sourceIPs")
                .and_then(Json::as_array)
                .and_then(|ips| ips.first())
                .and_then(Json::as_str),
            code: event.response_code(),
            // Only the final stage tells the outcome; counting every stage would count a request
            // several times.
            final_stage: matches!(
                event.str_at("stage"),
                None | Some("ResponseComplete" | "Panic")
            ),
        };
        self.first_time(event, &facts, at_ms, out);
        self.failed_auth(event, &facts, at_ms, out);
        self.known_bad(event, &facts, out);
    }

    fn first_time(
        &mut self,
        event: &AuditEvent,
        facts: &Facts<'_>,
        at_ms: i64,
        out: &mut Vec<Match>,
    ) {
        let Facts {
            user,
            verb,
            resource,
            subresource,
            namespace,
            final_stage,
            ..
        } = *facts;
        if let (Some(baseline), Some(user), Some(verb), Some(resource)) =
            (&mut self.baseline, user, verb, resource)
            && final_stage
        {
            let full_resource;
            let resource = match subresource {
                Some(sub) => {
                    full_resource = format!("{resource}/{sub}");
                    full_resource.as_str()
                }
                None => resource,
            };
            if let Novelty::FirstTime { last_seen_ms } =
                baseline.observe(user, verb, resource, at_ms)
            {
                let days = self.options.baseline_horizon_ms / super::state::DAY_MS;
                let mut fields = BTreeMap::new();
                field(&mut fields, "ka.user.name", Some(user));
                field(&mut fields, "ka.verb", Some(verb));
                field(&mut fields, "ka.target.resource", Some(resource));
                field(&mut fields, "ka.target.namespace", namespace);
                let seen = match last_seen_ms {
                    Some(_) => format!("not in the last {days} days"),
                    None => "never before".to_string(),
                };
                out.push(Match {
                    rule: FIRST_TIME_RULE.to_string(),
                    rule_id: None,
                    priority: Priority::Notice,
                    output: format!(
                        "First time activity: user={user} verb={verb} resource={resource} ns={} \
                         ({seen})",
                        namespace.unwrap_or("<NA>")
                    ),
                    output_fields: fields,
                    tags: tags(&["k8s", "baseline", "T1078"]),
                    time: event.time().to_string(),
                    format: RuleFormat::Falco,
                });
            }
        }
    }

    fn failed_auth(
        &mut self,
        event: &AuditEvent,
        facts: &Facts<'_>,
        at_ms: i64,
        out: &mut Vec<Match>,
    ) {
        let Facts {
            user,
            verb,
            source_ip,
            code,
            final_stage,
            ..
        } = *facts;
        if let (Some(tracker), Some(code)) = (&mut self.failed_auth, code)
            && final_stage
            && FailedAuth::is_failure(code)
        {
            let mut subjects = Vec::with_capacity(2);
            if let Some(user) = user.filter(|u| !u.is_empty() && *u != "system:anonymous") {
                subjects.push(AuthSubject::User(user.to_string()));
            }
            if let Some(ip) = source_ip {
                subjects.push(AuthSubject::SourceIp(ip.to_string()));
            }
            for subject in subjects {
                let Some(burst) = tracker.failure(subject, at_ms) else {
                    continue;
                };
                let window_s = self.options.failed_auth_window_ms / 1000;
                let (who, name) = match &burst.subject {
                    AuthSubject::User(u) => ("user", u.as_str()),
                    AuthSubject::SourceIp(ip) => ("source", ip.as_str()),
                };
                let mut fields = BTreeMap::new();
                field(&mut fields, "ka.user.name", user);
                field(&mut fields, "ka.sourceips", source_ip);
                fields.insert("failures".to_string(), Value::from(burst.failures));
                out.push(Match {
                    rule: FAILED_AUTH_RULE.to_string(),
                    rule_id: None,
                    priority: Priority::Warning,
                    output: format!(
                        "{} failed requests (401/403) within {window_s}s from {who} {name} \
                         (last: user={} verb={} uri={})",
                        burst.failures,
                        user.unwrap_or("<NA>"),
                        verb.unwrap_or("<NA>"),
                        event.str_at("requestURI").unwrap_or("<NA>"),
                    ),
                    output_fields: fields,
                    tags: tags(&["k8s", "T1110", "T1078"]),
                    time: event.time().to_string(),
                    format: RuleFormat::Falco,
                });
            }
        }
    }

    fn known_bad(&self, event: &AuditEvent, facts: &Facts<'_>, out: &mut Vec<Match>) {
        let Facts { user, verb, .. } = *facts;
        if !self.options.known_bad.is_empty() {
            let bad = event.source_ips().find(|ip| {
                ip.parse::<IpAddr>()
                    .is_ok_and(|addr| self.options.known_bad.iter().any(|n| n.contains(&addr)))
            });
            if let Some(ip) = bad {
                let mut fields = BTreeMap::new();
                field(&mut fields, "ka.sourceips", Some(ip));
                field(&mut fields, "ka.user.name", user);
                field(&mut fields, "ka.verb", verb);
                field(&mut fields, "ka.uri", event.str_at("requestURI"));
                out.push(Match {
                    rule: KNOWN_BAD_RULE.to_string(),
                    rule_id: None,
                    priority: Priority::Critical,
                    output: format!(
                        "Request from a known-bad address range: source={ip} user={} verb={} uri={}",
                        user.unwrap_or("<NA>"),
                        verb.unwrap_or("<NA>"),
                        event.str_at("requestURI").unwrap_or("<NA>"),
                    ),
                    output_fields: fields,
                    tags: tags(&["k8s", "T1078", "T1190"]),
                    time: event.time().to_string(),
                    format: RuleFormat::Falco,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::{LoadOptions, load_rules, parse_audit_json};

    fn event(
        user: &str,
        verb: &str,
        resource: &str,
        code: u16,
        time: &str,
        ip: &str,
    ) -> AuditEvent {
        let text = format!(
            r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","stage":"ResponseComplete","verb":"{verb}","user":{{"username":"{user}"}},"objectRef":{{"resource":"{resource}","namespace":"default"}},"responseStatus":{{"code":{code}}},"sourceIPs":["{ip}"],"requestURI":"/api/v1/{resource}","stageTimestamp":"{time}"}}"#
        );
        parse_audit_json(&text).unwrap().remove(0)
    }

    fn detector(options: DetectorOptions) -> Detector {
        let (rules, errors) = load_rules(
            &[],
            &LoadOptions {
                default_rules: false,
                strict: false,
            },
        );
        assert!(errors.is_empty(), "{errors:?}");
        Detector::new(rules, options)
    }

    fn run(d: &mut Detector, e: &AuditEvent) -> Vec<String> {
        let mut out = Vec::new();
        d.process(e, &mut |m| out.push(m.rule.clone()));
        out
    }

    #[test]
    fn first_time_activity_after_learning() {
        let mut d = detector(DetectorOptions {
            baseline_learning_ms: 60_000,
            ..DetectorOptions::default()
        });
        let t0 = "2026-11-01T00:00:00Z";
        let t1 = "2026-11-01T00:05:00Z";
        assert!(run(&mut d, &event("alice", "get", "pods", 200, t0, "10.0.0.1")).is_empty());
        assert!(run(&mut d, &event("alice", "get", "pods", 200, t1, "10.0.0.1")).is_empty());
        assert_eq!(
            run(
                &mut d,
                &event("alice", "delete", "pods", 200, t1, "10.0.0.1")
            ),
            [FIRST_TIME_RULE]
        );
        let summary = d.finish();
        assert_eq!(summary.events, 3);
        assert_eq!(summary.per_rule[FIRST_TIME_RULE].emitted, 1);
        assert_eq!(summary.rules_loaded, 2);
    }

    #[test]
    fn failed_auth_bursts_by_user_and_address() {
        let mut d = detector(DetectorOptions {
            failed_auth_threshold: 3,
            baseline_learning_ms: i64::MAX,
            ..DetectorOptions::default()
        });
        let mut fired = Vec::new();
        for s in 0..3 {
            let t = format!("2026-11-01T00:00:0{s}Z");
            fired.extend(run(
                &mut d,
                &event("mallory", "get", "secrets", 403, &t, "10.9.9.9"),
            ));
        }
        // The third failure completes a burst for the user and for the address.
        assert_eq!(fired, [FAILED_AUTH_RULE, FAILED_AUTH_RULE]);
    }

    #[test]
    fn known_bad_ranges_priority_filter_and_dedup() {
        let (nets, problems) = parse_cidr_list("203.0.113.0/24 # scanners\n\n198.51.100.7\nnope\n");
        assert_eq!(nets.len(), 2);
        assert_eq!(
            problems,
            [(4, "\"nope\" is not an address or CIDR range".to_string())]
        );
        let mut d = detector(DetectorOptions {
            known_bad: nets.clone(),
            stateful_rules: false,
            dedup_window_ms: Some(60_000),
            ..DetectorOptions::default()
        });
        let bad = event(
            "x",
            "get",
            "pods",
            200,
            "2026-11-01T00:00:00Z",
            "203.0.113.9",
        );
        assert_eq!(run(&mut d, &bad), [KNOWN_BAD_RULE]);
        // The same alert again within a minute is a duplicate.
        assert!(run(&mut d, &bad).is_empty());
        let good = event("x", "get", "pods", 200, "2026-11-01T00:00:00Z", "192.0.2.1");
        assert!(run(&mut d, &good).is_empty());
        let mut d = detector(DetectorOptions {
            known_bad: nets,
            stateful_rules: false,
            min_priority: Priority::Emergency,
            ..DetectorOptions::default()
        });
        assert!(run(&mut d, &bad).is_empty());
        assert_eq!(d.summary().per_rule[KNOWN_BAD_RULE].below_priority, 1);
    }
}
