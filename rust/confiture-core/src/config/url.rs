//! libpq connection strings: `postgresql://` URIs and `key=value` DSNs, parsed the way libpq does
//! (percent-decoding, socket directories as hosts, `?host=/path`, several hosts, query parameters
//! overriding the URI parts) and resolved with libpq's defaults (`PGHOST`, `PGPORT`, `PGUSER`,
//! `PGDATABASE`, `PGPASSWORD`, `PGSSLMODE`, `.pgpass`, the OS user name, the default socket directory).

use std::collections::BTreeMap;
use std::fmt;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use serde::{Deserialize, Serialize};

use super::ConfigError;

/// libpq's `sslmode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SslMode {
    Disable,
    Allow,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl SslMode {
    pub fn parse(value: &str) -> Option<Self> {
        Some(match value {
            "disable" => Self::Disable,
            "allow" => Self::Allow,
            "prefer" => Self::Prefer,
            "require" => Self::Require,
            "verify-ca" => Self::VerifyCa,
            "verify-full" => Self::VerifyFull,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Disable => "disable",
            Self::Allow => "allow",
            Self::Prefer => "prefer",
            Self::Require => "require",
            Self::VerifyCa => "verify-ca",
            Self::VerifyFull => "verify-full",
        }
    }
}

/// Connection parameters exactly as written in a URL or DSN (nothing defaulted yet).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ConnectionParams {
    /// Host names, IP addresses or socket directories (absolute paths), in order.
    pub hosts: Vec<String>,
    /// One port for all hosts, or one per host.
    pub ports: Vec<u16>,
    pub dbname: Option<String>,
    pub user: Option<String>,
    pub password: Option<String>,
    pub sslmode: Option<SslMode>,
    /// Every other keyword (`application_name`, `connect_timeout`, `sslrootcert`, `options`, …).
    pub options: BTreeMap<String, String>,
}

/// The values libpq would actually use, after defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResolvedParams {
    pub hosts: Vec<String>,
    pub ports: Vec<u16>,
    pub dbname: String,
    pub user: String,
    pub password: Option<String>,
    pub sslmode: SslMode,
    pub options: BTreeMap<String, String>,
}

impl ResolvedParams {
    pub fn host(&self) -> &str {
        self.hosts.first().map_or("", String::as_str)
    }

    pub fn port(&self) -> u16 {
        self.ports.first().copied().unwrap_or(5432)
    }

    /// `host:port/dbname`, for messages and checkpoints (never includes the password).
    pub fn display_target(&self) -> String {
        format!("{}:{}/{}", self.host(), self.port(), self.dbname)
    }
}

impl ConnectionParams {
    /// Parses a `postgresql://` / `postgres://` URI or a `key=value` connection string.
    pub fn parse(text: &str) -> Result<Self, ConfigError> {
        let trimmed = text.trim();
        let invalid =
            |message: &str| ConfigError::InvalidUrl { url: redact_url(trimmed), message: message.to_string() };
        if let Some(rest) = trimmed.strip_prefix("postgresql://").or_else(|| trimmed.strip_prefix("postgres://")) {
            parse_uri(rest).map_err(|m| invalid(&m))
        } else if trimmed.contains('=') && !trimmed.contains("://") {
            parse_dsn(trimmed).map_err(|m| invalid(&m))
        } else {
            Err(invalid(
                "expected postgresql://[user[:password]@][host][:port][/dbname][?param=value&…] or key=value pairs",
            ))
        }
    }

    /// Fills in what libpq would: environment variables, `.pgpass`, the OS user, the socket directory.
    pub fn resolve(&self, env: &dyn Fn(&str) -> Option<String>) -> ResolvedParams {
        let non_empty = |name: &str| env(name).filter(|v| !v.is_empty());
        let hosts = if self.hosts.is_empty() {
            match non_empty("PGHOST") {
                Some(h) => h.split(',').map(str::to_string).collect(),
                None => vec![default_socket_dir()],
            }
        } else {
            self.hosts.clone()
        };
        let ports = if self.ports.is_empty() {
            vec![non_empty("PGPORT").and_then(|p| p.parse().ok()).unwrap_or(5432)]
        } else {
            self.ports.clone()
        };
        let user = self.user.clone().or_else(|| non_empty("PGUSER")).unwrap_or_else(os_user_name);
        let dbname = self.dbname.clone().or_else(|| non_empty("PGDATABASE")).unwrap_or_else(|| user.clone());
        let sslmode =
            self.sslmode.or_else(|| non_empty("PGSSLMODE").and_then(|m| SslMode::parse(&m))).unwrap_or(SslMode::Prefer);
        let password = self.password.clone().or_else(|| non_empty("PGPASSWORD")).or_else(|| {
            let port = ports.first().copied().unwrap_or(5432);
            super::pgpass::lookup(env, hosts.first().map_or("", String::as_str), port, &dbname, &user)
        });
        ResolvedParams { hosts, ports, dbname, user, password, sslmode, options: self.options.clone() }
    }

    /// A `postgresql://` URI for these parameters, password included (percent-encoded).
    pub fn to_url(&self) -> String {
        self.render(true)
    }

    /// The same URI with the password replaced by `***`: the only form that may be shown or logged.
    pub fn to_redacted_url(&self) -> String {
        self.render(false)
    }

    /// The same parameters pointing at another database.
    pub fn with_dbname(&self, dbname: &str) -> Self {
        Self { dbname: Some(dbname.to_string()), ..self.clone() }
    }

    fn render(&self, with_password: bool) -> String {
        let mut url = String::from("postgresql://");
        if let Some(user) = &self.user {
            url.push_str(&encode(user));
            if let Some(password) = &self.password {
                url.push(':');
                if with_password {
                    url.push_str(&encode(password));
                } else {
                    url.push_str("***");
                }
            }
            url.push('@');
        }
        let mut query: Vec<(String, String)> = Vec::new();
        let socket_hosts = self.hosts.iter().any(|h| h.starts_with('/'));
        if socket_hosts {
            // Socket directories read better (and survive more tools) as ?host=.
            query.push(("host".into(), self.hosts.join(",")));
            if let Some(port) = self.ports.first() {
                query.push(("port".into(), port.to_string()));
            }
        } else {
            let parts: Vec<String> = self
                .hosts
                .iter()
                .enumerate()
                .map(|(i, h)| {
                    let host = if h.contains(':') { format!("[{h}]") } else { encode(h) };
                    match self.ports.get(i).or(if self.ports.len() == 1 { self.ports.first() } else { None }) {
                        Some(p) => format!("{host}:{p}"),
                        None => host,
                    }
                })
                .collect();
            url.push_str(&parts.join(","));
        }
        url.push('/');
        if let Some(db) = &self.dbname {
            url.push_str(&encode(db));
        }
        if let Some(mode) = self.sslmode {
            query.push(("sslmode".into(), mode.as_str().into()));
        }
        for (k, v) in &self.options {
            query.push((k.clone(), v.clone()));
        }
        if !query.is_empty() {
            url.push('?');
            let rendered: Vec<String> = query.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect();
            url.push_str(&rendered.join("&"));
        }
        url
    }

    fn set(&mut self, key: &str, value: String) -> Result<(), String> {
        match key {
            "host" => self.hosts = value.split(',').filter(|h| !h.is_empty()).map(str::to_string).collect(),
            "port" => self.ports = parse_ports(&value)?,
            "dbname" => self.dbname = Some(value).filter(|v| !v.is_empty()),
            "user" => self.user = Some(value).filter(|v| !v.is_empty()),
            "password" => self.password = Some(value),
            "sslmode" => {
                self.sslmode = Some(SslMode::parse(&value).ok_or_else(|| {
                    format!("invalid sslmode {value:?} (use disable, allow, prefer, require, verify-ca or verify-full)")
                })?);
            }
            _ => {
                self.options.insert(key.to_string(), value);
            }
        }
        Ok(())
    }
}

impl fmt::Display for ConnectionParams {
    /// Always redacted: a connection URL never reaches a message with its password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_redacted_url())
    }
}

const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

fn encode(text: &str) -> String {
    utf8_percent_encode(text, COMPONENT).to_string()
}

fn decode(text: &str) -> Result<String, String> {
    percent_decode_str(text)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| format!("{text:?} is not valid UTF-8 after percent-decoding"))
}

fn parse_ports(text: &str) -> Result<Vec<u16>, String> {
    text.split(',')
        .filter(|p| !p.is_empty())
        .map(|p| p.parse::<u16>().map_err(|_| format!("invalid port {p:?}")))
        .collect()
}

fn parse_uri(rest: &str) -> Result<ConnectionParams, String> {
    let mut params = ConnectionParams::default();
    let (before_query, query) = match rest.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (rest, None),
    };
    // The authority ends at the first '/' after the credentials ('@' may appear in a
    // password that was not percent-encoded; libpq rejects that, we are lenient).
    let at = before_query.rfind('@');
    let search_from = at.map_or(0, |i| i + 1);
    let (authority, path) = match before_query[search_from..].find('/') {
        Some(slash) => before_query.split_at(search_from + slash),
        None => (before_query, ""),
    };
    let hostspec = match authority.rfind('@') {
        Some(i) => {
            let userinfo = &authority[..i];
            let (user, password) = match userinfo.split_once(':') {
                Some((u, p)) => (u, Some(p)),
                None => (userinfo, None),
            };
            if !user.is_empty() {
                params.user = Some(decode(user)?);
            }
            if let Some(p) = password {
                params.password = Some(decode(p)?);
            }
            &authority[i + 1..]
        }
        None => authority,
    };
    let mut ports = Vec::new();
    for spec in hostspec.split(',').filter(|s| !s.is_empty()) {
        let (host, port) = split_host_port(spec)?;
        if !host.is_empty() {
            params.hosts.push(decode(&host)?);
        }
        if let Some(p) = port {
            ports.push(p);
        }
    }
    params.ports = ports;
    let db = path.strip_prefix('/').unwrap_or(path);
    if !db.is_empty() {
        params.dbname = Some(decode(db)?);
    }
    if let Some(query) = query {
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').ok_or_else(|| format!("query parameter {pair:?} has no value"))?;
            params.set(&decode(k)?, decode(v)?)?;
        }
    }
    Ok(params)
}

fn split_host_port(spec: &str) -> Result<(String, Option<u16>), String> {
    if let Some(inner) = spec.strip_prefix('[') {
        let (host, after) = inner.split_once(']').ok_or("unterminated IPv6 address '['")?;
        let port = match after.strip_prefix(':') {
            Some(p) if !p.is_empty() => Some(p.parse().map_err(|_| format!("invalid port {p:?}"))?),
            _ => None,
        };
        return Ok((host.to_string(), port));
    }
    match spec.rsplit_once(':') {
        Some((host, port)) if !port.is_empty() => {
            Ok((host.to_string(), Some(port.parse().map_err(|_| format!("invalid port {port:?}"))?)))
        }
        Some((host, _)) => Ok((host.to_string(), None)),
        None => Ok((spec.to_string(), None)),
    }
}

fn parse_dsn(text: &str) -> Result<ConnectionParams, String> {
    let mut params = ConnectionParams::default();
    let mut chars = text.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek().is_none() {
            break;
        }
        let mut key = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' || c.is_whitespace() {
                break;
            }
            key.push(c);
            chars.next();
        }
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.next() != Some('=') {
            return Err(format!("missing '=' after {key:?}"));
        }
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let mut value = String::new();
        if chars.peek() == Some(&'\'') {
            chars.next();
            loop {
                match chars.next() {
                    Some('\\') => value.push(chars.next().ok_or("unterminated quoted value")?),
                    Some('\'') => break,
                    Some(c) => value.push(c),
                    None => return Err("unterminated quoted value".into()),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                if c == '\\' {
                    chars.next();
                    if let Some(n) = chars.next() {
                        value.push(n);
                    }
                    continue;
                }
                value.push(c);
                chars.next();
            }
        }
        params.set(&key, value)?;
    }
    Ok(params)
}

fn default_socket_dir() -> String {
    ["/var/run/postgresql", "/run/postgresql", "/tmp"]
        .into_iter()
        .find(|d| std::path::Path::new(d).is_dir())
        .unwrap_or("/tmp")
        .to_string()
}

fn os_user_name() -> String {
    nix::unistd::User::from_uid(nix::unistd::geteuid())
        .ok()
        .flatten()
        .map_or_else(|| "postgres".to_string(), |u| u.name)
}

/// Masks the password of anything that looks like a connection URL, for messages about URLs
/// that could not even be parsed.
pub fn redact_url(text: &str) -> String {
    if let Ok(params) = ConnectionParams::parse_quiet(text) {
        if params.password.is_some() {
            return params.to_redacted_url();
        }
        return text.to_string();
    }
    // Unparseable: hide everything between "scheme://user:" and the last '@'.
    if let Some(scheme_end) = text.find("://") {
        let rest = &text[scheme_end + 3..];
        if let (Some(colon), Some(at)) = (rest.find(':'), rest.rfind('@'))
            && colon < at
        {
            return format!("{}{}:***{}", &text[..scheme_end + 3], &rest[..colon], &rest[at..]);
        }
    }
    text.to_string()
}

impl ConnectionParams {
    fn parse_quiet(text: &str) -> Result<Self, String> {
        let trimmed = text.trim();
        match trimmed.strip_prefix("postgresql://").or_else(|| trimmed.strip_prefix("postgres://")) {
            Some(rest) => parse_uri(rest),
            None => parse_dsn(trimmed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(url: &str) -> ConnectionParams {
        ConnectionParams::parse(url).unwrap()
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn full_uri() {
        let c = p("postgresql://app:s%40cr%3At@db.example.com:6543/my%20db?sslmode=require&application_name=x");
        assert_eq!(c.hosts, vec!["db.example.com"]);
        assert_eq!(c.ports, vec![6543]);
        assert_eq!(c.user.as_deref(), Some("app"));
        assert_eq!(c.password.as_deref(), Some("s@cr:t"));
        assert_eq!(c.dbname.as_deref(), Some("my db"));
        assert_eq!(c.sslmode, Some(SslMode::Require));
        assert_eq!(c.options.get("application_name").map(String::as_str), Some("x"));
    }

    #[test]
    fn user_without_password_is_not_a_host() {
        let c = p("postgres://alice@localhost/app");
        assert_eq!(c.user.as_deref(), Some("alice"));
        assert_eq!(c.password, None);
        assert_eq!(c.hosts, vec!["localhost"]);
        assert_eq!(c.dbname.as_deref(), Some("app"));
    }

    #[test]
    fn socket_forms() {
        let c = p("postgresql:///app");
        assert!(c.hosts.is_empty());
        assert_eq!(c.dbname.as_deref(), Some("app"));
        let c = p("postgresql:///app?host=/var/run/postgresql&port=5433");
        assert_eq!(c.hosts, vec!["/var/run/postgresql"]);
        assert_eq!(c.ports, vec![5433]);
        let c = p("postgresql://%2Ftmp%2Fsock/app");
        assert_eq!(c.hosts, vec!["/tmp/sock"]);
        let r = p("postgresql:///app").resolve(&no_env);
        assert!(r.host().starts_with('/'));
        assert_eq!(r.port(), 5432);
    }

    #[test]
    fn several_hosts_and_ipv6() {
        let c = p("postgresql://h1:5432,h2:5433/db");
        assert_eq!(c.hosts, vec!["h1", "h2"]);
        assert_eq!(c.ports, vec![5432, 5433]);
        let c = p("postgresql://[::1]:5433/db");
        assert_eq!(c.hosts, vec!["::1"]);
        assert_eq!(c.ports, vec![5433]);
    }

    #[test]
    fn unencoded_at_in_password_is_tolerated() {
        let c = p("postgresql://u:p@ss@h/db");
        assert_eq!(c.password.as_deref(), Some("p@ss"));
        assert_eq!(c.hosts, vec!["h"]);
    }

    #[test]
    fn dsn_form() {
        let c = p("host=localhost port=5433 dbname=app user=bob password='it\\'s x'");
        assert_eq!(c.hosts, vec!["localhost"]);
        assert_eq!(c.ports, vec![5433]);
        assert_eq!(c.dbname.as_deref(), Some("app"));
        assert_eq!(c.password.as_deref(), Some("it's x"));
    }

    #[test]
    fn defaults_follow_libpq() {
        let env = |k: &str| match k {
            "PGUSER" => Some("carol".to_string()),
            "PGPORT" => Some("6000".to_string()),
            _ => None,
        };
        let r = p("postgresql://localhost").resolve(&env);
        assert_eq!(r.user, "carol");
        assert_eq!(r.dbname, "carol");
        assert_eq!(r.port(), 6000);
        assert_eq!(r.sslmode, SslMode::Prefer);
    }

    #[test]
    fn rendering_round_trips_and_redacts() {
        for url in [
            "postgresql://app:s%40cr%3At@db.example.com:6543/my%20db?sslmode=require",
            "postgresql:///app?host=%2Ftmp&port=5433",
            "postgresql://alice@localhost/app",
        ] {
            let c = p(url);
            assert_eq!(p(&c.to_url()), c, "{url}");
        }
        let c = p("postgresql://app:secret@h/db");
        assert!(!c.to_redacted_url().contains("secret"));
        assert!(!format!("{c}").contains("secret"));
        assert!(!redact_url("postgresql://app:secret@h/db").contains("secret"));
        assert!(!redact_url("postgresql://app:sec ret@h:notaport/db").contains("sec ret"));
    }

    #[test]
    fn rejects_garbage() {
        assert!(ConnectionParams::parse("mysql://x").is_err());
        assert!(ConnectionParams::parse("postgresql://h:99999/db").is_err());
        assert!(ConnectionParams::parse("postgresql://h/db?sslmode=bogus").is_err());
    }
}
