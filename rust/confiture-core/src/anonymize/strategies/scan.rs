//! Finding personal data inside free text, for `text_redaction`: hand-written scanners for
//! e-mail addresses, URLs, phone numbers, card numbers (Luhn-checked), US social security
//! numbers, US dates and IPv4/IPv6 addresses. They return byte spans; every pattern is ASCII, so
//! spans always fall on character boundaries.

use std::net::Ipv6Addr;

use super::credit_card::luhn_valid;

/// A named pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pattern {
    Email,
    Url,
    Phone,
    CreditCard,
    Ssn,
    DateUs,
    Ipv4,
    Ipv6,
}

/// Names accepted in `patterns` (fraiseql-confiture's, plus `phone`, `ipv6` and `ip_address`).
pub const NAMES: &[&str] =
    &["credit_card", "date_us", "email", "ip_address", "ipv4", "ipv6", "phone", "phone_us", "ssn", "url"];

impl Pattern {
    pub fn parse(name: &str) -> Option<Vec<Self>> {
        Some(match name {
            "email" => vec![Self::Email],
            "url" => vec![Self::Url],
            "phone" | "phone_us" => vec![Self::Phone],
            "credit_card" => vec![Self::CreditCard],
            "ssn" => vec![Self::Ssn],
            "date_us" => vec![Self::DateUs],
            "ipv4" => vec![Self::Ipv4],
            "ipv6" => vec![Self::Ipv6],
            "ip_address" => vec![Self::Ipv4, Self::Ipv6],
            _ => return None,
        })
    }

    /// Byte spans of every match in `text`.
    pub fn find(self, text: &str, out: &mut Vec<(usize, usize)>) {
        let b = text.as_bytes();
        match self {
            Self::Email => emails(b, out),
            Self::Url => urls(text, out),
            Self::Phone => runs(
                b,
                |c| c.is_ascii_digit() || b" -.()+".contains(&c),
                out,
                |s| {
                    let digits = s.iter().filter(|c| c.is_ascii_digit()).count();
                    (10..=15).contains(&digits) && s.first().is_some_and(|c| c.is_ascii_digit() || b"+(".contains(c))
                },
            ),
            Self::CreditCard => runs(
                b,
                |c| c.is_ascii_digit() || c == b' ' || c == b'-',
                out,
                |s| {
                    let digits: Vec<u8> = s.iter().copied().filter(u8::is_ascii_digit).collect();
                    (13..=19).contains(&digits.len())
                        && luhn_valid(&digits)
                        && !s.windows(2).any(|w| !w[0].is_ascii_digit() && !w[1].is_ascii_digit())
                },
            ),
            Self::Ssn => runs(
                b,
                |c| c.is_ascii_digit() || c == b'-',
                out,
                |s| {
                    let shape: Vec<bool> = s.iter().map(u8::is_ascii_digit).collect();
                    shape.len() == 9 && shape.iter().all(|d| *d)
                        || s.len() == 11 && s[3] == b'-' && s[6] == b'-' && shape.iter().filter(|d| **d).count() == 9
                },
            ),
            Self::DateUs => runs(
                b,
                |c| c.is_ascii_digit() || c == b'/',
                out,
                |s| {
                    let parts: Vec<&[u8]> = s.split(|c| *c == b'/').collect();
                    let num = |p: &[u8], lo: u32, hi: u32| {
                        !p.is_empty()
                            && p.len() <= 2
                            && std::str::from_utf8(p)
                                .ok()
                                .and_then(|t| t.parse::<u32>().ok())
                                .is_some_and(|n| (lo..=hi).contains(&n))
                    };
                    parts.len() == 3
                        && num(parts[0], 1, 12)
                        && num(parts[1], 1, 31)
                        && (parts[2].len() == 2 || parts[2].len() == 4)
                },
            ),
            Self::Ipv4 => runs(
                b,
                |c| c.is_ascii_digit() || c == b'.',
                out,
                |s| {
                    let parts: Vec<&[u8]> = s.split(|c| *c == b'.').collect();
                    parts.len() == 4
                        && parts.iter().all(|p| {
                            (1..=3).contains(&p.len())
                                && std::str::from_utf8(p)
                                    .ok()
                                    .and_then(|t| t.parse::<u16>().ok())
                                    .is_some_and(|n| n <= 255)
                        })
                },
            ),
            Self::Ipv6 => runs(
                b,
                |c| c.is_ascii_hexdigit() || c == b':' || c == b'.',
                out,
                |s| {
                    s.iter().filter(|c| **c == b':').count() >= 2
                        && std::str::from_utf8(s).ok().is_some_and(|t| t.parse::<Ipv6Addr>().is_ok())
                },
            ),
        }
    }
}

/// Maximal runs of bytes in `class`, trimmed of separators at both ends, not glued to letters or
/// digits, kept when `accept` says so.
fn runs(b: &[u8], class: impl Fn(u8) -> bool, out: &mut Vec<(usize, usize)>, accept: impl Fn(&[u8]) -> bool) {
    let mut i = 0;
    while i < b.len() {
        if !class(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && class(b[i]) {
            i += 1;
        }
        let (mut s, mut e) = (start, i);
        while s < e && !b[s].is_ascii_alphanumeric() && !b"+(".contains(&b[s]) {
            s += 1;
        }
        while e > s && !b[e - 1].is_ascii_alphanumeric() && b[e - 1] != b')' {
            e -= 1;
        }
        let glued = (s > 0 && b[s - 1].is_ascii_alphanumeric()) || (e < b.len() && b[e].is_ascii_alphanumeric());
        if s < e && !glued && accept(&b[s..e]) {
            out.push((s, e));
        }
    }
}

fn emails(b: &[u8], out: &mut Vec<(usize, usize)>) {
    let local = |c: u8| c.is_ascii_alphanumeric() || b"._%+-".contains(&c);
    let domain = |c: u8| c.is_ascii_alphanumeric() || c == b'.' || c == b'-';
    for at in memchr::memchr_iter(b'@', b) {
        let mut s = at;
        while s > 0 && local(b[s - 1]) {
            s -= 1;
        }
        let mut e = at + 1;
        while e < b.len() && domain(b[e]) {
            e += 1;
        }
        while e > at + 1 && !b[e - 1].is_ascii_alphanumeric() {
            e -= 1;
        }
        let host = &b[at + 1..e];
        let tld = host.rsplit(|c| *c == b'.').next().unwrap_or_default();
        if s < at && host.contains(&b'.') && tld.len() >= 2 && tld.iter().all(u8::is_ascii_alphabetic) {
            out.push((s, e));
        }
    }
}

fn urls(text: &str, out: &mut Vec<(usize, usize)>) {
    let lower = text.to_ascii_lowercase();
    for scheme in ["http://", "https://"] {
        let mut from = 0;
        while let Some(found) = lower[from..].find(scheme) {
            let s = from + found;
            let e = text[s..].find(char::is_whitespace).map_or(text.len(), |n| s + n);
            out.push((s, e));
            from = e.max(s + 1);
        }
    }
}

/// Merges overlapping spans (sorted by start).
pub fn merge(mut spans: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    spans.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(spans.len());
    for (s, e) in spans {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(p: Pattern, text: &str) -> Vec<&str> {
        let mut spans = Vec::new();
        p.find(text, &mut spans);
        merge(spans).into_iter().map(|(s, e)| &text[s..e]).collect()
    }

    #[test]
    fn scanners() {
        assert_eq!(found(Pattern::Email, "mail a.b+c@ex-ample.co.uk, or x@y"), vec!["a.b+c@ex-ample.co.uk"]);
        assert_eq!(found(Pattern::Url, "see https://x.io/a?b=1 now"), vec!["https://x.io/a?b=1"]);
        assert_eq!(found(Pattern::Phone, "call +1 (555) 123-4567 today, order 12345"), vec!["+1 (555) 123-4567"]);
        assert_eq!(
            found(Pattern::CreditCard, "card 4111 1111 1111 1111 and 4111 1111 1111 1112"),
            vec!["4111 1111 1111 1111"]
        );
        assert_eq!(found(Pattern::Ssn, "ssn 123-45-6789; id 1234567890"), vec!["123-45-6789"]);
        assert_eq!(found(Pattern::DateUs, "born 7/04/1976 at 13/01/2000"), vec!["7/04/1976"]);
        assert_eq!(found(Pattern::Ipv4, "from 10.0.0.255 not 1.2.3.400 nor v1.2.3.4"), vec!["10.0.0.255"]);
        assert_eq!(found(Pattern::Ipv6, "addr 2001:db8::1, time 12:30"), vec!["2001:db8::1"]);
    }
}
