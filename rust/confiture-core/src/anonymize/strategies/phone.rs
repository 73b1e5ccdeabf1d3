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

/// A piece of the format: text, `{number}` (four digits) or `#` (one digit).
#[derive(Debug, Clone)]
enum Piece {
    Text(String),
    Number,
    Digit,
}

#[derive(Debug, Clone)]
pub struct Phone {
    pieces: Vec<Piece>,
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
        let mut pieces = Vec::new();
        let mut text = String::new();
        let mut rest = config.format.as_str();
        while let Some(c) = rest.chars().next() {
            let piece = if rest.starts_with("{number}") {
                rest = &rest["{number}".len()..];
                Piece::Number
            } else if c == '#' {
                rest = &rest[1..];
                Piece::Digit
            } else {
                text.push(c);
                rest = &rest[c.len_utf8()..];
                continue;
            };
            if !text.is_empty() {
                pieces.push(Piece::Text(std::mem::take(&mut text)));
            }
            pieces.push(piece);
        }
        if !text.is_empty() {
            pieces.push(Piece::Text(text));
        }
        Ok(Self { pieces, preserve_country_code: config.preserve_country_code })
    }

    fn apply(&self, cx: &Cx<'_>, value: &str) -> ValueResult {
        let mut digits = [0u8; 64];
        let mut n = 0;
        for b in value.bytes().filter(u8::is_ascii_digit) {
            if n < digits.len() {
                digits[n] = b;
                n += 1;
            }
        }
        let input = if n == 0 { value.trim().as_bytes() } else { &digits[..n] };
        let mut rng = cx.rng(input);
        let number = rng.below(10_000);
        let mut out = String::with_capacity(24);
        for piece in &self.pieces {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Number => {
                    for d in [number / 1000, number / 100 % 10, number / 10 % 10, number % 10] {
                        out.push(char::from(b'0' + d as u8));
                    }
                }
                Piece::Digit => out.push(rng.digit()),
            }
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
