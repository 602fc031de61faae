//! The draft commands: autosave, send (now, or queued until the connection is back), list,
//! discard, documents attached before the customer exists, CSV import, and "sync now".

use std::path::Path;

use serde::Serialize;
use tauri::{AppHandle, Runtime, State};

use crate::commands::note_error;
use crate::connection::Connections;
use crate::error::CommandError;
use crate::outbox::{self, DraftStatus, Outbox};
use crate::services::customers::{check_form, FieldProblem, RegistrationForm};
use crate::services::documents::DOCUMENT_TYPES;
use crate::services::drafts::{files, Draft, DraftDocument, DraftError, DraftProblem};
use crate::services::follow::Follower;
use crate::services::sync;

impl From<files::FileError> for CommandError {
    fn from(e: files::FileError) -> Self {
        match e {
            files::FileError::Refused(p) => CommandError::new(p.code, p.message),
            files::FileError::Draft(e) => e.into(),
        }
    }
}

impl From<DraftError> for CommandError {
    fn from(e: DraftError) -> Self {
        use crate::services::sealing::SealError as S;
        use crate::vault::VaultError as V;
        let code = match &e {
            DraftError::Seal(S::Vault(V::Unavailable(_))) => "keychain_unavailable",
            DraftError::Seal(S::Vault(V::Failed(_))) => "keychain_failed",
            DraftError::NotFound => "not_found",
            DraftError::Locked(_) => "draft_locked",
            _ => "internal",
        };
        CommandError::new(code, e.to_string())
    }
}

/// The fields a local check refused, for the form.
fn form_error(problems: Vec<FieldProblem>) -> CommandError {
    let mut err = CommandError::new("validation", "check the highlighted fields");
    err.fields = problems
        .into_iter()
        .map(|p| (p.field.to_owned(), p.message))
        .collect();
    err
}

fn problem_error(problem: &DraftProblem) -> CommandError {
    let mut err = CommandError::new(problem.code.clone(), problem.message.clone());
    err.fields = problem
        .fields
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    err.customer_id = problem.customer_id.clone();
    err
}

#[tauri::command]
pub fn draft_status(outbox: State<'_, Outbox>, conns: State<'_, Connections>) -> DraftStatus {
    outbox.status(&conns.current())
}

#[tauri::command]
pub fn list_drafts(outbox: State<'_, Outbox>) -> Result<Vec<Draft>, CommandError> {
    Ok(outbox.store()?.list()?)
}

#[tauri::command]
pub fn get_draft(outbox: State<'_, Outbox>, id: String) -> Result<Draft, CommandError> {
    Ok(outbox.store()?.get(&id)?)
}

/// Autosave of the registration form.
#[tauri::command]
pub fn save_draft<R: Runtime>(
    app: AppHandle<R>,
    outbox: State<'_, Outbox>,
    conns: State<'_, Connections>,
    id: String,
    form: RegistrationForm,
) -> Result<Draft, CommandError> {
    let profile = conns.current().profile().id.clone();
    let draft = outbox.store()?.save_form(&id, &profile, &form)?;
    outbox::emit_status(&app);
    Ok(draft)
}

/// What sending a draft did.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Submitted {
    /// `created`, `existing` (Dinie already had it), `queued` (no connection: sent when it is
    /// back), `retrying` (Dinie failed: retried later), `attention` (registered, but some
    /// document was not sent).
    outcome: &'static str,
    customer_id: Option<String>,
    message: Option<String>,
}

/// Sends the form now, through the draft: checked here first; kept queued when the API does
/// not answer; refused ones stay as drafts needing attention, with the reasons.
#[tauri::command]
pub async fn submit_draft<R: Runtime>(
    app: AppHandle<R>,
    outbox: State<'_, Outbox>,
    conns: State<'_, Connections>,
    follower: State<'_, Follower>,
    id: String,
    form: RegistrationForm,
) -> Result<Submitted, CommandError> {
    let conn = conns.current();
    let store = match outbox.store() {
        Ok(store) => store,
        // No key for drafts (keychain locked): online, the registration still goes through.
        Err(e) => return register_without_draft(&app, &conns, &follower, &id, &form, e).await,
    };
    let draft = store.get(&id).ok();
    // Once registered, the form no longer matters: only its documents remain to send.
    if draft.as_ref().is_none_or(|d| d.customer_id.is_none()) {
        if let Err(problems) = check_form(&form) {
            store.save_form(&id, &conn.profile().id, &form)?;
            return Err(form_error(problems));
        }
    }
    store.queue(&id, &conn.profile().id, &form)?;
    let outcome = sync::send(&conn, &store, &id).await;
    outbox::emit_status(&app);
    let outcome = outcome?;
    note_error(&app, &conns, outcome.error());
    let submitted = |outcome, customer_id, message| Submitted {
        outcome,
        customer_id,
        message,
    };
    match outcome {
        sync::Outcome::Sent { customer, created } => {
            follower.follow(&customer, created);
            let id = customer.id.to_string();
            Ok(submitted(
                if created { "created" } else { "existing" },
                Some(id),
                None,
            ))
        }
        sync::Outcome::Attention { problem, error } => match (error, &problem.customer_id) {
            // Registered, but a document was refused.
            (None, Some(customer)) if problem.code == "document_not_needed" => Ok(submitted(
                "attention",
                Some(customer.clone()),
                Some(problem.message),
            )),
            (Some(e), _) => {
                let mut err = CommandError::from(e);
                err.fields = problem.fields.into_iter().collect();
                err.customer_id = problem.customer_id;
                Err(err)
            }
            (None, _) => Err(problem_error(&problem)),
        },
        sync::Outcome::RetryLater(e) => Ok(submitted("retrying", None, Some(e.to_string()))),
        sync::Outcome::Offline(_)
        | sync::Outcome::CredentialsRefused(_)
        | sync::Outcome::NotWaiting => Ok(submitted("queued", None, None)),
    }
}

/// Registers directly, as when drafts cannot be kept: nothing is written to disk, and without
/// a connection the agent is told why the registration could not be kept.
async fn register_without_draft<R: Runtime>(
    app: &AppHandle<R>,
    conns: &Connections,
    follower: &Follower,
    id: &str,
    form: &RegistrationForm,
    why: DraftError,
) -> Result<Submitted, CommandError> {
    let mut checked = check_form(form).map_err(form_error)?;
    checked.external_id.get_or_insert_with(|| id.to_owned());
    let conn = conns.current();
    let result = crate::services::customers::register(&conn, &checked, id).await;
    note_error(app, conns, result.as_ref().err());
    match result {
        Ok((registered, customer)) => {
            follower.follow(&customer, registered.outcome == "created");
            Ok(Submitted {
                outcome: registered.outcome,
                customer_id: Some(registered.customer_id),
                message: None,
            })
        }
        Err(e @ (dinie::Error::Connection { .. } | dinie::Error::Timeout { .. })) => {
            Err(CommandError::new(
                "offline_no_draft",
                format!("{e} The registration could not be kept as a draft: {why}"),
            ))
        }
        Err(e) => Err(e.into()),
    }
}

#[tauri::command]
pub fn discard_draft<R: Runtime>(
    app: AppHandle<R>,
    outbox: State<'_, Outbox>,
    id: String,
) -> Result<(), CommandError> {
    outbox.store()?.discard(&id)?;
    outbox::emit_status(&app);
    Ok(())
}

/// Attaches a file to a draft (see [`files::attach_file`]). `form` is the form on screen,
/// saved first so that the draft exists; without it the draft must exist.
#[tauri::command]
pub fn attach_draft_document<R: Runtime>(
    app: AppHandle<R>,
    outbox: State<'_, Outbox>,
    conns: State<'_, Connections>,
    draft_id: String,
    form: Option<RegistrationForm>,
    path: String,
    doc_type: Option<String>,
) -> Result<DraftDocument, CommandError> {
    let store = outbox.store()?;
    let conn = conns.current();
    if let Some(form) = form {
        store.save_form(&draft_id, &conn.profile().id, &form)?;
    }
    let limit = conn.client().config().max_upload_bytes();
    let doc = files::attach_file(
        &store,
        &draft_id,
        Path::new(&path),
        doc_type.as_deref(),
        limit,
    )?;
    outbox::emit_status(&app);
    Ok(doc)
}

#[tauri::command]
pub fn remove_draft_document(outbox: State<'_, Outbox>, id: String) -> Result<(), CommandError> {
    Ok(outbox.store()?.remove_document(&id)?)
}

#[tauri::command]
pub fn set_draft_document_type(
    outbox: State<'_, Outbox>,
    id: String,
    doc_type: String,
) -> Result<(), CommandError> {
    if !DOCUMENT_TYPES.contains(&doc_type.as_str()) {
        return Err(CommandError::new(
            "invalid_input",
            format!("unknown document type `{doc_type}`"),
        ));
    }
    Ok(outbox.store()?.set_document_type(&id, &doc_type)?)
}

/// Opens the system file picker for a CSV.
#[tauri::command]
pub async fn pick_csv() -> Option<String> {
    rfd::AsyncFileDialog::new()
        .add_filter("CSV", &["csv", "CSV", "txt"])
        .pick_file()
        .await
        .map(|f| f.path().display().to_string())
}

/// Imports a CSV of borrowers as drafts of the active connection, and wakes the worker.
#[tauri::command]
pub fn import_drafts<R: Runtime>(
    app: AppHandle<R>,
    outbox: State<'_, Outbox>,
    conns: State<'_, Connections>,
    path: String,
) -> Result<files::ImportReport, CommandError> {
    let store = outbox.store()?;
    let report = files::import_file(&store, &conns.current().profile().id, Path::new(&path))?;
    outbox::emit_status(&app);
    outbox.wake();
    Ok(report)
}

/// Looks at the queue now (instead of at the next tick).
#[tauri::command]
pub fn sync_now(outbox: State<'_, Outbox>) {
    outbox.wake();
}
