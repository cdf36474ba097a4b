//! Kubernetes audit events: parsing one JSON text into events, and cheap access to their fields.
//!
//! Accepted shapes: an `audit.k8s.io` `Event` (v1 or v1beta1), an `EventList`, a JSON array of
//! either, Azure diagnostic records (`{"records": [...]}` or one record whose `properties.log`
//! holds the event as a JSON string), and Google Cloud audit log entries (`protoPayload`), which
//! are translated into the Kubernetes event shape so that the same fields apply.
//!
//! An event keeps its own copy of its JSON text and a tree whose strings and keys borrow from
//! that text ([`serde_json_borrow`]): parsing allocates one buffer per object or array and none
//! per string, which is what makes the engine fast enough for a busy API server's log.

use std::fmt;
use std::sync::OnceLock;

use serde_json::{Map, Value};
use serde_json_borrow::OwnedValue;

/// A node of an event's JSON tree, borrowing its strings from the event's text.
pub(crate) type Json = serde_json_borrow::Value<'static>;

/// One Kubernetes audit event.
///
/// The members rules read on nearly every event are found by position ([`HOT_MEMBERS`]), so
/// reading one costs no key comparisons.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    /// The event's text and its tree (none only for a value nested too deeply to read back).
    doc: Option<OwnedValue>,
    /// For each member named in [`HOT_MEMBERS`], its position among the top-level members.
    hot: [u32; HOT_MEMBERS.len()],
    /// For each member named in [`NESTED_MEMBERS`], its position within its parent.
    nested: [u32; NESTED_MEMBERS.len()],
    /// The whole event as a `serde_json` value, converted on first request.
    whole: OnceLock<Value>,
    /// The event's time in nanoseconds, read on first request: the runtime and rules that
    /// print `evt.rawtime` both ask for it.
    time_ns: OnceLock<Option<i128>>,
}

/// No such member.
const ABSENT: u32 = u32::MAX;

static NULL: Json = Json::Null;

/// The top-level members found by position, most read first.
const HOT_MEMBERS: [&str; 16] = [
    "verb",
    "objectRef",
    "user",
    "responseStatus",
    "annotations",
    "sourceIPs",
    "userAgent",
    "requestURI",
    "impersonatedUser",
    "stageTimestamp",
    "requestReceivedTimestamp",
    "auditID",
    "stage",
    "kind",
    "requestObject",
    "responseObject",
];

/// The slot of a member named in [`HOT_MEMBERS`], if it is one.
pub(crate) fn hot_slot(key: &str) -> Option<usize> {
    // A `match` on literals compiles to a switch on the length and word compares, cheaper than
    // any table here.
    Some(match key {
        "verb" => 0,
        "objectRef" => 1,
        "user" => 2,
        "responseStatus" => 3,
        "annotations" => 4,
        "sourceIPs" => 5,
        "userAgent" => 6,
        "requestURI" => 7,
        "impersonatedUser" => 8,
        "stageTimestamp" => 9,
        "requestReceivedTimestamp" => 10,
        "auditID" => 11,
        "stage" => 12,
        "kind" => 13,
        "requestObject" => 14,
        "responseObject" => 15,
        _ => return None,
    })
}

/// Members of positioned members that rules read on nearly every event, found by position too
/// (as slot of the parent in [`HOT_MEMBERS`], key): the user's name or the target resource is
/// read by a dozen rules per event, and a key scan for each read cost more than one pass over
/// these few small objects per event.
const NESTED_MEMBERS: [(usize, &str); 8] = [
    (1, "resource"),
    (1, "namespace"),
    (1, "name"),
    (1, "subresource"),
    (2, "username"),
    (2, "groups"),
    (3, "code"),
    (3, "reason"),
];

/// The slot of a member named in [`NESTED_MEMBERS`], given its parent's slot.
pub(crate) fn nested_slot(parent: usize, key: &str) -> Option<usize> {
    Some(match (parent, key) {
        (1, "resource") => 0,
        (1, "namespace") => 1,
        (1, "name") => 2,
        (1, "subresource") => 3,
        (2, "username") => 4,
        (2, "groups") => 5,
        (3, "code") => 6,
        (3, "reason") => 7,
        _ => return None,
    })
}

/// The parents (slots in [`HOT_MEMBERS`]) of [`NESTED_MEMBERS`].
const NESTED_PARENTS: [usize; 3] = [1, 2, 3];

impl PartialEq for AuditEvent {
    fn eq(&self, other: &Self) -> bool {
        self.value() == other.value()
    }
}

/// An object's member. When a key repeats, the last one counts, as in `serde_json`.
pub(crate) fn get<'v>(value: &'v Json, key: &str) -> Option<&'v Json> {
    match value {
        Json::Object(object) => object
            .as_vec()
            .iter()
            .rev()
            .find(|(k, _)| &**k == key)
            .map(|(_, v)| v),
        _ => None,
    }
}

/// Why a JSON text held no usable event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventError {
    /// What is wrong.
    pub message: String,
    /// 1-based line within the text, when known.
    pub line: Option<u32>,
    /// 1-based column within the text, when known.
    pub column: Option<u32>,
}

impl fmt::Display for EventError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(line), Some(column)) => write!(f, "{line}:{column}: {}", self.message),
            (Some(line), None) => write!(f, "{line}: {}", self.message),
            _ => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for EventError {}

impl EventError {
    fn shape(message: impl Into<String>) -> Self {
        EventError {
            message: message.into(),
            line: None,
            column: None,
        }
    }

    fn invalid(e: &serde_json::Error) -> Self {
        EventError {
            message: format!("invalid JSON: {e}"),
            line: u32::try_from(e.line()).ok().filter(|l| *l > 0),
            column: u32::try_from(e.column()).ok().filter(|c| *c > 0),
        }
    }
}

/// Parses a JSON text into a tree that owns a copy of the text.
fn parse_owned(text: String) -> Result<OwnedValue, EventError> {
    OwnedValue::from_string(text).map_err(|e| {
        // The tree's parser reports `serde_json` errors wrapped in an I/O error.
        match e
            .into_inner()
            .map(<dyn std::error::Error + Send + Sync>::downcast::<serde_json::Error>)
        {
            Some(Ok(json)) => EventError::invalid(&json),
            Some(Err(other)) => EventError::shape(format!("invalid JSON: {other}")),
            None => EventError::shape("invalid JSON"),
        }
    })
}

/// Parses one JSON text (a line, a whole file or an HTTP body) into the audit events it holds.
pub fn parse_audit_json(text: &str) -> Result<Vec<AuditEvent>, EventError> {
    let doc = parse_owned(text.to_owned())?;
    let mut events = Vec::new();
    if is_event(&doc) {
        // The common case, one event per text: the tree is the event's own.
        events.push(AuditEvent::from_doc(doc));
    } else {
        collect(&doc, &mut events, 0)?;
    }
    Ok(events)
}

fn is_event(value: &Json) -> bool {
    if !matches!(value, Json::Object(_)) {
        return false;
    }
    match get(value, "kind").and_then(Json::as_str) {
        Some("Event") => true,
        Some("EventList") => false,
        _ => get(value, "verb").is_some() || get(value, "auditID").is_some(),
    }
}

/// Envelopes nest at most a few levels; anything deeper is not an audit log.
const MAX_ENVELOPE_DEPTH: usize = 4;

/// An event found inside an envelope: its text is written out anew so that the event owns it.
fn owned_event(value: &Json) -> Result<AuditEvent, EventError> {
    let text = serde_json::to_string(value).map_err(|e| EventError::invalid(&e))?;
    Ok(AuditEvent::from_doc(parse_owned(text)?))
}

fn collect(value: &Json, out: &mut Vec<AuditEvent>, depth: usize) -> Result<(), EventError> {
    if depth > MAX_ENVELOPE_DEPTH {
        return Err(EventError::shape("audit events nested too deeply"));
    }
    match value {
        Json::Array(items) => {
            for item in items {
                collect(item, out, depth + 1)?;
            }
            Ok(())
        }
        Json::Object(_) => {
            let kind = get(value, "kind").and_then(Json::as_str).unwrap_or("");
            let items = get(value, "items").and_then(Json::as_array);
            if kind == "EventList" || (kind.is_empty() && items.is_some()) {
                for item in items.into_iter().flatten() {
                    collect(item, out, depth + 1)?;
                }
                return Ok(());
            }
            if is_event(value) {
                out.push(owned_event(value)?);
                return Ok(());
            }
            if let Some(records) = get(value, "records") {
                if let Some(records) = records.as_array() {
                    for record in records {
                        collect(record, out, depth + 1)?;
                    }
                }
                return Ok(());
            }
            if let Some(log) = get(value, "properties").and_then(|p| get(p, "log")) {
                return match log {
                    Json::Str(text) => {
                        let inner = parse_owned(text.to_string()).map_err(|e| {
                            EventError::shape(format!(
                                "invalid JSON in properties.log: {}",
                                e.message
                            ))
                        })?;
                        if is_event(&inner) {
                            out.push(AuditEvent::from_doc(inner));
                            Ok(())
                        } else {
                            collect(&inner, out, depth + 1)
                        }
                    }
                    other => collect(other, out, depth + 1),
                };
            }
            if get(value, "protoPayload").is_some() {
                let Value::Object(entry) = Value::from(value) else {
                    return Err(EventError::shape("not an audit event"));
                };
                out.push(AuditEvent::from_value(Value::Object(from_cloud_audit_log(
                    &entry,
                ))));
                return Ok(());
            }
            Err(EventError::shape(
                "not an audit event: no kind Event, verb or auditID",
            ))
        }
        other => Err(EventError::shape(format!(
            "not an audit event: a JSON {}",
            json_type(other)
        ))),
    }
}

fn json_type(value: &Json) -> &'static str {
    match value {
        Json::Null => "null",
        Json::Bool(_) => "boolean",
        Json::Number(_) => "number",
        Json::Str(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "object",
    }
}

/// Translates a Google Cloud audit log entry about a Kubernetes request into the shape of a
/// Kubernetes audit event. Cloud logging keeps the request, response and caller but renames them.
fn from_cloud_audit_log(entry: &Map<String, Value>) -> Map<String, Value> {
    let empty = Value::Null;
    let payload = entry.get("protoPayload").unwrap_or(&empty);
    let text = |v: &Value, ptr: &str| v.pointer(ptr).and_then(Value::as_str).map(str::to_owned);
    let mut event = Map::new();
    event.insert("kind".into(), "Event".into());
    event.insert("apiVersion".into(), "audit.k8s.io/v1".into());
    event.insert("stage".into(), "ResponseComplete".into());
    event.insert("level".into(), "RequestResponse".into());
    if let Some(id) = text(payload, "/requestMetadata/requestAttributes/reason").or_else(|| {
        entry
            .get("insertId")
            .and_then(Value::as_str)
            .map(str::to_owned)
    }) {
        event.insert("auditID".into(), id.into());
    }
    if let Some(ts) = entry.get("timestamp").and_then(Value::as_str) {
        event.insert("stageTimestamp".into(), ts.into());
        event.insert("requestReceivedTimestamp".into(), ts.into());
    }
    let method = text(payload, "/methodName").unwrap_or_default();
    // methodName is `io.k8s.<group>.<version>.<resource>[.<subresource>].<verb>`.
    if let Some(verb) = method.rsplit('.').next().filter(|v| !v.is_empty()) {
        event.insert("verb".into(), verb.into());
    }
    let resource_name = text(payload, "/resourceName").unwrap_or_default();
    event.insert("requestURI".into(), format!("/{resource_name}").into());
    event.insert(
        "objectRef".into(),
        Value::Object(object_ref(&resource_name)),
    );
    let mut user = Map::new();
    if let Some(principal) = text(payload, "/authenticationInfo/principalEmail") {
        user.insert("username".into(), principal.into());
    }
    event.insert("user".into(), Value::Object(user));
    if let Some(ip) = text(payload, "/requestMetadata/callerIp") {
        event.insert("sourceIPs".into(), Value::Array(vec![ip.into()]));
    }
    if let Some(agent) = text(payload, "/requestMetadata/callerSuppliedUserAgent") {
        event.insert("userAgent".into(), agent.into());
    }
    if let Some(request) = payload.get("request") {
        event.insert("requestObject".into(), request.clone());
    }
    if let Some(response) = payload.get("response") {
        event.insert("responseObject".into(), response.clone());
    }
    let grpc = payload
        .pointer("/status/code")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    let mut status = Map::new();
    status.insert("code".into(), http_status_of_grpc(grpc).into());
    if let Some(message) = text(payload, "/status/message") {
        status.insert("reason".into(), message.into());
    }
    event.insert("responseStatus".into(), Value::Object(status));
    if let Some(Value::Object(labels)) = entry.get("labels") {
        let annotations: Map<String, Value> = labels
            .iter()
            .filter(|(k, _)| k.contains(".k8s.io/"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        event.insert("annotations".into(), Value::Object(annotations));
    }
    event
}

/// `resourceName` is `<group>/<version>[/namespaces/<ns>]/<resource>[/<name>[/<subresource>]]`,
/// with `core` for the core group.
fn object_ref(resource_name: &str) -> Map<String, Value> {
    let parts: Vec<&str> = resource_name.split('/').filter(|p| !p.is_empty()).collect();
    let mut object = Map::new();
    if parts.len() < 3 {
        return object;
    }
    let group = if parts[0] == "core" { "" } else { parts[0] };
    object.insert("apiGroup".into(), group.into());
    object.insert("apiVersion".into(), parts[1].into());
    let mut rest = &parts[2..];
    if rest.len() >= 3 && rest[0] == "namespaces" {
        object.insert("namespace".into(), rest[1].into());
        rest = &rest[2..];
    }
    let keys = ["resource", "name", "subresource"];
    for (key, part) in keys.iter().zip(rest) {
        object.insert((*key).into(), (*part).into());
    }
    object
}

fn http_status_of_grpc(code: i64) -> i64 {
    match code {
        0 => 200,
        3 => 400,
        5 => 404,
        6 => 409,
        7 => 403,
        16 => 401,
        _ => 500,
    }
}

impl AuditEvent {
    fn from_doc(doc: OwnedValue) -> Self {
        let mut hot = [ABSENT; HOT_MEMBERS.len()];
        if let Json::Object(object) = &*doc {
            for (at, (key, _)) in object.as_vec().iter().enumerate() {
                if let Some(slot) = hot_slot(key) {
                    // A repeated key: the last one counts.
                    hot[slot] = u32::try_from(at).unwrap_or(ABSENT);
                }
            }
        }
        let mut nested = [ABSENT; NESTED_MEMBERS.len()];
        if let Json::Object(object) = &*doc {
            for parent in NESTED_PARENTS {
                let child = object.as_vec().get(hot[parent] as usize).map(|(_, v)| v);
                if let Some(Json::Object(child)) = child {
                    for (at, (key, _)) in child.as_vec().iter().enumerate() {
                        if let Some(slot) = nested_slot(parent, key) {
                            // A repeated key: the last one counts.
                            nested[slot] = u32::try_from(at).unwrap_or(ABSENT);
                        }
                    }
                }
            }
        }
        AuditEvent {
            doc: Some(doc),
            hot,
            nested,
            whole: OnceLock::new(),
            time_ns: OnceLock::new(),
        }
    }

    /// Wraps an already-parsed JSON value as an event.
    // Taken by value as before the event kept its own text, so that callers need not change.
    #[allow(clippy::needless_pass_by_value)]
    pub fn from_value(value: Value) -> Self {
        let doc = serde_json::to_string(&value)
            .ok()
            .and_then(|text| OwnedValue::from_string(text).ok());
        match doc {
            Some(doc) => AuditEvent::from_doc(doc),
            // Writing a value out and reading it back fails only for nesting beyond the
            // parser's limit; such a value holds no event anyway.
            None => AuditEvent {
                doc: None,
                hot: [ABSENT; HOT_MEMBERS.len()],
                nested: [ABSENT; NESTED_MEMBERS.len()],
                whole: OnceLock::new(),
                time_ns: OnceLock::new(),
            },
        }
    }

    /// The whole event as JSON (converted on first call).
    pub fn value(&self) -> &Value {
        self.whole.get_or_init(|| Value::from(self.root()))
    }

    /// The event's tree.
    pub(crate) fn root(&self) -> &Json {
        self.doc.as_deref().unwrap_or(&NULL)
    }

    /// One top-level member.
    pub(crate) fn member(&self, key: &str) -> Option<&Json> {
        match hot_slot(key) {
            Some(slot) => self.hot_member(slot),
            None => get(self.root(), key),
        }
    }

    /// The top-level member in a slot that [`hot_slot`] gave.
    pub(crate) fn hot_member(&self, slot: usize) -> Option<&Json> {
        let at = self.hot[slot];
        if at == ABSENT {
            return None;
        }
        match self.root() {
            Json::Object(object) => object.as_vec().get(at as usize).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The member in a slot that [`nested_slot`] gave.
    pub(crate) fn nested_member(&self, slot: usize) -> Option<&Json> {
        let at = *self.nested.get(slot)?;
        if at == ABSENT {
            return None;
        }
        let (parent, _) = NESTED_MEMBERS[slot];
        match self.hot_member(parent)? {
            Json::Object(object) => object.as_vec().get(at as usize).map(|(_, v)| v),
            _ => None,
        }
    }

    /// A top-level string member.
    pub fn str_at(&self, key: &str) -> Option<&str> {
        self.member(key).and_then(Json::as_str)
    }

    /// A string member of a top-level object.
    pub fn str_in(&self, outer: &str, key: &str) -> Option<&str> {
        match hot_slot(outer) {
            Some(parent) => match nested_slot(parent, key) {
                Some(slot) => self.nested_member(slot)?.as_str(),
                None => get(self.hot_member(parent)?, key)?.as_str(),
            },
            None => get(get(self.root(), outer)?, key)?.as_str(),
        }
    }

    /// The request verb (`create`, `get`, ...).
    pub fn verb(&self) -> Option<&str> {
        self.hot_member(0).and_then(Json::as_str)
    }

    /// The target resource (`pods`, `secrets`, ...).
    pub fn resource(&self) -> Option<&str> {
        self.nested_member(0)?.as_str()
    }

    /// The requesting user's name.
    pub fn user_name(&self) -> Option<&str> {
        self.nested_member(4)?.as_str()
    }

    /// The client's addresses that are strings, in order.
    pub fn source_ips(&self) -> impl Iterator<Item = &str> {
        self.hot_member(5)
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .filter_map(Json::as_str)
    }

    /// The HTTP response code, when it is an integer.
    pub fn response_code(&self) -> Option<i64> {
        self.nested_member(6)?.as_i64()
    }

    /// The audit id.
    pub fn audit_id(&self) -> Option<&str> {
        self.str_at("auditID")
    }

    /// The event's time as written: `stageTimestamp`, else `requestReceivedTimestamp`, else
    /// `timestamp`; empty when it has none.
    pub fn time(&self) -> &str {
        self.str_at("stageTimestamp")
            .or_else(|| self.str_at("requestReceivedTimestamp"))
            .or_else(|| self.str_at("timestamp"))
            .unwrap_or("")
    }

    /// The event's time in nanoseconds since the Unix epoch, when it has a readable one.
    pub fn raw_time_ns(&self) -> Option<i128> {
        *self.time_ns.get_or_init(|| self.read_time_ns())
    }

    fn read_time_ns(&self) -> Option<i128> {
        let text = self.time();
        if let Some(ns) = utc_timestamp_ns(text) {
            return Some(ns);
        }
        let ts: jiff::Timestamp = text.parse().ok()?;
        Some(ts.as_nanosecond())
    }
}

/// Nanoseconds since the Unix epoch of a time in the one shape API servers write,
/// `YYYY-MM-DDTHH:MM:SS[.fraction]Z` (years 1 to 9998), read without a general date parser
/// (which cost more than evaluating the rules); `None` for any other text, which a general
/// parser may still read.
pub fn utc_timestamp_ns(text: &str) -> Option<i128> {
    let b = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| -> Option<i64> {
        b.get(range)?.iter().try_fold(0i64, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + i64::from(c - b'0'))
        })
    };
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || *b.last()? != b'Z'
    {
        return None;
    }
    let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    let (hour, minute, second) = (digits(11..13)?, digits(14..16)?, digits(17..19)?);
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let month_days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    // Year 9999 is left to the general parser, whose range ends within it.
    if year == 0
        || year > 9998
        || day == 0
        || day > month_days
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let mut nanos = 0i64;
    match &b[19..b.len() - 1] {
        [] => {}
        [b'.', fraction @ ..] if (1..=9).contains(&fraction.len()) => {
            let value = digits(20..b.len() - 1)?;
            nanos = value * 10i64.pow(9 - fraction.len() as u32);
        }
        _ => return None,
    }
    // Days since 1970-01-01 of a proleptic Gregorian date (eras of 400 years).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let shifted_month = (month + 9) % 12;
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era * 146_097 + day_of_era - 719_468;
    let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second;
    Some(i128::from(seconds) * 1_000_000_000 + i128::from(nanos))
}
