//! Command-line flags of Kubernetes components, parsed the way their flag library reads them:
//! `--flag=value` and `--flag value`, boolean flags without a value, and the last occurrence
//! of a repeated flag winning. Every argument remembers the file and line it came from, so a
//! check can say where a setting was found.

/// One command-line argument and where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arg {
    /// The argument's text.
    pub text: String,
    /// The file it came from (a manifest, a unit, `/proc/<pid>/cmdline`).
    pub file: String,
    /// Its 1-based line in that file, 0 when there are no lines (a process).
    pub line: u32,
}

/// A flag's value and where it was set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagValue {
    /// The flag name without dashes.
    pub name: String,
    /// The value; `true` for a boolean flag given alone.
    pub value: String,
    /// Where it was written.
    pub file: String,
    /// Its line, 0 when unknown.
    pub line: u32,
}

/// The flags of one command line, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Flags {
    values: Vec<FlagValue>,
}

/// Flags that take no separate value: `--profiling false` would otherwise read `false` as the
/// value, which the components' flag library does not do for booleans.
const BOOLEAN_FLAGS: &[&str] = &[
    "allow-privileged",
    "anonymous-auth",
    "auto-tls",
    "client-cert-auth",
    "enable-bootstrap-token-auth",
    "enable-debugging-handlers",
    "fail-swap-on",
    "make-iptables-util-chains",
    "peer-auto-tls",
    "peer-client-cert-auth",
    "profiling",
    "protect-kernel-defaults",
    "rotate-certificates",
    "rotate-server-certificates",
    "seccomp-default",
    "service-account-extend-token-expiration",
    "service-account-lookup",
    "use-service-account-credentials",
    "v",
];

impl Flags {
    /// Parses arguments after the program name.
    pub fn parse(args: &[Arg]) -> Flags {
        let mut values = Vec::new();
        let mut i = 0;
        while i < args.len() {
            let arg = &args[i];
            i += 1;
            let Some(body) = arg
                .text
                .strip_prefix("--")
                .or_else(|| arg.text.strip_prefix('-'))
            else {
                continue;
            };
            if body.is_empty() {
                // `--` ends the flags.
                break;
            }
            let (name, value) = match body.split_once('=') {
                Some((name, value)) => (name.to_string(), value.to_string()),
                None if BOOLEAN_FLAGS.contains(&body) => (body.to_string(), "true".to_string()),
                None => match args.get(i) {
                    Some(next) if !next.text.starts_with('-') => {
                        i += 1;
                        (body.to_string(), next.text.clone())
                    }
                    _ => (body.to_string(), "true".to_string()),
                },
            };
            values.push(FlagValue {
                name,
                value,
                file: arg.file.clone(),
                line: arg.line,
            });
        }
        Flags { values }
    }

    /// Puts settings before every flag given, so that a flag given still wins over them
    /// (values read from a configuration file the command line names).
    pub fn prepend(&mut self, earlier: Vec<FlagValue>) {
        let mut values = earlier;
        values.append(&mut self.values);
        self.values = values;
    }

    /// The value in force: the last occurrence.
    pub fn get(&self, name: &str) -> Option<&FlagValue> {
        self.values.iter().rev().find(|v| v.name == name)
    }

    /// How many times a flag was given.
    pub fn count(&self, name: &str) -> usize {
        self.values.iter().filter(|v| v.name == name).count()
    }

    /// Every flag in order.
    pub fn all(&self) -> &[FlagValue] {
        &self.values
    }
}

/// Whether a comma-separated list value contains `item` exactly.
pub fn list_has(list: &str, item: &str) -> bool {
    list.split(',').any(|part| part.trim() == item)
}

/// The value of `key` in a `Key=value,Other=value` list (feature gates).
pub fn map_value<'a>(list: &'a str, key: &str) -> Option<&'a str> {
    list.split(',').find_map(|part| {
        let (k, v) = part.split_once('=')?;
        (k.trim() == key).then(|| v.trim())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(texts: &[&str]) -> Vec<Arg> {
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| Arg {
                text: (*t).to_string(),
                file: "f".to_string(),
                line: i as u32 + 1,
            })
            .collect()
    }

    #[test]
    fn last_occurrence_wins_and_both_forms_parse() {
        let flags = Flags::parse(&args(&[
            "--read-only-port=10255",
            "--config",
            "config.yaml",
            "--anonymous-auth",
            "--read-only-port",
            "0",
        ]));
        let port = flags.get("read-only-port").unwrap();
        assert_eq!((port.value.as_str(), port.line), ("0", 5));
        assert_eq!(flags.count("read-only-port"), 2);
        assert_eq!(flags.get("config").unwrap().value, "config.yaml");
        assert_eq!(flags.get("anonymous-auth").unwrap().value, "true");
    }

    #[test]
    fn boolean_flags_do_not_take_the_next_argument() {
        let flags = Flags::parse(&args(&["--profiling", "--bind-address", "0.0.0.0"]));
        assert_eq!(flags.get("profiling").unwrap().value, "true");
        assert_eq!(flags.get("bind-address").unwrap().value, "0.0.0.0");
    }

    #[test]
    fn lists_and_maps() {
        assert!(list_has("Node,RBAC", "RBAC"));
        assert!(!list_has("Node,RBACX", "RBAC"));
        assert_eq!(map_value("A=true, B=false", "B"), Some("false"));
    }
}
