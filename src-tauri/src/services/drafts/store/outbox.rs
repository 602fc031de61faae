//! The outbox side of the drafts store: what the outbox loop reads and records, each step in
//! its own transaction, before and after it happens.

use std::collections::HashSet;
use std::sync::Mutex;

use rusqlite::params;

use super::{
    lock, queue_rules, Counts, DocumentState, Draft, DraftError, DraftProblem, DraftState,
    DraftStore, RegistrationForm,
};

/// Holds a draft as in flight; dropping it releases the draft.
#[must_use]
pub struct InFlight<'a> {
    set: &'a Mutex<HashSet<String>>,
    id: String,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        lock(self.set).remove(&self.id);
    }
}

impl DraftStore {
    /// Drafts of `profile_id` due to be sent at `now`: queued ones, and those a stopped run
    /// left mid-send. In the order they were made.
    pub fn due(&self, profile_id: &str, now: i64) -> Result<Vec<String>, DraftError> {
        self.with_tx(|tx| {
            let ids = tx
                .prepare(
                    "SELECT id FROM drafts WHERE profile_id = ?1 AND state IN ('queued', 'sending') AND next_attempt_at <= ?2 ORDER BY created_at, id",
                )?
                .query_map(params![profile_id, now], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            Ok(ids)
        })
    }

    /// When the next queued draft of `profile_id` falls due (None when none waits).
    pub fn next_due_at(&self, profile_id: &str) -> Result<Option<i64>, DraftError> {
        self.with_tx(|tx| {
            Ok(tx.query_row(
                "SELECT MIN(next_attempt_at) FROM drafts WHERE profile_id = ?1 AND state IN ('queued', 'sending')",
                params![profile_id],
                |r| r.get(0),
            )?)
        })
    }

    /// Marks a waiting draft as being sent and returns it, held as in flight until the guard
    /// drops; `None` when it is no longer waiting (edited, discarded, sent) or another task of
    /// this process is sending it.
    pub fn begin_send(&self, id: &str) -> Result<Option<(Draft, InFlight<'_>)>, DraftError> {
        if !lock(&self.in_flight).insert(id.to_owned()) {
            return Ok(None);
        }
        let guard = InFlight {
            set: &self.in_flight,
            id: id.to_owned(),
        };
        match self.change(id, None, |d| {
            if !matches!(d.state, DraftState::Queued | DraftState::Sending) {
                return Err(DraftError::Locked("not waiting"));
            }
            d.state = DraftState::Sending;
            Ok(())
        }) {
            Ok(d) => Ok(Some((d, guard))),
            Err(DraftError::Locked(_) | DraftError::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Queues a checked form and marks it as being sent, in one transaction (the agent pressed
    /// Send): held as in flight until the guard drops.
    pub fn queue_and_begin(
        &self,
        id: &str,
        profile_id: &str,
        form: &RegistrationForm,
    ) -> Result<(Draft, InFlight<'_>), DraftError> {
        if !lock(&self.in_flight).insert(id.to_owned()) {
            return Err(DraftError::Locked("this registration is being sent"));
        }
        let guard = InFlight {
            set: &self.in_flight,
            id: id.to_owned(),
        };
        let draft = self.change(id, Some(profile_id), |d| {
            queue_rules(d, form)?;
            d.state = DraftState::Sending;
            Ok(())
        })?;
        Ok((draft, guard))
    }

    /// Records the customer Dinie registered for a draft.
    pub fn record_created(&self, id: &str, customer_id: &str) -> Result<(), DraftError> {
        self.change(id, None, |d| {
            d.customer_id = Some(customer_id.to_owned());
            Ok(())
        })
        .map(drop)
    }

    /// Records the customer of a draft that has nothing else to send: sent.
    pub fn mark_sent(&self, id: &str, customer_id: &str) -> Result<(), DraftError> {
        self.change(id, None, |d| {
            d.customer_id = Some(customer_id.to_owned());
            d.state = DraftState::Sent;
            d.problem = None;
            Ok(())
        })
        .map(drop)
    }

    /// Records a document's state (and why, when it was not sent).
    pub fn document_state(
        &self,
        doc_id: &str,
        state: DocumentState,
        problem: Option<&str>,
    ) -> Result<(), DraftError> {
        self.with_tx(|tx| {
            tx.execute(
                "UPDATE draft_documents SET state = ?2, problem = ?3 WHERE id = ?1",
                params![doc_id, state.as_str(), problem],
            )?;
            Ok(())
        })
    }

    /// The draft is done: sent, or needing the agent for the given reason.
    pub fn finish(&self, id: &str, problem: Option<DraftProblem>) -> Result<Draft, DraftError> {
        self.change(id, None, |d| {
            d.state = if problem.is_some() {
                DraftState::Attention
            } else {
                DraftState::Sent
            };
            // Dinie keeps the answer to a key: a refused create needs a new one once fixed.
            if problem.is_some() && d.customer_id.is_none() {
                d.revision += 1;
            }
            d.problem = problem;
            Ok(())
        })
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
                "SELECT state, COUNT(*) FROM drafts WHERE profile_id = ?1 GROUP BY state",
            )?;
            let rows = stmt.query_map(params![profile_id], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?))
            })?;
            for row in rows {
                let (state, n) = row?;
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
