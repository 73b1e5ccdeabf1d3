//! `confiture build`: the environment's files assembled into one schema file ([`Built::render`],
//! written atomically by [`write_atomic`]), and databases built from them ([`apply`]) in one
//! transaction, with a template-database cache keyed by the schema hash.

mod apply;
mod assemble;
mod error;
mod script;
mod summary;
mod template;

pub use apply::{ApplyOptions, ApplyReport, apply, apply_environment, lineage};
pub use assemble::{Built, generated_timestamp, load, write_atomic};
pub use error::{BuildError, StatementFailure};
pub use script::{Chunk, Script, StatementLocation, prepare};
pub use summary::{ObjectKind, summarize};
pub use template::{TEMPLATE_PREFIX, TemplateInfo, clone_template, list_templates, template_name};
