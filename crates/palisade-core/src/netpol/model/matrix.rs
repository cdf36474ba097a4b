//! The full connectivity list at cluster scale.
//!
//! Asking [`Cluster::allowed`] for every pair of workloads costs pairs × rules. Instead, each
//! rule's peer workloads are found once (through the namespaces its selectors match), and
//! each workload's verdict per direction is computed once per distinct set of rules that
//! match the other party: other workloads that match the same rules (and, where named ports
//! are involved, resolve them alike) get the same answer. Workloads that match no rule share
//! one default answer, so a row is a default plus a sparse list of exceptions. Pairs are then
//! only visited where both sides can allow something. Rows and pairs are computed in parallel.

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;

use super::{Cluster, ConnSet, Peer, RulePeer, RuleRef};
use crate::netpol::Connection;

/// The workloads a rule names as peers.
#[derive(Debug, Default)]
struct Targets {
    /// Every workload of the cluster matches.
    every_workload: bool,
    /// Otherwise, the matching workloads, sorted.
    workloads: Vec<u32>,
}

/// One workload's verdicts in one direction towards every other workload.
#[derive(Debug)]
struct Row {
    /// Distinct verdicts.
    classes: Vec<ConnSet>,
    /// The verdict for workloads not in `exceptions`, if they share one.
    default: Option<u32>,
    /// (other workload, verdict), sorted by workload.
    exceptions: Vec<(u32, u32)>,
}

impl Row {
    fn get(&self, other: usize) -> Option<&ConnSet> {
        let class = match self
            .exceptions
            .binary_search_by_key(&(other as u32), |&(o, _)| o)
        {
            Ok(i) => Some(self.exceptions[i].1),
            Err(_) => self.default,
        };
        class
            .map(|c| &self.classes[c as usize])
            .filter(|c| !c.is_empty())
    }

    fn default_is_open(&self) -> bool {
        self.default
            .is_some_and(|c| !self.classes[c as usize].is_empty())
    }
}

impl Cluster {
    /// Workload indices by namespace.
    fn workloads_by_namespace(&self) -> BTreeMap<&str, Vec<usize>> {
        let mut out: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, w) in self.workloads.iter().enumerate() {
            out.entry(w.namespace.as_str()).or_default().push(i);
        }
        out
    }

    /// Every rule of every policy with its direction.
    fn all_rules(&self) -> Vec<(RuleRef, bool)> {
        let mut out = Vec::new();
        for ingress in [true, false] {
            let count = |i: usize, e: usize| if ingress { i } else { e };
            for (p, a) in self.admin.iter().enumerate() {
                let n = count(a.ingress.len(), a.egress.len());
                out.extend((0..n).map(|r| (RuleRef::Admin(p, r), ingress)));
            }
            for (p, b) in self.baselines.iter().enumerate() {
                let n = count(b.ingress.len(), b.egress.len());
                out.extend((0..n).map(|r| (RuleRef::Baseline(p, r), ingress)));
            }
            for (p, np) in self.policies.iter().enumerate() {
                let n = count(np.ingress.len(), np.egress.len());
                out.extend((0..n).map(|r| (RuleRef::Policy(p, r), ingress)));
            }
        }
        out
    }

    /// The workloads `rule` names as peers, visiting only namespaces its selectors match.
    fn targets(
        &self,
        rule: RuleRef,
        ingress: bool,
        by_namespace: &BTreeMap<&str, Vec<usize>>,
    ) -> Targets {
        let mut found: Vec<u32> = Vec::new();
        let mut visit = |namespace: &str, keep: &dyn Fn(usize) -> bool| {
            for &w in by_namespace
                .get(namespace)
                .map(Vec::as_slice)
                .unwrap_or_default()
            {
                if keep(w) {
                    found.push(w as u32);
                }
            }
        };
        match rule {
            RuleRef::Policy(p, r) => {
                let policy = &self.policies[p];
                let rules = if ingress {
                    &policy.ingress
                } else {
                    &policy.egress
                };
                let Some(peers) = &rules[r].peers else {
                    return Targets {
                        every_workload: true,
                        workloads: Vec::new(),
                    };
                };
                for peer in peers {
                    let RulePeer::Pods { namespaces, pods } = peer else {
                        continue;
                    };
                    let pod_ok = |w: usize| {
                        pods.as_ref()
                            .is_none_or(|s| s.matches(&self.workloads[w].labels))
                    };
                    match namespaces {
                        None => visit(&policy.namespace, &pod_ok),
                        Some(sel) => {
                            for (ns, labels) in &self.namespaces {
                                if sel.matches(labels) {
                                    visit(ns, &pod_ok);
                                }
                            }
                        }
                    }
                }
            }
            RuleRef::Admin(p, r) | RuleRef::Baseline(p, r) => {
                let policy = if matches!(rule, RuleRef::Admin(..)) {
                    &self.admin[p]
                } else {
                    &self.baselines[p]
                };
                let rules = if ingress {
                    &policy.ingress
                } else {
                    &policy.egress
                };
                for peer in &rules[r].peers {
                    let super::AdminPeer::Pods(set) = peer else {
                        continue;
                    };
                    let pod_ok = |w: usize| {
                        set.pods
                            .as_ref()
                            .is_none_or(|s| s.matches(&self.workloads[w].labels))
                    };
                    for (ns, labels) in &self.namespaces {
                        if set.namespaces.matches(labels) {
                            visit(ns, &pod_ok);
                        }
                    }
                }
            }
        }
        found.sort_unstable();
        found.dedup();
        Targets {
            every_workload: false,
            workloads: found,
        }
    }

    /// `subject`'s verdicts in one direction towards every workload.
    fn row(
        &self,
        subject: usize,
        ingress: bool,
        targets: &HashMap<(RuleRef, bool), Targets>,
    ) -> Row {
        let rules = self.deciding_rules(subject, ingress);
        let position: HashMap<RuleRef, u32> = rules
            .iter()
            .enumerate()
            .map(|(i, &r)| (r, i as u32))
            .collect();
        let names_ports: Vec<bool> = rules
            .iter()
            .map(|&r| !ingress && self.rule_names_ports(r, ingress))
            .collect();
        let mut every: Vec<u32> = Vec::new();
        let mut hits: Vec<(u32, u32)> = Vec::new();
        for (pos, r) in rules.iter().enumerate() {
            let Some(t) = targets.get(&(*r, ingress)) else {
                continue;
            };
            if t.every_workload {
                every.push(pos as u32);
            } else {
                hits.extend(t.workloads.iter().map(|&w| (w, pos as u32)));
            }
        }
        hits.sort_unstable();

        let mut classes: Vec<ConnSet> = Vec::new();
        let mut known: HashMap<(Vec<u32>, Option<u32>), u32> = HashMap::new();
        let mut classify = |matched: Vec<u32>, other: usize| -> u32 {
            let by_other = matched.iter().any(|&p| names_ports[p as usize]);
            let key = (matched, by_other.then_some(other as u32));
            if let Some(&c) = known.get(&key) {
                return c;
            }
            let matches = |r: RuleRef| {
                position
                    .get(&r)
                    .is_some_and(|p| key.0.binary_search(p).is_ok())
            };
            let dst = Peer::Workload(if ingress { subject } else { other });
            let verdict = self.evaluate(subject, ingress, &matches, dst, None);
            let c = classes.len() as u32;
            classes.push(verdict);
            known.insert(key, c);
            c
        };

        let mut exceptions: Vec<(u32, u32)> = Vec::new();
        let mut start = 0;
        while start < hits.len() {
            let other = hits[start].0;
            let mut end = start;
            let mut matched = every.clone();
            while end < hits.len() && hits[end].0 == other {
                matched.push(hits[end].1);
                end += 1;
            }
            matched.sort_unstable();
            exceptions.push((other, classify(matched, other as usize)));
            start = end;
        }
        let shared_default = !every.iter().any(|&p| names_ports[p as usize]);
        let default = if shared_default {
            Some(classify(every, subject))
        } else {
            // Named ports of a rule matching everyone resolve per destination: no shared
            // answer, so every workload gets its own entry.
            let listed: Vec<u32> = exceptions.iter().map(|&(o, _)| o).collect();
            for other in 0..self.workloads.len() {
                if listed.binary_search(&(other as u32)).is_err() {
                    exceptions.push((other as u32, classify(every.clone(), other)));
                }
            }
            exceptions.sort_unstable();
            None
        };
        Row {
            classes,
            default,
            exceptions,
        }
    }

    /// What `subject` lets through in one direction with each of `externals`. Ranges matched
    /// by the same rules get the same answer, computed once.
    fn external_row(&self, subject: usize, ingress: bool, externals: &[Peer]) -> Vec<ConnSet> {
        let rules = self.deciding_rules(subject, ingress);
        let mut known: HashMap<Vec<bool>, ConnSet> = HashMap::new();
        externals
            .iter()
            .map(|&e| {
                let signature: Vec<bool> = rules
                    .iter()
                    .map(|&r| self.rule_matches(r, ingress, e))
                    .collect();
                known
                    .entry(signature)
                    .or_insert_with_key(|signature| {
                        let is_hit = |r: RuleRef| {
                            rules
                                .iter()
                                .position(|&x| x == r)
                                .is_some_and(|i| signature[i])
                        };
                        let dst = if ingress { Peer::Workload(subject) } else { e };
                        self.evaluate(subject, ingress, &is_hit, dst, None)
                    })
                    .clone()
            })
            .collect()
    }

    /// Every allowed connection whose connection set passes `keep`, sorted.
    pub(super) fn connectivity_where(
        &self,
        keep: impl Fn(&ConnSet) -> bool + Sync,
    ) -> Vec<Connection> {
        let by_namespace = self.workloads_by_namespace();
        let targets: HashMap<(RuleRef, bool), Targets> = self
            .all_rules()
            .into_par_iter()
            .map(|(r, ingress)| ((r, ingress), self.targets(r, ingress, &by_namespace)))
            .collect();
        let n = self.workloads.len();
        let egress: Vec<Row> = (0..n)
            .into_par_iter()
            .map(|w| self.row(w, false, &targets))
            .collect();
        let ingress: Vec<Row> = (0..n)
            .into_par_iter()
            .map(|w| self.row(w, true, &targets))
            .collect();
        let open_ingress: Vec<usize> = (0..n).filter(|&d| ingress[d].default_is_open()).collect();
        let mut admitted_by: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (d, row) in ingress.iter().enumerate() {
            for &(src, c) in &row.exceptions {
                if !row.classes[c as usize].is_empty() {
                    admitted_by[src as usize].push(d);
                }
            }
        }
        let names: Vec<String> = self
            .workloads
            .iter()
            .map(super::Workload::display)
            .collect();
        let sources: Vec<Peer> = self
            .external_ranges_of(true, false)
            .into_iter()
            .map(|(a, b)| Peer::External(a, b))
            .collect();
        let destinations: Vec<Peer> = self
            .external_ranges_of(false, true)
            .into_iter()
            .map(|(a, b)| Peer::External(a, b))
            .collect();
        let source_names: Vec<String> = sources.iter().map(|&p| self.peer_name(p)).collect();
        let destination_names: Vec<String> =
            destinations.iter().map(|&p| self.peer_name(p)).collect();

        let mut out: Vec<Connection> = (0..n)
            .into_par_iter()
            .flat_map_iter(|w| {
                let mut found = Vec::new();
                let mut push = |src: String, dst: String, conn: ConnSet| {
                    if !conn.is_empty() && keep(&conn) {
                        found.push(Connection {
                            src,
                            dst,
                            conn: conn.to_string(),
                        });
                    }
                };
                let me = Peer::Workload(w);
                push(
                    self.peer_name(Peer::IngressController),
                    names[w].clone(),
                    self.allowed(Peer::IngressController, me),
                );
                // Nothing restricts an external source's egress or an external destination's
                // ingress: the workload's own side decides.
                for (i, conn) in self.external_row(w, true, &sources).into_iter().enumerate() {
                    push(source_names[i].clone(), names[w].clone(), conn);
                }
                for (i, conn) in self
                    .external_row(w, false, &destinations)
                    .into_iter()
                    .enumerate()
                {
                    push(names[w].clone(), destination_names[i].clone(), conn);
                }
                let row = &egress[w];
                let mut candidates: Vec<usize> = row
                    .exceptions
                    .iter()
                    .filter(|&&(_, c)| !row.classes[c as usize].is_empty())
                    .map(|&(d, _)| d as usize)
                    .collect();
                if row.default_is_open() {
                    candidates.extend(&open_ingress);
                    candidates.extend(&admitted_by[w]);
                }
                candidates.sort_unstable();
                candidates.dedup();
                for d in candidates.into_iter().filter(|&d| d != w) {
                    let (Some(out), Some(into)) = (row.get(d), ingress[d].get(w)) else {
                        continue;
                    };
                    push(names[w].clone(), names[d].clone(), out.intersection(into));
                }
                found
            })
            .collect();
        out.par_sort_unstable();
        out
    }
}
