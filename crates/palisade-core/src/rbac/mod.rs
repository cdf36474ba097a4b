//! The RBAC model: Roles, ClusterRoles, their bindings and service accounts, read from the
//! inventory, and the questions the API server's RBAC authorizer answers about them
//! (can this user do this, who can do this, what may this user do).
//!
//! Every rule, binding and subject keeps its file and line so that an answer can show the
//! grant chain binding → role → rule. Aggregated ClusterRoles are computed to a fixpoint when
//! the input does not already carry their rules. Problems in the input (bindings to missing
//! roles, rules without verbs, unknown subject kinds) become [`Warning`]s, never panics.

pub mod matching;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::sync::Arc;

use crate::document::{Node, Pos};
use crate::inventory::Inventory;
use crate::object::Object;

/// The group every request from `system:masters` members is allowed by, before RBAC is asked.
pub const MASTERS_GROUP: &str = "system:masters";
/// The user name of unauthenticated requests.
pub const ANONYMOUS_USER: &str = "system:anonymous";

/// A place in the input: file and position.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Loc {
    /// The file the object came from.
    pub file: Arc<str>,
    /// Line and column.
    pub pos: Pos,
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.pos.line)
    }
}

/// One policy rule of a role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Verbs; `*` is all.
    pub verbs: Vec<String>,
    /// API groups; `""` is the core group, `*` all.
    pub api_groups: Vec<String>,
    /// Resources, possibly `resource/subresource`, `*` or `*/subresource`.
    pub resources: Vec<String>,
    /// Object names the rule is limited to; empty means any.
    pub resource_names: Vec<String>,
    /// Non-resource URL paths, possibly ending in `*`.
    pub non_resource_urls: Vec<String>,
    /// Where the rule is written.
    pub at: Loc,
}

impl Rule {
    /// The rule's content without its position, for de-duplication.
    fn content(&self) -> [&Vec<String>; 5] {
        [
            &self.verbs,
            &self.api_groups,
            &self.resources,
            &self.resource_names,
            &self.non_resource_urls,
        ]
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |v: &[String]| {
            v.iter()
                .map(|s| if s.is_empty() { "\"\"" } else { s.as_str() })
                .collect::<Vec<_>>()
                .join(",")
        };
        write!(f, "verbs=[{}]", list(&self.verbs))?;
        if !self.non_resource_urls.is_empty() {
            write!(f, " nonResourceURLs=[{}]", list(&self.non_resource_urls))?;
        }
        if !self.resources.is_empty() || !self.api_groups.is_empty() {
            write!(
                f,
                " apiGroups=[{}] resources=[{}]",
                list(&self.api_groups),
                list(&self.resources)
            )?;
        }
        if !self.resource_names.is_empty() {
            write!(f, " resourceNames=[{}]", list(&self.resource_names))?;
        }
        Ok(())
    }
}

/// Whether a role is namespaced or cluster-wide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RoleKind {
    /// A namespaced Role.
    Role,
    /// A ClusterRole.
    ClusterRole,
}

impl RoleKind {
    /// The Kubernetes kind name.
    pub fn as_str(self) -> &'static str {
        match self {
            RoleKind::Role => "Role",
            RoleKind::ClusterRole => "ClusterRole",
        }
    }
}

/// A label selector of an aggregation rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selector {
    /// Labels that must be present with these values.
    pub match_labels: Vec<(String, String)>,
    /// Expressions: key, operator and values.
    pub match_expressions: Vec<(String, String, Vec<String>)>,
}

impl Selector {
    /// Whether `labels` satisfy the selector. An empty selector selects everything; an
    /// expression with an unknown operator selects nothing.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.match_labels
            .iter()
            .all(|(k, v)| labels.get(k) == Some(v))
            && self.match_expressions.iter().all(|(key, op, values)| {
                let value = labels.get(key);
                match op.as_str() {
                    "In" => value.is_some_and(|v| values.contains(v)),
                    "NotIn" => value.is_none_or(|v| !values.contains(v)),
                    "Exists" => value.is_some(),
                    "DoesNotExist" => value.is_none(),
                    _ => false,
                }
            })
    }
}

/// A Role or ClusterRole.
#[derive(Debug, Clone)]
pub struct Role {
    /// Role or ClusterRole.
    pub kind: RoleKind,
    /// Its name.
    pub name: String,
    /// Its namespace (Roles only).
    pub namespace: Option<String>,
    /// Effective rules (for aggregated ClusterRoles, the rules gathered from the selected roles,
    /// each keeping the position where it is written).
    pub rules: Vec<Rule>,
    /// Its labels (aggregation selects on them).
    pub labels: BTreeMap<String, String>,
    /// The aggregation selectors, if it is an aggregated ClusterRole.
    pub aggregation: Option<Vec<Selector>>,
    /// Names of the ClusterRoles whose rules were aggregated into it, when Palisade computed them.
    pub aggregated_from: Vec<String>,
    /// Where the object starts.
    pub at: Loc,
}

impl Role {
    /// `Role ns/name` or `ClusterRole name`.
    pub fn display(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{} {ns}/{}", self.kind.as_str(), self.name),
            None => format!("{} {}", self.kind.as_str(), self.name),
        }
    }
}

/// The kind of a subject of a binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SubjectKind {
    /// A user name.
    User,
    /// A group name.
    Group,
    /// A service account (namespace and name).
    ServiceAccount,
}

impl SubjectKind {
    /// The Kubernetes kind name.
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::User => "User",
            SubjectKind::Group => "Group",
            SubjectKind::ServiceAccount => "ServiceAccount",
        }
    }
}

/// One subject of a binding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    /// User, Group or ServiceAccount.
    pub kind: SubjectKind,
    /// The name.
    pub name: String,
    /// The namespace as written (ServiceAccounts).
    pub namespace: Option<String>,
    /// Where the subject is written.
    pub at: Loc,
}

/// A subject as the authorizer sees it, after namespace defaulting: the key of who-can answers.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SubjectKey {
    /// User, Group or ServiceAccount.
    pub kind: SubjectKind,
    /// Namespace of a ServiceAccount.
    pub namespace: Option<String>,
    /// The name.
    pub name: String,
}

impl fmt::Display for SubjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{} {ns}:{}", self.kind.as_str(), self.name),
            None => write!(f, "{} {}", self.kind.as_str(), self.name),
        }
    }
}

/// The role a binding refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleRef {
    /// `Role` or `ClusterRole` as written.
    pub kind: String,
    /// The role's name.
    pub name: String,
    /// Where the roleRef is written.
    pub at: Loc,
}

/// A RoleBinding (namespace set) or ClusterRoleBinding (namespace unset).
#[derive(Debug, Clone)]
pub struct Binding {
    /// Its name.
    pub name: String,
    /// The namespace of a RoleBinding; `None` for a ClusterRoleBinding.
    pub namespace: Option<String>,
    /// The referenced role.
    pub role_ref: RoleRef,
    /// Subjects of known kinds.
    pub subjects: Vec<Subject>,
    /// Index into [`Model::roles`] of the resolved role, if it exists and may be referenced.
    pub role: Option<usize>,
    /// Where the object starts.
    pub at: Loc,
}

impl Binding {
    /// `RoleBinding ns/name` or `ClusterRoleBinding name`.
    pub fn display(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("RoleBinding {ns}/{}", self.name),
            None => format!("ClusterRoleBinding {}", self.name),
        }
    }

    /// The subject as the authorizer resolves it: a ServiceAccount without a namespace takes the
    /// binding's namespace (and matches nobody in a ClusterRoleBinding).
    pub fn subject_key(&self, subject: &Subject) -> Option<SubjectKey> {
        let namespace = match subject.kind {
            SubjectKind::ServiceAccount => Some(
                subject
                    .namespace
                    .clone()
                    .filter(|ns| !ns.is_empty())
                    .or_else(|| self.namespace.clone())?,
            ),
            _ => None,
        };
        Some(SubjectKey {
            kind: subject.kind,
            namespace,
            name: subject.name.clone(),
        })
    }
}

/// A problem in the RBAC input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// Where.
    pub at: Loc,
    /// What.
    pub message: String,
}

/// A ServiceAccount object.
#[derive(Debug, Clone)]
pub struct ServiceAccount {
    /// Its namespace.
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// Where the object starts.
    pub at: Loc,
}

/// Who is asking: a user name and groups, implicit groups included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserInfo {
    /// The user name (`system:serviceaccount:<ns>:<name>` for service accounts).
    pub name: String,
    /// All groups, including the implicit ones.
    pub groups: Vec<String>,
}

impl UserInfo {
    /// A user with explicit groups; adds `system:authenticated`, or `system:unauthenticated`
    /// for `system:anonymous`, as the authenticator does.
    pub fn user(name: &str, groups: &[String]) -> Self {
        let mut all: Vec<String> = groups.to_vec();
        let implicit = if name == ANONYMOUS_USER {
            "system:unauthenticated"
        } else {
            "system:authenticated"
        };
        if !all.iter().any(|g| g == implicit) {
            all.push(implicit.to_string());
        }
        UserInfo {
            name: name.to_string(),
            groups: all,
        }
    }

    /// A group member without a particular user name (for `--as-group` alone).
    pub fn group_member(groups: &[String]) -> Self {
        Self::user("", groups)
    }

    /// A service account with its implicit groups.
    pub fn service_account(namespace: &str, name: &str) -> Self {
        UserInfo {
            name: format!("system:serviceaccount:{namespace}:{name}"),
            groups: vec![
                "system:serviceaccounts".to_string(),
                format!("system:serviceaccounts:{namespace}"),
                "system:authenticated".to_string(),
            ],
        }
    }

    /// The user for a subject key: service accounts and users get their implicit groups; a
    /// group becomes an otherwise anonymous member of it.
    pub fn for_subject(key: &SubjectKey) -> Self {
        match key.kind {
            SubjectKind::ServiceAccount => {
                Self::service_account(key.namespace.as_deref().unwrap_or(""), &key.name)
            }
            SubjectKind::User => Self::user(&key.name, &[]),
            SubjectKind::Group => Self::group_member(std::slice::from_ref(&key.name)),
        }
    }

    /// Whether the user is in `group`.
    pub fn in_group(&self, group: &str) -> bool {
        self.groups.iter().any(|g| g == group)
    }
}

/// What is being asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// An API resource request.
    Resource {
        /// The verb (`get`, `list`, `create`, …).
        verb: String,
        /// The API group, `""` for core.
        api_group: String,
        /// The resource (plural).
        resource: String,
        /// The subresource, `""` for none.
        subresource: String,
        /// The object name, `""` for none.
        name: String,
        /// The namespace, `""` for cluster-scoped or all-namespaces requests.
        namespace: String,
    },
    /// A non-resource URL request (`/healthz`, `/metrics`).
    NonResource {
        /// The verb (`get`, `post`, …).
        verb: String,
        /// The path.
        path: String,
    },
}

impl Request {
    /// A resource request; `resource` may be `resource/subresource`.
    pub fn resource(verb: &str, api_group: &str, resource: &str, namespace: &str) -> Self {
        let (resource, subresource) = resource.split_once('/').unwrap_or((resource, ""));
        Request::Resource {
            verb: verb.to_string(),
            api_group: api_group.to_string(),
            resource: resource.to_string(),
            subresource: subresource.to_string(),
            name: String::new(),
            namespace: namespace.to_string(),
        }
    }

    /// The same request for a named object.
    #[must_use]
    pub fn named(mut self, object_name: &str) -> Self {
        if let Request::Resource { name, .. } = &mut self {
            *name = object_name.to_string();
        }
        self
    }

    /// A non-resource URL request.
    pub fn non_resource(verb: &str, path: &str) -> Self {
        Request::NonResource {
            verb: verb.to_string(),
            path: path.to_string(),
        }
    }

    /// The namespace the request is in (`""` for cluster-wide and non-resource requests).
    pub fn namespace(&self) -> &str {
        match self {
            Request::Resource { namespace, .. } => namespace,
            Request::NonResource { .. } => "",
        }
    }
}

/// One reason a request is allowed: binding → role → rule.
#[derive(Debug, Clone, Copy)]
pub struct Grant<'a> {
    /// The binding.
    pub binding: &'a Binding,
    /// The subject of the binding that applies.
    pub subject: &'a Subject,
    /// The bound role.
    pub role: &'a Role,
    /// The rule that matches.
    pub rule: &'a Rule,
}

/// The answer to "can this user do this".
#[derive(Debug, Clone)]
pub struct Decision<'a> {
    /// Allowed or not.
    pub allowed: bool,
    /// The user is in `system:masters`, which is allowed everything before RBAC is asked.
    pub masters: bool,
    /// Every grant that allows the request (empty when denied or allowed only by masters).
    pub grants: Vec<Grant<'a>>,
}

/// The RBAC objects of an inventory, resolved.
#[derive(Debug, Default)]
pub struct Model {
    /// Roles and ClusterRoles, in input order.
    pub roles: Vec<Role>,
    /// RoleBindings and ClusterRoleBindings, in input order.
    pub bindings: Vec<Binding>,
    /// ServiceAccounts.
    pub service_accounts: Vec<ServiceAccount>,
    /// Problems found while reading.
    pub warnings: Vec<Warning>,
    cluster_roles: HashMap<String, usize>,
    namespaced_roles: HashMap<(String, String), usize>,
    cluster_bindings: Vec<usize>,
    bindings_by_namespace: HashMap<String, Vec<usize>>,
    bindings_by_subject: HashMap<SubjectKey, Vec<usize>>,
    bindings_by_role: HashMap<usize, Vec<usize>>,
    /// Roles whose `rules` are the ones written in their object (not gathered by aggregation),
    /// by where the object starts: the checks read them per object without re-reading the tree.
    /// `None` marks an aggregated ClusterRole whose rules Palisade gathered.
    written_roles: HashMap<Loc, Option<usize>>,
}

const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

fn loc(object: &Object, pos: Pos) -> Loc {
    Loc {
        file: object.source.file.clone(),
        pos,
    }
}

fn string_list(node: Option<&Node>) -> Vec<String> {
    node.map(|n| {
        n.items()
            .iter()
            .filter_map(|item| item.scalar_text().map(std::borrow::Cow::into_owned))
            .collect()
    })
    .unwrap_or_default()
}

fn labels_of(object: &Object) -> BTreeMap<String, String> {
    object
        .root
        .path(&["metadata", "labels"])
        .map(|labels| {
            labels
                .entries()
                .iter()
                .filter_map(|e| Some((e.key.to_string(), e.value.scalar_text()?.into_owned())))
                .collect()
        })
        .unwrap_or_default()
}

fn selector_of(node: &Node) -> Selector {
    let match_labels = node
        .get("matchLabels")
        .map(|m| {
            m.entries()
                .iter()
                .filter_map(|e| Some((e.key.to_string(), e.value.scalar_text()?.into_owned())))
                .collect()
        })
        .unwrap_or_default();
    let match_expressions = node
        .get("matchExpressions")
        .map(|m| {
            m.items()
                .iter()
                .map(|expr| {
                    (
                        expr.get("key")
                            .and_then(Node::as_str)
                            .unwrap_or_default()
                            .to_string(),
                        expr.get("operator")
                            .and_then(Node::as_str)
                            .unwrap_or_default()
                            .to_string(),
                        string_list(expr.get("values")),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    Selector {
        match_labels,
        match_expressions,
    }
}

/// The rules of a Role or ClusterRole object as written, each with its position; rules without
/// verbs are left out, and they and other malformed rules are added to `warnings`.
pub fn rules_of(object: &Object, warnings: &mut Vec<Warning>) -> Vec<Rule> {
    let mut rules = Vec::new();
    if let Some(list) = object.root.get("rules") {
        for node in list.items() {
            let rule = Rule {
                verbs: string_list(node.get("verbs")),
                api_groups: string_list(node.get("apiGroups")),
                resources: string_list(node.get("resources")),
                resource_names: string_list(node.get("resourceNames")),
                non_resource_urls: string_list(node.get("nonResourceURLs")),
                at: loc(object, node.pos),
            };
            let at = rule.at.clone();
            if rule.verbs.is_empty() {
                warnings.push(Warning {
                    at,
                    message: format!(
                        "{} {}: rule without verbs grants nothing",
                        object.kind, object.name
                    ),
                });
                continue;
            }
            if !rule.non_resource_urls.is_empty() && !rule.resources.is_empty() {
                warnings.push(Warning {
                        at: at.clone(),
                        message:
                        format!(
                            "{} {}: rule mixes resources and nonResourceURLs, which the API server rejects",
                            object.kind, object.name
                        ),
                    });
            }
            if &*object.kind == "Role" && !rule.non_resource_urls.is_empty() {
                warnings.push(Warning {
                    at,
                    message: format!(
                        "Role {}: nonResourceURLs in a namespaced Role have no effect",
                        object.name
                    ),
                });
            }
            rules.push(rule);
        }
    }
    rules
}

fn is_rbac(object: &Object) -> bool {
    object.group() == RBAC_GROUP
}

impl Model {
    /// Reads the RBAC objects of `inventory` and resolves bindings and aggregation.
    pub fn from_inventory(inventory: &Inventory) -> Self {
        Self::from_objects(inventory.objects().iter())
    }

    /// Reads RBAC objects from any sequence of objects (others are ignored).
    pub fn from_objects<'a>(objects: impl IntoIterator<Item = &'a Object>) -> Self {
        let mut model = Model::default();
        for object in objects {
            match &*object.kind {
                "Role" | "ClusterRole" if is_rbac(object) => model.read_role(object),
                "RoleBinding" | "ClusterRoleBinding" if is_rbac(object) => {
                    model.read_binding(object);
                }
                "ServiceAccount" if object.group().is_empty() => {
                    model.service_accounts.push(ServiceAccount {
                        namespace: object.namespace.as_deref().unwrap_or("default").to_string(),
                        name: object.name.to_string(),
                        at: loc(object, object.pos()),
                    });
                }
                _ => {}
            }
        }
        model.aggregate();
        model.resolve();
        model
    }

    fn warn(&mut self, at: Loc, message: String) {
        self.warnings.push(Warning { at, message });
    }

    fn read_role(&mut self, object: &Object) {
        let kind = if &*object.kind == "Role" {
            RoleKind::Role
        } else {
            RoleKind::ClusterRole
        };
        let namespace = match kind {
            RoleKind::Role => Some(object.namespace.as_deref().unwrap_or("default").to_string()),
            RoleKind::ClusterRole => None,
        };
        let rules = rules_of(object, &mut self.warnings);
        let aggregation = match kind {
            RoleKind::ClusterRole => object.root.get("aggregationRule").map(|rule| {
                rule.get("clusterRoleSelectors")
                    .map(|s| s.items().iter().map(selector_of).collect())
                    .unwrap_or_default()
            }),
            RoleKind::Role => None,
        };
        self.written_roles
            .entry(loc(object, object.pos()))
            .or_insert(Some(self.roles.len()));
        self.roles.push(Role {
            kind,
            name: object.name.to_string(),
            namespace,
            rules,
            labels: labels_of(object),
            aggregation,
            aggregated_from: Vec::new(),
            at: loc(object, object.pos()),
        });
    }

    fn read_binding(&mut self, object: &Object) {
        let cluster = &*object.kind == "ClusterRoleBinding";
        let namespace =
            (!cluster).then(|| object.namespace.as_deref().unwrap_or("default").to_string());
        let at = loc(object, object.pos());
        let role_ref = if let Some(entry) = object.root.entry("roleRef") {
            RoleRef {
                kind: entry
                    .value
                    .get("kind")
                    .and_then(Node::as_str)
                    .unwrap_or_default()
                    .to_string(),
                name: entry
                    .value
                    .get("name")
                    .and_then(Node::as_str)
                    .unwrap_or_default()
                    .to_string(),
                at: loc(object, entry.key_pos),
            }
        } else {
            self.warn(at, format!("{} {}: no roleRef", object.kind, object.name));
            return;
        };
        let mut subjects = Vec::new();
        for node in object
            .root
            .get("subjects")
            .map(Node::items)
            .unwrap_or_default()
        {
            let name = node
                .get("name")
                .and_then(super::document::Node::scalar_text)
                .map(std::borrow::Cow::into_owned)
                .unwrap_or_default();
            let kind_text = node.get("kind").and_then(Node::as_str).unwrap_or_default();
            let kind = match kind_text {
                "User" => SubjectKind::User,
                "Group" => SubjectKind::Group,
                "ServiceAccount" => SubjectKind::ServiceAccount,
                other => {
                    self.warn(
                        loc(object, node.pos),
                        format!(
                            "{} {}: subject of unknown kind {other:?} is ignored",
                            object.kind, object.name
                        ),
                    );
                    continue;
                }
            };
            let namespace = node
                .get("namespace")
                .and_then(super::document::Node::scalar_text)
                .map(std::borrow::Cow::into_owned);
            if cluster && kind == SubjectKind::ServiceAccount && namespace.is_none() {
                self.warn(
                    loc(object, node.pos),
                    format!(
                        "ClusterRoleBinding {}: ServiceAccount subject {name} without a namespace matches nobody",
                        object.name
                    ),
                );
            }
            subjects.push(Subject {
                kind,
                name,
                namespace,
                at: loc(object, node.pos),
            });
        }
        self.bindings.push(Binding {
            name: object.name.to_string(),
            namespace,
            role_ref,
            subjects,
            role: None,
            at,
        });
    }

    /// Computes aggregated ClusterRoles to a fixpoint. A role that already carries rules keeps
    /// them: the input then is a dump in which the controller has done this work.
    fn aggregate(&mut self) {
        let aggregated: Vec<usize> = self
            .roles
            .iter()
            .enumerate()
            .filter(|(_, r)| r.aggregation.is_some() && r.rules.is_empty())
            .map(|(i, _)| i)
            .collect();
        if aggregated.is_empty() {
            return;
        }
        // Their written rules are empty; what aggregation gathers below is not written there.
        for &target in &aggregated {
            let at = self.roles[target].at.clone();
            if let Some(written) = self.written_roles.get_mut(&at)
                && *written == Some(target)
            {
                *written = None;
            }
        }
        let mut by_name: Vec<usize> = (0..self.roles.len())
            .filter(|&i| self.roles[i].kind == RoleKind::ClusterRole)
            .collect();
        by_name.sort_by(|&a, &b| self.roles[a].name.cmp(&self.roles[b].name));
        // Each pass can only add rules, and rules come from a finite set, so this ends.
        loop {
            let mut changed = false;
            for &target in &aggregated {
                let selectors = self.roles[target].aggregation.clone().unwrap_or_default();
                let mut rules: Vec<Rule> = Vec::new();
                let mut from = Vec::new();
                for &source in &by_name {
                    if source == target
                        || !selectors
                            .iter()
                            .any(|s| s.matches(&self.roles[source].labels))
                    {
                        continue;
                    }
                    from.push(self.roles[source].name.clone());
                    for rule in &self.roles[source].rules {
                        if !rules.iter().any(|r| r.content() == rule.content()) {
                            rules.push(rule.clone());
                        }
                    }
                }
                if rules.len() != self.roles[target].rules.len() {
                    changed = true;
                }
                self.roles[target].rules = rules;
                self.roles[target].aggregated_from = from;
            }
            if !changed {
                break;
            }
        }
    }

    fn resolve(&mut self) {
        for (i, role) in self.roles.iter().enumerate() {
            match &role.namespace {
                None => {
                    self.cluster_roles.entry(role.name.clone()).or_insert(i);
                }
                Some(ns) => {
                    self.namespaced_roles
                        .entry((ns.clone(), role.name.clone()))
                        .or_insert(i);
                }
            }
        }
        let mut warnings = Vec::new();
        for (i, binding) in self.bindings.iter_mut().enumerate() {
            let role = match (binding.role_ref.kind.as_str(), &binding.namespace) {
                ("ClusterRole", _) => self.cluster_roles.get(&binding.role_ref.name).copied(),
                ("Role", Some(ns)) => self
                    .namespaced_roles
                    .get(&(ns.clone(), binding.role_ref.name.clone()))
                    .copied(),
                ("Role", None) => {
                    warnings.push(Warning {
                        at: binding.role_ref.at.clone(),
                        message: format!(
                            "{}: a ClusterRoleBinding can only refer to a ClusterRole",
                            binding.display()
                        ),
                    });
                    binding.role = None;
                    continue;
                }
                (other, _) => {
                    warnings.push(Warning {
                        at: binding.role_ref.at.clone(),
                        message: format!(
                            "{}: roleRef of unknown kind {other:?}",
                            binding.display()
                        ),
                    });
                    continue;
                }
            };
            if role.is_none() {
                warnings.push(Warning {
                    at: binding.role_ref.at.clone(),
                    message: format!(
                        "{}: roleRef {} {} does not exist{}; the binding grants nothing",
                        binding.display(),
                        binding.role_ref.kind,
                        binding.role_ref.name,
                        binding
                            .namespace
                            .as_deref()
                            .filter(|_| binding.role_ref.kind == "Role")
                            .map(|ns| format!(" in namespace {ns}"))
                            .unwrap_or_default()
                    ),
                });
            }
            binding.role = role;
            if let Some(role) = role {
                self.bindings_by_role.entry(role).or_default().push(i);
            }
            for subject in &binding.subjects {
                if let Some(key) = binding.subject_key(subject) {
                    let list = self.bindings_by_subject.entry(key).or_default();
                    if list.last() != Some(&i) {
                        list.push(i);
                    }
                }
            }
            match &binding.namespace {
                None => self.cluster_bindings.push(i),
                Some(ns) => self
                    .bindings_by_namespace
                    .entry(ns.clone())
                    .or_default()
                    .push(i),
            }
        }
        self.warnings.extend(warnings);
    }

    /// The rules written in a Role or ClusterRole object of the input, as [`rules_of`] reads
    /// them, without re-reading its tree. `None` when the model does not hold them: the object
    /// is not an RBAC role, is not among the objects the model was built from, or is an
    /// aggregated ClusterRole whose rules Palisade gathered (its written rules are empty).
    /// Callers then read the object with [`rules_of`].
    pub fn written_rules(&self, object: &Object) -> Option<&[Rule]> {
        if !matches!(&*object.kind, "Role" | "ClusterRole") || !is_rbac(object) {
            return None;
        }
        let index = (*self.written_roles.get(&loc(object, object.pos()))?)?;
        let role = &self.roles[index];
        // Two inputs with one display name can put different objects at one place.
        (role.name == *object.name).then_some(role.rules.as_slice())
    }

    /// A ClusterRole by name.
    pub fn cluster_role(&self, name: &str) -> Option<&Role> {
        self.cluster_roles.get(name).map(|&i| &self.roles[i])
    }

    /// A Role by namespace and name.
    pub fn role(&self, namespace: &str, name: &str) -> Option<&Role> {
        self.namespaced_roles
            .get(&(namespace.to_string(), name.to_string()))
            .map(|&i| &self.roles[i])
    }

    /// Bindings that can take effect for a request in `namespace`: every ClusterRoleBinding,
    /// then the RoleBindings of that namespace (none for `""`).
    pub fn bindings_for(&self, namespace: &str) -> impl Iterator<Item = &Binding> {
        let namespaced: &[usize] = if namespace.is_empty() {
            &[]
        } else {
            self.bindings_by_namespace
                .get(namespace)
                .map_or(&[], Vec::as_slice)
        };
        self.cluster_bindings
            .iter()
            .chain(namespaced)
            .map(|&i| &self.bindings[i])
    }

    /// The subject of `binding` that `user` is, if any.
    pub fn applies_to<'a>(binding: &'a Binding, user: &UserInfo) -> Option<&'a Subject> {
        binding
            .subjects
            .iter()
            .find(|s| subject_is(binding, s, user))
    }

    /// Whether `user` may make `request`, with every grant that allows it.
    pub fn authorize(&self, user: &UserInfo, request: &Request) -> Decision<'_> {
        let masters = user.in_group(MASTERS_GROUP);
        let mut grants = Vec::new();
        for binding in self.bindings_for(request.namespace()) {
            let Some(role) = binding.role.map(|i| &self.roles[i]) else {
                continue;
            };
            let Some(subject) = Self::applies_to(binding, user) else {
                continue;
            };
            for rule in &role.rules {
                if matching::rule_allows(rule, request) {
                    grants.push(Grant {
                        binding,
                        subject,
                        role,
                        rule,
                    });
                }
            }
        }
        Decision {
            allowed: masters || !grants.is_empty(),
            masters,
            grants,
        }
    }

    /// Every subject that may make `request`, each with the grants that allow it. Members of
    /// `system:masters` are always allowed and are not listed.
    pub fn who_can(&self, request: &Request) -> BTreeMap<SubjectKey, Vec<Grant<'_>>> {
        let mut out: BTreeMap<SubjectKey, Vec<Grant<'_>>> = BTreeMap::new();
        for binding in self.bindings_for(request.namespace()) {
            let Some(role) = binding.role.map(|i| &self.roles[i]) else {
                continue;
            };
            for rule in role
                .rules
                .iter()
                .filter(|r| matching::rule_allows(r, request))
            {
                for subject in &binding.subjects {
                    if let Some(key) = binding.subject_key(subject) {
                        out.entry(key).or_default().push(Grant {
                            binding,
                            subject,
                            role,
                            rule,
                        });
                    }
                }
            }
        }
        out
    }

    /// Every rule `user` holds, as grants: cluster-wide ones under `None`, those from
    /// RoleBindings under their namespace.
    pub fn permissions(&self, user: &UserInfo) -> BTreeMap<Option<String>, Vec<Grant<'_>>> {
        let mut out: BTreeMap<Option<String>, Vec<Grant<'_>>> = BTreeMap::new();
        for binding in self.bindings_of(user) {
            let Some(role) = binding.role.map(|i| &self.roles[i]) else {
                continue;
            };
            let Some(subject) = Self::applies_to(binding, user) else {
                continue;
            };
            // Non-resource URLs take effect only through ClusterRoleBindings.
            let effective = role
                .rules
                .iter()
                .filter(|r| binding.namespace.is_none() || r.non_resource_urls.is_empty());
            for rule in effective {
                out.entry(binding.namespace.clone())
                    .or_default()
                    .push(Grant {
                        binding,
                        subject,
                        role,
                        rule,
                    });
            }
        }
        out
    }

    /// The bindings that name `user`, one of its groups or its service account, in input order.
    fn bindings_of(&self, user: &UserInfo) -> impl Iterator<Item = &Binding> {
        let key = |kind, namespace: Option<&str>, name: &str| SubjectKey {
            kind,
            namespace: namespace.map(str::to_string),
            name: name.to_string(),
        };
        let mut keys = vec![key(SubjectKind::User, None, &user.name)];
        keys.extend(user.groups.iter().map(|g| key(SubjectKind::Group, None, g)));
        if let Some((ns, name)) = user
            .name
            .strip_prefix("system:serviceaccount:")
            .and_then(|rest| rest.split_once(':'))
        {
            keys.push(key(SubjectKind::ServiceAccount, Some(ns), name));
        }
        let mut indices: Vec<usize> = keys
            .iter()
            .filter_map(|k| self.bindings_by_subject.get(k))
            .flatten()
            .copied()
            .collect();
        indices.sort_unstable();
        indices.dedup();
        indices.into_iter().map(|i| &self.bindings[i])
    }

    /// The bindings that grant `role` and the subjects they grant it to.
    pub fn holders(&self, role: &Role) -> Vec<(&Binding, SubjectKey)> {
        let index = match &role.namespace {
            Some(ns) => self.namespaced_roles.get(&(ns.clone(), role.name.clone())),
            None => self.cluster_roles.get(&role.name),
        };
        index
            .and_then(|i| self.bindings_by_role.get(i))
            .into_iter()
            .flatten()
            .map(|&i| &self.bindings[i])
            .flat_map(|b| {
                b.subjects
                    .iter()
                    .filter_map(move |s| Some((b, b.subject_key(s)?)))
            })
            .collect()
    }

    /// The Role (`namespace` set) or ClusterRole of this name.
    pub fn find_role(&self, namespace: Option<&str>, name: &str) -> Option<&Role> {
        match namespace {
            Some(ns) => self.role(ns, name),
            None => self.cluster_role(name),
        }
    }

    /// Namespaces that have RoleBindings.
    pub fn binding_namespaces(&self) -> BTreeSet<&str> {
        self.bindings_by_namespace
            .keys()
            .map(String::as_str)
            .collect()
    }
}

/// Whether `subject` of `binding` is `user`; ServiceAccount subjects without a namespace take
/// the binding's.
fn subject_is(binding: &Binding, subject: &Subject, user: &UserInfo) -> bool {
    match subject.kind {
        SubjectKind::User => subject.name == user.name,
        SubjectKind::Group => user.in_group(&subject.name),
        SubjectKind::ServiceAccount => binding.subject_key(subject).is_some_and(|key| {
            user.name
                == format!(
                    "system:serviceaccount:{}:{}",
                    key.namespace.unwrap_or_default(),
                    key.name
                )
        }),
    }
}
