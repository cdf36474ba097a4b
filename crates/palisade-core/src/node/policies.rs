//! Section 5 of the benchmark (policies), answered from a cluster dump when one is given:
//! RBAC objects for 5.1, pod specs for 5.2, NetworkPolicies for 5.3 and namespaces for 5.7.
//! Without a dump every policy check is a WARN asking for one. Workloads in `kube-system` are
//! left out of the pod checks: the control plane's own pods need host access by design.

use crate::document::Node;
use crate::inventory::Inventory;
use crate::node::cis::{CheckResult, SourceRef, Status, Target};
use crate::object::Object;
use crate::rbac::{Request, SubjectKey};
use crate::workload::pod_specs;

/// Namespaces Kubernetes creates for itself.
const SYSTEM_NAMESPACES: &[&str] = &["kube-system", "kube-public", "kube-node-lease"];

struct PolicyDef {
    id: &'static str,
    title: &'static str,
    remediation: &'static str,
    expected: &'static str,
    /// Objects that break the rule, as `(description, object)`.
    offenders: fn(&Inventory) -> Vec<(String, &Object)>,
}

const POLICIES: &[PolicyDef] = &[
    PolicyDef {
        id: "5.1.1",
        title: "The cluster-admin role is only bound where required",
        remediation: "Bind narrower roles instead of cluster-admin; keep cluster-admin for system:masters.",
        expected: "cluster-admin bound to no subject but the system:masters group",
        offenders: cluster_admin_bindings,
    },
    PolicyDef {
        id: "5.1.2",
        title: "Access to secrets is minimised",
        remediation: "Remove get, list and watch on secrets from roles bound to people and workloads that do not need them.",
        expected: "no subject outside the system can get, list or watch secrets",
        offenders: |inv| holders_of(inv, &["get", "list", "watch"], "", "secrets"),
    },
    PolicyDef {
        id: "5.1.3",
        title: "Wildcards are not used in Roles and ClusterRoles",
        remediation: "Replace * in apiGroups, resources and verbs with the items the role needs.",
        expected: "no * in rules of user-defined roles",
        offenders: wildcard_roles,
    },
    PolicyDef {
        id: "5.1.4",
        title: "Access to create pods is minimised",
        remediation: "Remove create on pods from roles bound to people and workloads that do not need it.",
        expected: "no subject outside the system can create pods",
        offenders: |inv| holders_of(inv, &["create"], "", "pods"),
    },
    PolicyDef {
        id: "5.1.5",
        title: "Default service accounts are not actively used",
        remediation: "Set automountServiceAccountToken: false on each namespace's default ServiceAccount and give workloads their own.",
        expected: "every default ServiceAccount outside the system sets automountServiceAccountToken: false",
        offenders: default_service_accounts_mounting,
    },
    PolicyDef {
        id: "5.1.8",
        title: "Bind, impersonate and escalate permissions are limited",
        remediation: "Remove bind and escalate on roles, and impersonate on users, groups and service accounts, from subjects that do not administer access.",
        expected: "no subject outside the system can bind, escalate or impersonate",
        offenders: |inv| {
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
            out
        },
    },
    PolicyDef {
        id: "5.1.9",
        title: "Access to create persistent volumes is minimised",
        remediation: "Remove create on persistentvolumes from subjects that do not administer storage.",
        expected: "no subject outside the system can create persistentvolumes",
        offenders: |inv| holders_of(inv, &["create"], "", "persistentvolumes"),
    },
    PolicyDef {
        id: "5.1.10",
        title: "Access to the proxy sub-resource of nodes is minimised",
        remediation: "Remove access to nodes/proxy from subjects that do not need the kubelet API.",
        expected: "no subject outside the system can get or create nodes/proxy",
        offenders: |inv| holders_of(inv, &["get", "create"], "", "nodes/proxy"),
    },
    PolicyDef {
        id: "5.1.11",
        title: "Access to the approval sub-resource of certificatesigningrequests is minimised",
        remediation: "Remove update on certificatesigningrequests/approval from subjects that do not issue certificates.",
        expected: "no subject outside the system can update certificatesigningrequests/approval",
        offenders: |inv| {
            holders_of(
                inv,
                &["update", "patch"],
                "certificates.k8s.io",
                "certificatesigningrequests/approval",
            )
        },
    },
    PolicyDef {
        id: "5.1.12",
        title: "Access to webhook configuration objects is minimised",
        remediation: "Remove create, update and delete on mutating and validating webhook configurations from subjects that do not administer admission.",
        expected: "no subject outside the system can change webhook configurations",
        offenders: |inv| {
            let mut out = Vec::new();
            for resource in [
                "validatingwebhookconfigurations",
                "mutatingwebhookconfigurations",
            ] {
                out.extend(holders_of(
                    inv,
                    &["create", "update", "delete"],
                    "admissionregistration.k8s.io",
                    resource,
                ));
            }
            out.sort_by(|a, b| a.0.cmp(&b.0));
            out.dedup_by(|a, b| a.0 == b.0);
            out
        },
    },
    PolicyDef {
        id: "5.1.13",
        title: "Access to the service account token creation is minimised",
        remediation: "Remove create on serviceaccounts/token from subjects that do not mint tokens.",
        expected: "no subject outside the system can create serviceaccounts/token",
        offenders: |inv| holders_of(inv, &["create"], "", "serviceaccounts/token"),
    },
    PolicyDef {
        id: "5.2.2",
        title: "Privileged containers are not admitted",
        remediation: "Remove securityContext.privileged: true, and enforce the baseline Pod Security Standard.",
        expected: "no privileged containers outside kube-system",
        offenders: |inv| {
            containers_where(inv, |c| flag_true(c.get("securityContext"), "privileged"))
        },
    },
    PolicyDef {
        id: "5.2.3",
        title: "Containers sharing the host process ID namespace are not admitted",
        remediation: "Remove hostPID: true from pod specs.",
        expected: "no hostPID pods outside kube-system",
        offenders: |inv| pods_where(inv, |spec| flag_true(Some(spec), "hostPID")),
    },
    PolicyDef {
        id: "5.2.4",
        title: "Containers sharing the host IPC namespace are not admitted",
        remediation: "Remove hostIPC: true from pod specs.",
        expected: "no hostIPC pods outside kube-system",
        offenders: |inv| pods_where(inv, |spec| flag_true(Some(spec), "hostIPC")),
    },
    PolicyDef {
        id: "5.2.5",
        title: "Containers sharing the host network namespace are not admitted",
        remediation: "Remove hostNetwork: true from pod specs.",
        expected: "no hostNetwork pods outside kube-system",
        offenders: |inv| pods_where(inv, |spec| flag_true(Some(spec), "hostNetwork")),
    },
    PolicyDef {
        id: "5.2.6",
        title: "Containers allowing privilege escalation are not admitted",
        remediation: "Set securityContext.allowPrivilegeEscalation: false on every container.",
        expected: "allowPrivilegeEscalation false on every container outside kube-system",
        offenders: |inv| {
            containers_where(inv, |c| {
                c.get("securityContext")
                    .and_then(|sc| sc.get("allowPrivilegeEscalation"))
                    .and_then(Node::as_bool)
                    != Some(false)
            })
        },
    },
    PolicyDef {
        id: "5.2.7",
        title: "Root containers are not admitted",
        remediation: "Set runAsNonRoot: true (or a non-zero runAsUser) in the pod or container securityContext.",
        expected: "every container outside kube-system runs as non-root",
        offenders: root_containers,
    },
    PolicyDef {
        id: "5.2.8",
        title: "Containers with the NET_RAW capability are not admitted",
        remediation: "Drop NET_RAW (or ALL) in each container's securityContext.capabilities.",
        expected: "every container outside kube-system drops NET_RAW or ALL",
        offenders: |inv| {
            containers_where(inv, |c| {
                let drops = capability_list(c, "drop");
                !drops.iter().any(|d| d == "ALL" || d == "NET_RAW")
            })
        },
    },
    PolicyDef {
        id: "5.2.9",
        title: "Containers with added capabilities are not admitted",
        remediation: "Remove securityContext.capabilities.add unless the container needs it.",
        expected: "no container outside kube-system adds capabilities",
        offenders: |inv| containers_where(inv, |c| !capability_list(c, "add").is_empty()),
    },
    PolicyDef {
        id: "5.2.11",
        title: "Windows HostProcess containers are not admitted",
        remediation: "Remove windowsOptions.hostProcess: true.",
        expected: "no HostProcess containers outside kube-system",
        offenders: |inv| {
            let mut out = pods_where(inv, |spec| {
                spec.path(&["securityContext", "windowsOptions", "hostProcess"])
                    .and_then(Node::as_bool)
                    == Some(true)
            });
            out.extend(containers_where(inv, |c| {
                c.path(&["securityContext", "windowsOptions", "hostProcess"])
                    .and_then(Node::as_bool)
                    == Some(true)
            }));
            out
        },
    },
    PolicyDef {
        id: "5.2.12",
        title: "HostPath volumes are not admitted",
        remediation: "Replace hostPath volumes with persistent volumes, configMaps or emptyDir.",
        expected: "no hostPath volumes outside kube-system",
        offenders: |inv| {
            pods_where(inv, |spec| {
                spec.get("volumes")
                    .map(Node::items)
                    .unwrap_or_default()
                    .iter()
                    .any(|v| v.get("hostPath").is_some())
            })
        },
    },
    PolicyDef {
        id: "5.2.13",
        title: "Containers with host ports are not admitted",
        remediation: "Remove hostPort from container ports; expose pods through Services.",
        expected: "no hostPort outside kube-system",
        offenders: |inv| {
            containers_where(inv, |c| {
                c.get("ports")
                    .map(Node::items)
                    .unwrap_or_default()
                    .iter()
                    .any(|p| {
                        p.get("hostPort")
                            .and_then(Node::as_i64)
                            .is_some_and(|n| n != 0)
                    })
            })
        },
    },
    PolicyDef {
        id: "5.3.2",
        title: "All namespaces have NetworkPolicies",
        remediation: "Give every namespace a NetworkPolicy, starting with a default deny.",
        expected: "a NetworkPolicy in every namespace",
        offenders: namespaces_without_policies,
    },
    PolicyDef {
        id: "5.4.1",
        title: "Secrets are used as files rather than environment variables",
        remediation: "Mount secrets as volumes instead of env valueFrom.secretKeyRef or envFrom.secretRef.",
        expected: "no container outside kube-system takes a secret as environment variables",
        offenders: |inv| {
            containers_where(inv, |c| {
                let env = c.get("env").map(Node::items).unwrap_or_default();
                let env_from = c.get("envFrom").map(Node::items).unwrap_or_default();
                env.iter()
                    .any(|e| e.path(&["valueFrom", "secretKeyRef"]).is_some())
                    || env_from.iter().any(|e| e.get("secretRef").is_some())
            })
        },
    },
    PolicyDef {
        id: "5.7.2",
        title: "The seccomp profile is set to RuntimeDefault in pod definitions",
        remediation: "Set securityContext.seccompProfile.type: RuntimeDefault in the pod spec.",
        expected: "every pod outside kube-system sets a seccomp profile (RuntimeDefault or Localhost)",
        offenders: |inv| {
            pods_where(inv, |spec| {
                let confined = |sc: Option<&Node>| {
                    sc.and_then(|sc| sc.path(&["seccompProfile", "type"]))
                        .and_then(Node::as_str)
                        .is_some_and(|t| t == "RuntimeDefault" || t == "Localhost")
                };
                if confined(spec.get("securityContext")) {
                    return false;
                }
                let containers = spec.get("containers").map(Node::items).unwrap_or_default();
                containers.is_empty()
                    || !containers
                        .iter()
                        .all(|c| confined(c.get("securityContext")))
            })
        },
    },
    PolicyDef {
        id: "5.7.4",
        title: "The default namespace is not used",
        remediation: "Move workloads and other resources out of the default namespace.",
        expected: "nothing in the default namespace but what Kubernetes puts there",
        offenders: default_namespace_objects,
    },
];

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

/// The names in a container's `securityContext.capabilities.<which>`.
fn capability_list(container: &Node, which: &str) -> Vec<String> {
    container
        .path(&["securityContext", "capabilities", which])
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .filter_map(|n| n.as_str().map(str::to_string))
        .collect()
}

fn flag_true(node: Option<&Node>, key: &str) -> bool {
    node.and_then(|n| n.get(key)).and_then(Node::as_bool) == Some(true)
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

fn root_containers(inv: &Inventory) -> Vec<(String, &Object)> {
    let mut out = Vec::new();
    for object in inv.objects().iter().filter(|o| outside_system(o)) {
        for pod in pod_specs(object) {
            for c in pod.containers() {
                let non_root = c.effective("runAsNonRoot").and_then(|s| s.node.as_bool())
                    == Some(true)
                    || c.effective("runAsUser")
                        .and_then(|s| s.node.as_i64())
                        .is_some_and(|u| u > 0);
                if !non_root {
                    out.push((
                        format!("{} container {}", describe(object), c.name()),
                        object,
                    ));
                }
            }
        }
    }
    out
}

fn outside_system(object: &Object) -> bool {
    !object
        .namespace
        .as_deref()
        .is_some_and(|ns| SYSTEM_NAMESPACES.contains(&ns))
}

fn pods_where(inv: &Inventory, bad: impl Fn(&Node) -> bool) -> Vec<(String, &Object)> {
    let mut out = Vec::new();
    for object in inv.objects().iter().filter(|o| outside_system(o)) {
        if pod_specs(object).iter().any(|p| bad(p.spec)) {
            out.push((describe(object), object));
        }
    }
    out
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

/// The policy checks: answered from `cluster` when given, else WARN asking for a dump.
pub fn evaluate(cluster: Option<&Inventory>) -> Vec<CheckResult> {
    POLICIES
        .iter()
        .map(|def| {
            let (status, actual, source) = match cluster {
                None => (
                    Status::Warn,
                    "manual check: give a cluster dump with -f to answer it".to_string(),
                    None,
                ),
                Some(inv) => {
                    let offenders = (def.offenders)(inv);
                    match offenders.first() {
                        None => (
                            Status::Pass,
                            "none found in the cluster dump".to_string(),
                            None,
                        ),
                        Some((_, first)) => {
                            let mut listed: Vec<String> =
                                offenders.iter().take(5).map(|(d, _)| d.clone()).collect();
                            if offenders.len() > 5 {
                                listed.push(format!("and {} more", offenders.len() - 5));
                            }
                            let pos = first.pos();
                            (
                                Status::Fail,
                                listed.join("; "),
                                Some(SourceRef {
                                    file: first.source.file.to_string(),
                                    line: Some(pos.line),
                                }),
                            )
                        }
                    }
                }
            };
            CheckResult {
                id: def.id,
                title: def.title,
                target: Target::Policies,
                scored: false,
                status,
                expected: def.expected.to_string(),
                actual,
                source,
                remediation: def.remediation,
            }
        })
        .collect()
}
