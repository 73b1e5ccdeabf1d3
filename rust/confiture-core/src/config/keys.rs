//! The keys an environment file may hold, and the warning for any other (with a suggestion for
//! near misses: `migration_tabel` → `migration_table`).

const TOP_KEYS: &[&str] = &[
    "name",
    "database_url",
    "database",
    "include_dirs",
    "exclude_dirs",
    "migration_table",
    "auto_backup",
    "require_confirmation",
    "build",
    "migration",
    "pggit",
    "protected",
    "sync",
    "coordination",
    "lint",
];

fn known_keys(parent: &str) -> &'static [&'static str] {
    let parent = parent.split('[').next().unwrap_or(parent);
    match parent {
        "" => TOP_KEYS,
        "build" => &["sort_mode"],
        "migration" => &["strict_mode", "locking"],
        "migration.locking" => &["enabled", "timeout_ms"],
        "pggit" => &[
            "enabled",
            "auto_init",
            "default_branch",
            "auto_commit",
            "commit_message_template",
            "require_branch",
            "protected_branches",
        ],
        "sync" => &["allow_as_target"],
        "coordination" => &["database_url"],
        "lint" => &[
            "enabled",
            "fail_on_error",
            "fail_on_warning",
            "select",
            "ignore",
            "severity",
            "naming",
            "tenant_column",
            "tenant_exempt",
            "exclude_tables",
            "sensitive_columns",
            "small_table_rows",
            "postgres_version",
            "baseline",
        ],
        "lint.naming" => &["style", "tables", "columns"],
        "database" => &["host", "port", "database", "dbname", "user", "password", "sslmode"],
        "include_dirs" => &["path", "recursive", "include", "exclude", "auto_discover", "order", "seed"],
        _ => &[],
    }
}

pub(super) fn unknown_key_message(key: &str) -> String {
    let (parent, leaf) = key.rsplit_once('.').unwrap_or(("", key));
    let suggestion = known_keys(parent)
        .iter()
        .map(|k| (edit_distance(leaf, k), *k))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, k)| format!("; did you mean `{k}`?"))
        .unwrap_or_default();
    format!("unknown key, ignored{suggestion}")
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb { prev } else { 1 + prev.min(row[j]).min(cur) };
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_for_near_misses_only() {
        assert_eq!(unknown_key_message("migration_tabel"), "unknown key, ignored; did you mean `migration_table`?");
        assert_eq!(unknown_key_message("build.sortmode"), "unknown key, ignored; did you mean `sort_mode`?");
        assert_eq!(unknown_key_message("include_dirs[2].recursiv"), "unknown key, ignored; did you mean `recursive`?");
        assert_eq!(unknown_key_message("something_else"), "unknown key, ignored");
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
