//! Reading YAML configuration text: syntax errors with their line and column, then `${VAR}`
//! interpolation of every string value (errors name the key).

use std::path::Path;

use serde_yaml::Value;

use super::ConfigError;
use super::interpolate::{InterpolateError, interpolate};

/// Parses `text` (from `path`, used in messages) and interpolates its string values.
pub(super) fn parse_document(
    path: &Path,
    text: &str,
    vars: &dyn Fn(&str) -> Option<String>,
) -> Result<Value, ConfigError> {
    let mut value: Value = serde_yaml::from_str(text).map_err(|e| {
        let (line, column) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
        ConfigError::Yaml { path: path.to_path_buf(), line, column, message: yaml_message(&e) }
    })?;
    interpolate_tree(&mut value, &mut Vec::new(), path, vars)?;
    Ok(value)
}

/// Reads any YAML configuration file with `${VAR}` interpolation applied to its string values
/// (fraiseql-confiture's `load_config` for `migrate --config FILE`).
pub fn read_yaml_document(path: &Path, vars: &dyn Fn(&str) -> Option<String>) -> Result<Value, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => ConfigError::FileNotFound { path: path.to_path_buf() },
        _ => ConfigError::Read { path: path.to_path_buf(), source },
    })?;
    parse_document(path, &text, vars)
}

fn yaml_message(e: &serde_yaml::Error) -> String {
    // The location is reported separately; drop yaml's own " at line X column Y" suffix.
    let text = e.to_string();
    match text.find(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

fn interpolate_tree(
    value: &mut Value,
    key_path: &mut Vec<String>,
    path: &Path,
    vars: &dyn Fn(&str) -> Option<String>,
) -> Result<(), ConfigError> {
    match value {
        Value::String(s) if s.contains('$') => {
            *s = interpolate(s, vars).map_err(|e| {
                let key = key_path.join(".");
                match e {
                    InterpolateError::Missing(var) => {
                        ConfigError::MissingVariable { path: path.to_path_buf(), key, var }
                    }
                    InterpolateError::Malformed(message) => {
                        ConfigError::InvalidValue { path: path.to_path_buf(), key, message }
                    }
                }
            })?;
        }
        Value::Sequence(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                let last = key_path.pop();
                let base = last.clone().unwrap_or_default();
                key_path.push(format!("{base}[{i}]"));
                interpolate_tree(item, key_path, path, vars)?;
                key_path.pop();
                if let Some(l) = last {
                    key_path.push(l);
                }
            }
        }
        Value::Mapping(map) => {
            for (k, v) in map.iter_mut() {
                key_path.push(k.as_str().map_or_else(|| format!("{k:?}"), str::to_string));
                interpolate_tree(v, key_path, path, vars)?;
                key_path.pop();
            }
        }
        Value::Tagged(tagged) => interpolate_tree(&mut tagged.value, key_path, path, vars)?,
        _ => {}
    }
    Ok(())
}
