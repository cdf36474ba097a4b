//! Checks of RBAC grants that let a subject escalate (cluster-admin bindings, wildcards, secret
//! reading, pod creation and exec, escalate/bind/impersonate, token minting, certificate
//! approval, admission configuration, volumes, status, events) and of bindings to everyone or
//! to default service accounts. Rule checks read each Role and ClusterRole with the RBAC
//! model's matching, so they agree with `palisade rbac`.

crate::check::registry! {
    cluster_admin_binding::ClusterAdminBinding,
    wildcard_rbac_rule::WildcardRbacRule,
    secrets_read_access::SecretsReadAccess,
    pod_create_access::PodCreateAccess,
    pod_exec_access::PodExecAccess,
    escalate_bind_impersonate::EscalateBindImpersonate,
    service_account_token_create::ServiceAccountTokenCreate,
    csr_approval::CsrApproval,
    admission_config_write::AdmissionConfigWrite,
    persistent_volume_create::PersistentVolumeCreate,
    status_write::StatusWrite,
    events_delete::EventsDelete,
    binding_to_everyone::BindingToEveryone,
    default_service_account_bound::DefaultServiceAccountBound,
    workload_privileged_identity::WorkloadPrivilegedIdentity,
}

use std::borrow::Cow;

use crate::check::Sink;
use crate::document::Node;
use crate::inventory::Inventory;
use crate::object::Object;
use crate::rbac::{Rule, matching};

const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

/// Whether the object carries the label of the defaults every API server creates; those are
/// the platform's own and are not reported.
fn is_bootstrap_default(object: &Object) -> bool {
    object.label("kubernetes.io/bootstrapping") == Some("rbac-defaults")
}

/// A RoleBinding or ClusterRoleBinding that users wrote: the name of the role it grants and its
/// subjects with their indexes (for `subjects[i]` paths). `None` for other objects and for the
/// defaults every API server creates.
fn authored_binding(object: &Object) -> Option<(&str, impl Iterator<Item = (usize, &Node)>)> {
    if !matches!(&*object.kind, "RoleBinding" | "ClusterRoleBinding")
        || object.group() != RBAC_GROUP
        || is_bootstrap_default(object)
    {
        return None;
    }
    let role = object
        .root
        .path(&["roleRef", "name"])
        .and_then(Node::as_str)
        .unwrap_or_default();
    let subjects = object
        .root
        .get("subjects")
        .map(Node::items)
        .unwrap_or_default();
    Some((role, subjects.iter().enumerate()))
}

/// The rules of a Role or ClusterRole that users wrote; empty for other objects and for the
/// defaults every API server creates. Read from the inventory's RBAC model, which has them
/// already, so that a dozen checks do not each re-read every role.
fn authored_rules<'a>(object: &'a Object, inventory: &'a Inventory) -> Cow<'a, [Rule]> {
    if !matches!(&*object.kind, "Role" | "ClusterRole")
        || object.group() != RBAC_GROUP
        || is_bootstrap_default(object)
    {
        return Cow::Borrowed(&[]);
    }
    match inventory.rbac().written_rules(object) {
        Some(rules) => Cow::Borrowed(rules),
        None => Cow::Owned(crate::rbac::rules_of(object, &mut Vec::new())),
    }
}

/// The path of `rule` in `object` (`rules[i]`); rules without verbs are not in the model, so
/// the index is found by position.
fn rule_path(object: &Object, rule: &Rule) -> String {
    let index = object
        .root
        .get("rules")
        .map(Node::items)
        .and_then(|nodes| nodes.iter().position(|n| n.pos == rule.at.pos))
        .unwrap_or_default();
    format!("rules[{index}]")
}

/// The verbs of `verbs` that `rule` grants on `resource` of `group` for any object (a rule
/// limited by resourceNames is narrow and not counted).
fn granted<'v>(rule: &Rule, verbs: &[&'v str], group: &str, resource: &str) -> Vec<&'v str> {
    verbs
        .iter()
        .copied()
        .filter(|verb| matching::allows_unnamed(rule, verb, group, resource))
        .collect()
}

/// Reports every rule of `object` for which `finding` gives a message.
fn report_rules(
    object: &Object,
    inventory: &Inventory,
    out: &mut Sink<'_>,
    finding: impl Fn(&Rule) -> Option<String>,
) {
    for rule in authored_rules(object, inventory).iter() {
        if let Some(message) = finding(rule) {
            out.report(
                rule.at.pos,
                rule_path(object, rule),
                format!("{} \"{}\": {message}", object.kind, object.name),
            );
        }
    }
}

/// `rule allows <verb> <resource>, …` for the requests of `primitives` that `rule` grants, if
/// any.
fn describe_grants(rule: &Rule, primitives: &[(&str, &str, &str)]) -> Option<String> {
    let mut what: Vec<String> = Vec::new();
    for (verb, group, resource) in primitives {
        if matching::allows_unnamed(rule, verb, group, resource) {
            let text = format!("{verb} {resource}");
            if !what.contains(&text) {
                what.push(text);
            }
        }
    }
    (!what.is_empty()).then(|| format!("rule allows {}", what.join(", ")))
}
