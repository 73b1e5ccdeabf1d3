//! `text_redaction`: personal data inside free text replaced (fraiseql-confiture's
//! `TextRedactionStrategy`, `TextRedactionConfig(patterns=["email"], replacement="[REDACTED]",
//! case_insensitive=True, preserve_length=False)`). `patterns` are names (email, phone/phone_us,
//! credit_card, ssn, url, ipv4, ipv6, ip_address, date_us), matched by scanners rather than
//! regular expressions; custom regular expressions are not accepted. With `preserve_length` a
//! match becomes the replacement's first character repeated to the match's length. Works on JSON
//! columns too (the replacement must then not contain `"` or `\`).

use serde::Deserialize;

use super::scan::{NAMES, Pattern, merge};
use super::{Cx, Kind, ValueResult, ValueType};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TextRedactionConfig {
    pub patterns: Vec<String>,
    pub replacement: String,
    pub case_insensitive: bool,
    pub preserve_length: bool,
}

impl Default for TextRedactionConfig {
    fn default() -> Self {
        Self {
            patterns: vec!["email".into()],
            replacement: "[REDACTED]".into(),
            case_insensitive: true,
            preserve_length: false,
        }
    }
}

#[derive(Debug, Clone)]
pub struct TextRedaction {
    patterns: Vec<Pattern>,
    replacement: String,
    preserve_length: bool,
}

impl Kind for TextRedaction {
    const NAME: &'static str = "text_redaction";
    type Config = TextRedactionConfig;

    fn new(config: TextRedactionConfig, _: &dyn Fn(&str) -> Option<String>) -> Result<Self, String> {
        let mut patterns = Vec::new();
        for name in &config.patterns {
            let parsed = Pattern::parse(name).ok_or_else(|| {
                format!(
                    "`patterns`: unknown pattern {name:?}; use {} (regular expressions are not accepted)",
                    NAMES.join(", ")
                )
            })?;
            patterns.extend(parsed);
        }
        if patterns.is_empty() {
            return Err("`patterns` is empty: nothing would be redacted".into());
        }
        if config.preserve_length && config.replacement.is_empty() {
            return Err("`preserve_length` needs a non-empty `replacement`".into());
        }
        Ok(Self { patterns, replacement: config.replacement, preserve_length: config.preserve_length })
    }

    fn accepts(&self, value_type: ValueType) -> bool {
        matches!(value_type, ValueType::Text | ValueType::Json)
    }

    fn varies(&self) -> bool {
        false
    }

    fn apply(&self, _: &Cx<'_>, value: &str) -> ValueResult {
        let mut spans = Vec::new();
        for p in &self.patterns {
            p.find(value, &mut spans);
        }
        if spans.is_empty() {
            return Ok(Some(value.to_string()));
        }
        let mut out = String::with_capacity(value.len());
        let mut last = 0;
        for (s, e) in merge(spans) {
            out.push_str(&value[last..s]);
            if self.preserve_length {
                let c = self.replacement.chars().next().unwrap_or('*');
                out.extend(std::iter::repeat_n(c, value[s..e].chars().count()));
            } else {
                out.push_str(&self.replacement);
            }
            last = e;
        }
        out.push_str(&value[last..]);
        Ok(Some(out))
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{run, strategy};
    use serde_json::json;

    #[test]
    fn redacts_inside_text() {
        let s = strategy("text_redaction", json!({"patterns": ["email", "phone", "credit_card", "ip_address"]}));
        assert_eq!(
            run(&s, "Mail jo@x.org, call 555-123-4567, card 4111-1111-1111-1111 from 10.1.2.3"),
            Some("Mail [REDACTED], call [REDACTED], card [REDACTED] from [REDACTED]".into())
        );
        let s = strategy("text_redaction", json!({"preserve_length": true, "replacement": "#"}));
        assert_eq!(run(&s, "to a@b.io!"), Some("to ######!".into()));
        assert_eq!(run(&s, "nothing here"), Some("nothing here".into()));
    }
}
