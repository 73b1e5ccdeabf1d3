//! `name`: realistic replacement names (fraiseql-confiture's `NameMaskingStrategy`,
//! `NameMaskConfig(format_type="firstname_lastname", preserve_initial=False, case_preserving=True)`).
//! Names come from the `fake` crate's English lists (about 3,000 first names × 470 last names); a
//! one-word value gets a first name only. `initials` keeps the initials (`J.D.`), `random` draws
//! letters and digits of the same length. The value is compared case- and space-insensitively.

use fake::locales::{Data, EN};
use serde::Deserialize;

use super::{Cx, Kind, ValueResult, push_cased};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NameMaskConfig {
    pub format_type: String,
    pub preserve_initial: bool,
    pub case_preserving: bool,
}

impl Default for NameMaskConfig {
    fn default() -> Self {
        Self { format_type: "firstname_lastname".into(), preserve_initial: false, case_preserving: true }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    FirstLast,
    Initials,
    Random,
}

#[derive(Debug, Clone)]
pub struct NameMask {
    format: Format,
    preserve_initial: bool,
    case_preserving: bool,
}

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// The first names starting with `initial` (the list is sorted), or all of them.
fn first_names_with(initial: Option<char>) -> &'static [&'static str] {
    let all = EN::NAME_FIRST_NAME;
    let Some(c) = initial.map(|c| c.to_ascii_uppercase()).filter(char::is_ascii_uppercase) else {
        return all;
    };
    let start = all.partition_point(|n| n.chars().next().is_some_and(|f| f < c));
    let end = all.partition_point(|n| n.chars().next().is_some_and(|f| f <= c));
    if start < end { &all[start..end] } else { all }
}

impl Kind for NameMask {
    const NAME: &'static str = "name";
    type Config = NameMaskConfig;

    fn new(config: NameMaskConfig, _: &dyn Fn(&str) -> Option<String>) -> Result<Self, String> {
        let format = match config.format_type.as_str() {
            "firstname_lastname" => Format::FirstLast,
            "initials" => Format::Initials,
            "random" => Format::Random,
            other => {
                return Err(format!("`format_type` {other:?} is unknown; use firstname_lastname, initials or random"));
            }
        };
        Ok(Self { format, preserve_initial: config.preserve_initial, case_preserving: config.case_preserving })
    }

    fn varies(&self) -> bool {
        self.format != Format::Initials
    }

    fn apply(&self, cx: &Cx<'_>, value: &str) -> ValueResult {
        // One pass: the words lower-cased and single-spaced (the same person however it is
        // written), the first and last word, how many.
        let mut normalized = String::with_capacity(value.len());
        let (mut first_word, mut last_word, mut count) = ("", "", 0usize);
        for w in value.split_whitespace() {
            if count == 0 {
                first_word = w;
            } else {
                normalized.push(' ');
            }
            last_word = w;
            count += 1;
            if w.is_ascii() {
                normalized.extend(w.bytes().map(|b| char::from(b.to_ascii_lowercase())));
            } else {
                normalized.extend(w.chars().flat_map(char::to_lowercase));
            }
        }
        if count == 0 {
            return Ok(Some(value.to_string()));
        }
        match self.format {
            Format::Initials => {
                let mut out = String::with_capacity(count * 2);
                for w in value.split_whitespace() {
                    if let Some(c) = w.chars().next() {
                        out.extend(c.to_uppercase());
                        out.push('.');
                    }
                }
                Ok(Some(out))
            }
            Format::Random => {
                let mut rng = cx.rng(value.trim().as_bytes());
                let len = value.trim().chars().count();
                Ok(Some((0..len).map(|_| char::from(*rng.pick(ALNUM))).collect()))
            }
            Format::FirstLast => {
                let mut rng = cx.rng(normalized.as_bytes());
                let initial = self.preserve_initial.then(|| first_word.chars().next()).flatten();
                let first = *rng.pick(first_names_with(initial));
                let last = *rng.pick(EN::NAME_LAST_NAME);
                let mut out = String::with_capacity(first.len() + last.len() + 1);
                if self.case_preserving {
                    push_cased(&mut out, first_word, first);
                } else {
                    out.push_str(first);
                }
                if count > 1 {
                    out.push(' ');
                    if self.case_preserving {
                        push_cased(&mut out, last_word, last);
                    } else {
                        out.push_str(last);
                    }
                }
                Ok(Some(out))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{run, strategy};
    use serde_json::json;

    #[test]
    fn formats() {
        let s = strategy("name", json!({}));
        let a = run(&s, "John Doe").unwrap();
        assert_eq!(a.split(' ').count(), 2);
        assert_eq!(
            run(&s, "  john   DOE "),
            Some(
                a.to_lowercase().split(' ').next().unwrap().to_string()
                    + " "
                    + &a.split(' ').nth(1).unwrap().to_uppercase()
            )
        );
        assert_eq!(run(&s, "Cher").unwrap().split(' ').count(), 1);
        let s = strategy("name", json!({"preserve_initial": true}));
        assert!(run(&s, "Zoe Smith").unwrap().starts_with('Z'));
        let s = strategy("name", json!({"format_type": "initials"}));
        assert_eq!(run(&s, "john ronald tolkien"), Some("J.R.T.".into()));
        let s = strategy("name", json!({"format_type": "random"}));
        assert_eq!(run(&s, "Jane").unwrap().len(), 4);
    }
}
