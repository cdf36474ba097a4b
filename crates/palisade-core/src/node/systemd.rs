//! Reading a service's command line from its systemd unit and drop-ins, as systemd would run
//! it: directives of the `[Service]` section in unit-then-drop-in order, `Environment=` and
//! `EnvironmentFile=` (a leading `-` makes a missing file acceptable; file values override
//! `Environment=` ones), `ExecStart=` reset by an empty `ExecStart=`, and `$VAR` (split into
//! words) and `${VAR}` (substituted in place) expansion. Pure: the caller hands in texts.

use std::collections::HashMap;

use crate::node::flags::Arg;

/// One `Key=value` line of a `[Service]` section.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Directive {
    key: String,
    value: String,
    file: String,
    line: u32,
}

/// A unit file or drop-in and its text.
#[derive(Debug, Clone, Copy)]
pub struct UnitText<'a> {
    /// Its path on the node.
    pub path: &'a str,
    /// Its content.
    pub text: &'a str,
}

/// What a service runs, resolved from its units.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceCommand {
    /// The expanded command line, program first; empty when no `ExecStart=` is left.
    pub argv: Vec<Arg>,
    /// `WorkingDirectory=`, where relative paths resolve (systemd's default is `/`).
    pub working_directory: Option<String>,
    /// `IPAddressDeny=` and where it was set.
    pub ip_address_deny: Option<Arg>,
    /// Environment files named but absent although not marked optional.
    pub missing_environment_files: Vec<String>,
}

/// Reads the `[Service]` directives of the units in order, joining continued lines.
fn directives(units: &[UnitText<'_>]) -> Vec<Directive> {
    let mut out = Vec::new();
    for unit in units {
        let mut in_service = false;
        let mut pending: Option<(String, u32)> = None;
        for (index, raw) in unit.text.lines().enumerate() {
            let line_no = index as u32 + 1;
            let (mut text, start) = match pending.take() {
                Some((previous, start)) => (previous + " " + raw.trim(), start),
                None => (raw.trim().to_string(), line_no),
            };
            if let Some(stripped) = text.strip_suffix('\\') {
                text = stripped.trim_end().to_string();
                pending = Some((text, start));
                continue;
            }
            if text.is_empty() || text.starts_with('#') || text.starts_with(';') {
                continue;
            }
            if text.starts_with('[') {
                in_service = text == "[Service]";
                continue;
            }
            if !in_service {
                continue;
            }
            if let Some((key, value)) = text.split_once('=') {
                out.push(Directive {
                    key: key.trim().to_string(),
                    value: value.trim().to_string(),
                    file: unit.path.to_string(),
                    line: start,
                });
            }
        }
    }
    out
}

/// Splits a value into words, honouring double and single quotes and backslash escapes.
/// Each word says whether it was quoted (quoted `$VAR` is not split).
fn words(text: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek().is_none() {
            break;
        }
        let mut word = String::new();
        let mut quoted = false;
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() {
                break;
            }
            chars.next();
            match c {
                '"' | '\'' => {
                    quoted = true;
                    for inner in chars.by_ref() {
                        if inner == c {
                            break;
                        }
                        word.push(inner);
                    }
                }
                '\\' => {
                    if let Some(next) = chars.next() {
                        word.push(next);
                    }
                }
                _ => word.push(c),
            }
        }
        out.push((word, quoted));
    }
    out
}

/// The paths named by `EnvironmentFile=` in the units, with whether each may be absent.
pub fn environment_files(units: &[UnitText<'_>]) -> Vec<(String, bool)> {
    directives(units)
        .into_iter()
        .filter(|d| d.key == "EnvironmentFile")
        .filter_map(|d| {
            let value = d.value.trim();
            if value.is_empty() {
                return None;
            }
            Some(match value.strip_prefix('-') {
                Some(path) => (path.to_string(), true),
                None => (value.to_string(), false),
            })
        })
        .collect()
}

/// A variable's value and where it was set.
#[derive(Debug, Clone)]
struct Var {
    value: String,
    file: String,
    line: u32,
}

/// Reads `KEY=value` lines of an environment file.
fn parse_environment_file(path: &str, text: &str, vars: &mut HashMap<String, Var>) {
    let mut pending: Option<(String, u32)> = None;
    for (index, raw) in text.lines().enumerate() {
        let line_no = index as u32 + 1;
        let (mut line, start) = match pending.take() {
            Some((previous, start)) => (previous + raw.trim(), start),
            None => (raw.trim().to_string(), line_no),
        };
        if let Some(stripped) = line.strip_suffix('\\') {
            line = stripped.to_string();
            pending = Some((line, start));
            continue;
        }
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(&line);
        if let Some((key, value)) = line.split_once('=') {
            let value = value.trim();
            let value = unquote(value);
            vars.insert(
                key.trim().to_string(),
                Var {
                    value,
                    file: path.to_string(),
                    line: start,
                },
            );
        }
    }
}

fn unquote(value: &str) -> String {
    for q in ['"', '\''] {
        if value.len() >= 2 && value.starts_with(q) && value.ends_with(q) {
            return value[1..value.len() - 1].to_string();
        }
    }
    value.to_string()
}

/// Resolves the command a service runs. `read` gives the text of an environment file, or
/// `None` when it is absent or unreadable.
pub fn resolve_service<'a>(
    units: &[UnitText<'_>],
    read: impl Fn(&str) -> Option<&'a str>,
) -> ServiceCommand {
    let directives = directives(units);
    let mut vars: HashMap<String, Var> = HashMap::new();
    let mut file_vars: HashMap<String, Var> = HashMap::new();
    let mut exec: Option<&Directive> = None;
    let mut out = ServiceCommand::default();
    for d in &directives {
        match d.key.as_str() {
            "Environment" => {
                if d.value.is_empty() {
                    vars.clear();
                }
                for (word, _) in words(&d.value) {
                    if let Some((key, value)) = word.split_once('=') {
                        vars.insert(
                            key.to_string(),
                            Var {
                                value: value.to_string(),
                                file: d.file.clone(),
                                line: d.line,
                            },
                        );
                    }
                }
            }
            "EnvironmentFile" => {
                let value = d.value.trim();
                let (path, optional) = match value.strip_prefix('-') {
                    Some(path) => (path, true),
                    None => (value, false),
                };
                if path.is_empty() {
                    continue;
                }
                match read(path) {
                    Some(text) => parse_environment_file(path, text, &mut file_vars),
                    None if !optional => out.missing_environment_files.push(path.to_string()),
                    None => {}
                }
            }
            "ExecStart" => exec = (!d.value.is_empty()).then_some(d),
            "WorkingDirectory" => {
                let dir = d.value.trim_start_matches('-');
                out.working_directory = (!dir.is_empty()).then(|| dir.to_string());
            }
            "IPAddressDeny" => {
                out.ip_address_deny = Some(Arg {
                    text: d.value.clone(),
                    file: d.file.clone(),
                    line: d.line,
                });
            }
            _ => {}
        }
    }
    // Files are read after Environment= and override it.
    vars.extend(file_vars);
    let Some(exec) = exec else {
        return out;
    };
    let command = exec.value.trim_start_matches(['-', '@', ':', '+', '!']);
    for (word, quoted) in words(command) {
        if !quoted && let Some(name) = word.strip_prefix('$').filter(|n| is_name(n)) {
            if let Some(var) = vars.get(name) {
                for part in var.value.split_whitespace() {
                    out.argv.push(Arg {
                        text: part.to_string(),
                        file: var.file.clone(),
                        line: var.line,
                    });
                }
            }
            continue;
        }
        let (text, origin) = substitute_braced(&word, &vars);
        let (file, line) = match origin {
            Some(var) => (var.file.clone(), var.line),
            None => (exec.file.clone(), exec.line),
        };
        out.argv.push(Arg { text, file, line });
    }
    out
}

fn is_name(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Replaces every `${NAME}` in a word; returns the last variable used, for its location.
fn substitute_braced<'v>(word: &str, vars: &'v HashMap<String, Var>) -> (String, Option<&'v Var>) {
    let mut out = String::new();
    let mut origin = None;
    let mut rest = word;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        if let Some(end) = after.find('}') {
            if let Some(var) = vars.get(&after[..end]) {
                out.push_str(&var.value);
                origin = Some(var);
            }
            rest = &after[end + 1..];
        } else {
            out.push_str(&rest[start..]);
            rest = "";
        }
    }
    out.push_str(rest);
    (out, origin)
}

#[cfg(test)]
mod tests {
    use super::*;

    const UNIT: &str =
        "[Unit]\nDescription=kubelet\n\n[Service]\nExecStart=/usr/bin/kubelet\nRestart=always\n";
    const DROP_IN: &str = "[Service]\nEnvironment=\"KUBELET_KUBECONFIG_ARGS=--kubeconfig=/etc/kubernetes/kubelet.conf\"\nEnvironment=\"KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml\"\nEnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env\nEnvironmentFile=-/etc/default/kubelet\nExecStart=\nExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS \\\n    $KUBELET_EXTRA_ARGS\n";

    #[test]
    fn drop_in_resets_exec_start_and_expands_variables() {
        let units = [
            UnitText {
                path: "/usr/lib/systemd/system/kubelet.service",
                text: UNIT,
            },
            UnitText {
                path: "/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf",
                text: DROP_IN,
            },
        ];
        let env = "KUBELET_KUBEADM_ARGS=\"--node-ip=10.0.0.5 --read-only-port=10255\"\n";
        let service = resolve_service(&units, |path| {
            (path == "/var/lib/kubelet/kubeadm-flags.env").then_some(env)
        });
        let texts: Vec<&str> = service.argv.iter().map(|a| a.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "/usr/bin/kubelet",
                "--kubeconfig=/etc/kubernetes/kubelet.conf",
                "--config=/var/lib/kubelet/config.yaml",
                "--node-ip=10.0.0.5",
                "--read-only-port=10255"
            ]
        );
        assert_eq!(service.argv[4].file, "/var/lib/kubelet/kubeadm-flags.env");
        assert_eq!(service.argv[1].line, 2);
        assert!(service.missing_environment_files.is_empty());
    }

    #[test]
    fn braced_variables_substitute_in_place_and_required_files_are_reported() {
        let unit = "[Service]\nEnvironment=DIR=/etc/kubelet\nEnvironmentFile=/etc/missing.env\nExecStart=/bin/kubelet --config=${DIR}/config.yaml\nWorkingDirectory=/var/lib/kubelet\n";
        let service = resolve_service(
            &[UnitText {
                path: "/etc/systemd/system/kubelet.service",
                text: unit,
            }],
            |_| None,
        );
        assert_eq!(service.argv[1].text, "--config=/etc/kubelet/config.yaml");
        assert_eq!(service.missing_environment_files, ["/etc/missing.env"]);
        assert_eq!(
            service.working_directory.as_deref(),
            Some("/var/lib/kubelet")
        );
    }
}

#[cfg(test)]
mod robustness {
    use proptest::prelude::*;

    use super::*;
    use crate::node::components::{parse_config, version_in};
    use crate::node::flags::Flags;

    proptest! {
        /// Whatever a unit, an environment file or a command line holds, reading it never panics.
        #[test]
        fn units_flags_and_configs_never_panic(
            unit in "(\\[Service\\]\n)?([A-Za-z$={}\"'\\\\ \n-]|ExecStart=|Environment=|EnvironmentFile=|\u{e9}){0,200}",
            env in "[A-Za-z_=\"'\\\\ \n$#{}\u{e9}-]{0,100}",
        ) {
            let service = resolve_service(&[UnitText { path: "/u", text: &unit }], |_| Some(env.as_str()));
            let _ = Flags::parse(&service.argv);
            let _ = parse_config(&unit);
            let _ = version_in(&unit);
            let _ = environment_files(&[UnitText { path: "/u", text: &env }]);
        }
    }
}
