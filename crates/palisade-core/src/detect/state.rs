//! The stateful side of detection: per-rule rate limiting and deduplication of alerts, the run's
//! counters, first-time-activity baselining and failed-authentication bursts.
//!
//! Everything here is a plain state machine. The clock is passed in by the caller as the event's
//! own timestamp in milliseconds since the Unix epoch, never read from the system, so replaying a
//! log gives the same alerts as watching it live, and tests need no sleeping. Events may arrive
//! slightly out of order (the API server writes batches from several goroutines): a timestamp
//! earlier than one already seen is treated as "no time has passed", never as negative time.
//!
//! Memory is bounded everywhere state is kept per subject, user, address or alert text: each map
//! is an LRU cache with a fixed capacity, and what falls out is counted, because a forgotten key
//! changes what is reported (a baseline forgets that a subject was seen, a deduplicator lets a
//! repeat through). This module must not format alerts or read events itself.

use std::collections::{BTreeMap, VecDeque};
use std::hash::Hash;

use lru::LruCache;

/// Milliseconds in one day.
pub const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// An LRU map whose evictions are counted. It grows as keys arrive rather than reserving its
/// whole capacity up front: a bound of a million entries on a stream that only ever shows a few
/// thousand keys should cost a few thousand entries, and a small table stays in cache.
#[derive(Debug)]
struct BoundedMap<K: Hash + Eq, V> {
    entries: LruCache<K, V>,
    capacity: usize,
    evictions: u64,
}

impl<K: Hash + Eq, V> BoundedMap<K, V> {
    fn new(capacity: usize) -> Self {
        BoundedMap {
            entries: LruCache::unbounded(),
            capacity: capacity.max(1),
            evictions: 0,
        }
    }

    /// Inserts a key known to be absent, evicting the least recently used entry when full.
    fn insert_new(&mut self, key: K, value: V) {
        if self.entries.len() >= self.capacity {
            self.entries.pop_lru();
            self.evictions += 1;
        }
        self.entries.put(key, value);
    }

    /// The entry for `key`, created with `make` (evicting the least recently used one when full).
    fn entry(&mut self, key: K, make: impl FnOnce() -> V) -> &mut V {
        if !self.entries.contains(&key) && self.entries.len() >= self.capacity {
            self.entries.pop_lru();
            self.evictions += 1;
        }
        self.entries.get_or_insert_mut(key, make)
    }
}

/// How many alerts one rule may raise: a token bucket of `burst` alerts refilled at `burst` per
/// `period_ms`, so a rule can fire `burst` times at once and then at the average rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Alerts allowed at once, and per period.
    pub burst: u32,
    /// The refill period in milliseconds.
    pub period_ms: i64,
}

impl RateLimit {
    /// Parses `N/PERIOD`, e.g. `10/1m`, `1/30s`, `100/1h`; the period takes `ms`, `s`, `m`,
    /// `h` or `d` and defaults to seconds.
    pub fn parse(text: &str) -> Result<RateLimit, String> {
        let (count, period) = text
            .split_once('/')
            .ok_or_else(|| format!("rate limit {text:?}: expected N/PERIOD, e.g. 10/1m"))?;
        let burst: u32 = count
            .trim()
            .parse()
            .map_err(|_| format!("rate limit {text:?}: {count:?} is not a whole number"))?;
        if burst == 0 {
            return Err(format!("rate limit {text:?}: the count must be at least 1"));
        }
        let period_ms = parse_duration_ms(period)?;
        Ok(RateLimit { burst, period_ms })
    }
}

/// Parses a duration such as `500ms`, `30s`, `5m`, `2h`, `7d` (a bare number is seconds) into
/// milliseconds; it must be positive.
pub fn parse_duration_ms(text: &str) -> Result<i64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let value: i64 = digits
        .parse()
        .map_err(|_| format!("duration {text:?}: expected a number and a unit, e.g. 30s"))?;
    let scale = match unit {
        "ms" => 1,
        "" | "s" => 1000,
        "m" => 60 * 1000,
        "h" => 60 * 60 * 1000,
        "d" => DAY_MS,
        _ => return Err(format!("duration {text:?}: unknown unit {unit:?}")),
    };
    match value.checked_mul(scale) {
        Some(ms) if ms > 0 => Ok(ms),
        _ => Err(format!(
            "duration {text:?}: must be positive and below 290 million years"
        )),
    }
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    /// Tokens scaled by `period_ms`, so refilling stays in integers.
    scaled_tokens: i128,
    last_ms: i64,
}

/// What the gate decided about one alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GateDecision {
    /// Emit it.
    Pass,
    /// The same rule gave the same output within the deduplication window.
    Duplicate,
    /// The rule is over its rate limit.
    RateLimited,
}

/// Per-rule rate limiting and deduplication of alerts, bounded in memory.
#[derive(Debug)]
pub struct AlertGate {
    limit: Option<RateLimit>,
    dedup_window_ms: Option<i64>,
    buckets: BoundedMap<String, Bucket>,
    recent: BoundedMap<(String, String), i64>,
}

/// How many rules, or distinct alert texts, the gate remembers before forgetting the least
/// recently used.
pub const DEFAULT_GATE_CAPACITY: usize = 65_536;

impl AlertGate {
    /// A gate with an optional per-rule rate limit and an optional deduplication window:
    /// with neither, every alert passes.
    pub fn new(limit: Option<RateLimit>, dedup_window_ms: Option<i64>, capacity: usize) -> Self {
        AlertGate {
            limit,
            dedup_window_ms,
            buckets: BoundedMap::new(capacity),
            recent: BoundedMap::new(capacity),
        }
    }

    /// Decides whether an alert of `rule` with text `output` at `at_ms` is emitted. A duplicate
    /// does not spend a token; a rate-limited alert still counts for deduplication, so a storm of
    /// one alert is reported once per window rather than whenever a token frees up.
    pub fn admit(&mut self, rule: &str, output: &str, at_ms: i64) -> GateDecision {
        if let Some(window) = self.dedup_window_ms {
            let last = self
                .recent
                .entry((rule.to_string(), output.to_string()), || i64::MIN);
            let previous = *last;
            *last = previous.max(at_ms);
            if previous != i64::MIN && at_ms.saturating_sub(previous) < window {
                return GateDecision::Duplicate;
            }
        }
        let Some(limit) = self.limit else {
            return GateDecision::Pass;
        };
        let full = i128::from(limit.burst) * i128::from(limit.period_ms);
        let bucket = self.buckets.entry(rule.to_string(), || Bucket {
            scaled_tokens: full,
            last_ms: at_ms,
        });
        let elapsed = at_ms.saturating_sub(bucket.last_ms).max(0);
        bucket.last_ms = bucket.last_ms.max(at_ms);
        // Each millisecond refills burst/period tokens; in scaled units that is `burst`.
        bucket.scaled_tokens =
            (bucket.scaled_tokens + i128::from(elapsed) * i128::from(limit.burst)).min(full);
        let one = i128::from(limit.period_ms);
        if bucket.scaled_tokens >= one {
            bucket.scaled_tokens -= one;
            GateDecision::Pass
        } else {
            GateDecision::RateLimited
        }
    }

    /// Entries forgotten because the gate was full.
    pub fn evictions(&self) -> u64 {
        self.buckets.evictions + self.recent.evictions
    }
}

/// One kind of bad event, for the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BadEventKind {
    /// A line or body that is not JSON at all.
    NotJson,
    /// JSON that ends early: a line cut off, a file still being written.
    Truncated,
    /// An event over the size limit.
    TooLarge,
    /// JSON that is not an audit event, or lacks fields every event has.
    Invalid,
    /// Bytes that are not UTF-8.
    NotUtf8,
}

impl BadEventKind {
    /// The snake_case name used in the summary.
    pub fn as_str(self) -> &'static str {
        match self {
            BadEventKind::NotJson => "not_json",
            BadEventKind::Truncated => "truncated",
            BadEventKind::TooLarge => "too_large",
            BadEventKind::Invalid => "invalid_event",
            BadEventKind::NotUtf8 => "not_utf8",
        }
    }
}

/// Counts of one kind of bad event and where the first few were.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BadEvents {
    /// How many.
    pub count: u64,
    /// The first locations (`file:line`) and what was wrong, at most [`FIRST_LOCATIONS`].
    pub first: Vec<(String, String)>,
}

/// How many locations the summary keeps per kind of bad event.
pub const FIRST_LOCATIONS: usize = 5;

/// Per-rule alert counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RuleCounts {
    /// Alerts emitted.
    pub emitted: u64,
    /// Alerts held back as duplicates.
    pub duplicates: u64,
    /// Alerts held back by the rate limit.
    pub rate_limited: u64,
    /// Matches below `--min-priority`.
    pub below_priority: u64,
}

/// The run's counters, printed at the end.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Events read and evaluated.
    pub events: u64,
    /// Bad events, by kind.
    pub bad: BTreeMap<BadEventKind, BadEvents>,
    /// Rules loaded.
    pub rules_loaded: usize,
    /// Rule load errors (`file:line:column: message`).
    pub load_errors: Vec<String>,
    /// Alert counts by rule name.
    pub per_rule: BTreeMap<String, RuleCounts>,
    /// Webhook batches or alerts dropped because a queue was full, by what was dropped.
    pub dropped: BTreeMap<&'static str, u64>,
    /// State entries forgotten because a memory bound was reached, by state machine.
    pub evictions: BTreeMap<&'static str, u64>,
}

impl Summary {
    /// Counts a bad event at `location` (usually `file:line`).
    pub fn bad_event(&mut self, kind: BadEventKind, location: &str, detail: &str) {
        let entry = self.bad.entry(kind).or_default();
        entry.count += 1;
        if entry.first.len() < FIRST_LOCATIONS {
            entry.first.push((location.to_string(), detail.to_string()));
        }
    }

    /// All bad events.
    pub fn bad_total(&self) -> u64 {
        self.bad.values().map(|b| b.count).sum()
    }

    /// Records what happened to one match of `rule`.
    pub fn alert(&mut self, rule: &str, decision: AlertOutcome) {
        let counts = match self.per_rule.get_mut(rule) {
            Some(counts) => counts,
            None => self.per_rule.entry(rule.to_string()).or_default(),
        };
        match decision {
            AlertOutcome::Emitted => counts.emitted += 1,
            AlertOutcome::Duplicate => counts.duplicates += 1,
            AlertOutcome::RateLimited => counts.rate_limited += 1,
            AlertOutcome::BelowPriority => counts.below_priority += 1,
        }
    }

    /// Alerts emitted over all rules.
    pub fn emitted(&self) -> u64 {
        self.per_rule.values().map(|c| c.emitted).sum()
    }
}

/// What became of one rule match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertOutcome {
    /// Written out.
    Emitted,
    /// Held back as a duplicate.
    Duplicate,
    /// Held back by the rate limit.
    RateLimited,
    /// Below the minimum priority.
    BelowPriority,
}

impl From<GateDecision> for AlertOutcome {
    fn from(d: GateDecision) -> Self {
        match d {
            GateDecision::Pass => AlertOutcome::Emitted,
            GateDecision::Duplicate => AlertOutcome::Duplicate,
            GateDecision::RateLimited => AlertOutcome::RateLimited,
        }
    }
}

/// What the baseline says about one activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Novelty {
    /// Seen within the horizon.
    Known,
    /// Never seen, or not within the horizon: worth an alert.
    FirstTime {
        /// When it was last seen, if it was seen before the horizon.
        last_seen_ms: Option<i64>,
    },
    /// Not seen before, but the baseline is still learning what is normal.
    Learning,
}

/// "First time this subject did this verb on this resource in N days".
///
/// Until `learning_ms` has passed since the first event, activity is recorded but never called
/// new, because at start-up everything is. The map is bounded: when it is full the least recently
/// seen activity is forgotten (and counted), so a forgotten activity may be called new again.
/// Activities are remembered by a 64-bit fingerprint of (subject, verb, resource) rather than by
/// their text, which keeps an entry small and a lookup free of allocation; two activities sharing
/// a fingerprint (about one chance in 10^7 among a million activities) would be taken for one.
#[derive(Debug)]
pub struct Baseline {
    horizon_ms: i64,
    learning_ms: i64,
    started_ms: Option<i64>,
    seen: BoundedMap<u64, i64>,
    /// Keys the fingerprints, with a seed drawn once per baseline.
    fingerprints: foldhash::quality::RandomState,
}

/// Default baseline horizon: 7 days.
pub const DEFAULT_BASELINE_HORIZON_MS: i64 = 7 * DAY_MS;
/// Default learning period: 1 hour of event time.
pub const DEFAULT_BASELINE_LEARNING_MS: i64 = 60 * 60 * 1000;
/// Default number of activities remembered.
pub const DEFAULT_BASELINE_CAPACITY: usize = 1_000_000;

impl Baseline {
    /// A baseline that calls activity new when it was not seen within `horizon_ms`, after a
    /// learning period of `learning_ms`, remembering at most `capacity` activities.
    pub fn new(horizon_ms: i64, learning_ms: i64, capacity: usize) -> Self {
        Baseline {
            horizon_ms,
            learning_ms,
            started_ms: None,
            seen: BoundedMap::new(capacity),
            fingerprints: foldhash::quality::RandomState::default(),
        }
    }

    /// Records that `subject` did `verb` on `resource` at `at_ms` and says whether it is new.
    pub fn observe(&mut self, subject: &str, verb: &str, resource: &str, at_ms: i64) -> Novelty {
        let activity = fingerprint(&self.fingerprints, subject, verb, resource);
        let started = *self.started_ms.get_or_insert(at_ms);
        let learning = at_ms.saturating_sub(started) < self.learning_ms;
        let last = self.seen.entries.get_mut(&activity).map(|last| {
            let previous = *last;
            *last = previous.max(at_ms);
            previous
        });
        match last {
            Some(previous) if at_ms.saturating_sub(previous) < self.horizon_ms => Novelty::Known,
            previous => {
                if previous.is_none() {
                    self.seen.insert_new(activity, at_ms);
                }
                if learning {
                    Novelty::Learning
                } else {
                    Novelty::FirstTime {
                        last_seen_ms: previous,
                    }
                }
            }
        }
    }

    /// Activities remembered now.
    pub fn len(&self) -> usize {
        self.seen.entries.len()
    }

    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.seen.entries.is_empty()
    }

    /// Activities forgotten because the baseline was full.
    pub fn evictions(&self) -> u64 {
        self.seen.evictions
    }
}

/// A 64-bit fingerprint of an activity; the separators keep `("ab", "c")` apart from
/// `("a", "bc")`. A fast hash seeded at random (fingerprints live only as long as the process)
/// rather than SipHash with fixed keys, which cost as much as a tenth of the rules: the unknown
/// seed is what keeps a chosen user name from being made to collide with a known activity.
fn fingerprint(
    keys: &foldhash::quality::RandomState,
    subject: &str,
    verb: &str,
    resource: &str,
) -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = keys.build_hasher();
    for part in [subject, verb, resource] {
        h.write(part.as_bytes());
        h.write_u8(0xff);
    }
    h.finish()
}

/// Who a failed request is counted against.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AuthSubject {
    /// A user name.
    User(String),
    /// A source address, for requests with no user (401s usually have none worth keeping).
    SourceIp(String),
}

/// A burst of failed requests that reached the threshold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Burst {
    /// Who failed.
    pub subject: AuthSubject,
    /// Failures within the window, at the moment it fired.
    pub failures: usize,
    /// When the first of them happened.
    pub since_ms: i64,
}

/// Failed-authentication bursts: `threshold` responses 401 or 403 for one user or one source
/// address within `window_ms`. After firing, a subject fires again only once a whole new set of
/// `threshold` failures has accumulated, so a sustained attack gives one alert per `threshold`
/// failures rather than one per request.
#[derive(Debug)]
pub struct FailedAuth {
    threshold: usize,
    window_ms: i64,
    recent: BoundedMap<AuthSubject, VecDeque<i64>>,
}

/// Default failed-auth threshold.
pub const DEFAULT_FAILED_AUTH_THRESHOLD: usize = 10;
/// Default failed-auth window: one minute.
pub const DEFAULT_FAILED_AUTH_WINDOW_MS: i64 = 60 * 1000;
/// Default number of users and addresses tracked. The least recently failing subject is forgotten
/// first, so this only loses a burst when more than this many distinct users and addresses fail
/// within one window; a larger bound would mostly hold addresses that failed once, long ago.
pub const DEFAULT_FAILED_AUTH_CAPACITY: usize = 10_000;

impl FailedAuth {
    /// A detector firing at `threshold` failures within `window_ms`, tracking at most `capacity`
    /// users and addresses.
    pub fn new(threshold: usize, window_ms: i64, capacity: usize) -> Self {
        FailedAuth {
            threshold: threshold.max(1),
            window_ms,
            recent: BoundedMap::new(capacity),
        }
    }

    /// Whether a response code counts as a failed authentication or authorisation.
    pub fn is_failure(code: i64) -> bool {
        code == 401 || code == 403
    }

    /// Records one failure of `subject` at `at_ms`; returns the burst when this one completes it.
    pub fn failure(&mut self, subject: AuthSubject, at_ms: i64) -> Option<Burst> {
        let threshold = self.threshold;
        let window = self.window_ms;
        let times = self.recent.entry(subject.clone(), || {
            VecDeque::with_capacity(threshold.min(64))
        });
        times.push_back(at_ms);
        while times
            .front()
            .is_some_and(|&first| at_ms.saturating_sub(first) >= window)
        {
            times.pop_front();
        }
        if times.len() < threshold {
            return None;
        }
        let since_ms = times.front().copied().unwrap_or(at_ms);
        let failures = times.len();
        times.clear();
        Some(Burst {
            subject,
            failures,
            since_ms,
        })
    }

    /// Users and addresses forgotten because the detector was full.
    pub fn evictions(&self) -> u64 {
        self.recent.evictions
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_rate_limits_parse() {
        assert_eq!(parse_duration_ms("30s"), Ok(30_000));
        assert_eq!(parse_duration_ms("5"), Ok(5_000));
        assert_eq!(parse_duration_ms("250ms"), Ok(250));
        assert_eq!(parse_duration_ms("7d"), Ok(7 * DAY_MS));
        assert!(parse_duration_ms("0s").is_err());
        assert!(parse_duration_ms("5y").is_err());
        assert!(parse_duration_ms("").is_err());
        assert!(parse_duration_ms("99999999999999999d").is_err());
        assert_eq!(
            RateLimit::parse("10/1m"),
            Ok(RateLimit {
                burst: 10,
                period_ms: 60_000
            })
        );
        assert!(RateLimit::parse("0/1m").is_err());
        assert!(RateLimit::parse("10").is_err());
    }

    #[test]
    fn token_bucket_allows_a_burst_then_the_average_rate() {
        let limit = RateLimit::parse("2/10s").unwrap();
        let mut gate = AlertGate::new(Some(limit), None, 16);
        assert_eq!(gate.admit("r", "a", 0), GateDecision::Pass);
        assert_eq!(gate.admit("r", "b", 1), GateDecision::Pass);
        assert_eq!(gate.admit("r", "c", 2), GateDecision::RateLimited);
        // Another rule has its own bucket.
        assert_eq!(gate.admit("other", "c", 2), GateDecision::Pass);
        // One token every 5 s.
        assert_eq!(gate.admit("r", "d", 4_000), GateDecision::RateLimited);
        assert_eq!(gate.admit("r", "e", 5_002), GateDecision::Pass);
        assert_eq!(gate.admit("r", "f", 5_003), GateDecision::RateLimited);
        // Time going backwards refills nothing and does not panic.
        assert_eq!(gate.admit("r", "g", -1_000_000), GateDecision::RateLimited);
        // Long idle refills up to the burst only.
        assert_eq!(gate.admit("r", "h", 1_000_000), GateDecision::Pass);
        assert_eq!(gate.admit("r", "i", 1_000_000), GateDecision::Pass);
        assert_eq!(gate.admit("r", "j", 1_000_000), GateDecision::RateLimited);
    }

    #[test]
    fn deduplication_holds_back_repeats_within_the_window() {
        let mut gate = AlertGate::new(None, Some(60_000), 16);
        assert_eq!(gate.admit("r", "same", 0), GateDecision::Pass);
        assert_eq!(gate.admit("r", "same", 59_999), GateDecision::Duplicate);
        assert_eq!(gate.admit("r", "other", 59_999), GateDecision::Pass);
        assert_eq!(gate.admit("q", "same", 59_999), GateDecision::Pass);
        // The window slides from the last sighting, so a steady storm stays quiet.
        assert_eq!(gate.admit("r", "same", 119_000), GateDecision::Duplicate);
        assert_eq!(gate.admit("r", "same", 179_000), GateDecision::Pass);
    }

    #[test]
    fn a_full_gate_forgets_and_counts() {
        let mut gate = AlertGate::new(None, Some(60_000), 2);
        for text in ["a", "b", "c"] {
            assert_eq!(gate.admit("r", text, 0), GateDecision::Pass);
        }
        assert_eq!(gate.evictions(), 1);
        // "a" was forgotten, so it passes again.
        assert_eq!(gate.admit("r", "a", 1), GateDecision::Pass);
    }

    #[test]
    fn baseline_learns_then_reports_first_time_activity() {
        let mut b = Baseline::new(7 * DAY_MS, 1000, 100);
        assert_eq!(b.observe("alice", "get", "pods", 0), Novelty::Learning);
        assert_eq!(b.observe("alice", "get", "pods", 10), Novelty::Known);
        assert_eq!(
            b.observe("alice", "delete", "pods", 2000),
            Novelty::FirstTime { last_seen_ms: None }
        );
        assert_eq!(b.observe("alice", "delete", "pods", 3000), Novelty::Known);
        // Eight days later the same activity is new again.
        let later = 3000 + 8 * DAY_MS;
        assert_eq!(
            b.observe("alice", "delete", "pods", later),
            Novelty::FirstTime {
                last_seen_ms: Some(3000)
            }
        );
        assert_eq!(
            b.observe("alice", "delete", "pods", later + 1),
            Novelty::Known
        );
        assert_eq!(b.len(), 2);
    }

    #[test]
    fn baseline_memory_is_bounded_and_evictions_counted() {
        let mut b = Baseline::new(DAY_MS, 0, 3);
        for i in 0..10 {
            b.observe(&format!("u{i}"), "get", "pods", i);
        }
        assert_eq!(b.len(), 3);
        assert_eq!(b.evictions(), 7);
        // Recently seen ones are kept.
        assert_eq!(b.observe("u9", "get", "pods", 20), Novelty::Known);
    }

    #[test]
    fn failed_auth_fires_once_per_threshold_within_the_window() {
        let mut f = FailedAuth::new(3, 10_000, 100);
        let ip = || AuthSubject::SourceIp("10.0.0.1".into());
        assert_eq!(f.failure(ip(), 0), None);
        assert_eq!(f.failure(ip(), 1_000), None);
        let burst = f.failure(ip(), 2_000).expect("third failure fires");
        assert_eq!(burst.failures, 3);
        assert_eq!(burst.since_ms, 0);
        assert_eq!(f.failure(ip(), 2_500), None);
        assert_eq!(f.failure(ip(), 2_600), None);
        assert!(f.failure(ip(), 2_700).is_some());
        // Failures spread wider than the window never fire.
        let user = || AuthSubject::User("bob".into());
        for i in 0..10 {
            assert_eq!(f.failure(user(), i * 6_000), None);
        }
        assert!(FailedAuth::is_failure(403));
        assert!(!FailedAuth::is_failure(404));
    }

    #[test]
    fn summary_keeps_first_locations_only() {
        let mut s = Summary::default();
        for i in 0..10 {
            s.bad_event(BadEventKind::NotJson, &format!("f:{i}"), "x");
        }
        s.alert("r", AlertOutcome::Emitted);
        s.alert("r", AlertOutcome::Duplicate);
        assert_eq!(s.bad_total(), 10);
        assert_eq!(s.bad[&BadEventKind::NotJson].first.len(), FIRST_LOCATIONS);
        assert_eq!(s.emitted(), 1);
        assert_eq!(s.per_rule["r"].duplicates, 1);
    }
}
