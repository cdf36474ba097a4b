//! Unit tests of the detection engine.

use super::*;

const EXEC: &str = r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","stage":"ResponseStarted","verb":"create",
"requestURI":"/api/v1/namespaces/default/pods/web-1/exec?command=sh&container=app&stdin=true",
"user":{"username":"alice","groups":["dev","system:authenticated"]},"sourceIPs":["203.0.113.7"],
"objectRef":{"resource":"pods","namespace":"default","name":"web-1","subresource":"exec","apiVersion":"v1"},
"responseStatus":{"code":101},"annotations":{"authorization.k8s.io/decision":"allow"},
"stageTimestamp":"2024-05-01T10:00:00.123456Z"}"#;

const PRIV_POD: &str = r#"{"kind":"Event","stage":"ResponseComplete","verb":"create","user":{"username":"bob"},
"objectRef":{"resource":"pods","namespace":"prod","apiVersion":"v1"},"responseStatus":{"code":201},
"requestObject":{"kind":"Pod","spec":{"hostPID":true,"containers":[{"name":"a","image":"nginx:1.25"},
{"name":"b","image":"evil/miner@sha256:00","securityContext":{"privileged":true}}],
"volumes":[{"name":"h","hostPath":{"path":"/etc/kubernetes/pki"}},{"name":"c","configMap":{"name":"x"}}]}},
"responseObject":{"metadata":{"name":"p1"}},"stageTimestamp":"2024-05-01T10:00:01Z"}"#;

fn event(text: &str) -> AuditEvent {
    parse_audit_json(text).unwrap().remove(0)
}

fn falco(rules: &str) -> (RuleSet, Vec<LoadError>) {
    let source = RuleSource {
        file: "test.yaml",
        text: rules,
        format: RuleFormat::Falco,
    };
    load_rules(
        &[source],
        &LoadOptions {
            default_rules: false,
            strict: false,
        },
    )
}

fn rule(condition: &str) -> String {
    format!("- rule: r\n  desc: d\n  condition: {condition}\n  output: o\n  priority: WARNING\n")
}

fn fires(condition: &str, event_text: &str) -> bool {
    let (set, errors) = falco(&rule(condition));
    assert!(errors.is_empty(), "{condition}: {errors:?}");
    !set.evaluate(&event(event_text)).is_empty()
}

#[test]
fn parses_event_list_and_array() {
    let text = r#"{"kind":"EventList","items":[{"kind":"Event","verb":"get"},{"kind":"Event","verb":"list"}]}"#;
    let events = parse_audit_json(text).unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[1].verb(), Some("list"));
    let events = parse_audit_json(r#"[{"kind":"Event","verb":"get"}]"#).unwrap();
    assert_eq!(events.len(), 1);
}

#[test]
fn bad_json_reports_position() {
    let err = parse_audit_json("{\"kind\": ").unwrap_err();
    assert_eq!(err.line, Some(1));
    assert!(parse_audit_json(r#"{"kind": 0}"#).is_err());
    assert!(parse_audit_json("42").is_err());
}

#[test]
fn unwraps_azure_records_and_google_entries() {
    let inner =
        r#"{\"kind\":\"Event\",\"verb\":\"delete\",\"objectRef\":{\"resource\":\"events\"}}"#;
    let azure =
        format!(r#"{{"records":[{{"category":"kube-audit","properties":{{"log":"{inner}"}}}}]}}"#);
    let events = parse_audit_json(&azure).unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].resource(), Some("events"));

    let google = r#"{"insertId":"abc","timestamp":"2024-05-01T10:00:00Z","labels":{"authorization.k8s.io/decision":"allow"},
      "protoPayload":{"methodName":"io.k8s.core.v1.pods.exec.create","resourceName":"core/v1/namespaces/prod/pods/web/exec",
      "authenticationInfo":{"principalEmail":"mallory@example.com"},"requestMetadata":{"callerIp":"198.51.100.1"},"status":{"code":0}}}"#;
    let e = event(google);
    assert_eq!(e.verb(), Some("create"));
    assert_eq!(e.resource(), Some("pods"));
    assert_eq!(e.user_name(), Some("mallory@example.com"));
    assert_eq!(e.str_in("objectRef", "subresource"), Some("exec"));
    assert_eq!(e.str_in("objectRef", "namespace"), Some("prod"));
    assert_eq!(e.time(), "2024-05-01T10:00:00Z");
    assert!(fires(
        "ka.auth.decision=allow and ka.response.code=200 and ka.sourceips intersects (198.51.100.1)",
        google
    ));
}

#[test]
fn priorities_parse_and_order() {
    assert_eq!(Priority::parse("WARNING"), Some(Priority::Warning));
    assert_eq!(Priority::parse("info"), Some(Priority::Informational));
    assert_eq!(Priority::parse("high"), Some(Priority::Error));
    assert!(Priority::Critical > Priority::Warning);
    assert_eq!(Priority::Notice.as_str(), "Notice");
}

#[test]
fn precedence_is_not_then_and_then_or() {
    // `a or b and not c` is `a or (b and (not c))`.
    assert!(fires(
        "ka.verb=create or ka.verb=get and not ka.verb=create",
        EXEC
    ));
    assert!(!fires(
        "(ka.verb=get or ka.verb=create) and not ka.target.subresource=exec",
        EXEC
    ));
    assert!(fires("not not ka.verb=create", EXEC));
}

#[test]
fn operators() {
    let cases = [
        ("ka.user.name=alice", true),
        ("ka.user.name==alice", true),
        ("ka.user.name!=alice", false),
        ("ka.response.code<200", true),
        ("ka.response.code<=101", true),
        ("ka.response.code>101", false),
        ("ka.response.code>=101", true),
        ("ka.uri contains exec", true),
        ("ka.user.name icontains ALI", true),
        ("ka.uri startswith /api/v1/", true),
        ("ka.uri endswith 'stdin=true'", true),
        ("ka.target.name glob 'web-?'", true),
        ("ka.target.name glob 'web-[!1]'", false),
        ("ka.user.name in (bob, alice)", true),
        ("ka.user.groups in (dev, system:authenticated)", true),
        ("ka.user.groups in (dev)", false),
        ("ka.user.groups intersects (dev, ops)", true),
        ("ka.uri.param[command]=sh", true),
        ("ka.uri.param[missing] exists", false),
        ("ka.impuser.name exists", false),
        ("jevt.value[/objectRef/name]=web-1", true),
        ("jevt.value[/responseStatus/code]=101", true),
        ("jevt.rawtime exists", true),
        ("ka.sourceips intersects (203.0.113.0/24, 10.0.0.0/8)", true),
        ("ka.sourceips intersects (198.51.100.0/24)", false),
        ("ka.user.name regex '^al'", true),
    ];
    for (condition, expected) in cases {
        assert_eq!(fires(condition, EXEC), expected, "{condition}");
    }
}

#[test]
fn pod_fields() {
    let cases = [
        ("ka.req.pod.containers.privileged intersects (true)", true),
        ("ka.req.container.privileged=true", true),
        (
            "ka.req.pod.containers.image.repository in (nginx, evil/miner)",
            true,
        ),
        ("ka.req.pod.containers.image.repository in (nginx)", false),
        ("ka.req.pod.containers.image[1]=evil/miner@sha256:00", true),
        ("ka.req.pod.host_pid intersects (true)", true),
        ("ka.req.pod.host_network=true", false),
        ("ka.req.pod.volumes.hostpath pmatch (/etc, /root)", true),
        ("ka.req.pod.volumes.hostpath pmatch (/et)", false),
        ("ka.req.volume.hostpath[/etc*]=true", true),
        ("ka.req.volume.hostpath[/etc]=true", false),
        ("ka.req.pod.containers.eff_run_as_user in (0)", true),
        ("ka.resp.name=p1", true),
    ];
    for (condition, expected) in cases {
        assert_eq!(fires(condition, PRIV_POD), expected, "{condition}");
    }
}

#[test]
fn output_substitutes_fields() {
    let (set, errors) = falco(
        "- rule: r\n  desc: d\n  condition: ka.verb=create\n  output: \"exec by %ka.user.name into %ka.target.name (cmd=%ka.uri.param[command] imp=%ka.impuser.name groups=%ka.user.groups) 100%\"\n  priority: ERROR\n  tags: [a, b]\n",
    );
    assert!(errors.is_empty(), "{errors:?}");
    let matches = set.evaluate(&event(EXEC));
    assert_eq!(matches.len(), 1);
    let m = &matches[0];
    assert_eq!(
        m.output,
        "exec by alice into web-1 (cmd=sh imp=<NA> groups=(dev,system:authenticated)) 100%"
    );
    assert_eq!(m.output_fields["ka.user.name"], serde_json::json!("alice"));
    assert_eq!(m.output_fields["ka.impuser.name"], serde_json::Value::Null);
    assert_eq!(
        m.output_fields["ka.uri.param[command]"],
        serde_json::json!("sh")
    );
    assert_eq!(m.priority, Priority::Error);
    assert_eq!(m.tags, vec!["a".to_owned(), "b".to_owned()]);
    assert_eq!(m.time, "2024-05-01T10:00:00.123456Z");
}

#[test]
fn lists_macros_append_and_override() {
    let base = "- list: users\n  items: [bob]\n- macro: is_user\n  condition: ka.user.name in (users)\n- rule: r\n  desc: d\n  condition: is_user\n  output: o\n  priority: INFO\n";
    let extra = "- list: users\n  items: [alice]\n  append: true\n";
    let sources = [
        RuleSource {
            file: "a.yaml",
            text: base,
            format: RuleFormat::Falco,
        },
        RuleSource {
            file: "b.yaml",
            text: extra,
            format: RuleFormat::Falco,
        },
    ];
    let options = LoadOptions {
        default_rules: false,
        strict: false,
    };
    let (set, errors) = load_rules(&sources, &options);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(set.evaluate(&event(EXEC)).len(), 1);

    // override: replace the macro, append to the rule's condition.
    let over = "- macro: is_user\n  condition: ka.user.name=alice\n  override:\n    condition: replace\n- rule: r\n  condition: and ka.verb=get\n  override:\n    condition: append\n";
    let sources = [
        RuleSource {
            file: "a.yaml",
            text: base,
            format: RuleFormat::Falco,
        },
        RuleSource {
            file: "c.yaml",
            text: over,
            format: RuleFormat::Falco,
        },
    ];
    let (set, errors) = load_rules(&sources, &options);
    assert!(errors.is_empty(), "{errors:?}");
    assert!(set.evaluate(&event(EXEC)).is_empty());

    // A later `enabled: false` switches the rule off.
    let off = "- rule: r\n  enabled: false\n";
    let sources = [
        RuleSource {
            file: "a.yaml",
            text: base,
            format: RuleFormat::Falco,
        },
        RuleSource {
            file: "d.yaml",
            text: off,
            format: RuleFormat::Falco,
        },
    ];
    let (set, errors) = load_rules(&sources, &options);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(set.len(), 0);
}

#[test]
fn exceptions_exclude_matching_events() {
    let text = "- rule: r\n  desc: d\n  condition: ka.verb=create\n  output: o\n  priority: INFO\n  exceptions:\n    - name: trusted\n      fields: [ka.user.name, ka.target.namespace]\n      comps: [=, in]\n      values:\n        - [alice, [default, prod]]\n";
    let (set, errors) = falco(text);
    assert!(errors.is_empty(), "{errors:?}");
    assert!(set.evaluate(&event(EXEC)).is_empty());
    assert_eq!(set.evaluate(&event(PRIV_POD)).len(), 1);
    let single = "- rule: r\n  desc: d\n  condition: ka.verb=create\n  output: o\n  priority: INFO\n  exceptions:\n    - name: users\n      fields: ka.user.name\n      values: [bob]\n";
    let (set, errors) = falco(single);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(set.evaluate(&event(EXEC)).len(), 1);
    assert!(set.evaluate(&event(PRIV_POD)).is_empty());
}

#[test]
fn errors_carry_file_line_and_column() {
    let text = "- rule: good\n  desc: d\n  condition: ka.verb=get\n  output: o\n  priority: INFO\n- rule: bad\n  desc: d\n  condition: ka.verb=get and ka.nope=1\n  output: o\n  priority: INFO\n";
    let (set, errors) = falco(text);
    assert_eq!(set.len(), 1, "the good rule still loads");
    assert_eq!(errors.len(), 1);
    let e = &errors[0];
    assert_eq!(
        (e.file.as_str(), e.line, e.column),
        ("test.yaml", 8, 30),
        "{e}"
    );
    assert!(e.message.contains("unknown field"), "{e}");
    assert_eq!(e.rule.as_deref(), Some("bad"));

    let (_, errors) = falco(&rule("(ka.verb=get"));
    assert_eq!(errors.len(), 1);
    assert!(errors[0].message.contains("expected ')'"), "{}", errors[0]);

    let (_, errors) = falco(&rule("no_such_macro"));
    assert!(
        errors[0].message.contains("undefined macro"),
        "{}",
        errors[0]
    );
    assert_eq!((errors[0].line, errors[0].column), (3, 14));

    let (_, errors) = falco(
        "- macro: m\n  condition: m\n- rule: r\n  desc: d\n  condition: m\n  output: o\n  priority: INFO\n",
    );
    assert!(
        errors[0].message.contains("refers to itself"),
        "{}",
        errors[0]
    );

    let (_, errors) = falco(
        "- rule: r\n  desc: d\n  condition: ka.verb=get\n  output: o %ka.bogus\n  priority: INFO\n",
    );
    assert!(errors[0].message.contains("in output"), "{}", errors[0]);
    assert_eq!(errors[0].line, 4);

    let (_, errors) = falco("- rule: r\n  condition: ka.verb=get\n");
    assert!(
        errors[0].message.contains("missing output, priority"),
        "{}",
        errors[0]
    );

    let (_, errors) = falco("- list: l\n  items: [a]\n  append: true\n");
    assert!(
        errors[0].message.contains("no earlier definition"),
        "{}",
        errors[0]
    );

    let strict = RuleSource {
        file: "s.yaml",
        text: "- rule: r\n  condition: x=\n",
        format: RuleFormat::Falco,
    };
    let (set, errors) = load_rules(
        &[strict],
        &LoadOptions {
            default_rules: true,
            strict: true,
        },
    );
    assert!(set.is_empty() && !errors.is_empty());
}

#[test]
fn accepts_version_requirements() {
    let (set, errors) = falco(&format!(
        "- required_engine_version: 0.31.0\n- required_plugin_versions:\n  - name: k8saudit\n    version: 0.1.0\n{}",
        rule("ka.verb=get")
    ));
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(set.len(), 1);
}

#[test]
fn index_files_rules_by_verb_and_resource() {
    let text = format!(
        "{}{}{}",
        rule("ka.verb=create and ka.target.resource in (pods, secrets)")
            .replace("rule: r", "rule: a"),
        rule("jevt.value[/verb] in (get, list)").replace("rule: r", "rule: b"),
        rule("ka.user.name=alice or ka.verb=get").replace("rule: r", "rule: c"),
    );
    let (set, errors) = falco(&text);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(set.candidate_count(Some("create"), Some("pods")), 2);
    assert_eq!(set.candidate_count(Some("create"), Some("configmaps")), 1);
    assert_eq!(set.candidate_count(Some("list"), None), 2);
    assert_eq!(set.candidate_count(None, None), 1);
    let names: Vec<String> = set
        .evaluate(&event(EXEC))
        .into_iter()
        .map(|m| m.rule)
        .collect();
    assert_eq!(names, vec!["a".to_owned(), "c".to_owned()]);
}

fn sigma(text: &str) -> RuleSet {
    let source = RuleSource {
        file: "s.yml",
        text,
        format: RuleFormat::Sigma,
    };
    let (set, errors) = load_rules(
        &[source],
        &LoadOptions {
            default_rules: false,
            strict: false,
        },
    );
    assert!(errors.is_empty(), "{errors:?}");
    set
}

fn sigma_rule(detection: &str) -> String {
    format!(
        "title: T\nid: 1234\nlevel: high\ntags: [attack.t1609]\nlogsource:\n  product: kubernetes\n  service: audit\ndetection:\n{detection}\n"
    )
}

#[test]
fn sigma_modifiers_and_conditions() {
    let cases = [
        ("  sel:\n    verb: CREATE\n  condition: sel", true),
        ("  sel:\n    verb|cased: CREATE\n  condition: sel", false),
        (
            "  sel:\n    objectRef.resource: pod*\n  condition: sel",
            true,
        ),
        (
            "  sel:\n    requestURI|contains|all: [exec, COMMAND=sh]\n  condition: sel",
            true,
        ),
        (
            "  sel:\n    requestURI|contains|all: [exec, attach]\n  condition: sel",
            false,
        ),
        (
            "  sel:\n    user.username|startswith: AL\n  condition: sel",
            true,
        ),
        (
            "  sel:\n    user.username|endswith: ce\n  condition: sel",
            true,
        ),
        (
            "  sel:\n    user.username|re: '^a.i'\n  condition: sel",
            true,
        ),
        (
            "  sel:\n    user.username|re: '^A'\n  condition: sel",
            false,
        ),
        (
            "  sel:\n    sourceIPs|cidr: 203.0.113.0/24\n  condition: sel",
            true,
        ),
        ("  sel:\n    user.groups: dev\n  condition: sel", true),
        (
            "  sel:\n    impersonatedUser|exists: true\n  condition: sel",
            false,
        ),
        ("  sel:\n    impersonatedUser: null\n  condition: sel", true),
        (
            "  sel:\n    responseStatus.code: [403, 101]\n  condition: sel",
            true,
        ),
        (
            "  a:\n    verb: get\n  b:\n    verb: create\n  condition: 1 of them",
            true,
        ),
        (
            "  a:\n    verb: get\n  b:\n    verb: create\n  condition: all of them",
            false,
        ),
        (
            "  sel_a:\n    verb: create\n  sel_b:\n    objectRef.subresource: exec\n  condition: all of sel_*",
            true,
        ),
        (
            "  a:\n    verb: create\n  b:\n    verb: get\n  condition: a and not (b or a)",
            false,
        ),
        ("  keywords:\n    - 'web-1'\n  condition: keywords", true),
        (
            "  sel:\n    - verb: get\n    - objectRef.subresource: exec\n  condition: sel",
            true,
        ),
    ];
    for (detection, expected) in cases {
        let set = sigma(&sigma_rule(detection));
        assert_eq!(
            set.evaluate(&event(EXEC)).len(),
            usize::from(expected),
            "{detection}"
        );
    }
    let set = sigma(&sigma_rule("  sel:\n    verb: create\n  condition: sel"));
    let m = &set.evaluate(&event(EXEC))[0];
    assert_eq!(m.rule, "T");
    assert_eq!(m.rule_id.as_deref(), Some("1234"));
    assert_eq!(m.priority, Priority::Error);
    assert_eq!(m.format, RuleFormat::Sigma);
    assert!(
        m.output.starts_with("T (user=alice verb=create"),
        "{}",
        m.output
    );
}

#[test]
fn sigma_errors_and_other_log_sources() {
    let other = "title: W\nlogsource:\n  product: windows\ndetection:\n  sel:\n    x: 1\n  condition: sel\n";
    assert_eq!(sigma(other).len(), 0);
    let source = RuleSource {
        file: "s.yml",
        text: &sigma_rule("  sel:\n    verb|bogus: x\n  condition: sel"),
        format: RuleFormat::Sigma,
    };
    let (_, errors) = load_rules(
        &[source],
        &LoadOptions {
            default_rules: false,
            strict: false,
        },
    );
    assert_eq!(errors.len(), 1);
    assert_eq!((errors[0].line, errors[0].column), (10, 5), "{}", errors[0]);
    let source = RuleSource {
        file: "s.yml",
        text: &sigma_rule("  sel:\n    verb: x\n  condition: sel and other"),
        format: RuleFormat::Sigma,
    };
    let (_, errors) = load_rules(
        &[source],
        &LoadOptions {
            default_rules: false,
            strict: false,
        },
    );
    assert!(
        errors[0].message.contains("unknown search"),
        "{}",
        errors[0]
    );
}

#[test]
fn default_rules_load_and_fire() {
    let (set, errors) = load_rules(&[], &LoadOptions::default());
    assert!(errors.is_empty(), "{errors:?}");
    assert!(set.len() >= 20);
    for info in set.rules() {
        assert!(
            info.tags.iter().any(|t| t.starts_with('T')),
            "{} has an ATT&CK technique",
            info.name
        );
        assert!(
            info.tags.iter().any(|t| t.starts_with("threat-matrix:")),
            "{} has a Threat Matrix technique",
            info.name
        );
        assert!(!info.description.is_empty());
    }
    let names = |text: &str| -> Vec<String> {
        set.evaluate(&event(text))
            .into_iter()
            .map(|m| m.rule)
            .collect()
    };
    assert_eq!(names(EXEC), vec!["Exec Into Pod".to_owned()]);
    assert_eq!(
        names(PRIV_POD),
        vec![
            "Privileged Pod Created".to_owned(),
            "Host Namespace Pod Created".to_owned(),
            "Sensitive HostPath Pod Created".to_owned()
        ]
    );
}

#[test]
fn known_bad_ranges_are_user_supplied() {
    let mine = RuleSource {
        file: "mine.yaml",
        text: "- list: pal_known_bad_source_ranges\n  items: [203.0.113.0/24]\n  append: true\n",
        format: RuleFormat::Falco,
    };
    let (set, errors) = load_rules(&[mine], &LoadOptions::default());
    assert!(errors.is_empty(), "{errors:?}");
    let stream_end = EXEC.replace("ResponseStarted", "ResponseComplete");
    let names: Vec<String> = set
        .evaluate(&event(&stream_end))
        .into_iter()
        .map(|m| m.rule)
        .collect();
    assert_eq!(names, vec!["Request From Known-Bad Source".to_owned()]);
}

#[test]
fn rule_set_is_shareable_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<RuleSet>();
    assert_send_sync::<AuditEvent>();
}

#[test]
fn deferred_objects_are_read_on_demand() {
    let e = event(PRIV_POD);
    assert_eq!(
        e.value().pointer("/requestObject/spec/hostPID"),
        Some(&serde_json::json!(true))
    );
    assert_eq!(e.value()["responseObject"]["metadata"]["name"], "p1");
    assert!(fires(
        "jevt.value[/requestObject/spec/containers/1/securityContext/privileged]=true",
        PRIV_POD
    ));
    assert!(fires(
        "jevt.value[/a~1b]=x",
        r#"{"kind":"Event","a/b":"x"}"#
    ));
    assert_eq!(e, AuditEvent::from_value(e.value().clone()));
    let list = format!(r#"{{"kind":"EventList","items":[{PRIV_POD}]}}"#);
    assert_eq!(parse_audit_json(&list).unwrap()[0], e);
}

mod robustness {
    use super::super::*;
    use proptest::prelude::*;

    const PIECES: &[&str] = &[
        "ka.verb",
        "=",
        "create",
        "(",
        ")",
        " and ",
        " or ",
        "not ",
        "in",
        "(a, b)",
        "\"q\"",
        "'",
        "[",
        "]",
        "jevt.value[/x]",
        "exists",
        "pmatch",
        "glob",
        "*",
        "!=",
        ",",
        "é",
        "\n",
        "macro_x",
        "<=",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn conditions_never_panic(parts in proptest::collection::vec(0..PIECES.len(), 0..24)) {
            let condition: String = parts.iter().map(|&i| PIECES[i]).collect();
            let text = format!("- macro: macro_x\n  condition: ka.verb=get\n- rule: r\n  desc: d\n  condition: {condition:?}\n  output: o %ka.verb\n  priority: INFO\n");
            let source = RuleSource { file: "p.yaml", text: &text, format: RuleFormat::Falco };
            let (set, _) = load_rules(&[source], &LoadOptions { default_rules: false, strict: false });
            let e = parse_audit_json(r#"{"kind":"Event","verb":"create","x":"a"}"#).unwrap();
            let _ = set.evaluate(&e[0]);
        }

        #[test]
        fn rule_files_never_panic(text in "\\PC{0,300}") {
            for format in [RuleFormat::Falco, RuleFormat::Sigma] {
                let source = RuleSource { file: "p.yaml", text: &text, format };
                let _ = load_rules(&[source], &LoadOptions { default_rules: false, strict: false });
            }
        }

        #[test]
        fn events_never_panic(text in "\\PC{0,300}") {
            if let Ok(events) = parse_audit_json(&text) {
                let (set, _) = load_rules(&[], &LoadOptions::default());
                for e in &events {
                    let _ = set.evaluate(e);
                }
            }
        }
    }
}

#[test]
fn odd_shapes_do_not_break_rules() {
    let (set, errors) = load_rules(&[], &LoadOptions::default());
    assert!(errors.is_empty());
    for text in [
        r#"{"kind":"Event","verb":"create","objectRef":{"resource":"pods"},"requestObject":"nope"}"#,
        r#"{"kind":"Event","verb":"create","objectRef":{"resource":"pods"},"requestObject":{"spec":[]}}"#,
        r#"{"kind":"Event","verb":"create","objectRef":{"resource":"pods"},"requestObject":{"spec":{"containers":{},"volumes":[1,null]}}}"#,
        r#"{"kind":"Event","verb":7,"objectRef":"x","user":[],"sourceIPs":"1.2.3.4","responseStatus":{"code":"x"}}"#,
        r#"{"kind":"Event","verb":"create","objectRef":{"resource":"pods","subresource":"exec"},"requestURI":"/x?%zz=%&command=%41"}"#,
    ] {
        let events = parse_audit_json(text).unwrap();
        let _ = set.evaluate(&events[0]);
    }
}

#[test]
fn tests_of_one_field_are_merged_without_changing_meaning() {
    assert!(fires(
        "ka.uri contains nope or ka.uri contains exec or ka.verb=get",
        EXEC
    ));
    assert!(!fires(
        "ka.uri contains exec and ka.uri contains nope",
        EXEC
    ));
    assert!(fires(
        "(ka.uri contains exec and (ka.uri startswith /api)) and not (ka.verb=get or ka.verb=list)",
        EXEC
    ));
    let (set, errors) = falco(&rule(
        "(ka.verb=create or ka.verb=update) and ka.user.name=alice",
    ));
    assert!(errors.is_empty());
    assert_eq!(set.candidate_count(Some("update"), None), 1);
    assert_eq!(set.candidate_count(Some("get"), None), 0);
}

#[test]
fn every_top_level_member_is_found_by_its_own_slot() {
    let text = r#"{"kind":"Event","verb":"get","objectRef":{"resource":"pods"},"user":{"username":"u"},
"responseStatus":{"code":200},"annotations":{"a":"b"},"sourceIPs":["1.2.3.4"],"userAgent":"ua",
"requestURI":"/api","impersonatedUser":{"username":"i"},"stageTimestamp":"2024-05-01T10:00:00Z",
"requestReceivedTimestamp":"2024-05-01T09:00:00Z","auditID":"x","stage":"ResponseComplete",
"requestObject":{"spec":{}},"responseObject":{"metadata":{"name":"n"}},"stageTimestampX":"no",
"verbs":"no","kinD":"no"}"#;
    let e = event(text);
    let whole = e.value().as_object().unwrap().clone();
    for (key, value) in &whole {
        let found = e.member(key).map(serde_json::Value::from);
        assert_eq!(found.as_ref(), Some(value), "{key}");
    }
    assert!(e.member("responseStatuz").is_none());
    assert!(e.member("").is_none());
    assert!(fires(
        "ka.response.code=200 and ka.response.code in (200, 201)",
        text
    ));
    assert!(fires("jevt.value[/responseStatus/code] = 200", text));
    assert!(fires("jevt.value[/x] = 1.5", r#"{"kind":"Event","x":1.5}"#));
    assert!(fires(
        "jevt.value[/x] = 12345",
        r#"{"kind":"Event","x":12345}"#
    ));
    assert!(fires("jevt.value[/x] = -3", r#"{"kind":"Event","x":-3}"#));
}

mod timestamps {
    use super::super::event::utc_timestamp_ns;
    use proptest::prelude::*;

    fn general(text: &str) -> Option<i128> {
        text.parse::<jiff::Timestamp>()
            .ok()
            .map(jiff::Timestamp::as_nanosecond)
    }

    #[test]
    fn the_fast_reader_agrees_with_the_general_parser() {
        for text in [
            "2026-11-01T00:00:00.000633Z",
            "1970-01-01T00:00:00Z",
            "1969-12-31T23:59:59.999999999Z",
            "2000-02-29T12:34:56.5Z",
            "2024-12-31T23:59:59.123456789Z",
            "0001-01-01T00:00:00Z",
            "9998-12-31T23:59:59Z",
        ] {
            assert_eq!(utc_timestamp_ns(text), general(text), "{text}");
        }
        for text in [
            "2023-02-29T00:00:00Z",
            "9999-12-31T23:59:59Z",
            "2024-13-01T00:00:00Z",
            "2024-01-01T24:00:00Z",
            "2024-01-01T00:00:00.Z",
            "2024-01-01T00:00:00.1234567890Z",
            "2024-01-01T00:00:00+01:00",
            "2024-01-01 00:00:00Z",
            "",
            "2024-01-01T00:00:00",
        ] {
            assert_eq!(utc_timestamp_ns(text), None, "{text}");
        }
    }

    proptest! {
        #[test]
        fn random_times_agree(
            year in 1i32..=9998, month in 1u32..=12, day in 1u32..=31,
            hour in 0u32..=23, minute in 0u32..=59, second in 0u32..=59,
            fraction in proptest::option::of("[0-9]{1,9}"),
        ) {
            let fraction = fraction.map(|f| format!(".{f}")).unwrap_or_default();
            let text = format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}{fraction}Z");
            prop_assert_eq!(utc_timestamp_ns(&text), general(&text));
        }
    }
}
