//! The outbox: the drafts store (opened when the keychain gives its key), what the agent does
//! with drafts (autosave, discard, attach a file, import a CSV), and the state the outbox loop
//! shares with the page (how far a run is). Every change is announced on [`Outbox::changed`],
//! so whoever shows the drafts' counts hears about it without each caller remembering to tell.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::Notify;

use super::files::{self, FileError, ImportReport};
use super::sealing::{SealError, Sealer};
use super::{Counts, Draft, DraftDocument, DraftError, DraftList, DraftRow, DraftRows, DraftStore};
use crate::locks::lock;
use crate::services::connection::Connection;
use crate::services::customers::RegistrationForm;
use crate::services::documents::DOCUMENT_TYPES;
use crate::services::picked::PickedFiles;

/// How long a keychain that refused the key is left alone: neither the worker nor the agent's
/// typing asks it again meanwhile (a locked keyring prompts on every access); the agent's
/// "Tentar de novo" ([`Outbox::retry`]) does.
const KEYCHAIN_PAUSE: Duration = Duration::from_secs(60);

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
    /// A damaged drafts database was set aside when the drafts opened: its file name.
    pub set_aside: Option<String>,
}

/// The drafts store, opened on first use, and the state the worker shares.
pub struct Outbox {
    dir: PathBuf,
    store: Mutex<Option<Arc<DraftStore>>>,
    wake: Notify,
    changed: Notify,
    /// Told when drafts changed by the agent's hand (saved, queued, discarded…): the worker
    /// sleeps until a draft falls due or this.
    queue_changed: Notify,
    progress: Mutex<SyncProgress>,
    /// When and why opening the store last failed: nobody asks the keychain again for a while
    /// (a locked keyring may prompt the agent on every access).
    failed: Mutex<Option<(Instant, String)>>,
}

impl Outbox {
    /// An outbox keeping its database and files in `dir`.
    pub fn new(dir: PathBuf) -> Self {
        Self {
            dir,
            store: Mutex::new(None),
            wake: Notify::new(),
            changed: Notify::new(),
            queue_changed: Notify::new(),
            progress: Mutex::new(SyncProgress::default()),
            failed: Mutex::new(None),
        }
    }

    /// The store; opened (and the key fetched from the keychain) on first use, so a keychain
    /// unlocked after start-up is picked up. After a failure, for [`KEYCHAIN_PAUSE`], the
    /// same failure is answered without asking the keychain again.
    pub fn store(&self) -> Result<Arc<DraftStore>, DraftError> {
        let mut slot = lock(&self.store);
        if let Some(store) = slot.as_ref() {
            return Ok(store.clone());
        }
        if let Some((at, why)) = lock(&self.failed).as_ref() {
            if at.elapsed() < KEYCHAIN_PAUSE {
                return Err(DraftError::Unavailable(why.clone()));
            }
        }
        tracing::info!("asking the system keychain for the drafts key");
        let opened = Sealer::from_keychain()
            .map_err(DraftError::from)
            .and_then(|sealer| DraftStore::open(&self.dir, sealer));
        // Only the keychain is left alone: a disk error is cheap to ask again.
        *lock(&self.failed) = match &opened {
            Err(e @ DraftError::Seal(SealError::Keychain(_))) => {
                Some((Instant::now(), e.to_string()))
            }
            _ => None,
        };
        let store = Arc::new(opened?);
        *slot = Some(store.clone());
        Ok(store)
    }

    /// The agent asked to try the keychain again now.
    pub fn retry(&self) -> Result<Arc<DraftStore>, DraftError> {
        *lock(&self.failed) = None;
        let store = self.store();
        self.touch();
        self.wake();
        store
    }

    /// The store for the worker, or `None` (logged) while it cannot be had.
    pub fn store_for_worker(&self) -> Option<Arc<DraftStore>> {
        match self.store() {
            Ok(store) => Some(store),
            Err(DraftError::Unavailable(_)) => None,
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

    /// Resolves when [`wake`](Self::wake) was called (now or since the last wait).
    pub async fn woken(&self) {
        self.wake.notified().await;
    }

    /// Announces that drafts changed (several announcements before anyone listens are one),
    /// to the page and to the worker.
    pub fn touch(&self) {
        self.changed.notify_one();
        self.queue_changed.notify_one();
    }

    /// Announces to the page only that drafts changed: what the worker itself does.
    pub fn announce(&self) {
        self.changed.notify_one();
    }

    /// Resolves when drafts were changed by [`touch`](Self::touch) (now or since the last
    /// wait).
    pub async fn queue_changed(&self) {
        self.queue_changed.notified().await;
    }

    /// Resolves when drafts changed (now or since the last wait).
    pub async fn changed(&self) {
        self.changed.notified().await;
    }

    /// How far the current (or last) run is.
    pub fn progress(&self) -> SyncProgress {
        *lock(&self.progress)
    }

    /// Records how far the run is.
    pub fn set_progress(&self, p: SyncProgress) {
        *lock(&self.progress) = p;
    }

    /// Counts and progress for the active connection.
    pub fn status(&self, conn: &Connection) -> DraftStatus {
        let store = self.store();
        let set_aside = store.as_ref().ok().and_then(|s| {
            s.set_aside()
                .and_then(|p| p.file_name())
                .map(|n| n.to_string_lossy().into_owned())
        });
        match store.and_then(|s| s.counts(&conn.profile().id)) {
            Ok(counts) => DraftStatus {
                available: true,
                message: None,
                counts,
                progress: self.progress(),
                set_aside,
            },
            Err(e) => DraftStatus {
                available: false,
                message: Some(e.to_string()),
                counts: Counts::default(),
                progress: self.progress(),
                set_aside,
            },
        }
    }

    /// Every draft as a row of the list, the most recently changed first, and those that do
    /// not open.
    pub fn list(&self) -> Result<DraftRows, DraftError> {
        let DraftList { drafts, unreadable } = self.store()?.list()?;
        Ok(DraftRows {
            drafts: drafts.into_iter().map(DraftRow::from).collect(),
            unreadable,
        })
    }

    /// One draft.
    pub fn get(&self, id: &str) -> Result<Draft, DraftError> {
        self.store()?.get(id)
    }

    /// Autosave of the registration form, for the connection `conn`.
    pub fn save_form(
        &self,
        conn: &Connection,
        id: &str,
        form: &RegistrationForm,
    ) -> Result<Draft, DraftError> {
        let draft = self.store()?.save_form(id, &conn.profile().id, form)?;
        self.touch();
        Ok(draft)
    }

    /// Deletes drafts and erases their files, opened or not (those sealed with a lost key).
    pub fn discard(&self, ids: &[String]) -> Result<(), DraftError> {
        let store = self.store()?;
        let result = ids.iter().try_for_each(|id| store.discard(id));
        self.touch();
        result
    }

    /// Moves a draft made for another connection to `conn`'s (the agent confirmed it).
    pub fn move_to(&self, conn: &Connection, id: &str) -> Result<Draft, DraftError> {
        let draft = self.store()?.move_to(id, &conn.profile().id)?;
        self.touch();
        Ok(draft)
    }

    /// Attaches a chosen file (by token) to a draft (see [`files::attach_file`]). `form` is
    /// the form on screen, saved first so that the draft exists; without it the draft must exist.
    pub fn attach(
        &self,
        conn: &Connection,
        picked: &PickedFiles,
        draft_id: &str,
        form: Option<&RegistrationForm>,
        file: &str,
        doc_type: Option<&str>,
    ) -> Result<DraftDocument, FileError> {
        let path = picked.path(file)?;
        let store = self.store()?;
        if let Some(form) = form {
            store.save_form(draft_id, &conn.profile().id, form)?;
        }
        let limit = conn.client().config().max_upload_bytes();
        let doc = files::attach_file(&store, draft_id, &conn.profile().id, &path, doc_type, limit)?;
        self.touch();
        Ok(doc)
    }

    /// Takes a document off a draft.
    pub fn remove_document(&self, id: &str) -> Result<(), DraftError> {
        self.store()?.remove_document(id)?;
        self.touch();
        Ok(())
    }

    /// Says which document an attached file is.
    pub fn set_document_type(&self, id: &str, doc_type: &str) -> Result<(), DraftError> {
        if !DOCUMENT_TYPES.contains(&doc_type) {
            return Err(DraftError::UnknownDocumentType(doc_type.to_owned()));
        }
        self.store()?.set_document_type(id, doc_type)?;
        self.touch();
        Ok(())
    }

    /// What importing a chosen CSV (by token) would do, with nothing queued.
    pub fn preview_import(
        &self,
        picked: &PickedFiles,
        file: &str,
    ) -> Result<ImportReport, FileError> {
        let path = picked.path(file)?;
        files::preview_file(&*self.store()?, &path)
    }

    /// Imports a chosen CSV (by token) of borrowers as drafts of `conn`'s connection, and
    /// wakes the worker.
    pub fn import(
        &self,
        conn: &Connection,
        picked: &PickedFiles,
        file: &str,
    ) -> Result<ImportReport, FileError> {
        let path = picked.path(file)?;
        let report = files::import_file(&*self.store()?, &conn.profile().id, &path)?;
        self.touch();
        self.wake();
        Ok(report)
    }
}
