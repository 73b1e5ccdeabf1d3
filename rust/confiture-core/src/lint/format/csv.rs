//! `--format csv`: fraiseql-confiture's header (`rule_name,severity,location,message,suggested_fix`)
//! and columns, then `rule_id,file,line,column`. Fields with a comma, quote or line break are
//! quoted, quotes doubled (RFC 4180).

use crate::lint::Report;
use crate::lint::rule::all_rules;

fn field(out: &mut String, value: &str) {
    if value.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&value.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(value);
    }
}

fn row(out: &mut String, values: &[&str]) {
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        field(out, v);
    }
    out.push('\n');
}

pub(super) fn render(r: &Report) -> String {
    let mut out = String::new();
    row(
        &mut out,
        &["rule_name", "severity", "location", "message", "suggested_fix", "rule_id", "file", "line", "column"],
    );
    for f in &r.findings {
        let line = f.line.map(|l| l.to_string()).unwrap_or_default();
        let column = f.column.map(|c| c.to_string()).unwrap_or_default();
        row(
            &mut out,
            &[
                &f.rule_name,
                f.severity.name(),
                &f.object_name,
                &f.message,
                f.suggested_fix.as_deref().unwrap_or(""),
                &f.rule_id,
                f.file.as_deref().unwrap_or(""),
                &line,
                &column,
            ],
        );
    }
    out
}

pub(super) fn rules() -> String {
    let mut out = String::new();
    row(&mut out, &["id", "name", "target", "severity", "default_enabled", "summary"]);
    for r in all_rules() {
        row(
            &mut out,
            &[
                r.id,
                r.name,
                r.target.name(),
                r.severity.name(),
                if r.default_enabled { "true" } else { "false" },
                r.summary,
            ],
        );
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn header_and_quoting() {
        let text = super::render(&super::super::tests::sample());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "rule_name,severity,location,message,suggested_fix,rule_id,file,line,column");
        assert_eq!(
            lines[3],
            "Missing Documentation,info,app.t,\"table app.t has no comment, \"\"really\"\"\",\"Do \"\"this\"\", then that.\",doc_001,,,"
        );
        assert_eq!(lines.len(), 4);
    }
}
