//! Reading and hashing schema files, in parallel.
//!
//! The schema hash is `sha256(d_1 ‖ d_2 ‖ … ‖ d_n)` (hex), where `d_i = sha256(rel_i ‖ 0x00 ‖ bytes_i ‖ 0x00)`
//! is the raw 32-byte digest of file *i* in build order and `rel_i` its `/`-separated path relative
//! to the build's base directory. Per-file digests are independent, so they are computed in
//! parallel; the outer hash fixes the order. Renaming, reordering or editing any file changes it.

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::{ProjectError, SchemaFile};

/// Reads every file (in parallel). The first unreadable file, in build order, is the error.
pub fn read_all(files: &[SchemaFile]) -> Result<Vec<Vec<u8>>, ProjectError> {
    let results: Vec<Result<Vec<u8>, ProjectError>> = files
        .par_iter()
        .map(|f| read_file(&f.path).map_err(|source| ProjectError::Read { path: f.path.clone(), source }))
        .collect();
    results.into_iter().collect()
}

/// Reads a file: open, one `fstat` for the size, reads until that many bytes arrived (no extra
/// end-of-file probe: a build reads thousands of small files and syscalls dominate). A file that
/// grows while the build reads it is read as of the `fstat`.
fn read_file(path: &std::path::Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read as _;
    let mut file = std::fs::File::open(path)?;
    let len = usize::try_from(file.metadata()?.len()).unwrap_or(0);
    let mut bytes = vec![0; len];
    let mut filled = 0;
    while filled < len {
        match file.read(&mut bytes[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    bytes.truncate(filled);
    Ok(bytes)
}

/// Reads every file as UTF-8 text (in parallel), naming the line of the first invalid byte.
pub fn read_texts(files: &[SchemaFile]) -> Result<Vec<String>, ProjectError> {
    let results: Vec<Result<String, ProjectError>> = files
        .par_iter()
        .map(|f| {
            let bytes = read_file(&f.path).map_err(|source| ProjectError::Read { path: f.path.clone(), source })?;
            String::from_utf8(bytes).map_err(|e| {
                let bad = e.utf8_error().valid_up_to();
                let bytes = e.as_bytes();
                let line = bytes[..bad].iter().filter(|&&b| b == b'\n').count() + 1;
                ProjectError::NotUtf8 { path: f.path.clone(), line, byte: bad }
            })
        })
        .collect();
    results.into_iter().collect()
}

/// The raw digest of one file: `sha256(rel ‖ 0 ‖ bytes ‖ 0)`.
pub fn file_digest(rel: &str, bytes: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(rel.as_bytes());
    h.update([0u8]);
    h.update(bytes);
    h.update([0u8]);
    h.finalize().into()
}

/// The schema hash of files (in build order) and their contents (same order).
pub fn hash_files<B: AsRef<[u8]> + Sync>(files: &[SchemaFile], contents: &[B]) -> String {
    debug_assert_eq!(files.len(), contents.len());
    let digests: Vec<[u8; 32]> =
        files.par_iter().zip(contents.par_iter()).map(|(f, c)| file_digest(&f.rel, c.as_ref())).collect();
    let mut outer = Sha256::new();
    for d in &digests {
        outer.update(d);
    }
    hex::encode(outer.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn file(rel: &str) -> SchemaFile {
        SchemaFile { path: PathBuf::from(rel), rel: rel.to_string(), seed: false }
    }

    #[test]
    fn empty_input_hashes_to_sha256_of_nothing() {
        let none: [&[u8]; 0] = [];
        assert_eq!(hash_files(&[], &none), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    #[test]
    fn hash_depends_on_names_order_and_bytes() {
        let base = hash_files(&[file("a.sql"), file("b.sql")], &["x", "y"]);
        assert_eq!(base, hash_files(&[file("a.sql"), file("b.sql")], &["x", "y"]));
        assert_ne!(base, hash_files(&[file("b.sql"), file("a.sql")], &["y", "x"]));
        assert_ne!(base, hash_files(&[file("a.sql"), file("c.sql")], &["x", "y"]));
        assert_ne!(base, hash_files(&[file("a.sql"), file("b.sql")], &["x", "y "]));
        // The separators keep file boundaries unambiguous.
        assert_ne!(hash_files(&[file("a"), file("b")], &["xy", ""]), hash_files(&[file("a"), file("b")], &["x", "y"]));
    }

    #[test]
    fn digest_is_the_documented_formula() {
        let mut h = Sha256::new();
        h.update(b"a.sql\0x\0");
        let expected: [u8; 32] = h.finalize().into();
        assert_eq!(file_digest("a.sql", b"x"), expected);
        let mut outer = Sha256::new();
        outer.update(expected);
        assert_eq!(hash_files(&[file("a.sql")], &["x"]), hex::encode(outer.finalize()));
    }

    #[test]
    fn invalid_utf8_names_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("bad.sql");
        std::fs::write(&p, b"select 1;\nselect '\xff';\n").unwrap();
        let f = SchemaFile { path: p, rel: "bad.sql".into(), seed: false };
        match read_texts(&[f]) {
            Err(ProjectError::NotUtf8 { line, .. }) => assert_eq!(line, 2),
            other => panic!("unexpected {other:?}"),
        }
    }
}
