//! Kubernetes audit events: parsing one JSON text into events, and cheap access to their fields.
//!
//! Accepted shapes: an `audit.k8s.io` `Event` (v1 or v1beta1), an `EventList`, a JSON array of
//! either, Azure diagnostic records (`{"records": [...]}` or one record whose `properties.log`
//! holds the event as a JSON string), and Google Cloud audit log entries (`protoPayload`), which
//! are translated into the Kubernetes event shape so that the same fields apply.

use std::fmt;
use std::sync::OnceLock;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

/// One Kubernetes audit event.
///
/// The request and response objects, which make up most of a `RequestResponse` event and which
/// few rules read, are kept as raw JSON text and parsed on first use. The members rules read on
/// nearly every event sit in fixed slots ([`HOT_MEMBERS`]) rather than in a map, so reading one
/// costs no key comparisons and parsing one allocates no key.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    /// The members named in [`HOT_MEMBERS`], by position.
    hot: [Option<Value>; HOT_MEMBERS.len()],
    /// The other members (or, for a JSON text that is not an object, the whole value).
    rest: Value,
    deferred: Option<Box<Deferred>>,
    /// The whole event, joined on first request.
    whole: OnceLock<Value>,
}

/// The top-level members held in slots, most read first.
const HOT_MEMBERS: [&str; 14] = [
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
];

fn hot_slot(key: &str) -> Option<usize> {
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
        _ => return None,
    })
}

/// The members whose parsing waits until a rule reads them.
#[derive(Debug, Clone, Default)]
struct Deferred {
    request: Option<Box<RawValue>>,
    response: Option<Box<RawValue>>,
    request_value: OnceLock<Option<Value>>,
    response_value: OnceLock<Option<Value>>,
}

impl PartialEq for AuditEvent {
    fn eq(&self, other: &Self) -> bool {
        self.value() == other.value()
    }
}

/// The top-level members of a JSON object: the frequently read ones in slots, the request and
/// response objects left raw.
struct Top {
    hot: [Option<Value>; HOT_MEMBERS.len()],
    rest: Map<String, Value>,
    request: Option<Box<RawValue>>,
    response: Option<Box<RawValue>>,
}

impl Top {
    fn member(&self, key: &str) -> Option<&Value> {
        match hot_slot(key) {
            Some(slot) => self.hot[slot].as_ref(),
            None => self.rest.get(key),
        }
    }

    /// All members in one map, the raw objects parsed.
    fn into_map(self) -> Map<String, Value> {
        let mut map = self.rest;
        for (key, value) in HOT_MEMBERS.iter().zip(self.hot) {
            if let Some(value) = value {
                map.insert((*key).to_owned(), value);
            }
        }
        if let Some(v) = parse_raw(self.request.as_deref()) {
            map.insert("requestObject".into(), v);
        }
        if let Some(v) = parse_raw(self.response.as_deref()) {
            map.insert("responseObject".into(), v);
        }
        map
    }
}

/// An object key, borrowed from the text unless it holds escapes.
struct Key<'de>(std::borrow::Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

impl<'de> Deserialize<'de> for Top {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TopVisitor;
        impl<'de> Visitor<'de> for TopVisitor {
            type Value = Top;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Top, A::Error> {
                let mut top = Top {
                    hot: Default::default(),
                    rest: Map::new(),
                    request: None,
                    response: None,
                };
                while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
                    match &*key {
                        "requestObject" => top.request = Some(map.next_value()?),
                        "responseObject" => top.response = Some(map.next_value()?),
                        other => {
                            let value: Value = map.next_value()?;
                            match hot_slot(other) {
                                Some(slot) => top.hot[slot] = Some(value),
                                None => {
                                    top.rest.insert(key.into_owned(), value);
                                }
                            }
                        }
                    }
                }
                Ok(top)
            }
        }
        deserializer.deserialize_map(TopVisitor)
    }
}

fn parse_raw(raw: Option<&RawValue>) -> Option<Value> {
    raw.and_then(|r| serde_json::from_str(r.get()).ok())
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
}

/// Parses one JSON text (a line, a whole file or an HTTP body) into the audit events it holds.
pub fn parse_audit_json(text: &str) -> Result<Vec<AuditEvent>, EventError> {
    let invalid = |e: serde_json::Error| EventError {
        message: format!("invalid JSON: {e}"),
        line: u32::try_from(e.line()).ok().filter(|l| *l > 0),
        column: u32::try_from(e.column()).ok().filter(|c| *c > 0),
    };
    let mut events = Vec::new();
    if text.trim_start().starts_with('{') {
        // The common case, one event per text: its bulky objects stay raw until needed.
        let top: Top = serde_json::from_str(text).map_err(invalid)?;
        if is_event(|key| top.member(key)) {
            let deferred = (top.request.is_some() || top.response.is_some()).then(|| {
                Box::new(Deferred {
                    request: top.request,
                    response: top.response,
                    ..Deferred::default()
                })
            });
            events.push(AuditEvent {
                hot: top.hot,
                rest: Value::Object(top.rest),
                deferred,
                whole: OnceLock::new(),
            });
            return Ok(events);
        }
        collect(Value::Object(top.into_map()), &mut events, 0)?;
        return Ok(events);
    }
    let value: Value = serde_json::from_str(text).map_err(invalid)?;
    collect(value, &mut events, 0)?;
    Ok(events)
}

fn is_event<'m>(member: impl Fn(&str) -> Option<&'m Value>) -> bool {
    match member("kind").and_then(Value::as_str) {
        Some("Event") => true,
        Some("EventList") => false,
        _ => member("verb").is_some() || member("auditID").is_some(),
    }
}

/// Envelopes nest at most a few levels; anything deeper is not an audit log.
const MAX_ENVELOPE_DEPTH: usize = 4;

fn collect(value: Value, out: &mut Vec<AuditEvent>, depth: usize) -> Result<(), EventError> {
    if depth > MAX_ENVELOPE_DEPTH {
        return Err(EventError::shape("audit events nested too deeply"));
    }
    match value {
        Value::Array(items) => {
            for item in items {
                collect(item, out, depth + 1)?;
            }
            Ok(())
        }
        Value::Object(mut map) => {
            let kind = map.get("kind").and_then(Value::as_str).unwrap_or("");
            if kind == "EventList"
                || (kind.is_empty() && map.get("items").is_some_and(Value::is_array))
            {
                if let Some(Value::Array(items)) = map.remove("items") {
                    for item in items {
                        collect(item, out, depth + 1)?;
                    }
                }
                return Ok(());
            }
            if is_event(|key| map.get(key)) {
                out.push(AuditEvent::from_value(Value::Object(map)));
                return Ok(());
            }
            if let Some(Value::Array(records)) = map.remove("records") {
                for record in records {
                    collect(record, out, depth + 1)?;
                }
                return Ok(());
            }
            if let Some(log) = map.get("properties").and_then(|p| p.get("log")) {
                let inner = match log {
                    Value::String(text) => serde_json::from_str(text).map_err(|e| {
                        EventError::shape(format!("invalid JSON in properties.log: {e}"))
                    })?,
                    other => other.clone(),
                };
                return collect(inner, out, depth + 1);
            }
            if map.contains_key("protoPayload") {
                out.push(AuditEvent::from_value(Value::Object(from_cloud_audit_log(
                    &map,
                ))));
                return Ok(());
            }
            Err(EventError::shape(
                "not an audit event: no kind Event, verb or auditID",
            ))
        }
        other => Err(EventError::shape(format!(
            "not an audit event: a JSON {}",
            json_type(&other)
        ))),
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
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
    /// Wraps an already-parsed JSON object as an event.
    pub fn from_value(value: Value) -> Self {
        let mut hot: [Option<Value>; HOT_MEMBERS.len()] = Default::default();
        let rest = match value {
            Value::Object(map) => {
                let mut rest = Map::new();
                for (key, member) in map {
                    match hot_slot(&key) {
                        Some(slot) => hot[slot] = Some(member),
                        None => {
                            rest.insert(key, member);
                        }
                    }
                }
                Value::Object(rest)
            }
            other => other,
        };
        AuditEvent {
            hot,
            rest,
            deferred: None,
            whole: OnceLock::new(),
        }
    }

    /// The whole event as JSON (joined, with the deferred objects parsed, on first call).
    pub fn value(&self) -> &Value {
        self.whole.get_or_init(|| {
            let Value::Object(rest) = &self.rest else {
                return self.rest.clone();
            };
            let mut whole = rest.clone();
            for (key, value) in HOT_MEMBERS.iter().zip(&self.hot) {
                if let Some(value) = value {
                    whole.insert((*key).to_owned(), value.clone());
                }
            }
            if let Some(v) = self.member("requestObject") {
                whole.insert("requestObject".into(), v.clone());
            }
            if let Some(v) = self.member("responseObject") {
                whole.insert("responseObject".into(), v.clone());
            }
            Value::Object(whole)
        })
    }

    /// One top-level member, parsing a deferred object on first use.
    pub fn member(&self, key: &str) -> Option<&Value> {
        if let Some(slot) = hot_slot(key) {
            return self.hot[slot].as_ref();
        }
        if let Some(d) = &self.deferred {
            match key {
                "requestObject" if d.request.is_some() => {
                    return d
                        .request_value
                        .get_or_init(|| parse_raw(d.request.as_deref()))
                        .as_ref();
                }
                "responseObject" if d.response.is_some() => {
                    return d
                        .response_value
                        .get_or_init(|| parse_raw(d.response.as_deref()))
                        .as_ref();
                }
                _ => {}
            }
        }
        self.rest.get(key)
    }

    /// The value at a JSON pointer (`/objectRef/resource`), if present.
    pub fn pointer(&self, pointer: &str) -> Option<&Value> {
        if pointer.is_empty() {
            return Some(self.value());
        }
        let rest = pointer.strip_prefix('/')?;
        let (first, rest) = rest
            .split_once('/')
            .map_or((rest, None), |(a, b)| (a, Some(b)));
        let first = first.replace("~1", "/").replace("~0", "~");
        let member = self.member(&first)?;
        match rest {
            None => Some(member),
            Some(rest) => member.pointer(&format!("/{rest}")),
        }
    }

    /// A top-level string member.
    pub fn str_at(&self, key: &str) -> Option<&str> {
        self.member(key).and_then(Value::as_str)
    }

    /// A string member of a top-level object.
    pub fn str_in(&self, outer: &str, key: &str) -> Option<&str> {
        self.member(outer)?.get(key)?.as_str()
    }

    /// The request verb (`create`, `get`, ...).
    pub fn verb(&self) -> Option<&str> {
        self.hot[0].as_ref().and_then(Value::as_str)
    }

    /// The target resource (`pods`, `secrets`, ...).
    pub fn resource(&self) -> Option<&str> {
        self.hot[1].as_ref()?.get("resource")?.as_str()
    }

    /// The requesting user's name.
    pub fn user_name(&self) -> Option<&str> {
        self.str_in("user", "username")
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
        let text = self.time();
        let ts: jiff::Timestamp = text.parse().ok()?;
        Some(ts.as_nanosecond())
    }
}
