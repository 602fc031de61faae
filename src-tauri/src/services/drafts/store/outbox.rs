//! The outbox side of the drafts store: what the outbox loop reads and records, each step in
//! its own transaction, before and after it happens.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use rusqlite::params;

use crate::services::reason::{Reason, ReasonCode};

use super::{
    lock, now_ms, owned_by, queue_rules, stub, Counts, DocumentState, Draft, DraftError,
    DraftProblem, DraftState, DraftStore, RegistrationForm, LOCAL_FAILURES_BEFORE_ATTENTION,
};

/// Upload timeouts of one document before it waits for the agent ("conexão lenta demais").
pub const UPLOAD_TIMEOUTS_BEFORE_ATTENTION: u32 = 3;

/// Holds a draft as in flight; dropping it releases the draft. Owned (not a borrow of the
/// store), so that a send holding it can be a task of its own.
#[must_use]
pub struct InFlight {
    set: Arc<Mutex<HashSet<String>>>,
    id: String,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        lock(&self.set).remove(&self.id);
    }
}

/// What marking one draft as being sent gave: the draft and its guard, `None` when it is not
/// waiting any more (edited, discarded, sent) or another task of this process is sending it,
/// or the error it did not open with (counted as a local failure).
pub type Begun = Result<Option<(Draft, InFlight)>, DraftError>;

impl DraftStore {
    /// Drafts of `profile_id` due to be sent at `now`: queued ones, and those a stopped run
    /// left mid-send, sealed with the current key. In the order they were made.
    pub fn due(&self, profile_id: &str, now: i64) -> Result<Vec<String>, DraftError> {
        self.with_tx(|tx| {
            let ids = tx
                .prepare(
                    "SELECT id FROM drafts WHERE profile_id = ?1 AND state IN ('queued', 'sending') AND next_attempt_at <= ?2 AND key_id = ?3 ORDER BY created_at, id",
                )?
                .query_map(params![profile_id, now, self.key_id], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            Ok(ids)
        })
    }

    /// When the next queued draft of `profile_id` falls due (None when none waits).
    pub fn next_due_at(&self, profile_id: &str) -> Result<Option<i64>, DraftError> {
        self.with_tx(|tx| {
            Ok(tx.query_row(
                "SELECT MIN(next_attempt_at) FROM drafts WHERE profile_id = ?1 AND state IN ('queued', 'sending') AND key_id = ?2",
                params![profile_id, self.key_id],
                |r| r.get(0),
            )?)
        })
    }

    /// Marks a waiting draft of `profile_id` as being sent and returns it, held as in flight
    /// until the guard drops (see [`Begun`]). A draft of another connection is refused: it is
    /// only ever sent to its own.
    ///
    /// See [`mark_sending_in`](Self::mark_sending_in): the draft returned says whether an *earlier*
    /// create went unanswered.
    pub fn begin_send(&self, id: &str, profile_id: &str) -> Begun {
        self.begin_batch(&[id.to_owned()], profile_id)?
            .pop()
            .unwrap_or(Ok(None))
    }

    /// As [`begin_send`](Self::begin_send) for each of `ids`, in one transaction: one wait for
    /// the disk for all of them, where a sync of a thousand drafts used to wait a thousand
    /// times. One [`Begun`] per id, in order. A run that stops before sending some of them
    /// puts those back with [`release_unsent`](Self::release_unsent). Fails as a whole only
    /// when the database does (nothing is marked then).
    pub fn begin_batch(&self, ids: &[String], profile_id: &str) -> Result<Vec<Begun>, DraftError> {
        let guards: Vec<(&String, Option<InFlight>)> = ids
            .iter()
            .map(|id| {
                let free = lock(&self.in_flight).insert(id.clone());
                let guard = free.then(|| InFlight {
                    set: self.in_flight.clone(),
                    id: id.clone(),
                });
                (id, guard)
            })
            .collect();
        type Marked<'a> = (&'a String, Option<(InFlight, Result<Draft, DraftError>)>);
        let marked: Vec<Marked<'_>> = self.with_tx(|tx| {
            let mut marked = Vec::with_capacity(guards.len());
            for (id, guard) in guards {
                let Some(guard) = guard else {
                    marked.push((id, None));
                    continue;
                };
                match self.mark_sending_in(tx, id, None, |d| waiting_for(d, profile_id)) {
                    // The database failed: nothing of the batch is kept.
                    Err(e @ (DraftError::Db(_) | DraftError::Io(_))) => return Err(e),
                    draft => marked.push((id, Some((guard, draft)))),
                }
            }
            Ok(marked)
        })?;
        Ok(marked
            .into_iter()
            .map(|(id, marked)| match marked {
                None => Ok(None),
                Some((guard, Ok(d))) => Ok(Some((d, guard))),
                Some((_, Err(DraftError::Locked(_) | DraftError::NotFound))) => Ok(None),
                Some((_guard, Err(e @ (DraftError::Seal(_) | DraftError::Damaged(_))))) => {
                    self.local_failure(id, &e)?;
                    Err(e)
                }
                Some((_, Err(e))) => Err(e),
            })
            .collect())
    }

    /// Puts back in the queue a draft [`begin_batch`](Self::begin_batch) marked as being sent
    /// whose send never started (the run stopped first: the connection dropped). Nothing went,
    /// so its create is exactly as unconfirmed as it was before (`begun` says so), and the
    /// agent may change it again.
    pub fn release_unsent(&self, begun: &Draft) -> Result<(), DraftError> {
        let earlier = begun.create_unconfirmed;
        self.change(&begun.id, None, |d| {
            if d.state == DraftState::Sending {
                d.state = DraftState::Queued;
                d.create_unconfirmed = earlier;
            }
            Ok(())
        })
        .map(drop)
    }

    /// Queues a checked form and marks it as being sent, in one transaction (the agent pressed
    /// Send): held as in flight until the guard drops. As for [`begin_send`](Self::begin_send),
    /// the draft returned says whether an earlier create went unanswered.
    pub fn queue_and_begin(
        &self,
        id: &str,
        profile_id: &str,
        form: &RegistrationForm,
    ) -> Result<(Draft, InFlight), DraftError> {
        if !lock(&self.in_flight).insert(id.to_owned()) {
            return Err(DraftError::Locked("this registration is being sent"));
        }
        let guard = InFlight {
            set: self.in_flight.clone(),
            id: id.to_owned(),
        };
        let draft = self.with_tx(|tx| {
            self.mark_sending_in(tx, id, Some(profile_id), |d| {
                queue_rules(d, profile_id, form)
            })
        })?;
        Ok((draft, guard))
    }

    /// Marks a draft as being sent once `allowed` accepts it (creating it for `create_for`, as
    /// [`change`](Self::change) does), and records in the same transaction that a create may be
    /// on its way (see [`create_on_its_way`]). The draft returned says whether an *earlier*
    /// create went unanswered, which is what the send must know.
    fn mark_sending_in(
        &self,
        tx: &rusqlite::Transaction<'_>,
        id: &str,
        create_for: Option<&str>,
        allowed: impl FnOnce(&mut Draft) -> Result<(), DraftError>,
    ) -> Result<Draft, DraftError> {
        let mut earlier = false;
        let mut draft = self.apply(tx, id, create_for, |d| {
            allowed(d)?;
            d.state = DraftState::Sending;
            earlier = create_on_its_way(d);
            Ok(())
        })?;
        draft.create_unconfirmed = earlier;
        Ok(draft)
    }

    /// Records that Dinie answered the create definitely (registered, or refused with nothing
    /// registered): the form may change again.
    pub fn create_settled(&self, id: &str) -> Result<(), DraftError> {
        self.change(id, None, |d| {
            d.create_unconfirmed = false;
            Ok(())
        })
        .map(drop)
    }

    /// Records the customer Dinie registered for a draft.
    pub fn record_created(&self, id: &str, customer_id: &str) -> Result<(), DraftError> {
        self.change(id, None, |d| {
            d.customer_id = Some(customer_id.to_owned());
            d.create_unconfirmed = false;
            Ok(())
        })
        .map(drop)
    }

    /// Records the customer of a draft that has nothing else to send: sent.
    ///
    /// Written without waiting for the disk (one fsync fewer per draft of a sync). The create
    /// it answers was recorded as on its way, waiting for the disk, before it went (see
    /// [`create_on_its_way`]): if a power cut loses this record, the draft is found being sent
    /// with its create unconfirmed, and the next run finds the customer by its external id and
    /// records it then. Nobody is registered twice.
    pub fn mark_sent(&self, id: &str, customer_id: &str) -> Result<(), DraftError> {
        self.change_unsynced(id, |d| {
            d.customer_id = Some(customer_id.to_owned());
            d.create_unconfirmed = false;
            d.state = DraftState::Sent;
            d.problem = None;
            d.form = stub(&d.form);
            Ok(())
        })?;
        self.forget_files(id);
        Ok(())
    }

    /// A sent draft's documents are Dinie's now: their files are erased (the rows stay, for
    /// the list); the WAL is emptied of the form it had at the next [`DraftStore::settle`].
    fn forget_files(&self, id: &str) {
        let docs: Result<Vec<String>, DraftError> = self.with_tx(|tx| {
            Ok(tx
                .prepare_cached("SELECT id FROM draft_documents WHERE draft_id = ?1")?
                .query_map(params![id], |r| r.get(0))?
                .collect::<Result<_, _>>()?)
        });
        match docs {
            Ok(docs) => docs.iter().for_each(|doc| self.erase_blob(doc)),
            Err(e) => tracing::warn!(error = %e, "could not list a sent draft's files"),
        }
        self.unsettled
            .store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// A failure of this computer's own (a document's file missing or damaged, a row that does
    /// not open): retried with a growing pause, and after [`LOCAL_FAILURES_BEFORE_ATTENTION`]
    /// the draft waits for the agent instead. Returns the draft's state after it.
    pub fn local_failure(&self, id: &str, why: &DraftError) -> Result<DraftState, DraftError> {
        let pause = |failures: u32| now_ms() + (5_000i64 << failures.min(6));
        tracing::warn!(draft = %id, error = %why, "a file of a draft is missing or damaged");
        let problem = DraftProblem {
            code: "local_file".into(),
            reason: Reason::new(ReasonCode::DraftLocalFile),
            fields: Default::default(),
            customer_id: None,
        };
        let changed = self.change(id, None, |d| {
            d.local_failures += 1;
            if d.local_failures >= LOCAL_FAILURES_BEFORE_ATTENTION {
                d.state = DraftState::Attention;
                d.problem = Some(problem);
            } else {
                d.state = DraftState::Queued;
                d.next_attempt_at = pause(d.local_failures);
            }
            Ok(())
        });
        match changed {
            Ok(d) => Ok(d.state),
            // The row itself does not open: counted without it (the list shows it as damaged).
            Err(DraftError::Seal(_) | DraftError::Damaged(_) | DraftError::OtherKey) => {
                self.with_tx(|tx| {
                    let failures: u32 = tx.query_row(
                        "UPDATE drafts SET local_failures = local_failures + 1 WHERE id = ?1 RETURNING local_failures",
                        params![id],
                        |r| r.get(0),
                    )?;
                    let state = if failures >= LOCAL_FAILURES_BEFORE_ATTENTION {
                        DraftState::Attention
                    } else {
                        DraftState::Queued
                    };
                    tx.execute(
                        "UPDATE drafts SET state = ?2, next_attempt_at = ?3 WHERE id = ?1",
                        params![id, state.as_str(), pause(failures)],
                    )?;
                    Ok(state)
                })
            }
            Err(e) => Err(e),
        }
    }

    /// An upload of a document timed out: counted; after [`UPLOAD_TIMEOUTS_BEFORE_ATTENTION`]
    /// it is not sent on its own any more. Returns whether it gave up.
    pub fn upload_timed_out(&self, doc_id: &str) -> Result<bool, DraftError> {
        self.with_tx(|tx| {
            let timeouts: u32 = tx.query_row(
                "UPDATE draft_documents SET timeouts = timeouts + 1, state = 'pending' WHERE id = ?1 RETURNING timeouts",
                params![doc_id],
                |r| r.get(0),
            )?;
            Ok(timeouts >= UPLOAD_TIMEOUTS_BEFORE_ATTENTION)
        })
    }

    /// Records a document's state (and why, when it was not sent).
    pub fn document_state(
        &self,
        doc_id: &str,
        state: DocumentState,
        problem: Option<&Reason>,
    ) -> Result<(), DraftError> {
        // Stored as JSON (a reason's code and values: no file name, nothing personal).
        let problem = problem.map(|r| serde_json::to_string(r).unwrap_or_default());
        self.with_tx(|tx| {
            tx.execute(
                "UPDATE draft_documents SET state = ?2, problem = ?3 WHERE id = ?1",
                params![doc_id, state.as_str(), problem],
            )?;
            Ok(())
        })?;
        // Dinie has it (or had it already): this computer needs the file no more.
        if matches!(state, DocumentState::Uploaded | DocumentState::Skipped) {
            self.erase_blob(doc_id);
        }
        Ok(())
    }

    /// The draft is done: sent, or needing the agent for the given reason.
    pub fn finish(&self, id: &str, problem: Option<DraftProblem>) -> Result<Draft, DraftError> {
        let sent = problem.is_none();
        let draft = self.change(id, None, |d| {
            d.state = if problem.is_some() {
                DraftState::Attention
            } else {
                DraftState::Sent
            };
            // Dinie keeps the answer to a key: a refused create needs a new one once fixed.
            if problem.is_some() && d.customer_id.is_none() {
                d.revision += 1;
            }
            if sent {
                d.form = stub(&d.form);
            }
            d.problem = problem;
            Ok(())
        })?;
        if sent {
            self.forget_files(id);
        }
        Ok(draft)
    }

    /// A transient failure: back to the queue, not before `at` (Unix ms).
    pub fn retry_at(&self, id: &str, at: i64) -> Result<Draft, DraftError> {
        self.change(id, None, |d| {
            d.state = DraftState::Queued;
            d.attempts += 1;
            d.next_attempt_at = at;
            Ok(())
        })
    }

    /// Back to the queue, due now (the connection dropped: nothing was refused).
    pub fn requeue(&self, id: &str) -> Result<(), DraftError> {
        self.change(id, None, |d| {
            d.state = DraftState::Queued;
            Ok(())
        })
        .map(drop)
    }

    /// How many drafts of `profile_id` are in each state.
    pub fn counts(&self, profile_id: &str) -> Result<Counts, DraftError> {
        self.with_tx(|tx| {
            let mut counts = Counts::default();
            let mut stmt = tx.prepare(
                "SELECT state, key_id IS ?2, COUNT(*) FROM drafts WHERE profile_id = ?1 GROUP BY 1, 2",
            )?;
            let rows = stmt.query_map(params![profile_id, self.key_id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, bool>(1)?,
                    r.get::<_, u32>(2)?,
                ))
            })?;
            for row in rows {
                let (state, readable, n) = row?;
                if !readable {
                    counts.unreadable += n;
                    continue;
                }
                match DraftState::parse(&state) {
                    DraftState::Editing => counts.editing += n,
                    DraftState::Queued | DraftState::Sending => counts.waiting += n,
                    DraftState::Attention => counts.attention += n,
                    DraftState::Sent => counts.sent += n,
                }
            }
            Ok(counts)
        })
    }
}

/// Whether a draft of `profile_id` waits to be sent (queued, or left being sent by a run that
/// stopped).
fn waiting_for(d: &Draft, profile_id: &str) -> Result<(), DraftError> {
    owned_by(d, profile_id)?;
    if !matches!(d.state, DraftState::Queued | DraftState::Sending) {
        return Err(DraftError::Locked("not waiting"));
    }
    Ok(())
}

/// Records, in the transaction that marks a draft as being sent, that a create may be on its
/// way: from then until its answer is known the draft's CPF, CNPJ and external id stay as
/// sent, and a later run first looks for it by its external id. Recorded here rather than just
/// before the request, which cost one more transaction (an fsync) per draft; a run that sends
/// nothing (a check refused, the connection gone) settles it or leaves it for the lookup.
/// Returns whether a create was already unconfirmed.
fn create_on_its_way(d: &mut Draft) -> bool {
    let earlier = d.create_unconfirmed;
    if d.customer_id.is_none() {
        d.create_unconfirmed = true;
    }
    earlier
}
