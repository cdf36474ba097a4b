//! Writing NetworkPolicy connectivity lists: `src => dst : conn` text, the
//! `palisade.netpol.list/v1` JSON document, CSV (`src,dst,conn`) and a Markdown table.

use std::io::{self, Write};

use serde::Serialize;

use crate::netpol::Connection;

/// The schema name of `netpol list` JSON output.
pub const LIST_SCHEMA: &str = "palisade.netpol.list/v1";

/// Formats of a connectivity list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListFormat {
    /// One `src => dst : conn` line per connection.
    Txt,
    /// The `palisade.netpol.list/v1` JSON document.
    Json,
    /// CSV with the header `src,dst,conn`.
    Csv,
    /// A Markdown table.
    Md,
}

#[derive(Serialize)]
struct JsonConnection<'a> {
    src: &'a str,
    dst: &'a str,
    conn: &'a str,
}

#[derive(Serialize)]
struct JsonList<'a> {
    schema: &'static str,
    assumptions: &'a [&'a str],
    connections: Vec<JsonConnection<'a>>,
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// Writes `connections` (already sorted) in `format`.
pub fn write_list(
    out: &mut dyn Write,
    connections: &[Connection],
    assumptions: &[&str],
    format: ListFormat,
) -> io::Result<()> {
    match format {
        ListFormat::Txt => {
            for c in connections {
                writeln!(out, "{} => {} : {}", c.src, c.dst, c.conn)?;
            }
        }
        ListFormat::Json => {
            let doc = JsonList {
                schema: LIST_SCHEMA,
                assumptions,
                connections: connections
                    .iter()
                    .map(|c| JsonConnection {
                        src: &c.src,
                        dst: &c.dst,
                        conn: &c.conn,
                    })
                    .collect(),
            };
            serde_json::to_writer_pretty(&mut *out, &doc)?;
            writeln!(out)?;
        }
        ListFormat::Csv => {
            writeln!(out, "src,dst,conn")?;
            for c in connections {
                writeln!(
                    out,
                    "{},{},{}",
                    csv_field(&c.src),
                    csv_field(&c.dst),
                    csv_field(&c.conn)
                )?;
            }
        }
        ListFormat::Md => {
            writeln!(out, "| src | dst | conn |")?;
            writeln!(out, "|-----|-----|------|")?;
            for c in connections {
                writeln!(out, "| {} | {} | {} |", c.src, c.dst, c.conn)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<Connection> {
        vec![Connection {
            src: "ns/a[Deployment]".into(),
            dst: "ns/b[Deployment]".into(),
            conn: "TCP 80,UDP 53".into(),
        }]
    }

    fn render(format: ListFormat) -> String {
        let mut buf = Vec::new();
        write_list(&mut buf, &sample(), &["x"], format).expect("write");
        String::from_utf8(buf).expect("utf8")
    }

    #[test]
    fn formats() {
        assert_eq!(
            render(ListFormat::Txt),
            "ns/a[Deployment] => ns/b[Deployment] : TCP 80,UDP 53\n"
        );
        assert_eq!(
            render(ListFormat::Csv),
            "src,dst,conn\nns/a[Deployment],ns/b[Deployment],\"TCP 80,UDP 53\"\n"
        );
        assert!(
            render(ListFormat::Md)
                .contains("| ns/a[Deployment] | ns/b[Deployment] | TCP 80,UDP 53 |")
        );
        let json: serde_json::Value =
            serde_json::from_str(&render(ListFormat::Json)).expect("json");
        assert_eq!(json["schema"], LIST_SCHEMA);
        assert_eq!(json["assumptions"][0], "x");
        assert_eq!(json["connections"][0]["conn"], "TCP 80,UDP 53");
    }
}
