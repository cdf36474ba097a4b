//! Container with SYS_ADMIN (or ALL, or SYS_MODULE) → its node.

use super::{Technique, escape_edges};
use crate::checks::workload::capability_name;
use crate::document::Node;
use crate::graph::{Context, EdgeSink, Evidence};

declare_technique! {
    /// ## What
    /// A container that adds the capability `SYS_ADMIN`, `SYS_MODULE` or `ALL` → its node,
    /// reached from its workload (`T-RUN-IN-CONTAINER`).
    ///
    /// ## Why
    /// `SYS_ADMIN` mounts file systems and cgroups (the cgroup `release_agent` escape),
    /// `SYS_MODULE` loads kernel modules; either runs code as root on the node.
    ///
    /// ## Evidence
    /// The capability in `securityContext.capabilities.add`.
    ///
    /// ## MITRE
    /// T1611 (Escape to Host), T1068 (Exploitation for Privilege Escalation).
    pub struct EscapeSysAdmin {
        id: "T-ESCAPE-SYS-ADMIN",
        slug: "escape-sys-admin",
        name: "Escape with SYS_ADMIN",
        mitre: ["T1611", "T1068"],
    }
}

impl Technique for EscapeSysAdmin {
    fn add_edges(&self, context: &Context<'_>, out: &mut EdgeSink<'_>) {
        escape_edges(context, out, |w| {
            let mut evidence = Vec::new();
            for container in w.pod.containers() {
                let Some(capabilities) = container.effective("capabilities") else {
                    continue;
                };
                for item in capabilities.node.get("add").map_or(&[][..], Node::items) {
                    let Some(name) = capability_name(item) else {
                        continue;
                    };
                    if matches!(name.as_str(), "SYS_ADMIN" | "SYS_MODULE" | "ALL") {
                        evidence.push((
                            container.name().to_string(),
                            Evidence::at(
                                w.file(),
                                item.pos,
                                format!("{} adds {name}", container.describe()),
                            ),
                        ));
                    }
                }
            }
            evidence
        });
    }
}
