//! `masking_retention`: partial masking that keeps the shape (fraiseql-confiture's
//! `MaskingRetentionStrategy`, `MaskingRetentionConfig(preserve_pattern=True,
//! preserve_start_chars=0, preserve_end_chars=0, mask_char="*", mask_percentage=100,
//! preserve_delimiters=True)`). The first and last characters asked for are kept, and of the
//! middle, `mask_percentage` percent (at least one character) is masked from the left, skipping
//! delimiters (non-alphanumerics) when `preserve_delimiters`. Unlike 0.3.9, a value too short to
//! keep anything is masked whole rather than returned as is. `preserve_pattern: false` replaces
//! the value by keyed hex of the same length.

use serde::Deserialize;

use super::{Cx, Kind, ValueResult};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MaskingRetentionConfig {
    pub preserve_pattern: bool,
    pub preserve_start_chars: usize,
    pub preserve_end_chars: usize,
    pub mask_char: String,
    pub mask_percentage: u32,
    pub preserve_delimiters: bool,
}

impl Default for MaskingRetentionConfig {
    fn default() -> Self {
        Self {
            preserve_pattern: true,
            preserve_start_chars: 0,
            preserve_end_chars: 0,
            mask_char: "*".into(),
            mask_percentage: 100,
            preserve_delimiters: true,
        }
    }
}

#[derive(Debug, Clone)]
pub struct MaskingRetention {
    config: MaskingRetentionConfig,
    mask: char,
}

const HEX: &[u8; 16] = b"0123456789abcdef";

impl Kind for MaskingRetention {
    const NAME: &'static str = "masking_retention";
    type Config = MaskingRetentionConfig;

    fn new(config: MaskingRetentionConfig, _: &dyn Fn(&str) -> Option<String>) -> Result<Self, String> {
        let mut chars = config.mask_char.chars();
        let (Some(mask), None) = (chars.next(), chars.next()) else {
            return Err("`mask_char` must be one character".into());
        };
        if config.mask_percentage > 100 {
            return Err(format!("`mask_percentage` must be between 0 and 100, not {}", config.mask_percentage));
        }
        Ok(Self { config, mask })
    }

    fn varies(&self) -> bool {
        !self.config.preserve_pattern
    }

    fn apply(&self, cx: &Cx<'_>, value: &str) -> ValueResult {
        let chars: Vec<char> = value.chars().collect();
        let n = chars.len();
        if n == 0 {
            return Ok(Some(String::new()));
        }
        if !self.config.preserve_pattern {
            let mut rng = cx.rng(value.as_bytes());
            return Ok(Some((0..n).map(|_| char::from(HEX[rng.below(16) as usize])).collect()));
        }
        let c = &self.config;
        let (start, end) = if c.preserve_start_chars + c.preserve_end_chars >= n {
            (0, 0)
        } else {
            (c.preserve_start_chars, c.preserve_end_chars)
        };
        let middle = start..n - end;
        let to_mask = ((middle.len() as u64 * u64::from(c.mask_percentage)) / 100).max(1) as usize;
        let mut out: String = chars[..start].iter().collect();
        let mut masked = 0;
        for &ch in &chars[middle] {
            let delimiter = c.preserve_delimiters && !ch.is_alphanumeric();
            if !delimiter && masked < to_mask {
                out.push(self.mask);
                masked += 1;
            } else {
                out.push(ch);
            }
        }
        out.extend(&chars[n - end..]);
        Ok(Some(out))
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{run, strategy};
    use serde_json::json;

    #[test]
    fn keeps_ends_and_delimiters() {
        let s = strategy("masking_retention", json!({"preserve_start_chars": 1, "preserve_end_chars": 4}));
        assert_eq!(run(&s, "4111-1111-1111-1234"), Some("4***-****-****-1234".into()));
        let s = strategy("masking_retention", json!({"mask_percentage": 50, "preserve_delimiters": false}));
        assert_eq!(run(&s, "abcdef"), Some("***def".into()));
        let s = strategy("masking_retention", json!({"preserve_start_chars": 5}));
        assert_eq!(run(&s, "abc"), Some("***".into()));
        let s = strategy("masking_retention", json!({"preserve_pattern": false}));
        let out = run(&s, "secret").unwrap();
        assert!(out.len() == 6 && out != "secret");
    }
}
