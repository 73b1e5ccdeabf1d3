//! `date`: dates moved by a keyed jitter (fraiseql-confiture's `DateMaskingStrategy`,
//! `DateMaskConfig(preserve="year", jitter_days=30, output_format=None)`). The new date is drawn
//! from the days within `jitter_days` of the original, never the original itself, and stays in
//! the same year (`preserve: year`) or month (`month`); `none` only bounds the jitter. Times of
//! day, time zones and `infinity` are kept. Text columns may hold `YYYY-MM-DD`, `MM/DD/YYYY`,
//! `DD/MM/YYYY`, `YYYY/MM/DD` or `DD-MM-YYYY`; the output uses the input's layout unless
//! `output_format` (strftime) is given. The date alone is the PRF input, so a timestamp and a
//! date of the same day move alike.

use chrono::{Datelike, Duration, NaiveDate};
use serde::Deserialize;

use super::{Cx, Kind, ValueResult, ValueType};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DateMaskConfig {
    pub preserve: String,
    pub jitter_days: i64,
    pub output_format: Option<String>,
}

impl Default for DateMaskConfig {
    fn default() -> Self {
        Self { preserve: "year".into(), jitter_days: 30, output_format: None }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Preserve {
    Year,
    Month,
    Nothing,
}

#[derive(Debug, Clone)]
pub struct DateMask {
    preserve: Preserve,
    jitter: i64,
    output_format: Option<String>,
}

const TEXT_FORMATS: &[&str] = &["%m/%d/%Y", "%d/%m/%Y", "%Y/%m/%d", "%d-%m-%Y"];

fn last_of_month(d: NaiveDate) -> NaiveDate {
    let (y, m) = if d.month() == 12 { (d.year() + 1, 1) } else { (d.year(), d.month() + 1) };
    NaiveDate::from_ymd_opt(y, m, 1).and_then(|n| n.pred_opt()).unwrap_or(d)
}

impl DateMask {
    fn shift(&self, cx: &Cx<'_>, d: NaiveDate) -> NaiveDate {
        let (mut lo, mut hi) = (d - Duration::days(self.jitter), d + Duration::days(self.jitter));
        let (first, last) = match self.preserve {
            Preserve::Year => (d.with_ordinal(1), NaiveDate::from_ymd_opt(d.year(), 12, 31)),
            Preserve::Month => (d.with_day(1), Some(last_of_month(d))),
            Preserve::Nothing => (None, None),
        };
        if let Some(f) = first {
            lo = lo.max(f);
        }
        if let Some(l) = last {
            hi = hi.min(l);
        }
        let others = (hi - lo).num_days();
        if others <= 0 {
            return d;
        }
        let key = d.format("%Y-%m-%d").to_string();
        let k = cx.rng(key.as_bytes()).below(others as u64) as i64;
        let candidate = lo + Duration::days(k);
        if candidate >= d { candidate + Duration::days(1) } else { candidate }
    }
}

impl Kind for DateMask {
    const NAME: &'static str = "date";
    type Config = DateMaskConfig;

    fn new(config: DateMaskConfig, _: &dyn Fn(&str) -> Option<String>) -> Result<Self, String> {
        let preserve = match config.preserve.as_str() {
            "year" => Preserve::Year,
            "month" => Preserve::Month,
            "none" => Preserve::Nothing,
            other => return Err(format!("`preserve` {other:?} is unknown; use year, month or none")),
        };
        if !(0..=36_500).contains(&config.jitter_days) {
            return Err(format!("`jitter_days` must be between 0 and 36500, not {}", config.jitter_days));
        }
        Ok(Self { preserve, jitter: config.jitter_days, output_format: config.output_format })
    }

    fn accepts(&self, value_type: ValueType) -> bool {
        match value_type {
            ValueType::Text => true,
            // A date column only takes dates back in ISO form.
            ValueType::Date | ValueType::Timestamp => self.output_format.is_none(),
            _ => false,
        }
    }

    fn varies(&self) -> bool {
        self.jitter > 0
    }

    fn apply(&self, cx: &Cx<'_>, value: &str) -> ValueResult {
        let trimmed = value.trim();
        if matches!(trimmed, "infinity" | "-infinity") {
            return Ok(Some(value.to_string()));
        }
        if trimmed.ends_with(" BC") {
            return Err("dates before the common era are not supported".into());
        }
        let iso = trimmed.get(..10).and_then(|head| NaiveDate::parse_from_str(head, "%Y-%m-%d").ok());
        let (date, layout, rest) = match iso {
            Some(d) => (d, "%Y-%m-%d", &trimmed[10..]),
            None => TEXT_FORMATS
                .iter()
                .find_map(|f| NaiveDate::parse_from_str(trimmed, f).ok().map(|d| (d, *f, "")))
                .ok_or("not a date")?,
        };
        let moved = self.shift(cx, date);
        let layout = self.output_format.as_deref().unwrap_or(layout);
        Ok(Some(format!("{}{rest}", moved.format(layout))))
    }

    fn looks_valid(&self, value: &str) -> bool {
        let t = value.trim();
        t.get(..10).is_some_and(|h| NaiveDate::parse_from_str(h, "%Y-%m-%d").is_ok())
            || TEXT_FORMATS.iter().any(|f| NaiveDate::parse_from_str(t, f).is_ok())
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{run, run_err, strategy};
    use serde_json::json;

    #[test]
    fn jitter_stays_in_year_and_moves() {
        let s = strategy("date", json!({"jitter_days": 30}));
        for d in ["2024-01-01", "2024-12-31", "1990-06-15"] {
            let out = run(&s, d).unwrap();
            assert_ne!(out, d);
            assert_eq!(&out[..4], &d[..4]);
        }
        let ts = run(&s, "2024-03-10 12:34:56+00").unwrap();
        assert!(ts.ends_with(" 12:34:56+00") && ts.starts_with("2024-"), "{ts}");
        assert_eq!(&ts[..10], &run(&s, "2024-03-10").unwrap()[..]);
        let s = strategy("date", json!({"preserve": "month", "jitter_days": 400}));
        assert!(run(&s, "2023-02-14").unwrap().starts_with("2023-02-"));
        let s = strategy("date", json!({"output_format": "%d.%m.%Y"}));
        assert!(run(&s, "05/17/2020").unwrap().ends_with(".2020"));
        assert_eq!(run(&s, "infinity"), Some("infinity".into()));
        assert!(run_err(&s, "yesterday").contains("not a date"));
    }
}
