//! `confiture migrate validate`: naming checks and the git-aware checks (drift against a base
//! ref, migrations that must accompany schema changes).

use std::path::PathBuf;

use confiture_core::git::{Compared, ValidateOptions, validate};
use pyo3::prelude::*;

use crate::convert::to_py;
use crate::run::engine;

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(migrate_validate, m)?)?;
    Ok(())
}

/// The validation report: status, base ref, checks run, violations.
#[pyfunction]
#[pyo3(signature = (
    project_dir, migrations_dir, schema_dirs = Vec::new(), env = None, base_ref = None,
    staged = false, require_migration = false, check_drift = false, naming = true
))]
#[allow(clippy::too_many_arguments, reason = "mirrors the CLI's options")]
fn migrate_validate(
    py: Python<'_>,
    project_dir: PathBuf,
    migrations_dir: PathBuf,
    schema_dirs: Vec<PathBuf>,
    env: Option<String>,
    base_ref: Option<String>,
    staged: bool,
    require_migration: bool,
    check_drift: bool,
    naming: bool,
) -> PyResult<Bound<'_, PyAny>> {
    let options = ValidateOptions {
        project_dir,
        migrations_dir,
        schema_dirs,
        env,
        base_ref,
        compared: if staged { Compared::Index } else { Compared::Worktree },
        naming,
        require_migration,
        check_drift,
    };
    let report = engine(py, || validate(&options))?;
    to_py(py, &report)
}
