//! The [`Client`]: configuration, one shared HTTP connection pool, the token cache, and the
//! request loop (authentication, retries, rate-limit bookkeeping).

use std::sync::{Arc, Mutex};

use reqwest::{RequestBuilder, Response, StatusCode};
use secrecy::{ExposeSecret, SecretString};

use crate::api::customers::Customers;
use crate::auth::{TokenCache, TokenResponse};
use crate::config::Config;
use crate::error::{is_retryable_status, Error, InvalidInput};
use crate::models::RateLimit;
use crate::pacing::{self, Hold, MAX_HOLD_WAIT};
use crate::upload_watch::{self, Activity};
use crate::{response, retry};

/// How long one attempt of a request may take.
#[derive(Clone)]
pub(crate) enum Deadline {
    /// The configured timeout, for the whole request.
    Whole,
    /// An upload of about `size` bytes whose body reports to `activity`: capped by its size,
    /// stopped when its body has not moved for the configured timeout, and never repeated
    /// after a timeout (its bytes went once; the caller decides when to try again).
    Upload { size: u64, activity: Arc<Activity> },
}

/// A Dinie API client. Cheap to clone: clones share the connection pool and the token.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    http: reqwest::Client,
    token: TokenCache,
    rate_limit: Mutex<Option<RateLimit>>,
    /// Requests wait here after Dinie said "slow down".
    hold: Hold,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.config.base_url.as_str())
            .field("client_id", &self.inner.config.client_id)
            .finish_non_exhaustive()
    }
}

/// Builds a [`Client`]. Its `Debug` output never shows the secret.
#[derive(Debug, Default)]
pub struct ClientBuilder {
    base_url: Option<String>,
    client_id: Option<String>,
    client_secret: Option<SecretString>,
    timeout: Option<std::time::Duration>,
    max_retries: Option<u32>,
    user_agent: Option<String>,
    max_upload_bytes: Option<u64>,
    backoff_base: Option<std::time::Duration>,
    http: Option<reqwest::Client>,
}

impl ClientBuilder {
    /// Base URL with the version prefix (`https://api.dinie.com.br/api/v3`).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }
    /// OAuth2 client id (`dinie_ci_…`) and secret (`dinie_cs_…`).
    pub fn credentials(mut self, id: impl Into<String>, secret: impl Into<String>) -> Self {
        self.client_id = Some(id.into());
        self.client_secret = Some(SecretString::from(secret.into()));
        self
    }
    /// Per-request timeout (default 30 s).
    pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }
    /// Retries for transient failures (default 3).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = Some(retries);
        self
    }
    /// `User-Agent` header.
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = Some(ua.into());
        self
    }
    /// Largest document accepted for upload (default 10 MiB).
    pub fn max_upload_bytes(mut self, bytes: u64) -> Self {
        self.max_upload_bytes = Some(bytes);
        self
    }
    /// First retry delay (default 500 ms), doubled at each retry, with jitter.
    pub fn backoff_base(mut self, base: std::time::Duration) -> Self {
        self.backoff_base = Some(base);
        self
    }
    /// Use this `reqwest::Client` (proxies, extra root certificates, …).
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// Checks the settings and builds the client. Nothing is sent yet.
    pub fn build(self) -> Result<Client, Error> {
        let base_url = self.base_url.ok_or(InvalidInput::BaseUrl {
            url: String::new(),
            reason: "no base URL was given".into(),
        })?;
        let mut config = Config::new(
            &base_url,
            self.client_id.unwrap_or_default(),
            self.client_secret
                .as_ref()
                .map(|s| s.expose_secret().to_owned())
                .unwrap_or_default(),
        )?;
        if let Some(t) = self.timeout {
            config = config.with_timeout(t);
        }
        if let Some(r) = self.max_retries {
            config = config.with_max_retries(r);
        }
        if let Some(ua) = self.user_agent {
            config = config.with_user_agent(ua);
        }
        if let Some(b) = self.max_upload_bytes {
            config = config.with_max_upload_bytes(b);
        }
        if let Some(b) = self.backoff_base {
            config = config.with_backoff_base(b);
        }
        Client::with_http(config, self.http)
    }
}

/// The HTTP client the crate builds when none is given:
/// - certificates checked by the operating system's verifier and trust store (a corporate
///   TLS-inspecting proxy whose CA the partner's IT installed works; so do revocation checks
///   where the platform does them), not only the roots compiled in;
/// - no redirects: the API never redirects, and following one would replay the body (a CPF, a
///   name) to another host, or down to plain http;
/// - `https` only for a remote API; for one on this machine (a local sandbox), no proxy from
///   the environment (loopback traffic must not leave the machine through a corporate proxy).
fn http_client(config: &Config) -> Result<reqwest::Client, Error> {
    let mut builder = reqwest::Client::builder()
        .use_preconfigured_tls(platform_tls()?)
        .user_agent(config.user_agent.clone())
        .connect_timeout(config.timeout.min(std::time::Duration::from_secs(10)))
        .redirect(reqwest::redirect::Policy::none());
    builder = if crate::config::is_loopback(&config.base_url) {
        builder.no_proxy()
    } else {
        builder.https_only(true)
    };
    Ok(builder
        .build()
        .map_err(|e| InvalidInput::Other(format!("could not build the HTTP client: {e}")))?)
}

/// TLS with the platform's certificate verifier (rustls with the ring provider, as reqwest's).
fn platform_tls() -> Result<rustls::ClientConfig, Error> {
    use rustls_platform_verifier::BuilderVerifierExt;
    let refuse = |e: rustls::Error| InvalidInput::Other(format!("could not set up TLS: {e}"));
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let mut tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(refuse)?
        .with_platform_verifier()
        .map_err(refuse)?
        .with_no_client_auth();
    tls.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(tls)
}

impl Client {
    /// Starts a [`ClientBuilder`].
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client for `config`.
    pub fn new(config: Config) -> Result<Self, Error> {
        Self::with_http(config, None)
    }

    fn with_http(config: Config, http: Option<reqwest::Client>) -> Result<Self, Error> {
        let http = match http {
            Some(http) => http,
            None => http_client(&config)?,
        };
        Ok(Self {
            inner: Arc::new(Inner {
                config,
                http,
                token: TokenCache::default(),
                rate_limit: Mutex::new(None),
                hold: Hold::default(),
            }),
        })
    }

    /// Customer calls.
    pub fn customers(&self) -> Customers<'_> {
        Customers::new(self)
    }

    /// The bank list.
    pub fn banks(&self) -> crate::api::banks::Banks<'_> {
        crate::api::banks::Banks::new(self)
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The `X-RateLimit-*` state of the last response, if the API sent one.
    pub fn rate_limit(&self) -> Option<RateLimit> {
        self.inner.rate_limit.lock().ok().and_then(|g| *g)
    }

    /// Exchanges the credentials for a token now (the "test connection" of a settings screen).
    /// Later calls reuse it.
    pub async fn authenticate(&self) -> Result<(), Error> {
        self.access_token().await.map(|_| ())
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!(
            "{}{}",
            self.inner.config.base_url.as_str().trim_end_matches('/'),
            path
        )
    }

    async fn access_token(&self) -> Result<SecretString, Error> {
        self.inner.token.get(|| self.fetch_token()).await
    }

    async fn fetch_token(&self) -> Result<TokenResponse, Error> {
        let cfg = &self.inner.config;
        if !cfg.has_credentials() {
            return Err(Error::Authentication {
                message: "this client has no credentials".into(),
                status: None,
                request_id: None,
            });
        }
        let url = self.url("/auth/token");
        let resp = self
            .send_with_retries(&url, cfg.max_retries, None, &Deadline::Whole, |http| {
                Ok(http
                    .post(&url)
                    .basic_auth(&cfg.client_id, Some(cfg.client_secret.expose_secret()))
                    .form(&[("grant_type", "client_credentials")]))
            })
            .await;
        let resp = match resp {
            Ok(resp) => resp,
            Err(Error::Api(e)) if !e.status.is_server_error() => {
                return Err(Error::Authentication {
                    message: e
                        .problem
                        .detail
                        .clone()
                        .or(e.problem.title.clone())
                        .unwrap_or_else(|| "the client id or secret was refused".into()),
                    status: Some(e.status.as_u16()),
                    request_id: e.request_id.clone(),
                })
            }
            Err(e) => return Err(e),
        };
        let token: TokenResponse = response::decode(resp).await?;
        tracing::debug!(
            expires_in = token.expires_in,
            "obtained a Dinie access token"
        );
        Ok(token)
    }

    /// Sends an authenticated request built by `build` (called again for each attempt),
    /// refreshing the token once on a 401 (`token_expired`, or a token revoked server-side: a
    /// fresh exchange then either works or says the credentials themselves were refused) and
    /// retrying transient failures.
    pub(crate) async fn execute<F>(&self, url: &str, build: F) -> Result<Response, Error>
    where
        F: FnMut(&reqwest::Client) -> Result<RequestBuilder, Error>,
    {
        self.execute_with(url, self.inner.config.max_retries, &Deadline::Whole, build)
            .await
    }

    /// Like [`execute`](Self::execute) for an upload (see [`Deadline::Upload`]); `retries`
    /// is 0 for a body that cannot be replayed.
    pub(crate) async fn execute_upload<F>(
        &self,
        url: &str,
        retries: u32,
        size: u64,
        activity: Arc<Activity>,
        build: F,
    ) -> Result<Response, Error>
    where
        F: FnMut(&reqwest::Client) -> Result<RequestBuilder, Error>,
    {
        let retries = retries.min(self.inner.config.max_retries);
        self.execute_with(url, retries, &Deadline::Upload { size, activity }, build)
            .await
    }

    async fn execute_with<F>(
        &self,
        url: &str,
        max_retries: u32,
        deadline: &Deadline,
        mut build: F,
    ) -> Result<Response, Error>
    where
        F: FnMut(&reqwest::Client) -> Result<RequestBuilder, Error>,
    {
        // One key for every attempt of this call (retries and the replay after a refresh): a
        // write the server already made answers with its first result instead of being made again.
        let key = uuid::Uuid::new_v4().to_string();
        let mut refreshed = false;
        loop {
            let token = self.access_token().await?;
            let result = self
                .send_with_retries(url, max_retries, Some(&key), deadline, |http| {
                    Ok(build(http)?.bearer_auth(token.expose_secret()))
                })
                .await;
            match result {
                Err(Error::Api(e)) if e.status == StatusCode::UNAUTHORIZED && !refreshed => {
                    tracing::debug!(code = ?e.problem.code, "access token refused; refreshing once");
                    self.inner.token.invalidate(&token).await;
                    refreshed = true;
                }
                other => return other,
            }
        }
    }

    /// The retry loop shared by API calls and the token exchange. A write (POST, PUT, PATCH,
    /// DELETE) carries `idempotency_key` under both names Dinie's SDKs use, unless the caller set
    /// its own; a retry says which it is in `X-Dinie-Retry-Count`.
    ///
    /// Every request first waits out the client-wide hold (or, when that is longer than
    /// [`MAX_HOLD_WAIT`], fails with [`Error::Throttled`] without being sent). A 429 holds the
    /// whole client for as long as the server asked, and is retried only when that is at most
    /// [`MAX_RETRY_AFTER`](crate::config::MAX_RETRY_AFTER): never sooner than asked.
    async fn send_with_retries<F>(
        &self,
        url: &str,
        max_retries: u32,
        idempotency_key: Option<&str>,
        deadline: &Deadline,
        mut build: F,
    ) -> Result<Response, Error>
    where
        F: FnMut(&reqwest::Client) -> Result<RequestBuilder, Error>,
    {
        let cfg = &self.inner.config;
        let mut attempt = 0;
        loop {
            let held = self.inner.hold.remaining();
            if !held.is_zero() {
                if held > MAX_HOLD_WAIT {
                    return Err(Error::Throttled { wait: held });
                }
                tokio::time::sleep(held).await;
            }
            let timeout = match deadline {
                Deadline::Whole => cfg.timeout,
                Deadline::Upload { size, .. } => upload_watch::cap(cfg.timeout, *size),
            };
            let mut request = build(&self.inner.http)?
                .timeout(timeout)
                .build()
                .map_err(|e| response::transport(url, e))?;
            mark(&mut request, idempotency_key, attempt);
            let retries_left = attempt < max_retries;
            let sent = match deadline {
                Deadline::Whole => self.inner.http.execute(request).await,
                Deadline::Upload { activity, .. } => {
                    activity.restart();
                    tokio::select! {
                        sent = self.inner.http.execute(request) => sent,
                        () = upload_watch::stalled(activity, cfg.timeout) => {
                            tracing::info!(url, "upload stalled; stopped");
                            return Err(Error::Timeout { url: url.to_owned() });
                        }
                    }
                }
            };
            match sent {
                Err(e) => {
                    let err = response::transport(url, e);
                    let upload = matches!(deadline, Deadline::Upload { .. });
                    if !retries_left || (upload && matches!(err, Error::Timeout { .. })) {
                        return Err(err);
                    }
                    tracing::debug!(attempt, error = %err, "transient failure; retrying");
                    tokio::time::sleep(retry::backoff(cfg.backoff_base, attempt)).await;
                }
                Ok(resp) => {
                    let rate_limit = RateLimit::from_headers(resp.headers());
                    if let Some(rl) = rate_limit {
                        if let Ok(mut slot) = self.inner.rate_limit.lock() {
                            *slot = Some(rl);
                        }
                    }
                    // No request left in the window: the next ones wait for its reset.
                    self.inner.hold.observe(rate_limit.as_ref());
                    let status = resp.status();
                    if status.is_success() {
                        return Ok(resp);
                    }
                    if status == StatusCode::TOO_MANY_REQUESTS {
                        let wait = pacing::asked_wait(resp.headers())
                            .unwrap_or_else(|| retry::backoff(cfg.backoff_base, attempt));
                        self.inner.hold.hold_for(wait);
                        if !(retries_left && wait <= crate::config::MAX_RETRY_AFTER) {
                            return Err(Error::Api(Box::new(response::api_error(resp).await)));
                        }
                        tracing::debug!(attempt, ?wait, "rate limited; waiting as asked");
                        tokio::time::sleep(wait).await;
                        attempt += 1;
                        continue;
                    }
                    if !(retries_left && is_retryable_status(status)) {
                        return Err(Error::Api(Box::new(response::api_error(resp).await)));
                    }
                    let wait = retry::retry_after(resp.headers(), chrono::Utc::now())
                        .unwrap_or_else(|| retry::backoff(cfg.backoff_base, attempt));
                    tracing::debug!(attempt, %status, ?wait, "retryable status; retrying");
                    tokio::time::sleep(wait).await;
                }
            }
            attempt += 1;
        }
    }
}

/// Puts the idempotency key on a write (both header names, the caller's own key winning) and
/// the retry count on a retry.
fn mark(request: &mut reqwest::Request, idempotency_key: Option<&str>, attempt: u32) {
    use reqwest::header::HeaderValue;
    use reqwest::Method;
    let write = matches!(
        *request.method(),
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    );
    let headers = request.headers_mut();
    if let (true, Some(key)) = (write, idempotency_key) {
        let given = headers
            .get("idempotency-key")
            .or_else(|| headers.get("x-idempotency-key"))
            .cloned();
        let value = given.or_else(|| HeaderValue::from_str(key).ok());
        if let Some(value) = value {
            headers.insert("idempotency-key", value.clone());
            headers.insert("x-idempotency-key", value);
        }
    }
    if attempt > 0 {
        headers.insert("x-dinie-retry-count", HeaderValue::from(attempt));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_client_without_credentials_sends_nothing() {
        // Nothing listens on port 9: any request would fail as `Connection`, not this.
        let config = Config::without_credentials("http://127.0.0.1:9/api/v3").unwrap();
        let client = Client::new(config).unwrap();
        let err = client.authenticate().await.unwrap_err();
        assert!(
            matches!(err, Error::Authentication { status: None, .. }),
            "{err:?}"
        );
    }

    #[test]
    fn the_builder_does_not_show_the_secret() {
        let builder = Client::builder()
            .base_url(crate::PRODUCTION_URL)
            .credentials("dinie_ci_live_abc", "dinie_cs_live_topsecret");
        let shown = format!("{builder:?}");
        assert!(!shown.contains("topsecret"), "{shown}");
        assert!(shown.contains("dinie_ci_live_abc"));
        let client = builder.build().unwrap();
        assert!(!format!("{client:?}").contains("topsecret"));
    }
}
