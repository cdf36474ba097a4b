//! The Falco rules loader: lists, macros and rules with `append`/`override` across files,
//! exceptions, and the condition language.
//!
//! Files are read in order into definitions (later definitions of a name replace earlier ones,
//! `append`/`override` change them), and only then are rule conditions compiled, so a macro or
//! list redefined in a later file applies to rules of earlier files, as in Falco.

use std::collections::{HashMap, HashSet};

use super::condition::{self, Ast, Operand, Piece};
use super::rule::{CompiledRule, Expr, parse_output};
use super::{LoadError, Priority, RuleFormat, RuleInfo, RuleSource};
use crate::document::{Node, Pos, Value, parse_stream};

/// Where a definition (or a piece of a condition) was written.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Origin {
    /// Index into the loader's files.
    pub(crate) file: usize,
    pub(crate) pos: Pos,
}

#[derive(Debug, Clone)]
struct ListDef {
    items: Vec<String>,
}

#[derive(Debug, Clone)]
struct MacroDef {
    condition: Vec<Piece>,
}

#[derive(Debug, Clone)]
struct ExceptionDef {
    name: String,
    /// The fields compared (one for `fields: f`, several for a list).
    fields: Vec<String>,
    comps: Vec<String>,
    /// One tuple per value row; each cell a value or a list of values.
    values: Vec<Vec<Cell>>,
    origin: Origin,
}

#[derive(Debug, Clone)]
enum Cell {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Clone)]
struct RuleDef {
    name: String,
    desc: String,
    condition: Vec<Piece>,
    output: String,
    output_origin: Origin,
    priority: Priority,
    tags: Vec<String>,
    enabled: bool,
    exceptions: Vec<ExceptionDef>,
    origin: Origin,
}

struct Loader<'a> {
    files: Vec<&'a RuleSource<'a>>,
    lists: HashMap<String, ListDef>,
    macros: HashMap<String, MacroDef>,
    rules: Vec<RuleDef>,
    errors: Vec<LoadError>,
}

fn scalar(node: &Node) -> Option<String> {
    node.scalar_text().map(std::borrow::Cow::into_owned)
}

/// Loads Falco rule sources in order into compiled rules.
pub(crate) fn load(sources: &[RuleSource<'_>], errors: &mut Vec<LoadError>) -> Vec<CompiledRule> {
    let mut loader = Loader {
        files: sources.iter().collect(),
        lists: HashMap::new(),
        macros: HashMap::new(),
        rules: Vec::new(),
        errors: Vec::new(),
    };
    for index in 0..loader.files.len() {
        loader.read_file(index);
    }
    let compiled = loader.compile();
    let mut seen = HashSet::new();
    for error in loader.errors {
        let key = (
            error.file.clone(),
            error.line,
            error.column,
            error.message.clone(),
        );
        if seen.insert(key) {
            errors.push(error);
        }
    }
    compiled
}

const BOTH: &[Mode] = &[Mode::Append, Mode::Replace];
const REPLACE: &[Mode] = &[Mode::Replace];

/// Override modes Falco allows per key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Append,
    Replace,
}

impl Loader<'_> {
    fn error(&mut self, origin: Origin, rule: Option<&str>, message: impl Into<String>) {
        self.errors.push(LoadError {
            file: self.files[origin.file].file.to_owned(),
            line: origin.pos.line,
            column: origin.pos.col,
            message: message.into(),
            rule: rule.map(str::to_owned),
        });
    }

    fn read_file(&mut self, file: usize) {
        let parsed = parse_stream(self.files[file].text);
        for problem in &parsed.problems {
            if problem.fatal {
                self.error(
                    Origin {
                        file,
                        pos: problem.pos,
                    },
                    None,
                    problem.message.clone(),
                );
            }
        }
        for document in &parsed.documents {
            match &document.root.value {
                Value::Null => {}
                Value::Seq(items) => {
                    for item in items {
                        self.read_item(file, item);
                    }
                }
                _ => self.error(
                    Origin {
                        file,
                        pos: document.root.pos,
                    },
                    None,
                    format!(
                        "a rules file is a sequence of items, not a {}",
                        document.root.type_name()
                    ),
                ),
            }
        }
    }

    fn read_item(&mut self, file: usize, item: &Node) {
        let origin = Origin {
            file,
            pos: item.pos,
        };
        if item.is_null() {
            return; // an empty item (`-` alone) is tolerated, as Falco does
        }
        if item.entries().is_empty() {
            self.error(
                origin,
                None,
                format!("a rules item is a mapping, not a {}", item.type_name()),
            );
            return;
        }
        if item.get("rule").is_some() {
            self.read_rule(file, item);
        } else if item.get("macro").is_some() {
            self.read_macro(file, item);
        } else if item.get("list").is_some() {
            self.read_list(file, item);
        } else if item.get("required_engine_version").is_some()
            || item.get("required_plugin_versions").is_some()
        {
            // Accepted: this engine implements the k8s audit fields those versions describe.
        } else {
            let key = item.entries()[0].key.to_string();
            self.error(
                origin,
                None,
                format!("unknown rules item {key:?} (expected rule, macro or list)"),
            );
        }
    }

    /// The override modes of an item: from `override:` or the legacy `append: true`.
    fn modes(
        &mut self,
        file: usize,
        item: &Node,
        name: &str,
        allowed: &[(&str, &[Mode])],
    ) -> Option<HashMap<String, Mode>> {
        let mut modes = HashMap::new();
        let append = item.get("append").and_then(Node::as_bool).unwrap_or(false);
        if let Some(over) = item.get("override") {
            if append {
                self.error(
                    Origin {
                        file,
                        pos: over.pos,
                    },
                    Some(name),
                    "'override' and 'append: true' cannot be used together",
                );
                return None;
            }
            for entry in over.entries() {
                let mode = match entry.value.as_str() {
                    Some("append") => Mode::Append,
                    Some("replace") => Mode::Replace,
                    _ => {
                        self.error(
                            Origin {
                                file,
                                pos: entry.value.pos,
                            },
                            Some(name),
                            "override mode must be 'append' or 'replace'",
                        );
                        return None;
                    }
                };
                match allowed.iter().find(|(k, _)| *k == &*entry.key) {
                    Some((_, modes_ok)) if modes_ok.contains(&mode) => {
                        modes.insert(entry.key.to_string(), mode);
                    }
                    _ => {
                        self.error(
                            Origin {
                                file,
                                pos: entry.key_pos,
                            },
                            Some(name),
                            format!("key {:?} cannot be overridden with {mode:?}", &*entry.key),
                        );
                        return None;
                    }
                }
            }
        } else if append {
            for (key, modes_ok) in allowed {
                if modes_ok.contains(&Mode::Append) {
                    modes.insert((*key).to_owned(), Mode::Append);
                }
            }
        }
        Some(modes)
    }

    fn read_list(&mut self, file: usize, item: &Node) {
        let origin = Origin {
            file,
            pos: item.pos,
        };
        let Some(name) = item.get("list").and_then(scalar) else {
            self.error(origin, None, "list name must be a string");
            return;
        };
        let items: Vec<String> = match item.get("items") {
            Some(node) if matches!(node.value, Value::Seq(_)) => {
                node.items().iter().filter_map(scalar).collect()
            }
            Some(node) if node.is_null() => Vec::new(),
            _ => {
                self.error(origin, Some(&name), "list needs 'items', a sequence");
                return;
            }
        };
        let Some(modes) = self.modes(
            file,
            item,
            &name,
            &[("items", &[Mode::Append, Mode::Replace])],
        ) else {
            return;
        };
        match (modes.get("items"), self.lists.get_mut(&name)) {
            (Some(Mode::Append), Some(existing)) => existing.items.extend(items),
            (Some(Mode::Append), None) => self.error(
                origin,
                Some(&name),
                format!("list {name} has 'append' but no earlier definition"),
            ),
            _ => {
                self.lists.insert(name, ListDef { items });
            }
        }
    }

    fn condition_pieces(&mut self, file: usize, item: &Node, name: &str) -> Option<Vec<Piece>> {
        let node = item.get("condition")?;
        if let Some(text) = scalar(node) {
            Some(vec![Piece {
                text,
                origin: Origin {
                    file,
                    pos: node.pos,
                },
            }])
        } else {
            self.error(
                Origin {
                    file,
                    pos: node.pos,
                },
                Some(name),
                "condition must be a string",
            );
            None
        }
    }

    /// Reports the first syntax error of a condition; `false` if there was one.
    fn syntax_ok(&mut self, file: usize, pieces: &[Piece], name: &str) -> bool {
        for piece in pieces {
            if let Err(e) = condition::parse(&piece.text) {
                let pos = condition::locate(self.files[file].text, piece, e.offset);
                self.error(Origin { file, pos }, Some(name), e.message);
                return false;
            }
        }
        true
    }

    fn read_macro(&mut self, file: usize, item: &Node) {
        let origin = Origin {
            file,
            pos: item.pos,
        };
        let Some(name) = item.get("macro").and_then(scalar) else {
            self.error(origin, None, "macro name must be a string");
            return;
        };
        let Some(condition) = self.condition_pieces(file, item, &name) else {
            if item.get("condition").is_none() {
                self.error(origin, Some(&name), "macro needs a 'condition'");
            }
            return;
        };
        let Some(modes) = self.modes(
            file,
            item,
            &name,
            &[("condition", &[Mode::Append, Mode::Replace])],
        ) else {
            return;
        };
        // An appended piece is only a fragment; it is checked once joined to the rest.
        if modes.get("condition") != Some(&Mode::Append) && !self.syntax_ok(file, &condition, &name)
        {
            return;
        }
        match (modes.get("condition"), self.macros.get_mut(&name)) {
            (Some(Mode::Append), Some(existing)) => existing.condition.extend(condition),
            (Some(Mode::Append), None) => self.error(
                origin,
                Some(&name),
                format!("macro {name} has 'append' but no earlier definition"),
            ),
            _ => {
                self.macros.insert(name, MacroDef { condition });
            }
        }
    }

    #[allow(clippy::too_many_lines)] // One pass over a rule's keys, each with its own override rule.
    fn read_rule(&mut self, file: usize, item: &Node) {
        let origin = Origin {
            file,
            pos: item.pos,
        };
        let Some(name) = item.get("rule").and_then(scalar) else {
            self.error(origin, None, "rule name must be a string");
            return;
        };
        if let Some(source) = item.get("source").and_then(Node::as_str)
            && source != "k8s_audit"
        {
            // Rules for other event sources (system calls, other plugins) do not apply here.
            return;
        }
        let allowed: &[(&str, &[Mode])] = &[
            ("condition", BOTH),
            ("output", BOTH),
            ("desc", BOTH),
            ("priority", REPLACE),
            ("tags", BOTH),
            ("exceptions", BOTH),
            ("enabled", REPLACE),
        ];
        let Some(modes) = self.modes(file, item, &name, allowed) else {
            return;
        };
        let condition = self.condition_pieces(file, item, &name);
        if let Some(pieces) = &condition
            && modes.get("condition") != Some(&Mode::Append)
            && !self.syntax_ok(file, pieces, &name)
        {
            return;
        }
        let output_node = item.get("output");
        let output = output_node.and_then(scalar);
        let output_origin = Origin {
            file,
            pos: output_node.map_or(item.pos, |n| n.pos),
        };
        let desc = item.get("desc").and_then(scalar);
        let priority = match item.get("priority") {
            None => None,
            Some(node) => {
                if let Some(p) = scalar(node).as_deref().and_then(Priority::parse) {
                    Some(p)
                } else {
                    self.error(
                        Origin {
                            file,
                            pos: node.pos,
                        },
                        Some(&name),
                        "unknown priority",
                    );
                    return;
                }
            }
        };
        let tags: Option<Vec<String>> = item
            .get("tags")
            .map(|n| n.items().iter().filter_map(scalar).collect());
        let enabled = item.get("enabled").and_then(Node::as_bool);
        let exceptions = item
            .get("exceptions")
            .map(|node| self.read_exceptions(file, node, &name));
        let existing = self.rules.iter().position(|r| r.name == name);
        if !modes.is_empty() {
            let Some(index) = existing else {
                self.error(
                    origin,
                    Some(&name),
                    format!("rule {name} appends or overrides but has no earlier definition"),
                );
                return;
            };
            let rule = &mut self.rules[index];
            for (key, mode) in &modes {
                let append = *mode == Mode::Append;
                match key.as_str() {
                    "condition" => {
                        if let Some(pieces) = condition.clone() {
                            if append {
                                rule.condition.extend(pieces);
                            } else {
                                rule.condition = pieces;
                            }
                        }
                    }
                    "output" => {
                        if let Some(out) = &output {
                            if append {
                                rule.output.push(' ');
                                rule.output.push_str(out);
                            } else {
                                rule.output.clone_from(out);
                                rule.output_origin = output_origin;
                            }
                        }
                    }
                    "desc" => {
                        if let Some(d) = &desc {
                            if append {
                                rule.desc.push(' ');
                                rule.desc.push_str(d);
                            } else {
                                rule.desc.clone_from(d);
                            }
                        }
                    }
                    "priority" => rule.priority = priority.unwrap_or(rule.priority),
                    "tags" => {
                        if let Some(t) = &tags {
                            if append {
                                rule.tags.extend(t.iter().cloned());
                            } else {
                                rule.tags.clone_from(t);
                            }
                        }
                    }
                    "exceptions" => {
                        if let Some(e) = &exceptions {
                            if append {
                                rule.exceptions.extend(e.iter().cloned());
                            } else {
                                rule.exceptions.clone_from(e);
                            }
                        }
                    }
                    "enabled" => rule.enabled = enabled.unwrap_or(rule.enabled),
                    _ => {}
                }
            }
            // `append: true` also lets a rule be switched on or off.
            if let (Some(e), None) = (enabled, modes.get("enabled")) {
                rule.enabled = e;
            }
            return;
        }
        // A rule that only sets `enabled` switches an earlier rule on or off.
        if condition.is_none()
            && output.is_none()
            && priority.is_none()
            && let (Some(index), Some(e)) = (existing, enabled)
        {
            self.rules[index].enabled = e;
            return;
        }
        let mut missing = Vec::new();
        if condition.is_none() {
            missing.push("condition");
        }
        if output.is_none() {
            missing.push("output");
        }
        if priority.is_none() {
            missing.push("priority");
        }
        if !missing.is_empty() {
            self.error(
                origin,
                Some(&name),
                format!("rule is missing {}", missing.join(", ")),
            );
            return;
        }
        let rule = RuleDef {
            name: name.clone(),
            desc: desc.unwrap_or_default(),
            condition: condition.unwrap_or_default(),
            output: output.unwrap_or_default(),
            output_origin,
            priority: priority.unwrap_or(Priority::Debug),
            tags: tags.unwrap_or_default(),
            enabled: enabled.unwrap_or(true),
            exceptions: exceptions.unwrap_or_default(),
            origin,
        };
        match existing {
            Some(index) => self.rules[index] = rule,
            None => self.rules.push(rule),
        }
    }

    fn read_exceptions(&mut self, file: usize, node: &Node, rule: &str) -> Vec<ExceptionDef> {
        let mut out = Vec::new();
        for item in node.items() {
            let origin = Origin {
                file,
                pos: item.pos,
            };
            let Some(name) = item.get("name").and_then(scalar) else {
                self.error(origin, Some(rule), "exception needs a 'name'");
                continue;
            };
            let (fields, single_field) = match item.get("fields") {
                Some(n) if matches!(n.value, Value::Seq(_)) => (
                    n.items().iter().filter_map(scalar).collect::<Vec<_>>(),
                    false,
                ),
                Some(n) => match scalar(n) {
                    Some(f) => (vec![f], true),
                    None => (Vec::new(), false),
                },
                None => (Vec::new(), false),
            };
            if fields.is_empty() {
                self.error(
                    origin,
                    Some(rule),
                    format!("exception {name} needs 'fields'"),
                );
                continue;
            }
            let comps: Vec<String> = match item.get("comps") {
                Some(n) if matches!(n.value, Value::Seq(_)) => {
                    n.items().iter().filter_map(scalar).collect()
                }
                Some(n) => scalar(n).into_iter().collect(),
                None if single_field => vec!["in".to_owned()],
                None => vec!["=".to_owned(); fields.len()],
            };
            if comps.len() != fields.len() {
                self.error(
                    origin,
                    Some(rule),
                    format!("exception {name}: 'fields' and 'comps' differ in length"),
                );
                continue;
            }
            let mut values = Vec::new();
            for row in item.get("values").map(Node::items).unwrap_or_default() {
                let cell = |n: &Node| match &n.value {
                    Value::Seq(items) => Cell::Many(items.iter().filter_map(scalar).collect()),
                    _ => Cell::One(scalar(n).unwrap_or_default()),
                };
                if single_field {
                    values.push(vec![cell(row)]);
                } else if let Value::Seq(cells) = &row.value {
                    if cells.len() != fields.len() {
                        self.error(
                            Origin { file, pos: row.pos },
                            Some(rule),
                            format!(
                                "exception {name}: a value row must have {} items",
                                fields.len()
                            ),
                        );
                        continue;
                    }
                    values.push(cells.iter().map(cell).collect());
                } else {
                    self.error(
                        Origin { file, pos: row.pos },
                        Some(rule),
                        format!("exception {name}: each value must be a sequence"),
                    );
                }
            }
            out.push(ExceptionDef {
                name,
                fields,
                comps,
                values,
                origin,
            });
        }
        out
    }

    fn compile(&mut self) -> Vec<CompiledRule> {
        let rules = std::mem::take(&mut self.rules);
        let mut out = Vec::new();
        for rule in rules.into_iter().filter(|r| r.enabled) {
            match self.compile_rule(&rule) {
                Ok(compiled) => out.push(compiled),
                Err((origin, message)) => self.error(origin, Some(&rule.name), message),
            }
        }
        out
    }

    fn compile_rule(&self, rule: &RuleDef) -> Result<CompiledRule, (Origin, String)> {
        let mut stack = Vec::new();
        let mut condition = self.compile_pieces(&rule.condition, &mut stack)?;
        let mut excluded = Vec::new();
        for exception in &rule.exceptions {
            if let Some(expr) = self.compile_exception(exception)? {
                excluded.push(expr);
            }
        }
        if !excluded.is_empty() {
            condition = Expr::And(vec![condition, Expr::Not(Box::new(Expr::Or(excluded)))]);
        }
        let output = parse_output(&rule.output).map_err(|e| (rule.output_origin, e))?;
        Ok(CompiledRule {
            info: RuleInfo {
                name: rule.name.clone(),
                rule_id: None,
                priority: rule.priority,
                tags: rule.tags.clone(),
                format: RuleFormat::Falco,
                file: self.files[rule.origin.file].file.to_owned(),
                description: rule.desc.trim().to_owned(),
            },
            condition,
            output,
        })
    }

    /// Compiles a condition made of pieces (a definition plus its appends), joined with spaces.
    fn compile_pieces(
        &self,
        pieces: &[Piece],
        stack: &mut Vec<String>,
    ) -> Result<Expr, (Origin, String)> {
        let joined: String = pieces
            .iter()
            .map(|p| p.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let ast = condition::parse(&joined).map_err(|e| {
            let (piece, offset) = condition::piece_at(pieces, e.offset);
            (
                Origin {
                    file: piece.origin.file,
                    pos: condition::locate(self.files[piece.origin.file].text, piece, offset),
                },
                e.message,
            )
        })?;
        self.compile_ast(&ast, pieces, stack)
    }

    fn compile_ast(
        &self,
        ast: &Ast,
        pieces: &[Piece],
        stack: &mut Vec<String>,
    ) -> Result<Expr, (Origin, String)> {
        let at = |offset: usize| {
            let (piece, offset) = condition::piece_at(pieces, offset);
            Origin {
                file: piece.origin.file,
                pos: condition::locate(self.files[piece.origin.file].text, piece, offset),
            }
        };
        Ok(match ast {
            Ast::And(items) => Expr::And(
                items
                    .iter()
                    .map(|a| self.compile_ast(a, pieces, stack))
                    .collect::<Result<_, _>>()?,
            ),
            Ast::Or(items) => Expr::Or(
                items
                    .iter()
                    .map(|a| self.compile_ast(a, pieces, stack))
                    .collect::<Result<_, _>>()?,
            ),
            Ast::Not(inner) => Expr::Not(Box::new(self.compile_ast(inner, pieces, stack)?)),
            Ast::Macro { name, offset } => {
                let Some(def) = self.macros.get(name) else {
                    return Err((
                        at(*offset),
                        format!("undefined macro or unknown field {name:?}"),
                    ));
                };
                if stack.contains(name) {
                    return Err((at(*offset), format!("macro {name} refers to itself")));
                }
                stack.push(name.clone());
                let expr = self.compile_pieces(&def.condition, stack);
                stack.pop();
                expr?
            }
            Ast::Check {
                field,
                arg,
                op,
                operand,
                offset,
            } => {
                let values = self.expand_operand(operand);
                condition::compile_check(field, arg.as_deref(), op, &values)
                    .map_err(|e| (at(*offset), e))?
            }
        })
    }

    /// Replaces bare list items that name a list by that list's items, recursively.
    fn expand_operand(&self, operand: &Operand) -> Operand {
        match operand {
            Operand::List(items) => {
                let mut out = Vec::new();
                for (item, bare) in items {
                    self.expand_item(item, *bare, &mut out, 0);
                }
                Operand::List(out)
            }
            Operand::Value(v, true) if self.lists.contains_key(v) => {
                self.expand_operand(&Operand::List(vec![(v.clone(), true)]))
            }
            other => other.clone(),
        }
    }

    fn expand_item(&self, item: &str, bare: bool, out: &mut Vec<(String, bool)>, depth: usize) {
        match self.lists.get(item) {
            Some(list) if bare && depth < 16 => {
                for inner in &list.items {
                    self.expand_item(inner, true, out, depth + 1);
                }
            }
            _ => out.push((item.to_owned(), false)),
        }
    }

    fn compile_exception(
        &self,
        exception: &ExceptionDef,
    ) -> Result<Option<Expr>, (Origin, String)> {
        let fail = |message: String| {
            (
                exception.origin,
                format!("exception {}: {message}", exception.name),
            )
        };
        let mut rows = Vec::new();
        for row in &exception.values {
            let mut tests = Vec::new();
            for ((field, comp), cell) in exception.fields.iter().zip(&exception.comps).zip(row) {
                let (name, arg) = condition::split_field(field).map_err(&fail)?;
                let operand = match cell {
                    Cell::Many(items) => {
                        Operand::List(items.iter().map(|i| (i.clone(), true)).collect())
                    }
                    Cell::One(v) if condition::takes_list(comp) => {
                        Operand::List(vec![(v.clone(), true)])
                    }
                    Cell::One(v) => Operand::Value(v.clone(), false),
                };
                let operand = self.expand_operand(&operand);
                tests.push(condition::compile_check(name, arg, comp, &operand).map_err(&fail)?);
            }
            rows.push(if tests.len() == 1 {
                tests.remove(0)
            } else {
                Expr::And(tests)
            });
        }
        Ok(match rows.len() {
            0 => None,
            1 => Some(rows.remove(0)),
            _ => Some(Expr::Or(rows)),
        })
    }
}
