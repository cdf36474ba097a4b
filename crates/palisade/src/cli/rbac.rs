//! `palisade rbac`: questions about RBAC objects given with `-f`, answered offline as the API
//! server's authorizer would: can-i, who-can and permissions.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::bail;
use clap::{Args, Subcommand, ValueEnum};
use palisade_core::inventory::Inventory;
use palisade_core::load::{may_be_of_kinds, sniff_kind, sniff_namespace};
use palisade_core::rbac::{Binding, Model, Request, Role, SubjectKey, SubjectKind, UserInfo};
use palisade_core::report::rbac as out;
use palisade_core::scan::{scan, select_checks};
use palisade_io::{ReadOptions, load_paths_where};
use rayon::prelude::*;

use super::output::{ColorWhen, Output, write_with};
use super::{EXIT_FINDINGS, EXIT_OK};

/// Output formats of the rbac commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RbacFormat {
    /// Text for people.
    Table,
    /// A `palisade.rbac.<command>/v1` JSON document.
    Json,
}

#[derive(Debug, Args)]
pub struct RbacArgs {
    #[command(subcommand)]
    command: RbacCommand,
}

#[derive(Debug, Subcommand)]
enum RbacCommand {
    /// Whether a user, group or service account may make a request (exit 0 yes, 1 no).
    CanI(CanIArgs),
    /// Every subject that may make a request.
    WhoCan(WhoCanArgs),
    /// A subject's effective rules, per namespace and cluster-wide.
    Permissions(PermissionsArgs),
    /// Escalation primitives (the RBAC-area checks), with who holds them (exit 1 if any).
    Risks(RisksArgs),
}

#[derive(Debug, Args)]
struct RisksArgs {
    #[command(flatten)]
    input: InputArgs,
}

#[derive(Debug, Args)]
struct InputArgs {
    /// Files or directories holding the RBAC objects (`-` for standard input; repeatable).
    #[arg(short = 'f', long = "filename", value_name = "PATH", required = true)]
    files: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = RbacFormat::Table)]
    format: RbacFormat,

    /// Refuse inputs larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = palisade_io::DEFAULT_MAX_FILE_SIZE)]
    max_file_size: u64,
}

#[derive(Debug, Args)]
struct RequestArgs {
    /// The verb: get, list, watch, create, update, patch, delete, deletecollection, or any
    /// other (escalate, bind, impersonate, approve, …).
    verb: String,

    /// RESOURCE[.GROUP][/SUBRESOURCE], e.g. `pods/exec` or `deployments.apps`; a path
    /// starting with `/` is a non-resource URL.
    resource: String,

    /// The namespace (cluster-wide when absent).
    #[arg(short = 'n', long, value_name = "NS")]
    namespace: Option<String>,

    /// The object's name.
    #[arg(long, value_name = "NAME")]
    name: Option<String>,

    /// The API group (the core group when absent and RESOURCE names none).
    #[arg(long, value_name = "GROUP")]
    api_group: Option<String>,
}

impl RequestArgs {
    fn request(&self) -> Request {
        if self.resource.starts_with('/') {
            return Request::non_resource(&self.verb, &self.resource);
        }
        let (resource, subresource) = match self.resource.split_once('/') {
            Some((r, s)) => (r, Some(s)),
            None => (self.resource.as_str(), None),
        };
        let (resource, group) = match (&self.api_group, resource.split_once('.')) {
            (Some(group), _) => (resource, group.as_str()),
            (None, Some((r, g))) => (r, g),
            (None, None) => (resource, ""),
        };
        let resource =
            subresource.map_or_else(|| resource.to_string(), |s| format!("{resource}/{s}"));
        let request = Request::resource(
            &self.verb,
            group,
            &resource,
            self.namespace.as_deref().unwrap_or(""),
        );
        match &self.name {
            Some(name) => request.named(name),
            None => request,
        }
    }
}

#[derive(Debug, Args)]
struct CanIArgs {
    #[command(flatten)]
    input: InputArgs,

    #[command(flatten)]
    request: RequestArgs,

    /// The user to ask for.
    #[arg(long = "as", value_name = "USER", conflicts_with = "as_sa")]
    as_user: Option<String>,

    /// A group of the user (repeatable).
    #[arg(long = "as-group", value_name = "GROUP")]
    as_group: Vec<String>,

    /// A service account to ask for, as NAMESPACE:NAME.
    #[arg(long = "as-sa", value_name = "NS:NAME")]
    as_sa: Option<String>,
}

#[derive(Debug, Args)]
struct WhoCanArgs {
    #[command(flatten)]
    input: InputArgs,

    #[command(flatten)]
    request: RequestArgs,
}

#[derive(Debug, Args)]
struct PermissionsArgs {
    #[command(flatten)]
    input: InputArgs,

    /// The subject: `user:NAME`, `group:NAME`, `sa:NAMESPACE:NAME` (also
    /// `ServiceAccount:NAMESPACE:NAME`), or a bare user name.
    subject: String,
}

fn service_account(text: &str) -> anyhow::Result<UserInfo> {
    match text.split_once(':') {
        Some((ns, name)) if !ns.is_empty() && !name.is_empty() && !name.contains(':') => {
            Ok(UserInfo::service_account(ns, name))
        }
        _ => bail!("expected a service account as NAMESPACE:NAME, got {text:?}"),
    }
}

fn parse_subject(text: &str) -> anyhow::Result<UserInfo> {
    let (kind, rest) = text.split_once(':').unwrap_or(("", text));
    let key = |kind, name: &str| SubjectKey {
        kind,
        namespace: None,
        name: name.to_string(),
    };
    Ok(match kind.to_ascii_lowercase().as_str() {
        "user" => UserInfo::for_subject(&key(SubjectKind::User, rest)),
        "group" => UserInfo::for_subject(&key(SubjectKind::Group, rest)),
        "sa" | "serviceaccount" => service_account(rest)?,
        _ if text.starts_with("system:serviceaccount:") => {
            service_account(text.trim_start_matches("system:serviceaccount:"))?
        }
        _ => UserInfo::user(text, &[]),
    })
}

/// The kinds the authorizer's questions (can-i, who-can, permissions) read; documents of other
/// kinds are left out unparsed, which at cluster scale is most of the time these commands take.
const AUTHORIZER_KINDS: &[&str] = &["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"];

/// Whether a document can bear on a request in `namespace` (`""`: cluster-wide): the
/// authorizer reads ClusterRoles and ClusterRoleBindings, and the Roles and RoleBindings of
/// the request's namespace only. Documents whose kind or namespace is not certain are read.
fn bears_on_namespace(document: &str, namespace: &str) -> bool {
    let Some(kind) = sniff_kind(document) else {
        return true;
    };
    match kind {
        "Role" | "RoleBinding" => sniff_namespace(document).is_none_or(|written| {
            !namespace.is_empty() && written.unwrap_or("default") == namespace
        }),
        _ => kind.ends_with("List") || matches!(kind, "ClusterRole" | "ClusterRoleBinding"),
    }
}

fn load(input: &InputArgs) -> anyhow::Result<Model> {
    load_where(input, &|document| {
        may_be_of_kinds(document, Some(AUTHORIZER_KINDS))
    })
}

/// The model for one request: only objects that can bear on it are read, so the answer is the
/// same as from the whole input while the warnings cover only those objects.
fn load_for(input: &InputArgs, request: &Request) -> anyhow::Result<Model> {
    let namespace = request.namespace();
    load_where(input, &|document| bears_on_namespace(document, namespace))
}

fn load_where(input: &InputArgs, wanted: &(dyn Fn(&str) -> bool + Sync)) -> anyhow::Result<Model> {
    let inventory = load_inventory(input, wanted)?;
    let model = Model::from_inventory(&inventory);
    // The process ends soon after; freeing every tree one by one would only delay it.
    std::mem::forget(inventory);
    Ok(model)
}

fn load_inventory(
    input: &InputArgs,
    wanted: &(dyn Fn(&str) -> bool + Sync),
) -> anyhow::Result<Inventory> {
    let loaded = load_paths_where(
        &input.files,
        &ReadOptions {
            max_file_size: input.max_file_size,
        },
        wanted,
    );
    if super::report_diagnostics(&loaded.diagnostics) {
        bail!("some inputs could not be read");
    }
    Ok(Inventory::new(loaded.objects))
}

/// Runs `palisade rbac …`.
pub fn run(args: &RbacArgs, color: ColorWhen) -> anyhow::Result<ExitCode> {
    match &args.command {
        RbacCommand::CanI(a) => can_i(a, color),
        RbacCommand::WhoCan(a) => who_can(a, color),
        RbacCommand::Permissions(a) => permissions(a, color),
        RbacCommand::Risks(a) => risks(a, color),
    }
}

fn can_i(args: &CanIArgs, color: ColorWhen) -> anyhow::Result<ExitCode> {
    let user = match (&args.as_user, &args.as_sa) {
        (_, Some(sa)) => {
            let mut user = service_account(sa)?;
            user.groups.extend(args.as_group.iter().cloned());
            user
        }
        (Some(name), None) => UserInfo::user(name, &args.as_group),
        (None, None) if !args.as_group.is_empty() => UserInfo::group_member(&args.as_group),
        (None, None) => {
            bail!("say whom to ask for: --as USER, --as-group GROUP or --as-sa NS:NAME")
        }
    };
    let request = args.request.request();
    let model = load_for(&args.input, &request)?;
    let decision = model.authorize(&user, &request);
    let mut output = Output::open(None, color)?;
    write_with(&mut output, |w, color| match args.input.format {
        RbacFormat::Table => {
            out::write_can_i_table(&user, &request, &decision, &model.warnings, color, w)
        }
        RbacFormat::Json => out::write_can_i_json(&user, &request, &decision, &model.warnings, w),
    })?;
    output.finish()?;
    Ok(ExitCode::from(if decision.allowed {
        EXIT_OK
    } else {
        EXIT_FINDINGS
    }))
}

fn who_can(args: &WhoCanArgs, color: ColorWhen) -> anyhow::Result<ExitCode> {
    let request = args.request.request();
    let model = load_for(&args.input, &request)?;
    let who = model.who_can(&request);
    let mut output = Output::open(None, color)?;
    write_with(&mut output, |w, color| match args.input.format {
        RbacFormat::Table => out::write_who_can_table(&request, &who, &model.warnings, color, w),
        RbacFormat::Json => out::write_who_can_json(&request, &who, &model.warnings, w),
    })?;
    output.finish()?;
    Ok(ExitCode::from(EXIT_OK))
}

fn permissions(args: &PermissionsArgs, color: ColorWhen) -> anyhow::Result<ExitCode> {
    let user = parse_subject(&args.subject)?;
    let model = load(&args.input)?;
    let permissions = model.permissions(&user);
    let mut output = Output::open(None, color)?;
    write_with(&mut output, |w, color| match args.input.format {
        RbacFormat::Table => {
            out::write_permissions_table(&user, &permissions, &model.warnings, color, w)
        }
        RbacFormat::Json => out::write_permissions_json(&user, &permissions, &model.warnings, w),
    })?;
    output.finish()?;
    Ok(ExitCode::from(EXIT_OK))
}

fn risks(args: &RisksArgs, color: ColorWhen) -> anyhow::Result<ExitCode> {
    let inventory = load_inventory(&args.input, &|_| true)?;
    let model = inventory.rbac();
    let checks = select_checks(&["rbac".to_string()], &[], None)?;
    let result = scan(&inventory, &checks, jiff::Zoned::now().date());
    // A role usually carries several findings (one per primitive it grants); who holds it is
    // worked out once per role, in parallel, and shared by its findings.
    let roles: Vec<Option<&Role>> = result
        .findings
        .par_iter()
        .map(|reported| {
            let object = inventory.get(reported.finding.object);
            if !matches!(&*object.kind, "Role" | "ClusterRole") {
                return None;
            }
            model.find_role(
                object
                    .namespace
                    .as_deref()
                    .filter(|_| &*object.kind == "Role"),
                &object.name,
            )
        })
        .collect();
    // Keyed by address: the roles live in the model for the whole run.
    let mut distinct: HashMap<usize, usize> = HashMap::new();
    let mut distinct_roles: Vec<&Role> = Vec::new();
    for role in roles.iter().flatten() {
        distinct
            .entry(std::ptr::from_ref(*role).addr())
            .or_insert_with(|| {
                distinct_roles.push(role);
                distinct_roles.len() - 1
            });
    }
    let holders: Vec<Vec<(&Binding, SubjectKey)>> = distinct_roles
        .par_iter()
        .map(|role| model.holders(role))
        .collect();
    let risks: Vec<out::Risk<'_>> = result
        .findings
        .par_iter()
        .zip(roles.par_iter())
        .map(|(reported, role)| out::Risk {
            finding: &reported.finding,
            object: inventory.get(reported.finding.object).display_name(),
            holders: role
                .and_then(|role| distinct.get(&std::ptr::from_ref(role).addr()))
                .map_or(&[][..], |&i| &holders[i][..]),
        })
        .collect();
    let mut output = Output::open(None, color)?;
    write_with(&mut output, |w, color| match args.input.format {
        RbacFormat::Table => out::write_risks_table(&risks, &model.warnings, color, w),
        RbacFormat::Json => out::write_risks_json(&risks, &model.warnings, w),
    })?;
    output.finish()?;
    let code = if risks.is_empty() {
        EXIT_OK
    } else {
        EXIT_FINDINGS
    };
    // The process ends here; freeing every finding and tree one by one would only delay it.
    std::mem::forget(risks);
    std::mem::forget(holders);
    std::mem::forget(result);
    std::mem::forget(inventory);
    Ok(ExitCode::from(code))
}

#[cfg(test)]
mod tests {
    use super::bears_on_namespace;

    #[test]
    fn only_objects_that_can_bear_on_the_namespace_are_read() {
        let doc = |kind: &str, namespace: &str| {
            format!(
                "apiVersion: rbac.authorization.k8s.io/v1\nkind: {kind}\nmetadata:\n  name: x\n{namespace}"
            )
        };
        let here = "  namespace: a\n";
        let there = "  namespace: b\n";
        for kind in ["ClusterRole", "ClusterRoleBinding"] {
            assert!(bears_on_namespace(&doc(kind, ""), "a"));
            assert!(bears_on_namespace(&doc(kind, ""), ""));
        }
        for kind in ["Role", "RoleBinding"] {
            assert!(bears_on_namespace(&doc(kind, here), "a"));
            assert!(!bears_on_namespace(&doc(kind, there), "a"));
            assert!(!bears_on_namespace(&doc(kind, here), ""));
            // No namespace written means `default`.
            assert!(bears_on_namespace(&doc(kind, ""), "default"));
            assert!(!bears_on_namespace(&doc(kind, ""), "a"));
        }
        assert!(!bears_on_namespace(&doc("ServiceAccount", here), "a"));
        assert!(!bears_on_namespace(&doc("Deployment", here), "a"));
        // Unsure: read.
        assert!(bears_on_namespace(
            "{kind: Role, metadata: {namespace: b}}",
            "a"
        ));
        assert!(bears_on_namespace(
            "kind: Role\nmetadata: {namespace: b}\n",
            "a"
        ));
        assert!(bears_on_namespace("kind: RoleList\nitems: []\n", "a"));
    }
}
