//! `${VAR}` interpolation for configuration values.
//!
//! - `${NAME}`: the variable's value; an error when it is unset.
//! - `${NAME:-default}`: the value when set and non-empty, else `default` (shell semantics).
//! - `${NAME-default}`: the value when set (even empty), else `default`.
//! - `$$`: a literal `$`. A `$` followed by anything else is kept as is, so passwords with `$` work.

#[derive(Debug, PartialEq, Eq)]
pub enum InterpolateError {
    /// `${NAME}` where NAME is unset and no default is given.
    Missing(String),
    /// `${` without a closing `}`, or an invalid variable name.
    Malformed(String),
}

/// Expands every `${…}` in `text`, reading variables through `lookup`.
pub fn interpolate(text: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Result<String, InterpolateError> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(dollar) = rest.find('$') {
        out.push_str(&rest[..dollar]);
        let after = &rest[dollar + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some(body_and_tail) = after.strip_prefix('{') {
            let close = body_and_tail
                .find('}')
                .ok_or_else(|| InterpolateError::Malformed(format!("unterminated `${{` in {text:?}")))?;
            out.push_str(&expand(&body_and_tail[..close], lookup)?);
            rest = &body_and_tail[close + 1..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(out)
}

fn expand(body: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Result<String, InterpolateError> {
    let name_len = body
        .char_indices()
        .find(|&(i, c)| !(c == '_' || c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit())))
        .map_or(body.len(), |(i, _)| i);
    let (name, op) = body.split_at(name_len);
    if name.is_empty() {
        return Err(InterpolateError::Malformed(format!("invalid variable name in `${{{body}}}`")));
    }
    let value = lookup(name);
    if op.is_empty() {
        return value.ok_or_else(|| InterpolateError::Missing(name.to_string()));
    }
    if let Some(default) = op.strip_prefix(":-") {
        return Ok(value.filter(|v| !v.is_empty()).unwrap_or_else(|| default.to_string()));
    }
    if let Some(default) = op.strip_prefix('-') {
        return Ok(value.unwrap_or_else(|| default.to_string()));
    }
    Err(InterpolateError::Malformed(format!(
        "unsupported expression `${{{body}}}`: use ${{NAME}}, ${{NAME:-default}} or ${{NAME-default}}"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "HOST" => Some("db.internal".into()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    #[test]
    fn expands_set_variables_and_defaults() {
        assert_eq!(interpolate("postgresql://${HOST}/x", &env).unwrap(), "postgresql://db.internal/x");
        assert_eq!(interpolate("${NOPE:-localhost}:5432", &env).unwrap(), "localhost:5432");
        assert_eq!(interpolate("${EMPTY:-fallback}", &env).unwrap(), "fallback");
        assert_eq!(interpolate("${EMPTY-fallback}", &env).unwrap(), "");
        assert_eq!(interpolate("${NOPE-x}", &env).unwrap(), "x");
        assert_eq!(interpolate("${NOPE:-postgresql://u:p@h/db?x=1}", &env).unwrap(), "postgresql://u:p@h/db?x=1");
    }

    #[test]
    fn dollars_that_are_not_expressions_survive() {
        assert_eq!(interpolate("pa$word$$", &env).unwrap(), "pa$word$");
        assert_eq!(interpolate("$$HOST", &env).unwrap(), "$HOST");
        assert_eq!(interpolate("end$", &env).unwrap(), "end$");
    }

    #[test]
    fn reports_missing_and_malformed() {
        assert_eq!(interpolate("${NOPE}", &env), Err(InterpolateError::Missing("NOPE".into())));
        assert!(matches!(interpolate("${HOST", &env), Err(InterpolateError::Malformed(_))));
        assert!(matches!(interpolate("${1X}", &env), Err(InterpolateError::Malformed(_))));
        assert!(matches!(interpolate("${HOST:=x}", &env), Err(InterpolateError::Malformed(_))));
    }
}
