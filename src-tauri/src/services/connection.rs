//! The active connection to a Dinie API: the profile it came from, the client that talks to it,
//! and whether it answered lately. [`Connections`] swaps it when the agent picks another
//! profile, starting the embedded sandbox only while it is the one in use.
//!
//! Every service that calls the API hands the result to [`Connection::observe`]: the one place
//! that keeps the online state and notices refused credentials. What it finds goes out as a
//! [`ConnectionEvent`] on [`Connections::subscribe`], which the app turns into page events.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

use tokio::sync::broadcast;

use dinie_sandbox::{Partner, Sandbox, SandboxConfig};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;

use crate::services::profiles::{Profile, ProfileKind};

/// How the header shows a connection; PRODUCTION unmistakably.
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
    pub profile_id: String,
    pub profile_name: String,
    pub kind: ConnectionKind,
    /// Host and port of the API.
    pub host: String,
    /// `test` or `live`.
    pub environment: Option<&'static str>,
    /// Whether the API answered the last call.
    pub online: bool,
    /// Why this connection has no credentials now (the keychain would not give them): the
    /// page says so and offers to try again. Nothing is sent meanwhile.
    pub credentials_unavailable: Option<String>,
}

/// The connection to start on.
pub enum Initial {
    /// The embedded sandbox (no profile chosen).
    Embedded,
    /// A profile with its credentials.
    Profile(Profile, (String, SecretString)),
    /// A profile whose credentials the keychain would not give, and why: the app stays on it.
    Locked(Profile, String),
}

/// The client id of the embedded sandbox's partner. Its secret is new on every start (see
/// [`embedded_partner`]), so that no other process can use the sandbox.
pub const EMBEDDED_CLIENT_ID: &str = "dinie_ci_test_embedded";
/// Environment variable with the embedded sandbox's secret, for automated tests that drive it
/// from outside; without it, a random secret is made at every start.
pub const EMBEDDED_SECRET_ENV: &str = "DINIE_DESK_EMBEDDED_SECRET";
/// Environment variable with the embedded sandbox's rate limit (requests a minute), for the
/// benches that seed it with ten thousand customers; without it, Dinie's usual limit.
pub const EMBEDDED_RATE_LIMIT_ENV: &str = "DINIE_DESK_EMBEDDED_RATE_LIMIT";

/// What the page must hear about the connection.
#[derive(Debug, Clone)]
pub enum ConnectionEvent {
    /// The API stopped or started answering, or another connection became active.
    Changed(ConnectionInfo),
    /// The API refused the stored credentials (a revoked secret): the agent must fix them.
    CredentialsRefused {
        profile_id: String,
        profile_name: String,
    },
}

/// Capacity of the event channel: a subscriber that falls this far behind misses events (it is
/// only ever behind by a few; the page also asks for the state when it starts).
const EVENT_CAPACITY: usize = 64;

/// One live connection.
pub struct Connection {
    profile: Profile,
    client: dinie::Client,
    online: AtomicBool,
    events: broadcast::Sender<ConnectionEvent>,
    credentials_unavailable: Option<String>,
    /// One upload at a time (see [`Connection::upload_turn`]).
    uploads: tokio::sync::Semaphore,
}

/// Why a connection could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ConnectionError {
    /// The embedded sandbox failed to start.
    #[error("the embedded sandbox could not start: {0}")]
    Sandbox(#[from] dinie_sandbox::SandboxError),
    /// The client could not be built.
    #[error("the API client could not be configured: {0}")]
    Client(#[from] dinie::Error),
    /// The loopback port or data folder could not be opened.
    #[error("could not prepare the embedded sandbox: {0}")]
    Io(#[from] std::io::Error),
}

/// A client for a base URL and credentials, as the app configures every client.
pub fn client(
    base_url: &str,
    client_id: &str,
    secret: &SecretString,
) -> Result<dinie::Client, dinie::Error> {
    let limit = upload_limit(url::Url::parse(base_url).ok().as_ref());
    client_with_limit(base_url, client_id, secret, limit)
}

/// [`client`] with an explicit document size limit (the embedded sandbox's own).
fn client_with_limit(
    base_url: &str,
    client_id: &str,
    secret: &SecretString,
    limit: u64,
) -> Result<dinie::Client, dinie::Error> {
    dinie::Client::builder()
        .base_url(base_url)
        .credentials(client_id, secret.expose_secret())
        .user_agent(concat!("dinie-desk/", env!("CARGO_PKG_VERSION")))
        .max_upload_bytes(limit)
        .build()
}

/// Documents larger than Dinie's limit are refused before sending when the API is Dinie's
/// own (or the embedded sandbox, which applies it). A partner's own sandbox may set another
/// limit: the app then lets it decide and shows its `413` answer.
pub fn upload_limit(base_url: Option<&url::Url>) -> u64 {
    let dinie_hosted = base_url
        .and_then(|u| u.host_str())
        .is_some_and(|h| h == "dinie.com.br" || h.ends_with(".dinie.com.br"));
    if dinie_hosted {
        dinie::DEFAULT_MAX_UPLOAD_BYTES
    } else {
        1 << 30
    }
}

impl Connection {
    /// A connection for a profile with its credentials, on its own (nobody hears its events).
    pub fn new(profile: Profile, client: dinie::Client) -> Self {
        Self::with_events(profile, client, broadcast::channel(1).0)
    }

    fn with_events(
        profile: Profile,
        client: dinie::Client,
        events: broadcast::Sender<ConnectionEvent>,
    ) -> Self {
        Self {
            profile,
            client,
            online: AtomicBool::new(true),
            events,
            credentials_unavailable: None,
            uploads: tokio::sync::Semaphore::new(1),
        }
    }

    /// Waits for this connection's turn to upload a document, held until the guard drops: the
    /// drafts' run and the agent's own uploads share one uplink, and files sent one after
    /// another each arrive sooner than files sent together.
    pub async fn upload_turn(&self) -> Option<tokio::sync::SemaphorePermit<'_>> {
        // Never closed: `None` cannot happen, and an upload would then go unordered.
        self.uploads.acquire().await.ok()
    }

    /// A connection to `profile` whose credentials could not be read (`why`): its client has
    /// none, so it sends nothing until the agent tries again.
    fn locked(
        profile: Profile,
        why: String,
        events: broadcast::Sender<ConnectionEvent>,
    ) -> Result<Self, ConnectionError> {
        let config =
            dinie::Config::without_credentials(&profile.base_url).map_err(dinie::Error::from)?;
        let client = dinie::Client::new(config)?;
        let mut conn = Self::with_events(profile, client, events);
        conn.credentials_unavailable = Some(why);
        Ok(conn)
    }

    /// The API client.
    pub fn client(&self) -> &dinie::Client {
        &self.client
    }

    /// The profile.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// Records what a call's result says about the connection: whether the API answered (an
    /// event when that changed) and whether it refused the credentials (an event each time).
    pub fn observe<T>(&self, result: &Result<T, dinie::Error>) {
        self.observe_error(result.as_ref().err());
    }

    /// [`observe`](Self::observe) for a call that ended with `error` (`None`: it succeeded).
    pub fn observe_error(&self, error: Option<&dinie::Error>) {
        let answered = !error.is_some_and(dinie::Error::is_unreachable);
        if self.online.swap(answered, Ordering::SeqCst) != answered {
            self.announce(ConnectionEvent::Changed(self.info()));
        }
        if error.is_some_and(dinie::Error::is_credentials_refused) {
            self.announce(ConnectionEvent::CredentialsRefused {
                profile_id: self.profile.id.clone(),
                profile_name: self.profile.name.clone(),
            });
        }
    }

    fn announce(&self, event: ConnectionEvent) {
        // No subscriber (a connection of a test, or the app shutting down): nobody to tell.
        let _ = self.events.send(event);
    }

    /// Asks the API for the lightest thing it has (one customer) to learn whether it answers,
    /// and records that (the header follows): true when it answered.
    pub async fn probe(&self) -> bool {
        let result = self.client.customers().list().limit(1).send().await;
        self.observe(&result);
        !result.is_err_and(|e| e.is_unreachable())
    }

    /// Whether the API answered the last call.
    pub fn is_online(&self) -> bool {
        self.online.load(Ordering::SeqCst)
    }

    /// What the page may show.
    pub fn info(&self) -> ConnectionInfo {
        let url = self.client.config().base_url();
        let host = match (url.host_str(), url.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_owned(),
            _ => String::new(),
        };
        let kind = match self.profile.kind {
            ProfileKind::Embedded => ConnectionKind::Embedded,
            _ if self.profile.is_live() => ConnectionKind::Production,
            _ => ConnectionKind::Sandbox,
        };
        ConnectionInfo {
            profile_id: self.profile.id.clone(),
            profile_name: self.profile.name.clone(),
            kind,
            host,
            environment: self.client.config().environment(),
            online: self.is_online(),
            credentials_unavailable: self.credentials_unavailable.clone(),
        }
    }
}

/// The app's current connection, swappable.
pub struct Connections {
    current: RwLock<Arc<Connection>>,
    embedded: tokio::sync::Mutex<Option<Sandbox>>,
    data_dir: PathBuf,
    events: broadcast::Sender<ConnectionEvent>,
}

impl Connections {
    /// Starts on `initial`.
    pub async fn start(data_dir: PathBuf, initial: Initial) -> Result<Self, ConnectionError> {
        let events = broadcast::channel(EVENT_CAPACITY).0;
        let (sandbox, conn) = match initial {
            Initial::Profile(profile, (id, secret)) => {
                let client = client(&profile.base_url, &id, &secret)?;
                (
                    None,
                    Connection::with_events(profile, client, events.clone()),
                )
            }
            Initial::Locked(profile, why) => {
                (None, Connection::locked(profile, why, events.clone())?)
            }
            Initial::Embedded => {
                let (sandbox, client) = start_embedded(&data_dir).await?;
                let conn = Connection::with_events(Profile::embedded(), client, events.clone());
                (Some(sandbox), conn)
            }
        };
        Ok(Self {
            current: RwLock::new(Arc::new(conn)),
            embedded: tokio::sync::Mutex::new(sandbox),
            data_dir,
            events,
        })
    }

    /// The connection in use (copy it out before awaiting).
    pub fn current(&self) -> Arc<Connection> {
        crate::locks::read(&self.current).clone()
    }

    /// What happens to the connections from now on: reachability, refused credentials, and
    /// every switch.
    pub fn subscribe(&self) -> broadcast::Receiver<ConnectionEvent> {
        self.events.subscribe()
    }

    /// Switches to `profile` (its credentials already loaded, `None` for the embedded one).
    pub async fn switch(
        &self,
        profile: Profile,
        credentials: Option<(String, SecretString)>,
    ) -> Result<(), ConnectionError> {
        let mut embedded = self.embedded.lock().await;
        let client = match credentials {
            None => match embedded.as_ref() {
                Some(sandbox) => embedded_client(sandbox)?,
                None => {
                    let (sandbox, client) = start_embedded(&self.data_dir).await?;
                    *embedded = Some(sandbox);
                    client
                }
            },
            Some((id, secret)) => {
                let client = client(&profile.base_url, &id, &secret)?;
                if let Some(sandbox) = embedded.take() {
                    sandbox.shutdown().await;
                }
                client
            }
        };
        let conn = Arc::new(Connection::with_events(
            profile,
            client,
            self.events.clone(),
        ));
        tracing::info!(profile = %conn.profile.id, "connection switched");
        *crate::locks::write(&self.current) = conn.clone();
        conn.announce(ConnectionEvent::Changed(conn.info()));
        Ok(())
    }
}

/// The embedded sandbox's one partner: a fixed client id (its customers survive a restart)
/// and a secret made at random for this run (or given by [`EMBEDDED_SECRET_ENV`]).
fn embedded_partner() -> Partner {
    let secret = std::env::var(EMBEDDED_SECRET_ENV)
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| format!("dinie_cs_test_{}", uuid::Uuid::new_v4().simple()));
    Partner {
        client_id: EMBEDDED_CLIENT_ID.into(),
        client_secret: secret,
    }
}

/// A client for the embedded sandbox, with its credentials and its document size limit.
fn embedded_client(sandbox: &Sandbox) -> Result<dinie::Client, dinie::Error> {
    let config = sandbox.state().config();
    let partner = config
        .partners
        .first()
        .cloned()
        .unwrap_or_else(embedded_partner);
    client_with_limit(
        &sandbox.base_url(),
        &partner.client_id,
        &SecretString::from(partner.client_secret),
        config.max_upload_bytes,
    )
}

/// Starts the sandbox in-process on 127.0.0.1 (random port), its database in `data_dir`.
async fn start_embedded(
    data_dir: &std::path::Path,
) -> Result<(Sandbox, dinie::Client), ConnectionError> {
    crate::platform::private_dir(data_dir)?;
    let config = SandboxConfig {
        db: Some(data_dir.join("embedded-sandbox.db")),
        partners: vec![embedded_partner()],
        check_host: true,
        ..SandboxConfig::default()
    };
    let config = SandboxConfig {
        rate_limit: std::env::var(EMBEDDED_RATE_LIMIT_ENV)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(config.rate_limit),
        ..config
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let sandbox = Sandbox::start(config, listener).await?;
    let client = embedded_client(&sandbox)?;
    tracing::info!(url = %sandbox.base_url(), "embedded sandbox started");
    Ok((sandbox, client))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dinie_hosted_apis_get_dinie_upload_limit() {
        let url = |u: &str| url::Url::parse(u).ok();
        assert_eq!(
            upload_limit(url(dinie::SANDBOX_URL).as_ref()),
            dinie::DEFAULT_MAX_UPLOAD_BYTES
        );
        assert_eq!(
            upload_limit(url(dinie::PRODUCTION_URL).as_ref()),
            dinie::DEFAULT_MAX_UPLOAD_BYTES
        );
        assert!(
            upload_limit(url("http://127.0.0.1:8080/api/v3").as_ref())
                > dinie::DEFAULT_MAX_UPLOAD_BYTES
        );
        assert!(
            upload_limit(url("https://evil-dinie.com.br.example/api/v3").as_ref())
                > dinie::DEFAULT_MAX_UPLOAD_BYTES
        );
    }
}
