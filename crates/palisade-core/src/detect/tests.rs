//! Unit tests of the detection engine.

use super::*;

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
}

#[test]
fn priorities_parse_and_order() {
    assert_eq!(Priority::parse("WARNING"), Some(Priority::Warning));
    assert_eq!(Priority::parse("info"), Some(Priority::Informational));
    assert!(Priority::Critical > Priority::Warning);
}
