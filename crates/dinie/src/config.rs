//! Client configuration: where to connect, with which credentials, how patiently.

use std::time::Duration;

use secrecy::SecretString;
use url::Url;

use crate::error::InvalidInput;

/// Dinie's production API.
pub const PRODUCTION_URL: &str = "https://api.dinie.com.br/api/v3";
/// Dinie's hosted sandbox.
pub const SANDBOX_URL: &str = "https://sandbox.api.dinie.com.br/api/v3";

/// Default per-request timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default number of retries after the first attempt.
pub const DEFAULT_MAX_RETRIES: u32 = 3;
/// Default document size limit enforced before upload (Dinie's limit).
pub const DEFAULT_MAX_UPLOAD_BYTES: u64 = 10 * 1024 * 1024;
/// The longest the client waits when a server asks it to (`Retry-After`): longer asks are
/// clamped to it.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// Everything a [`Client`](crate::Client) needs to know, set with `with_*` methods.
#[derive(Debug, Clone)]
pub struct Config {
    pub(crate) base_url: Url,
    pub(crate) client_id: String,
    pub(crate) client_secret: SecretString,
    pub(crate) timeout: Duration,
    pub(crate) max_retries: u32,
    pub(crate) user_agent: String,
    pub(crate) max_upload_bytes: u64,
    pub(crate) backoff_base: Duration,
}

impl Config {
    /// A configuration for `base_url` (with its version prefix, e.g. `…/api/v3`).
    ///
    /// The URL must be `https`, or `http` to a loopback address (a local sandbox), and end with
    /// a version segment (`/v3`).
    pub fn new(
        base_url: &str,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Result<Self, InvalidInput> {
        let client_id = client_id.into();
        let client_secret: String = client_secret.into();
        if client_id.trim().is_empty() {
            return Err(InvalidInput::MissingCredential("client id"));
        }
        if client_secret.is_empty() {
            return Err(InvalidInput::MissingCredential("client secret"));
        }
        Ok(Self {
            base_url: parse_base_url(base_url)?,
            client_id: client_id.trim().to_owned(),
            client_secret: SecretString::from(client_secret),
            timeout: DEFAULT_TIMEOUT,
            max_retries: DEFAULT_MAX_RETRIES,
            user_agent: format!("dinie-rust/{}", env!("CARGO_PKG_VERSION")),
            max_upload_bytes: DEFAULT_MAX_UPLOAD_BYTES,
            backoff_base: Duration::from_millis(500),
        })
    }

    /// A configuration for `base_url` without credentials: the client refuses to authenticate
    /// (no request is sent) until it is rebuilt with them. For an app that must stay on a
    /// connection whose credentials it cannot read right now (a locked keychain).
    pub fn without_credentials(base_url: &str) -> Result<Self, InvalidInput> {
        let mut config = Self::new(base_url, "-", "-")?;
        config.client_id = String::new();
        config.client_secret = SecretString::from(String::new());
        Ok(config)
    }

    /// Whether the configuration carries credentials (see [`without_credentials`](Self::without_credentials)).
    pub fn has_credentials(&self) -> bool {
        !self.client_id.is_empty()
    }

    /// Per-request timeout (default 30 s).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Retries after the first attempt for transient failures (default 3).
    pub fn with_max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// The `User-Agent` sent with every request.
    pub fn with_user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Largest document the client agrees to upload (default 10 MiB).
    pub fn with_max_upload_bytes(mut self, bytes: u64) -> Self {
        self.max_upload_bytes = bytes;
        self
    }

    /// First retry delay; each later one doubles it, with jitter (default 500 ms).
    pub fn with_backoff_base(mut self, base: Duration) -> Self {
        self.backoff_base = base;
        self
    }

    /// The base URL.
    pub fn base_url(&self) -> &Url {
        &self.base_url
    }

    /// The largest document the client agrees to upload.
    pub fn max_upload_bytes(&self) -> u64 {
        self.max_upload_bytes
    }

    /// The client id (not secret).
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// `test` or `live`, read from the client id (`dinie_ci_test_…`), if it says.
    pub fn environment(&self) -> Option<&'static str> {
        if self.client_id.starts_with("dinie_ci_test_") {
            Some("test")
        } else if self.client_id.starts_with("dinie_ci_live_") {
            Some("live")
        } else {
            None
        }
    }
}

fn parse_base_url(raw: &str) -> Result<Url, InvalidInput> {
    let refuse = |reason: &str| InvalidInput::BaseUrl {
        url: raw.to_owned(),
        reason: reason.to_owned(),
    };
    let url = Url::parse(raw.trim()).map_err(|e| refuse(&e.to_string()))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return Err(refuse(
                "plain http is only allowed for a loopback address; use https",
            ))
        }
        _ => return Err(refuse("the scheme must be https")),
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(refuse("it must not have a query or fragment"));
    }
    let last = url
        .path_segments()
        .and_then(|mut s| s.rfind(|seg| !seg.is_empty()))
        .unwrap_or("");
    let versioned =
        last.len() > 1 && last.starts_with('v') && last[1..].bytes().all(|b| b.is_ascii_digit());
    if !versioned {
        return Err(refuse("it must end with the API version, e.g. …/api/v3"));
    }
    Ok(url)
}

/// Whether `url` names this machine (`localhost` or a loopback address): the only place plain
/// `http` is accepted.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_rules() {
        assert!(Config::new(PRODUCTION_URL, "id", "s").is_ok());
        assert!(Config::new("https://sandbox.api.dinie.com.br/v3/", "id", "s").is_ok());
        assert!(Config::new("http://127.0.0.1:8080/api/v3", "id", "s").is_ok());
        assert!(Config::new("http://localhost:9/api/v3", "id", "s").is_ok());
        for bad in [
            "http://api.dinie.com.br/api/v3",
            "https://api.dinie.com.br",
            "https://api.dinie.com.br/api",
            "ftp://localhost/api/v3",
            "not a url",
        ] {
            assert!(Config::new(bad, "id", "s").is_err(), "{bad}");
        }
        assert!(matches!(
            Config::new(PRODUCTION_URL, " ", "s"),
            Err(InvalidInput::MissingCredential("client id"))
        ));
    }

    #[test]
    fn environment_from_client_id() {
        let c = Config::new(PRODUCTION_URL, "dinie_ci_live_abc", "s").unwrap();
        assert_eq!(c.environment(), Some("live"));
        let c = Config::new(PRODUCTION_URL, "dinie_ci_test_abc", "s").unwrap();
        assert_eq!(c.environment(), Some("test"));
    }

    #[test]
    fn secret_is_not_in_debug_output() {
        let c = Config::new(PRODUCTION_URL, "id", "dinie_cs_live_topsecret").unwrap();
        assert!(!format!("{c:?}").contains("topsecret"));
    }
}
