//! The outbox: the drafts store (opened when the keychain gives its key) and the sync worker
//! that sends waiting drafts whenever the API answers, a few at a time, telling the page how it
//! goes (`drafts-changed`, `sync-progress`) and the desktop when a run ends.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tauri_plugin_notification::NotificationExt;

use crate::commands::note_error;
use crate::connection::{Connection, Connections};
use crate::services::drafts::{Counts, DraftError, DraftStore};
use crate::services::follow::Follower;
use crate::services::sealing::Sealer;
use crate::services::{settings, sync};

/// Event with the drafts' counts for the active connection ([`DraftStatus`]).
pub const DRAFTS_CHANGED: &str = "drafts-changed";
/// Event with the progress of a sync run ([`SyncProgress`]).
pub const SYNC_PROGRESS: &str = "sync-progress";

/// Drafts sent at the same time.
pub const CONCURRENCY: usize = 4;
/// How often the worker looks at the queue.
const TICK: Duration = Duration::from_secs(2);
/// How often a connection believed down is probed.
const OFFLINE_PROBE: Duration = Duration::from_secs(4);
/// How often an idle connection believed up is probed.
const ONLINE_PROBE: Duration = Duration::from_secs(30);
/// How long the queue of a connection whose credentials were refused waits.
const CREDENTIALS_PAUSE: Duration = Duration::from_secs(60);

/// How far a sync run is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncProgress {
    pub running: bool,
    pub total: u32,
    pub done: u32,
    pub sent: u32,
    pub attention: u32,
    /// Failed for now; queued again.
    pub retrying: u32,
}

/// What the header and the drafts screen show about drafts.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DraftStatus {
    /// Whether drafts can be saved (the keychain gave the key).
    pub available: bool,
    /// Why not, when not.
    pub message: Option<String>,
    pub counts: Counts,
    pub progress: SyncProgress,
}

/// The drafts store, opened on first use, and the worker's shared state.
pub struct Outbox {
    dir: PathBuf,
    store: Mutex<Option<Arc<DraftStore>>>,
    wake: tokio::sync::Notify,
    progress: Mutex<SyncProgress>,
    /// When opening the store last failed: the worker does not ask the keychain again for a
    /// while (a locked keyring may prompt the agent on every access).
    failed_at: Mutex<Option<Instant>>,
}

/// How long the worker leaves a keychain that refused the key alone.
const KEYCHAIN_PAUSE: Duration = Duration::from_secs(60);

impl Outbox {
    /// An outbox keeping its database and files in `dir`.
    pub fn new(dir: PathBuf) -> Self {
        Self {
            dir,
            store: Mutex::new(None),
            wake: tokio::sync::Notify::new(),
            progress: Mutex::new(SyncProgress::default()),
            failed_at: Mutex::new(None),
        }
    }

    /// The store; opened (and the key fetched from the keychain) on first use, so a keychain
    /// unlocked after start-up is picked up.
    pub fn store(&self) -> Result<Arc<DraftStore>, DraftError> {
        let mut slot = match self.store.lock() {
            Ok(s) => s,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some(store) = slot.as_ref() {
            return Ok(store.clone());
        }
        let opened = Sealer::from_keychain()
            .map_err(DraftError::from)
            .and_then(|sealer| DraftStore::open(&self.dir, sealer));
        if let Ok(mut failed_at) = self.failed_at.lock() {
            *failed_at = opened.is_err().then(Instant::now);
        }
        let store = Arc::new(opened?);
        *slot = Some(store.clone());
        Ok(store)
    }

    /// The store for the worker: like [`store`](Self::store), but after a failure it waits
    /// [`KEYCHAIN_PAUSE`] before asking the keychain again (the agent's own actions still do).
    fn store_for_worker(&self) -> Option<Arc<DraftStore>> {
        let paused = self
            .failed_at
            .lock()
            .ok()
            .and_then(|f| *f)
            .is_some_and(|at| at.elapsed() < KEYCHAIN_PAUSE);
        if paused {
            return None;
        }
        match self.store() {
            Ok(store) => Some(store),
            Err(e) => {
                tracing::info!(error = %e, "drafts unavailable");
                None
            }
        }
    }

    /// Asks the worker to look at the queue now.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    fn progress(&self) -> SyncProgress {
        self.progress.lock().map(|p| *p).unwrap_or_default()
    }

    fn set_progress(&self, p: SyncProgress) {
        if let Ok(mut slot) = self.progress.lock() {
            *slot = p;
        }
    }

    /// Counts and progress for the active connection.
    pub fn status(&self, conn: &Connection) -> DraftStatus {
        match self.store().and_then(|s| s.counts(&conn.profile().id)) {
            Ok(counts) => DraftStatus {
                available: true,
                message: None,
                counts,
                progress: self.progress(),
            },
            Err(e) => DraftStatus {
                available: false,
                message: Some(e.to_string()),
                counts: Counts::default(),
                progress: self.progress(),
            },
        }
    }
}

/// Tells the page the drafts changed.
pub fn emit_status<R: Runtime>(app: &AppHandle<R>) {
    let status = app
        .state::<Outbox>()
        .status(&app.state::<Connections>().current());
    if let Err(e) = app.emit(DRAFTS_CHANGED, &status) {
        tracing::warn!(error = %e, "could not emit {DRAFTS_CHANGED}");
    }
}

/// Sends waiting drafts whenever the connection answers, until the app exits.
pub async fn run_forever<R: Runtime>(app: AppHandle<R>) {
    let mut last_probe = Instant::now();
    let mut last_counts = None;
    // The profile whose credentials were refused, and when: its queue waits a minute (or until
    // the agent asks) instead of knocking every tick.
    let mut refused: Option<(String, Instant)> = None;
    loop {
        let outbox = app.state::<Outbox>();
        tokio::select! {
            () = outbox.wake.notified() => refused = None,
            () = tokio::time::sleep(TICK) => {}
        }
        let conns = app.state::<Connections>();
        let conn = conns.current();
        let Some(store) = outbox.store_for_worker() else {
            continue;
        };
        let counts = store.counts(&conn.profile().id).ok();
        if counts != last_counts {
            last_counts = counts;
            emit_status(&app);
        }
        let online = conn.info().online;
        let due = match store.due(&conn.profile().id, chrono::Utc::now().timestamp_millis()) {
            Ok(due) => due,
            Err(e) => {
                tracing::warn!(error = %e, "could not read the drafts queue");
                continue;
            }
        };
        let probe_every = if online { ONLINE_PROBE } else { OFFLINE_PROBE };
        let must_probe = !online && !due.is_empty();
        if must_probe || last_probe.elapsed() >= probe_every {
            last_probe = Instant::now();
            let answered = probe(&app, &conns, &conn).await;
            if !answered || due.is_empty() {
                continue;
            }
        } else if due.is_empty() {
            continue;
        }
        let waiting_for_credentials = refused.as_ref().is_some_and(|(profile, at)| {
            *profile == conn.profile().id && at.elapsed() < CREDENTIALS_PAUSE
        });
        if waiting_for_credentials {
            continue;
        }
        if run(&app, &conn, &store, due).await == RunEnd::CredentialsRefused {
            refused = Some((conn.profile().id.clone(), Instant::now()));
        }
        last_counts = None;
    }
}

/// A light request that tells whether the API answers (and updates the header).
async fn probe<R: Runtime>(app: &AppHandle<R>, conns: &Connections, conn: &Connection) -> bool {
    let result = conn.client().customers().list().limit(1).send().await;
    note_error(app, conns, result.as_ref().err());
    !matches!(
        result,
        Err(dinie::Error::Connection { .. } | dinie::Error::Timeout { .. })
    )
}

/// How a run ended.
#[derive(Debug, PartialEq, Eq)]
enum RunEnd {
    /// Every due draft was tried, or the connection dropped.
    Done,
    /// The API refused the credentials: the rest waits for the agent to fix them.
    CredentialsRefused,
}

/// One run over the drafts due now, [`CONCURRENCY`] at a time.
async fn run<R: Runtime>(
    app: &AppHandle<R>,
    conn: &Arc<Connection>,
    store: &Arc<DraftStore>,
    due: Vec<String>,
) -> RunEnd {
    let outbox = app.state::<Outbox>();
    let conns = app.state::<Connections>();
    let follower = app.state::<Follower>();
    let mut progress = SyncProgress {
        running: true,
        total: due.len() as u32,
        ..Default::default()
    };
    publish(app, &outbox, progress);
    // Set when the API stops answering or refuses the credentials: the rest waits.
    let stop = AtomicBool::new(false);
    let mut end = RunEnd::Done;
    let mut outcomes = futures_util::stream::iter(due)
        .map(|id| {
            let stop = &stop;
            async move {
                if stop.load(Ordering::SeqCst) {
                    return None;
                }
                Some(sync::send(conn, store, &id).await)
            }
        })
        .buffer_unordered(CONCURRENCY);
    let mut last_emit = Instant::now();
    while let Some(outcome) = outcomes.next().await {
        progress.done += 1;
        match outcome {
            None => {}
            Some(Err(e)) => {
                tracing::warn!(error = %e, "a draft could not be read or recorded");
                progress.retrying += 1;
            }
            Some(Ok(outcome)) => {
                note_error(app, &conns, outcome.error());
                match outcome {
                    sync::Outcome::Sent { customer, created } => {
                        progress.sent += 1;
                        follower.follow(&customer, created);
                    }
                    sync::Outcome::Attention { .. } => progress.attention += 1,
                    sync::Outcome::RetryLater(e) => {
                        tracing::info!(error = %e, "a draft will be retried");
                        progress.retrying += 1;
                    }
                    sync::Outcome::Offline(_) => stop.store(true, Ordering::SeqCst),
                    sync::Outcome::CredentialsRefused(_) => {
                        stop.store(true, Ordering::SeqCst);
                        end = RunEnd::CredentialsRefused;
                    }
                    sync::Outcome::NotWaiting => {}
                }
            }
        }
        if last_emit.elapsed() >= Duration::from_millis(100) {
            last_emit = Instant::now();
            publish(app, &outbox, progress);
            emit_status(app);
        }
    }
    progress.running = false;
    publish(app, &outbox, progress);
    emit_status(app);
    if progress.sent + progress.attention > 0 {
        notify(app, &progress);
    }
    end
}

fn publish<R: Runtime>(app: &AppHandle<R>, outbox: &Outbox, progress: SyncProgress) {
    outbox.set_progress(progress);
    if let Err(e) = app.emit(SYNC_PROGRESS, progress) {
        tracing::warn!(error = %e, "could not emit {SYNC_PROGRESS}");
    }
}

fn notify<R: Runtime>(app: &AppHandle<R>, p: &SyncProgress) {
    let pt = settings::language(app) == "pt-BR";
    let title = if pt {
        "Rascunhos enviados"
    } else {
        "Drafts sent"
    };
    let mut body = if pt {
        format!("{} cadastro(s) enviado(s) à Dinie", p.sent)
    } else {
        format!("{} registration(s) sent to Dinie", p.sent)
    };
    if p.attention > 0 {
        body += &if pt {
            format!("; {} precisa(m) de atenção", p.attention)
        } else {
            format!("; {} need(s) attention", p.attention)
        };
    }
    if let Err(e) = app.notification().builder().title(title).body(body).show() {
        tracing::warn!(error = %e, "could not show a desktop notification");
    }
}
