//! The Sigma rule loader for `logsource: product: kubernetes, service: audit`.
//!
//! Sigma field names are dot-separated paths into the audit event (`objectRef.resource`,
//! `user.username`); a path through an array tests every item. String matching ignores case
//! unless the `cased` modifier is given; `re` is case-sensitive, as the specification says.
//! Rules for other log sources are skipped without error, so a directory of mixed Sigma rules
//! can be given as it is.

use super::LoadError;
use super::fields::Extractor;
use super::rule::{CompiledRule, Expr, FieldTest, OutputPart, Test, glob_regex, parse_output};
use super::{Priority, RuleFormat, RuleInfo};
use crate::document::{Node, Pos, Value, parse_stream};

/// The output given to Sigma alerts (Sigma rules carry no output template).
const SIGMA_OUTPUT: &str = " (user=%ka.user.name verb=%ka.verb resource=%ka.target.resource subresource=%ka.target.subresource ns=%ka.target.namespace name=%ka.target.name uri=%ka.uri)";

struct Context<'a> {
    file: &'a str,
    errors: &'a mut Vec<LoadError>,
    rule: Option<String>,
}

impl Context<'_> {
    fn error(&mut self, pos: Pos, message: impl Into<String>) {
        self.errors.push(LoadError {
            file: self.file.to_owned(),
            line: pos.line,
            column: pos.col,
            message: message.into(),
            rule: self.rule.clone(),
        });
    }
}

/// Loads the Sigma rules of one file (one rule per YAML document).
pub(crate) fn load(file: &str, text: &str, errors: &mut Vec<LoadError>) -> Vec<CompiledRule> {
    let parsed = parse_stream(text);
    let mut cx = Context {
        file,
        errors,
        rule: None,
    };
    for problem in parsed.problems.iter().filter(|p| p.fatal) {
        cx.error(problem.pos, problem.message.clone());
    }
    let mut rules = Vec::new();
    for document in &parsed.documents {
        if document.root.is_null() {
            continue;
        }
        cx.rule = None;
        if let Some(rule) = load_rule(&document.root, &mut cx) {
            rules.push(rule);
        }
    }
    rules
}

fn text_of(node: Option<&Node>) -> Option<String> {
    node.and_then(Node::scalar_text)
        .map(std::borrow::Cow::into_owned)
}

fn load_rule(root: &Node, cx: &mut Context<'_>) -> Option<CompiledRule> {
    if root.entries().is_empty() {
        cx.error(
            root.pos,
            format!("a Sigma rule is a mapping, not a {}", root.type_name()),
        );
        return None;
    }
    let Some(title) = text_of(root.get("title")) else {
        cx.error(root.pos, "Sigma rule has no title");
        return None;
    };
    cx.rule = Some(title.clone());
    let logsource = root.get("logsource");
    let product = text_of(logsource.and_then(|l| l.get("product"))).unwrap_or_default();
    let service = text_of(logsource.and_then(|l| l.get("service"))).unwrap_or_default();
    if !product.eq_ignore_ascii_case("kubernetes") || !service.eq_ignore_ascii_case("audit") {
        return None;
    }
    let Some(detection) = root.get("detection") else {
        cx.error(root.pos, "Sigma rule has no detection");
        return None;
    };
    let Some(condition_node) = detection.get("condition") else {
        cx.error(detection.pos, "detection has no condition");
        return None;
    };
    let mut searches: Vec<(String, Expr)> = Vec::new();
    for entry in detection.entries() {
        if &*entry.key == "condition" || &*entry.key == "timeframe" {
            continue;
        }
        match search(&entry.value) {
            Ok(expr) => searches.push((entry.key.to_string(), expr)),
            Err((pos, message)) => {
                cx.error(pos, format!("in {}: {message}", entry.key));
                return None;
            }
        }
    }
    let conditions: Vec<&Node> = match &condition_node.value {
        Value::Seq(items) => items.iter().collect(),
        _ => vec![condition_node],
    };
    let mut alternatives = Vec::new();
    for node in conditions {
        let Some(text) = node.as_str() else {
            cx.error(node.pos, "condition must be a string");
            return None;
        };
        match parse_condition(text, &searches) {
            Ok(expr) => alternatives.push(expr),
            Err(message) => {
                cx.error(node.pos, message);
                return None;
            }
        }
    }
    let condition = if alternatives.len() == 1 {
        alternatives.remove(0)
    } else {
        Expr::Or(alternatives)
    };
    let level = text_of(root.get("level"));
    let priority = level
        .as_deref()
        .and_then(Priority::parse)
        .unwrap_or(Priority::Warning);
    let tags = root
        .get("tags")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .filter_map(|n| n.scalar_text().map(std::borrow::Cow::into_owned))
        .collect();
    let mut output = vec![OutputPart::Text(title.clone())];
    output.extend(parse_output(SIGMA_OUTPUT).unwrap_or_default());
    Some(CompiledRule {
        info: RuleInfo {
            name: title,
            rule_id: text_of(root.get("id")),
            priority,
            tags,
            format: RuleFormat::Sigma,
            file: cx.file.to_owned(),
            description: text_of(root.get("description"))
                .unwrap_or_default()
                .trim()
                .to_owned(),
        },
        condition,
        output,
    })
}

type Failure = (Pos, String);

/// A search identifier's definition: a map (all fields match), a list of maps (any map
/// matches) or a list of keywords (any keyword occurs).
fn search(node: &Node) -> Result<Expr, Failure> {
    match &node.value {
        Value::Map(entries) => {
            let mut tests = Vec::new();
            for entry in entries {
                tests.push(field_match(&entry.key, entry.key_pos, &entry.value)?);
            }
            Ok(Expr::And(tests))
        }
        Value::Seq(items)
            if items.iter().all(|i| matches!(i.value, Value::Map(_))) && !items.is_empty() =>
        {
            let alternatives = items.iter().map(search).collect::<Result<_, _>>()?;
            Ok(Expr::Or(alternatives))
        }
        Value::Seq(items) => {
            let mut alternatives = Vec::new();
            for item in items {
                let Some(keyword) = item.scalar_text() else {
                    return Err((item.pos, "a keyword must be a string".into()));
                };
                alternatives.push(keyword_test(&keyword).map_err(|e| (item.pos, e))?);
            }
            Ok(Expr::Or(alternatives))
        }
        _ => match node.scalar_text() {
            Some(keyword) => keyword_test(&keyword).map_err(|e| (node.pos, e)),
            None => Err((node.pos, "a search is a mapping or a list".into())),
        },
    }
}

/// A keyword occurs anywhere in the event's JSON text.
fn keyword_test(keyword: &str) -> Result<Expr, String> {
    let pattern = if keyword.contains(['*', '?']) {
        keyword.to_owned()
    } else {
        format!("*{keyword}*")
    };
    let test = string_test(&pattern, false)?;
    Ok(leaf(Extractor::Whole, test))
}

fn leaf(field: Extractor, test: Test) -> Expr {
    Expr::Test(Box::new(FieldTest { field, test }))
}

// Sigma's modifiers are independent switches, so bools model them directly.
#[allow(clippy::struct_excessive_bools)]
#[derive(Default)]
struct Modifiers {
    contains: bool,
    startswith: bool,
    endswith: bool,
    all: bool,
    re: bool,
    cidr: bool,
    exists: bool,
    cased: bool,
    re_flags: String,
}

fn field_match(key: &str, pos: Pos, value: &Node) -> Result<Expr, Failure> {
    let mut parts = key.split('|');
    let field = parts.next().unwrap_or("");
    let mut m = Modifiers::default();
    for modifier in parts {
        match modifier {
            "contains" => m.contains = true,
            "startswith" => m.startswith = true,
            "endswith" => m.endswith = true,
            "all" => m.all = true,
            "re" => m.re = true,
            "cidr" => m.cidr = true,
            "exists" => m.exists = true,
            "cased" => m.cased = true,
            "i" | "m" | "s" => m.re_flags.push_str(modifier),
            other => return Err((pos, format!("unsupported modifier {other:?}"))),
        }
    }
    let extractor = if field.is_empty() {
        Extractor::Whole
    } else {
        Extractor::Dotted(field.split('.').map(Box::from).collect())
    };
    let values: Vec<&Node> = match &value.value {
        Value::Seq(items) => items.iter().collect(),
        _ => vec![value],
    };
    if m.exists {
        let wanted = value
            .as_bool()
            .ok_or((value.pos, "exists takes true or false".to_owned()))?;
        let test = leaf(extractor, Test::Exists);
        return Ok(if wanted {
            test
        } else {
            Expr::Not(Box::new(test))
        });
    }
    let mut tests = Vec::new();
    for node in values {
        if node.is_null() {
            tests.push(Expr::Not(Box::new(leaf(extractor.clone(), Test::Exists))));
            continue;
        }
        let Some(value_text) = node.scalar_text() else {
            return Err((node.pos, "a value must be a scalar".into()));
        };
        let test = if m.re {
            let flags = if m.re_flags.is_empty() {
                String::new()
            } else {
                format!("(?{})", m.re_flags)
            };
            Test::Pattern(
                regex::Regex::new(&format!("{flags}{value_text}"))
                    .map_err(|e| (node.pos, format!("invalid regex: {e}")))?,
            )
        } else if m.cidr {
            let net = value_text
                .parse::<ipnet::IpNet>()
                .map_err(|e| (node.pos, format!("invalid CIDR {value_text:?}: {e}")))?;
            Test::Cidr(vec![net])
        } else {
            // A modifier adds wildcards around the value; the value keeps its own.
            let lead = if m.contains || m.endswith { "*" } else { "" };
            let trail = if m.contains || m.startswith { "*" } else { "" };
            let pattern = format!("{lead}{value_text}{trail}");
            string_test(&pattern, m.cased).map_err(|e| (node.pos, e))?
        };
        tests.push(leaf(extractor.clone(), test));
    }
    if tests.is_empty() {
        return Err((value.pos, "no values".into()));
    }
    Ok(if tests.len() == 1 {
        tests.remove(0)
    } else if m.all {
        Expr::And(tests)
    } else {
        Expr::Or(tests)
    })
}

/// A Sigma string value (`*` and `?` wildcards, `\` escapes) as the cheapest equivalent test.
fn string_test(pattern: &str, cased: bool) -> Result<Test, String> {
    let has_escape = pattern.contains('\\');
    let inner_wild = |s: &str| s.contains(['*', '?']);
    if !has_escape {
        let starts = pattern.starts_with('*');
        let ends = pattern.ends_with('*') && pattern.len() > 1;
        let core = pattern.trim_start_matches('*').trim_end_matches('*');
        if !inner_wild(core) {
            let value: Box<str> = if cased {
                core.into()
            } else {
                core.to_lowercase().into()
            };
            return Ok(match (starts, ends, cased) {
                (false, false, false) => Test::IEq(value),
                (false, false, true) => Test::Eq(value),
                (true, true, false) => Test::IContains(value),
                (true, true, true) => Test::Contains(value),
                (false, true, false) => Test::IStartsWith(value),
                (false, true, true) => Test::StartsWith(value),
                (true, false, false) => Test::IEndsWith(value),
                (true, false, true) => Test::EndsWith(value),
            });
        }
    }
    Ok(Test::Pattern(glob_regex(pattern, !cased, true)?))
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Open,
    Close,
    Word(String),
}

fn lex(text: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut word = String::new();
    for c in text.chars() {
        match c {
            '(' | ')' | ' ' | '\t' | '\n' | '\r' => {
                if !word.is_empty() {
                    out.push(Tok::Word(std::mem::take(&mut word)));
                }
                match c {
                    '(' => out.push(Tok::Open),
                    ')' => out.push(Tok::Close),
                    _ => {}
                }
            }
            _ => word.push(c),
        }
    }
    if !word.is_empty() {
        out.push(Tok::Word(word));
    }
    out
}

struct CondParser<'a> {
    toks: Vec<Tok>,
    at: usize,
    searches: &'a [(String, Expr)],
}

impl CondParser<'_> {
    fn is(&self, word: &str) -> bool {
        matches!(self.toks.get(self.at), Some(Tok::Word(w)) if w.eq_ignore_ascii_case(word))
    }

    fn or(&mut self, depth: usize) -> Result<Expr, String> {
        let mut items = vec![self.and(depth)?];
        while self.is("or") {
            self.at += 1;
            items.push(self.and(depth)?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Expr::Or(items)
        })
    }

    fn and(&mut self, depth: usize) -> Result<Expr, String> {
        let mut items = vec![self.unary(depth)?];
        while self.is("and") {
            self.at += 1;
            items.push(self.unary(depth)?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Expr::And(items)
        })
    }

    fn unary(&mut self, depth: usize) -> Result<Expr, String> {
        if depth > 100 {
            return Err("condition nested too deeply".into());
        }
        if self.is("not") {
            self.at += 1;
            return Ok(Expr::Not(Box::new(self.unary(depth + 1)?)));
        }
        match self.toks.get(self.at).cloned() {
            Some(Tok::Open) => {
                self.at += 1;
                let inner = self.or(depth + 1)?;
                if self.toks.get(self.at) != Some(&Tok::Close) {
                    return Err("expected ')' in condition".into());
                }
                self.at += 1;
                Ok(inner)
            }
            Some(Tok::Word(w))
                if matches!(w.to_ascii_lowercase().as_str(), "1" | "all" | "any")
                    && matches!(self.toks.get(self.at + 1), Some(Tok::Word(of)) if of.eq_ignore_ascii_case("of")) =>
            {
                self.at += 2;
                let Some(Tok::Word(target)) = self.toks.get(self.at).cloned() else {
                    return Err(format!("expected a search name or 'them' after '{w} of'"));
                };
                self.at += 1;
                let chosen: Vec<Expr> = self
                    .searches
                    .iter()
                    .filter(|(name, _)| {
                        if target == "them" {
                            !name.starts_with('_')
                        } else {
                            name_matches(&target, name)
                        }
                    })
                    .map(|(_, e)| e.clone())
                    .collect();
                if chosen.is_empty() {
                    return Err(format!("no search matches {target:?}"));
                }
                Ok(if w.eq_ignore_ascii_case("all") {
                    Expr::And(chosen)
                } else {
                    Expr::Or(chosen)
                })
            }
            Some(Tok::Word(w)) if w == "|" || w.starts_with('|') => {
                Err("aggregations ('|') are not supported".into())
            }
            Some(Tok::Word(w)) => {
                self.at += 1;
                match self.searches.iter().find(|(name, _)| *name == w) {
                    Some((_, expr)) => Ok(expr.clone()),
                    None => Err(format!("condition names unknown search {w:?}")),
                }
            }
            Some(Tok::Close) => Err("unexpected ')' in condition".into()),
            None => Err("unexpected end of condition".into()),
        }
    }
}

fn name_matches(pattern: &str, name: &str) -> bool {
    glob_regex(pattern, false, true).is_ok_and(|re| re.is_match(name))
}

fn parse_condition(text: &str, searches: &[(String, Expr)]) -> Result<Expr, String> {
    let mut parser = CondParser {
        toks: lex(text),
        at: 0,
        searches,
    };
    let expr = parser.or(0)?;
    if parser.at < parser.toks.len() {
        return Err("unexpected words at the end of the condition".into());
    }
    Ok(expr)
}
