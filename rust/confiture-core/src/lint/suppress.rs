//! Inline suppressions: `-- confiture-lint: ignore <rule>[, <rule>…]` (or in a `/* */` comment).
//!
//! - before a statement (on lines of their own): the whole statement;
//! - at the end of a statement's last line: that statement;
//! - inside a statement: its own line, or the next line when the comment is alone on its line;
//! - `-- confiture-lint: ignore-file <rule>…` anywhere: the whole file.
//!
//! Rules are ids, prefixes (`mig_`) or `all`. Only real comments count: the words inside a string
//! or a dollar-quoted body do not (comments are found by PostgreSQL's own scanner).

use pg_query::protobuf::Token;

use super::Finding;
use super::rule::all_rules;
use crate::sql::{StatementKind, split};

const MARKER: &str = "confiture-lint:";

#[derive(Debug, Clone, PartialEq, Eq)]
struct Span {
    first: usize,
    last: usize,
    rules: Vec<String>,
}

/// The suppressions of one file.
#[derive(Debug, Clone, Default)]
pub struct Suppressions {
    file_wide: Vec<String>,
    spans: Vec<Span>,
    /// Problems with the comments themselves (`line: message`).
    pub notes: Vec<String>,
}

fn matches(selector: &str, rule_id: &str) -> bool {
    selector.eq_ignore_ascii_case("all")
        || selector == rule_id
        || (selector.ends_with('_') && rule_id.starts_with(selector))
        || rule_id.rsplit_once('_').is_some_and(|(family, _)| family == selector)
}

impl Suppressions {
    /// Whether `finding` (in this file) is suppressed.
    pub fn covers(&self, finding: &Finding) -> bool {
        if self.file_wide.iter().any(|s| matches(s, &finding.rule_id)) {
            return true;
        }
        let Some(line) = finding.line else { return false };
        self.spans
            .iter()
            .any(|s| s.first <= line && line <= s.last && s.rules.iter().any(|r| matches(r, &finding.rule_id)))
    }

    pub fn is_empty(&self) -> bool {
        self.file_wide.is_empty() && self.spans.is_empty()
    }
}

/// 1-based line of each byte offset, by binary search over newline positions.
struct Lines(Vec<usize>);

impl Lines {
    fn new(text: &str) -> Self {
        Self(memchr::memchr_iter(b'\n', text.as_bytes()).collect())
    }

    fn of(&self, offset: usize) -> usize {
        self.0.partition_point(|&nl| nl < offset) + 1
    }
}

/// Reads the suppression comments of a file.
pub fn scan(text: &str) -> Suppressions {
    let mut out = Suppressions::default();
    if !text.contains(MARKER) {
        return out;
    }
    let Ok(statements) = split(text) else { return out };
    let lines = Lines::new(text);
    let mut prev_end = 0;
    let (mut prev_first_line, mut prev_last_line) = (0, 0);
    for s in &statements {
        let (first, last) = (lines.of(s.range.start), lines.of(s.range.end.saturating_sub(1).max(s.range.start)));
        // The gap before the statement: comments there belong to it, unless they trail the
        // previous statement's last line.
        for (offset, body) in comments(&text[prev_end..s.range.start]) {
            let at = lines.of(prev_end + offset);
            let span = if at == prev_last_line { (prev_first_line, prev_last_line) } else { (first, last) };
            add(&mut out, body, at, span);
        }
        if s.kind == StatementKind::Sql {
            for (offset, body) in comments(&text[s.range.clone()]) {
                let at = lines.of(s.range.start + offset);
                let line_start = text[..s.range.start + offset].rfind('\n').map_or(0, |i| i + 1);
                let alone = text[line_start..s.range.start + offset].trim().is_empty();
                let target = if alone { at + 1 } else { at };
                add(&mut out, body, at, (target, target));
            }
        }
        prev_end = match &s.kind {
            StatementKind::CopyFromStdin { data } => data.end,
            _ => s.range.end,
        };
        (prev_first_line, prev_last_line) = (first, last);
    }
    for (offset, body) in comments(&text[prev_end..]) {
        let at = lines.of(prev_end + offset);
        if at == prev_last_line {
            add(&mut out, body, at, (prev_first_line, prev_last_line));
        } else {
            add(&mut out, body, at, (at, at));
        }
    }
    out
}

/// `(offset, text)` of each comment in `sql` that mentions the marker.
fn comments(sql: &str) -> Vec<(usize, &str)> {
    if !sql.contains(MARKER) {
        return Vec::new();
    }
    let Ok(tokens) = pg_query::scan_tokens(sql) else { return Vec::new() };
    tokens
        .iter()
        .filter(|t| t.token == Token::SqlComment as i32 || t.token == Token::CComment as i32)
        .filter_map(|t| {
            let (start, end) = (usize::try_from(t.start).ok()?, usize::try_from(t.end).ok()?);
            let body = sql.get(start..end)?;
            body.contains(MARKER).then_some((start, body))
        })
        .collect()
}

fn add(out: &mut Suppressions, comment: &str, line: usize, (first, last): (usize, usize)) {
    let body = comment.trim_start_matches("--").trim_start_matches("/*").trim_end_matches("*/").trim();
    let Some(rest) = body.strip_prefix(MARKER).map(str::trim) else { return };
    let (file_wide, list) = if let Some(l) = rest.strip_prefix("ignore-file") {
        (true, l)
    } else if let Some(l) = rest.strip_prefix("ignore") {
        (false, l)
    } else {
        out.notes.push(format!("{line}: unknown suppression {rest:?} (use `confiture-lint: ignore <rule>`)"));
        return;
    };
    let rules: Vec<String> =
        list.split(|c: char| c == ',' || c.is_whitespace()).filter(|s| !s.is_empty()).map(str::to_string).collect();
    if rules.is_empty() {
        out.notes.push(format!("{line}: suppression without a rule (name one, or `all`)"));
        return;
    }
    for r in &rules {
        if !all_rules().iter().any(|m| matches(r, m.id)) {
            out.notes.push(format!("{line}: no rule is called {r:?} (suppression ignored for it)"));
        }
    }
    if file_wide {
        out.file_wide.extend(rules);
    } else {
        out.spans.push(Span { first, last, rules });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::Severity;

    fn finding(rule: &str, line: usize) -> Finding {
        Finding {
            rule_id: rule.into(),
            rule_name: String::new(),
            severity: Severity::Warning,
            object_type: "table".into(),
            object_name: "t".into(),
            message: String::new(),
            suggested_fix: None,
            file: Some("f.sql".into()),
            line: Some(line),
            column: Some(1),
        }
    }

    #[test]
    fn scopes() {
        let text = "-- confiture-lint: ignore pk_001\nCREATE TABLE a (\n  x int\n);\n\
                    CREATE TABLE b (\n  -- confiture-lint: ignore sec_001\n  password text,\n  token text, -- confiture-lint: ignore sec\n  y int\n);\n\
                    CREATE TABLE c (id int); -- confiture-lint: ignore doc_001\n\
                    CREATE TABLE d (id int);\n";
        let s = scan(text);
        assert!(s.notes.is_empty(), "{:?}", s.notes);
        assert!(s.covers(&finding("pk_001", 2)) && s.covers(&finding("pk_001", 3)));
        assert!(!s.covers(&finding("pk_001", 5)));
        assert!(s.covers(&finding("sec_001", 7)), "comment alone on its line covers the next line");
        assert!(!s.covers(&finding("sec_001", 9)));
        assert!(s.covers(&finding("sec_001", 8)), "trailing comment covers its own line");
        assert!(s.covers(&finding("doc_001", 11)));
        assert!(!s.covers(&finding("doc_001", 12)));
    }

    #[test]
    fn only_real_comments_count() {
        let text = "CREATE TABLE a (note text DEFAULT '-- confiture-lint: ignore all');\n\
                    CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 /* confiture-lint: ignore all */ $$;\n";
        let s = scan(text);
        assert!(s.is_empty());
    }

    #[test]
    fn file_wide_and_bad_comments() {
        let s = scan(
            "-- confiture-lint: ignore-file naming_, doc_001\nCREATE TABLE A (id int);\n-- confiture-lint: ignore\n-- confiture-lint: ignore nope_123\n-- confiture-lint: skip x\nSELECT 1;\n",
        );
        assert!(s.covers(&finding("naming_001", 40)) && s.covers(&finding("doc_001", 2)));
        assert!(!s.covers(&finding("pk_001", 2)));
        assert_eq!(s.notes.len(), 3, "{:?}", s.notes);
    }
}
