//! Where each distribution keeps the files the benchmark asks about: static pod manifests,
//! kubelet configuration and kubeconfig, systemd units, PKI, kubeconfigs of the control plane,
//! the etcd data directory. Data only; the collector reads every location listed and the
//! checks use whichever exists.

/// The known file locations of one Kubernetes distribution.
#[derive(Debug, Clone, Copy)]
pub struct Distribution {
    /// Its name.
    pub name: &'static str,
    /// Directories of static pod manifests.
    pub manifest_dirs: &'static [&'static str],
    /// Kubelet configuration files used when no `--config` is found on a command line.
    pub kubelet_configs: &'static [&'static str],
    /// Kubelet kubeconfigs used when no `--kubeconfig` is found.
    pub kubelet_kubeconfigs: &'static [&'static str],
    /// Systemd unit names that run the kubelet (alone or embedded).
    pub kubelet_units: &'static [&'static str],
    /// PKI directories.
    pub pki_dirs: &'static [&'static str],
    /// Administrator kubeconfigs.
    pub admin_kubeconfigs: &'static [&'static str],
    /// Scheduler kubeconfigs.
    pub scheduler_kubeconfigs: &'static [&'static str],
    /// Controller manager kubeconfigs.
    pub controller_manager_kubeconfigs: &'static [&'static str],
    /// kube-proxy kubeconfigs.
    pub proxy_kubeconfigs: &'static [&'static str],
    /// etcd data directories used when no `--data-dir` is found.
    pub etcd_data_dirs: &'static [&'static str],
    /// Directories of per-component argument files (one flag per line).
    pub args_dirs: &'static [&'static str],
}

/// The distributions Palisade knows, most common first.
pub const DISTRIBUTIONS: &[Distribution] = &[
    Distribution {
        name: "kubeadm",
        manifest_dirs: &["/etc/kubernetes/manifests"],
        kubelet_configs: &["/var/lib/kubelet/config.yaml"],
        kubelet_kubeconfigs: &["/etc/kubernetes/kubelet.conf"],
        kubelet_units: &["kubelet.service"],
        pki_dirs: &["/etc/kubernetes/pki"],
        admin_kubeconfigs: &[
            "/etc/kubernetes/admin.conf",
            "/etc/kubernetes/super-admin.conf",
        ],
        scheduler_kubeconfigs: &["/etc/kubernetes/scheduler.conf"],
        controller_manager_kubeconfigs: &["/etc/kubernetes/controller-manager.conf"],
        proxy_kubeconfigs: &["/var/lib/kube-proxy/kubeconfig.conf"],
        etcd_data_dirs: &["/var/lib/etcd"],
        args_dirs: &[],
    },
    Distribution {
        name: "minikube",
        manifest_dirs: &["/etc/kubernetes/manifests"],
        kubelet_configs: &["/var/lib/kubelet/config.yaml"],
        kubelet_kubeconfigs: &["/etc/kubernetes/kubelet.conf"],
        kubelet_units: &["kubelet.service"],
        pki_dirs: &["/var/lib/minikube/certs"],
        admin_kubeconfigs: &["/etc/kubernetes/admin.conf"],
        scheduler_kubeconfigs: &["/etc/kubernetes/scheduler.conf"],
        controller_manager_kubeconfigs: &["/etc/kubernetes/controller-manager.conf"],
        proxy_kubeconfigs: &[],
        etcd_data_dirs: &["/var/lib/minikube/etcd"],
        args_dirs: &[],
    },
    Distribution {
        name: "k3s",
        manifest_dirs: &["/var/lib/rancher/k3s/agent/pod-manifests"],
        kubelet_configs: &["/var/lib/rancher/k3s/agent/etc/kubelet.conf.d/00-k3s-defaults.conf"],
        kubelet_kubeconfigs: &["/var/lib/rancher/k3s/agent/kubelet.kubeconfig"],
        kubelet_units: &["k3s.service", "k3s-agent.service"],
        pki_dirs: &["/var/lib/rancher/k3s/server/tls"],
        admin_kubeconfigs: &[
            "/etc/rancher/k3s/k3s.yaml",
            "/var/lib/rancher/k3s/server/cred/admin.kubeconfig",
        ],
        scheduler_kubeconfigs: &["/var/lib/rancher/k3s/server/cred/scheduler.kubeconfig"],
        controller_manager_kubeconfigs: &["/var/lib/rancher/k3s/server/cred/controller.kubeconfig"],
        proxy_kubeconfigs: &["/var/lib/rancher/k3s/agent/kubeproxy.kubeconfig"],
        etcd_data_dirs: &["/var/lib/rancher/k3s/server/db/etcd"],
        args_dirs: &[],
    },
    Distribution {
        name: "rke2",
        manifest_dirs: &["/var/lib/rancher/rke2/agent/pod-manifests"],
        kubelet_configs: &[],
        kubelet_kubeconfigs: &["/var/lib/rancher/rke2/agent/kubelet.kubeconfig"],
        kubelet_units: &["rke2-server.service", "rke2-agent.service"],
        pki_dirs: &["/var/lib/rancher/rke2/server/tls"],
        admin_kubeconfigs: &["/etc/rancher/rke2/rke2.yaml"],
        scheduler_kubeconfigs: &["/var/lib/rancher/rke2/server/cred/scheduler.kubeconfig"],
        controller_manager_kubeconfigs: &[
            "/var/lib/rancher/rke2/server/cred/controller.kubeconfig",
        ],
        proxy_kubeconfigs: &["/var/lib/rancher/rke2/agent/kubeproxy.kubeconfig"],
        etcd_data_dirs: &["/var/lib/rancher/rke2/server/db/etcd"],
        args_dirs: &[],
    },
    Distribution {
        name: "microk8s",
        manifest_dirs: &[],
        kubelet_configs: &[],
        kubelet_kubeconfigs: &["/var/snap/microk8s/current/credentials/kubelet.config"],
        kubelet_units: &["snap.microk8s.daemon-kubelite.service"],
        pki_dirs: &["/var/snap/microk8s/current/certs"],
        admin_kubeconfigs: &["/var/snap/microk8s/current/credentials/client.config"],
        scheduler_kubeconfigs: &["/var/snap/microk8s/current/credentials/scheduler.config"],
        controller_manager_kubeconfigs: &[
            "/var/snap/microk8s/current/credentials/controller.config",
        ],
        proxy_kubeconfigs: &["/var/snap/microk8s/current/credentials/proxy.config"],
        etcd_data_dirs: &["/var/snap/microk8s/current/var/kubernetes/backend"],
        args_dirs: &["/var/snap/microk8s/current/args"],
    },
    Distribution {
        name: "eks",
        manifest_dirs: &[],
        kubelet_configs: &[
            "/etc/kubernetes/kubelet/kubelet-config.json",
            "/etc/kubernetes/kubelet/config.json",
        ],
        kubelet_kubeconfigs: &["/var/lib/kubelet/kubeconfig"],
        kubelet_units: &["kubelet.service"],
        pki_dirs: &["/etc/kubernetes/pki"],
        admin_kubeconfigs: &[],
        scheduler_kubeconfigs: &[],
        controller_manager_kubeconfigs: &[],
        proxy_kubeconfigs: &["/var/lib/kube-proxy/kubeconfig"],
        etcd_data_dirs: &[],
        args_dirs: &[],
    },
    Distribution {
        name: "gke",
        manifest_dirs: &["/etc/kubernetes/manifests"],
        kubelet_configs: &["/home/kubernetes/kubelet-config.yaml"],
        kubelet_kubeconfigs: &["/var/lib/kubelet/kubeconfig"],
        kubelet_units: &["kubelet.service"],
        pki_dirs: &["/etc/srv/kubernetes/pki"],
        admin_kubeconfigs: &[],
        scheduler_kubeconfigs: &[],
        controller_manager_kubeconfigs: &[],
        proxy_kubeconfigs: &["/var/lib/kube-proxy/kubeconfig"],
        etcd_data_dirs: &[],
        args_dirs: &[],
    },
    Distribution {
        name: "aks",
        manifest_dirs: &[],
        kubelet_configs: &["/etc/default/kubeletconfig.json"],
        kubelet_kubeconfigs: &["/var/lib/kubelet/kubeconfig"],
        kubelet_units: &["kubelet.service"],
        pki_dirs: &["/etc/kubernetes/certs"],
        admin_kubeconfigs: &[],
        scheduler_kubeconfigs: &[],
        controller_manager_kubeconfigs: &[],
        proxy_kubeconfigs: &["/var/lib/kubelet/kubeconfig"],
        etcd_data_dirs: &[],
        args_dirs: &[],
    },
];

/// Directories systemd loads units from, highest precedence first.
pub const UNIT_DIRS: &[&str] = &[
    "/etc/systemd/system",
    "/run/systemd/system",
    "/usr/lib/systemd/system",
    "/lib/systemd/system",
];

/// Where CNI configuration lives unless the kubelet says otherwise.
pub const CNI_CONF_DIR: &str = "/etc/cni/net.d";

/// Every distinct path of one field over all distributions, in table order.
pub fn all(field: impl Fn(&Distribution) -> &'static [&'static str]) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for d in DISTRIBUTIONS {
        for path in field(d) {
            if !out.contains(path) {
                out.push(path);
            }
        }
    }
    out
}
