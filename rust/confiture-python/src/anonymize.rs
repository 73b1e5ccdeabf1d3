//! Anonymization: strategies one value at a time, profiles, card-number helpers.

use std::path::PathBuf;

use confiture_core::anonymize::{self, AnonymizationKey, Profile, STRATEGY_NAMES};
use confiture_core::config::env_var;
use pyo3::prelude::*;
use serde_json::{Map, Value};

use crate::convert::{to_json, to_py};
use crate::run::engine;

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyAnonymizer>()?;
    m.add_function(wrap_pyfunction!(anonymization_strategies, m)?)?;
    m.add_function(wrap_pyfunction!(load_anonymization_profile, m)?)?;
    m.add_function(wrap_pyfunction!(anonymization_profile_from_dict, m)?)?;
    m.add_function(wrap_pyfunction!(resolve_seed, m)?)?;
    m.add_function(wrap_pyfunction!(card_number_info, m)?)?;
    Ok(())
}

/// Every strategy name, sorted.
#[pyfunction]
fn anonymization_strategies() -> Vec<&'static str> {
    STRATEGY_NAMES.to_vec()
}

/// A strategy bound to the key (from `key_env_var`, default `CONFITURE_ANONYMIZATION_KEY`) and a
/// domain (default: the strategy name, plus the seed when non-zero).
#[pyclass(name = "Anonymizer", module = "confiture._core", frozen)]
pub struct PyAnonymizer {
    inner: anonymize::Anonymizer,
    name: String,
}

#[pymethods]
impl PyAnonymizer {
    #[new]
    #[pyo3(signature = (strategy, config = None, seed = 0, domain = None, unique = false, key_env_var = None))]
    fn new(
        py: Python<'_>,
        strategy: String,
        config: Option<&Bound<'_, PyAny>>,
        seed: i64,
        domain: Option<String>,
        unique: bool,
        key_env_var: Option<String>,
    ) -> PyResult<Self> {
        let config: Map<String, Value> = match config {
            Some(c) => match to_json(c)? {
                Value::Object(map) => map,
                Value::Null => Map::new(),
                _ => return Err(pyo3::exceptions::PyTypeError::new_err("config must be a dict")),
            },
            None => Map::new(),
        };
        let inner = engine(py, || {
            let key = AnonymizationKey::from_env(key_env_var.as_deref(), &env_var)?;
            let domain = anonymize::seeded_domain(domain.as_deref().unwrap_or(&strategy), seed);
            Ok(anonymize::Anonymizer::new(&strategy, &config, &key, &domain, unique, &env_var)?)
        })?;
        Ok(Self { inner, name: strategy })
    }

    /// The strategy's registry name.
    #[getter]
    fn name(&self) -> String {
        self.name.clone()
    }

    /// The replacement of one value (`None` stays `None`).
    fn anonymize(&self, py: Python<'_>, value: Option<String>) -> PyResult<Option<String>> {
        let Some(value) = value else { return Ok(None) };
        engine(py, || Ok(self.inner.apply(&value, 0)?))
    }

    /// The replacements of many values, in order.
    fn anonymize_many(&self, py: Python<'_>, values: Vec<Option<String>>) -> PyResult<Vec<Option<String>>> {
        engine(py, || {
            values
                .iter()
                .map(|v| match v {
                    Some(v) => self.inner.apply(v, 0).map_err(confiture_core::Error::from),
                    None => Ok(None),
                })
                .collect()
        })
    }

    /// Whether `value` looks like what the strategy is meant for.
    fn looks_valid(&self, value: &str) -> bool {
        self.inner.strategy().looks_valid(value)
    }
}

/// Reads and checks a profile: `{"path", "profile", "rules"}`.
#[pyfunction]
fn load_anonymization_profile(py: Python<'_>, path: PathBuf) -> PyResult<Bound<'_, PyAny>> {
    let loaded = engine(py, || Ok(Profile::load(&path, &env_var)?))?;
    to_py(py, &loaded)
}

/// Checks a profile given as a dict.
#[pyfunction]
fn anonymization_profile_from_dict<'py>(py: Python<'py>, data: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let document = to_json(data)?;
    let loaded = engine(py, || Ok(Profile::from_value(std::path::Path::new("<dict>"), document, &env_var)?))?;
    to_py(py, &loaded)
}

/// The seed from variable `seed_env_var`, else `seed`, else 0.
#[pyfunction]
#[pyo3(signature = (seed = None, seed_env_var = None))]
fn resolve_seed(py: Python<'_>, seed: Option<i64>, seed_env_var: Option<String>) -> PyResult<i64> {
    engine(py, || Ok(anonymize::resolve_seed(seed, seed_env_var.as_deref(), &env_var)?))
}

/// `{"digits", "valid" (Luhn, 12–19 digits), "network", "check_digit"}` of a card number;
/// `check_digit` is the digit that would make the number (taken without a check digit) valid.
#[pyfunction]
fn card_number_info<'py>(py: Python<'py>, number: &str) -> PyResult<Bound<'py, PyAny>> {
    let digits: Vec<u8> = number.bytes().filter(u8::is_ascii_digit).collect();
    let all_digits = number.bytes().all(|b| b.is_ascii_digit() || b == b' ' || b == b'-');
    let info = serde_json::json!({
        "digits": String::from_utf8_lossy(&digits),
        "valid": all_digits && (12..=19).contains(&digits.len()) && anonymize::luhn_valid(&digits),
        "network": anonymize::card_network(&digits),
        "check_digit": (!digits.is_empty()).then(|| anonymize::luhn_check_digit(&digits)),
    });
    to_py(py, &info)
}
