/// A script that cannot be split into statements.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SqlError {
    #[error("line {line}: unterminated {what} (it starts here and runs to the end of the file)")]
    Unterminated { what: &'static str, line: usize },
}

impl SqlError {
    pub fn line(&self) -> usize {
        match self {
            Self::Unterminated { line, .. } => *line,
        }
    }
}
