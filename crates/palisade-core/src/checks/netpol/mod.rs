//! NetworkPolicy lint (PAL-6xx): policies that protect less than they seem to, judged with the
//! connectivity engine's semantics (see `netpol::lint`).

crate::check::registry! {
    namespace_without_default_deny_ingress::NamespaceWithoutDefaultDenyIngress,
    namespace_without_default_deny_egress::NamespaceWithoutDefaultDenyEgress,
    workload_not_selected_by_network_policy::WorkloadNotSelectedByNetworkPolicy,
    network_policy_selects_no_pod::NetworkPolicySelectsNoPod,
    network_policy_rule_never_matches::NetworkPolicyRuleNeverMatches,
    network_policy_implicit_ingress_isolation::NetworkPolicyImplicitIngressIsolation,
    network_policy_ignored_rules::NetworkPolicyIgnoredRules,
    network_policy_broad_peer_on_sensitive_workload::NetworkPolicyBroadPeerOnSensitiveWorkload,
    network_policy_redundant_rule::NetworkPolicyRedundantRule,
}
