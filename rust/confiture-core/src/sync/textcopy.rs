//! PostgreSQL's COPY text format, for the columns that get anonymized: rows end with `\n`, fields
//! are separated by tabs, `\N` is NULL, and backslash escapes (`\\`, `\t`, `\n`, `\r`, `\b`, `\f`,
//! `\v`, octal `\ooo`, hex `\xhh`) stand for special bytes. Array values (`{a,"b c",NULL}`, nested,
//! with an optional `[1:2]=` prefix) are parsed so strategies apply to each element.

use std::borrow::Cow;

/// The byte ranges of the fields of `row` (without its `\n`).
pub fn split_fields(row: &[u8], out: &mut Vec<(usize, usize)>) {
    out.clear();
    let mut start = 0;
    for tab in memchr::memchr_iter(b'\t', row) {
        out.push((start, tab));
        start = tab + 1;
    }
    out.push((start, row.len()));
}

/// A field's value: `None` for NULL.
pub fn decode(field: &[u8]) -> Result<Option<Cow<'_, str>>, String> {
    if field == b"\\N" {
        return Ok(None);
    }
    if memchr::memchr(b'\\', field).is_none() {
        return std::str::from_utf8(field)
            .map(|s| Some(Cow::Borrowed(s)))
            .map_err(|_| "a value is not valid UTF-8".into());
    }
    let mut out = Vec::with_capacity(field.len());
    let mut i = 0;
    while i < field.len() {
        let b = field[i];
        if b != b'\\' || i + 1 == field.len() {
            out.push(b);
            i += 1;
            continue;
        }
        let c = field[i + 1];
        i += 2;
        match c {
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'v' => out.push(11),
            b'0'..=b'7' => {
                let mut v = u32::from(c - b'0');
                let mut n = 1;
                while n < 3 && i < field.len() && (b'0'..=b'7').contains(&field[i]) {
                    v = v * 8 + u32::from(field[i] - b'0');
                    i += 1;
                    n += 1;
                }
                out.push((v & 0xff) as u8);
            }
            b'x' if i < field.len() && field[i].is_ascii_hexdigit() => {
                let mut v = 0u32;
                let mut n = 0;
                while n < 2 && i < field.len() && field[i].is_ascii_hexdigit() {
                    v = v * 16 + char::from(field[i]).to_digit(16).unwrap_or(0);
                    i += 1;
                    n += 1;
                }
                out.push(v as u8);
            }
            other => out.push(other),
        }
    }
    String::from_utf8(out).map(|s| Some(Cow::Owned(s))).map_err(|_| "a value is not valid UTF-8".into())
}

/// Appends `value` in COPY text form (`None`: `\N`).
pub fn encode(value: Option<&str>, out: &mut Vec<u8>) {
    let Some(value) = value else {
        out.extend_from_slice(b"\\N");
        return;
    };
    let bytes = value.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escaped: &[u8] = match b {
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        out.extend_from_slice(escaped);
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
}

/// An array value: its optional dimension prefix and its (possibly nested) elements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Element {
    Null,
    Value(String),
    Array(Vec<Element>),
}

/// Parses an array literal as PostgreSQL prints it.
pub fn parse_array(text: &str) -> Result<(String, Vec<Element>), String> {
    let (prefix, body) = match text.find('=') {
        Some(eq) if text.starts_with('[') => (&text[..=eq], &text[eq + 1..]),
        _ => ("", text),
    };
    let chars: Vec<char> = body.chars().collect();
    let mut pos = 0;
    let Element::Array(items) = parse_element(&chars, &mut pos, true)? else {
        return Err("not an array".into());
    };
    if pos != chars.len() {
        return Err("unexpected text after an array".into());
    }
    Ok((prefix.to_string(), items))
}

fn parse_element(chars: &[char], pos: &mut usize, top: bool) -> Result<Element, String> {
    let bad = || "malformed array literal".to_string();
    match chars.get(*pos) {
        Some('{') => {
            *pos += 1;
            let mut items = Vec::new();
            if chars.get(*pos) == Some(&'}') {
                *pos += 1;
                return Ok(Element::Array(items));
            }
            loop {
                items.push(parse_element(chars, pos, false)?);
                match chars.get(*pos) {
                    Some(',') => *pos += 1,
                    Some('}') => {
                        *pos += 1;
                        return Ok(Element::Array(items));
                    }
                    _ => return Err(bad()),
                }
            }
        }
        _ if top => Err(bad()),
        Some('"') => {
            *pos += 1;
            let mut s = String::new();
            loop {
                match chars.get(*pos) {
                    Some('\\') => {
                        s.push(*chars.get(*pos + 1).ok_or_else(bad)?);
                        *pos += 2;
                    }
                    Some('"') => {
                        *pos += 1;
                        return Ok(Element::Value(s));
                    }
                    Some(c) => {
                        s.push(*c);
                        *pos += 1;
                    }
                    None => return Err(bad()),
                }
            }
        }
        Some(_) => {
            let start = *pos;
            while let Some(c) = chars.get(*pos) {
                if *c == ',' || *c == '}' {
                    break;
                }
                *pos += 1;
            }
            let word: String = chars[start..*pos].iter().collect();
            Ok(if word == "NULL" { Element::Null } else { Element::Value(word) })
        }
        None => Err(bad()),
    }
}

/// Renders elements back into an array literal.
pub fn render_array(prefix: &str, items: &[Element]) -> String {
    let mut out = String::from(prefix);
    render_into(items, &mut out);
    out
}

fn render_into(items: &[Element], out: &mut String) {
    out.push('{');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        match item {
            Element::Null => out.push_str("NULL"),
            Element::Array(inner) => render_into(inner, out),
            Element::Value(v) => {
                let quote = v.is_empty()
                    || v.eq_ignore_ascii_case("NULL")
                    || v.chars().any(|c| matches!(c, '{' | '}' | ',' | '"' | '\\') || c.is_whitespace());
                if quote {
                    out.push('"');
                    for c in v.chars() {
                        if c == '"' || c == '\\' {
                            out.push('\\');
                        }
                        out.push(c);
                    }
                    out.push('"');
                } else {
                    out.push_str(v);
                }
            }
        }
    }
    out.push('}');
}

/// Applies `f` to every non-NULL leaf.
pub fn map_elements<E>(items: &mut [Element], f: &mut dyn FnMut(&str) -> Result<Option<String>, E>) -> Result<(), E> {
    for item in items.iter_mut() {
        match item {
            Element::Null => {}
            Element::Array(inner) => map_elements(inner, f)?,
            Element::Value(v) => {
                *item = match f(v)? {
                    Some(s) => Element::Value(s),
                    None => Element::Null,
                };
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_escapes_and_nulls() {
        let row = b"1\t\\N\ta\\tb\\\\c\\nd\t\\101\\x42";
        let mut f = Vec::new();
        split_fields(row, &mut f);
        let values: Vec<Option<String>> =
            f.iter().map(|(s, e)| decode(&row[*s..*e]).unwrap().map(Cow::into_owned)).collect();
        assert_eq!(values, vec![Some("1".into()), None, Some("a\tb\\c\nd".into()), Some("AB".into())]);
        let mut out = Vec::new();
        encode(Some("a\tb\\c\nd\r"), &mut out);
        encode(None, &mut out);
        assert_eq!(out, b"a\\tb\\\\c\\nd\\r\\N");
    }

    #[test]
    fn arrays_round_trip() {
        for text in [r#"{a,"b c",NULL,"x\"y\\z","",NULL}"#, "{{a,b},{c,d}}", "{}", "[0:1]={x,y}", r#"{"NULL"}"#] {
            let (prefix, items) = parse_array(text).unwrap();
            assert_eq!(render_array(&prefix, &items), text);
        }
        let (p, mut items) = parse_array(r#"{a@x.io,NULL,"b c"}"#).unwrap();
        map_elements::<()>(&mut items, &mut |v| Ok(Some(v.to_uppercase()))).unwrap();
        assert_eq!(render_array(&p, &items), r#"{A@X.IO,NULL,"B C"}"#);
        assert!(parse_array("{a,b").is_err() && parse_array("abc").is_err());
    }
}
