//! The partner's customers as this computer last saw them: a local index, one per connection,
//! so that the agent finds a borrower by name, e-mail, phone, CNPJ, CPF or external id as they
//! type (Dinie's list filters only by CPF, external id and status), sees what waits on them
//! ("Precisa de ação"), and still finds them offline.
//!
//! - Sealed like the drafts (the drafts' key, from the keychain): names, CPFs and phones are
//!   personal data. What is in clear is only what the refresh needs: ids and times.
//! - Refreshed incrementally: `GET /customers?sort=updated_at&order=desc` page by page, until a
//!   customer no newer than the last refresh's newest (everything past it is known).
//! - Searched in memory: the current connection's entries are opened once; a keystroke is a scan
//!   of prepared text (`make bench`: 50,000 customers).
//! - The details last opened (the detail screen as the agent saw it), so that offline a customer
//!   still opens, marked as last seen. Dinie has all of it: at most [`MAX_DETAILS`] a connection,
//!   none older than [`DETAIL_DAYS`] days, gone with the connection.

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

use rusqlite::{params, Connection as Db, OptionalExtension};
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use crate::locks::lock;
use crate::services::connection::Connection;
use crate::services::customers::{masked_cpf, needs, Need};
use crate::services::drafts::outbox::Outbox;
use crate::services::drafts::sealing::Sealer;
use crate::services::drafts::DraftError;

/// The stored format (`PRAGMA user_version`). 2: the `details` table (format 1 files gain it,
/// empty, and keep their entries).
pub const INDEX_VERSION: i64 = 2;
/// Most details kept per connection (the most recently opened).
pub const MAX_DETAILS: usize = 300;
/// Details older than this are dropped.
pub const DETAIL_DAYS: i64 = 30;
/// Most rows a search answers with (the list shows them at once).
pub const MAX_RESULTS: usize = 200;
/// The file's page cache, in KiB (negative: SQLite's way of saying KiB, not pages).
const CACHE_KIB: i64 = -256;
/// Customers per page of a refresh.
const PAGE: u8 = 100;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS entries (
    profile_id TEXT NOT NULL,
    id         TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    sealed     BLOB NOT NULL,
    PRIMARY KEY (profile_id, id)
);
CREATE TABLE IF NOT EXISTS refreshes (
    profile_id   TEXT PRIMARY KEY,
    newest       INTEGER NOT NULL,
    refreshed_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS details (
    profile_id TEXT NOT NULL,
    id         TEXT NOT NULL,
    seen_at    INTEGER NOT NULL,
    sealed     BLOB NOT NULL,
    PRIMARY KEY (profile_id, id)
);
CREATE INDEX IF NOT EXISTS details_by_age ON details (profile_id, seen_at);";

/// One customer as the index keeps it (sealed at rest).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    pub id: String,
    pub name: String,
    /// Masked.
    pub cpf: String,
    pub cnpj: String,
    pub email: String,
    pub phone: String,
    pub external_id: Option<String>,
    pub status: String,
    pub created_at: String,
    /// Unix ms of Dinie's last change: how long it has waited.
    pub updated_at: i64,
    pub needs: Vec<Need>,
}

impl Entry {
    /// The entry of a customer as Dinie answered it.
    pub fn of(c: &dinie::Customer) -> Self {
        Self {
            id: c.id.to_string(),
            name: c.display_name().to_owned(),
            cpf: masked_cpf(&c.cpf),
            cnpj: c.cnpj.as_deref().map_or_else(String::new, |raw| {
                dinie::br::Cnpj::parse(raw).map_or_else(|_| raw.to_owned(), |n| n.to_string())
            }),
            email: c.email.clone(),
            phone: dinie::br::Phone::parse(&c.phone)
                .map_or_else(|_| c.phone.clone(), |p| p.to_string()),
            external_id: c.external_id.clone(),
            status: c.status.to_string(),
            created_at: c.created_at.to_rfc3339(),
            updated_at: c.updated_at.timestamp_millis(),
            needs: needs(c),
        }
    }
}

/// An entry opened for searching: its text prepared once.
#[derive(Debug, Clone)]
struct Searchable {
    entry: Entry,
    /// Name, e-mail, external id: lower case, without accents.
    words: String,
    /// CPF, CNPJ and phone, digits only (and the CNPJ's letters, upper case).
    digits: String,
}

impl From<Entry> for Searchable {
    fn from(entry: Entry) -> Self {
        let words = fold(&format!(
            "{} {} {}",
            entry.name,
            entry.email,
            entry.external_id.as_deref().unwrap_or_default()
        ));
        let digits = [&entry.cpf, &entry.cnpj, &entry.phone]
            .iter()
            .map(|v| {
                v.chars()
                    .filter(char::is_ascii_alphanumeric)
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
        Self {
            entry,
            words,
            digits,
        }
    }
}

/// Lower case, accents dropped ("João" and "joao" are the same search).
fn fold(text: &str) -> String {
    text.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .collect::<String>()
        .to_lowercase()
}

/// Why the index could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("the customer index failed: {0}")]
    Db(#[from] rusqlite::Error),
    #[error("the customer index's folder could not be made: {0}")]
    Folder(#[from] std::io::Error),
    /// The drafts' key (the index is sealed with it) could not be had.
    #[error(transparent)]
    Key(#[from] DraftError),
    #[error(transparent)]
    Api(#[from] dinie::Error),
    #[error("a detail could not be encoded: {0}")]
    Encode(#[from] serde_json::Error),
}

/// What a search answers.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Found {
    pub customers: Vec<Entry>,
    /// How many matched (more than shown when over [`MAX_RESULTS`]).
    pub total: usize,
    /// Customers in the index of this connection.
    pub indexed: usize,
    /// Unix ms of the last refresh that reached Dinie; `None` before the first.
    pub refreshed_at: Option<i64>,
}

/// The index of every connection (one file, opened on first use), and the current
/// connection's entries opened.
pub struct CustomerIndex {
    dir: PathBuf,
    db: Mutex<Option<Db>>,
    opened: Mutex<Option<Opened>>,
}

struct Opened {
    profile_id: String,
    entries: Vec<Searchable>,
    newest: i64,
    refreshed_at: Option<i64>,
}

impl CustomerIndex {
    /// The index kept in `dir` (nothing is read before it is first used).
    pub fn new(dir: PathBuf) -> Self {
        Self {
            dir,
            db: Mutex::new(None),
            opened: Mutex::new(None),
        }
    }

    /// The database, opened (and made) on first use.
    fn db(&self) -> Result<MutexGuard<'_, Option<Db>>, IndexError> {
        let mut slot = lock(&self.db);
        if slot.is_none() {
            std::fs::create_dir_all(&self.dir)?;
            let db = Db::open(self.dir.join("customer-index.db"))?;
            db.pragma_update(None, "journal_mode", "WAL")?;
            // A cache of what Dinie has: a power cut may lose its last writes, never corrupt
            // it, and a write (a detail opened) costs no fsync on the async runtime.
            db.pragma_update(None, "synchronous", "NORMAL")?;
            // Read once per connection into memory (searches never touch the file), and then
            // written a page of entries at a time: SQLite's default 2 MiB page cache would
            // only keep a second copy of what memory holds.
            db.pragma_update(None, "cache_size", CACHE_KIB)?;
            let version: i64 = db.query_row("PRAGMA user_version", [], |r| r.get(0))?;
            if version > INDEX_VERSION {
                // A newer release's index: it is a cache, so it is begun again, not misread.
                db.execute_batch(
                    "DROP TABLE IF EXISTS entries; DROP TABLE IF EXISTS refreshes; DROP TABLE IF EXISTS details;",
                )?;
            }
            db.execute_batch(SCHEMA)?;
            db.pragma_update(None, "user_version", INDEX_VERSION)?;
            *slot = Some(db);
        }
        Ok(slot)
    }

    /// Opens `profile_id`'s entries into memory (once per connection).
    fn ensure_open(&self, profile_id: &str, sealer: &Sealer) -> Result<(), IndexError> {
        if lock(&self.opened)
            .as_ref()
            .is_some_and(|o| o.profile_id == profile_id)
        {
            return Ok(());
        }
        let guard = self.db()?;
        let Some(db) = guard.as_ref() else {
            return Ok(());
        };
        let mut stmt = db.prepare("SELECT id, sealed FROM entries WHERE profile_id = ?1")?;
        let rows = stmt.query_map(params![profile_id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
        })?;
        let mut entries = Vec::new();
        for row in rows {
            let (id, sealed) = row?;
            // A row sealed with another key (the keychain lost it) is skipped: a refresh
            // brings it back.
            let Ok(plain) = sealer.open(&owner(profile_id, &id), &sealed) else {
                continue;
            };
            if let Ok(entry) = serde_json::from_slice::<Entry>(&plain) {
                entries.push(Searchable::from(entry));
            }
        }
        let (newest, refreshed_at) = db
            .query_row(
                "SELECT newest, refreshed_at FROM refreshes WHERE profile_id = ?1",
                params![profile_id],
                |r| Ok((r.get::<_, i64>(0)?, Some(r.get::<_, i64>(1)?))),
            )
            .optional()?
            .unwrap_or((0, None));
        entries.sort_by_key(|s| std::cmp::Reverse(s.entry.updated_at));
        entries.shrink_to_fit();
        *lock(&self.opened) = Some(Opened {
            profile_id: profile_id.to_owned(),
            entries,
            newest,
            refreshed_at,
        });
        Ok(())
    }

    /// Stores and shows fresh entries (a refresh's, or a customer the app just read).
    pub fn upsert(
        &self,
        profile_id: &str,
        sealer: &Sealer,
        fresh: Vec<Entry>,
    ) -> Result<(), IndexError> {
        if fresh.is_empty() {
            return Ok(());
        }
        self.ensure_open(profile_id, sealer)?;
        {
            let mut guard = self.db()?;
            let Some(db) = guard.as_mut() else {
                return Ok(());
            };
            let tx = db.transaction()?;
            for e in &fresh {
                let plain = serde_json::to_vec(e).unwrap_or_default();
                tx.execute(
                    "INSERT INTO entries (profile_id, id, updated_at, sealed) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (profile_id, id) DO UPDATE SET updated_at = ?3, sealed = ?4",
                    params![profile_id, e.id, e.updated_at, sealer.seal(&owner(profile_id, &e.id), &plain)],
                )?;
            }
            tx.commit()?;
        }
        let mut opened = lock(&self.opened);
        if let Some(o) = opened.as_mut().filter(|o| o.profile_id == profile_id) {
            let ids: std::collections::HashSet<&str> =
                fresh.iter().map(|e| e.id.as_str()).collect();
            o.entries.retain(|s| !ids.contains(s.entry.id.as_str()));
            o.entries.extend(fresh.into_iter().map(Searchable::from));
            o.entries
                .sort_by_key(|s| std::cmp::Reverse(s.entry.updated_at));
        }
        Ok(())
    }

    /// Brings the connection's index up to date with Dinie; returns how many customers changed.
    pub async fn refresh(&self, conn: &Connection, sealer: &Sealer) -> Result<usize, IndexError> {
        let profile_id = conn.profile().id.clone();
        self.ensure_open(&profile_id, sealer)?;
        let known_newest = lock(&self.opened).as_ref().map_or(0, |o| o.newest);
        let mut list = conn
            .client()
            .customers()
            .list()
            .limit(PAGE)
            .sort(dinie::CustomerSort::UpdatedAt)
            .order(dinie::SortOrder::Desc);
        let mut changed = 0;
        let mut newest = known_newest;
        loop {
            let page = list.send().await;
            conn.observe(&page);
            let page = page?;
            let fresh: Vec<Entry> = page
                .data
                .iter()
                .filter(|c| c.updated_at.timestamp_millis() >= known_newest)
                .map(Entry::of)
                .collect();
            let reached_known = fresh.len() < page.data.len();
            newest = fresh.iter().map(|e| e.updated_at).fold(newest, i64::max);
            changed += fresh.len();
            self.upsert(&profile_id, sealer, fresh)?;
            match page.data.last() {
                Some(last) if page.has_more && !reached_known => {
                    list = list.starting_after(&last.id);
                }
                _ => break,
            }
        }
        let now = chrono::Utc::now().timestamp_millis();
        if let Some(db) = self.db()?.as_ref() {
            db.execute(
                "INSERT INTO refreshes (profile_id, newest, refreshed_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (profile_id) DO UPDATE SET newest = ?2, refreshed_at = ?3",
                params![profile_id, newest, now],
            )?;
        }
        if let Some(o) = lock(&self.opened)
            .as_mut()
            .filter(|o| o.profile_id == profile_id)
        {
            o.newest = newest;
            o.refreshed_at = Some(now);
            // Grown page by page (to twice what it holds, at worst): 10,000 entries are a few MiB.
            o.entries.shrink_to_fit();
        }
        Ok(changed)
    }

    /// The customers whose name, e-mail or external id has every word of `text`, or whose
    /// CPF, CNPJ or phone has its digits; most recently changed first.
    pub fn search(
        &self,
        profile_id: &str,
        sealer: &Sealer,
        text: &str,
    ) -> Result<Found, IndexError> {
        self.ensure_open(profile_id, sealer)?;
        // Each word as typed, and its digits (a CPF, CNPJ or phone typed with its mask).
        let words: Vec<(String, String)> = fold(text)
            .split_whitespace()
            .map(|w| {
                let digits: String = w.chars().filter(char::is_ascii_alphanumeric).collect();
                (w.to_owned(), digits)
            })
            .collect();
        Ok(self.select(|s| {
            words.iter().all(|(w, digits)| {
                s.words.contains(w.as_str())
                    || (digits.len() >= 3 && s.digits.contains(digits.as_str()))
            })
        }))
    }

    /// The customers that wait on the agent, the longest waiting first.
    pub fn worklist(&self, profile_id: &str, sealer: &Sealer) -> Result<Found, IndexError> {
        self.ensure_open(profile_id, sealer)?;
        let mut found = self.select(|s| !s.entry.needs.is_empty());
        found.customers.reverse();
        Ok(found)
    }

    fn select(&self, keep: impl Fn(&Searchable) -> bool) -> Found {
        let opened = lock(&self.opened);
        let Some(o) = opened.as_ref() else {
            return Found {
                customers: Vec::new(),
                total: 0,
                indexed: 0,
                refreshed_at: None,
            };
        };
        let mut total = 0;
        let mut customers = Vec::new();
        for s in o.entries.iter().filter(|s| keep(s)) {
            total += 1;
            if customers.len() < MAX_RESULTS {
                customers.push(s.entry.clone());
            }
        }
        Found {
            customers,
            total,
            indexed: o.entries.len(),
            refreshed_at: o.refreshed_at,
        }
    }

    /// Keeps `view` (a customer's detail, as the page got it) as last seen now, sealed; drops
    /// the connection's details past [`MAX_DETAILS`] or [`DETAIL_DAYS`].
    pub fn keep_detail(
        &self,
        profile_id: &str,
        sealer: &Sealer,
        id: &str,
        view: &[u8],
    ) -> Result<(), IndexError> {
        let now = chrono::Utc::now().timestamp_millis();
        let too_old = now - DETAIL_DAYS * 86_400_000;
        let mut guard = self.db()?;
        let Some(db) = guard.as_mut() else {
            return Ok(());
        };
        let tx = db.transaction()?;
        tx.execute(
            "INSERT INTO details (profile_id, id, seen_at, sealed) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (profile_id, id) DO UPDATE SET seen_at = ?3, sealed = ?4",
            params![
                profile_id,
                id,
                now,
                sealer.seal(&detail_owner(profile_id, id), view)
            ],
        )?;
        tx.execute(
            "DELETE FROM details WHERE profile_id = ?1 AND (seen_at < ?2 OR id NOT IN
               (SELECT id FROM details WHERE profile_id = ?1 ORDER BY seen_at DESC LIMIT ?3))",
            params![profile_id, too_old, MAX_DETAILS as i64],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The detail of `id` last seen on this connection, and when (Unix ms), if it is kept and
    /// opens with `sealer`.
    pub fn last_detail(
        &self,
        profile_id: &str,
        sealer: &Sealer,
        id: &str,
    ) -> Result<Option<(Vec<u8>, i64)>, IndexError> {
        let too_old = chrono::Utc::now().timestamp_millis() - DETAIL_DAYS * 86_400_000;
        let guard = self.db()?;
        let Some(db) = guard.as_ref() else {
            return Ok(None);
        };
        let row = db
            .query_row(
                "SELECT sealed, seen_at FROM details WHERE profile_id = ?1 AND id = ?2 AND seen_at >= ?3",
                params![profile_id, id, too_old],
                |r| Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, i64>(1)?)),
            )
            .optional()?;
        Ok(row.and_then(|(sealed, seen_at)| {
            let plain = sealer.open(&detail_owner(profile_id, id), &sealed).ok()?;
            Some((plain, seen_at))
        }))
    }

    /// Forgets a connection's entries and details (the connection was deleted).
    pub fn forget(&self, profile_id: &str) -> Result<(), IndexError> {
        if let Some(db) = self.db()?.as_ref() {
            db.execute(
                "DELETE FROM entries WHERE profile_id = ?1",
                params![profile_id],
            )?;
            db.execute(
                "DELETE FROM details WHERE profile_id = ?1",
                params![profile_id],
            )?;
            db.execute(
                "DELETE FROM refreshes WHERE profile_id = ?1",
                params![profile_id],
            )?;
        }
        let mut opened = lock(&self.opened);
        if opened.as_ref().is_some_and(|o| o.profile_id == profile_id) {
            *opened = None;
        }
        Ok(())
    }
}

/// The sealer of the index: the drafts' own (one key in the keychain, one prompt at most).
fn sealer(outbox: &Outbox) -> Result<Sealer, IndexError> {
    Ok(outbox.store()?.sealer().clone())
}

/// The connection's index brought up to date; returns how many customers changed.
pub async fn refresh(
    index: &CustomerIndex,
    conn: &Connection,
    outbox: &Outbox,
) -> Result<usize, IndexError> {
    let sealer = sealer(outbox)?;
    index.refresh(conn, &sealer).await
}

/// A search of the connection's index (`text` empty: every customer, newest change first).
pub fn find(
    index: &CustomerIndex,
    conn: &Connection,
    outbox: &Outbox,
    text: &str,
) -> Result<Found, IndexError> {
    index.search(&conn.profile().id, &sealer(outbox)?, text)
}

/// Keeps a customer's detail as last seen on `conn`. A failure is logged, never the agent's
/// problem: the detail was shown, only the offline copy is missing.
pub fn keep_detail(
    index: &CustomerIndex,
    conn: &Connection,
    outbox: &Outbox,
    id: &str,
    view: &impl Serialize,
) {
    let kept = serde_json::to_vec(view)
        .map_err(IndexError::from)
        .and_then(|json| index.keep_detail(&conn.profile().id, &sealer(outbox)?, id, &json));
    if let Err(e) = kept {
        tracing::warn!(error = %e, "a customer's detail was not kept for offline use");
    }
}

/// The detail of `id` last seen on `conn` (as kept), with when it was seen.
pub fn last_detail(
    index: &CustomerIndex,
    conn: &Connection,
    outbox: &Outbox,
    id: &str,
) -> Option<(serde_json::Map<String, serde_json::Value>, i64)> {
    let found = sealer(outbox)
        .and_then(|s| index.last_detail(&conn.profile().id, &s, id))
        .unwrap_or_else(|e| {
            tracing::warn!(error = %e, "the customer's last seen detail could not be read");
            None
        })?;
    let (json, seen_at) = found;
    Some((serde_json::from_slice(&json).ok()?, seen_at))
}

/// The connection's customers that wait on the agent.
pub fn waiting(
    index: &CustomerIndex,
    conn: &Connection,
    outbox: &Outbox,
) -> Result<Found, IndexError> {
    index.worklist(&conn.profile().id, &sealer(outbox)?)
}

/// What a sealed row is bound to: it opens only as that connection's entry for that customer.
fn owner(profile_id: &str, id: &str) -> String {
    format!("index:{profile_id}:{id}")
}

/// The same for a kept detail (an entry's sealed bytes never open as a detail, nor back).
fn detail_owner(profile_id: &str, id: &str) -> String {
    format!("detail:{profile_id}:{id}")
}
