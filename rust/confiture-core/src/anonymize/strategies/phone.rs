//! `phone`: `+1-555-{number}` (fraiseql-confiture's `PhoneMaskingStrategy`,
//! `PhoneMaskConfig(format, preserve_country_code=False)`). `{number}` is four digits; each `#`
//! in the format is one more digit, for wider output spaces (`+1-555-###-####`). The digits of
//! the input are the PRF input, so `+1 (555) 010-2030` and `+15550102030` map alike. With
//! `preserve_country_code` the input's `+CC` replaces the format's leading `+digits`.

use serde::Deserialize;

use super::{Cx, Kind, ValueResult};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PhoneMaskConfig {
    pub format: String,
    pub preserve_country_code: bool,
}

impl Default for PhoneMaskConfig {
    fn default() -> Self {
        Self { format: "+1-555-{number}".into(), preserve_country_code: false }
    }
}

#[derive(Debug, Clone)]
pub struct Phone {
    format: String,
    preserve_country_code: bool,
}

fn country_code(text: &str) -> Option<&str> {
    let rest = text.trim().strip_prefix('+')?;
    let end = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
    (1..=3).contains(&end).then(|| &rest[..end])
}

impl Kind for Phone {
    const NAME: &'static str = "phone";
    type Config = PhoneMaskConfig;

    fn new(config: PhoneMaskConfig, _: &dyn Fn(&str) -> Option<String>) -> Result<Self, String> {
        if !config.format.contains("{number}") && !config.format.contains('#') {
            return Err("`format` must contain {number} or # placeholders (e.g. \"+1-555-{number}\")".into());
        }
        Ok(Self { format: config.format, preserve_country_code: config.preserve_country_code })
    }

    fn apply(&self, cx: &Cx<'_>, value: &str) -> ValueResult {
        let digits: String = value.chars().filter(char::is_ascii_digit).collect();
        let input = if digits.is_empty() { value.trim() } else { digits.as_str() };
        let mut rng = cx.rng(input.as_bytes());
        let number = format!("{:04}", rng.below(10_000));
        let mut out = String::with_capacity(self.format.len() + 4);
        for c in self.format.replace("{number}", &number).chars() {
            out.push(if c == '#' { rng.digit() } else { c });
        }
        if self.preserve_country_code
            && let Some(cc) = country_code(value)
        {
            out = match country_code(&out) {
                Some(own) => format!("+{cc}{}", &out[1 + own.len()..]),
                None => format!("+{cc} {out}"),
            };
        }
        Ok(Some(out))
    }

    fn looks_valid(&self, value: &str) -> bool {
        value.chars().filter(char::is_ascii_digit).count() >= 7
            && value.chars().all(|c| c.is_ascii_digit() || " -+().".contains(c))
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{run, strategy};
    use serde_json::json;

    #[test]
    fn zero_padded_digits_and_country_code() {
        let s = strategy("phone", json!({}));
        let a = run(&s, "+1 (555) 010-2030").unwrap();
        assert!(a.starts_with("+1-555-") && a.len() == 11 && a[7..].chars().all(|c| c.is_ascii_digit()), "{a}");
        assert_eq!(run(&s, "+15550102030"), Some(a));
        let s = strategy("phone", json!({"format": "+1-555-###-####", "preserve_country_code": true}));
        let b = run(&s, "+44 20 7946 0000").unwrap();
        assert!(b.starts_with("+44-555-") && b.len() == 16, "{b}");
    }
}
