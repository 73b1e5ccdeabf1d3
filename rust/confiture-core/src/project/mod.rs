//! The project on disk: which schema and seed files make up an environment and in what order
//! ([`discover`]), their content hash ([`hash`]), and the layout `confiture init` creates
//! ([`scaffold`]).

mod discover;
mod error;
mod hash;
mod order;
pub mod scaffold;

pub use discover::{DiscoverOptions, Discovery, SchemaFile, common_parent, discover};
pub use error::ProjectError;
pub use hash::{file_digest, hash_files, read_all, read_texts};
pub use order::{hex_prefix, sort_key_cmp};
