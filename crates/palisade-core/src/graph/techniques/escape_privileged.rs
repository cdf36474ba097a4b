//! Privileged container → its node.

use super::{Technique, escape_edges};
use crate::graph::{Context, EdgeSink, Evidence};

declare_technique! {
    /// ## What
    /// A privileged container (`securityContext.privileged: true`) → its node. The path reaches
    /// the container from its workload (`T-RUN-IN-CONTAINER`).
    ///
    /// ## Why
    /// A privileged container has every capability and every device of the host: mounting the
    /// node's disk or loading a kernel module is one command away.
    ///
    /// ## Evidence
    /// The `privileged` setting.
    ///
    /// ## MITRE
    /// T1611 (Escape to Host).
    pub struct EscapePrivileged {
        id: "T-ESCAPE-PRIVILEGED",
        slug: "escape-privileged",
        name: "Escape from a privileged container",
        mitre: ["T1611"],
    }
}

impl Technique for EscapePrivileged {
    fn add_edges(&self, context: &Context<'_>, out: &mut EdgeSink<'_>) {
        escape_edges(context, out, |w| {
            w.pod
                .containers()
                .filter_map(|c| {
                    let setting = c.effective("privileged")?;
                    (setting.node.as_bool() == Some(true)).then(|| {
                        let evidence =
                            Evidence::at(w.file(), setting.pos, format!("{} runs privileged", c.describe()));
                        (c.name().to_string(), evidence)
                    })
                })
                .collect()
        });
    }
}
