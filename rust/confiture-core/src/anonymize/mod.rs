//! Anonymization: deterministic, keyed strategies ([`Strategy`], one file each under
//! `strategies/`, with fraiseql-confiture's names and config fields), the secret key they are
//! keyed with ([`AnonymizationKey`], from an environment variable; no key, no anonymization), the
//! keyed PRF that makes outputs a function of (key, column domain, value) only ([`Prf`]), column
//! rules and their compiled form ([`ColumnRule`], [`Anonymizer`]), and profiles ([`Profile`]).
//! Running strategies over rows, in parallel, is the sync area's job.

mod error;
mod key;
mod prf;
mod profile;
mod rule;
mod strategies;

pub use error::AnonymizeError;
pub use key::{AnonymizationKey, DEFAULT_KEY_VAR, MIN_KEY_LEN};
pub use prf::{DetRng, Prf};
pub use profile::{LoadedProfile, Profile, ProfileRule, StrategyDefinition, TableDefinition};
pub use rule::{Anonymizer, ColumnRule, resolve_seed, seeded_domain};
pub use strategies::{
    COMMON_FIELDS, NAMES as STRATEGY_NAMES, Strategy, ValueType, card_network, luhn_check_digit, luhn_valid,
};
