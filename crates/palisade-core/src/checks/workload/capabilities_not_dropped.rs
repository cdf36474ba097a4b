//! Flags containers that keep the runtime's default capabilities instead of dropping them all.

use crate::check::{Check, Reference, Sink};
use crate::workload::PodView;

use super::{capability_name, is_privileged};

crate::declare_check! {
    /// ## What it flags
    /// Containers of any kind whose `securityContext.capabilities.drop` does not contain `ALL`
    /// (in any case). `CAP_ALL` does not count: the runtimes only treat the bare word `ALL` as
    /// "every capability". Dropping a few named capabilities, even `NET_RAW`, is not enough. Privileged containers are left to `privileged-container`, since the
    /// runtime ignores `drop` for them, and Windows pods are skipped.
    ///
    /// ## Why it matters
    /// Without `drop: [ALL]` a container runs with the runtime's default set, about fourteen
    /// capabilities including `NET_RAW` (forge packets: ARP and DNS spoofing of neighbour pods),
    /// `CHOWN`, `DAC_OVERRIDE`, `FOWNER`, `SETUID`/`SETGID` and `MKNOD`. Few applications need
    /// any of them, and each one widens what an attacker in the container can do to the kernel
    /// and to other pods.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   capabilities:
    ///     drop: ["NET_RAW"]
    /// ```
    ///
    /// ## Fix
    /// Drop every capability and add back only what is needed:
    /// ```yaml
    /// securityContext:
    ///   capabilities:
    ///     drop: ["ALL"]
    ///     add: ["NET_BIND_SERVICE"]
    /// ```
    ///
    /// ## References
    /// NSA/CISA "Pod security"; CIS 5.2.10 and 5.2.8 (`NET_RAW`); Pod Security Standards
    /// restricted "Capabilities"; MITRE ATT&CK T1557 (Adversary-in-the-Middle); CWE-250.
    pub struct CapabilitiesNotDropped {
        id: "PAL-109",
        slug: "capabilities-not-dropped",
        title: "Container does not drop all capabilities",
        severity: Low,
        area: Workload,
        remediation: "Set securityContext.capabilities.drop to [\"ALL\"] and add back only the capabilities the container needs.",
        references: [
            Reference::NsaCisa("pod-security"),
            Reference::Cis("5.2.10"),
            Reference::Cis("5.2.8"),
            Reference::Pss("restricted/capabilities"),
            Reference::MitreAttack("T1557"),
            Reference::Cwe("CWE-250"),
        ],
    }
}

impl Check for CapabilitiesNotDropped {
    fn check_pod(&self, pod: &PodView<'_>, out: &mut Sink<'_>) {
        if pod.is_windows() {
            return;
        }
        for container in pod.containers() {
            if is_privileged(&container) {
                continue;
            }
            let capabilities = container.effective("capabilities");
            let drop = capabilities
                .as_ref()
                .and_then(|c| c.node.entry("drop").map(|e| (e, c)));
            let dropped: Vec<String> = drop
                .map(|(entry, _)| entry.value.items().iter().filter_map(capability_name).collect())
                .unwrap_or_default();
            let drops_all = drop.is_some_and(|(entry, _)| {
                entry.value.items().iter().any(|item| {
                    item.as_str()
                        .is_some_and(|name| name.trim().eq_ignore_ascii_case("ALL"))
                })
            });
            if drops_all {
                continue;
            }
            let (pos, path) = match (drop, &capabilities) {
                (Some((entry, c)), _) => (entry.key_pos, format!("{}.drop", c.path)),
                (None, Some(c)) => (c.pos, format!("{}.drop", c.path)),
                (None, None) => (
                    container.security_context_pos(),
                    container.field_path("securityContext.capabilities.drop"),
                ),
            };
            let net_raw = if dropped.iter().any(|name| name == "NET_RAW") {
                ""
            } else {
                ", NET_RAW included"
            };
            out.report(
                pos,
                path,
                format!(
                    "{} keeps the runtime's default capabilities{net_raw} \
                     (capabilities.drop lacks ALL)",
                    container.describe()
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::messages_of;

    #[test]
    fn net_raw_is_named_only_when_it_is_kept() {
        let messages = messages_of(
            "capabilities-not-dropped",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n  - name: b\n    securityContext: {capabilities: {drop: [net_raw]}}\n",
        );
        assert_eq!(messages.len(), 2);
        assert!(messages[0].contains("NET_RAW"));
        assert!(!messages[1].contains("NET_RAW"));
    }
}
