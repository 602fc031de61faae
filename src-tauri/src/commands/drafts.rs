//! Drafts: autosave, send (now, or queued until the connection is back), list, discard,
//! documents attached before the customer exists, CSV import, and "sync now".

use tauri::{AppHandle, Manager, Runtime, State};

use super::blocking;
use super::error::CommandError;
use crate::services::connection::Connections;
use crate::services::customers::RegistrationForm;
use crate::services::drafts::files::ImportReport;
use crate::services::drafts::outbox::{DraftStatus, Outbox};
use crate::services::drafts::sheets;
use crate::services::drafts::submit::{self, Submitted};
use crate::services::drafts::{Draft, DraftDocument, DraftRows};
use crate::services::follow::Follower;
use crate::services::picked::{Picked, PickedFiles};
use crate::services::pickers;

#[tauri::command]
pub async fn draft_status<R: Runtime>(app: AppHandle<R>) -> Result<DraftStatus, CommandError> {
    blocking(app, |app| {
        Ok(app
            .state::<Outbox>()
            .status(&app.state::<Connections>().current()))
    })
    .await
}

#[tauri::command]
pub async fn list_drafts<R: Runtime>(app: AppHandle<R>) -> Result<DraftRows, CommandError> {
    blocking(app, |app| Ok(app.state::<Outbox>().list()?)).await
}

#[tauri::command]
pub async fn get_draft<R: Runtime>(app: AppHandle<R>, id: String) -> Result<Draft, CommandError> {
    blocking(app, move |app| Ok(app.state::<Outbox>().get(&id)?)).await
}

/// Autosave of the registration form.
#[tauri::command]
pub async fn save_draft<R: Runtime>(
    app: AppHandle<R>,
    id: String,
    form: RegistrationForm,
) -> Result<Draft, CommandError> {
    blocking(app, move |app| {
        let conn = app.state::<Connections>().current();
        Ok(app.state::<Outbox>().save_form(&conn, &id, &form)?)
    })
    .await
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

/// Discards drafts, opened or not (those sealed with a key the keychain lost).
#[tauri::command]
pub async fn discard_drafts<R: Runtime>(
    app: AppHandle<R>,
    ids: Vec<String>,
) -> Result<(), CommandError> {
    blocking(app, move |app| Ok(app.state::<Outbox>().discard(&ids)?)).await
}

/// Moves a draft of another connection to the active one (the agent confirmed it).
#[tauri::command]
pub async fn move_draft<R: Runtime>(app: AppHandle<R>, id: String) -> Result<Draft, CommandError> {
    blocking(app, move |app| {
        let conn = app.state::<Connections>().current();
        Ok(app.state::<Outbox>().move_to(&conn, &id)?)
    })
    .await
}

/// Asks the keychain for the drafts key again (after it refused).
#[tauri::command]
pub async fn retry_drafts<R: Runtime>(app: AppHandle<R>) -> Result<(), CommandError> {
    blocking(app, |app| Ok(app.state::<Outbox>().retry().map(drop)?)).await
}

/// Attaches a chosen file (its token) to a draft; `form` is the form on screen, saved first.
#[tauri::command]
pub async fn attach_draft_document<R: Runtime>(
    app: AppHandle<R>,
    draft_id: String,
    form: Option<RegistrationForm>,
    file: String,
    doc_type: Option<String>,
) -> Result<DraftDocument, CommandError> {
    blocking(app, move |app| {
        attach(app, &draft_id, form.as_ref(), &file, doc_type.as_deref())
    })
    .await
}

/// What [`attach_draft_document`] does, on the blocking pool.
fn attach<R: Runtime>(
    app: &AppHandle<R>,
    draft_id: &str,
    form: Option<&RegistrationForm>,
    file: &str,
    doc_type: Option<&str>,
) -> Result<DraftDocument, CommandError> {
    let conn = app.state::<Connections>().current();
    let picked = app.state::<PickedFiles>();
    Ok(app
        .state::<Outbox>()
        .attach(&conn, &picked, draft_id, form, file, doc_type)?)
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

/// What importing a chosen CSV (its token) would do: counts and row problems, nothing queued.
#[tauri::command]
pub async fn preview_import<R: Runtime>(
    app: AppHandle<R>,
    file: String,
) -> Result<ImportReport, CommandError> {
    blocking(app, move |app| {
        let picked = app.state::<PickedFiles>();
        Ok(app.state::<Outbox>().preview_import(&picked, &file)?)
    })
    .await
}

/// Imports a chosen CSV (its token) of borrowers as drafts of the active connection.
#[tauri::command]
pub async fn import_drafts<R: Runtime>(
    app: AppHandle<R>,
    file: String,
) -> Result<ImportReport, CommandError> {
    blocking(app, move |app| {
        let (conn, picked) = (
            app.state::<Connections>().current(),
            app.state::<PickedFiles>(),
        );
        Ok(app.state::<Outbox>().import(&conn, &picked, &file)?)
    })
    .await
}

/// Saves the import's template where the agent chooses: the file's name, none if cancelled.
#[tauri::command]
pub async fn save_csv_template() -> Result<Option<String>, CommandError> {
    Ok(sheets::export_template().await?)
}

/// Saves the rows of an imported CSV (its token) that were refused, each with its reason, where
/// the agent chooses (`erros.csv`): the file's name, none if cancelled.
#[tauri::command]
pub async fn save_import_errors(
    picked: State<'_, PickedFiles>,
    file: String,
    rows: Vec<sheets::RefusedRow>,
) -> Result<Option<String>, CommandError> {
    Ok(sheets::export_errors(&picked, &file, rows).await?)
}

/// Looks at the queue now (instead of at the next tick).
#[tauri::command]
pub fn sync_now(outbox: State<'_, Outbox>) {
    outbox.wake();
}
