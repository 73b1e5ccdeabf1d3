//! `address`: addresses with chosen parts kept (fraiseql-confiture's `AddressStrategy`,
//! `AddressConfig(preserve_fields=["city", "country"], redact_street=True, format="freetext")`).
//! Free text is read as `street, city, state zip, country` (comma-separated, any part optional
//! from the right); `structured` values are JSON objects with `street`, `city`, `state`,
//! `zip`/`postal_code` and `country` keys (other keys are kept). Fields not preserved are replaced
//! by realistic ones from the `fake` crate.

use fake::Fake;
use fake::faker::address::raw as addr;
use fake::locales::EN;
use serde::Deserialize;
use serde_json::Value;

use super::super::prf::DetRng;
use super::faker::street;
use super::{Cx, Kind, ValueResult, ValueType};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AddressConfig {
    pub preserve_fields: Vec<String>,
    pub redact_street: bool,
    pub format: String,
}

impl Default for AddressConfig {
    fn default() -> Self {
        Self { preserve_fields: vec!["city".into(), "country".into()], redact_street: true, format: "freetext".into() }
    }
}

const FIELDS: &[&str] = &["street", "city", "state", "zip", "country"];

#[derive(Debug, Clone)]
pub struct Address {
    keep: [bool; 5],
    structured: bool,
}

impl Address {
    fn keeps(&self, field: &str) -> bool {
        FIELDS.iter().position(|f| *f == field).is_some_and(|i| self.keep[i])
    }

    fn fake(&self, field: &str, rng: &mut DetRng) -> String {
        match field {
            "street" => street(EN, rng),
            "city" => addr::CityName(EN).fake_with_rng(rng),
            "state" => addr::StateAbbr(EN).fake_with_rng(rng),
            "zip" => addr::ZipCode(EN).fake_with_rng(rng),
            _ => addr::CountryName(EN).fake_with_rng(rng),
        }
    }

    fn field(&self, field: &str, original: &str, rng: &mut DetRng) -> String {
        // Always drawn, so one field's choice does not shift the others.
        let fake = self.fake(field, rng);
        if self.keeps(field) || original.trim().is_empty() { original.to_string() } else { fake }
    }

    fn freetext(&self, value: &str, rng: &mut DetRng) -> String {
        let parts: Vec<&str> = value.split(',').map(str::trim).collect();
        let mut out: Vec<String> = Vec::with_capacity(parts.len());
        for (i, part) in parts.iter().enumerate() {
            out.push(match i {
                0 => self.field("street", part, rng),
                1 => self.field("city", part, rng),
                2 => {
                    // "IL 62701": letters are the state, digits the zip.
                    let words: Vec<String> = part
                        .split_whitespace()
                        .map(|w| {
                            let field = if w.chars().any(|c| c.is_ascii_digit()) { "zip" } else { "state" };
                            self.field(field, w, rng)
                        })
                        .collect();
                    words.join(" ")
                }
                3 => self.field("country", part, rng),
                _ => (*part).to_string(),
            });
        }
        out.join(", ")
    }

    fn structured(&self, value: &str, rng: &mut DetRng) -> Result<String, String> {
        let mut doc: Value = serde_json::from_str(value).map_err(|_| "not a JSON object")?;
        let object = doc.as_object_mut().ok_or("not a JSON object")?;
        for key in ["street", "city", "state", "zip", "postal_code", "country"] {
            let field = if key == "postal_code" { "zip" } else { key };
            if let Some(Value::String(s)) = object.get_mut(key) {
                *s = self.field(field, s, rng);
            }
        }
        serde_json::to_string(&doc).map_err(|e| e.to_string())
    }
}

impl Kind for Address {
    const NAME: &'static str = "address";
    type Config = AddressConfig;

    fn new(config: AddressConfig, _: &dyn Fn(&str) -> Option<String>) -> Result<Self, String> {
        let mut keep = [false; 5];
        for f in &config.preserve_fields {
            let f = if f == "postal_code" { "zip" } else { f.as_str() };
            let i = FIELDS
                .iter()
                .position(|x| *x == f)
                .ok_or_else(|| format!("`preserve_fields`: unknown field {f:?}; use {}", FIELDS.join(", ")))?;
            keep[i] = true;
        }
        if !config.redact_street {
            keep[0] = true;
        }
        let structured = match config.format.as_str() {
            "freetext" => false,
            "structured" => true,
            other => return Err(format!("`format` {other:?} is unknown; use freetext or structured")),
        };
        Ok(Self { keep, structured })
    }

    fn accepts(&self, value_type: ValueType) -> bool {
        value_type == ValueType::Text || (self.structured && value_type == ValueType::Json)
    }

    fn varies(&self) -> bool {
        self.keep.iter().any(|k| !k)
    }

    fn apply(&self, cx: &Cx<'_>, value: &str) -> ValueResult {
        let normalized = value.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
        let mut rng = cx.rng(normalized.as_bytes());
        if self.structured {
            self.structured(value, &mut rng).map(Some)
        } else {
            Ok(Some(self.freetext(value, &mut rng)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{run, run_err, strategy};
    use serde_json::json;

    #[test]
    fn freetext_keeps_city_and_country() {
        let s = strategy("address", json!({}));
        let out = run(&s, "123 Main St, Springfield, IL 62701, USA").unwrap();
        let parts: Vec<&str> = out.split(", ").collect();
        assert_eq!(parts.len(), 4, "{out}");
        assert_ne!(parts[0], "123 Main St");
        assert_eq!(parts[1], "Springfield");
        assert_eq!(parts[3], "USA");
        assert!(!parts[2].contains("62701"), "{out}");
        let s = strategy("address", json!({"preserve_fields": ["zip"], "redact_street": false}));
        let out = run(&s, "1 Rue X, Paris, 75001, France").unwrap();
        assert!(out.starts_with("1 Rue X, ") && out.contains("75001") && !out.contains("Paris"), "{out}");
    }

    #[test]
    fn structured_json() {
        let s = strategy("address", json!({"format": "structured", "preserve_fields": ["country"]}));
        let out = run(&s, r#"{"street": "1 Main St", "city": "Springfield", "country": "US", "floor": 3}"#).unwrap();
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["country"], "US");
        assert_eq!(v["floor"], 3);
        assert_ne!(v["city"], "Springfield");
        assert!(run_err(&s, "[1]").contains("JSON object"));
    }
}
