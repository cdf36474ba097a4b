//! Flags hostPath volumes that expose the node's container runtime socket.

use crate::check::{Check, Reference, Sink};
use crate::document::Node;
use crate::workload::PodView;

crate::declare_check! {
    /// ## What it flags
    /// hostPath volumes whose path is a container runtime's API socket, a directory holding
    /// one, or an ancestor directory through which one is reachable:
    ///
    /// - Docker: `/var/run/docker.sock`, `/run/docker.sock` and the `docker` state directories
    ///   under `/var/run` and `/run`;
    /// - containerd: anything under `/var/run/containerd`, `/run/containerd` and
    ///   `/run/k3s/containerd`;
    /// - CRI-O: anything under `/var/run/crio` and `/run/crio`;
    /// - cri-dockerd and dockershim: `cri-dockerd.sock` and `dockershim.sock` under `/var/run`
    ///   or `/run`;
    /// - Podman: anything under `/var/run/podman` and `/run/podman`;
    /// - the whole `/var/run` or `/run`, and the node's root `/`;
    /// - on Windows nodes, the `\\.\pipe\docker_engine` and `\\.\pipe\containerd-containerd`
    ///   named pipes.
    ///
    /// Trailing and doubled slashes, `.` and `..` are resolved before comparing. `/var` itself
    /// is not flagged: on current distributions `/var/run` is a symbolic link to `/run`, which
    /// resolves inside the container, not on the node.
    ///
    /// ## Why it matters
    /// Whoever can talk to the runtime socket can start a new privileged container with the
    /// node's root file system mounted, exec into any container on the node, or read their
    /// environment and secrets: it is full control of the node. Mounting the socket read-only
    /// does not help, because connecting to a Unix socket is not a write to the file system.
    ///
    /// ## Example
    /// ```yaml
    /// volumes:
    /// - name: docker
    ///   hostPath:
    ///     path: /var/run/docker.sock
    /// ```
    ///
    /// ## Fix
    /// Do not mount the runtime socket. Build images with a daemonless builder that runs
    /// unprivileged, read container metadata through the Kubernetes API or the kubelet's
    /// metrics, and keep node agents that truly need the runtime in a dedicated namespace.
    ///
    /// ## References
    /// NSA/CISA "Pod security"; CIS 5.2.12; MITRE ATT&CK T1611 (Escape to Host), T1610
    /// (Deploy Container); CWE-668.
    pub struct ContainerRuntimeSocket {
        id: "PAL-106",
        slug: "container-runtime-socket",
        title: "Pod mounts the container runtime socket",
        severity: Critical,
        area: Workload,
        remediation: "Remove the hostPath volume that exposes the container runtime socket.",
        references: [
            Reference::NsaCisa("pod-security"),
            Reference::Cis("5.2.12"),
            Reference::MitreAttack("T1611"),
            Reference::MitreAttack("T1610"),
            Reference::Cwe("CWE-668"),
        ],
    }
}

/// Paths that are a runtime socket, or a directory whose whole content belongs to a runtime.
const RUNTIME_PATHS: &[&str] = &[
    "/var/run/docker.sock",
    "/var/run/docker",
    "/var/run/containerd",
    "/var/run/crio",
    "/var/run/cri-dockerd.sock",
    "/var/run/dockershim.sock",
    "/var/run/podman",
    "/run/docker.sock",
    "/run/docker",
    "/run/containerd",
    "/run/crio",
    "/run/cri-dockerd.sock",
    "/run/dockershim.sock",
    "/run/podman",
    "/run/k3s/containerd",
];

/// Directories that contain runtime sockets among other things.
const ANCESTORS: &[&str] = &["/", "/run", "/var/run", "/run/k3s"];

/// Windows named pipes of the runtimes (compared case-insensitively).
const RUNTIME_PIPES: &[&str] = &[r"\\.\pipe\docker_engine", r"\\.\pipe\containerd-containerd"];

/// `path` with doubled and trailing slashes, `.` and `..` resolved lexically (`/` stays `/`).
fn normalise(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            _ => parts.push(part),
        }
    }
    format!("/{}", parts.join("/"))
}

/// Whether a hostPath path exposes a runtime socket.
pub(crate) fn exposes_runtime(path: &str) -> bool {
    let path = path.trim();
    if path.starts_with(r"\\") {
        let pipe = path.trim_end_matches('\\');
        return RUNTIME_PIPES.iter().any(|p| p.eq_ignore_ascii_case(pipe));
    }
    if !path.starts_with('/') {
        return false;
    }
    let path = normalise(path);
    ANCESTORS.contains(&path.as_str())
        || RUNTIME_PATHS.iter().any(|runtime| {
            path == *runtime
                || path
                    .strip_prefix(runtime)
                    .is_some_and(|rest| rest.starts_with('/'))
        })
}

impl Check for ContainerRuntimeSocket {
    fn check_pod(&self, pod: &PodView<'_>, out: &mut Sink<'_>) {
        for (index, volume) in pod.volumes().iter().enumerate() {
            let Some(entry) = volume.entry("hostPath") else {
                continue;
            };
            let Some(path) = entry.value.get("path").and_then(Node::as_str) else {
                continue;
            };
            if exposes_runtime(path) {
                let name = volume.get("name").and_then(Node::as_str).unwrap_or("");
                out.report(
                    entry.key_pos,
                    pod.field_path(&format!("volumes[{index}].hostPath")),
                    format!(
                        "volume \"{name}\" mounts \"{path}\", which exposes the container \
                         runtime socket of the node"
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::exposes_runtime;

    #[test]
    fn runtime_paths_are_recognised_in_any_spelling() {
        for path in [
            "/var/run/docker.sock",
            "/run/docker.sock/",
            "//var//run/containerd/containerd.sock",
            "/run/containerd/",
            "/run/containerd/io.containerd.runtime.v2.task",
            "/var/run/crio/crio.sock",
            "/run/crio",
            "/var/run/cri-dockerd.sock",
            "/var/run",
            "/run/",
            "/",
            "/run/k3s/containerd/containerd.sock",
            "/var/log/../run/./docker.sock",
            r"\\.\pipe\docker_engine",
            r"\\.\PIPE\containerd-containerd",
        ] {
            assert!(exposes_runtime(path), "{path}");
        }
    }

    #[test]
    fn unrelated_paths_are_not_flagged() {
        for path in [
            "/var",
            "/var/log",
            "/run/containerd-shim-like",
            "/var/run/secrets/kubernetes.io",
            "/var/lib/docker",
            "/run/udev",
            "docker.sock",
            r"C:\var\log",
            "",
        ] {
            assert!(!exposes_runtime(path), "{path}");
        }
    }
}
