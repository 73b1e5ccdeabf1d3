//! `.pgpass` lookup, as libpq does it: `PGPASSFILE` or `~/.pgpass`, lines
//! `host:port:database:user:password` with `*` wildcards and `\:` / `\\` escapes; the file is
//! ignored when group or others can read it.

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

pub(super) fn lookup(
    env: &dyn Fn(&str) -> Option<String>,
    host: &str,
    port: u16,
    dbname: &str,
    user: &str,
) -> Option<String> {
    let path =
        env("PGPASSFILE").map(PathBuf::from).or_else(|| env("HOME").map(|h| PathBuf::from(h).join(".pgpass")))?;
    let meta = std::fs::metadata(&path).ok()?;
    if !meta.is_file() || meta.permissions().mode() & 0o077 != 0 {
        return None;
    }
    let text = std::fs::read_to_string(&path).ok()?;
    // libpq matches socket connections against "localhost".
    let host = if host.is_empty() || host.starts_with('/') { "localhost" } else { host };
    find(&text, host, &port.to_string(), dbname, user)
}

fn find(text: &str, host: &str, port: &str, dbname: &str, user: &str) -> Option<String> {
    text.lines().filter(|l| !l.trim_start().starts_with('#')).find_map(|line| {
        let fields = split_fields(line);
        if fields.len() < 5 {
            return None;
        }
        let matches = |field: &str, value: &str| field == "*" || field == value;
        (matches(&fields[0], host)
            && matches(&fields[1], port)
            && matches(&fields[2], dbname)
            && matches(&fields[3], user))
        .then(|| fields[4..].join(":"))
    })
}

fn split_fields(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    fields.last_mut().expect("invariant: fields is never empty").push(n);
                }
            }
            ':' if fields.len() < 5 => fields.push(String::new()),
            _ => fields.last_mut().expect("invariant: fields is never empty").push(c),
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_with_wildcards_and_escapes() {
        let text = "# comment\nother:5432:*:*:nope\nlocalhost:*:app:bob:pa\\:ss:word\n*:*:*:*:fallback\n";
        assert_eq!(find(text, "localhost", "5432", "app", "bob").as_deref(), Some("pa:ss:word"));
        assert_eq!(find(text, "db", "5432", "app", "bob").as_deref(), Some("fallback"));
        assert_eq!(find("h:1:d:u:p\n", "h", "2", "d", "u"), None);
    }

    #[test]
    fn reads_the_file_only_when_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pgpass");
        std::fs::write(&path, "*:*:*:*:secret\n").unwrap();
        let p = path.to_string_lossy().to_string();
        let env = move |k: &str| (k == "PGPASSFILE").then(|| p.clone());
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(lookup(&env, "h", 5432, "d", "u"), None);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(lookup(&env, "h", 5432, "d", "u").as_deref(), Some("secret"));
    }
}
