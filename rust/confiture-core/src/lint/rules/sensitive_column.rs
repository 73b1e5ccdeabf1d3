//! sec_001: columns whose names say they hold secrets or personal data.

use crate::lint::Severity;
use crate::lint::finding::Sink;
use crate::lint::rule::{Check, RuleMeta, Target};
use crate::lint::schema::{SchemaCtx, column_name};
use crate::schema::ObjectId;

pub(crate) const META: RuleMeta = RuleMeta {
    id: "sec_001",
    name: "Sensitive Data Column",
    target: Target::Schema,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "Columns whose name contains a sensitive word (password, secret, token, api_key, credit_card, ssn, … or `lint.sensitive_columns`).",
    why: "Such columns end up in dumps, logs, replicas and developer copies; they need hashing or encryption, restricted privileges, and anonymization when data is synced.",
    fix: "Store a hash or an encrypted value, restrict the column (column privileges or RLS), add it to the anonymization profile; suppress the finding once handled.",
    bad: "CREATE TABLE accounts (id bigint PRIMARY KEY, password text);",
    good: "CREATE TABLE accounts (id bigint PRIMARY KEY, display_name text);",
    check: Check::Schema(check),
};

/// The words of an identifier: `apiKey` and `api_key` both give `api`, `key`.
fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// The sensitive words, each split into its words once.
pub(crate) struct Wanted<'a>(Vec<(&'a str, Vec<String>)>);

impl<'a> Wanted<'a> {
    pub fn new(sensitive: &'a [String]) -> Self {
        Self(sensitive.iter().map(|s| (s.as_str(), words(s))).filter(|(_, w)| !w.is_empty()).collect())
    }

    /// The sensitive word `name` contains, if any: whole words, so `tokens_used` does not match
    /// `token` but `reset_token` does.
    pub fn find(&self, name: &str) -> Option<&'a str> {
        let have = words(name);
        self.0.iter().find(|(_, want)| have.windows(want.len()).any(|w| w == want.as_slice())).map(|(s, _)| *s)
    }
}

#[cfg(test)]
fn sensitive_word<'a>(name: &str, sensitive: &'a [String]) -> Option<&'a str> {
    Wanted::new(sensitive).find(name)
}

fn check(ctx: &SchemaCtx<'_>, sink: &mut Sink) {
    let wanted = Wanted::new(&ctx.config.sensitive);
    for t in ctx.tables() {
        for c in &t.columns {
            let Some(word) = wanted.find(&c.name) else { continue };
            let message = format!("column {} may hold sensitive data ({word})", column_name(&t.name, &c.name));
            let id = ObjectId::Column(t.name.clone(), c.name.clone());
            sink.add("column", column_name(&t.name, &c.name), message, ctx.location(&id));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::testing::{schema_findings, schema_findings_with};

    #[test]
    fn whole_words_only() {
        let s: Vec<String> = crate::lint::config::DEFAULT_SENSITIVE.iter().map(|s| s.to_string()).collect();
        assert_eq!(sensitive_word("password_hash", &s), Some("password"));
        assert_eq!(sensitive_word("apiKey", &s), Some("api_key"));
        assert_eq!(sensitive_word("stripe_api_key", &s), Some("api_key"));
        assert_eq!(sensitive_word("tokens_used", &s), None);
        assert_eq!(sensitive_word("passwordless", &s), None);
        assert_eq!(sensitive_word("ssn", &s), Some("ssn"));
    }

    #[test]
    fn columns_not_comments_or_strings() {
        let sql = "-- password secret token\nCREATE TABLE app_users (id int, login text DEFAULT 'password', reset_token text);\n\
                   COMMENT ON COLUMN app_users.login IS 'not the password';";
        assert_eq!(
            schema_findings(sql, "sec_001"),
            ["app_users.reset_token: column app_users.reset_token may hold sensitive data (token)"]
        );
        let custom = schema_findings_with(
            "CREATE TABLE p (id int, iban text, birth_date date)",
            "sec_001",
            "sensitive_columns: [birth_date]",
        );
        assert_eq!(custom, ["p.birth_date: column p.birth_date may hold sensitive data (birth_date)"]);
    }
}
