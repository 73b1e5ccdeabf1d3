//! `faker`: realistic values from the `fake` crate, drawn with the keyed PRF so the same input
//! always gives the same fake (`kind`: name, first_name, last_name, email, free_email, username,
//! phone, street_address, city, state, zip, country, address, company; `locale`: en, fr_fr,
//! de_de, it_it, pt_br, nl_nl). The value is compared case- and space-insensitively.

use fake::Fake;
use fake::faker::phone_number::raw as phone;
use fake::faker::{address::raw as addr, company::raw as company, internet::raw as net, name::raw as name};
use fake::locales::{DE_DE, EN, FR_FR, IT_IT, NL_NL, PT_BR};
use serde::Deserialize;

use super::super::prf::DetRng;
use super::{Cx, Kind, ValueResult};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FakerConfig {
    pub kind: String,
    pub locale: String,
}

impl Default for FakerConfig {
    fn default() -> Self {
        Self { kind: "name".into(), locale: "en".into() }
    }
}

pub const KINDS: &[&str] = &[
    "address",
    "city",
    "company",
    "country",
    "email",
    "first_name",
    "free_email",
    "last_name",
    "name",
    "phone",
    "state",
    "street_address",
    "username",
    "zip",
];
const LOCALES: &[&str] = &["de_de", "en", "fr_fr", "it_it", "nl_nl", "pt_br"];

#[derive(Debug, Clone)]
pub struct Faker {
    kind: &'static str,
    locale: &'static str,
}

fn generate<L: fake::locales::Data + fake::faker::impls::address::CityNameGenFn + Copy>(
    l: L,
    kind: &str,
    rng: &mut DetRng,
) -> String {
    match kind {
        "first_name" => name::FirstName(l).fake_with_rng(rng),
        "last_name" => name::LastName(l).fake_with_rng(rng),
        "email" => net::SafeEmail(l).fake_with_rng(rng),
        "free_email" => net::FreeEmail(l).fake_with_rng(rng),
        "username" => net::Username(l).fake_with_rng(rng),
        "phone" => phone::PhoneNumber(l).fake_with_rng(rng),
        "street_address" => street(l, rng),
        "city" => addr::CityName(l).fake_with_rng(rng),
        "state" => addr::StateName(l).fake_with_rng(rng),
        "zip" => addr::ZipCode(l).fake_with_rng(rng),
        "country" => addr::CountryName(l).fake_with_rng(rng),
        "company" => company::CompanyName(l).fake_with_rng(rng),
        "address" => {
            let street = street(l, rng);
            let city: String = addr::CityName(l).fake_with_rng(rng);
            let zip: String = addr::ZipCode(l).fake_with_rng(rng);
            format!("{street}, {city} {zip}")
        }
        _ => name::Name(l).fake_with_rng(rng),
    }
}

pub(crate) fn street<L: fake::locales::Data + Copy>(l: L, rng: &mut DetRng) -> String {
    let number: String = addr::BuildingNumber(l).fake_with_rng(rng);
    let street: String = addr::StreetName(l).fake_with_rng(rng);
    format!("{number} {street}")
}

impl Kind for Faker {
    const NAME: &'static str = "faker";
    type Config = FakerConfig;

    fn new(config: FakerConfig, _: &dyn Fn(&str) -> Option<String>) -> Result<Self, String> {
        let kind = KINDS
            .iter()
            .find(|k| **k == config.kind)
            .ok_or_else(|| format!("`kind` {:?} is unknown; use one of {}", config.kind, KINDS.join(", ")))?;
        let locale = LOCALES
            .iter()
            .find(|k| **k == config.locale.to_ascii_lowercase())
            .ok_or_else(|| format!("`locale` {:?} is unknown; use one of {}", config.locale, LOCALES.join(", ")))?;
        Ok(Self { kind, locale })
    }

    fn apply(&self, cx: &Cx<'_>, value: &str) -> ValueResult {
        let normalized = value.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
        let mut rng = cx.rng(normalized.as_bytes());
        let rng = &mut rng;
        Ok(Some(match self.locale {
            "fr_fr" => generate(FR_FR, self.kind, rng),
            "de_de" => generate(DE_DE, self.kind, rng),
            "it_it" => generate(IT_IT, self.kind, rng),
            "pt_br" => generate(PT_BR, self.kind, rng),
            "nl_nl" => generate(NL_NL, self.kind, rng),
            _ => generate(EN, self.kind, rng),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{run, strategy};
    use serde_json::json;

    #[test]
    fn every_kind_is_deterministic() {
        for kind in super::KINDS {
            let s = strategy("faker", json!({"kind": kind}));
            let a = run(&s, "Jane Roe").unwrap();
            assert!(!a.is_empty());
            assert_eq!(run(&s, "jane  roe"), Some(a), "{kind}");
        }
        let email = run(&strategy("faker", json!({"kind": "email"})), "x").unwrap();
        assert!(email.contains('@'), "{email}");
    }
}
