//! The cluster's Pod Security defaults, read from the admission configuration the API server
//! on this node is given (`--admission-control-config-file`): the `PodSecurity` plugin's
//! `PodSecurityConfiguration`, inline or in a file of its own. Section 5 applies them to
//! namespaces that carry no Pod Security labels.

use crate::document::Node;
use crate::node::components::{ComponentKind, ConfigState, NodeView, join, parse_config};
use crate::node::snapshot::{FileRecord, Snapshot};
use crate::pss::namespaces::ClusterDefaults;

/// The flag that names the admission configuration.
pub const FLAG: &str = "admission-control-config-file";

/// The Pod Security defaults of the API server in `view`, with a note saying where they came
/// from or why they could not be read (then every mode defaults to privileged, as the API
/// server's own default is). `None` for the note when no admission configuration is given.
pub fn pod_security_defaults(
    snapshot: &Snapshot,
    view: &NodeView,
) -> (ClusterDefaults, Option<String>) {
    let Some(path) = admission_config_path(view) else {
        return (ClusterDefaults::default(), None);
    };
    let fallback = |reason: String| {
        (
            ClusterDefaults::default(),
            Some(format!(
                "Pod Security defaults: {reason}; namespaces without labels are taken as privileged"
            )),
        )
    };
    let root = match read_config(snapshot, &path) {
        Ok(root) => root,
        Err(reason) => return fallback(reason),
    };
    let Some(plugin) = pod_security_plugin(&root) else {
        return (
            ClusterDefaults::default(),
            Some(format!(
                "Pod Security defaults: {path} configures no PodSecurity plugin (privileged)"
            )),
        );
    };
    let (config, from) = match plugin_configuration(snapshot, &path, plugin) {
        Ok(found) => found,
        Err(reason) => return fallback(reason),
    };
    match ClusterDefaults::from_configuration(&config) {
        Ok(defaults) => {
            let note = format!(
                "Pod Security defaults from {from}: enforce {}{}",
                describe(&defaults),
                if defaults.exempt_namespaces.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; exempt namespaces {}",
                        defaults.exempt_namespaces.join(", ")
                    )
                }
            );
            (defaults, Some(note))
        }
        Err(reason) => fallback(format!("{from}: {reason}")),
    }
}

/// Files the defaults are read from, for the collector: the admission configuration and,
/// once it is read, the PodSecurity plugin's own file when it names one.
pub fn referenced_paths(snapshot: &Snapshot, view: &NodeView) -> Vec<String> {
    let Some(path) = admission_config_path(view) else {
        return Vec::new();
    };
    let mut out = vec![path.clone()];
    if let Ok(root) = read_config(snapshot, &path)
        && let Some(file) = pod_security_plugin(&root)
            .and_then(|plugin| plugin.get("path"))
            .and_then(Node::as_str)
    {
        out.push(relative_to(&path, file));
    }
    out
}

fn admission_config_path(view: &NodeView) -> Option<String> {
    let api = view.component(ComponentKind::ApiServer)?;
    let flag = api.flag(FLAG)?;
    Some(api.resolve_path(&flag.value))
}

fn describe(defaults: &ClusterDefaults) -> String {
    let enforce = defaults.modes[0];
    let level = enforce.level.map_or("privileged", |l| l.as_str());
    format!("{level}:{}", enforce.version)
}

fn read_config(snapshot: &Snapshot, path: &str) -> Result<Node, String> {
    match snapshot.file(path) {
        None | Some(FileRecord::NotFound) => return Err(format!("{path} not found")),
        Some(FileRecord::Unreadable { reason, .. }) => {
            return Err(format!("{path} unreadable: {reason}"));
        }
        _ => {}
    }
    match parse_config(snapshot.content(path).unwrap_or_default()) {
        ConfigState::Loaded(root) => Ok(root),
        ConfigState::Broken(reason) => Err(format!("{path}: {reason}")),
        _ => Err(format!("{path} is empty")),
    }
}

fn pod_security_plugin(root: &Node) -> Option<&Node> {
    root.get("plugins")?
        .items()
        .iter()
        .find(|p| p.get("name").and_then(Node::as_str) == Some("PodSecurity"))
}

/// The plugin's `PodSecurityConfiguration`: inline under `configuration`, or in the file its
/// `path` names (relative to the admission configuration's directory), with where it was.
fn plugin_configuration(
    snapshot: &Snapshot,
    admission_path: &str,
    plugin: &Node,
) -> Result<(Node, String), String> {
    if let Some(config) = plugin.get("configuration") {
        return Ok((config.clone(), admission_path.to_string()));
    }
    match plugin.get("path").and_then(Node::as_str) {
        Some(file) => {
            let path = relative_to(admission_path, file);
            read_config(snapshot, &path).map(|root| (root, path))
        }
        None => Err(format!(
            "the PodSecurity plugin in {admission_path} has neither configuration nor path"
        )),
    }
}

fn relative_to(config_path: &str, file: &str) -> String {
    let dir = config_path.rsplit_once('/').map_or("/", |(dir, _)| dir);
    join(dir, file)
}
