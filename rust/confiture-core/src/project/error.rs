use std::path::PathBuf;

/// Problems with the project's files. Each variant names the file or directory involved.
#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    #[error("no include_dirs specified in {source_file}: list the directories holding your DDL")]
    NoIncludeDirs { source_file: PathBuf },

    #[error("include directory does not exist: {dir}\ncreate it or fix include_dirs in {source_file}")]
    MissingDir { dir: PathBuf, source_file: PathBuf },

    #[error(
        "No SQL files found in include directories: {}\nExpected files in subdirectories like 00_common/, 10_tables/, etc.",
        dirs.iter().map(|d| d.display().to_string()).collect::<Vec<_>>().join(", ")
    )]
    NoFiles { dirs: Vec<PathBuf> },

    #[error("invalid glob pattern {pattern:?} in {source_file}: {message}")]
    InvalidGlob { pattern: String, source_file: PathBuf, message: String },

    #[error("cannot list {path}: {message}")]
    Walk { path: PathBuf, message: String },

    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },

    #[error("{path}:{line}: file is not valid UTF-8 (byte {byte}); re-save it as UTF-8")]
    NotUtf8 { path: PathBuf, line: usize, byte: usize },

    #[error("cannot write {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },

    #[error("{path} already exists and is not a directory")]
    NotADirectory { path: PathBuf },
}
