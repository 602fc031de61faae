//! The outbox loop: sends the active connection's waiting drafts whenever the API answers, a
//! few at a time, telling the page how it goes (`drafts-changed`, `sync-progress`) and the
//! desktop when a run ends. The queue itself is [`crate::services::drafts::outbox`].

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use tauri::{AppHandle, Manager, Runtime};

use crate::services::connection::{Connection, Connections};
use crate::services::drafts::outbox::{Outbox, SyncProgress};
use crate::services::drafts::run::{self, Tried};
use crate::services::drafts::send;
use crate::services::drafts::DraftStore;
use crate::services::follow::Follower;
use crate::services::settings;
use crate::{events, notify};

/// How soon the worker looks again after a run, or while drafts wait on a connection that
/// does not answer.
const TICK: Duration = Duration::from_secs(2);
/// The least time between two looks (a draft due in a millisecond waits this long).
const TICK_MIN: Duration = Duration::from_millis(200);
/// How soon the worker tries again to open drafts the keychain did not unlock (the agent's
/// *Try again* wakes it sooner).
const KEYCHAIN_RETRY: Duration = Duration::from_secs(60);
/// How often a connection believed down is probed.
const OFFLINE_PROBE: Duration = Duration::from_secs(4);
/// How often an idle connection believed up is probed.
const ONLINE_PROBE: Duration = Duration::from_secs(30);
/// How long the queue of a connection whose credentials were refused waits.
const CREDENTIALS_PAUSE: Duration = Duration::from_secs(60);
/// Least time between two progress reports to the page during a run.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// Sends waiting drafts whenever the connection answers, until the app exits. Between looks
/// it sleeps until the next reason to look: a draft falling due, a probe of the connection, the
/// end of a pause, a change made by the agent, or a wake-up ([`Outbox::wake`]). An app with
/// nothing queued wakes only to probe its connection.
pub async fn run_forever<R: Runtime>(app: AppHandle<R>) {
    let mut last_probe = Instant::now();
    let mut last_counts = None;
    // The profile whose credentials were refused, and when: its queue waits a minute (or until
    // the agent asks) instead of knocking every tick.
    let mut refused: Option<(String, Instant)> = None;
    // The first look is at once.
    let mut pause = Duration::ZERO;
    loop {
        let outbox = app.state::<Outbox>();
        tokio::select! {
            () = outbox.woken() => refused = None,
            () = outbox.queue_changed() => {}
            () = tokio::time::sleep(pause) => {}
        }
        pause = look(
            &app,
            &outbox,
            &mut last_probe,
            &mut last_counts,
            &mut refused,
        )
        .await;
    }
}

/// One look at the queue (a run over what is due, when the connection answers); returns how
/// long to sleep before the next.
async fn look<R: Runtime>(
    app: &AppHandle<R>,
    outbox: &Outbox,
    last_probe: &mut Instant,
    last_counts: &mut Option<crate::services::drafts::Counts>,
    refused: &mut Option<(String, Instant)>,
) -> Duration {
    let conns = app.state::<Connections>();
    let conn = conns.current();
    let Some(store) = outbox.store_for_worker() else {
        return KEYCHAIN_RETRY;
    };
    let profile = conn.profile().id.clone();
    let counts = store.counts(&profile).ok();
    if counts != *last_counts {
        *last_counts = counts;
        outbox.announce();
    }
    let online = conn.is_online();
    let due = match store.due(&profile, chrono::Utc::now().timestamp_millis()) {
        Ok(due) => due,
        Err(e) => {
            tracing::warn!(error = %e, "could not read the drafts queue");
            return TICK;
        }
    };
    let probe_every = if online { ONLINE_PROBE } else { OFFLINE_PROBE };
    let must_probe = !online && !due.is_empty();
    if must_probe || last_probe.elapsed() >= probe_every {
        *last_probe = Instant::now();
        let answered = conn.probe().await;
        if !answered && !due.is_empty() {
            return TICK;
        }
    }
    if due.is_empty() {
        // Asleep until the next draft falls due or the next probe.
        let next_probe = probe_every.saturating_sub(last_probe.elapsed());
        let next_draft = store.next_due_at(&profile).ok().flatten().map(|at| {
            let wait = at - chrono::Utc::now().timestamp_millis();
            Duration::from_millis(wait.max(0) as u64)
        });
        return next_draft
            .map_or(next_probe, |d| d.min(next_probe))
            .max(TICK_MIN);
    }
    if let Some((who, at)) = refused.as_ref() {
        if *who == profile && at.elapsed() < CREDENTIALS_PAUSE {
            return CREDENTIALS_PAUSE.saturating_sub(at.elapsed()).max(TICK_MIN);
        }
    }
    if run(app, outbox, &conn, &store, due).await == RunEnd::CredentialsRefused {
        *refused = Some((profile, Instant::now()));
    }
    *last_counts = None;
    TICK
}

/// How a run ended.
#[derive(Debug, PartialEq, Eq)]
enum RunEnd {
    /// Every due draft was tried, or the connection dropped.
    Done,
    /// The API refused the credentials: the rest waits for the agent to fix them.
    CredentialsRefused,
}

/// One run over the drafts due now (see [`run::run`]), telling the page and the follower.
async fn run<R: Runtime>(
    app: &AppHandle<R>,
    outbox: &Outbox,
    conn: &Arc<Connection>,
    store: &Arc<DraftStore>,
    due: Vec<String>,
) -> RunEnd {
    let follower = app.state::<Follower>();
    let mut progress = SyncProgress {
        running: true,
        total: due.len() as u32,
        ..Default::default()
    };
    publish(app, outbox, progress);
    // Set when the API stops answering or refuses the credentials: the rest waits.
    let stop = Arc::new(AtomicBool::new(false));
    let mut end = RunEnd::Done;
    let mut tries = run::run(conn.clone(), store.clone(), due, stop.clone());
    let mut last_emit = Instant::now();
    while let Some(tried) = tries.next().await {
        progress.done += 1;
        match tried {
            Tried::NotWaiting | Tried::Stopped => {}
            Tried::Failed(e) => {
                tracing::warn!(error = %e, "a draft could not be read or recorded");
                progress.retrying += 1;
            }
            Tried::Aborted(e) => {
                // It stays queued (or being sent, which the next run resumes).
                tracing::error!(error = %e, "a draft's send ended abnormally");
                progress.retrying += 1;
            }
            Tried::Sent(outcome) => match outcome {
                send::Outcome::Sent {
                    customer,
                    created,
                    submitted_for_review,
                } => {
                    progress.sent += 1;
                    follower.follow(&customer, created);
                    if submitted_for_review {
                        follower.record(customer.id.as_str(), "customer.submitted_by_sync");
                    }
                }
                send::Outcome::Registered { customer, created } => {
                    // Its documents go once Dinie lists the requirements: due again shortly.
                    progress.retrying += 1;
                    follower.follow(&customer, created);
                }
                send::Outcome::Attention { .. } => progress.attention += 1,
                send::Outcome::RetryLater(e) => {
                    tracing::info!(error = %e, "a draft will be retried");
                    progress.retrying += 1;
                }
                // Every other request would be refused too: the rest waits for the next run
                // (the client holds until the time Dinie asked).
                send::Outcome::RateLimited(e) => {
                    tracing::info!(error = %e, "Dinie asked to slow down; the run stops");
                    progress.retrying += 1;
                    stop.store(true, Ordering::SeqCst);
                }
                send::Outcome::Offline(_) => stop.store(true, Ordering::SeqCst),
                send::Outcome::CredentialsRefused(_) => {
                    stop.store(true, Ordering::SeqCst);
                    end = RunEnd::CredentialsRefused;
                }
                send::Outcome::NotWaiting => {}
            },
        }
        if last_emit.elapsed() >= PROGRESS_EVERY {
            last_emit = Instant::now();
            publish(app, outbox, progress);
        }
    }
    store.settle();
    progress.running = false;
    publish(app, outbox, progress);
    if progress.sent + progress.attention > 0 {
        notify::show(app, notify::for_sync(&progress, &settings::language(app)));
    }
    end
}

/// Records how far the run is, and tells the page (the progress and the drafts' counts).
fn publish<R: Runtime>(app: &AppHandle<R>, outbox: &Outbox, progress: SyncProgress) {
    outbox.set_progress(progress);
    events::sync_progress(app, progress);
    outbox.announce();
}
