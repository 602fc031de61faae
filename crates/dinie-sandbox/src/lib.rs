//! Dinie on localhost: a stateful, faithful implementation of the Dinie Customers API, for the
//! desktop app's embedded default, for tests, and for partners' back-end teams.
//!
//! It speaks Dinie's contract `2026-03-01` to the wire of Dinie's official SDKs (the Python
//! `dinie-sdk-sandbox` runs against it in `make test`). Routes, all under `/api/v3`:
//!
//! | route | what |
//! |---|---|
//! | `POST /auth/token` | OAuth2 client credentials (HTTP Basic + form, or JSON body) |
//! | `POST /customers` | register (idempotent by CPF + `external_id`) |
//! | `GET /customers` | list: `cpf`, `external_id`, `status`, `limit` 1..100, `starting_after` |
//! | `GET /customers/{id}` | one customer with its `kyc` requirements |
//! | `PATCH /customers/{id}` | correct `email`, `phone` |
//! | `POST /customers/{id}/kyc-attachments` | multipart `requirement_id`, `evidence_type`, `attachment_type`, `file` or `value` |
//! | `POST /customers/{id}/kyc-attachments/selfie` | the biometrics session's selfie (a partner gets 403) |
//! | `POST /customers/{id}/kyc-review` | submit for review (202) |
//! | `POST /customers/{id}/biometrics` | a capture session (200), 409 while one is open |
//! | `POST /biometrics/session-exchange` | the capture page's code → a session token |
//! | `GET`/`POST /customers/{id}/bank-account` | the payout account |
//! | `GET /banks` | the banks an account may name |
//! | `GET /customers/{id}/credit-offers` | offers of an active customer, paginated |
//! | `GET /biometrics/{code}` | the capture page the `session_url` points to |
//! | `GET /openapi.json` | this API's OpenAPI 3.1 description |
//!
//! Every write honours `Idempotency-Key` / `X-Idempotency-Key`. The lifecycle runs in time
//! (`creating` → `pending_kyc` → `under_review` → `active` or `denied`) and every transition is
//! a signed Standard Webhooks event in Dinie's envelope. The legal form of a company, and so its
//! requirements, follows from its CNPJ, and testers have deterministic triggers for a rejection
//! and a denial: see the `kyc` module and `dinie-sandbox --help`.
//!
//! ```no_run
//! # async fn run() -> Result<(), dinie_sandbox::SandboxError> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let sandbox = dinie_sandbox::Sandbox::start(Default::default(), listener).await?;
//! println!("Dinie sandbox at {}", sandbox.base_url());
//! sandbox.shutdown().await;
//! # Ok(()) }
//! ```

pub mod config;
mod db;
pub mod error;
mod events;
mod idempotency;
mod ids;
mod kyc;
mod middleware;
mod model;
mod partners;
mod reviewer;
pub mod routes;
mod state;
mod store;
pub mod testing;
mod validate;

use std::net::SocketAddr;
use std::time::Duration;

use axum::http::StatusCode;
use axum::Router;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tower_http::trace::TraceLayer;

pub use config::{Partner, SandboxConfig, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET};
pub use error::ApiError;
pub use kyc::LegalForm;
pub use state::{AppState, Stats};

/// Why a sandbox could not start.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// The database could not be opened or prepared.
    #[error("could not open the sandbox database: {0}")]
    Database(#[from] rusqlite::Error),
    /// The listener failed.
    #[error("network error: {0}")]
    Io(#[from] std::io::Error),
}

/// The HTTP application over `state`: every route, problem+json fallbacks, request ids, rate
/// limits and tracing.
pub fn app(state: AppState) -> Router {
    let api = routes::api()
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed);
    Router::new()
        .nest("/api/v3", api)
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            idempotency::layer,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::auth_and_rate_limit,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::host_check,
        ))
        .layer(axum::middleware::from_fn(middleware::request_id))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "no such route; every route lives under /api/v3",
    )
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this route does not accept that method",
    )
}

/// A running sandbox: the server and its review and webhook workers.
pub struct Sandbox {
    state: AppState,
    addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    server: JoinHandle<()>,
    workers: Vec<JoinHandle<()>>,
}

impl Sandbox {
    /// Opens the database and serves on `listener` until [`shutdown`](Self::shutdown).
    pub async fn start(config: SandboxConfig, listener: TcpListener) -> Result<Self, SandboxError> {
        let mut state = AppState::open(config)?;
        let addr = listener.local_addr()?;
        state.allowed_hosts =
            std::sync::Arc::new(vec![addr.to_string(), format!("localhost:{}", addr.port())]);
        let workers = vec![
            tokio::spawn(reviewer::review_forever(
                state.db.clone(),
                state.webhook_urls.clone(),
                state.events_wake.clone(),
                state.reviews_wake.clone(),
                state.stats.clone(),
            )),
            tokio::spawn(events::deliver_forever(
                state.db.clone(),
                state.config.webhook_secret.clone(),
                state.events_wake.clone(),
                state.stats.clone(),
            )),
        ];
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let router = app(state.clone());
        let server = tokio::spawn(async move {
            let served = axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
            if let Err(e) = served {
                tracing::error!(error = %e, "sandbox server stopped");
            }
        });
        tracing::info!(%addr, "Dinie sandbox listening");
        Ok(Self {
            state,
            addr,
            shutdown: Some(tx),
            server,
            workers,
        })
    }

    /// `http://ADDR/api/v3`
    pub fn base_url(&self) -> String {
        format!("http://{}/api/v3", self.addr)
    }

    /// The socket address served.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The shared state (counters, test helpers).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Stops accepting connections, lets requests in flight finish (up to 5 s), and stops the
    /// workers.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let server = std::mem::replace(&mut self.server, tokio::spawn(async {}));
        if tokio::time::timeout(Duration::from_secs(5), server)
            .await
            .is_err()
        {
            tracing::warn!("sandbox requests still in flight after 5 s; stopping anyway");
        }
        for w in &self.workers {
            w.abort();
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.server.abort();
        for w in &self.workers {
            w.abort();
        }
    }
}
