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

use crate::check::Sink;
use crate::document::Node;
use crate::object::Object;
use crate::rbac::{Request, Rule, matching};

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

/// The rules of a Role or ClusterRole that users wrote, each with its path (`rules[i]`).
fn authored_rules(object: &Object) -> Vec<(String, Rule)> {
    if !matches!(&*object.kind, "Role" | "ClusterRole")
        || object.group() != RBAC_GROUP
        || is_bootstrap_default(object)
    {
        return Vec::new();
    }
    let nodes = object.root.get("rules").map(crate::document::Node::items);
    let rules = crate::rbac::rules_of(object, &mut Vec::new());
    rules
        .into_iter()
        .map(|rule| {
            let index = nodes
                .and_then(|nodes| nodes.iter().position(|n| n.pos == rule.at.pos))
                .unwrap_or_default();
            (format!("rules[{index}]"), rule)
        })
        .collect()
}

/// The verbs of `verbs` that `rule` grants on `resource` of `group` for any object (a rule
/// limited by resourceNames is narrow and not counted).
fn granted<'v>(rule: &Rule, verbs: &[&'v str], group: &str, resource: &str) -> Vec<&'v str> {
    verbs
        .iter()
        .copied()
        .filter(|verb| matching::rule_allows(rule, &Request::resource(verb, group, resource, "ns")))
        .collect()
}

/// Reports every rule of `object` for which `finding` gives a message.
fn report_rules(object: &Object, out: &mut Sink<'_>, finding: impl Fn(&Rule) -> Option<String>) {
    for (path, rule) in authored_rules(object) {
        if let Some(message) = finding(&rule) {
            out.report(
                rule.at.pos,
                path,
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
        if !granted(rule, &[verb], group, resource).is_empty() {
            let text = format!("{verb} {resource}");
            if !what.contains(&text) {
                what.push(text);
            }
        }
    }
    (!what.is_empty()).then(|| format!("rule allows {}", what.join(", ")))
}
