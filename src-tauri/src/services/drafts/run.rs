//! One run over the drafts due now: marked as being sent a batch at a time, sent a few at a
//! time, and put back in the queue when the run stops before their turn. The outbox loop (the
//! outbox worker) decides when to run and what an outcome means for the rest.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use futures_util::{Stream, StreamExt};

use super::send::{self, Outcome};
use super::{Draft, DraftError, DraftStore, InFlight};
use crate::services::connection::Connection;

/// Drafts sent at the same time.
pub const CONCURRENCY: usize = 4;

/// Drafts marked as being sent in one transaction (one wait for the disk for all of them,
/// where a run of a thousand drafts used to wait a thousand times). After a crash, each of
/// them is looked up by its external id before it is created again: one request more, never a
/// second registration. A run that stops puts its unsent ones back at once.
pub const BEGIN_BATCH: usize = 16;

/// How one due draft of a run ended.
#[derive(Debug)]
pub enum Tried {
    /// It was sent; what came of it.
    Sent(Outcome),
    /// Not waiting any more (edited, discarded, or being sent by another task).
    NotWaiting,
    /// It could not be read or recorded (it stays queued, or is counted a local failure).
    Failed(DraftError),
    /// The run stopped before its turn: it waits, as it was, for the next run.
    Stopped,
    /// Its send ended abnormally (a panic): it stays queued or being sent, and the next run
    /// resumes it.
    Aborted(String),
}

/// Sends `due` over `conn`, [`CONCURRENCY`] at a time, yielding one [`Tried`] per draft as each
/// ends. Setting `stop` (the API stopped answering, or refused the credentials) lets the sends
/// under way finish and puts the others back.
pub fn run(
    conn: Arc<Connection>,
    store: Arc<DraftStore>,
    due: Vec<String>,
    stop: Arc<AtomicBool>,
) -> impl Stream<Item = Tried> {
    let profile = conn.profile().id.clone();
    let batches: Vec<Vec<String>> = due.chunks(BEGIN_BATCH).map(<[String]>::to_vec).collect();
    let mark = {
        let (store, stop) = (store.clone(), stop.clone());
        move |ids: Vec<String>| futures_util::stream::iter(begin(&store, &ids, &profile, &stop))
    };
    // The next batch is marked while the last sends of this one are under way. Each send is a
    // task of its own: while one waits for the disk (a commit), the others' requests and
    // answers go on (polled together in one task, they all waited).
    futures_util::stream::iter(batches)
        .flat_map(mark)
        .map(move |job| {
            let (conn, store, stop) = (conn.clone(), store.clone(), stop.clone());
            tauri::async_runtime::spawn(async move { job.run(&conn, &store, &stop).await })
        })
        .buffer_unordered(CONCURRENCY)
        .map(|joined| joined.unwrap_or_else(|e| Tried::Aborted(e.to_string())))
}

/// What a run does with one due draft.
enum Job {
    /// Marked as being sent: send it, or put it back when the run has stopped.
    Send(Box<Draft>, InFlight),
    /// Nothing to send.
    Done(Tried),
}

impl Job {
    async fn run(self, conn: &Connection, store: &DraftStore, stop: &AtomicBool) -> Tried {
        match self {
            Job::Send(draft, _in_flight) if stop.load(Ordering::SeqCst) => {
                match store.release_unsent(&draft) {
                    Ok(()) => Tried::Stopped,
                    // Left being sent: the next run resumes it (with a lookup first).
                    Err(e) => Tried::Failed(e),
                }
            }
            Job::Send(draft, _in_flight) => match send::send_draft(conn, store, &draft, None).await
            {
                Ok(outcome) => Tried::Sent(outcome),
                Err(e) => Tried::Failed(e),
            },
            Job::Done(tried) => tried,
        }
    }
}

/// Marks a batch of due drafts as being sent, in one transaction; one job per draft.
fn begin(store: &DraftStore, ids: &[String], profile: &str, stop: &AtomicBool) -> Vec<Job> {
    if stop.load(Ordering::SeqCst) {
        return ids.iter().map(|_| Job::Done(Tried::Stopped)).collect();
    }
    match store.begin_batch(ids, profile) {
        Ok(begun) => begun
            .into_iter()
            .map(|b| match b {
                Ok(Some((draft, in_flight))) => Job::Send(Box::new(draft), in_flight),
                Ok(None) => Job::Done(Tried::NotWaiting),
                Err(e) => Job::Done(Tried::Failed(e)),
            })
            .collect(),
        Err(e) => {
            // Nothing was marked: they stay queued for the next run.
            tracing::warn!(error = %e, "drafts could not be marked as being sent");
            ids.iter().map(|_| Job::Done(Tried::Stopped)).collect()
        }
    }
}
