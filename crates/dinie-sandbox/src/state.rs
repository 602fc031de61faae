//! Shared state of the handlers: configuration, database, wake-ups for the workers, the
//! rate-limit windows and a few counters tests can read.

use std::collections::HashMap;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

use crate::config::SandboxConfig;
use crate::db::Db;

/// Everything a handler needs. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub(crate) config: Arc<SandboxConfig>,
    pub(crate) db: Db,
    pub(crate) webhook_urls: Arc<Vec<String>>,
    pub(crate) events_wake: Arc<Notify>,
    /// Rung when a review is scheduled, so that the reviewer sleeps until then otherwise.
    pub(crate) reviews_wake: Arc<Notify>,
    pub(crate) rate_windows: Arc<Mutex<HashMap<String, RateWindow>>>,
    pub(crate) stats: Arc<Stats>,
    pub(crate) revoked: Arc<Mutex<Vec<String>>>,
    /// The `Host` values accepted when the config asks for a host check.
    pub(crate) allowed_hosts: Arc<Vec<String>>,
    /// Idempotency keys being answered.
    pub(crate) idempotency: Arc<crate::idempotency::InFlight>,
}

/// One partner's current rate-limit window.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RateWindow {
    pub(crate) reset_at: i64,
    pub(crate) used: u64,
}

/// Counters for tests and the start-up banner.
#[derive(Debug, Default)]
pub struct Stats {
    /// Access tokens issued since start.
    pub tokens_issued: AtomicU64,
    /// Requests answered since start.
    pub requests: AtomicU64,
    /// Times the reviewer looked for due reviews (it sleeps while none is due).
    pub review_passes: AtomicU64,
    /// Times the webhook worker looked for due deliveries (it sleeps while none is due).
    pub delivery_passes: AtomicU64,
    /// Requests refused with a 429 since start.
    pub rate_limited: AtomicU64,
    /// The most requests one partner made in one rate-limit window (refused ones included).
    pub peak_window_requests: AtomicU64,
}

impl AppState {
    /// Opens the configured database and builds the state (without starting the workers:
    /// [`Sandbox::start`](crate::Sandbox::start) does that).
    pub fn open(config: SandboxConfig) -> Result<Self, crate::SandboxError> {
        let db = Db::open(config.db.as_deref())?;
        Ok(Self::new(config, db))
    }

    pub(crate) fn new(config: SandboxConfig, db: Db) -> Self {
        Self {
            webhook_urls: Arc::new(config.webhook_urls.clone()),
            config: Arc::new(config),
            db,
            events_wake: Arc::new(Notify::new()),
            reviews_wake: Arc::new(Notify::new()),
            rate_windows: Arc::new(Mutex::new(HashMap::new())),
            stats: Arc::new(Stats::default()),
            revoked: Arc::new(Mutex::new(Vec::new())),
            allowed_hosts: Arc::new(Vec::new()),
            idempotency: Arc::default(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &SandboxConfig {
        &self.config
    }

    /// The counters.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// Makes every issued access token expire now (to test a client's refresh).
    pub async fn expire_all_tokens(&self) -> Result<(), crate::error::ApiError> {
        self.db
            .tx(|tx| {
                tx.execute("UPDATE tokens SET expires_at = 0", [])?;
                Ok(())
            })
            .await
    }

    /// Revokes a partner's credentials, as Dinie does when a secret leaks: its tokens stop
    /// working at once and new ones are refused.
    pub async fn revoke_partner(&self, client_id: &str) -> Result<(), crate::error::ApiError> {
        if let Ok(mut revoked) = self.revoked.lock() {
            revoked.push(client_id.to_owned());
        }
        let id = client_id.to_owned();
        self.db
            .tx(move |tx| {
                tx.execute("DELETE FROM tokens WHERE partner = ?1", [id])?;
                Ok(())
            })
            .await
    }

    pub(crate) fn revoked_partners(&self) -> Vec<String> {
        self.revoked.lock().map(|r| r.clone()).unwrap_or_default()
    }

    /// Counts rows of a table (`customers`, `documents`, `deliveries`, …) for tests.
    pub async fn count(&self, table: &'static str) -> Result<i64, crate::error::ApiError> {
        self.db
            .tx(move |tx| {
                Ok(tx.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))?)
            })
            .await
    }
}
