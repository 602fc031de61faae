//! What a sandbox is started with: the partners it knows, where it sends webhooks, how fast it
//! reviews, how large a document may be.

use std::path::PathBuf;
use std::time::Duration;

/// Default client id of the single partner a sandbox knows when given none.
pub const DEFAULT_CLIENT_ID: &str = "dinie_ci_test_sandbox";
/// Default client secret of that partner.
pub const DEFAULT_CLIENT_SECRET: &str = "dinie_cs_test_sandbox";

/// One partner: an OAuth2 client. Each partner sees only its own customers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partner {
    /// `dinie_ci_…`
    pub client_id: String,
    /// `dinie_cs_…`
    pub client_secret: String,
}

/// Sandbox settings. `Default` is what the binary uses without flags.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// SQLite file; `None` keeps everything in memory.
    pub db: Option<PathBuf>,
    /// Known partners.
    pub partners: Vec<Partner>,
    /// Where signed events are POSTed.
    pub webhook_urls: Vec<String>,
    /// `whsec_…` signing secret.
    pub webhook_secret: String,
    /// How long a new customer stays `creating` (Dinie looking the company up) before its
    /// requirements are listed. Zero: `pending_kyc` at once.
    pub lookup_delay: Duration,
    /// How long a customer stays `under_review` before every requirement is decided.
    pub review_delay: Duration,
    /// Largest document accepted.
    pub max_upload_bytes: u64,
    /// Lifetime of an access token.
    pub token_ttl: Duration,
    /// Requests a partner may make per rate-limit window.
    pub rate_limit: u64,
    /// Length of the rate-limit window.
    pub rate_limit_window: Duration,
    /// Lifetime of a biometrics session.
    pub biometrics_ttl: Duration,
    /// Answer only requests whose `Host` is the listening address (`127.0.0.1:PORT` or
    /// `localhost:PORT`): a guard against DNS rebinding for a sandbox on a desktop.
    pub check_host: bool,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            db: None,
            partners: vec![Partner {
                client_id: DEFAULT_CLIENT_ID.into(),
                client_secret: DEFAULT_CLIENT_SECRET.into(),
            }],
            webhook_urls: Vec::new(),
            webhook_secret: generate_webhook_secret(),
            lookup_delay: Duration::from_millis(1500),
            review_delay: Duration::from_millis(3000),
            max_upload_bytes: 10 * 1024 * 1024,
            token_ttl: Duration::from_secs(3600),
            rate_limit: 10_000,
            rate_limit_window: Duration::from_secs(60),
            biometrics_ttl: Duration::from_secs(15 * 60),
            check_host: false,
        }
    }
}

/// A fresh `whsec_` secret: 24 random bytes, base64.
pub fn generate_webhook_secret() -> String {
    use base64::Engine;
    let bytes: [u8; 24] = rand::random();
    format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}
