//! The rule catalogue as Markdown, generated from the registry: what `confiture lint
//! --list-rules` prints and what docs/guides/lint.md embeds (a test keeps them equal).

use super::rule::{RuleMeta, Target, all_rules};

fn section(out: &mut String, r: &RuleMeta) {
    out.push_str(&format!("#### `{}` {}\n\n", r.id, r.name));
    out.push_str(&format!(
        "*{} · {} · {}*\n\n",
        r.target.name(),
        r.severity.name(),
        if r.default_enabled { "on by default" } else { "off unless selected" }
    ));
    out.push_str(&format!("{}\n\n", r.summary));
    out.push_str(&format!("**Why.** {}\n\n", r.why));
    out.push_str(&format!("**Instead.** {}\n\n", r.fix));
    let label = if r.target == Target::Schema { "schema file" } else { "migration" };
    out.push_str(&format!("Flagged ({label}):\n\n```sql\n{}\n```\n\n", r.bad));
    out.push_str(&format!("Not flagged:\n\n```sql\n{}\n```\n\n", r.good));
}

/// The whole catalogue: an index table, then one section per rule (schema rules, then migration rules).
pub fn markdown() -> String {
    let mut out = String::new();
    out.push_str(&format!("{} rules.\n\n", all_rules().len()));
    out.push_str("| id | name | applies to | severity | default |\n|---|---|---|---|---|\n");
    for r in all_rules() {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            r.id,
            r.name,
            r.target.name(),
            r.severity.name(),
            if r.default_enabled { "on" } else { "off" }
        ));
    }
    out.push('\n');
    for (title, target) in [("Schema rules", Target::Schema), ("Migration rules", Target::Migration)] {
        out.push_str(&format!("### {title}\n\n"));
        for r in all_rules().iter().filter(|r| r.target == target) {
            section(&mut out, r);
        }
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    /// docs/guides/lint.md embeds the catalogue between markers; `CONFITURE_UPDATE_DOCS=1 cargo
    /// test` rewrites it.
    #[test]
    fn the_guide_embeds_the_catalogue() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/guides/lint.md");
        let doc = std::fs::read_to_string(&path).unwrap();
        let (start, end) = ("<!-- rules:start -->\n", "\n<!-- rules:end -->");
        let a = doc.find(start).expect("start marker") + start.len();
        let b = doc.find(end).expect("end marker");
        let expected = super::markdown();
        if crate::config::env_var("CONFITURE_UPDATE_DOCS").is_some() {
            std::fs::write(&path, format!("{}{expected}{}", &doc[..a], &doc[b..])).unwrap();
            return;
        }
        assert!(
            doc[a..b] == expected,
            "docs/guides/lint.md is out of date: run `CONFITURE_UPDATE_DOCS=1 cargo test -p confiture-core --lib catalogue`"
        );
    }
}
