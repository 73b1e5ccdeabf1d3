//! `confiture._core`: the engine exposed to Python. This file only registers the module; each
//! engine area has its own file, all conversions live in `convert.rs` and all error mapping in
//! `errors.rs`.

mod aio;
mod anonymize;
mod build;
mod config;
mod convert;
mod coordinate;
mod diff;
mod errors;
mod executor;
mod git;
mod lint;
mod migrate;
mod project;
mod run;
mod schema_to_schema;
mod sync;
mod testkit;
mod testserver;

use pyo3::prelude::*;

/// Parsing builds and frees millions of small tree nodes on every core; glibc's allocator spent a
/// third of the time there (arena locks, consolidation). mimalloc, as pydantic-core ships it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[pymodule(gil_used = false)]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", confiture_core::VERSION)?;
    config::register(m)?;
    project::register(m)?;
    build::register(m)?;
    diff::register(m)?;
    testserver::register(m)?;
    migrate::register(m)?;
    lint::register(m)?;
    anonymize::register(m)?;
    sync::register(m)?;
    coordinate::register(m)?;
    testkit::register(m)?;
    aio::register(m)?;
    schema_to_schema::register(m)?;
    git::register(m)?;
    Ok(())
}
