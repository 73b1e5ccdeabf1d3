//! `ip_address`: addresses with the network prefix kept (fraiseql-confiture's `IPAddressStrategy`,
//! `IPAddressConfig(preserve_subnet=True, subnet_bits_ipv4=8, subnet_bits_ipv6=16,
//! anonymize_localhost=False)`): the first `subnet_bits` bits stay, the others come from the PRF.
//! `addr/len` keeps its prefix length (and zero host bits when the input had them, so `cidr`
//! values stay valid). Loopback addresses stay unless `anonymize_localhost`.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use serde::Deserialize;

use super::{Cx, Kind, ValueResult, ValueType};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IPAddressConfig {
    pub preserve_subnet: bool,
    pub subnet_bits_ipv4: u32,
    pub subnet_bits_ipv6: u32,
    pub anonymize_localhost: bool,
}

impl Default for IPAddressConfig {
    fn default() -> Self {
        Self { preserve_subnet: true, subnet_bits_ipv4: 8, subnet_bits_ipv6: 16, anonymize_localhost: false }
    }
}

#[derive(Debug, Clone)]
pub struct IpAddress {
    keep_v4: u32,
    keep_v6: u32,
    anonymize_localhost: bool,
}

fn mix(original: u128, random: u128, keep: u32, width: u32) -> u128 {
    let all = if width == 128 { u128::MAX } else { (1u128 << width) - 1 };
    let host = if keep >= width { 0 } else { all >> keep };
    (original & !host & all) | (random & host)
}

impl Kind for IpAddress {
    const NAME: &'static str = "ip_address";
    type Config = IPAddressConfig;

    fn new(config: IPAddressConfig, _: &dyn Fn(&str) -> Option<String>) -> Result<Self, String> {
        if config.subnet_bits_ipv4 > 32 || config.subnet_bits_ipv6 > 128 {
            return Err("`subnet_bits_ipv4` must be at most 32 and `subnet_bits_ipv6` at most 128".into());
        }
        let (keep_v4, keep_v6) =
            if config.preserve_subnet { (config.subnet_bits_ipv4, config.subnet_bits_ipv6) } else { (0, 0) };
        Ok(Self { keep_v4, keep_v6, anonymize_localhost: config.anonymize_localhost })
    }

    fn accepts(&self, value_type: ValueType) -> bool {
        matches!(value_type, ValueType::Text | ValueType::Network)
    }

    fn varies(&self) -> bool {
        self.keep_v4 < 32 || self.keep_v6 < 128
    }

    fn apply(&self, cx: &Cx<'_>, value: &str) -> ValueResult {
        let trimmed = value.trim();
        let (addr_text, prefix) = match trimmed.split_once('/') {
            Some((a, p)) => (a, Some(p.parse::<u32>().map_err(|_| "not an IP address")?)),
            None => (trimmed, None),
        };
        let addr: IpAddr = addr_text.parse().map_err(|_| "not an IP address")?;
        if addr.is_loopback() && !self.anonymize_localhost {
            return Ok(Some(value.to_string()));
        }
        let mut rng = cx.rng(addr.to_string().as_bytes());
        let random = (u128::from(rng.next_u64()) << 64) | u128::from(rng.next_u64());
        let (width, keep, original) = match addr {
            IpAddr::V4(a) => (32, self.keep_v4, u128::from(u32::from(a))),
            IpAddr::V6(a) => (128, self.keep_v6, u128::from(a)),
        };
        let mut bits = mix(original, random, keep, width);
        if let Some(p) = prefix.filter(|p| *p <= width)
            && mix(original, 0, p, width) == original
        {
            // A network address (host bits zero): keep it one.
            bits = mix(bits, 0, p, width);
        }
        let out = match addr {
            IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::from(bits as u32)),
            IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::from(bits)),
        };
        Ok(Some(match prefix {
            Some(p) => format!("{out}/{p}"),
            None => out.to_string(),
        }))
    }

    fn looks_valid(&self, value: &str) -> bool {
        value.trim().split('/').next().is_some_and(|a| a.parse::<IpAddr>().is_ok())
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{run, run_err, strategy};
    use serde_json::json;

    #[test]
    fn subnet_kept_and_cidr_valid() {
        let s = strategy("ip_address", json!({"subnet_bits_ipv4": 24}));
        let out = run(&s, "192.168.1.77").unwrap();
        assert!(out.starts_with("192.168.1.") && out != "192.168.1.77", "{out}");
        assert_eq!(run(&s, "127.0.0.1"), Some("127.0.0.1".into()));
        let net = run(&strategy("ip_address", json!({})), "10.20.0.0/16").unwrap();
        assert!(net.starts_with("10.") && net.ends_with(".0.0/16"), "{net}");
        let v6 = run(&s, "2001:db8::1").unwrap();
        assert!(v6.starts_with("2001:") && v6 != "2001:db8::1", "{v6}");
        assert!(run_err(&s, "not-an-ip").contains("not an IP"));
    }
}
