use std::path::PathBuf;

/// Why a git-aware check could not run (as opposed to the violations it finds).
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("{} is not inside a git repository (run it inside your project's repository, or leave out --check-drift and --require-migration)", path.display())]
    NotARepository { path: PathBuf },
    #[error("the repository at {} has no working tree: use --staged to compare its index", path.display())]
    Bare { path: PathBuf },
    /// `hint` says what to do (fetch the ref, give `--base-ref`, unshallow).
    #[error("base ref {reference} not found{hint}")]
    UnknownRef { reference: String, hint: String },
    #[error("HEAD and {reference} share no history{hint}")]
    NoMergeBase { reference: String, hint: String },
    #[error("{} is outside the repository at {}", path.display(), root.display())]
    OutsideRepository { path: PathBuf, root: PathBuf },
    #[error("{path}: unmerged in the index (resolve the conflict and stage the file first)")]
    Unmerged { path: String },
    #[error("{path}: {message}")]
    Read { path: String, message: String },
    #[error("git: {message}")]
    Git { message: String },
}

impl From<git2::Error> for GitError {
    fn from(e: git2::Error) -> Self {
        Self::Git { message: e.message().to_string() }
    }
}
