//! Drafts: autosave, send (now, or queued until the connection is back), list, discard,
//! documents attached before the customer exists, CSV import, and "sync now".

use tauri::State;

use super::error::CommandError;
use crate::services::connection::Connections;
use crate::services::customers::RegistrationForm;
use crate::services::drafts::files::ImportReport;
use crate::services::drafts::outbox::{DraftStatus, Outbox};
use crate::services::drafts::submit::{self, Submitted};
use crate::services::drafts::{Draft, DraftDocument};
use crate::services::follow::Follower;
use crate::services::picked::{Picked, PickedFiles};
use crate::services::pickers;

#[tauri::command]
pub fn draft_status(outbox: State<'_, Outbox>, conns: State<'_, Connections>) -> DraftStatus {
    outbox.status(&conns.current())
}

#[tauri::command]
pub fn list_drafts(outbox: State<'_, Outbox>) -> Result<Vec<Draft>, CommandError> {
    Ok(outbox.list()?)
}

#[tauri::command]
pub fn get_draft(outbox: State<'_, Outbox>, id: String) -> Result<Draft, CommandError> {
    Ok(outbox.get(&id)?)
}

/// Autosave of the registration form.
#[tauri::command]
pub fn save_draft(
    outbox: State<'_, Outbox>,
    conns: State<'_, Connections>,
    id: String,
    form: RegistrationForm,
) -> Result<Draft, CommandError> {
    Ok(outbox.save_form(&conns.current(), &id, &form)?)
}

/// Sends the form now, through its draft (see [`submit::submit`]).
#[tauri::command]
pub async fn submit_draft(
    outbox: State<'_, Outbox>,
    conns: State<'_, Connections>,
    follower: State<'_, Follower>,
    id: String,
    form: RegistrationForm,
) -> Result<Submitted, CommandError> {
    Ok(submit::submit(&conns.current(), &outbox, &follower, &id, &form).await?)
}

#[tauri::command]
pub fn discard_draft(outbox: State<'_, Outbox>, id: String) -> Result<(), CommandError> {
    Ok(outbox.discard(&id)?)
}

/// Attaches a chosen file (its token) to a draft; `form` is the form on screen, saved first.
#[tauri::command]
pub fn attach_draft_document(
    outbox: State<'_, Outbox>,
    conns: State<'_, Connections>,
    picked: State<'_, PickedFiles>,
    draft_id: String,
    form: Option<RegistrationForm>,
    file: String,
    doc_type: Option<String>,
) -> Result<DraftDocument, CommandError> {
    let (conn, form, doc_type) = (conns.current(), form.as_ref(), doc_type.as_deref());
    Ok(outbox.attach(&conn, &picked, &draft_id, form, &file, doc_type)?)
}

#[tauri::command]
pub fn remove_draft_document(outbox: State<'_, Outbox>, id: String) -> Result<(), CommandError> {
    Ok(outbox.remove_document(&id)?)
}

#[tauri::command]
pub fn set_draft_document_type(
    outbox: State<'_, Outbox>,
    id: String,
    doc_type: String,
) -> Result<(), CommandError> {
    Ok(outbox.set_document_type(&id, &doc_type)?)
}

#[tauri::command]
pub async fn pick_csv(picked: State<'_, PickedFiles>) -> Result<Option<Picked>, CommandError> {
    Ok(pickers::csv(&picked).await)
}

/// Imports a chosen CSV (its token) of borrowers as drafts of the active connection.
#[tauri::command]
pub fn import_drafts(
    outbox: State<'_, Outbox>,
    conns: State<'_, Connections>,
    picked: State<'_, PickedFiles>,
    file: String,
) -> Result<ImportReport, CommandError> {
    Ok(outbox.import(&conns.current(), &picked, &file)?)
}

/// Looks at the queue now (instead of at the next tick).
#[tauri::command]
pub fn sync_now(outbox: State<'_, Outbox>) {
    outbox.wake();
}
