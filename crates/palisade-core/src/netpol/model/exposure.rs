//! Exposure: what each workload is open to beyond the objects given — any pod of any
//! namespace (`entire-cluster`), any pod of a namespace (`ns/[all pods]`), pods or namespaces
//! with given labels — and which workloads no policy protects in a direction.
//!
//! Each selector-based peer of every rule stands for a representative pod that the input does
//! not contain: it lives in the namespace the peer names (a known namespace, or one with the
//! selected labels) and carries the labels the peer selects, nothing more. A rule admits a
//! representative when its own selectors are empty (match everything), equal to the
//! representative's, or, for a namespace named by the peer, match its name label. The
//! representative is then evaluated like any peer, through every tier. Representatives whose
//! connections the entire-cluster one already has are not listed, nor those with a pod
//! non-empty pod selector that pods of the input already match: their connections are in the
//! list itself. A peer selecting all pods of its namespaces is always considered, since any
//! new pod there joins it.

use super::{AdminPeer, Cluster, ConnSet, NAMESPACE_NAME_LABEL, Peer, RulePeer, RuleRef, Selector};

/// Where a representative pod lives.
#[derive(Debug, Clone, PartialEq)]
enum Place {
    /// Any namespace, unknown labels.
    Anywhere,
    /// A namespace of this name.
    Namespace(String),
    /// A namespace with these labels.
    Labelled(Selector),
}

/// A pod the input does not contain, standing for what a selector could match.
#[derive(Debug, Clone, PartialEq)]
struct Representative {
    place: Place,
    /// `None`: any labels.
    pods: Option<Selector>,
}

/// One exposure line: a workload, a direction and what it is open to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExposureLine {
    /// The workload (`ns/name[Kind]`).
    pub workload: String,
    /// True for what may come in, false for what may go out.
    pub ingress: bool,
    /// The other side: `entire-cluster`, `ns/[all pods]`, an external range, …
    pub peer: String,
    /// What may flow.
    pub conn: ConnSet,
}

/// Exposure of every workload, and the workloads no policy protects per direction.
#[derive(Debug, Clone, Default)]
pub struct Exposure {
    /// Lines sorted by workload, peer.
    pub lines: Vec<ExposureLine>,
    /// `(workload, ingress)` for each workload and direction no policy protects.
    pub unprotected: Vec<(String, bool)>,
}

fn selector_text(sel: &Selector) -> String {
    let mut parts: Vec<String> = sel.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
    for e in &sel.expressions {
        let (key, op, values) = match e {
            super::Expression::In(k, v) => (k, "In", v.join(" ")),
            super::Expression::NotIn(k, v) => (k, "NotIn", v.join(" ")),
            super::Expression::Exists(k) => (k, "Exists", String::new()),
            super::Expression::DoesNotExist(k) => (k, "DoesNotExist", String::new()),
        };
        parts.push(format!("{{Key:{key},Operator:{op},Values:[{values}],}}"));
    }
    format!("{{{}}}", parts.join(","))
}

impl Representative {
    fn name(&self) -> String {
        let pods = match &self.pods {
            None => "[all pods]".to_string(),
            Some(sel) => format!("[pod with {}]", selector_text(sel)),
        };
        match &self.place {
            Place::Anywhere if self.pods.is_none() => "entire-cluster".to_string(),
            Place::Anywhere => format!("[all namespaces]/{pods}"),
            Place::Namespace(ns) => format!("{ns}/{pods}"),
            Place::Labelled(sel) => format!("[namespace with {}]/{pods}", selector_text(sel)),
        }
    }

    fn from_selectors(
        namespaces: Option<&Selector>,
        home: Option<&str>,
        pods: Option<&Selector>,
    ) -> Self {
        let place = match (namespaces, home) {
            (None, Some(ns)) => Place::Namespace(ns.to_string()),
            (None, None) => Place::Anywhere,
            (Some(sel), _) if sel.matches_everything() => Place::Anywhere,
            (Some(sel), _) => match sel.labels.as_slice() {
                [(k, v)] if k == NAMESPACE_NAME_LABEL && sel.expressions.is_empty() => {
                    Place::Namespace(v.clone())
                }
                _ => Place::Labelled(sel.clone()),
            },
        };
        Representative {
            place,
            pods: pods.filter(|s| !s.matches_everything()).cloned(),
        }
    }
}

impl Cluster {
    /// Whether the namespace side `sel` (`None`: the policy's own namespace `home`) admits
    /// the representative's place.
    fn admits_place(sel: Option<&Selector>, home: Option<&str>, place: &Place) -> bool {
        match (sel, place) {
            (None, Place::Namespace(ns)) => home == Some(ns.as_str()),
            (Some(s), _) if s.matches_everything() => true,
            // A representative namespace is known by its name only: a new namespace could carry
            // any other labels.
            (Some(s), Place::Namespace(ns)) => {
                s.matches(&[(NAMESPACE_NAME_LABEL.to_string(), ns.clone())].into())
            }
            (Some(s), Place::Labelled(r)) => s == r,
            (None, _) | (Some(_), Place::Anywhere) => false,
        }
    }

    fn admits_pods(sel: Option<&Selector>, pods: Option<&Selector>) -> bool {
        match sel {
            None => true,
            Some(s) if s.matches_everything() => true,
            Some(s) => pods == Some(s),
        }
    }

    /// Whether `rule` names the representative as a peer.
    fn rule_admits(&self, rule: RuleRef, ingress: bool, rep: &Representative) -> bool {
        fn admin_rules(p: &super::AdminPolicy, ingress: bool) -> &[super::AdminRule] {
            if ingress { &p.ingress } else { &p.egress }
        }
        let admin = |peers: &[AdminPeer]| {
            peers.iter().any(|peer| match peer {
                AdminPeer::Pods(set) => {
                    Self::admits_place(Some(&set.namespaces), None, &rep.place)
                        && Self::admits_pods(set.pods.as_ref(), rep.pods.as_ref())
                }
                _ => false,
            })
        };
        match rule {
            RuleRef::Admin(p, r) => admin(&admin_rules(&self.admin[p], ingress)[r].peers),
            RuleRef::Baseline(p, r) => admin(&admin_rules(&self.baselines[p], ingress)[r].peers),
            RuleRef::Policy(p, r) => {
                let policy = &self.policies[p];
                let rules = if ingress {
                    &policy.ingress
                } else {
                    &policy.egress
                };
                match &rules[r].peers {
                    None => true,
                    Some(peers) => peers.iter().any(|peer| match peer {
                        RulePeer::Pods { namespaces, pods } => {
                            Self::admits_place(
                                namespaces.as_ref(),
                                Some(&policy.namespace),
                                &rep.place,
                            ) && Self::admits_pods(pods.as_ref(), rep.pods.as_ref())
                        }
                        RulePeer::Block { .. } => false,
                    }),
                }
            }
        }
    }

    /// Whether a workload of the input matches `pods`, a peer's explicit pod selector (even an
    /// empty one), in the representative's place.
    fn matched_by_input(&self, rep: &Representative, pods: Option<&Selector>) -> bool {
        let Some(pods) = pods.filter(|p| !p.matches_everything()) else {
            return false;
        };
        self.workloads.iter().any(|w| {
            let place_ok = match &rep.place {
                Place::Anywhere => true,
                Place::Namespace(ns) => &w.namespace == ns,
                Place::Labelled(sel) => self
                    .namespaces
                    .get(&w.namespace)
                    .is_some_and(|labels| sel.matches(labels)),
            };
            place_ok && pods.matches(&w.labels)
        })
    }

    /// Every representative the rules give rise to, entire-cluster first.
    fn representatives(&self) -> Vec<Representative> {
        let mut out = vec![Representative {
            place: Place::Anywhere,
            pods: None,
        }];
        let mut add = |rep: Representative, pods: Option<&Selector>| {
            if !out.contains(&rep) && !self.matched_by_input(&rep, pods) {
                out.push(rep);
            }
        };
        for p in &self.policies {
            for rule in p.ingress.iter().chain(&p.egress) {
                for peer in rule.peers.iter().flatten() {
                    if let RulePeer::Pods { namespaces, pods } = peer {
                        add(
                            Representative::from_selectors(
                                namespaces.as_ref(),
                                Some(&p.namespace),
                                pods.as_ref(),
                            ),
                            pods.as_ref(),
                        );
                    }
                }
            }
        }
        for p in self.admin.iter().chain(&self.baselines) {
            for rule in p.ingress.iter().chain(&p.egress) {
                for peer in &rule.peers {
                    if let AdminPeer::Pods(set) = peer {
                        add(
                            Representative::from_selectors(
                                Some(&set.namespaces),
                                None,
                                set.pods.as_ref(),
                            ),
                            set.pods.as_ref(),
                        );
                    }
                }
            }
        }
        out
    }

    /// Whether a policy of any tier applies to `w` in a direction.
    fn protected(&self, w: usize, ingress: bool) -> bool {
        let sel = &self.selection[w];
        let rules_of =
            |p: &super::AdminPolicy| !if ingress { &p.ingress } else { &p.egress }.is_empty();
        !(if ingress { &sel.ingress } else { &sel.egress }).is_empty()
            || sel.admin.iter().any(|&p| rules_of(&self.admin[p]))
            || sel.baseline.iter().any(|&p| rules_of(&self.baselines[p]))
    }

    /// What each workload is open to beyond the given objects. External ranges are listed
    /// too, from the connectivity list.
    pub fn exposure(&self) -> Exposure {
        let reps = self.representatives();
        let mut out = Exposure::default();
        for w in 0..self.workloads.len() {
            let name = self.workloads[w].display();
            for ingress in [false, true] {
                let mut entire = ConnSet::none();
                for (i, rep) in reps.iter().enumerate() {
                    let matches = |r: RuleRef| self.rule_admits(r, ingress, rep);
                    // Named ports resolve on the destination; an unknown pod declares none.
                    let dst = if ingress {
                        Peer::Workload(w)
                    } else {
                        Peer::IngressController
                    };
                    let conn = self.evaluate(w, ingress, &matches, dst, None);
                    if i == 0 {
                        entire = conn.clone();
                    } else if conn.difference(&entire).is_empty() {
                        continue;
                    }
                    if !conn.is_empty() {
                        out.lines.push(ExposureLine {
                            workload: name.clone(),
                            ingress,
                            peer: rep.name(),
                            conn,
                        });
                    }
                }
                if !self.protected(w, ingress) {
                    out.unprotected.push((name.clone(), ingress));
                }
            }
        }
        out.lines.sort_by(|a, b| {
            (&a.workload, a.ingress, &a.peer).cmp(&(&b.workload, b.ingress, &b.peer))
        });
        out
    }
}
