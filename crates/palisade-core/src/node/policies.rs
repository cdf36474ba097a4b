//! Section 5 of the benchmark (policies), answered from a cluster dump when one is given:
//! the RBAC model for 5.1, the Pod Security Standards evaluator and the namespaces' enforce
//! labels for 5.2, NetworkPolicies for 5.3, pod specs for 5.4 and namespaces for the general
//! policies (5.7 in v1.10, 5.6 from v1.11). Without a dump every policy check is a WARN asking
//! for one. Workloads in `kube-system`, `kube-public` and `kube-node-lease` are left out: the
//! control plane's own pods need host access by design.
//!
//! The releases number some of these items differently (v1.12 dropped "added capabilities"
//! and moved the later 5.2 items up by one; v1.11 renumbered 5.7 to 5.6), so every item
//! carries its id per release.

use std::collections::{BTreeMap, HashMap};

use crate::document::Node;
use crate::inventory::Inventory;
use crate::node::cis::{Benchmark, CheckResult, SourceRef, Status, Target};
use crate::object::Object;
use crate::pss::namespaces::{ClusterDefaults, Mode, Policy, policies_over_defaults};
use crate::pss::{self, Level, Version, Violation};
use crate::rbac::{Model, Request, SubjectKey, SubjectKind};
use crate::workload::{PodView, pod_specs};

/// Namespaces Kubernetes creates for itself.
const SYSTEM_NAMESPACES: &[&str] = &["kube-system", "kube-public", "kube-node-lease"];

/// How many offenders a result names before saying how many more there are.
const LISTED: usize = 5;

/// An item's id in each release, `None` where that release does not have it.
#[derive(Debug, Clone, Copy)]
struct Ids([Option<&'static str>; 3]);

impl Ids {
    const fn same(id: &'static str) -> Ids {
        Ids([Some(id), Some(id), Some(id)])
    }

    const fn each(
        cis110: Option<&'static str>,
        cis111: Option<&'static str>,
        cis112: Option<&'static str>,
    ) -> Ids {
        Ids([cis110, cis111, cis112])
    }

    fn get(self, benchmark: Benchmark) -> Option<&'static str> {
        self.0[match benchmark {
            Benchmark::Cis110 => 0,
            Benchmark::Cis111 => 1,
            Benchmark::Cis112 => 2,
        }]
    }
}

/// What one item concluded.
struct Answer {
    status: Status,
    actual: String,
    source: Option<SourceRef>,
}

impl Answer {
    fn new(status: Status, actual: impl Into<String>) -> Answer {
        Answer {
            status,
            actual: actual.into(),
            source: None,
        }
    }

    fn at(mut self, object: &Object, line: u32) -> Answer {
        self.source = Some(SourceRef {
            file: object.source.file.to_string(),
            line: (line > 0).then_some(line),
        });
        self
    }
}

struct PolicyDef {
    ids: Ids,
    title: &'static str,
    remediation: &'static str,
    expected: &'static str,
    answer: fn(&Facts<'_>) -> Answer,
}

/// A workload outside the system namespaces, and whether its namespace's enforce policy
/// admits it.
struct Workload<'a> {
    object: &'a Object,
    pods: Vec<PodView<'a>>,
    /// The namespace's enforce policy refuses none of its pod specs.
    admitted: bool,
}

/// A namespace outside the system ones that holds workloads.
struct UserNamespace<'a> {
    name: String,
    enforce: Policy,
    /// The Namespace object, when the dump has it.
    object: Option<&'a Object>,
}

/// What every item may look at, computed once per run.
struct Facts<'a> {
    inv: &'a Inventory,
    workloads: Vec<Workload<'a>>,
    namespaces: Vec<UserNamespace<'a>>,
}

impl<'a> Facts<'a> {
    fn new(inv: &'a Inventory, defaults: &ClusterDefaults) -> Facts<'a> {
        let mut enforce: BTreeMap<&str, (Policy, Option<&Object>)> = BTreeMap::new();
        for (_, ns) in inv.of_kind("Namespace") {
            if ns.group().is_empty() {
                enforce.insert(
                    &ns.name,
                    (
                        policies_over_defaults(ns, defaults).get(Mode::Enforce),
                        Some(ns),
                    ),
                );
            }
        }
        let mut workloads = Vec::new();
        let mut namespaces: BTreeMap<String, UserNamespace<'a>> = BTreeMap::new();
        for object in inv.objects().iter().filter(|o| outside_system(o)) {
            let pods = pod_specs(object);
            if pods.is_empty() {
                continue;
            }
            let name = object.namespace.as_deref().unwrap_or("default");
            let (policy, ns_object) = enforce
                .get(name)
                .copied()
                .unwrap_or_else(|| (defaults.enforce_without_labels(name), None));
            let admitted = policy.level.is_none_or(|level| {
                pods.iter()
                    .all(|pod| pss::evaluate(pod, level, policy.version).is_empty())
            });
            namespaces
                .entry(name.to_string())
                .or_insert_with(|| UserNamespace {
                    name: name.to_string(),
                    enforce: policy,
                    object: ns_object,
                });
            workloads.push(Workload {
                object,
                pods,
                admitted,
            });
        }
        Facts {
            inv,
            workloads,
            namespaces: namespaces.into_values().collect(),
        }
    }
}

/// An offending workload, as a sentence and where it says so.
struct Finding<'a> {
    object: &'a Object,
    text: String,
    line: u32,
}

/// Names up to [`LISTED`] findings, then how many more there are.
fn list(findings: &[Finding<'_>]) -> String {
    let mut listed: Vec<String> = findings
        .iter()
        .take(LISTED)
        .map(|f| f.text.clone())
        .collect();
    if findings.len() > LISTED {
        listed.push(format!("and {} more", findings.len() - LISTED));
    }
    listed.join("; ")
}

fn names(items: &[String]) -> String {
    let mut listed: Vec<String> = items.iter().take(LISTED).cloned().collect();
    if items.len() > LISTED {
        listed.push(format!("and {} more", items.len() - LISTED));
    }
    listed.join(", ")
}

/// FAIL naming the findings, or PASS when there are none.
fn fail_on(findings: &[Finding<'_>]) -> Answer {
    match findings.first() {
        None => Answer::new(Status::Pass, "none found in the cluster dump"),
        Some(first) => Answer::new(Status::Fail, list(findings)).at(first.object, first.line),
    }
}

/// The old offender lists (`description, object`) as findings at the object's first line.
fn objects(offenders: Vec<(String, &Object)>) -> Vec<Finding<'_>> {
    offenders
        .into_iter()
        .map(|(text, object)| Finding {
            object,
            text,
            line: object.pos().line,
        })
        .collect()
}

fn violation_finding<'a>(object: &'a Object, violation: &Violation) -> Finding<'a> {
    Finding {
        object,
        text: format!("{} {}: {violation}", object.kind, object.display_name()),
        line: violation.pos.line,
    }
}

/// The violation of one Pod Security Standards check for one pod spec, at the newest policy.
fn pss_violation(pod: &PodView<'_>, check: &str) -> Option<Violation> {
    pss::CHECKS
        .iter()
        .find(|c| c.id == check)
        .and_then(|c| (c.predicate)(pod, Version::Latest))
}

// ---------------------------------------------------------------------------------------------
// 5.2: admission of risky pod settings.

/// What a 5.2 item looks for and which enforce policy refuses it.
struct Admission {
    /// What is admitted, in words ("privileged containers").
    what: &'static str,
    /// The lowest Pod Security level whose enforcement refuses it...
    level: Level,
    /// ...from this policy version on (`v1.N`).
    since_minor: u32,
    /// Findings in one pod spec: `(sentence, line, certain)`. A certain finding is evidence
    /// enough for FAIL; an uncertain one needs a person (the image or the runtime decides).
    find: fn(&PodView<'_>) -> Vec<(String, u32, bool)>,
}

/// The findings of one Pod Security Standards check, optionally only those whose detail
/// mentions `needle` (the host namespaces check reports PID, IPC and network together).
fn pss_findings(pod: &PodView<'_>, check: &str, needle: &str) -> Vec<(String, u32, bool)> {
    let Some(violation) = pss_violation(pod, check).filter(|v| v.detail.contains(needle)) else {
        return Vec::new();
    };
    // Point at the field the item is about rather than the first one the check names.
    let field = needle.split('=').next().unwrap_or_default();
    let line = if field.is_empty() || pod.get(field).is_none() {
        violation.pos.line
    } else {
        pod.field_pos(field).line
    };
    vec![(violation.to_string(), line, true)]
}

fn enforces(policy: Policy, level: Level, since_minor: u32) -> bool {
    policy.level.is_some_and(|l| l >= level) && policy.version.at_least(since_minor)
}

/// FAIL when an admitted workload certainly has the setting; WARN when one may have it, or
/// when none has it but a namespace with workloads does not enforce a policy that refuses it
/// (another admission controller may, which a dump cannot show); PASS when every such
/// namespace enforces one and no admitted workload has it.
fn admission(facts: &Facts<'_>, item: &Admission) -> Answer {
    let mut certain = Vec::new();
    let mut uncertain = Vec::new();
    let mut refused = 0;
    for workload in &facts.workloads {
        let mut found = Vec::new();
        for pod in &workload.pods {
            found.extend((item.find)(pod));
        }
        if found.is_empty() {
            continue;
        }
        if !workload.admitted {
            refused += 1;
            continue;
        }
        let describe = format!(
            "{} {}",
            workload.object.kind,
            workload.object.display_name()
        );
        let any_certain = found.iter().any(|f| f.2);
        for (text, line, is_certain) in found {
            if is_certain != any_certain {
                continue;
            }
            let finding = Finding {
                object: workload.object,
                text: format!("{describe}: {text}"),
                line,
            };
            if is_certain {
                certain.push(finding);
            } else {
                uncertain.push(finding);
            }
        }
    }
    let refused_note = if refused > 0 {
        format!(
            " ({refused} workload(s) asking for it are refused by their namespace's enforce policy)"
        )
    } else {
        String::new()
    };
    if let Some(first) = certain.first() {
        return Answer::new(Status::Fail, format!("{}{refused_note}", list(&certain)))
            .at(first.object, first.line);
    }
    if let Some(first) = uncertain.first() {
        return Answer::new(
            Status::Warn,
            format!(
                "may admit {}, decide per workload: {}{refused_note}",
                item.what,
                list(&uncertain)
            ),
        )
        .at(first.object, first.line);
    }
    let unguarded: Vec<&UserNamespace<'_>> = facts
        .namespaces
        .iter()
        .filter(|ns| !enforces(ns.enforce, item.level, item.since_minor))
        .collect();
    let needed = if item.since_minor == 0 {
        item.level.to_string()
    } else {
        format!("{} (policy v1.{} or later)", item.level, item.since_minor)
    };
    if let Some(first) = unguarded.first() {
        let listed: Vec<String> = unguarded
            .iter()
            .map(|ns| format!("{} (enforce {})", ns.name, ns.enforce))
            .collect();
        let answer = Answer::new(
            Status::Warn,
            format!(
                "no workload has it now, but nothing in the dump refuses {}: namespaces {} do not \
                 enforce {} or stricter (label pod-security.kubernetes.io/enforce), unless another \
                 admission controller covers them{refused_note}",
                item.what,
                names(&listed),
                needed
            ),
        );
        return match first.object {
            Some(object) => answer.at(object, object.pos().line),
            None => answer,
        };
    }
    if facts.namespaces.is_empty() {
        return Answer::new(Status::Pass, "no workloads outside the system namespaces");
    }
    Answer::new(
        Status::Pass,
        format!(
            "every namespace with workloads enforces {needed} or stricter, and no admitted \
             workload has it{refused_note}"
        ),
    )
}

const PRIVILEGED: Admission = Admission {
    what: "privileged containers",
    level: Level::Baseline,
    since_minor: 0,
    find: |pod| pss_findings(pod, "privileged", ""),
};

const HOST_PID: Admission = Admission {
    what: "pods sharing the host PID namespace",
    level: Level::Baseline,
    since_minor: 0,
    find: |pod| pss_findings(pod, "hostNamespaces", "hostPID=true"),
};

const HOST_IPC: Admission = Admission {
    what: "pods sharing the host IPC namespace",
    level: Level::Baseline,
    since_minor: 0,
    find: |pod| pss_findings(pod, "hostNamespaces", "hostIPC=true"),
};

const HOST_NETWORK: Admission = Admission {
    what: "pods sharing the host network namespace",
    level: Level::Baseline,
    since_minor: 0,
    find: |pod| pss_findings(pod, "hostNamespaces", "hostNetwork=true"),
};

const PRIVILEGE_ESCALATION: Admission = Admission {
    what: "containers allowing privilege escalation",
    level: Level::Restricted,
    since_minor: 8,
    find: |pod| pss_findings(pod, "allowPrivilegeEscalation", ""),
};

const ROOT: Admission = Admission {
    what: "containers running as root",
    level: Level::Restricted,
    since_minor: 23,
    find: root_findings,
};

const NET_RAW: Admission = Admission {
    what: "containers with NET_RAW",
    level: Level::Restricted,
    since_minor: 22,
    find: net_raw_findings,
};

const ADDED_CAPABILITIES: Admission = Admission {
    what: "containers adding capabilities",
    level: Level::Baseline,
    since_minor: 0,
    find: |pod| pss_findings(pod, "capabilities_baseline", ""),
};

const ASSIGNED_CAPABILITIES: Admission = Admission {
    what: "containers keeping capabilities",
    level: Level::Restricted,
    since_minor: 22,
    // Whether a container needs the capabilities it keeps is the application's to say.
    find: |pod| {
        pss_findings(pod, "capabilities_restricted", "")
            .into_iter()
            .map(|(text, line, _)| (text, line, false))
            .collect()
    },
};

const HOST_PROCESS: Admission = Admission {
    what: "Windows HostProcess containers",
    level: Level::Baseline,
    since_minor: 0,
    find: |pod| pss_findings(pod, "windowsHostProcess", ""),
};

const HOST_PATH: Admission = Admission {
    what: "hostPath volumes",
    level: Level::Baseline,
    since_minor: 0,
    find: |pod| pss_findings(pod, "hostPathVolumes", ""),
};

const HOST_PORTS: Admission = Admission {
    what: "containers using host ports",
    level: Level::Baseline,
    since_minor: 0,
    find: |pod| pss_findings(pod, "hostPorts", ""),
};

/// `runAsUser: 0` is root for certain; a container that neither sets `runAsNonRoot: true` nor
/// a non-zero `runAsUser` runs as whatever user its image names, which the dump does not say.
fn root_findings(pod: &PodView<'_>) -> Vec<(String, u32, bool)> {
    let certain = pss_findings(pod, "runAsUser", "");
    if !certain.is_empty() {
        return certain;
    }
    pod.containers()
        .filter(|c| {
            c.effective("runAsNonRoot").and_then(|s| s.node.as_bool()) != Some(true)
                && c.effective("runAsUser")
                    .and_then(|s| s.node.as_i64())
                    .is_none_or(|uid| uid <= 0)
        })
        .map(|c| {
            (
                format!(
                    "container {:?} sets neither runAsNonRoot: true nor a non-zero runAsUser (its image decides)",
                    c.name()
                ),
                c.security_context_pos().line,
                false,
            )
        })
        .collect()
}

/// No Pod Security check is about NET_RAW alone (baseline refuses adding it, restricted
/// requires dropping everything), so the capability lists are read here. Adding it, or
/// running privileged, grants it for certain; keeping the runtime's default set grants it
/// under containerd and Docker but not under CRI-O, so that needs a person.
fn net_raw_findings(pod: &PodView<'_>) -> Vec<(String, u32, bool)> {
    let mut out = Vec::new();
    for c in pod.containers() {
        let caps = |which: &str| -> Vec<String> {
            c.security_context()
                .and_then(|sc| sc.path(&["capabilities", which]))
                .map(Node::items)
                .unwrap_or_default()
                .iter()
                .filter_map(|n| n.as_str().map(str::to_string))
                .collect()
        };
        let line = c.security_context_pos().line;
        let privileged = c
            .security_context()
            .and_then(|sc| sc.get("privileged"))
            .and_then(Node::as_bool)
            == Some(true);
        if privileged || caps("add").iter().any(|a| a == "NET_RAW" || a == "ALL") {
            out.push((
                format!("container {:?} is granted NET_RAW", c.name()),
                line,
                true,
            ));
        } else if !caps("drop").iter().any(|d| d == "NET_RAW" || d == "ALL") {
            out.push((
                format!(
                    "container {:?} keeps the runtime's default capabilities (NET_RAW under containerd)",
                    c.name()
                ),
                line,
                false,
            ));
        }
    }
    out
}

/// 5.2.1: PASS when every namespace with workloads enforces a Pod Security level; otherwise
/// WARN, since an external policy engine may be the control in place.
fn policy_control(facts: &Facts<'_>) -> Answer {
    let unguarded: Vec<String> = facts
        .namespaces
        .iter()
        .filter(|ns| ns.enforce.level.is_none())
        .map(|ns| ns.name.clone())
        .collect();
    if unguarded.is_empty() {
        return Answer::new(
            Status::Pass,
            if facts.namespaces.is_empty() {
                "no workloads outside the system namespaces".to_string()
            } else {
                "every namespace with workloads enforces a Pod Security level".to_string()
            },
        );
    }
    let webhooks = facts
        .inv
        .of_kind("ValidatingWebhookConfiguration")
        .chain(facts.inv.of_kind("ValidatingAdmissionPolicy"))
        .count();
    Answer::new(
        Status::Warn,
        format!(
            "namespaces {} enforce no Pod Security level; {} validating webhook or admission \
             policy object(s) in the dump: check that one of them guards these namespaces",
            names(&unguarded),
            webhooks
        ),
    )
}

// ---------------------------------------------------------------------------------------------
// 5.1.6, 5.1.7 and the general policies.

/// Whether some binding, in any namespace, names the service account itself or its
/// namespace's group: a grant that only reaches every authenticated caller or every service
/// account gives a token no use of its own, while a RoleBinding elsewhere (a web front end
/// allowed to create pods in kube-system) is exactly the use a mounted token has.
fn has_own_grant(model: &Model, namespace: &str, name: &str) -> bool {
    let group = format!("system:serviceaccounts:{namespace}");
    model.bindings.iter().any(|binding| {
        binding.role.is_some()
            && binding.subjects.iter().any(|subject| {
                binding
                    .subject_key(subject)
                    .is_some_and(|key| match key.kind {
                        SubjectKind::ServiceAccount => {
                            key.name == name && key.namespace.as_deref() == Some(namespace)
                        }
                        SubjectKind::Group => key.name == group,
                        SubjectKind::User => false,
                    })
            })
    })
}

/// 5.1.6: whether a token is mounted is plain (the pod's `automountServiceAccountToken`
/// wins over its ServiceAccount's, and both default to true), but whether the workload needs
/// it is not: a workload may hand its token to an outside party (a secrets manager's login)
/// without any RBAC grant. So mounted tokens are WARN, those without a grant of their own
/// named first, and PASS only when no workload mounts one.
fn tokens_mounted(facts: &Facts<'_>) -> Answer {
    let model = facts.inv.rbac();
    // `automountServiceAccountToken` of each ServiceAccount, and whether it has a grant of
    // its own, looked up once per account.
    let accounts: HashMap<(&str, &str), Option<bool>> = facts
        .inv
        .of_kind("ServiceAccount")
        .map(|(_, o)| {
            (
                (o.namespace.as_deref().unwrap_or("default"), &*o.name),
                o.root
                    .get("automountServiceAccountToken")
                    .and_then(Node::as_bool),
            )
        })
        .collect();
    let mut grants: HashMap<(&str, &str), bool> = HashMap::new();
    let mut ungranted = Vec::new();
    let mut granted = Vec::new();
    for workload in &facts.workloads {
        let namespace = workload.object.namespace.as_deref().unwrap_or("default");
        for pod in &workload.pods {
            let account = pod
                .get("serviceAccountName")
                .or_else(|| pod.get("serviceAccount"))
                .and_then(Node::as_str)
                .filter(|s| !s.is_empty())
                .unwrap_or("default");
            let account_mounts = accounts.get(&(namespace, account)).copied().flatten();
            let mounts = pod
                .get("automountServiceAccountToken")
                .and_then(Node::as_bool)
                .or(account_mounts)
                .unwrap_or(true);
            if !mounts {
                continue;
            }
            let own = *grants
                .entry((namespace, account))
                .or_insert_with(|| has_own_grant(model, namespace, account));
            let finding = Finding {
                object: workload.object,
                text: format!(
                    "{} {} mounts the token of ServiceAccount {namespace}/{account}{}",
                    workload.object.kind,
                    workload.object.display_name(),
                    if own {
                        ""
                    } else {
                        ", which no binding grants anything"
                    }
                ),
                line: workload.object.pos().line,
            };
            if own {
                granted.push(finding);
            } else {
                ungranted.push(finding);
            }
        }
    }
    ungranted.extend(granted);
    match ungranted.first() {
        None => Answer::new(Status::Pass, "no workload mounts a service account token"),
        Some(first) => Answer::new(
            Status::Warn,
            format!(
                "set automountServiceAccountToken: false where the workload does not call the API: {}",
                list(&ungranted)
            ),
        )
        .at(first.object, first.line),
    }
}

/// 5.1.7: membership of `system:masters` is written in client certificates and decided by the
/// authenticator, neither of which a dump holds, so this stays WARN; bindings that name the
/// group are listed since they suggest someone relies on it.
fn system_masters(facts: &Facts<'_>) -> Answer {
    let mut bindings = Vec::new();
    for kind in ["ClusterRoleBinding", "RoleBinding"] {
        for (_, binding) in facts.inv.of_kind(kind) {
            // The bootstrap binding of cluster-admin to the group is Kubernetes' own.
            if &*binding.name == "cluster-admin" && binding.namespace.is_none() {
                continue;
            }
            let names_masters = binding
                .root
                .get("subjects")
                .map(Node::items)
                .unwrap_or_default()
                .iter()
                .any(|s| {
                    s.get("kind").and_then(Node::as_str) == Some("Group")
                        && s.get("name").and_then(Node::as_str) == Some("system:masters")
                });
            if names_masters {
                bindings.push(describe(binding));
            }
        }
    }
    let found = if bindings.is_empty() {
        "no binding names the group".to_string()
    } else {
        format!("bindings naming the group: {}", names(&bindings))
    };
    Answer::new(
        Status::Warn,
        format!(
            "manual check: who is in system:masters is written in client certificates, which a \
             cluster dump does not hold; {found}. Keep system:masters to the break-glass \
             credential (kubeadm's super-admin.conf) and give people groups bound to roles"
        ),
    )
}

/// The general policy on namespaces: FAIL when every workload sits in `default` (no boundary
/// at all), WARN when some do, PASS when none does.
fn namespace_boundaries(facts: &Facts<'_>) -> Answer {
    let in_default: Vec<&Workload<'_>> = facts
        .workloads
        .iter()
        .filter(|w| w.object.namespace.as_deref().unwrap_or("default") == "default")
        .collect();
    let others: Vec<String> = facts
        .namespaces
        .iter()
        .filter(|ns| ns.name != "default")
        .map(|ns| ns.name.clone())
        .collect();
    match (in_default.first(), others.is_empty()) {
        (None, true) => Answer::new(Status::Pass, "no workloads outside the system namespaces"),
        (None, false) => Answer::new(
            Status::Pass,
            format!(
                "workloads are in {} namespace(s) of their own: {}",
                others.len(),
                names(&others)
            ),
        ),
        (Some(first), true) => Answer::new(
            Status::Fail,
            format!(
                "all {} workload(s) are in the default namespace: no administrative boundary",
                in_default.len()
            ),
        )
        .at(first.object, first.object.pos().line),
        (Some(first), false) => Answer::new(
            Status::Warn,
            format!(
                "{} workload(s) in the default namespace beside namespaces {}: move them into one \
                 that fits",
                in_default.len(),
                names(&others)
            ),
        )
        .at(first.object, first.object.pos().line),
    }
}

/// The general policy on seccomp: FAIL for a workload the restricted Pod Security Standard's
/// seccomp check refuses (no `RuntimeDefault` or `Localhost` profile for some container).
fn seccomp_unconfined(facts: &Facts<'_>) -> Answer {
    let mut findings = Vec::new();
    for workload in &facts.workloads {
        for pod in &workload.pods {
            if let Some(violation) = pss_violation(pod, "seccompProfile_restricted") {
                findings.push(violation_finding(workload.object, &violation));
            }
        }
    }
    fail_on(&findings)
}

/// Whether a `securityContext` node says anything.
fn non_empty(node: Option<&Node>) -> bool {
    node.is_some_and(|n| !n.entries().is_empty())
}

/// The general policy on security contexts: FAIL for a container with no security context
/// at all (neither its own nor its pod's), WARN for one that has a context short of the
/// restricted Pod Security Standard (which settings fit is the application's to say), PASS
/// when every workload meets the restricted standard.
fn security_context_applied(facts: &Facts<'_>) -> Answer {
    let mut bare = Vec::new();
    let mut short = Vec::new();
    for workload in &facts.workloads {
        for pod in &workload.pods {
            let pod_has = non_empty(pod.security_context());
            for c in pod.containers() {
                if !pod_has && !non_empty(c.security_context()) {
                    bare.push(Finding {
                        object: workload.object,
                        text: format!(
                            "{} {} container {:?} has no securityContext, nor has its pod",
                            workload.object.kind,
                            workload.object.display_name(),
                            c.name()
                        ),
                        line: c.node.pos.line,
                    });
                }
            }
            if let Some(violation) = pss::evaluate(pod, Level::Restricted, Version::Latest).first()
            {
                short.push(violation_finding(workload.object, violation));
            }
        }
    }
    if !bare.is_empty() {
        return fail_on(&bare);
    }
    match short.first() {
        None => Answer::new(
            Status::Pass,
            if facts.workloads.is_empty() {
                "no workloads outside the system namespaces"
            } else {
                "every workload meets the restricted Pod Security Standard"
            },
        ),
        Some(first) => Answer::new(
            Status::Warn,
            format!(
                "security contexts are set but fall short of the restricted Pod Security \
                 Standard: {}",
                list(&short)
            ),
        )
        .at(first.object, first.line),
    }
}

// ---------------------------------------------------------------------------------------------
// The items, in benchmark order (the same order in every release).

const POLICIES: &[PolicyDef] = &[
    PolicyDef {
        ids: Ids::same("5.1.1"),
        title: "The cluster-admin role is only bound where required",
        remediation: "Bind narrower roles instead of cluster-admin; keep cluster-admin for system:masters.",
        expected: "cluster-admin bound to no subject but the system:masters group",
        answer: |f| fail_on(&objects(cluster_admin_bindings(f.inv))),
    },
    PolicyDef {
        ids: Ids::same("5.1.2"),
        title: "Access to secrets is minimised",
        remediation: "Remove get, list and watch on secrets from roles bound to people and workloads that do not need them.",
        expected: "no subject outside the system can get, list or watch secrets",
        answer: |f| {
            fail_on(&objects(holders_of(
                f.inv,
                &["get", "list", "watch"],
                "",
                "secrets",
            )))
        },
    },
    PolicyDef {
        ids: Ids::same("5.1.3"),
        title: "Wildcards are not used in Roles and ClusterRoles",
        remediation: "Replace * in apiGroups, resources and verbs with the items the role needs.",
        expected: "no * in rules of user-defined roles",
        answer: |f| fail_on(&objects(wildcard_roles(f.inv))),
    },
    PolicyDef {
        ids: Ids::same("5.1.4"),
        title: "Access to create pods is minimised",
        remediation: "Remove create on pods from roles bound to people and workloads that do not need it.",
        expected: "no subject outside the system can create pods",
        answer: |f| fail_on(&objects(holders_of(f.inv, &["create"], "", "pods"))),
    },
    PolicyDef {
        ids: Ids::same("5.1.5"),
        title: "Default service accounts are not actively used",
        remediation: "Set automountServiceAccountToken: false on each namespace's default ServiceAccount and give workloads their own.",
        expected: "every default ServiceAccount outside the system sets automountServiceAccountToken: false",
        answer: |f| fail_on(&objects(default_service_accounts_mounting(f.inv))),
    },
    PolicyDef {
        ids: Ids::same("5.1.6"),
        title: "Service account tokens are only mounted where necessary",
        remediation: "Set automountServiceAccountToken: false on ServiceAccounts and pod specs of workloads that do not call the Kubernetes API.",
        expected: "no workload outside the system mounts a service account token it does not need",
        answer: tokens_mounted,
    },
    PolicyDef {
        ids: Ids::same("5.1.7"),
        title: "The system:masters group is not used",
        remediation: "Issue no credentials in system:masters beyond the break-glass one; give people groups bound to the roles they need.",
        expected: "no credential in system:masters but the break-glass one",
        answer: system_masters,
    },
    PolicyDef {
        ids: Ids::same("5.1.8"),
        title: "Bind, impersonate and escalate permissions are limited",
        remediation: "Remove bind and escalate on roles, and impersonate on users, groups and service accounts, from subjects that do not administer access.",
        expected: "no subject outside the system can bind, escalate or impersonate",
        answer: |f| {
            let inv = f.inv;
            let mut out = holders_of(
                inv,
                &["bind", "escalate"],
                "rbac.authorization.k8s.io",
                "clusterroles",
            );
            out.extend(holders_of(inv, &["impersonate"], "", "users"));
            out.extend(holders_of(inv, &["impersonate"], "", "groups"));
            out.extend(holders_of(inv, &["impersonate"], "", "serviceaccounts"));
            out.sort_by(|a, b| a.0.cmp(&b.0));
            out.dedup_by(|a, b| a.0 == b.0);
            fail_on(&objects(out))
        },
    },
    PolicyDef {
        ids: Ids::same("5.1.9"),
        title: "Access to create persistent volumes is minimised",
        remediation: "Remove create on persistentvolumes from subjects that do not administer storage.",
        expected: "no subject outside the system can create persistentvolumes",
        answer: |f| {
            fail_on(&objects(holders_of(
                f.inv,
                &["create"],
                "",
                "persistentvolumes",
            )))
        },
    },
    PolicyDef {
        ids: Ids::same("5.1.10"),
        title: "Access to the proxy sub-resource of nodes is minimised",
        remediation: "Remove access to nodes/proxy from subjects that do not need the kubelet API.",
        expected: "no subject outside the system can get or create nodes/proxy",
        answer: |f| {
            fail_on(&objects(holders_of(
                f.inv,
                &["get", "create"],
                "",
                "nodes/proxy",
            )))
        },
    },
    PolicyDef {
        ids: Ids::same("5.1.11"),
        title: "Access to the approval sub-resource of certificatesigningrequests is minimised",
        remediation: "Remove update on certificatesigningrequests/approval from subjects that do not issue certificates.",
        expected: "no subject outside the system can update certificatesigningrequests/approval",
        answer: |f| {
            fail_on(&objects(holders_of(
                f.inv,
                &["update", "patch"],
                "certificates.k8s.io",
                "certificatesigningrequests/approval",
            )))
        },
    },
    PolicyDef {
        ids: Ids::same("5.1.12"),
        title: "Access to webhook configuration objects is minimised",
        remediation: "Remove create, update and delete on mutating and validating webhook configurations from subjects that do not administer admission.",
        expected: "no subject outside the system can change webhook configurations",
        answer: |f| {
            let mut out = Vec::new();
            for resource in [
                "validatingwebhookconfigurations",
                "mutatingwebhookconfigurations",
            ] {
                out.extend(holders_of(
                    f.inv,
                    &["create", "update", "delete"],
                    "admissionregistration.k8s.io",
                    resource,
                ));
            }
            out.sort_by(|a, b| a.0.cmp(&b.0));
            out.dedup_by(|a, b| a.0 == b.0);
            fail_on(&objects(out))
        },
    },
    PolicyDef {
        ids: Ids::same("5.1.13"),
        title: "Access to the service account token creation is minimised",
        remediation: "Remove create on serviceaccounts/token from subjects that do not mint tokens.",
        expected: "no subject outside the system can create serviceaccounts/token",
        answer: |f| {
            fail_on(&objects(holders_of(
                f.inv,
                &["create"],
                "",
                "serviceaccounts/token",
            )))
        },
    },
    PolicyDef {
        ids: Ids::same("5.2.1"),
        title: "The cluster has at least one active policy control mechanism",
        remediation: "Label every namespace that runs workloads with pod-security.kubernetes.io/enforce (baseline or restricted), or guard it with a policy engine.",
        expected: "every namespace with workloads enforces a Pod Security level",
        answer: policy_control,
    },
    PolicyDef {
        ids: Ids::same("5.2.2"),
        title: "Privileged containers are not admitted",
        remediation: "Remove securityContext.privileged: true, and enforce the baseline Pod Security Standard.",
        expected: "no admitted privileged container; every namespace with workloads enforces baseline or stricter",
        answer: |f| admission(f, &PRIVILEGED),
    },
    PolicyDef {
        ids: Ids::same("5.2.3"),
        title: "Containers sharing the host process ID namespace are not admitted",
        remediation: "Remove hostPID: true from pod specs, and enforce the baseline Pod Security Standard.",
        expected: "no admitted hostPID pod; every namespace with workloads enforces baseline or stricter",
        answer: |f| admission(f, &HOST_PID),
    },
    PolicyDef {
        ids: Ids::same("5.2.4"),
        title: "Containers sharing the host IPC namespace are not admitted",
        remediation: "Remove hostIPC: true from pod specs, and enforce the baseline Pod Security Standard.",
        expected: "no admitted hostIPC pod; every namespace with workloads enforces baseline or stricter",
        answer: |f| admission(f, &HOST_IPC),
    },
    PolicyDef {
        ids: Ids::same("5.2.5"),
        title: "Containers sharing the host network namespace are not admitted",
        remediation: "Remove hostNetwork: true from pod specs, and enforce the baseline Pod Security Standard.",
        expected: "no admitted hostNetwork pod; every namespace with workloads enforces baseline or stricter",
        answer: |f| admission(f, &HOST_NETWORK),
    },
    PolicyDef {
        ids: Ids::same("5.2.6"),
        title: "Containers allowing privilege escalation are not admitted",
        remediation: "Set securityContext.allowPrivilegeEscalation: false on every container, and enforce the restricted Pod Security Standard.",
        expected: "allowPrivilegeEscalation: false on every admitted container; every namespace with workloads enforces restricted",
        answer: |f| admission(f, &PRIVILEGE_ESCALATION),
    },
    PolicyDef {
        ids: Ids::same("5.2.7"),
        title: "Root containers are not admitted",
        remediation: "Set runAsNonRoot: true (and a non-zero runAsUser) in the pod or container securityContext, and enforce the restricted Pod Security Standard.",
        expected: "no admitted container runs as root; every namespace with workloads enforces restricted",
        answer: |f| admission(f, &ROOT),
    },
    PolicyDef {
        ids: Ids::same("5.2.8"),
        title: "Containers with the NET_RAW capability are not admitted",
        remediation: "Drop NET_RAW (or ALL) in each container's securityContext.capabilities, and enforce the restricted Pod Security Standard.",
        expected: "every admitted container drops NET_RAW or ALL; every namespace with workloads enforces restricted",
        answer: |f| admission(f, &NET_RAW),
    },
    PolicyDef {
        ids: Ids::each(Some("5.2.9"), Some("5.2.9"), None),
        title: "Containers with added capabilities are not admitted",
        remediation: "Remove securityContext.capabilities.add unless the container needs it, and enforce the baseline Pod Security Standard.",
        expected: "no admitted container adds capabilities beyond the runtime's defaults; every namespace with workloads enforces baseline or stricter",
        answer: |f| admission(f, &ADDED_CAPABILITIES),
    },
    PolicyDef {
        ids: Ids::each(Some("5.2.10"), Some("5.2.10"), Some("5.2.9")),
        title: "Containers with capabilities assigned are minimised",
        remediation: "Drop ALL capabilities in containers that need none, and enforce the restricted Pod Security Standard where no workload needs any.",
        expected: "every admitted container drops ALL capabilities; every namespace with workloads enforces restricted",
        answer: |f| admission(f, &ASSIGNED_CAPABILITIES),
    },
    PolicyDef {
        ids: Ids::each(Some("5.2.11"), Some("5.2.11"), Some("5.2.10")),
        title: "Windows HostProcess containers are not admitted",
        remediation: "Remove windowsOptions.hostProcess: true, and enforce the baseline Pod Security Standard.",
        expected: "no admitted HostProcess container; every namespace with workloads enforces baseline or stricter",
        answer: |f| admission(f, &HOST_PROCESS),
    },
    PolicyDef {
        ids: Ids::each(Some("5.2.12"), Some("5.2.12"), Some("5.2.11")),
        title: "HostPath volumes are not admitted",
        remediation: "Replace hostPath volumes with persistent volumes, configMaps or emptyDir, and enforce the baseline Pod Security Standard.",
        expected: "no admitted hostPath volume; every namespace with workloads enforces baseline or stricter",
        answer: |f| admission(f, &HOST_PATH),
    },
    PolicyDef {
        ids: Ids::each(Some("5.2.13"), Some("5.2.13"), Some("5.2.12")),
        title: "Containers with host ports are not admitted",
        remediation: "Remove hostPort from container ports and expose pods through Services; enforce the baseline Pod Security Standard.",
        expected: "no admitted hostPort; every namespace with workloads enforces baseline or stricter",
        answer: |f| admission(f, &HOST_PORTS),
    },
    PolicyDef {
        ids: Ids::same("5.3.2"),
        title: "All namespaces have NetworkPolicies",
        remediation: "Give every namespace a NetworkPolicy, starting with a default deny.",
        expected: "a NetworkPolicy in every namespace",
        answer: |f| fail_on(&objects(namespaces_without_policies(f.inv))),
    },
    PolicyDef {
        ids: Ids::same("5.4.1"),
        title: "Secrets are used as files rather than environment variables",
        remediation: "Mount secrets as volumes instead of env valueFrom.secretKeyRef or envFrom.secretRef.",
        expected: "no container outside kube-system takes a secret as environment variables",
        answer: |f| {
            fail_on(&objects(containers_where(f.inv, |c| {
                let env = c.get("env").map(Node::items).unwrap_or_default();
                let env_from = c.get("envFrom").map(Node::items).unwrap_or_default();
                env.iter()
                    .any(|e| e.path(&["valueFrom", "secretKeyRef"]).is_some())
                    || env_from.iter().any(|e| e.get("secretRef").is_some())
            })))
        },
    },
    PolicyDef {
        ids: Ids::each(Some("5.7.1"), Some("5.6.1"), Some("5.6.1")),
        title: "Namespaces are used as administrative boundaries between resources",
        remediation: "Create namespaces for the applications and teams that need separating, and move workloads out of default.",
        expected: "workloads in namespaces of their own, none in default",
        answer: namespace_boundaries,
    },
    PolicyDef {
        ids: Ids::each(Some("5.7.2"), Some("5.6.2"), Some("5.6.2")),
        title: "The seccomp profile is set to RuntimeDefault in pod definitions",
        remediation: "Set securityContext.seccompProfile.type: RuntimeDefault in the pod spec.",
        expected: "every pod outside kube-system sets a seccomp profile (RuntimeDefault or Localhost)",
        answer: seccomp_unconfined,
    },
    PolicyDef {
        ids: Ids::each(Some("5.7.3"), Some("5.6.3"), Some("5.6.3")),
        title: "A security context is applied to pods and containers",
        remediation: "Give every pod and container a securityContext; the restricted Pod Security Standard is a sound baseline.",
        expected: "every container has a security context meeting the restricted Pod Security Standard",
        answer: security_context_applied,
    },
    PolicyDef {
        ids: Ids::each(Some("5.7.4"), Some("5.6.4"), Some("5.6.4")),
        title: "The default namespace is not used",
        remediation: "Move workloads and other resources out of the default namespace.",
        expected: "nothing in the default namespace but what Kubernetes puts there",
        answer: |f| fail_on(&objects(default_namespace_objects(f.inv))),
    },
];

/// The section 5 items a release has, as `(id, title)` in benchmark order.
pub fn items(benchmark: Benchmark) -> Vec<(&'static str, &'static str)> {
    POLICIES
        .iter()
        .filter_map(|def| def.ids.get(benchmark).map(|id| (id, def.title)))
        .collect()
}

/// The policy checks of a release: answered from `cluster` when given, else WARN asking for
/// a dump. `defaults` are the cluster's Pod Security defaults, which namespaces without labels
/// (or without a Namespace object in the dump) enforce.
pub fn evaluate(
    cluster: Option<&Inventory>,
    benchmark: Benchmark,
    defaults: &ClusterDefaults,
) -> Vec<CheckResult> {
    let facts = cluster.map(|inv| Facts::new(inv, defaults));
    POLICIES
        .iter()
        .filter_map(|def| {
            let id = def.ids.get(benchmark)?;
            let answer = match &facts {
                None => Answer::new(
                    Status::Warn,
                    "manual check: give a cluster dump with -f to answer it",
                ),
                Some(facts) => (def.answer)(facts),
            };
            Some(CheckResult {
                id,
                title: def.title,
                target: Target::Policies,
                scored: false,
                status: answer.status,
                expected: def.expected.to_string(),
                actual: answer.actual,
                source: answer.source,
                remediation: def.remediation,
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Offender lists of the RBAC, NetworkPolicy and namespace items.

/// Default ServiceAccounts outside the system namespaces that still mount their token.
fn default_service_accounts_mounting(inv: &Inventory) -> Vec<(String, &Object)> {
    inv.of_kind("ServiceAccount")
        .map(|(_, o)| o)
        .filter(|o| &*o.name == "default" && outside_system(o))
        .filter(|o| {
            o.root
                .get("automountServiceAccountToken")
                .and_then(Node::as_bool)
                != Some(false)
        })
        .map(|o| (describe(o), o))
        .collect()
}

fn describe(object: &Object) -> String {
    format!("{} {}", object.kind, object.display_name())
}

fn cluster_admin_bindings(inv: &Inventory) -> Vec<(String, &Object)> {
    let mut out = Vec::new();
    for kind in ["ClusterRoleBinding", "RoleBinding"] {
        for (_, binding) in inv.of_kind(kind) {
            if binding
                .root
                .path(&["roleRef", "name"])
                .and_then(Node::as_str)
                != Some("cluster-admin")
            {
                continue;
            }
            for subject in binding
                .root
                .get("subjects")
                .map(Node::items)
                .unwrap_or_default()
            {
                let kind = subject.get("kind").and_then(Node::as_str).unwrap_or("?");
                let name = subject.get("name").and_then(Node::as_str).unwrap_or("?");
                if kind == "Group" && name == "system:masters" {
                    continue;
                }
                out.push((
                    format!("{} binds {kind} {name}", describe(binding)),
                    binding,
                ));
            }
        }
    }
    out
}

fn wildcard_roles(inv: &Inventory) -> Vec<(String, &Object)> {
    let mut out = Vec::new();
    for kind in ["ClusterRole", "Role"] {
        for (_, role) in inv.of_kind(kind) {
            if role.name.starts_with("system:") || &*role.name == "cluster-admin" {
                continue;
            }
            let wild = role
                .root
                .get("rules")
                .map(Node::items)
                .unwrap_or_default()
                .iter()
                .any(|rule| {
                    ["apiGroups", "resources", "verbs"].iter().any(|f| {
                        rule.get(f)
                            .map(Node::items)
                            .unwrap_or_default()
                            .iter()
                            .any(|i| i.as_str() == Some("*"))
                    })
                });
            if wild {
                out.push((describe(role), role));
            }
        }
    }
    out
}

/// Subjects outside the system that the RBAC model lets do `verbs` on a resource, in any
/// namespace, named with the binding that grants it.
fn holders_of<'i>(
    inv: &'i Inventory,
    verbs: &[&str],
    api_group: &str,
    resource: &str,
) -> Vec<(String, &'i Object)> {
    let model = inv.rbac();
    // `nodes/proxy` names a subresource.
    let (resource, subresource) = resource.split_once('/').unwrap_or((resource, ""));
    let mut namespaces: Vec<&str> = inv.namespaces().into_iter().collect();
    namespaces.push("");
    let mut out: Vec<(String, &Object)> = Vec::new();
    for verb in verbs {
        for ns in &namespaces {
            let request = Request::Resource {
                verb: (*verb).to_string(),
                api_group: api_group.to_string(),
                resource: resource.to_string(),
                subresource: subresource.to_string(),
                name: String::new(),
                namespace: (*ns).to_string(),
            };
            for (subject, grants) in model.who_can(&request) {
                if is_system_subject(&subject) {
                    continue;
                }
                let Some(grant) = grants.first() else {
                    continue;
                };
                let binding = grant.binding;
                let kind = if binding.namespace.is_some() {
                    "RoleBinding"
                } else {
                    "ClusterRoleBinding"
                };
                let object = inv.of_kind(kind).map(|(_, o)| o).find(|o| {
                    *o.name == binding.name
                        && o.namespace.as_deref() == binding.namespace.as_deref()
                });
                if let Some(object) = object {
                    let text = format!("{subject} via {}", binding.display());
                    if !out.iter().any(|(t, _)| *t == text) {
                        out.push((text, object));
                    }
                }
            }
        }
    }
    out
}

/// Users and groups Kubernetes defines (`system:…`) and service accounts of its own namespaces.
fn is_system_subject(subject: &SubjectKey) -> bool {
    subject.name.starts_with("system:")
        || subject
            .namespace
            .as_deref()
            .is_some_and(|ns| SYSTEM_NAMESPACES.contains(&ns))
}

fn outside_system(object: &Object) -> bool {
    !object
        .namespace
        .as_deref()
        .is_some_and(|ns| SYSTEM_NAMESPACES.contains(&ns))
}

fn containers_where(inv: &Inventory, bad: impl Fn(&Node) -> bool) -> Vec<(String, &Object)> {
    let mut out = Vec::new();
    for object in inv.objects().iter().filter(|o| outside_system(o)) {
        for pod in pod_specs(object) {
            for field in ["containers", "initContainers", "ephemeralContainers"] {
                for c in pod.spec.get(field).map(Node::items).unwrap_or_default() {
                    if bad(c) {
                        let name = c.get("name").and_then(Node::as_str).unwrap_or("?");
                        out.push((format!("{} container {name}", describe(object)), object));
                    }
                }
            }
        }
    }
    out
}

fn namespaces_without_policies(inv: &Inventory) -> Vec<(String, &Object)> {
    let covered: Vec<&str> = inv
        .of_kind("NetworkPolicy")
        .filter_map(|(_, p)| p.namespace.as_deref())
        .collect();
    let mut out = Vec::new();
    for ns in inv.namespaces() {
        if SYSTEM_NAMESPACES.contains(&ns) || covered.contains(&ns) {
            continue;
        }
        // Name the Namespace object when the dump has it, else the first object inside.
        let object = inv
            .of_kind("Namespace")
            .map(|(_, o)| o)
            .find(|o| &*o.name == ns)
            .or_else(|| {
                inv.objects()
                    .iter()
                    .find(|o| o.namespace.as_deref() == Some(ns))
            });
        if let Some(object) = object {
            out.push((format!("namespace {ns}"), object));
        }
    }
    out
}

fn default_namespace_objects(inv: &Inventory) -> Vec<(String, &Object)> {
    inv.objects()
        .iter()
        .filter(|o| o.namespace.as_deref() == Some("default"))
        .filter(|o| {
            !matches!(
                (&*o.kind, &*o.name),
                ("Service" | "Endpoints" | "EndpointSlice", "kubernetes")
                    | ("ServiceAccount", "default")
                    | ("ConfigMap", "kube-root-ca.crt")
            )
        })
        .map(|o| (describe(o), o))
        .collect()
}
