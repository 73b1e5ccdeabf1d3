//! Splitting SQL scripts into statements, as psql reads them.
//!
//! Semicolons end statements except inside quotes (`'…'`, `E'…'`, `"…"`, `$tag$…$tag$`), comments
//! (`--`, nested `/* */`), parentheses, and `BEGIN ATOMIC … END` bodies of SQL-standard functions
//! (tracked with psql's own heuristic). A backslash outside quotes starts a psql meta-command that
//! runs to the end of the line. After `COPY … FROM STDIN;` the following lines, up to `\.`, are the
//! COPY data, not SQL. Lexing only: PostgreSQL (or pg_query) parses the statements themselves.

use std::ops::Range;

use super::SqlError;
use super::classify::is_copy_from_stdin;

/// One statement of a script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// Bytes of the statement in the source: from its first token through its `;` (if any).
    pub range: Range<usize>,
    /// 1-based line of its first token.
    pub line: usize,
    pub kind: StatementKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatementKind {
    Sql,
    /// `COPY … FROM STDIN`, with the bytes of its data lines (without the closing `\.` line).
    CopyFromStdin {
        data: Range<usize>,
    },
    /// A psql meta-command line (`\set`, `\i`, `\restrict`, …).
    MetaCommand,
}

impl Statement {
    pub fn text<'a>(&self, source: &'a str) -> &'a str {
        &source[self.range.clone()]
    }
}

/// 1-based line number of byte `offset` in `source`.
pub fn line_of(source: &str, offset: usize) -> usize {
    source.as_bytes()[..offset.min(source.len())].iter().filter(|&&b| b == b'\n').count() + 1
}

struct Lines {
    newlines: Vec<usize>,
}

impl Lines {
    fn new(source: &str) -> Self {
        Self { newlines: source.bytes().enumerate().filter(|(_, b)| *b == b'\n').map(|(i, _)| i).collect() }
    }

    fn line(&self, offset: usize) -> usize {
        self.newlines.partition_point(|&nl| nl < offset) + 1
    }
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

fn is_ident_char(b: u8) -> bool {
    is_ident_start(b) || b.is_ascii_digit() || b == b'$'
}

/// State of the statement being read.
#[derive(Default)]
struct Current {
    start: Option<usize>,
    last_end: usize,
    paren_depth: i64,
    begin_depth: i64,
    identifiers: [u8; 4],
    identifier_count: usize,
    first_word_is_copy: bool,
}

impl Current {
    fn token(&mut self, start: usize, end: usize) {
        self.start.get_or_insert(start);
        self.last_end = end;
    }

    /// psql's heuristic for `CREATE [OR REPLACE] {FUNCTION|PROCEDURE} … BEGIN ATOMIC … END`.
    fn word(&mut self, word: &str) {
        let lower = word.to_ascii_lowercase();
        if self.identifier_count == 0 {
            self.identifiers = [0; 4];
            self.first_word_is_copy = lower == "copy";
        }
        if matches!(lower.as_str(), "create" | "function" | "procedure" | "or" | "replace")
            && self.identifier_count < self.identifiers.len()
        {
            self.identifiers[self.identifier_count] = lower.as_bytes()[0];
        }
        self.identifier_count += 1;
        let id = self.identifiers;
        let in_routine = id[0] == b'c'
            && (id[1] == b'f' || id[1] == b'p' || (id[1] == b'o' && id[2] == b'r' && (id[3] == b'f' || id[3] == b'p')));
        if in_routine && self.paren_depth == 0 {
            match lower.as_str() {
                "begin" => self.begin_depth += 1,
                "case" if self.begin_depth >= 1 => self.begin_depth += 1,
                "end" if self.begin_depth > 0 => self.begin_depth -= 1,
                _ => {}
            }
        }
    }
}

/// Splits `source` into statements.
pub fn split(source: &str) -> Result<Vec<Statement>, SqlError> {
    let b = source.as_bytes();
    let n = b.len();
    let lines = Lines::new(source);
    let mut out = Vec::new();
    let mut cur = Current::default();
    let mut i = 0;

    let unterminated = |what: &'static str, at: usize| SqlError::Unterminated { what, line: lines.line(at) };

    while i < n {
        let c = b[i];
        let next = b.get(i + 1).copied();
        match c {
            b'-' if next == Some(b'-') => {
                i = source[i..].find('\n').map_or(n, |p| i + p);
            }
            b'/' if next == Some(b'*') => {
                let open = i;
                let mut depth = 1;
                i += 2;
                while depth > 0 {
                    if i + 1 >= n {
                        return Err(unterminated("/* comment", open));
                    }
                    if b[i] == b'/' && b[i + 1] == b'*' {
                        depth += 1;
                        i += 2;
                    } else if b[i] == b'*' && b[i + 1] == b'/' {
                        depth -= 1;
                        i += 2;
                    } else {
                        i += 1;
                    }
                }
            }
            b'\'' => {
                let open = i;
                let escapes = i >= 1 && (b[i - 1] == b'e' || b[i - 1] == b'E') && (i < 2 || !is_ident_char(b[i - 2]));
                i += 1;
                loop {
                    match b.get(i) {
                        None => return Err(unterminated("quoted string", open)),
                        Some(b'\\') if escapes => i += 2,
                        Some(b'\'') if b.get(i + 1) == Some(&b'\'') => i += 2,
                        Some(b'\'') => {
                            i += 1;
                            break;
                        }
                        Some(_) => i += 1,
                    }
                }
                cur.token(open, i);
            }
            b'"' => {
                let open = i;
                i += 1;
                loop {
                    match b.get(i) {
                        None => return Err(unterminated("quoted identifier", open)),
                        Some(b'"') if b.get(i + 1) == Some(&b'"') => i += 2,
                        Some(b'"') => {
                            i += 1;
                            break;
                        }
                        Some(_) => i += 1,
                    }
                }
                cur.token(open, i);
            }
            b'$' => {
                let open = i;
                match dollar_tag(b, i) {
                    Some(tag_end) => {
                        let tag = &source[i..tag_end];
                        let close =
                            source[tag_end..].find(tag).ok_or_else(|| unterminated("dollar-quoted string", open))?;
                        i = tag_end + close + tag.len();
                    }
                    None => {
                        // `$1` parameters and stray dollars.
                        i += 1;
                        while i < n && b[i].is_ascii_digit() {
                            i += 1;
                        }
                    }
                }
                cur.token(open, i);
            }
            b'(' => {
                cur.paren_depth += 1;
                i += 1;
                cur.token(i - 1, i);
            }
            b')' => {
                cur.paren_depth = (cur.paren_depth - 1).max(0);
                i += 1;
                cur.token(i - 1, i);
            }
            b';' => {
                i += 1;
                cur.token(i - 1, i);
                if cur.paren_depth == 0 && cur.begin_depth == 0 {
                    let start = cur.start.unwrap_or(i - 1);
                    let text = &source[start..i];
                    if cur.first_word_is_copy && is_copy_from_stdin(text) {
                        let data_start = source[i..].find('\n').map_or(n, |p| i + p + 1);
                        let (data_end, resume) = copy_data_end(source, data_start);
                        out.push(Statement {
                            range: start..i,
                            line: lines.line(start),
                            kind: StatementKind::CopyFromStdin { data: data_start..data_end },
                        });
                        i = resume;
                    } else {
                        out.push(Statement { range: start..i, line: lines.line(start), kind: StatementKind::Sql });
                    }
                    cur = Current::default();
                }
            }
            b'\\' => {
                // psql sends what it has, then runs the meta-command.
                if let Some(start) = cur.start {
                    out.push(Statement {
                        range: start..cur.last_end,
                        line: lines.line(start),
                        kind: StatementKind::Sql,
                    });
                    cur = Current::default();
                }
                let end = source[i..].find('\n').map_or(n, |p| i + p);
                let text_end = if end > i && b[end - 1] == b'\r' { end - 1 } else { end };
                out.push(Statement { range: i..text_end, line: lines.line(i), kind: StatementKind::MetaCommand });
                i = end;
            }
            _ if c.is_ascii_whitespace() => i += 1,
            _ if is_ident_start(c) => {
                let start = i;
                while i < n && is_ident_char(b[i]) {
                    i += 1;
                }
                cur.token(start, i);
                cur.word(&source[start..i]);
            }
            _ if c.is_ascii_digit() => {
                let start = i;
                while i < n && (b[i].is_ascii_alphanumeric() || b[i] == b'.' || b[i] == b'_') {
                    i += 1;
                }
                cur.token(start, i);
            }
            _ => {
                // Operators and punctuation; step over whole UTF-8 characters.
                let len = source[i..].chars().next().map_or(1, char::len_utf8);
                cur.token(i, i + len);
                i += len;
            }
        }
    }
    if let Some(start) = cur.start {
        out.push(Statement { range: start..cur.last_end, line: lines.line(start), kind: StatementKind::Sql });
    }
    Ok(out)
}

/// End of the opening `$tag$` starting at `i`, if it is one.
fn dollar_tag(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    if b.get(j) == Some(&b'$') {
        return Some(j + 1);
    }
    if !b.get(j).copied().is_some_and(is_ident_start) {
        return None;
    }
    while j < b.len() && (is_ident_start(b[j]) || b[j].is_ascii_digit()) {
        j += 1;
    }
    (b.get(j) == Some(&b'$')).then_some(j + 1)
}

/// Where COPY data starting at `start` ends (before the `\.` line) and where SQL resumes.
fn copy_data_end(source: &str, start: usize) -> (usize, usize) {
    let mut pos = start;
    while pos < source.len() {
        let line_end = source[pos..].find('\n').map_or(source.len(), |p| pos + p);
        let line = source[pos..line_end].trim_end_matches('\r');
        if line == "\\." {
            return (pos, (line_end + 1).min(source.len()));
        }
        pos = line_end + 1;
    }
    (source.len(), source.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(src: &str) -> Vec<String> {
        split(src).unwrap().iter().map(|s| s.text(src).to_string()).collect()
    }

    #[test]
    fn plain_statements_and_lines() {
        let src = "-- header\nCREATE TABLE a (x int);\n\n/* c; */ CREATE TABLE b (y int);\nSELECT 1";
        let stmts = split(src).unwrap();
        assert_eq!(texts(src), vec!["CREATE TABLE a (x int);", "CREATE TABLE b (y int);", "SELECT 1"]);
        assert_eq!(stmts.iter().map(|s| s.line).collect::<Vec<_>>(), vec![2, 4, 5]);
    }

    #[test]
    fn quotes_hide_semicolons() {
        let src = "SELECT 'a;b', E'it\\'s;', \"we;ird\", 'x''y;';\nSELECT $$ ; $$, $fn$ $$ ; $fn$;\nSELECT a$b, $1;";
        assert_eq!(texts(src).len(), 3);
        assert!(texts(src)[1].ends_with("$fn$;"));
    }

    #[test]
    fn nested_comments_and_dashes_in_strings() {
        let src = "SELECT 1 /* outer /* inner; */ still; */;\nSELECT '--not a comment;';\n";
        assert_eq!(texts(src), vec!["SELECT 1 /* outer /* inner; */ still; */;", "SELECT '--not a comment;';"]);
    }

    #[test]
    fn begin_atomic_bodies_stay_whole() {
        let src = "CREATE OR REPLACE FUNCTION f(a int) RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT CASE WHEN a > 0 THEN 1 ELSE 0 END;\n  SELECT 2;\nEND;\nBEGIN;\nCOMMIT;";
        let t = texts(src);
        assert_eq!(t.len(), 3, "{t:?}");
        assert!(t[0].ends_with("END;"));
        assert_eq!(t[1], "BEGIN;");
    }

    #[test]
    fn copy_data_is_not_sql() {
        let src = "COPY t (a, b) FROM stdin;\n1\tx;y\n2\t'quote\n\\.\nSELECT 1;\ncopy t from STDIN;\n3\tz\n";
        let stmts = split(src).unwrap();
        assert_eq!(stmts.len(), 3);
        match &stmts[0].kind {
            StatementKind::CopyFromStdin { data } => {
                assert_eq!(&src[data.clone()], "1\tx;y\n2\t'quote\n")
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(stmts[1].text(src), "SELECT 1;");
        assert_eq!(stmts[1].line, 5);
        match &stmts[2].kind {
            StatementKind::CopyFromStdin { data } => assert_eq!(&src[data.clone()], "3\tz\n"),
            other => panic!("{other:?}"),
        }
        // COPY to a file is ordinary SQL.
        assert_eq!(split("COPY t TO STDOUT;\nSELECT 1;").unwrap()[0].kind, StatementKind::Sql);
    }

    #[test]
    fn meta_commands() {
        let src = "\\restrict abc\nSELECT 1;\n\\set x 1\nSELECT 2 \\g\n";
        let stmts = split(src).unwrap();
        let kinds: Vec<_> = stmts.iter().map(|s| (s.kind.clone(), s.text(src))).collect();
        assert_eq!(
            kinds,
            vec![
                (StatementKind::MetaCommand, "\\restrict abc"),
                (StatementKind::Sql, "SELECT 1;"),
                (StatementKind::MetaCommand, "\\set x 1"),
                (StatementKind::Sql, "SELECT 2"),
                (StatementKind::MetaCommand, "\\g"),
            ]
        );
    }

    #[test]
    fn unterminated_constructs_name_their_line() {
        assert_eq!(split("SELECT 1;\nSELECT 'oops;\n"), Err(SqlError::Unterminated { what: "quoted string", line: 2 }));
        assert_eq!(split("\n\n/* x").unwrap_err().line(), 3);
        assert!(matches!(split("SELECT $a$ x"), Err(SqlError::Unterminated { what: "dollar-quoted string", .. })));
    }

    #[test]
    fn utf8_is_preserved() {
        let src = "COMMENT ON TABLE t IS 'café ☕;';\nSELECT 'ü';";
        assert_eq!(texts(src), vec!["COMMENT ON TABLE t IS 'café ☕;';", "SELECT 'ü';"]);
    }
}
