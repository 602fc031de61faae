//! The drafts database: SQLite in WAL mode with `synchronous = FULL`, one transaction per state
//! change, so what was saved survives a crash or a power cut. Personal data (the form, the
//! problem, file names) is sealed; what the queue needs to work (states, ids, times, document
//! types) is not. Document files live sealed in `blobs/`, one file per document.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};

use super::{
    DocumentState, Draft, DraftDocument, DraftError, DraftProblem, DraftState, RegistrationForm,
};
use crate::services::drafts::sealing::Sealer;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS drafts (
    id TEXT PRIMARY KEY,
    profile_id TEXT NOT NULL,
    state TEXT NOT NULL,
    sealed BLOB NOT NULL,
    customer_id TEXT,
    revision INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS drafts_queue ON drafts (profile_id, state, next_attempt_at);
CREATE TABLE IF NOT EXISTS draft_documents (
    id TEXT PRIMARY KEY,
    draft_id TEXT NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    doc_type TEXT NOT NULL,
    sealed_name BLOB NOT NULL,
    format TEXT NOT NULL,
    size INTEGER NOT NULL,
    state TEXT NOT NULL,
    document_id TEXT,
    problem TEXT,
    added_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS draft_documents_draft ON draft_documents (draft_id);
";

/// The version of the stored format (`PRAGMA user_version`), raised by each migration.
/// 0: a database of a release before versions were kept (the same tables as 1).
/// 1: that schema, versioned; the sealed form may lack a CNPJ (the previous release's drafts)
///    and keeps a trading name the app no longer sends.
pub const SCHEMA_VERSION: i64 = 1;

/// Brings a database to [`SCHEMA_VERSION`], one step at a time, each in the transaction that
/// sets its version. A database of a newer release is refused (not misread, not downgraded).
fn migrate(db: &mut Connection) -> Result<(), DraftError> {
    let found: i64 = db.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(DraftError::NewerFormat {
            found,
            known: SCHEMA_VERSION,
        });
    }
    let tx = db.transaction()?;
    // 0 → 1: the tables are the same; only the version is recorded.
    tx.execute_batch(SCHEMA)?;
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    tx.commit()?;
    Ok(())
}

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
}

/// What queueing a draft does to it: refused while it is being sent or once sent; the form
/// is kept only until Dinie registered it (after that only its documents remain to send).
fn queue_rules(d: &mut Draft, form: &RegistrationForm) -> Result<(), DraftError> {
    if d.state == DraftState::Sending {
        return Err(DraftError::Locked("this registration is being sent"));
    }
    if d.state == DraftState::Sent {
        return Err(DraftError::Locked("this registration was already sent"));
    }
    if d.customer_id.is_none() {
        d.form = form.clone();
    }
    d.state = DraftState::Queued;
    d.problem = None;
    d.attempts = 0;
    d.next_attempt_at = 0;
    Ok(())
}

/// The drafts database and blob folder.
pub struct DraftStore {
    db: Mutex<Connection>,
    sealer: Sealer,
    blobs: PathBuf,
    /// Drafts a send is working on in this process (the database says `sending` also for
    /// those a stopped run left, which must be resumable).
    in_flight: Mutex<HashSet<String>>,
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
    /// Opens (or creates) `dir/drafts.db` and `dir/blobs/`, and removes blob files no row
    /// refers to (a crash between writing a file and recording it).
    pub fn open(dir: &Path, sealer: Sealer) -> Result<Self, DraftError> {
        crate::platform::private_dir(dir)?;
        crate::platform::private_dir(&dir.join("blobs"))?;
        let db = Connection::open(dir.join("drafts.db"))?;
        db.pragma_update(None, "journal_mode", "WAL")?;
        db.pragma_update(None, "synchronous", "FULL")?;
        db.pragma_update(None, "foreign_keys", "ON")?;
        db.busy_timeout(std::time::Duration::from_secs(5))?;
        let mut db = db;
        migrate(&mut db)?;
        let store = Self {
            db: Mutex::new(db),
            sealer,
            blobs: dir.join("blobs"),
            in_flight: Mutex::new(HashSet::new()),
        };
        store.remove_orphan_blobs()?;
        Ok(store)
    }

    fn with_tx<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, DraftError>,
    ) -> Result<T, DraftError> {
        let mut db = lock(&self.db);
        let tx = db.transaction()?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
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
                std::fs::remove_file(entry.path())?;
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
                "SELECT profile_id, state, sealed, customer_id, revision, attempts, next_attempt_at, created_at, updated_at FROM drafts WHERE id = ?1",
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
                    ))
                },
            )
            .optional()?
            .ok_or(DraftError::NotFound)?;
        let (profile_id, state, sealed, customer_id, revision, attempts, next, created, updated) =
            row;
        let plain = self.sealer.open(id, &sealed)?;
        let Sealed { form, problem } =
            serde_json::from_slice(&plain).map_err(|e| DraftError::Damaged(e.to_string()))?;
        let mut stmt = tx.prepare_cached(
            "SELECT id, doc_type, sealed_name, format, size, state, problem FROM draft_documents WHERE draft_id = ?1 ORDER BY added_at, id",
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
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let mut documents = Vec::with_capacity(rows.len());
        for (doc_id, doc_type, sealed_name, format, size, state, problem) in rows {
            let name =
                String::from_utf8_lossy(&self.sealer.open(&doc_id, &sealed_name)?).into_owned();
            documents.push(DraftDocument {
                id: doc_id,
                doc_type,
                name,
                format,
                size,
                state: DocumentState::parse(&state),
                problem,
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
            next_attempt_at: next,
            created_at: created,
            updated_at: updated,
            documents,
        })
    }

    fn write(&self, tx: &Transaction<'_>, d: &Draft) -> Result<(), DraftError> {
        tx.execute(
            "INSERT INTO drafts (id, profile_id, state, sealed, customer_id, revision, attempts, next_attempt_at, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
             ON CONFLICT (id) DO UPDATE SET state = ?3, sealed = ?4, customer_id = ?5, revision = ?6, attempts = ?7, next_attempt_at = ?8, updated_at = ?10",
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
            ],
        )?;
        Ok(())
    }

    /// Reads one draft.
    pub fn get(&self, id: &str) -> Result<Draft, DraftError> {
        self.with_tx(|tx| self.load(tx, id))
    }

    /// Every draft, the most recently changed first.
    pub fn list(&self) -> Result<Vec<Draft>, DraftError> {
        self.with_tx(|tx| {
            let ids: Vec<String> = tx
                .prepare("SELECT id FROM drafts ORDER BY updated_at DESC, id")?
                .query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            ids.iter().map(|id| self.load(tx, id)).collect()
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
        self.with_tx(|tx| {
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
        })
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
            editable(d)?;
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
        self.change(id, Some(profile_id), |d| queue_rules(d, form))
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
    /// stopped run left `sending` may go).
    pub fn discard(&self, id: &str) -> Result<(), DraftError> {
        let doc_ids = self.with_tx(|tx| {
            let draft = self.load(tx, id)?;
            if lock(&self.in_flight).contains(id) {
                return Err(DraftError::Locked(
                    "this registration is being sent; discard it when it is done",
                ));
            }
            tx.execute("DELETE FROM drafts WHERE id = ?1", params![id])?;
            Ok(draft
                .documents
                .into_iter()
                .map(|d| d.id)
                .collect::<Vec<_>>())
        })?;
        for doc in doc_ids {
            remove_if_there(&self.blob_path(&doc))?;
        }
        Ok(())
    }

    /// Attaches a document: the bytes are sealed into the blob folder first (written to a
    /// temporary name, flushed, renamed), then recorded.
    pub fn attach(
        &self,
        draft_id: &str,
        doc_type: &str,
        name: &str,
        format: &str,
        bytes: &[u8],
    ) -> Result<DraftDocument, DraftError> {
        let id = uuid::Uuid::new_v4().to_string();
        let path = self.blob_path(&id);
        let tmp = path.with_extension("tmp");
        {
            use std::io::Write;
            let mut file = std::fs::File::create(&tmp)?;
            file.write_all(&self.sealer.seal(&id, bytes))?;
            file.sync_all()?;
        }
        std::fs::rename(&tmp, &path)?;
        let recorded = self.change(draft_id, None, |d| editable(d));
        let recorded = recorded.and_then(|_| {
            self.with_tx(|tx| {
                tx.execute(
                    "INSERT INTO draft_documents (id, draft_id, doc_type, sealed_name, format, size, state, added_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', ?7)",
                    params![id, draft_id, doc_type, self.sealer.seal(&id, name.as_bytes()), format, bytes.len() as u64, now_ms()],
                )?;
                Ok(())
            })
        });
        if let Err(e) = recorded {
            remove_if_there(&path)?;
            return Err(e);
        }
        Ok(DraftDocument {
            id,
            doc_type: doc_type.to_owned(),
            name: name.to_owned(),
            format: format.to_owned(),
            size: bytes.len() as u64,
            state: DocumentState::Pending,
            problem: None,
        })
    }

    fn document_owner(&self, tx: &Transaction<'_>, doc_id: &str) -> Result<String, DraftError> {
        tx.query_row(
            "SELECT draft_id FROM draft_documents WHERE id = ?1",
            params![doc_id],
            |r| r.get(0),
        )
        .optional()?
        .ok_or(DraftError::NotFound)
    }

    /// Removes a document not yet sent, and erases its file.
    pub fn remove_document(&self, doc_id: &str) -> Result<(), DraftError> {
        self.with_tx(|tx| {
            let draft = self.load(tx, &self.document_owner(tx, doc_id)?)?;
            editable(&draft)?;
            tx.execute("DELETE FROM draft_documents WHERE id = ?1", params![doc_id])?;
            Ok(())
        })?;
        remove_if_there(&self.blob_path(doc_id))?;
        Ok(())
    }

    /// Changes a document's type; it will be sent (again) on the next sync.
    pub fn set_document_type(&self, doc_id: &str, doc_type: &str) -> Result<(), DraftError> {
        self.with_tx(|tx| {
            let draft = self.load(tx, &self.document_owner(tx, doc_id)?)?;
            editable(&draft)?;
            tx.execute(
                "UPDATE draft_documents SET doc_type = ?2, state = 'pending', problem = NULL WHERE id = ?1 AND state != 'uploaded'",
                params![doc_id, doc_type],
            )?;
            Ok(())
        })
    }

    /// A document's bytes, opened.
    pub fn read_document(&self, doc_id: &str) -> Result<Vec<u8>, DraftError> {
        let sealed = std::fs::read(self.blob_path(doc_id)).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                DraftError::NotFound
            } else {
                e.into()
            }
        })?;
        Ok(self.sealer.open(doc_id, &sealed)?)
    }
}

/// A draft the agent may still change.
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

mod outbox;

#[cfg(test)]
mod tests;
