//! OAuth2 client credentials: one token shared by every call, fetched on first use and
//! refreshed shortly before it expires or when the API says it has.

use std::time::{Duration, Instant};

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use tokio::sync::Mutex;

/// How long before expiry a token is refreshed (or half its life, when shorter).
const REFRESH_MARGIN: Duration = Duration::from_secs(60);
/// The longest a token is trusted, whatever the server says its lifetime is (a huge
/// `expires_in` must neither overflow the clock nor keep a token forever).
const MAX_LIFE: Duration = Duration::from_secs(24 * 3600);

#[derive(Deserialize)]
pub(crate) struct TokenResponse {
    pub(crate) access_token: String,
    #[serde(default = "default_expires_in")]
    pub(crate) expires_in: u64,
}

fn default_expires_in() -> u64 {
    3600
}

struct Token {
    value: SecretString,
    refresh_at: Instant,
}

/// The cached access token. The async mutex makes concurrent callers wait for one fetch
/// instead of each fetching its own.
#[derive(Default)]
pub(crate) struct TokenCache {
    token: Mutex<Option<Token>>,
}

impl TokenCache {
    /// The current token, fetched with `fetch` when there is none or it is about to expire.
    pub(crate) async fn get<F, Fut>(&self, fetch: F) -> crate::Result<SecretString>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = crate::Result<TokenResponse>>,
    {
        let mut slot = self.token.lock().await;
        if let Some(token) = slot.as_ref() {
            if Instant::now() < token.refresh_at {
                return Ok(token.value.clone());
            }
        }
        let fresh = fetch().await?;
        let value = SecretString::from(fresh.access_token);
        *slot = Some(Token {
            value: value.clone(),
            refresh_at: refresh_at(Instant::now(), fresh.expires_in),
        });
        Ok(value)
    }

    /// Forgets `rejected` (the server said it expired); a newer token is kept.
    pub(crate) async fn invalidate(&self, rejected: &SecretString) {
        let mut slot = self.token.lock().await;
        if slot
            .as_ref()
            .is_some_and(|t| t.value.expose_secret() == rejected.expose_secret())
        {
            *slot = None;
        }
    }
}

/// When a token that lives `expires_in` seconds from `now` is refreshed: a margin before it
/// expires, its life capped at [`MAX_LIFE`].
fn refresh_at(now: Instant, expires_in: u64) -> Instant {
    let life = Duration::from_secs(expires_in).min(MAX_LIFE);
    let margin = REFRESH_MARGIN.min(life / 2);
    now + (life - margin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_huge_lifetime_is_capped_not_overflowed() {
        let now = Instant::now();
        assert_eq!(refresh_at(now, u64::MAX), now + MAX_LIFE - REFRESH_MARGIN);
        assert_eq!(refresh_at(now, 3600), now + Duration::from_secs(3540));
        assert_eq!(refresh_at(now, 0), now);
    }
}
