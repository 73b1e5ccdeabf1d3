//! The few statement kinds the engine treats specially, recognised by PostgreSQL's own parser.
//! Only statements whose first word could start such a statement are parsed, so classifying a
//! large schema costs almost nothing.

use pg_query::NodeEnum;
use pg_query::protobuf::TransactionStmtKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatementClass {
    /// `BEGIN`, `START TRANSACTION`.
    Begin,
    /// `COMMIT`, `END`.
    Commit,
    /// `ROLLBACK`, `ABORT` (not `ROLLBACK TO SAVEPOINT`).
    Rollback,
    /// `COPY … FROM STDIN`.
    CopyFromStdin,
    Other,
}

const CANDIDATES: &[&str] = &["begin", "start", "commit", "end", "rollback", "abort", "copy"];

fn first_word(text: &str) -> String {
    text.trim_start().chars().take_while(|c| c.is_ascii_alphabetic()).collect::<String>().to_ascii_lowercase()
}

/// Classifies one statement (as produced by [`super::split`]).
pub fn classify(text: &str) -> StatementClass {
    if !CANDIDATES.contains(&first_word(text).as_str()) {
        return StatementClass::Other;
    }
    let Ok(parsed) = pg_query::parse(text, pg_query::ParserOptions::DEFAULT) else {
        return StatementClass::Other;
    };
    let Some(node) = parsed.protobuf.stmts.first().and_then(|s| s.stmt.as_ref()).and_then(|s| s.node.as_ref()) else {
        return StatementClass::Other;
    };
    match node {
        NodeEnum::CopyStmt(copy) if copy.is_from && !copy.is_program && copy.filename.is_empty() => {
            StatementClass::CopyFromStdin
        }
        NodeEnum::TransactionStmt(t) => match TransactionStmtKind::try_from(t.kind) {
            Ok(TransactionStmtKind::TransStmtBegin | TransactionStmtKind::TransStmtStart) => StatementClass::Begin,
            Ok(TransactionStmtKind::TransStmtCommit) => StatementClass::Commit,
            Ok(TransactionStmtKind::TransStmtRollback) => StatementClass::Rollback,
            _ => StatementClass::Other,
        },
        _ => StatementClass::Other,
    }
}

/// Whether `text` is a `COPY … FROM STDIN` statement (its data follows in the script).
pub(super) fn is_copy_from_stdin(text: &str) -> bool {
    classify(text) == StatementClass::CopyFromStdin
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_transaction_control_and_copy() {
        assert_eq!(classify("BEGIN;"), StatementClass::Begin);
        assert_eq!(classify("start transaction isolation level serializable;"), StatementClass::Begin);
        assert_eq!(classify("END;"), StatementClass::Commit);
        assert_eq!(classify("commit"), StatementClass::Commit);
        assert_eq!(classify("ABORT;"), StatementClass::Rollback);
        assert_eq!(classify("ROLLBACK TO SAVEPOINT s;"), StatementClass::Other);
        assert_eq!(classify("COPY public.t (a) FROM STDIN WITH (FORMAT csv);"), StatementClass::CopyFromStdin);
        assert_eq!(classify("COPY t FROM '/tmp/x';"), StatementClass::Other);
        assert_eq!(classify("COPY t TO STDOUT;"), StatementClass::Other);
        assert_eq!(classify("CREATE TABLE begin_x (a int);"), StatementClass::Other);
        assert_eq!(classify("copy garbage ("), StatementClass::Other);
    }
}
