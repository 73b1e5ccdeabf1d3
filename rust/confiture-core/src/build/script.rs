//! Turning the build's files into what is sent to PostgreSQL: batches of statements (one round trip
//! each) and `COPY … FROM STDIN` with its data, remembering where every statement came from so an
//! error can name the file, line and column.

use rayon::prelude::*;

use super::BuildError;
use crate::project::SchemaFile;
use crate::sql::{Statement, StatementClass, StatementKind, classify, split};

/// Where one statement came from and where it sits in its chunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementLocation {
    /// Index of the file in the build.
    pub file: usize,
    /// Byte offset of the statement in its file.
    pub source_offset: usize,
    /// 1-based line of the statement in its file.
    pub line: usize,
    /// Byte offset of the statement in the chunk's SQL.
    pub chunk_offset: usize,
    pub len: usize,
}

#[derive(Debug, Clone)]
pub enum Chunk {
    /// Statements sent together in one simple-query message.
    Batch { sql: String, statements: Vec<StatementLocation> },
    /// `COPY … FROM STDIN` and the data that followed it in the file.
    Copy { sql: String, data: String, statement: StatementLocation },
}

#[derive(Debug, Clone, Default)]
pub struct Script {
    pub chunks: Vec<Chunk>,
    pub statement_count: usize,
    /// Things worth telling the user (e.g. BEGIN/COMMIT lines that were skipped).
    pub warnings: Vec<String>,
}

/// Statements sent in one message at most: a bound on the message size and the point where a long
/// build may commit (see `apply`).
pub const STATEMENTS_PER_BATCH: usize = 250;

/// Splits and classifies every file (in parallel) and groups the statements into chunks.
pub fn prepare(files: &[SchemaFile], texts: &[String]) -> Result<Script, BuildError> {
    let split_files: Vec<Result<Vec<(Statement, StatementClass)>, BuildError>> = files
        .par_iter()
        .zip(texts.par_iter())
        .map(|(file, text)| {
            let statements = split(text).map_err(|e| BuildError::Script {
                file: file.rel.clone(),
                line: e.line(),
                message: e.to_string().split_once(": ").map_or(e.to_string(), |(_, m)| m.to_string()),
            })?;
            Ok(statements
                .into_iter()
                .map(|s| {
                    let class = match s.kind {
                        StatementKind::Sql => classify(s.text(text)),
                        _ => StatementClass::Other,
                    };
                    (s, class)
                })
                .collect())
        })
        .collect();

    let mut script = Script::default();
    let mut batch = String::new();
    let mut batch_statements: Vec<StatementLocation> = Vec::new();
    let flush = |script: &mut Script, batch: &mut String, stmts: &mut Vec<StatementLocation>| {
        if !stmts.is_empty() {
            script.chunks.push(Chunk::Batch { sql: std::mem::take(batch), statements: std::mem::take(stmts) });
        }
    };

    for (index, (file, result)) in files.iter().zip(split_files).enumerate() {
        let text = &texts[index];
        let mut skipped_transaction_control = false;
        for (statement, class) in result? {
            let stmt_text = statement.text(text);
            match (&statement.kind, class) {
                (StatementKind::MetaCommand, _) => {
                    let command = stmt_text.split_whitespace().next().unwrap_or(stmt_text);
                    // pg_dump ≥ 15.14 brackets its output with these; they mean nothing here.
                    if command == "\\restrict" || command == "\\unrestrict" {
                        continue;
                    }
                    return Err(BuildError::Script {
                        file: file.rel.clone(),
                        line: statement.line,
                        message: format!(
                            "psql meta-command {command} is not supported in schema files; write plain SQL instead"
                        ),
                    });
                }
                (_, StatementClass::Begin | StatementClass::Commit) => skipped_transaction_control = true,
                (_, StatementClass::Rollback) => {
                    return Err(BuildError::Script {
                        file: file.rel.clone(),
                        line: statement.line,
                        message: "ROLLBACK in a schema file would discard the build; remove it".into(),
                    });
                }
                (StatementKind::CopyFromStdin { data }, _) => {
                    flush(&mut script, &mut batch, &mut batch_statements);
                    script.chunks.push(Chunk::Copy {
                        sql: stmt_text.trim_end_matches(';').to_string(),
                        data: text[data.clone()].to_string(),
                        statement: StatementLocation {
                            file: index,
                            source_offset: statement.range.start,
                            line: statement.line,
                            chunk_offset: 0,
                            len: stmt_text.len(),
                        },
                    });
                    script.statement_count += 1;
                }
                (StatementKind::Sql, _) => {
                    batch_statements.push(StatementLocation {
                        file: index,
                        source_offset: statement.range.start,
                        line: statement.line,
                        chunk_offset: batch.len(),
                        len: stmt_text.len(),
                    });
                    batch.push_str(stmt_text);
                    // A file's last statement may lack its semicolon; the next file must not run into it.
                    if !stmt_text.ends_with(';') {
                        batch.push(';');
                    }
                    batch.push('\n');
                    script.statement_count += 1;
                    if batch_statements.len() == STATEMENTS_PER_BATCH {
                        flush(&mut script, &mut batch, &mut batch_statements);
                    }
                }
            }
        }
        if skipped_transaction_control {
            script.warnings.push(format!(
                "{}: BEGIN/COMMIT skipped: the build already runs every file in one transaction",
                file.rel
            ));
        }
    }
    flush(&mut script, &mut batch, &mut batch_statements);
    Ok(script)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn files(n: usize) -> Vec<SchemaFile> {
        (0..n)
            .map(|i| SchemaFile { path: PathBuf::from(format!("f{i}.sql")), rel: format!("f{i}.sql"), seed: false })
            .collect()
    }

    #[test]
    fn batches_statements_across_files_and_isolates_copy() {
        let texts = vec![
            "CREATE TABLE a (x int);\nCREATE TABLE b (y int)".to_string(),
            "BEGIN;\nINSERT INTO a VALUES (1);\nCOPY a (x) FROM stdin;\n2\n\\.\nCOMMIT;\nSELECT 1;\n".to_string(),
        ];
        let script = prepare(&files(2), &texts).unwrap();
        assert_eq!(script.statement_count, 5);
        assert_eq!(script.warnings.len(), 1);
        assert_eq!(script.chunks.len(), 3);
        match &script.chunks[0] {
            Chunk::Batch { sql, statements } => {
                assert_eq!(sql, "CREATE TABLE a (x int);\nCREATE TABLE b (y int);\nINSERT INTO a VALUES (1);\n");
                assert_eq!(
                    statements.iter().map(|s| (s.file, s.line)).collect::<Vec<_>>(),
                    vec![(0, 1), (0, 2), (1, 2)]
                );
                assert_eq!(&sql[statements[2].chunk_offset..][..statements[2].len], "INSERT INTO a VALUES (1);");
            }
            other => panic!("{other:?}"),
        }
        match &script.chunks[1] {
            Chunk::Copy { sql, data, statement } => {
                assert_eq!(sql, "COPY a (x) FROM stdin");
                assert_eq!(data, "2\n");
                assert_eq!(statement.line, 3);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn rejects_meta_commands_and_rollback() {
        let err = prepare(&files(1), &["SELECT 1;\n\\i other.sql\n".to_string()]).unwrap_err().to_string();
        assert!(err.starts_with("f0.sql:2:") && err.contains("\\i"), "{err}");
        let err = prepare(&files(1), &["ROLLBACK;".to_string()]).unwrap_err().to_string();
        assert!(err.contains("f0.sql:1") && err.contains("ROLLBACK"), "{err}");
        let err = prepare(&files(1), &["SELECT 'x".to_string()]).unwrap_err().to_string();
        assert!(err.starts_with("f0.sql:1: unterminated quoted string"), "{err}");
        assert!(prepare(&files(1), &["\\restrict k\nSELECT 1;\n\\unrestrict k\n".to_string()]).is_ok());
    }
}
