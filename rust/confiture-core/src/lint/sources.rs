//! Schema text handed in whole (`SchemaLinter.lint(schema)`, a built `schema_<env>.sql`): when it
//! carries the build's `-- File:` banners, it is cut back into its source files so findings point
//! at the file and line a person edits.

use crate::schema::Source;

const RULE: &str = "-- ============================================";

/// The sources of a schema text named `name`: one per `-- File:` section, or the text itself.
pub fn split_built(name: &str, text: &str) -> Vec<Source> {
    let banner = format!("\n{RULE}\n-- File: ");
    let mut out = Vec::new();
    let mut rest = match text.find(&banner) {
        Some(i) => &text[i..],
        None => return vec![Source { name: name.to_string(), text: text.to_string() }],
    };
    while let Some(body) = rest.strip_prefix(banner.as_str()) {
        let Some((file, after)) = body.split_once('\n') else { break };
        let Some(content) = after.strip_prefix(RULE).and_then(|a| a.strip_prefix("\n\n")) else { break };
        let end = content.find(&banner).unwrap_or(content.len());
        out.push(Source { name: file.trim().to_string(), text: content[..end].to_string() });
        rest = &content[end..];
    }
    if out.is_empty() {
        out.push(Source { name: name.to_string(), text: text.to_string() });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_a_built_schema_back_into_files() {
        let built = format!(
            "{RULE}\n-- PostgreSQL Schema for Confiture\n{RULE}\n--\n-- Environment: local\n{RULE}\n\n\n{RULE}\n-- File: 00_a.sql\n{RULE}\n\nCREATE SCHEMA app;\n\n{RULE}\n-- File: 10_tables/t.sql\n{RULE}\n\n-- t\nCREATE TABLE app.t (id int);\n"
        );
        let sources = split_built("schema_local.sql", &built);
        let names: Vec<&str> = sources.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["00_a.sql", "10_tables/t.sql"]);
        assert_eq!(sources[0].text, "CREATE SCHEMA app;\n");
        assert_eq!(sources[1].text, "-- t\nCREATE TABLE app.t (id int);\n");
        let plain = split_built("x.sql", "CREATE TABLE t (id int);");
        assert_eq!(plain.len(), 1);
        assert_eq!(plain[0].name, "x.sql");
    }
}
