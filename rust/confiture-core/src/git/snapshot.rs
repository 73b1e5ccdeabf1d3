//! The files under a few directories as one side sees them: a commit's tree, the index, or the
//! working tree — read from git objects (no checkout). Each file is known by its blob id, so text
//! shared by both sides is read once ([`Contents`]).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

use git2::{ObjectType, Oid, Status, StatusOptions, TreeWalkMode, TreeWalkResult};

use super::GitError;
use super::repo::Repo;

/// What is compared with the base.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compared {
    /// The files on disk (tracked or not, ignored files left out).
    Worktree,
    /// What `git commit` would record (`--staged`).
    Index,
}

impl Compared {
    pub fn name(self) -> &'static str {
        match self {
            Self::Worktree => "worktree",
            Self::Index => "index",
        }
    }
}

/// Where one side's files come from.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Origin {
    Commit(Oid),
    Side(Compared),
}

/// Repository paths (`/`-separated) of the files under the directories asked for, and their blobs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Snapshot {
    pub files: BTreeMap<String, Oid>,
}

/// File texts by blob id, shared by both sides of a run.
#[derive(Default)]
pub(crate) struct Contents {
    texts: HashMap<Oid, Arc<str>>,
}

impl Contents {
    /// The text of `oid` (read from the object database unless the working tree gave it).
    pub fn text(&mut self, repo: &Repo, path: &str, oid: Oid) -> Result<Arc<str>, GitError> {
        if let Some(t) = self.texts.get(&oid) {
            return Ok(t.clone());
        }
        let blob =
            repo.repo.find_blob(oid).map_err(|e| GitError::Read { path: path.into(), message: e.message().into() })?;
        let text = utf8(path, blob.content())?;
        self.texts.insert(oid, text.clone());
        Ok(text)
    }

    /// Reads the blobs not read yet, on every core (libgit2 handles are per thread: each worker
    /// opens the repository once). Errors are left for [`Contents::text`] to report with the path.
    pub fn prefetch(&mut self, repo: &Repo, oids: &[Oid]) {
        use rayon::prelude::*;
        // The sides share most blobs: each is read once.
        let mut missing: Vec<Oid> = oids.iter().filter(|o| !self.texts.contains_key(o)).copied().collect();
        missing.sort_unstable();
        missing.dedup();
        if missing.len() < 64 {
            return;
        }
        let path = repo.repo.path().to_path_buf();
        let chunk = missing.len().div_ceil(rayon::current_num_threads().max(1));
        let read: Vec<(Oid, Arc<str>)> = missing
            .par_chunks(chunk)
            .flat_map_iter(|oids| {
                let own = git2::Repository::open(&path).ok();
                oids.iter()
                    .filter_map(|oid| {
                        let blob = own.as_ref()?.find_blob(*oid).ok()?;
                        let text = std::str::from_utf8(blob.content()).ok()?;
                        Some((*oid, Arc::from(text.strip_prefix('\u{feff}').unwrap_or(text))))
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        self.texts.extend(read);
    }

    fn insert(&mut self, oid: Oid, text: Arc<str>) {
        self.texts.insert(oid, text);
    }
}

fn utf8(path: &str, bytes: &[u8]) -> Result<Arc<str>, GitError> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(Arc::from(s.strip_prefix('\u{feff}').unwrap_or(s))),
        Err(e) => {
            Err(GitError::Read { path: path.into(), message: format!("not valid UTF-8 (byte {})", e.valid_up_to()) })
        }
    }
}

/// Whether a repository path lies under one of `dirs` (repository paths; empty = the root).
fn under<'a>(path: &str, dirs: &'a [String]) -> Option<&'a str> {
    dirs.iter()
        .find(|d| d.is_empty() || path.strip_prefix(d.as_str()).is_some_and(|r| r.starts_with('/')))
        .map(String::as_str)
}

/// A component starting with `.` (editor files, `.git`) is never part of the project.
fn hidden(rel: &str) -> bool {
    rel.split('/').any(|c| c.starts_with('.'))
}

fn rel_of<'a>(path: &'a str, dir: &str) -> &'a str {
    if dir.is_empty() { path } else { &path[dir.len() + 1..] }
}

/// Reads one side's files under `dirs`.
pub(crate) fn snapshot(
    repo: &Repo,
    from: Origin,
    dirs: &[String],
    contents: &mut Contents,
) -> Result<Snapshot, GitError> {
    match from {
        Origin::Commit(oid) => tree_files(repo, oid, dirs),
        Origin::Side(Compared::Index) => index_files(repo, dirs),
        Origin::Side(Compared::Worktree) => worktree_files(repo, dirs, contents),
    }
}

fn tree_files(repo: &Repo, commit: Oid, dirs: &[String]) -> Result<Snapshot, GitError> {
    let root = repo.repo.find_commit(commit)?.tree()?;
    let mut files = BTreeMap::new();
    for dir in dirs {
        let tree = if dir.is_empty() {
            root.clone()
        } else {
            match root.get_path(Path::new(dir)) {
                Ok(entry) if entry.kind() == Some(ObjectType::Tree) => repo.repo.find_tree(entry.id())?,
                Ok(_) => continue,
                Err(e) if e.code() == git2::ErrorCode::NotFound => continue,
                Err(e) => return Err(e.into()),
            }
        };
        tree.walk(TreeWalkMode::PreOrder, |parent, entry| {
            let Ok(name) = entry.name() else { return TreeWalkResult::Skip };
            if name.starts_with('.') {
                return TreeWalkResult::Skip;
            }
            // Regular files only (0o100644 / 0o100755): not links or submodules.
            if entry.kind() == Some(ObjectType::Blob) && entry.filemode() & 0o170000 == 0o100000 {
                let path = if dir.is_empty() { format!("{parent}{name}") } else { format!("{dir}/{parent}{name}") };
                files.insert(path, entry.id());
            }
            TreeWalkResult::Ok
        })?;
    }
    Ok(Snapshot { files })
}

fn index_files(repo: &Repo, dirs: &[String]) -> Result<Snapshot, GitError> {
    let index = repo.repo.index()?;
    let mut files = BTreeMap::new();
    for entry in index.iter() {
        let Ok(path) = String::from_utf8(entry.path) else { continue };
        let Some(dir) = under(&path, dirs) else { continue };
        if hidden(rel_of(&path, dir)) {
            continue;
        }
        // Stage bits: a conflict leaves stages 1-3 and no stage 0.
        if (entry.flags >> 12) & 0x3 != 0 {
            return Err(GitError::Unmerged { path: repo.display(&path) });
        }
        // `git add -N` records the path with no content yet.
        const INTENT_TO_ADD: u16 = 1 << 13;
        if entry.flags_extended & INTENT_TO_ADD != 0 || entry.mode & 0o170000 != 0o100000 {
            continue;
        }
        files.insert(path, entry.id);
    }
    Ok(Snapshot { files })
}

/// The index, corrected by what `git status` sees on disk (libgit2's stat cache: files that did
/// not change are not read).
fn worktree_files(repo: &Repo, dirs: &[String], contents: &mut Contents) -> Result<Snapshot, GitError> {
    if !repo.has_worktree() {
        return Err(GitError::Bare { path: repo.root.clone() });
    }
    let mut snap = index_files(repo, dirs)?;
    let mut options = StatusOptions::new();
    options.include_untracked(true).recurse_untracked_dirs(true).include_ignored(false).renames_index_to_workdir(false);
    for d in dirs {
        options.pathspec(if d.is_empty() { "." } else { d.as_str() });
    }
    options.disable_pathspec_match(false);
    let statuses = repo.repo.statuses(Some(&mut options))?;
    for entry in statuses.iter() {
        let Ok(path) = entry.path() else { continue };
        let Some(dir) = under(path, dirs) else { continue };
        if hidden(rel_of(path, dir)) {
            continue;
        }
        let s = entry.status();
        if s.contains(Status::CONFLICTED) {
            return Err(GitError::Unmerged { path: repo.display(path) });
        }
        if s.contains(Status::WT_DELETED) {
            snap.files.remove(path);
        } else if s.intersects(Status::WT_NEW | Status::WT_MODIFIED | Status::WT_TYPECHANGE | Status::WT_RENAMED) {
            let disk = repo.root.join(path);
            let meta = std::fs::symlink_metadata(&disk)
                .map_err(|e| GitError::Read { path: repo.display(path), message: e.to_string() })?;
            if !meta.is_file() {
                snap.files.remove(path);
                continue;
            }
            let bytes = std::fs::read(&disk)
                .map_err(|e| GitError::Read { path: repo.display(path), message: e.to_string() })?;
            let oid = Oid::hash_object(ObjectType::Blob, &bytes)?;
            contents.insert(oid, utf8(&repo.display(path), &bytes)?);
            snap.files.insert(path.to_string(), oid);
        }
    }
    Ok(snap)
}
