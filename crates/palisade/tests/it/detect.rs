//! `palisade detect audit`: alerts and summary on the `detect/` fixtures and on the audit
//! corpora, standard input, bad input and bad rules, follow mode, the webhook listener and the
//! alert forwarder (both on loopback only).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use crate::{fixtures, palisade, palisade_with_stdin};

/// The directory of one corpus, or `None` (after saying so) when it is absent.
fn corpus(name: &str) -> Option<PathBuf> {
    let root = match std::env::var_os("PALISADE_CORPORA") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora"),
    };
    let dir = root.join(name);
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("PALISADE_REQUIRE_CORPORA").is_none(),
        "corpus {name} not found at {} and PALISADE_REQUIRE_CORPORA is set",
        dir.display()
    );
    #[allow(clippy::print_stdout)]
    {
        println!("skipped: corpus not found at {}", dir.display());
    }
    None
}

fn alerts(stdout: &str) -> Vec<serde_json::Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

const RULES: &str = "detect/exec_rules.yaml";

#[test]
fn alerts_carry_the_falcosidekick_fields_and_the_event_location() {
    let run = palisade(&[
        "detect",
        "audit",
        "--no-default-rules",
        "--rules",
        RULES,
        "detect/events.jsonl",
        "detect/eventlist.json",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let alerts = alerts(&run.stdout);
    let seen: Vec<(String, String, u64)> = alerts
        .iter()
        .map(|a| {
            (
                a["rule"].as_str().unwrap().to_string(),
                a["event"]["file"].as_str().unwrap().to_string(),
                a["event"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    let expect = |rule: &str, file: &str, line: u64| (rule.to_string(), file.to_string(), line);
    assert_eq!(
        seen,
        [
            expect("Exec Into Pod", "detect/events.jsonl", 2),
            expect("Secret Read", "detect/events.jsonl", 6),
            expect("Exec Into Pod", "detect/events.jsonl", 7),
            expect("Exec Into Pod", "detect/eventlist.json", 5),
            expect("Secret Read", "detect/eventlist.json", 35),
        ]
    );
    let first = &alerts[0];
    for key in [
        "time",
        "rule",
        "priority",
        "output",
        "output_fields",
        "source",
        "tags",
        "hostname",
    ] {
        assert!(first.get(key).is_some(), "{key} missing: {first}");
    }
    assert_eq!(first["source"], "k8s_audit");
    assert_eq!(first["priority"], "Warning");
    assert_eq!(first["time"], "2026-11-01T10:00:00.000000000Z");
    assert_eq!(first["output_fields"]["ka.user.name"], "alice");
    assert_eq!(first["tags"], serde_json::json!(["k8s", "T1609"]));
    assert!(
        first["output"]
            .as_str()
            .unwrap()
            .ends_with("Warning Exec into pod (user=alice pod=web-1 ns=shop)"),
        "{first}"
    );
    assert!(first.get("rule_id").is_none());
    // The summary counts bad lines by kind, with their locations.
    assert!(
        run.stderr
            .contains("bad events, not_json: 1 (first at detect/events.jsonl:3"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("bad events, truncated: 1 (first at detect/events.jsonl:4"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("6 events"), "{}", run.stderr);
    assert!(
        run.stderr.contains("alerts, Exec Into Pod: 3"),
        "{}",
        run.stderr
    );
}

#[test]
fn text_format_min_priority_and_rate_limit() {
    let run = palisade(&[
        "detect",
        "audit",
        "--no-default-rules",
        "--rules",
        RULES,
        "--format",
        "text",
        "--min-priority",
        "warning",
        "--rate-limit",
        "1/1h",
        "detect/events.jsonl",
        "detect/eventlist.json",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{}", run.stdout);
    assert!(lines[0].contains("Warning Exec into pod (user=alice"));
    assert!(lines[0].ends_with("[Exec Into Pod] (detect/events.jsonl:2)"));
    assert!(
        run.stderr
            .contains("alerts, Exec Into Pod: 1 (2 rate-limited held back)"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("alerts, Secret Read: 0 (2 below --min-priority held back)"),
        "{}",
        run.stderr
    );
}

#[test]
fn standard_input_and_oversized_events() {
    let big = format!("{{\"kind\":\"Event\",\"verb\":\"{}\"}}", "x".repeat(2000));
    let text = std::fs::read_to_string(fixtures().join("detect/events.jsonl")).unwrap();
    let input = format!("{big}\n{text}");
    let run = palisade_with_stdin(
        &[
            "detect",
            "audit",
            "--no-default-rules",
            "--rules",
            RULES,
            "--max-event-size",
            "1000",
        ],
        Some(&input),
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let alerts = alerts(&run.stdout);
    assert_eq!(alerts[0]["event"]["file"], "-");
    assert_eq!(alerts[0]["event"]["line"], 3);
    assert!(
        run.stderr
            .contains("bad events, too_large: 1 (first at -:1"),
        "{}",
        run.stderr
    );
    // Nothing to alert on: exit 0.
    let run = palisade_with_stdin(
        &[
            "detect",
            "audit",
            "--no-default-rules",
            "--rules",
            RULES,
            "-",
        ],
        Some("{\"kind\":\"Event\",\"verb\":\"list\",\"objectRef\":{\"resource\":\"pods\"}}\n"),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.is_empty());
}

#[test]
fn a_bad_rule_is_reported_and_the_others_still_run_unless_strict() {
    let args = [
        "detect",
        "audit",
        "--no-default-rules",
        "--rules",
        "detect/broken_rules.yaml",
        "detect/events.jsonl",
    ];
    let run = palisade(&args);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("rules error: detect/broken_rules.yaml:"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("1 rules errors"), "{}", run.stderr);
    assert_eq!(alerts(&run.stdout).len(), 1);
    let mut strict = args.to_vec();
    strict.insert(2, "--strict");
    let run = palisade(&strict);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stdout.is_empty());
}

#[test]
fn unreadable_inputs_and_bad_options_exit_two() {
    let run = palisade(&["detect", "audit", "--rules", RULES, "detect/missing.log"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("detect/missing.log"), "{}", run.stderr);
    let run = palisade(&["detect", "audit", "--rate-limit", "lots", "-"]);
    assert_eq!(run.code, 2);
    let run = palisade(&[
        "detect",
        "audit",
        "--webhook-url",
        "https://x.invalid/",
        "-",
    ]);
    assert_eq!(run.code, 2);
}

#[test]
fn falco_corpus_events_give_located_alerts() {
    let Some(dir) = corpus("falco-k8saudit") else {
        return;
    };
    let rules = dir.join("k8s_audit_rules.yaml");
    let events = dir.join("events");
    let privileged = events.join("create_nginx_pod_privileged.json");
    let malformed = events.join("fal_01_003.json");
    let run = palisade(&[
        "detect",
        "audit",
        "--no-default-rules",
        "--rules",
        rules.to_str().unwrap(),
        events.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let alerts = alerts(&run.stdout);
    assert!(alerts.iter().any(|a| a["rule"] == "Create Privileged Pod"
        && a["event"]["file"] == privileged.to_str().unwrap()
        && a["event"]["line"] == 1));
    assert!(
        run.stderr.contains(&format!("{}:1", malformed.display())),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("51 events"), "{}", run.stderr);
}

#[test]
fn sigma_corpus_hits_match_the_reference_through_the_cli() {
    let (Some(sigma), Some(falco)) = (corpus("sigma-k8s-audit"), corpus("falco-k8saudit")) else {
        return;
    };
    let events = falco.join("events");
    let run = palisade(&[
        "detect",
        "audit",
        "--no-default-rules",
        "--sigma",
        sigma.join("rules").to_str().unwrap(),
        events.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let mut got: Vec<(String, String, String, u64)> = alerts(&run.stdout)
        .iter()
        .map(|a| {
            let file = PathBuf::from(a["event"]["file"].as_str().unwrap());
            (
                a["rule_id"].as_str().unwrap().to_string(),
                a["rule"].as_str().unwrap().to_string(),
                file.file_name().unwrap().to_string_lossy().into_owned(),
                a["event"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    let expected: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(sigma.join("expected_hits_on_falco_events.json")).unwrap(),
    )
    .unwrap();
    let mut want: Vec<(String, String, String, u64)> = expected["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["rule_id"].as_str().unwrap().to_string(),
                h["title"].as_str().unwrap().to_string(),
                h["file"].as_str().unwrap().to_string(),
                h["line"].as_u64().unwrap(),
            )
        })
        .collect();
    got.sort();
    want.sort();
    assert_eq!(got, want);
}

/// A `palisade` process left running; its output lines arrive on channels.
struct Background {
    child: Child,
    stdout: Receiver<String>,
    stderr: Receiver<String>,
}

fn lines_of(pipe: impl Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

impl Background {
    fn start(args: &[&str]) -> Background {
        let mut child = Command::new(env!("CARGO_BIN_EXE_palisade"))
            .args(args)
            .current_dir(fixtures())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the palisade binary starts");
        let stdout = lines_of(child.stdout.take().unwrap());
        let stderr = lines_of(child.stderr.take().unwrap());
        Background {
            child,
            stdout,
            stderr,
        }
    }

    fn next_alert(&self) -> serde_json::Value {
        let line = self
            .stdout
            .recv_timeout(Duration::from_secs(20))
            .expect("an alert within 20 s");
        serde_json::from_str(&line).unwrap()
    }

    /// Stops it the way a user would (SIGTERM) and returns its remaining standard error.
    fn stop(mut self) -> (i32, String) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let code = self.child.wait().unwrap().code().unwrap_or(-1);
        let mut rest = String::new();
        while let Ok(line) = self.stderr.recv_timeout(Duration::from_secs(5)) {
            rest.push_str(&line);
            rest.push('\n');
        }
        (code, rest)
    }
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("palisade-it-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn follow_mode_reports_appended_events() {
    let dir = temp_dir("follow");
    let log = dir.join("audit.log");
    let events = std::fs::read_to_string(fixtures().join("detect/events.jsonl")).unwrap();
    let mut lines = events.lines();
    let first = lines.nth(1).unwrap();
    std::fs::write(&log, format!("{first}\n")).unwrap();
    let bg = Background::start(&[
        "detect",
        "audit",
        "--no-default-rules",
        "--rules",
        RULES,
        "--follow",
        log.to_str().unwrap(),
    ]);
    assert_eq!(bg.next_alert()["event"]["line"], 1);
    let last = events.lines().last().unwrap();
    let mut file = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
    writeln!(file, "{last}").unwrap();
    let alert = bg.next_alert();
    assert_eq!(alert["event"]["line"], 2);
    assert_eq!(alert["output_fields"]["ka.user.name"], "bob");
    let (code, stderr) = bg.stop();
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("2 events"), "{stderr}");
}

/// POSTs `body` to `addr` and returns the status line.
fn post(addr: &str, body: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "POST /audit HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response.lines().next().unwrap_or_default().to_string()
}

#[test]
fn the_webhook_listener_evaluates_posted_event_lists() {
    let bg = Background::start(&[
        "detect",
        "audit",
        "--no-default-rules",
        "--rules",
        RULES,
        "--listen",
        "127.0.0.1:0",
    ]);
    let banner = bg
        .stderr
        .recv_timeout(Duration::from_secs(20))
        .expect("the listener says where it listens");
    let addr = banner
        .rsplit("http://")
        .next()
        .expect("an address in the banner")
        .to_string();
    let list = std::fs::read_to_string(fixtures().join("detect/eventlist.json")).unwrap();
    assert_eq!(post(&addr, &list), "HTTP/1.1 200 OK");
    let alert = bg.next_alert();
    assert_eq!(alert["rule"], "Exec Into Pod");
    assert!(alert.get("event").is_none());
    assert_eq!(bg.next_alert()["rule"], "Secret Read");
    assert_eq!(post(&addr, "not json"), "HTTP/1.1 200 OK");
    std::thread::sleep(Duration::from_millis(300));
    let (code, stderr) = bg.stop();
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("2 events"), "{stderr}");
    assert!(
        stderr.contains("bad events, not_json: 1 (first at webhook:2"),
        "{stderr}"
    );
}

#[test]
fn alerts_are_posted_to_the_webhook_url() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/falco", listener.local_addr().unwrap());
    let server = std::thread::spawn(move || {
        let mut bodies = Vec::new();
        for _ in 0..3 {
            let (stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream);
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                if line == "\r\n" || line.is_empty() {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap();
                }
            }
            let mut body = vec![0u8; length];
            reader.read_exact(&mut body).unwrap();
            reader
                .get_mut()
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                .unwrap();
            bodies.push(String::from_utf8(body).unwrap());
        }
        bodies
    });
    let run = palisade(&[
        "detect",
        "audit",
        "--no-default-rules",
        "--rules",
        RULES,
        "--min-priority",
        "warning",
        "--webhook-url",
        &url,
        "detect/events.jsonl",
        "detect/eventlist.json",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let bodies = server.join().unwrap();
    let posted: Vec<serde_json::Value> = bodies
        .iter()
        .map(|b| serde_json::from_str(b).unwrap())
        .collect();
    assert_eq!(posted, alerts(&run.stdout));
    assert!(posted.iter().all(|a| a["rule"] == "Exec Into Pod"));
}

#[test]
fn known_bad_ranges_alert_with_and_without_the_default_rules() {
    for defaults in [true, false] {
        let mut args = vec![
            "detect",
            "audit",
            "--known-bad-cidrs",
            "detect/known_bad.txt",
            "--min-priority",
            "critical",
            "detect/events.jsonl",
        ];
        if !defaults {
            args.insert(2, "--no-default-rules");
        }
        let run = palisade(&args);
        assert_eq!(run.code, 1, "{}", run.stderr);
        let alerts = alerts(&run.stdout);
        // Every event of the fixture comes from 10.1.2.3.
        assert_eq!(alerts.len(), 4, "{}", run.stdout);
        assert!(
            alerts.iter().all(|a| a["rule"]
                .as_str()
                .unwrap()
                .starts_with("Request From Known-Bad")),
            "{}",
            run.stdout
        );
    }
    let run = palisade(&["detect", "audit", "--known-bad-cidrs", RULES, "-"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("exec_rules.yaml:2"), "{}", run.stderr);
}
