//! "Test connection": exchange a token and tell the agent, in terms they can act on, what came
//! back: latency, environment and rate limit, or which of the usual failures it was.

use std::time::Instant;

use serde::Serialize;

/// A successful test.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TestReport {
    pub latency_ms: u64,
    pub environment: Option<&'static str>,
    pub rate_limit: Option<RateLimitView>,
}

/// The API's rate-limit state.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RateLimitView {
    pub limit: u64,
    pub remaining: u64,
    pub reset: u64,
}

/// Why a test failed, one case per thing the agent does differently.
#[derive(Debug, thiserror::Error)]
pub enum TestFailure {
    /// The client id or secret was refused.
    #[error("the client id or secret was refused{}", request_id_suffix(.0))]
    WrongCredentials(Option<String>),
    /// Nothing answers at that address (DNS, refused, unreachable).
    #[error("nothing answers at {0}: check the address and the internet connection")]
    Unreachable(String),
    /// The TLS handshake failed (certificate, proxy intercepting, clock).
    #[error("the secure connection to {0} failed (certificate not trusted, a proxy in the way, or a wrong clock)")]
    Tls(String),
    /// Something answered, but it is not a Dinie API.
    #[error("{0} answered, but it is not a Dinie API (check the base URL, including /api/v3)")]
    NotDinie(String),
    /// No answer in time.
    #[error("{0} did not answer in time")]
    Timeout(String),
    /// Anything else.
    #[error(transparent)]
    Other(dinie::Error),
}

fn request_id_suffix(id: &Option<String>) -> String {
    id.as_ref()
        .map(|id| format!(" (request id {id})"))
        .unwrap_or_default()
}

/// Exchanges a token with `client` and reports.
pub async fn test(client: &dinie::Client) -> Result<TestReport, TestFailure> {
    let started = Instant::now();
    let host = client
        .config()
        .base_url()
        .host_str()
        .unwrap_or_default()
        .to_owned();
    client
        .authenticate()
        .await
        .map_err(|e| classify(e, &host))?;
    let latency_ms = started.elapsed().as_millis() as u64;
    Ok(TestReport {
        latency_ms,
        environment: client.config().environment(),
        rate_limit: client.rate_limit().map(|r| RateLimitView {
            limit: r.limit,
            remaining: r.remaining,
            reset: r.reset,
        }),
    })
}

fn classify(e: dinie::Error, host: &str) -> TestFailure {
    use dinie::Error as E;
    match e {
        E::Authentication {
            status: Some(400 | 401 | 403),
            ref message,
            ref request_id,
        } if !message.contains("not a Dinie error") => {
            TestFailure::WrongCredentials(request_id.clone())
        }
        E::Authentication { .. } | E::Decode { .. } => TestFailure::NotDinie(host.to_owned()),
        E::Api(ref api) if api.status.as_u16() == 404 || api.status.as_u16() == 405 => {
            TestFailure::NotDinie(host.to_owned())
        }
        E::Timeout { .. } => TestFailure::Timeout(host.to_owned()),
        E::Connection { ref source, .. } if is_tls(source) => TestFailure::Tls(host.to_owned()),
        E::Connection { .. } => TestFailure::Unreachable(host.to_owned()),
        other => TestFailure::Other(other),
    }
}

/// Whether a connection error came from TLS (walks the error's sources).
fn is_tls(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = current {
        // rustls' messages: "invalid peer certificate: UnknownIssuer", "received fatal alert:
        // HandshakeFailure", "received corrupt message of type InvalidContentType" (a plain-HTTP
        // server on an https URL), and the like.
        let text = err.to_string().to_lowercase();
        let tls_words = [
            "certificate",
            "tls",
            "handshake",
            "received corrupt message",
            "received fatal alert",
        ];
        if tls_words.iter().any(|w| text.contains(w)) {
            return true;
        }
        current = err.source();
    }
    false
}
