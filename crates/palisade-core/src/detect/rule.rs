//! The one internal rule tree both rule languages compile into, its index by event kind, and
//! evaluation of events against it.
//!
//! A condition is an [`Expr`] whose leaves hold a pre-resolved [`Extractor`] and a [`Test`] with
//! its operand prepared (lower-cased for case-insensitive tests, sets hashed, patterns compiled),
//! so evaluation does no name lookups and no parsing. Rules whose condition pins the verb or the
//! target resource are filed under those values; an event is only tested against the rules filed
//! under its own verb and resource plus the rules that pin neither.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};

use regex::Regex;

use super::event::AuditEvent;
use super::fields::{Extractor, Values};
use super::{Match, RuleInfo};

/// A set of strings tested per event. The hash needs no protection against chosen keys (only the
/// rules insert into it; events only look up), so a fast fixed-seed hash replaces SipHash.
pub(crate) type StrSet = HashSet<Box<str>, foldhash::fast::FixedState>;

/// A map keyed by a string looked up per event (the index), hashed like [`StrSet`].
type StrMap<V> = HashMap<Box<str>, V, foldhash::fast::FixedState>;

/// A compiled condition.
#[derive(Debug, Clone)]
pub(crate) enum Expr {
    /// Every operand holds.
    And(Vec<Expr>),
    /// Some operand holds.
    Or(Vec<Expr>),
    /// The operand does not hold.
    Not(Box<Expr>),
    /// A test on one field.
    Test(Box<FieldTest>),
    /// Several tests on one field, read once: all must hold (`all`) or some must.
    Tests {
        field: Extractor,
        tests: Vec<Test>,
        all: bool,
    },
}

/// A field and the test applied to its values.
#[derive(Debug, Clone)]
pub(crate) struct FieldTest {
    pub(crate) field: Extractor,
    pub(crate) test: Test,
}

/// How a field's values are tested. For list fields, scalar tests hold when some item passes.
#[derive(Debug, Clone)]
pub(crate) enum Test {
    Exists,
    Eq(Box<str>),
    Ne(Box<str>),
    /// Equality ignoring case; the operand is lower case.
    IEq(Box<str>),
    Order(Ordering, Box<str>),
    Contains(Box<str>),
    IContains(Box<str>),
    StartsWith(Box<str>),
    IStartsWith(Box<str>),
    EndsWith(Box<str>),
    IEndsWith(Box<str>),
    Pattern(Regex),
    /// Every value is in the set (Falco `in`).
    In(StrSet),
    /// Some value is in the set (Falco `intersects`).
    Intersects(StrSet),
    /// Some value is, or is under, one of the paths (Falco `pmatch`).
    PrefixMatch(Vec<Box<str>>),
    Cidr(Vec<ipnet::IpNet>),
}

/// The order comparisons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ordering {
    Lt,
    Le,
    Gt,
    Ge,
}

fn compare(value: &str, operand: &str) -> std::cmp::Ordering {
    match (value.trim().parse::<f64>(), operand.trim().parse::<f64>()) {
        (Ok(a), Ok(b)) => a.partial_cmp(&b).unwrap_or(std::cmp::Ordering::Equal),
        _ => value.cmp(operand),
    }
}

fn lower(value: &str) -> Cow<'_, str> {
    if value.bytes().any(|b| b.is_ascii_uppercase()) || !value.is_ascii() {
        Cow::Owned(value.to_lowercase())
    } else {
        Cow::Borrowed(value)
    }
}

fn under_path(value: &str, path: &str) -> bool {
    let path = path.trim_end_matches('/');
    value == path
        || (value.starts_with(path) && value.as_bytes().get(path.len()) == Some(&b'/'))
        || path.is_empty()
}

impl Test {
    fn holds_one(&self, value: &str) -> bool {
        match self {
            Test::Exists => true,
            Test::In(set) | Test::Intersects(set) => set.contains(value),
            Test::Eq(op) => value == &**op,
            Test::Ne(op) => value != &**op,
            Test::IEq(op) => *lower(value) == **op,
            Test::Order(ord, op) => {
                let c = compare(value, op);
                match ord {
                    Ordering::Lt => c.is_lt(),
                    Ordering::Le => c.is_le(),
                    Ordering::Gt => c.is_gt(),
                    Ordering::Ge => c.is_ge(),
                }
            }
            Test::Contains(op) => value.contains(&**op),
            Test::IContains(op) => lower(value).contains(&**op),
            Test::StartsWith(op) => value.starts_with(&**op),
            Test::IStartsWith(op) => lower(value).starts_with(&**op),
            Test::EndsWith(op) => value.ends_with(&**op),
            Test::IEndsWith(op) => lower(value).ends_with(&**op),
            Test::Pattern(re) => re.is_match(value),
            Test::PrefixMatch(paths) => paths.iter().any(|p| under_path(value, p)),
            Test::Cidr(nets) => value
                .trim()
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| nets.iter().any(|n| n.contains(&ip))),
        }
    }

    fn holds(&self, values: &Values<'_>) -> bool {
        if matches!(values, Values::Missing) {
            return false;
        }
        let items = values.as_slice();
        match self {
            Test::Exists => true,
            Test::In(set) => !items.is_empty() && items.iter().all(|v| set.contains(&**v)),
            Test::Intersects(set) => items.iter().any(|v| set.contains(&**v)),
            Test::Ne(_) if matches!(values, Values::Many(_)) => {
                // A list differs from a value when no item equals it.
                !items.iter().any(|v| !self.holds_one(v))
            }
            _ => items.iter().any(|v| self.holds_one(v)),
        }
    }
}

impl Expr {
    pub(crate) fn eval(&self, event: &AuditEvent) -> bool {
        match self {
            Expr::And(items) => items.iter().all(|e| e.eval(event)),
            Expr::Or(items) => items.iter().any(|e| e.eval(event)),
            Expr::Not(inner) => !inner.eval(event),
            Expr::Test(t) => t.test.holds(&t.field.extract(event)),
            Expr::Tests { field, tests, all } => {
                let values = field.extract(event);
                if *all {
                    tests.iter().all(|t| t.holds(&values))
                } else {
                    tests.iter().any(|t| t.holds(&values))
                }
            }
        }
    }

    /// Flattens nested `and`/`or` (macros nest them) and merges neighbouring tests of one
    /// field, so a field read by many tests in a row (a list of `contains`) is read once.
    pub(crate) fn simplify(self) -> Expr {
        match self {
            Expr::And(items) => Expr::merge(items, true),
            Expr::Or(items) => Expr::merge(items, false),
            Expr::Not(inner) => Expr::Not(Box::new(inner.simplify())),
            other => other,
        }
    }

    fn merge(items: Vec<Expr>, all: bool) -> Expr {
        let mut flat = Vec::with_capacity(items.len());
        for item in items {
            match item.simplify() {
                Expr::And(inner) if all => flat.extend(inner),
                Expr::Or(inner) if !all => flat.extend(inner),
                other => flat.push(other),
            }
        }
        let mut out: Vec<Expr> = Vec::with_capacity(flat.len());
        for item in flat {
            let Expr::Test(next) = item else {
                out.push(item);
                continue;
            };
            if let Some(Expr::Tests {
                field,
                tests,
                all: same,
            }) = out.last_mut()
                && *field == next.field
                && *same == all
            {
                tests.push(next.test);
                continue;
            }
            if matches!(out.last(), Some(Expr::Test(prev)) if prev.field == next.field)
                && let Some(Expr::Test(prev)) = out.pop()
            {
                out.push(Expr::Tests {
                    field: prev.field,
                    tests: vec![prev.test, next.test],
                    all,
                });
                continue;
            }
            out.push(Expr::Test(next));
        }
        if out.len() == 1 {
            return out.remove(0);
        }
        if all { Expr::And(out) } else { Expr::Or(out) }
    }

    /// The values the condition requires a string field to take (lower case), when it pins it
    /// on every path to a match; `None` when it does not.
    fn pinned(&self, is_field: &dyn Fn(&Extractor) -> bool) -> Option<HashSet<String>> {
        match self {
            Expr::Test(t) if is_field(&t.field) => pinned_by(&t.test),
            Expr::Tests { field, tests, all } if is_field(field) => {
                let mut result: Option<HashSet<String>> = None;
                for test in tests {
                    match (pinned_by(test), *all) {
                        (Some(set), true) => {
                            result = Some(match result {
                                None => set,
                                Some(prev) => prev.intersection(&set).cloned().collect(),
                            });
                        }
                        (Some(set), false) => result.get_or_insert_with(HashSet::new).extend(set),
                        (None, true) => {}
                        (None, false) => return None,
                    }
                }
                result
            }
            Expr::And(items) => {
                let mut result: Option<HashSet<String>> = None;
                for item in items {
                    if let Some(set) = item.pinned(is_field) {
                        result = Some(match result {
                            None => set,
                            Some(prev) => prev.intersection(&set).cloned().collect(),
                        });
                    }
                }
                result
            }
            Expr::Or(items) => {
                let mut union = HashSet::new();
                for item in items {
                    union.extend(item.pinned(is_field)?);
                }
                Some(union)
            }
            _ => None,
        }
    }
}

/// The values (lower case) a test lets a string field take, when it names them.
fn pinned_by(test: &Test) -> Option<HashSet<String>> {
    match test {
        Test::Eq(v) | Test::IEq(v) => Some(std::iter::once(v.to_lowercase()).collect()),
        Test::In(set) | Test::Intersects(set) => {
            Some(set.iter().map(|v| v.to_lowercase()).collect())
        }
        _ => None,
    }
}

fn is_verb(field: &Extractor) -> bool {
    match field {
        Extractor::Path(p) | Extractor::HotPath(_, p) => *p == ["verb"],
        Extractor::Pointer(p, _) => p.len() == 1 && &*p[0] == "verb",
        Extractor::Dotted(keys) => keys.len() == 1 && &*keys[0] == "verb",
        _ => false,
    }
}

fn is_resource(field: &Extractor) -> bool {
    match field {
        Extractor::Path(p) | Extractor::HotPath(_, p) | Extractor::NestedPath(_, p) => {
            *p == ["objectRef", "resource"]
        }
        Extractor::Pointer(p, _) => p.len() == 2 && &*p[0] == "objectRef" && &*p[1] == "resource",
        Extractor::Dotted(keys) => {
            keys.len() == 2 && &*keys[0] == "objectRef" && &*keys[1] == "resource"
        }
        _ => false,
    }
}

/// One piece of an output template.
#[derive(Debug, Clone)]
pub(crate) enum OutputPart {
    Text(String),
    Field { name: String, field: Extractor },
}

/// A compiled rule, whichever language it came from.
#[derive(Debug, Clone)]
pub(crate) struct CompiledRule {
    pub(crate) info: RuleInfo,
    pub(crate) condition: Expr,
    pub(crate) output: Vec<OutputPart>,
}

impl CompiledRule {
    fn render(&self, event: &AuditEvent) -> Match {
        let mut output = String::new();
        let mut output_fields = BTreeMap::new();
        for part in &self.output {
            match part {
                OutputPart::Text(t) => output.push_str(t),
                OutputPart::Field { name, field } => {
                    let value = field.extract(event).render();
                    output.push_str(value.as_deref().unwrap_or("<NA>"));
                    output_fields.insert(
                        name.clone(),
                        value.map_or(serde_json::Value::Null, serde_json::Value::String),
                    );
                }
            }
        }
        Match {
            rule: self.info.name.clone(),
            rule_id: self.info.rule_id.clone(),
            priority: self.info.priority,
            output,
            output_fields,
            tags: self.info.tags.clone(),
            time: event.time().to_owned(),
            format: self.info.format,
        }
    }
}

/// Rule indices filed by target resource.
#[derive(Debug, Default)]
struct ByResource {
    resources: StrMap<Vec<u32>>,
    any: Vec<u32>,
}

impl ByResource {
    fn file(&mut self, resources: Option<&HashSet<String>>, rule: u32) {
        match resources {
            None => self.any.push(rule),
            Some(set) => {
                for r in set {
                    self.resources
                        .entry(r.as_str().into())
                        .or_default()
                        .push(rule);
                }
            }
        }
    }

    /// The lists of rules an event of this resource may match: the resource's own, then those
    /// that pin no resource.
    fn candidates<'s>(&'s self, resource: Option<&str>) -> [&'s [u32]; 2] {
        let own = resource
            .and_then(|r| self.resources.get(&*lower(r)))
            .map_or(&[][..], Vec::as_slice);
        [own, &self.any]
    }
}

/// A loaded, compiled set of rules, indexed by event kind. Immutable; `Send` and `Sync`.
#[derive(Debug, Default)]
pub struct RuleSet {
    rules: Vec<CompiledRule>,
    verbs: StrMap<ByResource>,
    any_verb: ByResource,
}

impl RuleSet {
    pub(crate) fn new(mut rules: Vec<CompiledRule>) -> Self {
        for rule in &mut rules {
            let condition = std::mem::replace(&mut rule.condition, Expr::And(Vec::new()));
            rule.condition = condition.simplify();
        }
        let mut set = RuleSet {
            rules,
            ..RuleSet::default()
        };
        for (index, rule) in set.rules.iter().enumerate() {
            let index = index as u32;
            let verbs = rule.condition.pinned(&is_verb);
            let resources = rule.condition.pinned(&is_resource);
            match verbs {
                None => set.any_verb.file(resources.as_ref(), index),
                Some(verbs) => {
                    for verb in verbs {
                        set.verbs
                            .entry(verb.into())
                            .or_default()
                            .file(resources.as_ref(), index);
                    }
                }
            }
        }
        set
    }

    /// How many rules the set holds.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Whether the set holds no rules.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The rules that match an event, in load order.
    pub fn evaluate(&self, event: &AuditEvent) -> Vec<Match> {
        let lists = self.candidate_lists(event.verb(), event.resource());
        let mut matched: Vec<u32> = Vec::new();
        for list in lists {
            for &index in list {
                if self.rules[index as usize].condition.eval(event) {
                    matched.push(index);
                }
            }
        }
        matched.sort_unstable();
        matched
            .into_iter()
            .map(|i| self.rules[i as usize].render(event))
            .collect()
    }

    /// What each loaded rule is, in load order.
    pub fn rules(&self) -> impl Iterator<Item = RuleInfo> + '_ {
        self.rules.iter().map(|r| r.info.clone())
    }

    /// How many rules an event of this verb and resource is tested against (for benchmarks and
    /// tests of the index).
    pub fn candidate_count(&self, verb: Option<&str>, resource: Option<&str>) -> usize {
        self.candidate_lists(verb, resource)
            .iter()
            .map(|l| l.len())
            .sum()
    }

    /// The lists of rules filed under this verb and resource, under this verb alone, under this
    /// resource alone and under neither; a rule is in at most one of them.
    fn candidate_lists(&self, verb: Option<&str>, resource: Option<&str>) -> [&[u32]; 4] {
        let [own, any] = match verb.and_then(|v| self.verbs.get(&*lower(v))) {
            Some(by_resource) => by_resource.candidates(resource),
            None => [&[][..], &[][..]],
        };
        let [any_verb_own, any_verb_any] = self.any_verb.candidates(resource);
        [own, any, any_verb_own, any_verb_any]
    }
}

/// Translates a glob (`*`, `?`, `[...]`) into an anchored regular expression.
pub(crate) fn glob_regex(
    glob: &str,
    case_insensitive: bool,
    backslash_escapes: bool,
) -> Result<Regex, String> {
    let mut re = String::from(if case_insensitive { "(?is)^" } else { "(?s)^" });
    let mut chars = glob.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '*' => re.push_str(".*"),
            '?' => re.push('.'),
            '\\' if backslash_escapes => match chars.next() {
                Some(next) => re.push_str(&regex::escape(&next.to_string())),
                None => re.push_str(r"\\"),
            },
            '[' if !backslash_escapes => {
                let mut class = String::new();
                let mut closed = false;
                for d in chars.by_ref() {
                    if d == ']' && !class.is_empty() {
                        closed = true;
                        break;
                    }
                    class.push(d);
                }
                if !closed {
                    return Err(format!("unclosed '[' in glob {glob:?}"));
                }
                let class = class
                    .strip_prefix('!')
                    .map_or(class.clone(), |rest| format!("^{rest}"));
                re.push('[');
                re.push_str(&class.replace('\\', r"\\").replace('[', r"\["));
                re.push(']');
            }
            other => re.push_str(&regex::escape(&other.to_string())),
        }
    }
    re.push('$');
    Regex::new(&re).map_err(|e| format!("invalid glob {glob:?}: {e}"))
}

/// Parses an output template: `%field` and `%field[arg]` are replaced by the event's values.
pub(crate) fn parse_output(template: &str) -> Result<Vec<OutputPart>, String> {
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut rest = template;
    while let Some(at) = rest.find('%') {
        text.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let name_len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '_'))
            .unwrap_or(after.len());
        let name = after[..name_len].trim_end_matches('.');
        if name.is_empty() {
            text.push('%');
            rest = after;
            continue;
        }
        let mut consumed = name.len();
        let mut arg = None;
        if after[name.len()..].starts_with('[') {
            let close = after[name.len()..]
                .find(']')
                .ok_or_else(|| format!("unclosed '[' after %{name} in output"))?;
            arg = Some(&after[name.len() + 1..name.len() + close]);
            consumed = name.len() + close + 1;
        }
        let field = super::fields::resolve(name, arg).map_err(|e| format!("in output: {e}"))?;
        if !text.is_empty() {
            parts.push(OutputPart::Text(std::mem::take(&mut text)));
        }
        parts.push(OutputPart::Field {
            name: after[..consumed].to_owned(),
            field,
        });
        rest = &after[consumed..];
    }
    text.push_str(rest);
    if !text.is_empty() {
        parts.push(OutputPart::Text(text));
    }
    Ok(parts)
}
