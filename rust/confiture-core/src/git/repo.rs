//! The repository around the project directory, paths inside it, and the base commit.

use std::path::{Component, Path, PathBuf};

use git2::{ErrorCode, Oid, Repository};

use super::GitError;

/// The base ref tried first, and the one used (with a note) when it does not exist.
pub const DEFAULT_BASE_REF: &str = "origin/main";
pub const FALLBACK_BASE_REF: &str = "main";

pub(crate) struct Repo {
    pub repo: Repository,
    /// The working tree (canonical), or the git directory of a bare repository.
    pub root: PathBuf,
    /// The project directory relative to `root` (`/`-separated, empty at the root).
    project: String,
    /// The project directory as given (made absolute, not resolved): paths under it that were
    /// built from it (an environment's directories) are rebased onto `project`.
    given: PathBuf,
}

/// The commit the project is compared with.
#[derive(Debug, Clone)]
pub(crate) struct Base {
    /// The ref as resolved (`origin/main`, `main`, a tag, a commit id).
    pub name: String,
    /// Where HEAD's history meets it: changes made on the base since are not ours.
    pub commit: Oid,
}

impl Repo {
    pub fn open(project_dir: &Path) -> Result<Self, GitError> {
        let project = std::fs::canonicalize(project_dir)
            .map_err(|e| GitError::Read { path: project_dir.display().to_string(), message: e.to_string() })?;
        let repo = Repository::discover(&project).map_err(|e| match e.code() {
            ErrorCode::NotFound => GitError::NotARepository { path: project.clone() },
            _ => GitError::from(e),
        })?;
        let root = match repo.workdir() {
            Some(w) => std::fs::canonicalize(w).unwrap_or_else(|_| w.to_path_buf()),
            None => repo.path().to_path_buf(),
        };
        let rel = project.strip_prefix(&root).map(slash_path).unwrap_or_default();
        let given = std::path::absolute(project_dir).map(|p| normalize(&p)).unwrap_or_else(|_| project.clone());
        Ok(Self { repo, root, project: rel, given })
    }

    pub fn has_worktree(&self) -> bool {
        self.repo.workdir().is_some()
    }

    /// A path given relative to the project directory (or absolute), relative to the repository.
    pub fn repo_path(&self, path: &Path) -> Result<String, GitError> {
        let joined = match normalize(path).strip_prefix(&self.given) {
            Ok(inside) => normalize(&self.root.join(&self.project).join(inside)),
            Err(_) if path.is_absolute() => normalize(path),
            Err(_) => normalize(&self.root.join(&self.project).join(path)),
        };
        let root = normalize(&self.root);
        match joined.strip_prefix(&root) {
            Ok(rel) => Ok(slash_path(rel)),
            Err(_) => Err(GitError::OutsideRepository { path: path.to_path_buf(), root: self.root.clone() }),
        }
    }

    /// A repository path as people in the project directory write it.
    pub fn display(&self, repo_path: &str) -> String {
        if self.project.is_empty() {
            return repo_path.to_string();
        }
        repo_path
            .strip_prefix(&self.project)
            .and_then(|r| r.strip_prefix('/'))
            .map_or_else(|| repo_path.to_string(), str::to_string)
    }

    /// The base commit: `requested`, or `origin/main` falling back to `main`; then where HEAD's
    /// history meets it (its tip when HEAD has no commit yet). `notes` says what was chosen.
    pub fn base(&self, requested: Option<&str>, notes: &mut Vec<String>) -> Result<Base, GitError> {
        let (name, tip) = match requested {
            Some(r) => (r.to_string(), self.resolve(r).ok_or_else(|| self.unknown(r, None))?),
            None => match self.resolve(DEFAULT_BASE_REF) {
                Some(oid) => (DEFAULT_BASE_REF.to_string(), oid),
                None => match self.resolve(FALLBACK_BASE_REF) {
                    Some(oid) => {
                        notes.push(format!(
                            "{DEFAULT_BASE_REF} not found: comparing with {FALLBACK_BASE_REF} (give --base-ref to choose)"
                        ));
                        (FALLBACK_BASE_REF.to_string(), oid)
                    }
                    None => return Err(self.unknown(DEFAULT_BASE_REF, Some(FALLBACK_BASE_REF))),
                },
            },
        };
        let head = match self.repo.head() {
            Ok(h) => h.peel_to_commit().ok().map(|c| c.id()),
            Err(_) => None, // an unborn branch: nothing committed yet
        };
        let commit = match head {
            None => tip,
            Some(head) if head == tip => tip,
            Some(head) => match self.repo.merge_base(head, tip) {
                Ok(oid) => oid,
                Err(e) if e.code() == ErrorCode::NotFound => {
                    return Err(GitError::NoMergeBase { reference: name, hint: self.history_hint() });
                }
                Err(e) => return Err(e.into()),
            },
        };
        if commit != tip {
            notes.push(format!("comparing with the merge base of HEAD and {name} ({})", short(commit)));
        }
        Ok(Base { name, commit })
    }

    fn resolve(&self, spec: &str) -> Option<Oid> {
        self.repo.revparse_single(spec).ok()?.peel_to_commit().ok().map(|c| c.id())
    }

    fn unknown(&self, reference: &str, also: Option<&str>) -> GitError {
        let mut hint = String::new();
        if let Some(a) = also {
            hint.push_str(&format!(" (nor {a})"));
        }
        if self.repo.is_shallow() {
            hint.push_str(
                ": this is a shallow clone; fetch the base branch with its history \
                 (git fetch --unshallow, or fetch-depth: 0 with actions/checkout)",
            );
        } else if reference.contains('/') {
            hint.push_str(&format!(
                ": fetch it first (git fetch {}) or give another --base-ref",
                reference.replacen('/', " ", 1)
            ));
        } else {
            hint.push_str(": give an existing branch, tag or commit with --base-ref");
        }
        GitError::UnknownRef { reference: reference.to_string(), hint }
    }

    fn history_hint(&self) -> String {
        if self.repo.is_shallow() {
            ": this is a shallow clone; fetch the history (git fetch --unshallow, or fetch-depth: 0 with actions/checkout)"
                .into()
        } else {
            ": give a --base-ref that HEAD descends from".into()
        }
    }
}

pub(crate) fn short(oid: Oid) -> String {
    let s = oid.to_string();
    s[..s.len().min(10)].to_string()
}

fn slash_path(p: &Path) -> String {
    p.components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// `a/./b/../c` → `a/c`, without touching the disk (the path may not exist on this side).
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}
