//! Flags pods that mount a directory or file of the node through a `hostPath` volume.

use crate::check::{Check, Reference, Sink};
use crate::document::Node;
use crate::workload::PodView;

crate::declare_check! {
    /// ## What it flags
    /// Every volume of a pod spec with a `hostPath` source, whatever its path, type or the
    /// `readOnly` flag of its mounts. The finding names the host path.
    ///
    /// ## Why it matters
    /// A hostPath volume gives a container a piece of the node's file system. Writable mounts of
    /// system directories let a container plant files the node executes (cron jobs, systemd
    /// units, kubelet static pods) or read credentials (kubelet client certificates, service
    /// account tokens of other pods under `/var/lib/kubelet`). Even read-only mounts can leak
    /// secrets, and read-only does not protect sockets (see `container-runtime-socket`).
    /// The volume also ties the pod to the node's layout and survives the pod, which makes it a
    /// way to persist on the node.
    ///
    /// ## Example
    /// ```yaml
    /// volumes:
    /// - name: logs
    ///   hostPath:
    ///     path: /var/log
    /// ```
    ///
    /// ## Fix
    /// Use `emptyDir` for scratch space, a PersistentVolumeClaim for data, ConfigMaps and
    /// Secrets for configuration, or a CSI driver for node-level features. Node agents that
    /// truly need a host directory should mount the narrowest path read-only, in a dedicated
    /// namespace.
    ///
    /// ## References
    /// NSA/CISA "Pod security"; CIS 5.2.12; Pod Security Standards baseline "HostPath Volumes";
    /// MITRE ATT&CK T1611 (Escape to Host); CWE-668.
    pub struct HostPathVolume {
        id: "PAL-105",
        slug: "host-path-volume",
        title: "Pod mounts a path of the node (hostPath volume)",
        severity: High,
        area: Workload,
        remediation: "Replace the hostPath volume with an emptyDir, PersistentVolumeClaim, ConfigMap, Secret or CSI volume.",
        references: [
            Reference::NsaCisa("pod-security"),
            Reference::Cis("5.2.12"),
            Reference::Pss("baseline/hostPathVolumes"),
            Reference::MitreAttack("T1611"),
            Reference::Cwe("CWE-668"),
        ],
    }
}

impl Check for HostPathVolume {
    fn check_pod(&self, pod: &PodView<'_>, out: &mut Sink<'_>) {
        for (index, volume) in pod.volumes().iter().enumerate() {
            let Some(entry) = volume.entry("hostPath") else {
                continue;
            };
            if entry.value.is_null() {
                continue;
            }
            let name = volume.get("name").and_then(Node::as_str).unwrap_or("");
            let message = match entry.value.get("path").and_then(Node::as_str) {
                Some(path) => format!("volume \"{name}\" mounts the node's path \"{path}\""),
                None => format!("volume \"{name}\" mounts a path of the node (hostPath)"),
            };
            out.report(
                entry.key_pos,
                pod.field_path(&format!("volumes[{index}].hostPath")),
                message,
            );
        }
    }
}
