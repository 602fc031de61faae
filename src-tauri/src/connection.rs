//! The active connection to a Dinie API: which one it is (the embedded sandbox, Dinie's
//! sandbox, production), the client that talks to it, and whether it answered lately.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use dinie_sandbox::{Sandbox, SandboxConfig, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET};
use serde::Serialize;

/// Where the connection leads. The page shows it in the header, PRODUCTION unmistakably.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionKind {
    /// The sandbox running inside the app.
    Embedded,
    /// Dinie's hosted sandbox, or a partner's own.
    Sandbox,
    /// Real borrowers.
    Production,
}

/// What the page may know about the connection: never a secret.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionInfo {
    /// Kind of connection.
    pub kind: ConnectionKind,
    /// Host and port of the API.
    pub host: String,
    /// `test` or `live`.
    pub environment: Option<&'static str>,
    /// Whether the API answered the last call.
    pub online: bool,
}

/// The live connection.
pub struct Connection {
    kind: ConnectionKind,
    client: dinie::Client,
    online: AtomicBool,
    /// Kept alive for as long as the connection: dropping it stops the embedded server.
    _embedded: Option<Sandbox>,
}

/// Why the app could not connect at start.
#[derive(Debug, thiserror::Error)]
pub enum ConnectionError {
    /// The embedded sandbox failed to start.
    #[error("the embedded sandbox could not start: {0}")]
    Sandbox(#[from] dinie_sandbox::SandboxError),
    /// The client could not be built.
    #[error("the API client could not be configured: {0}")]
    Client(#[from] dinie::Error),
    /// The loopback port could not be opened.
    #[error("could not open a local port for the embedded sandbox: {0}")]
    Io(#[from] std::io::Error),
}

impl Connection {
    /// Starts the sandbox in-process on 127.0.0.1 (random port), its database in `data_dir`,
    /// and connects to it.
    pub async fn embedded(data_dir: &Path) -> Result<Self, ConnectionError> {
        std::fs::create_dir_all(data_dir)?;
        let config = SandboxConfig {
            db: Some(data_dir.join("embedded-sandbox.db")),
            ..SandboxConfig::default()
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let sandbox = Sandbox::start(config, listener).await?;
        let client = dinie::Client::builder()
            .base_url(sandbox.base_url())
            .credentials(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)
            .user_agent(concat!("dinie-desk/", env!("CARGO_PKG_VERSION")))
            .build()?;
        tracing::info!(url = %sandbox.base_url(), "embedded sandbox started");
        Ok(Self {
            kind: ConnectionKind::Embedded,
            client,
            online: AtomicBool::new(true),
            _embedded: Some(sandbox),
        })
    }

    /// The API client.
    pub fn client(&self) -> &dinie::Client {
        &self.client
    }

    /// Records whether the API answered; returns true when that changed.
    pub fn record(&self, answered: bool) -> bool {
        self.online.swap(answered, Ordering::SeqCst) != answered
    }

    /// What the page may show.
    pub fn info(&self) -> ConnectionInfo {
        let url = self.client.config().base_url();
        let host = match (url.host_str(), url.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_owned(),
            _ => String::new(),
        };
        ConnectionInfo {
            kind: self.kind,
            host,
            environment: self.client.config().environment(),
            online: self.online.load(Ordering::SeqCst),
        }
    }
}
