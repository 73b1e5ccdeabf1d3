//! The strategies, one per file, each with fraiseql-confiture's name and config fields, gathered
//! in the closed [`Strategy`] enum. A strategy turns one non-NULL text value into its replacement
//! (or NULL); everything it draws comes from the keyed PRF ([`Cx`]), so the output depends only on
//! the key, the column domain and the value.

mod address;
mod constant;
mod credit_card;
mod date;
mod email;
mod faker;
mod hash;
mod ip_address;
mod masking_retention;
mod name;
mod null;
mod phone;
mod preserve;
mod redact;
mod salted_hashing;
mod scan;
mod text_redaction;
mod tokenization;

pub use credit_card::{card_network, luhn_check_digit, luhn_valid};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::AnonymizeError;
use super::prf::{DetRng, Prf};

/// The keys every strategy config may carry (fraiseql-confiture's `StrategyConfig` fields and
/// rule-level options); they shape the column domain, not the strategy itself.
pub const COMMON_FIELDS: &[&str] = &["seed", "seed_env_var", "name", "unique", "domain"];

/// What a column holds, as far as strategies care (from the column's type; arrays by element).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueType {
    /// text, varchar, char, citext, name, and domains over them.
    Text,
    Date,
    Timestamp,
    /// inet, cidr.
    Network,
    /// json, jsonb.
    Json,
    /// Everything else (numbers, booleans, bytea, uuid, …): only `preserve`, `null` and `constant`.
    Other,
}

impl ValueType {
    /// From `pg_type.typcategory` and the type name of the (base) type.
    pub fn from_catalog(category: &str, type_name: &str) -> Self {
        match (category, type_name) {
            (_, "json" | "jsonb") => Self::Json,
            (_, "date") => Self::Date,
            (_, "timestamp" | "timestamptz") => Self::Timestamp,
            ("I", _) => Self::Network,
            ("S", _) => Self::Text,
            (_, "citext") => Self::Text,
            _ => Self::Other,
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Date => "date",
            Self::Timestamp => "timestamp",
            Self::Network => "network address",
            Self::Json => "JSON",
            Self::Other => "non-text",
        }
    }
}

/// The keyed randomness for one value.
pub struct Cx<'a> {
    pub(crate) prf: &'a Prf,
    pub(crate) attempt: u32,
}

impl Cx<'_> {
    pub fn rng(&self, input: &[u8]) -> DetRng {
        self.prf.rng(input, self.attempt)
    }

    pub fn digest(&self, input: &[u8]) -> [u8; 32] {
        self.prf.digest(input, self.attempt)
    }

    pub fn hmac(&self, input: &[u8]) -> [u8; 32] {
        self.prf.hmac(input, self.attempt)
    }
}

/// A value a strategy cannot anonymize; the message never contains the value.
pub type ValueResult = Result<Option<String>, String>;

/// One strategy kind.
pub(crate) trait Kind: Sized {
    /// The registry name (`email`, `credit_card`, …).
    const NAME: &'static str;
    type Config: DeserializeOwned;

    fn new(config: Self::Config, vars: &dyn Fn(&str) -> Option<String>) -> Result<Self, String>;

    /// Whether it can anonymize values of this type.
    fn accepts(&self, value_type: ValueType) -> bool {
        value_type == ValueType::Text
    }

    /// Whether the output depends on the value through the PRF (so `unique: true` can resolve
    /// collisions by drawing again, and the output differs from the input).
    fn varies(&self) -> bool {
        true
    }

    fn apply(&self, cx: &Cx<'_>, value: &str) -> ValueResult;

    /// Whether `value` looks like something this strategy is meant for (fraiseql-confiture's
    /// `validate`).
    fn looks_valid(&self, _value: &str) -> bool {
        true
    }
}

fn build<K: Kind>(config: Map<String, Value>, vars: &dyn Fn(&str) -> Option<String>) -> Result<K, AnonymizeError> {
    let invalid = |message: String| AnonymizeError::InvalidConfig { strategy: K::NAME.to_string(), message };
    let parsed: K::Config = serde_json::from_value(Value::Object(config)).map_err(|e| invalid(e.to_string()))?;
    K::new(parsed, vars).map_err(invalid)
}

macro_rules! strategies {
    ($($variant:ident($module:ident::$ty:ident)),* $(,)?) => {
        /// A configured strategy.
        #[derive(Debug, Clone)]
        pub enum Strategy {
            $($variant($module::$ty)),*
        }

        /// Every strategy name, sorted.
        pub const NAMES: &[&str] = &[$(<$module::$ty as Kind>::NAME),*];

        impl Strategy {
            /// Builds strategy `name` from its config (fraiseql-confiture's field names); the
            /// [`COMMON_FIELDS`] are ignored here.
            pub fn build(
                name: &str,
                config: &Map<String, Value>,
                vars: &dyn Fn(&str) -> Option<String>,
            ) -> Result<Self, AnonymizeError> {
                let mut own = config.clone();
                for key in COMMON_FIELDS {
                    own.remove(*key);
                }
                match name {
                    $(<$module::$ty as Kind>::NAME => Ok(Self::$variant(build::<$module::$ty>(own, vars)?)),)*
                    other => Err(AnonymizeError::UnknownStrategy {
                        name: other.to_string(),
                        available: NAMES.iter().map(|n| (*n).to_string()).collect(),
                    }),
                }
            }

            pub fn name(&self) -> &'static str {
                match self {
                    $(Self::$variant(_) => <$module::$ty as Kind>::NAME,)*
                }
            }

            pub fn accepts(&self, value_type: ValueType) -> bool {
                match self {
                    $(Self::$variant(s) => s.accepts(value_type),)*
                }
            }

            pub fn varies(&self) -> bool {
                match self {
                    $(Self::$variant(s) => s.varies(),)*
                }
            }

            pub fn looks_valid(&self, value: &str) -> bool {
                match self {
                    $(Self::$variant(s) => s.looks_valid(value),)*
                }
            }

            pub(crate) fn apply(&self, cx: &Cx<'_>, value: &str) -> ValueResult {
                match self {
                    $(Self::$variant(s) => s.apply(cx, value),)*
                }
            }
        }
    };
}

strategies! {
    Address(address::Address),
    Constant(constant::Constant),
    CreditCard(credit_card::CreditCard),
    Date(date::DateMask),
    Email(email::Email),
    Faker(faker::Faker),
    Hash(hash::DeterministicHash),
    IpAddress(ip_address::IpAddress),
    MaskingRetention(masking_retention::MaskingRetention),
    Name(name::NameMask),
    Null(null::Null),
    Phone(phone::Phone),
    Preserve(preserve::Preserve),
    Redact(redact::Redact),
    SaltedHashing(salted_hashing::SaltedHashing),
    TextRedaction(text_redaction::TextRedaction),
    Tokenization(tokenization::Tokenization),
}

/// Appends the lower-case hex of `bytes` to `out`, at most `len` characters.
pub(crate) fn push_hex(out: &mut String, bytes: &[u8], len: usize) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut n = 0;
    for b in bytes {
        for nibble in [b >> 4, b & 0xf] {
            if n == len {
                return;
            }
            out.push(char::from(HEX[usize::from(nibble)]));
            n += 1;
        }
    }
}

/// Lower-case hex of `bytes`, at most `len` characters.
pub(crate) fn hex_prefix(bytes: &[u8], len: usize) -> String {
    let mut out = String::with_capacity(len);
    push_hex(&mut out, bytes, len);
    out
}

/// Appends `word` to `out` in the case of `model` (all lower, all upper, or as is).
pub(crate) fn push_cased(out: &mut String, model: &str, word: &str) {
    let (mut lower, mut upper) = (0usize, 0usize);
    for b in model.bytes() {
        match b {
            b'a'..=b'z' => lower += 1,
            b'A'..=b'Z' => upper += 1,
            0x80.. => {
                // Not ASCII: count the characters properly.
                lower = model.chars().filter(|c| c.is_lowercase()).count();
                upper = model.chars().filter(|c| c.is_uppercase()).count();
                break;
            }
            _ => {}
        }
    }
    if lower > 0 && upper == 0 {
        out.extend(word.chars().flat_map(char::to_lowercase));
    } else if upper > 1 && lower == 0 {
        out.extend(word.chars().flat_map(char::to_uppercase));
    } else {
        out.push_str(word);
    }
}

#[cfg(test)]
pub(crate) mod testing {
    use super::*;
    use crate::anonymize::AnonymizationKey;

    pub fn prf(domain: &str) -> Prf {
        Prf::new(&AnonymizationKey::new("test", b"0123456789abcdef-test-key").unwrap(), domain)
    }

    pub fn strategy(name: &str, config: serde_json::Value) -> Strategy {
        let map = config.as_object().cloned().unwrap_or_default();
        Strategy::build(name, &map, &|_| None).unwrap()
    }

    pub fn run(s: &Strategy, value: &str) -> Option<String> {
        let p = prf(s.name());
        s.apply(&Cx { prf: &p, attempt: 0 }, value).unwrap()
    }

    pub fn run_err(s: &Strategy, value: &str) -> String {
        let p = prf(s.name());
        s.apply(&Cx { prf: &p, attempt: 0 }, value).unwrap_err()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_sorted_and_unknown_names_list_them() {
        let mut sorted = NAMES.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, NAMES);
        let err = Strategy::build("emial", &Map::new(), &|_| None).unwrap_err().to_string();
        assert!(err.contains("emial") && err.contains("email, faker"), "{err}");
    }

    #[test]
    fn unknown_config_fields_are_named() {
        let mut config = Map::new();
        config.insert("hash_lenght".into(), Value::from(4));
        config.insert("seed".into(), Value::from(4));
        let err = Strategy::build("email", &config, &|_| None).unwrap_err().to_string();
        assert!(err.contains("hash_lenght") && err.contains("hash_length"), "{err}");
    }

    #[test]
    fn helpers() {
        assert_eq!(hex_prefix(&[0xab, 0xcd], 3), "abc");
        let cased = |model: &str| {
            let mut out = String::new();
            push_cased(&mut out, model, "Mary");
            out
        };
        assert_eq!(
            (cased("john"), cased("JOHN"), cased("John"), cased("J")),
            ("mary".into(), "MARY".into(), "Mary".into(), "Mary".into())
        );
        assert_eq!(ValueType::from_catalog("S", "varchar"), ValueType::Text);
        assert_eq!(ValueType::from_catalog("U", "jsonb"), ValueType::Json);
        assert_eq!(ValueType::from_catalog("N", "int4"), ValueType::Other);
    }
}
