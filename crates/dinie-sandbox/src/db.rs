//! The sandbox's SQLite store: one connection behind a mutex, used from `spawn_blocking`.
//! Holding the mutex for a whole handler's transaction is what makes concurrent identical
//! creates register exactly one customer.

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::Connection;

use crate::error::ApiError;

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS customers (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT NOT NULL UNIQUE,
    partner     TEXT NOT NULL,
    cpf         TEXT NOT NULL,
    external_id TEXT,
    status      TEXT NOT NULL,
    body        TEXT NOT NULL,
    -- Unix ms of the last change, for `sort=updated_at` (format 3).
    updated_at  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS customers_partner_cpf ON customers (partner, cpf);
CREATE INDEX IF NOT EXISTS customers_partner_ext ON customers (partner, external_id);
-- A page of the list, newest first, read straight from this index (without it, every row
-- of the partner was read and sorted to return a hundred: 96 ms of 10,000 customers).
CREATE INDEX IF NOT EXISTS customers_partner_seq ON customers (partner, seq);
-- The same, by last change (`sort=updated_at`: a partner's mirror refreshed incrementally).
CREATE INDEX IF NOT EXISTS customers_partner_updated ON customers (partner, updated_at, seq);
CREATE TABLE IF NOT EXISTS attachments (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id     TEXT NOT NULL,
    requirement_id  TEXT NOT NULL,
    evidence_type   TEXT NOT NULL,
    attachment_type TEXT NOT NULL,
    file_name       TEXT,
    content_type    TEXT,
    size            INTEGER,
    value           TEXT,
    created_at      INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS tasks (
    customer_id TEXT NOT NULL,
    kind        TEXT NOT NULL,
    due_at      INTEGER NOT NULL,
    PRIMARY KEY (customer_id, kind)
);
CREATE TABLE IF NOT EXISTS tokens (
    token       TEXT PRIMARY KEY,
    partner     TEXT NOT NULL,
    expires_at  INTEGER NOT NULL,
    customer_id TEXT
);
CREATE TABLE IF NOT EXISTS idempotency (
    partner    TEXT NOT NULL,
    key        TEXT NOT NULL,
    request    TEXT NOT NULL,
    status     INTEGER NOT NULL,
    body       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (partner, key)
);
CREATE TABLE IF NOT EXISTS biometrics_sessions (
    code        TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL,
    expires_at  INTEGER NOT NULL,
    state       TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS bank_accounts (
    customer_id TEXT PRIMARY KEY,
    body        TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS credit_offers (
    id          TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL,
    body        TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    id         TEXT NOT NULL UNIQUE,
    partner    TEXT NOT NULL,
    type       TEXT NOT NULL,
    body       TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS deliveries (
    event_id    TEXT NOT NULL,
    delivery_id TEXT NOT NULL,
    url         TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    next_at     INTEGER NOT NULL,
    state       TEXT NOT NULL,
    last_status INTEGER,
    last_error  TEXT,
    PRIMARY KEY (event_id, url)
);
"#;

/// The version of the stored format (`PRAGMA user_version`). 2: Dinie's contract `2026-03-01`
/// (KYC requirements by subject). 3: customers carry `updated_at` in a column of their own
/// (migrated from the body). A file of version 0 or 1 holds customers of the older,
/// never-published model: it is test data, so it is set aside (renamed) and a new file begins.
pub const SCHEMA_VERSION: i64 = 3;

/// Brings a file of format 2 to 3, in one transaction: the `updated_at` column, filled from
/// each customer's body (RFC 3339 there).
fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let has_customers: bool = conn.query_row(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'customers'",
        [],
        |r| r.get::<_, i64>(0).map(|n| n > 0),
    )?;
    if version == 2 && has_customers {
        let tx = conn.transaction()?;
        tx.execute_batch(
            "ALTER TABLE customers ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;
             UPDATE customers SET updated_at = CAST(ROUND(
                 (julianday(json_extract(body, '$.updated_at')) - 2440587.5) * 86400000) AS INTEGER);",
        )?;
        tx.pragma_update(None, "user_version", 3)?;
        tx.commit()?;
    }
    Ok(())
}

/// Renames a database of an older format (and its WAL) out of the way; returns the new name.
fn set_aside_if_old(path: &Path) -> rusqlite::Result<Option<std::path::PathBuf>> {
    if !path.exists() {
        return Ok(None);
    }
    let version: i64 = {
        let conn = Connection::open(path)?;
        let tables: i64 = conn.query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'",
            [],
            |r| r.get(0),
        )?;
        if tables == 0 {
            return Ok(None);
        }
        conn.query_row("PRAGMA user_version", [], |r| r.get(0))?
    };
    // Format 2 is migrated; older ones are set aside.
    if version >= 2 {
        return Ok(None);
    }
    let aside = path.with_extension(format!("v{version}.bak"));
    std::fs::rename(path, &aside)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    for suffix in ["-wal", "-shm"] {
        let mut side = path.as_os_str().to_owned();
        side.push(suffix);
        let _ = std::fs::remove_file(std::path::PathBuf::from(side));
    }
    tracing::warn!(old = %aside.display(), "the sandbox database was of an older format; it was set aside and a new one begun");
    Ok(Some(aside))
}

/// The database handle. Cheap to clone.
#[derive(Clone)]
pub struct Db {
    conn: Arc<Mutex<Connection>>,
}

impl Db {
    /// Opens (creating if needed) the file, or an in-memory database for `None`.
    pub fn open(path: Option<&Path>) -> rusqlite::Result<Self> {
        let mut conn = match path {
            Some(p) => {
                set_aside_if_old(p)?;
                let conn = Connection::open(p)?;
                conn.pragma_update(None, "journal_mode", "WAL")?;
                conn.pragma_update(None, "synchronous", "NORMAL")?;
                conn
            }
            None => Connection::open_in_memory()?,
        };
        conn.pragma_update(None, "foreign_keys", "ON")?;
        migrate(&mut conn)?;
        conn.execute_batch(SCHEMA)?;
        conn.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// How SQLite would run `explain` (an `EXPLAIN QUERY PLAN …`, its parameters unbound):
    /// the plan's lines.
    #[cfg(test)]
    pub(crate) fn plan(&self, explain: &str) -> String {
        let conn = self.conn.lock().unwrap();
        let mut stmt = conn.prepare(explain).unwrap();
        let n = stmt.parameter_count();
        let nulls = vec![rusqlite::types::Null; n];
        let rows = stmt
            .query_map(rusqlite::params_from_iter(nulls), |r| r.get::<_, String>(3))
            .unwrap();
        rows.map(Result::unwrap).collect::<Vec<_>>().join("\n")
    }

    /// Runs `f` in a transaction on a blocking thread; commits when it returns `Ok`.
    pub async fn tx<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&rusqlite::Transaction<'_>) -> Result<T, ApiError> + Send + 'static,
    {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = conn
                .lock()
                .map_err(|_| ApiError::internal("database mutex poisoned"))?;
            let tx = guard.transaction()?;
            let value = f(&tx)?;
            tx.commit()?;
            Ok(value)
        })
        .await
        .map_err(ApiError::internal)?
    }
}
