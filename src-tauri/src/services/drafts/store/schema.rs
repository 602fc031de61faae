//! The drafts database's format: its tables, its version (`PRAGMA user_version`) and the
//! migrations from each earlier release, and opening a file that may be damaged.

use std::path::{Path, PathBuf};

use rusqlite::Connection;

use super::DraftError;

/// The tables of format 1 (also what an unversioned database of an earlier release has).
const SCHEMA_V1: &str = "
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

/// 1 → 2: which key sealed each row (a check value per key, so that a key the keychain lost is
/// told from a damaged row without decrypting anything), failures of this computer's own
/// (a missing file) counted apart from the API's, and whether a create may have reached Dinie.
const V1_TO_V2: &str = "
CREATE TABLE keys (
    id INTEGER PRIMARY KEY,
    check_value BLOB NOT NULL,
    created_at INTEGER NOT NULL
);
ALTER TABLE drafts ADD COLUMN key_id INTEGER REFERENCES keys (id);
ALTER TABLE drafts ADD COLUMN local_failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE drafts ADD COLUMN create_unconfirmed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE draft_documents ADD COLUMN timeouts INTEGER NOT NULL DEFAULT 0;
";

/// The version of the stored format (`PRAGMA user_version`), raised by each migration.
/// 0: a database of a release before versions were kept (the same tables as 1).
/// 1: that schema, versioned; the sealed form may lack a CNPJ (the drafts of release 0) and
///    keeps a trading name the app no longer sends.
/// 2: the sealing key of each row (`keys`, `drafts.key_id`; rows of 1 have none until opened
///    with their key), `local_failures`, `create_unconfirmed`, `draft_documents.timeouts`.
pub const SCHEMA_VERSION: i64 = 2;

/// Brings a database to [`SCHEMA_VERSION`], one step at a time, each in the transaction that
/// sets its version. A database of a newer release is refused (not misread, not downgraded).
pub(super) fn migrate(db: &mut Connection) -> Result<(), DraftError> {
    let found: i64 = db.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(DraftError::NewerFormat {
            found,
            known: SCHEMA_VERSION,
        });
    }
    if found < 1 {
        // 0 → 1: the tables are the same; only the version is recorded.
        let tx = db.transaction()?;
        tx.execute_batch(SCHEMA_V1)?;
        tx.pragma_update(None, "user_version", 1)?;
        tx.commit()?;
    }
    if found < 2 {
        let tx = db.transaction()?;
        tx.execute_batch(V1_TO_V2)?;
        tx.pragma_update(None, "user_version", 2)?;
        tx.commit()?;
    }
    Ok(())
}

/// Opens `path` with the settings every use relies on, and checks that it is a sound SQLite
/// database (`quick_check`).
fn open_sound(path: &Path) -> Result<Connection, DraftError> {
    let db = Connection::open(path)?;
    db.busy_timeout(std::time::Duration::from_secs(5))?;
    db.pragma_update(None, "journal_mode", "WAL")?;
    db.pragma_update(None, "synchronous", "FULL")?;
    db.pragma_update(None, "foreign_keys", "ON")?;
    // What is deleted is overwritten, not left in free pages (a discarded borrower's data).
    db.pragma_update(None, "secure_delete", "ON")?;
    let verdict: String = db.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
    if verdict != "ok" {
        return Err(DraftError::Damaged(verdict));
    }
    Ok(db)
}

/// Whether opening failed because the file is not a sound database (as opposed to a busy or
/// read-only disk, or a newer format, which must not be touched).
fn is_damaged(e: &DraftError) -> bool {
    match e {
        DraftError::Damaged(_) => true,
        DraftError::Db(rusqlite::Error::SqliteFailure(f, _)) => matches!(
            f.code,
            rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt
        ),
        _ => false,
    }
}

/// Opens (or creates) the database at `dir/drafts.db`. A damaged file is set aside (with its
/// WAL and the blob folder, renamed `*.corrupt-<time>`) and a new one started: the second
/// value names what was set aside, for the agent to be told.
pub(super) fn open(dir: &Path) -> Result<(Connection, Option<PathBuf>), DraftError> {
    let path = dir.join("drafts.db");
    match open_sound(&path) {
        Ok(db) => Ok((db, None)),
        Err(e) if is_damaged(&e) => {
            tracing::error!(error = %e, "the drafts database is damaged; setting it aside");
            let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
            let aside = dir.join(format!("drafts.db.corrupt-{stamp}"));
            std::fs::rename(&path, &aside)?;
            for suffix in ["-wal", "-shm"] {
                let side = dir.join(format!("drafts.db{suffix}"));
                if side.exists() {
                    std::fs::rename(
                        &side,
                        dir.join(format!("drafts.db.corrupt-{stamp}{suffix}")),
                    )?;
                }
            }
            let blobs = dir.join("blobs");
            if blobs.exists() {
                std::fs::rename(&blobs, dir.join(format!("blobs.corrupt-{stamp}")))?;
                crate::platform::private_dir(&blobs)?;
            }
            Ok((open_sound(&path)?, Some(aside)))
        }
        Err(e) => Err(e),
    }
}
