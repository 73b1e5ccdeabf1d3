//! `credit_card`: Luhn-valid replacement card numbers in the input's layout (fraiseql-confiture's
//! `CreditCardStrategy`, `CreditCardConfig(preserve_last4=True, preserve_bin=False, mask_char="*",
//! validate=True)`). The card network's prefix (4, 51–55, 34/37, 6011, …) is kept so the type
//! still reads right; `preserve_bin` keeps the first six digits, `preserve_last4` the last four
//! (the check is then restored through another digit). With `validate`, a value that is not a
//! Luhn-valid 12–19 digit number is masked (`mask_char` for every digit but the last four).

use serde::Deserialize;

use super::{Cx, Kind, ValueResult};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CreditCardConfig {
    pub preserve_last4: bool,
    pub preserve_bin: bool,
    pub mask_char: String,
    pub validate: bool,
}

impl Default for CreditCardConfig {
    fn default() -> Self {
        Self { preserve_last4: true, preserve_bin: false, mask_char: "*".into(), validate: true }
    }
}

#[derive(Debug, Clone)]
pub struct CreditCard {
    preserve_last4: bool,
    preserve_bin: bool,
    mask_char: char,
    validate: bool,
}

/// Whether `digits` (ASCII digits only) pass the Luhn check.
pub fn luhn_valid(digits: &[u8]) -> bool {
    !digits.is_empty() && luhn_sum(digits).is_multiple_of(10)
}

fn luhn_sum(digits: &[u8]) -> u32 {
    digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            let d = u32::from(d - b'0');
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum()
}

/// The check digit that makes `digits` (ASCII digits, without a check digit) Luhn-valid.
pub fn luhn_check_digit(digits: &[u8]) -> u8 {
    let mut with = digits.to_vec();
    with.push(b'0');
    ((10 - luhn_sum(&with) % 10) % 10) as u8
}

/// The card network a number belongs to, from its prefix and length (`unknown` otherwise).
pub fn card_network(digits: &[u8]) -> &'static str {
    let n = digits.len();
    let prefix = |len: usize| {
        std::str::from_utf8(digits.get(..len).unwrap_or_default()).ok().and_then(|p| p.parse::<u32>().ok())
    };
    let p2 = prefix(2).unwrap_or(0);
    let p3 = prefix(3).unwrap_or(0);
    let p4 = prefix(4).unwrap_or(0);
    if digits.first() == Some(&b'4') && matches!(n, 13 | 16 | 19) {
        "visa"
    } else if ((51..=55).contains(&p2) || (2221..=2720).contains(&p4)) && n == 16 {
        "mastercard"
    } else if (p2 == 34 || p2 == 37) && n == 15 {
        "amex"
    } else if (p4 == 6011 || p2 == 65 || (644..=649).contains(&p3) || p3 == 622) && (16..=19).contains(&n) {
        "discover"
    } else if (p2 == 36 || p2 == 38 || p2 == 39 || (300..=305).contains(&p3)) && (14..=19).contains(&n) {
        "diners"
    } else if p2 == 35 && (16..=19).contains(&n) {
        "jcb"
    } else {
        "unknown"
    }
}

/// How many leading digits name the card network.
fn network_prefix_len(digits: &[u8]) -> usize {
    let starts = |p: &[u8]| digits.starts_with(p);
    if starts(b"6011") {
        4
    } else if ["34", "35", "36", "37", "38", "65"].iter().any(|p| starts(p.as_bytes()))
        || (digits.first() == Some(&b'5') && matches!(digits.get(1), Some(b'1'..=b'5')))
    {
        2
    } else {
        1
    }
}

impl Kind for CreditCard {
    const NAME: &'static str = "credit_card";
    type Config = CreditCardConfig;

    fn new(config: CreditCardConfig, _: &dyn Fn(&str) -> Option<String>) -> Result<Self, String> {
        let mut chars = config.mask_char.chars();
        let (Some(mask_char), None) = (chars.next(), chars.next()) else {
            return Err("`mask_char` must be one character".into());
        };
        Ok(Self {
            preserve_last4: config.preserve_last4,
            preserve_bin: config.preserve_bin,
            mask_char,
            validate: config.validate,
        })
    }

    fn apply(&self, cx: &Cx<'_>, value: &str) -> ValueResult {
        let digits: Vec<u8> = value.bytes().filter(u8::is_ascii_digit).collect();
        let n = digits.len();
        let fixed_front = if self.preserve_bin { 6 } else { network_prefix_len(&digits) };
        let fixed_back = if self.preserve_last4 { 4 } else { 0 };
        let plausible = (12..=19).contains(&n) && luhn_valid(&digits);
        if (self.validate && !plausible) || n < fixed_front + fixed_back + 2 {
            let keep_from = n.saturating_sub(4);
            let mut i = 0;
            return Ok(Some(
                value
                    .chars()
                    .map(|c| {
                        if c.is_ascii_digit() {
                            i += 1;
                            if i > keep_from { c } else { self.mask_char }
                        } else {
                            c
                        }
                    })
                    .collect(),
            ));
        }
        let mut rng = cx.rng(&digits);
        let mut out = digits.clone();
        for d in out.iter_mut().take(n - fixed_back).skip(fixed_front) {
            *d = b'0' + rng.below(10) as u8;
        }
        // The digit that restores the check: the last one, or the one before the kept four.
        let fix = n - 1 - fixed_back;
        out[fix] = b'0';
        for candidate in b'0'..=b'9' {
            out[fix] = candidate;
            if luhn_valid(&out) {
                break;
            }
        }
        let mut generated = out.into_iter();
        Ok(Some(
            value
                .chars()
                .map(|c| if c.is_ascii_digit() { generated.next().map_or(c, char::from) } else { c })
                .collect(),
        ))
    }

    fn looks_valid(&self, value: &str) -> bool {
        let digits: Vec<u8> = value.bytes().filter(u8::is_ascii_digit).collect();
        (12..=19).contains(&digits.len()) && luhn_valid(&digits)
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{run, strategy};
    use super::*;
    use serde_json::json;

    fn digits(s: &str) -> Vec<u8> {
        s.bytes().filter(u8::is_ascii_digit).collect()
    }

    #[test]
    fn luhn_valid_layout_and_preserved_parts() {
        let s = strategy("credit_card", json!({}));
        for card in ["4111 1111 1111 1111", "5500-0000-0000-0004", "378282246310005", "6011111111111117"] {
            let out = run(&s, card).unwrap();
            assert!(luhn_valid(&digits(&out)), "{card} → {out}");
            assert_eq!(out.len(), card.len());
            assert_eq!(&out[out.len() - 4..], &card[card.len() - 4..]);
            assert_eq!(out.chars().next(), card.chars().next());
            assert_ne!(out, card);
        }
        assert_eq!(luhn_check_digit(b"411111111111111"), 1);
        assert_eq!(card_network(b"4111111111111111"), "visa");
        assert_eq!(card_network(b"378282246310005"), "amex");
        assert_eq!(card_network(b"5500000000000004"), "mastercard");
        assert_eq!(card_network(b"123"), "unknown");
        let s = strategy("credit_card", json!({"preserve_bin": true, "preserve_last4": false}));
        let out = run(&s, "4111111111111111").unwrap();
        assert!(out.starts_with("411111") && luhn_valid(out.as_bytes()), "{out}");
        // Not a card number: masked.
        assert_eq!(run(&strategy("credit_card", json!({})), "1234-5678"), Some("****-5678".into()));
    }
}
