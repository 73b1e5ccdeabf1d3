//! `--format table`: for people. One block per finding — where, how serious, which rule, what,
//! and the fix — then the counts; `✅ No violations found!` when there is nothing to report.

use crate::lint::{Report, Severity};

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub(super) fn render(r: &Report) -> String {
    let mut out = String::new();
    if r.findings.is_empty() {
        out.push_str("✅ No violations found!\n");
    } else {
        out.push_str("Violations\n\n");
        for f in &r.findings {
            let icon = match f.severity {
                Severity::Error => "❌",
                Severity::Warning => "⚠️ ",
                Severity::Info => "ℹ️ ",
            };
            out.push_str(&format!(
                "{icon} {} {} [{}] {}\n   {}\n",
                f.place(),
                f.severity.name(),
                f.rule_id,
                f.rule_name,
                f.message
            ));
            if let Some(fix) = &f.suggested_fix {
                out.push_str(&format!("   fix: {fix}\n"));
            }
            out.push('\n');
        }
    }
    let mut checked = Vec::new();
    if r.tables_checked > 0 || r.migrations_checked == 0 {
        checked.push(plural(r.tables_checked, "table", "tables"));
        checked.push(plural(r.columns_checked, "column", "columns"));
    }
    if r.migrations_checked > 0 {
        checked.push(plural(r.migrations_checked, "migration", "migrations"));
        checked.push(plural(r.statements_checked, "statement", "statements"));
    }
    out.push_str(&format!(
        "📊 {}, {}, {} ({} checked{}; database: {})\n",
        plural(r.count(Severity::Error), "error", "errors"),
        plural(r.count(Severity::Warning), "warning", "warnings"),
        plural(r.count(Severity::Info), "info", "info"),
        checked.join(", "),
        if r.suppressed > 0 { format!(", {} suppressed", r.suppressed) } else { String::new() },
        r.database
    ));
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn blocks_and_summary() {
        let text = super::render(&super::super::tests::sample());
        assert!(text.starts_with("Violations\n\n❌ db/schema/fn.sql:4:3 error [sec_004] Security Definer Without search_path\n   SECURITY DEFINER function f() does not set search_path\n   fix: Do \"this\", then that.\n\n"), "{text}");
        assert!(text.contains("ℹ️  app.t info [doc_001]"), "{text}");
        assert!(text.ends_with("📊 1 error, 1 warning, 1 info (2 tables, 5 columns, 1 migration, 3 statements checked, 1 suppressed; database: offline)\n"), "{text}");
        let mut empty = super::super::tests::sample();
        empty.findings.clear();
        assert!(super::render(&empty).starts_with("✅ No violations found!\n"));
    }
}
