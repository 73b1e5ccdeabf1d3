//! Deserializers for numbers and booleans that also accept strings: values interpolated from
//! `${VAR}` arrive as strings (`port: ${PGPORT:-5432}`).

use serde::de::{self, Deserialize, Deserializer};
use serde_yaml::Value;

pub(super) fn lenient_bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    lenient_opt_bool(d)?.ok_or_else(|| de::Error::custom("expected true or false"))
}

pub(super) fn lenient_opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(b)),
        Some(Value::String(s)) => match s.to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" | "1" => Ok(Some(true)),
            "false" | "no" | "off" | "0" => Ok(Some(false)),
            _ => Err(de::Error::custom(format!("expected true or false, got {s:?}"))),
        },
        Some(other) => Err(de::Error::custom(format!("expected true or false, got {}", describe(&other)))),
    }
}

fn lenient_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i128>, D::Error> {
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from))
            .map(Some)
            .ok_or_else(|| de::Error::custom(format!("expected an integer, got {n}"))),
        Some(Value::String(s)) => {
            s.trim().parse::<i128>().map(Some).map_err(|_| de::Error::custom(format!("expected an integer, got {s:?}")))
        }
        Some(other) => Err(de::Error::custom(format!("expected an integer, got {}", describe(&other)))),
    }
}

pub(super) fn lenient_u64<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    let n = lenient_number(d)?.ok_or_else(|| de::Error::custom("expected an integer"))?;
    u64::try_from(n).map_err(|_| de::Error::custom(format!("{n} is out of range (0 or more)")))
}

pub(super) fn lenient_i64<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let n = lenient_number(d)?.ok_or_else(|| de::Error::custom("expected an integer"))?;
    i64::try_from(n).map_err(|_| de::Error::custom(format!("{n} is out of range")))
}

pub(super) fn lenient_opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    lenient_number(d)?
        .map(|n| i64::try_from(n).map_err(|_| de::Error::custom(format!("{n} is out of range"))))
        .transpose()
}

/// A string, or a number written without quotes (`baseline: 005` reads as text `005`'s value).
pub(super) fn lenient_opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(other) => Err(de::Error::custom(format!("expected a string, got {}", describe(&other)))),
    }
}

pub(super) fn lenient_opt_u16<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u16>, D::Error> {
    lenient_number(d)?
        .map(|n| u16::try_from(n).map_err(|_| de::Error::custom(format!("port {n} is out of range (1-65535)"))))
        .transpose()
}

fn describe(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
    }
}
