//! The drafts database: SQLite in WAL mode with `synchronous = FULL`, one transaction per state
//! change, so what was saved survives a crash or a power cut (one record only, that a draft
//! with nothing else to send was sent, may be lost to a power cut: the next run recovers it,
//! see `mark_sent`). Personal data (the form, the
//! problem, file names) is sealed; what the queue needs to work (states, ids, times, document
//! types) is not. Document files live sealed in `blobs/`, one file per document.
//!
//! Kept no longer than needed: a document's file is erased once Dinie has it, a sent draft
//! shrinks to a stub (name, masked CPF, customer id) and goes after [`SENT_KEPT_DAYS`], and
//! what is deleted is overwritten (`secure_delete`, the WAL truncated after a discard).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};

use super::{
    DocumentState, Draft, DraftDocument, DraftError, DraftProblem, DraftState, RegistrationForm,
};
use crate::blocking::off_the_runtime;
use crate::services::drafts::sealing::Sealer;
use crate::services::reason::Reason;

pub use outbox::{Begun, InFlight, UPLOAD_TIMEOUTS_BEFORE_ATTENTION};
pub use schema::SCHEMA_VERSION;

/// How long a sent draft's stub stays in the list (its customer is on Dinie's side).
pub const SENT_KEPT_DAYS: i64 = 30;
/// Failures of this computer's own (a file missing or damaged) before a draft waits for the
/// agent instead of being retried.
pub const LOCAL_FAILURES_BEFORE_ATTENTION: u32 = 3;

/// What is sealed in a draft row.
#[derive(Serialize, Deserialize)]
struct Sealed {
    form: RegistrationForm,
    problem: Option<DraftProblem>,
}

/// How many drafts of a connection are where.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Counts {
    pub editing: u32,
    /// Queued or mid-send: what the header calls "waiting".
    pub waiting: u32,
    pub attention: u32,
    pub sent: u32,
    /// Sealed with a key the keychain no longer has: never sent, only discarded.
    pub unreadable: u32,
}

/// Why a draft row cannot be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unreadable {
    /// Sealed with a key the keychain no longer has (reset, another desktop, another profile).
    OtherKey,
    /// Sealed with this key, but the bytes do not open or do not parse.
    Damaged,
}

/// A draft that cannot be opened: what is known of it without decrypting.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UnreadableDraft {
    pub id: String,
    pub profile_id: String,
    pub reason: Unreadable,
    pub created_at: i64,
    pub updated_at: i64,
}

/// Every draft: those that open, and those that do not (never failing the whole list).
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DraftList {
    pub drafts: Vec<Draft>,
    pub unreadable: Vec<UnreadableDraft>,
}

/// The fields that identify a registration at Dinie, compared as Dinie compares them.
fn identity(form: &RegistrationForm) -> (String, String, String) {
    let plain = |v: &str| {
        v.chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_uppercase()
    };
    (
        plain(&form.cpf),
        plain(form.cnpj.as_deref().unwrap_or_default()),
        form.external_id
            .as_deref()
            .unwrap_or_default()
            .trim()
            .to_owned(),
    )
}

/// Once a create may have reached Dinie (sent, and no answer came back), the CPF, CNPJ and
/// external id cannot change until the next send has found out what Dinie has.
fn identity_kept(d: &Draft, form: &RegistrationForm) -> Result<(), DraftError> {
    if d.create_unconfirmed && identity(&d.form) != identity(form) {
        return Err(DraftError::IdentityFrozen);
    }
    Ok(())
}

/// A draft is changed and sent only on its own connection.
fn owned_by(d: &Draft, profile_id: &str) -> Result<(), DraftError> {
    if d.profile_id != profile_id {
        return Err(DraftError::OtherConnection {
            profile_id: d.profile_id.clone(),
        });
    }
    Ok(())
}

/// A sent draft's form as kept: enough for the agent to recognise it in the list.
fn stub(form: &RegistrationForm) -> RegistrationForm {
    let digits: String = form.cpf.chars().filter(char::is_ascii_digit).collect();
    let cpf = if digits.len() == 11 {
        format!("***.{}.{}-**", &digits[3..6], &digits[6..9])
    } else {
        String::new()
    };
    RegistrationForm {
        cpf,
        name: form.name.clone(),
        ..Default::default()
    }
}

/// What queueing a draft does to it: refused while it is being sent or once sent; the form
/// is kept only until Dinie registered it (after that only its documents remain to send).
fn queue_rules(d: &mut Draft, profile_id: &str, form: &RegistrationForm) -> Result<(), DraftError> {
    owned_by(d, profile_id)?;
    if d.state == DraftState::Sending {
        return Err(DraftError::Locked("this registration is being sent"));
    }
    if d.state == DraftState::Sent {
        return Err(DraftError::Locked("this registration was already sent"));
    }
    if d.customer_id.is_none() {
        identity_kept(d, form)?;
        d.form = form.clone();
    }
    d.state = DraftState::Queued;
    d.problem = None;
    d.attempts = 0;
    d.local_failures = 0;
    d.next_attempt_at = 0;
    Ok(())
}

/// The drafts database and blob folder.
pub struct DraftStore {
    db: Mutex<Connection>,
    sealer: Sealer,
    /// The row of `sealer`'s key in `keys`: rows of any other key are not opened.
    key_id: i64,
    blobs: PathBuf,
    /// A damaged database set aside at open, for the agent to be told.
    set_aside: Option<PathBuf>,
    /// Drafts a send is working on in this process (the database says `sending` also for
    /// those a stopped run left, which must be resumable).
    /// Shared with the guards ([`InFlight`]) a send holds, which may outlive a borrow of the store.
    in_flight: Arc<Mutex<HashSet<String>>>,
    /// Sent drafts' forms were shrunk since the last checkpoint: their old rows may linger in
    /// the WAL until [`settle`](Self::settle).
    unsettled: std::sync::atomic::AtomicBool,
}

use crate::locks::lock;

impl std::fmt::Debug for DraftStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DraftStore")
            .field("blobs", &self.blobs)
            .finish()
    }
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl DraftStore {
    /// The sealer of the drafts' key (the customer index seals with it too).
    pub fn sealer(&self) -> &Sealer {
        &self.sealer
    }

    /// Opens (or creates) `dir/drafts.db` and `dir/blobs/` (a damaged database is set aside and
    /// a new one started), finds which recorded key `sealer` is, removes sent drafts past
    /// [`SENT_KEPT_DAYS`], and blob files no row refers to (a crash between writing a file and
    /// recording it).
    pub fn open(dir: &Path, sealer: Sealer) -> Result<Self, DraftError> {
        crate::platform::private_dir(dir)?;
        crate::platform::private_dir(&dir.join("blobs"))?;
        let (mut db, set_aside) = schema::open(dir)?;
        schema::migrate(&mut db)?;
        let tx = db.transaction()?;
        let key_id = keys::current_key(&tx, &sealer)?;
        tx.execute(
            "DELETE FROM drafts WHERE state = 'sent' AND updated_at < ?1",
            params![now_ms() - SENT_KEPT_DAYS * 86_400_000],
        )?;
        tx.commit()?;
        let store = Self {
            db: Mutex::new(db),
            sealer,
            key_id,
            blobs: dir.join("blobs"),
            set_aside,
            in_flight: Arc::new(Mutex::new(HashSet::new())),
            unsettled: std::sync::atomic::AtomicBool::new(false),
        };
        // Best effort: a file the system holds (an antivirus scan) must not keep drafts shut.
        if let Err(e) = store.remove_orphan_blobs() {
            tracing::warn!(error = %e, "could not clear the drafts' leftover files");
        }
        Ok(store)
    }

    /// The damaged database set aside when this store opened, if one was.
    pub fn set_aside(&self) -> Option<&Path> {
        self.set_aside.as_deref()
    }

    /// Empties the WAL of what sent drafts had (see [`checkpoint`](Self::checkpoint)), once
    /// for however many were sent since the last time: the worker settles at the end of each
    /// run, a send from the form right after it (one checkpoint per draft made a sync of a
    /// thousand drafts twice as slow).
    pub fn settle(&self) {
        if self
            .unsettled
            .swap(false, std::sync::atomic::Ordering::SeqCst)
        {
            self.checkpoint();
        }
    }

    /// Writes the WAL into the database and empties it, so that deleted rows do not linger
    /// in it (best effort: a reader may hold it; the next one does it).
    fn checkpoint(&self) {
        off_the_runtime(|| {
            let db = lock(&self.db);
            if let Err(e) = db.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())) {
                tracing::info!(error = %e, "drafts checkpoint postponed");
            }
        });
    }

    /// Erases a document's file (best effort: logged when it cannot be).
    fn erase_blob(&self, doc_id: &str) {
        if let Err(e) = remove_if_there(&self.blob_path(doc_id)) {
            tracing::warn!(error = %e, "could not erase a sent document's file");
        }
    }

    /// Runs `f` in one transaction. Its commit waits for the disk (an fsync), and other calls
    /// wait for the database meanwhile: off the runtime, the sync's other sends go on.
    fn with_tx<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, DraftError>,
    ) -> Result<T, DraftError> {
        off_the_runtime(|| transact(&mut lock(&self.db), f))
    }

    /// As [`with_tx`](Self::with_tx), but the commit does not wait for the disk. It survives
    /// a crash or a kill of the app (it is in the WAL, in the system's cache); a power cut may
    /// lose it, with any later commit that did not wait either, but never the database's
    /// consistency (WAL with `synchronous = NORMAL`), and the next commit that waits takes it
    /// to the disk too. Only for a record whose loss the next run recovers from by itself.
    fn with_tx_unsynced<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, DraftError>,
    ) -> Result<T, DraftError> {
        off_the_runtime(|| {
            let mut db = lock(&self.db);
            db.pragma_update(None, "synchronous", "NORMAL")?;
            let out = transact(&mut db, f);
            let restored = db.pragma_update(None, "synchronous", "FULL");
            let out = out?;
            restored?;
            Ok(out)
        })
    }

    fn blob_path(&self, doc_id: &str) -> PathBuf {
        self.blobs.join(format!("{doc_id}.sealed"))
    }

    fn remove_orphan_blobs(&self) -> Result<(), DraftError> {
        let known: std::collections::HashSet<String> = self.with_tx(|tx| {
            let mut stmt = tx.prepare("SELECT id FROM draft_documents")?;
            let ids = stmt
                .query_map([], |r| r.get::<_, String>(0))?
                .collect::<Result<_, _>>()?;
            Ok(ids)
        })?;
        for entry in std::fs::read_dir(&self.blobs)?.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let id = name.strip_suffix(".sealed").unwrap_or(&name);
            if !known.contains(id) {
                if let Err(e) = std::fs::remove_file(entry.path()) {
                    tracing::warn!(error = %e, "could not remove a leftover draft file");
                }
            }
        }
        Ok(())
    }

    fn seal(&self, id: &str, form: &RegistrationForm, problem: &Option<DraftProblem>) -> Vec<u8> {
        let sealed = Sealed {
            form: form.clone(),
            problem: problem.clone(),
        };
        // Serialising plain strings and maps cannot fail.
        let json = serde_json::to_vec(&sealed).unwrap_or_default();
        self.sealer.seal(id, &json)
    }

    fn load(&self, tx: &Transaction<'_>, id: &str) -> Result<Draft, DraftError> {
        let row = tx
            .prepare_cached(
                "SELECT profile_id, state, sealed, customer_id, revision, attempts, next_attempt_at, created_at, updated_at, key_id, local_failures, create_unconfirmed FROM drafts WHERE id = ?1",
            )?
            .query_row(
                params![id],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, Vec<u8>>(2)?,
                        r.get::<_, Option<String>>(3)?,
                        r.get::<_, u32>(4)?,
                        r.get::<_, u32>(5)?,
                        r.get::<_, i64>(6)?,
                        r.get::<_, i64>(7)?,
                        r.get::<_, i64>(8)?,
                        (
                            r.get::<_, Option<i64>>(9)?,
                            r.get::<_, u32>(10)?,
                            r.get::<_, bool>(11)?,
                        ),
                    ))
                },
            )
            .optional()?
            .ok_or(DraftError::NotFound)?;
        let (
            profile_id,
            state,
            sealed,
            customer_id,
            revision,
            attempts,
            next,
            created,
            updated,
            extra,
        ) = row;
        let (key_id, local_failures, create_unconfirmed) = extra;
        if key_id != Some(self.key_id) {
            return Err(DraftError::OtherKey);
        }
        let plain = self.sealer.open(id, &sealed)?;
        let Sealed { form, problem } =
            serde_json::from_slice(&plain).map_err(|e| DraftError::Damaged(e.to_string()))?;
        let mut stmt = tx.prepare_cached(
            "SELECT id, doc_type, sealed_name, format, size, state, problem, timeouts FROM draft_documents WHERE draft_id = ?1 ORDER BY added_at, id",
        )?;
        let rows = stmt
            .query_map(params![id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Vec<u8>>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, u64>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, Option<String>>(6)?,
                    r.get::<_, u32>(7)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let mut documents = Vec::with_capacity(rows.len());
        for (doc_id, doc_type, sealed_name, format, size, state, problem, timeouts) in rows {
            let name =
                String::from_utf8_lossy(&self.sealer.open(&doc_id, &sealed_name)?).into_owned();
            documents.push(DraftDocument {
                id: doc_id,
                doc_type,
                name,
                format,
                size,
                state: DocumentState::parse(&state),
                problem: problem.map(|p| stored_reason(&p)),
                timeouts,
            });
        }
        Ok(Draft {
            id: id.to_owned(),
            profile_id,
            state: DraftState::parse(&state),
            form,
            problem,
            customer_id,
            revision,
            attempts,
            local_failures,
            create_unconfirmed,
            next_attempt_at: next,
            created_at: created,
            updated_at: updated,
            documents,
        })
    }

    fn write(&self, tx: &Transaction<'_>, d: &Draft) -> Result<(), DraftError> {
        tx.execute(
            "INSERT INTO drafts (id, profile_id, state, sealed, customer_id, revision, attempts, next_attempt_at, created_at, updated_at, key_id, local_failures, create_unconfirmed)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
             ON CONFLICT (id) DO UPDATE SET profile_id = ?2, state = ?3, sealed = ?4, customer_id = ?5, revision = ?6, attempts = ?7, next_attempt_at = ?8, updated_at = ?10, key_id = ?11, local_failures = ?12, create_unconfirmed = ?13",
            params![
                d.id,
                d.profile_id,
                d.state.as_str(),
                self.seal(&d.id, &d.form, &d.problem),
                d.customer_id,
                d.revision,
                d.attempts,
                d.next_attempt_at,
                d.created_at,
                d.updated_at,
                self.key_id,
                d.local_failures,
                d.create_unconfirmed,
            ],
        )?;
        Ok(())
    }

    /// Reads one draft.
    pub fn get(&self, id: &str) -> Result<Draft, DraftError> {
        self.with_tx(|tx| self.load(tx, id))
    }

    /// Every draft, the most recently changed first; one that does not open is listed apart
    /// (what is known of it without decrypting), never failing the whole list.
    pub fn list(&self) -> Result<DraftList, DraftError> {
        self.with_tx(|tx| {
            let rows: Vec<(String, String, i64, i64)> = tx
                .prepare(
                    "SELECT id, profile_id, created_at, updated_at FROM drafts ORDER BY updated_at DESC, id",
                )?
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
                .collect::<Result<_, _>>()?;
            let mut list = DraftList::default();
            for (id, profile_id, created_at, updated_at) in rows {
                let reason = match self.load(tx, &id) {
                    Ok(draft) => {
                        list.drafts.push(draft);
                        continue;
                    }
                    Err(DraftError::OtherKey) => Unreadable::OtherKey,
                    Err(DraftError::Seal(_) | DraftError::Damaged(_)) => Unreadable::Damaged,
                    Err(e) => return Err(e),
                };
                list.unreadable.push(UnreadableDraft {
                    id,
                    profile_id,
                    reason,
                    created_at,
                    updated_at,
                });
            }
            Ok(list)
        })
    }

    /// Applies `change` to a draft in one transaction (creating it, for `profile_id`, when
    /// `create` is set and it does not exist), and returns it as saved.
    fn change(
        &self,
        id: &str,
        create_for: Option<&str>,
        change: impl FnOnce(&mut Draft) -> Result<(), DraftError>,
    ) -> Result<Draft, DraftError> {
        self.with_tx(|tx| self.apply(tx, id, create_for, change))
    }

    /// As [`change`](Self::change), to an existing draft, without waiting for the disk (see
    /// [`with_tx_unsynced`](Self::with_tx_unsynced)).
    fn change_unsynced(
        &self,
        id: &str,
        change: impl FnOnce(&mut Draft) -> Result<(), DraftError>,
    ) -> Result<Draft, DraftError> {
        self.with_tx_unsynced(|tx| self.apply(tx, id, None, change))
    }

    /// The body of [`change`](Self::change), in the caller's transaction.
    fn apply(
        &self,
        tx: &Transaction<'_>,
        id: &str,
        create_for: Option<&str>,
        change: impl FnOnce(&mut Draft) -> Result<(), DraftError>,
    ) -> Result<Draft, DraftError> {
        let now = now_ms();
        let mut draft = match (self.load(tx, id), create_for) {
            (Ok(d), _) => d,
            (Err(DraftError::NotFound), Some(profile_id)) => Draft {
                id: id.to_owned(),
                profile_id: profile_id.to_owned(),
                state: DraftState::Editing,
                form: RegistrationForm::default(),
                problem: None,
                customer_id: None,
                revision: 0,
                attempts: 0,
                local_failures: 0,
                create_unconfirmed: false,
                next_attempt_at: 0,
                created_at: now,
                updated_at: now,
                documents: Vec::new(),
            },
            (Err(e), _) => return Err(e),
        };
        change(&mut draft)?;
        draft.updated_at = now;
        self.write(tx, &draft)?;
        Ok(draft)
    }

    /// Autosave: keeps what the agent typed. A waiting draft that is edited goes back to
    /// editing (it is sent again when the agent asks); one in attention keeps its reasons.
    pub fn save_form(
        &self,
        id: &str,
        profile_id: &str,
        form: &RegistrationForm,
    ) -> Result<Draft, DraftError> {
        self.change(id, Some(profile_id), |d| {
            owned_by(d, profile_id)?;
            editable(d)?;
            identity_kept(d, form)?;
            if d.form != *form && d.state == DraftState::Queued {
                d.state = DraftState::Editing;
            }
            d.form = form.clone();
            Ok(())
        })
    }

    /// Queues a checked form to be sent (creating the draft if needed).
    pub fn queue(
        &self,
        id: &str,
        profile_id: &str,
        form: &RegistrationForm,
    ) -> Result<Draft, DraftError> {
        self.change(id, Some(profile_id), |d| queue_rules(d, profile_id, form))
    }

    /// Adds drafts in one transaction (an import): each `(form, problem)` becomes a queued
    /// draft, or one needing attention when it has a problem.
    pub fn add_many(
        &self,
        profile_id: &str,
        rows: Vec<(RegistrationForm, Option<DraftProblem>)>,
    ) -> Result<Vec<String>, DraftError> {
        self.with_tx(|tx| {
            let now = now_ms();
            let mut ids = Vec::with_capacity(rows.len());
            for (i, (form, problem)) in rows.into_iter().enumerate() {
                let draft = Draft {
                    id: uuid::Uuid::new_v4().to_string(),
                    profile_id: profile_id.to_owned(),
                    state: if problem.is_some() {
                        DraftState::Attention
                    } else {
                        DraftState::Queued
                    },
                    form,
                    problem,
                    customer_id: None,
                    revision: 0,
                    attempts: 0,
                    local_failures: 0,
                    create_unconfirmed: false,
                    next_attempt_at: 0,
                    // Keep the file's order in the queue.
                    created_at: now + i as i64,
                    updated_at: now,
                    documents: Vec::new(),
                };
                self.write(tx, &draft)?;
                ids.push(draft.id);
            }
            Ok(ids)
        })
    }

    /// Deletes a draft and erases its files (not while this process is sending it; one a
    /// stopped run left `sending` may go). Nothing is decrypted, so a draft that does not
    /// open (another key, damaged) goes too; its bytes are overwritten, in the WAL as well.
    pub fn discard(&self, id: &str) -> Result<(), DraftError> {
        let doc_ids = self.with_tx(|tx| {
            if lock(&self.in_flight).contains(id) {
                return Err(DraftError::Locked(
                    "this registration is being sent; discard it when it is done",
                ));
            }
            let doc_ids: Vec<String> = tx
                .prepare_cached("SELECT id FROM draft_documents WHERE draft_id = ?1")?
                .query_map(params![id], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            if tx.execute("DELETE FROM drafts WHERE id = ?1", params![id])? == 0 {
                return Err(DraftError::NotFound);
            }
            Ok(doc_ids)
        })?;
        for doc in doc_ids {
            remove_if_there(&self.blob_path(&doc))?;
        }
        self.checkpoint();
        Ok(())
    }

    /// Moves a draft not yet registered to another connection (the agent confirmed it): it
    /// goes back to editing, under a new idempotency key. Refused once its create may have
    /// reached its own connection.
    pub fn move_to(&self, id: &str, profile_id: &str) -> Result<Draft, DraftError> {
        self.change(id, None, |d| {
            if d.profile_id == profile_id {
                return Ok(());
            }
            editable(d)?;
            if d.customer_id.is_some() || d.create_unconfirmed {
                return Err(DraftError::Locked(
                    "this registration may already be on its own connection; send it there",
                ));
            }
            d.profile_id = profile_id.to_owned();
            d.revision += 1;
            d.state = DraftState::Editing;
            d.problem = None;
            d.attempts = 0;
            d.local_failures = 0;
            d.next_attempt_at = 0;
            Ok(())
        })
    }
}

/// A draft the agent may still change.
/// Runs `f` in one transaction of `db`, committed when it succeeds.
fn transact<T>(
    db: &mut Connection,
    f: impl FnOnce(&Transaction<'_>) -> Result<T, DraftError>,
) -> Result<T, DraftError> {
    let tx = db.transaction()?;
    let out = f(&tx)?;
    tx.commit()?;
    Ok(out)
}

fn editable(d: &Draft) -> Result<(), DraftError> {
    match d.state {
        DraftState::Sending => Err(DraftError::Locked(
            "this registration is being sent; wait until it is done",
        )),
        DraftState::Sent => Err(DraftError::Locked(
            "this registration was already sent: correct it on the customer's page",
        )),
        _ => Ok(()),
    }
}

fn remove_if_there(path: &Path) -> Result<(), std::io::Error> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

mod documents;
mod keys;
mod outbox;
mod schema;

#[cfg(test)]
mod tests;

/// A document's stored problem: a reason as JSON, or (format 2) an English sentence.
fn stored_reason(stored: &str) -> Reason {
    serde_json::from_str(stored).unwrap_or_else(|_| Reason::legacy(stored))
}
