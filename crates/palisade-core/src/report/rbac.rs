//! Output of the `palisade rbac` questions (can-i, who-can, permissions) as tables for people
//! and as `palisade.rbac.<command>/v1` JSON documents. Every answer shows its grant chains:
//! binding → role → rule, each with file:line.

use std::collections::BTreeMap;
use std::io::{self, Write};

use owo_colors::{OwoColorize, Style};
use serde::Serialize;
use serde_json::{Value, json};

use crate::check::Finding;
use crate::rbac::{
    Binding, Decision, Grant, Loc, Request, Role, Rule, SubjectKey, UserInfo, Warning,
};

fn at(loc: &Loc) -> String {
    loc.to_string()
}

fn request_json(request: &Request) -> Value {
    match request {
        Request::Resource {
            verb,
            api_group,
            resource,
            subresource,
            name,
            namespace,
        } => json!({
            "verb": verb,
            "apiGroup": api_group,
            "resource": resource,
            "subresource": subresource,
            "name": name,
            "namespace": namespace,
        }),
        Request::NonResource { verb, path } => json!({ "verb": verb, "nonResourceURL": path }),
    }
}

/// `get pods/exec "name" in namespace dev (group apps)` style description of a request.
pub fn describe_request(request: &Request) -> String {
    match request {
        Request::Resource {
            verb,
            api_group,
            resource,
            subresource,
            name,
            namespace,
        } => {
            let sub = if subresource.is_empty() {
                String::new()
            } else {
                format!("/{subresource}")
            };
            let group = if api_group.is_empty() {
                String::new()
            } else {
                format!(".{api_group}")
            };
            let name = if name.is_empty() {
                String::new()
            } else {
                format!(" {name:?}")
            };
            let scope = if namespace.is_empty() {
                " cluster-wide".to_string()
            } else {
                format!(" in namespace {namespace}")
            };
            format!("{verb} {resource}{sub}{group}{name}{scope}")
        }
        Request::NonResource { verb, path } => format!("{verb} {path}"),
    }
}

fn binding_json(binding: &Binding) -> Value {
    json!({
        "kind": if binding.namespace.is_some() { "RoleBinding" } else { "ClusterRoleBinding" },
        "namespace": binding.namespace,
        "name": binding.name,
        "at": at(&binding.at),
    })
}

fn role_json(role: &Role) -> Value {
    json!({
        "kind": role.kind.as_str(),
        "namespace": role.namespace,
        "name": role.name,
        "at": at(&role.at),
        "aggregatedFrom": role.aggregated_from,
    })
}

fn rule_json(rule: &Rule) -> Value {
    json!({
        "verbs": rule.verbs,
        "apiGroups": rule.api_groups,
        "resources": rule.resources,
        "resourceNames": rule.resource_names,
        "nonResourceURLs": rule.non_resource_urls,
        "at": at(&rule.at),
    })
}

fn subject_json(key: &SubjectKey) -> Value {
    json!({ "kind": key.kind.as_str(), "namespace": key.namespace, "name": key.name })
}

fn grant_json(grant: &Grant<'_>) -> Value {
    json!({
        "binding": binding_json(grant.binding),
        "subjectAt": at(&grant.subject.at),
        "role": role_json(grant.role),
        "rule": rule_json(grant.rule),
    })
}

fn warnings_json(warnings: &[Warning]) -> Value {
    warnings
        .iter()
        .map(|w| json!({ "at": at(&w.at), "message": w.message }))
        .collect()
}

/// A document: the schema first, then the answer's fields in the order given.
#[derive(Serialize)]
struct Document {
    schema: &'static str,
    #[serde(flatten)]
    fields: serde_json::Map<String, Value>,
}

fn write_json(
    schema: &'static str,
    fields: Vec<(&str, Value)>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let doc = Document {
        schema,
        fields: fields
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::other)?;
    writeln!(out)
}

fn write_chain(grant: &Grant<'_>, color: bool, out: &mut dyn Write) -> io::Result<()> {
    let dim = if color {
        Style::new().dimmed()
    } else {
        Style::new()
    };
    let links = [
        ("    ", grant.binding.display(), &grant.binding.at),
        ("      → ", grant.role.display(), &grant.role.at),
        ("      → rule ", grant.rule.to_string(), &grant.rule.at),
    ];
    for (lead, what, at) in links {
        writeln!(out, "{lead}{what} {}", format!("({at})").style(dim))?;
    }
    Ok(())
}

fn write_warnings(warnings: &[Warning], out: &mut dyn Write) -> io::Result<()> {
    for w in warnings {
        writeln!(out, "warning: {}: {}", w.at, w.message)?;
    }
    Ok(())
}

/// Writes the answer of `can-i` as a table.
pub fn write_can_i_table(
    user: &UserInfo,
    request: &Request,
    decision: &Decision<'_>,
    warnings: &[Warning],
    color: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let (word, style) = if decision.allowed {
        ("yes", Style::new().green().bold())
    } else {
        ("no", Style::new().red().bold())
    };
    let style = if color { style } else { Style::new() };
    writeln!(out, "{}", word.style(style))?;
    let who = if user.name.is_empty() {
        format!("groups {}", user.groups.join(", "))
    } else {
        user.name.clone()
    };
    writeln!(out, "  {who}: {}", describe_request(request))?;
    if decision.masters {
        writeln!(
            out,
            "  member of system:masters, which the API server allows everything before RBAC"
        )?;
    }
    for grant in &decision.grants {
        writeln!(out, "  allowed by:")?;
        write_chain(grant, color, out)?;
    }
    write_warnings(warnings, out)
}

/// Writes the answer of `can-i` as a `palisade.rbac.can-i/v1` document.
pub fn write_can_i_json(
    user: &UserInfo,
    request: &Request,
    decision: &Decision<'_>,
    warnings: &[Warning],
    out: &mut dyn Write,
) -> io::Result<()> {
    write_json(
        "palisade.rbac.can-i/v1",
        vec![
            ("user", json!({ "name": user.name, "groups": user.groups })),
            ("request", request_json(request)),
            ("allowed", json!(decision.allowed)),
            ("masters", json!(decision.masters)),
            ("grants", decision.grants.iter().map(grant_json).collect()),
            ("warnings", warnings_json(warnings)),
        ],
        out,
    )
}

/// Writes the answer of `who-can` as a table.
pub fn write_who_can_table(
    request: &Request,
    who: &BTreeMap<SubjectKey, Vec<Grant<'_>>>,
    warnings: &[Warning],
    color: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    writeln!(out, "who can {}:", describe_request(request))?;
    writeln!(
        out,
        "  Group system:masters (always allowed, before RBAC is asked)"
    )?;
    let bold = if color {
        Style::new().bold()
    } else {
        Style::new()
    };
    for (subject, grants) in who {
        writeln!(out, "  {}", subject.style(bold))?;
        for grant in grants {
            write_chain(grant, color, out)?;
        }
    }
    if who.is_empty() {
        writeln!(out, "  (no subject through RBAC bindings)")?;
    }
    write_warnings(warnings, out)
}

/// Writes the answer of `who-can` as a `palisade.rbac.who-can/v1` document.
pub fn write_who_can_json(
    request: &Request,
    who: &BTreeMap<SubjectKey, Vec<Grant<'_>>>,
    warnings: &[Warning],
    out: &mut dyn Write,
) -> io::Result<()> {
    let subjects: Vec<Value> = who
        .iter()
        .map(|(key, grants)| {
            let mut subject = subject_json(key);
            subject["grants"] = grants.iter().map(grant_json).collect();
            subject
        })
        .collect();
    write_json(
        "palisade.rbac.who-can/v1",
        vec![
            ("request", request_json(request)),
            ("alwaysAllowedGroups", json!(["system:masters"])),
            ("subjects", Value::Array(subjects)),
            ("warnings", warnings_json(warnings)),
        ],
        out,
    )
}

/// A subject's rules in one scope, merged: identical rules from several grants become one
/// entry listing every grant, sorted by rule.
fn merged<'g, 'a>(grants: &'g [Grant<'a>]) -> Vec<(String, Vec<&'g Grant<'a>>)> {
    let mut by_rule: BTreeMap<String, Vec<&'g Grant<'a>>> = BTreeMap::new();
    for grant in grants {
        by_rule
            .entry(grant.rule.to_string())
            .or_default()
            .push(grant);
    }
    by_rule.into_iter().collect()
}

fn scope_name(scope: Option<&String>) -> String {
    scope.map_or_else(
        || "cluster-wide".to_string(),
        |ns| format!("namespace {ns}"),
    )
}

/// Writes a subject's effective rules as a table, per scope.
pub fn write_permissions_table(
    user: &UserInfo,
    permissions: &BTreeMap<Option<String>, Vec<Grant<'_>>>,
    warnings: &[Warning],
    color: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let bold = if color {
        Style::new().bold()
    } else {
        Style::new()
    };
    let dim = if color {
        Style::new().dimmed()
    } else {
        Style::new()
    };
    writeln!(
        out,
        "permissions of {} ({})",
        user.name,
        user.groups.join(", ")
    )?;
    if user.in_group(crate::rbac::MASTERS_GROUP) {
        writeln!(
            out,
            "  member of system:masters: allowed everything before RBAC"
        )?;
    }
    for (scope, grants) in permissions {
        writeln!(out, "{}", scope_name(scope.as_ref()).style(bold))?;
        for (rule, grants) in merged(grants) {
            writeln!(out, "  {rule}")?;
            for grant in grants {
                writeln!(
                    out,
                    "    {}",
                    format!(
                        "via {} → {} ({})",
                        grant.binding.display(),
                        grant.role.display(),
                        grant.rule.at
                    )
                    .style(dim)
                )?;
            }
        }
    }
    if permissions.is_empty() {
        writeln!(out, "  (no rules through RBAC bindings)")?;
    }
    write_warnings(warnings, out)
}

/// Writes a subject's effective rules as a `palisade.rbac.permissions/v1` document.
pub fn write_permissions_json(
    user: &UserInfo,
    permissions: &BTreeMap<Option<String>, Vec<Grant<'_>>>,
    warnings: &[Warning],
    out: &mut dyn Write,
) -> io::Result<()> {
    let scopes: Vec<Value> = permissions
        .iter()
        .map(|(scope, grants)| {
            let rules: Vec<Value> = merged(grants)
                .into_iter()
                .map(|(_, grants)| {
                    let mut rule = rule_json(grants[0].rule);
                    if let Some(map) = rule.as_object_mut() {
                        map.remove("at");
                    }
                    rule["grants"] = grants.iter().map(|g| grant_json(g)).collect();
                    rule
                })
                .collect();
            json!({ "namespace": scope, "rules": rules })
        })
        .collect();
    write_json(
        "palisade.rbac.permissions/v1",
        vec![
            ("user", json!({ "name": user.name, "groups": user.groups })),
            ("masters", json!(user.in_group(crate::rbac::MASTERS_GROUP))),
            ("scopes", Value::Array(scopes)),
            ("warnings", warnings_json(warnings)),
        ],
        out,
    )
}

/// One escalation primitive found by an RBAC-area check, with who holds it.
pub struct Risk<'a> {
    /// The finding.
    pub finding: &'a Finding,
    /// `Kind namespace/name` of the object it is about.
    pub object: String,
    /// For a finding about a role: the bindings that grant the role and their subjects.
    pub holders: &'a [(&'a Binding, SubjectKey)],
}

/// Serialises a value through its `Display` text, so the report borrows what it prints instead
/// of building a string per field.
struct AsText<T>(T);

impl<T: std::fmt::Display> Serialize for AsText<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

/// `file:line` of a finding.
struct FindingAt<'a>(&'a crate::check::Location);

impl std::fmt::Display for FindingAt<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.0.file, self.0.line)
    }
}

// The risks document is the largest the rbac commands write (tens of MB at cluster scale), so
// it is streamed from these borrowing structs rather than built as a `Value` tree first. Their
// fields are declared in the sorted order a `Value` object would print them in, which keeps the
// document byte for byte what it was.

#[derive(Serialize)]
struct BindingOut<'a> {
    at: AsText<&'a Loc>,
    kind: &'static str,
    name: &'a str,
    namespace: Option<&'a str>,
}

impl<'a> BindingOut<'a> {
    fn new(binding: &'a Binding) -> Self {
        BindingOut {
            at: AsText(&binding.at),
            kind: if binding.namespace.is_some() {
                "RoleBinding"
            } else {
                "ClusterRoleBinding"
            },
            name: &binding.name,
            namespace: binding.namespace.as_deref(),
        }
    }
}

#[derive(Serialize)]
struct HolderOut<'a> {
    binding: BindingOut<'a>,
    kind: &'static str,
    name: &'a str,
    namespace: Option<&'a str>,
}

/// A slice serialised as a JSON array of what `make` turns each element into.
struct SeqOut<'a, T, O, F: Fn(&'a T) -> O> {
    items: &'a [T],
    make: F,
}

impl<'a, T, O: Serialize, F: Fn(&'a T) -> O> Serialize for SeqOut<'a, T, O, F> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.items.iter().map(&self.make))
    }
}

#[derive(Serialize)]
struct RiskOut<'a, H: Serialize> {
    at: AsText<FindingAt<'a>>,
    #[serde(rename = "heldBy")]
    held_by: H,
    id: &'static str,
    message: &'a str,
    object: &'a str,
    path: &'a str,
    severity: &'static str,
    slug: &'static str,
    title: &'static str,
}

fn risk_out<'a>(risk: &'a Risk<'a>) -> RiskOut<'a, impl Serialize + 'a> {
    let check = risk.finding.check;
    let location = &risk.finding.location;
    RiskOut {
        at: AsText(FindingAt(location)),
        held_by: SeqOut {
            items: risk.holders,
            make: |(binding, subject): &'a (&'a Binding, SubjectKey)| HolderOut {
                binding: BindingOut::new(binding),
                kind: subject.kind.as_str(),
                name: &subject.name,
                namespace: subject.namespace.as_deref(),
            },
        },
        id: check.id,
        message: &risk.finding.message,
        object: &risk.object,
        path: &location.path,
        severity: check.severity.as_str(),
        slug: check.slug,
        title: check.title,
    }
}

#[derive(Serialize)]
struct WarningOut<'a> {
    at: AsText<&'a Loc>,
    message: &'a str,
}

#[derive(Serialize)]
struct RisksDocument<'a, R: Serialize, W: Serialize> {
    schema: &'static str,
    risks: R,
    warnings: W,
    #[serde(skip)]
    _lifetime: std::marker::PhantomData<&'a ()>,
}

/// Writes the escalation primitives as a table.
pub fn write_risks_table(
    risks: &[Risk<'_>],
    warnings: &[Warning],
    color: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let dim = if color {
        Style::new().dimmed()
    } else {
        Style::new()
    };
    for risk in risks {
        let check = risk.finding.check;
        let location = &risk.finding.location;
        writeln!(
            out,
            "{}:{}: {} {} {}: {}",
            location.file,
            location.line,
            check.severity.as_str(),
            check.id,
            check.slug,
            risk.finding.message
        )?;
        for (binding, subject) in risk.holders {
            writeln!(
                out,
                "    {}",
                format!(
                    "held by {subject} via {} ({})",
                    binding.display(),
                    binding.at
                )
                .style(dim)
            )?;
        }
    }
    writeln!(out, "{} escalation primitive(s)", risks.len())?;
    write_warnings(warnings, out)
}

/// Writes the escalation primitives as a `palisade.rbac.risks/v1` document.
pub fn write_risks_json(
    risks: &[Risk<'_>],
    warnings: &[Warning],
    out: &mut dyn Write,
) -> io::Result<()> {
    let document = RisksDocument {
        schema: "palisade.rbac.risks/v1",
        risks: SeqOut {
            items: risks,
            make: risk_out,
        },
        warnings: SeqOut {
            items: warnings,
            make: |w: &Warning| WarningOut {
                at: AsText(&w.at),
                message: &w.message,
            },
        },
        _lifetime: std::marker::PhantomData,
    };
    serde_json::to_writer_pretty(&mut *out, &document).map_err(io::Error::other)?;
    writeln!(out)
}
