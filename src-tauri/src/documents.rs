//! The document commands: pick (native dialog), inspect (what a dropped or picked file is),
//! upload (streamed, progress over a Channel, cancellable) and cancel.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;

use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, Runtime, State};

use crate::commands::note_outcome;
use crate::connection::Connections;
use crate::error::CommandError;
use crate::services::customer_detail;
use crate::services::documents::{self, DocumentCheck, UploadEvent};

/// Uploads in flight, by the page's upload id, so that Cancel can stop them.
#[derive(Default)]
pub struct Uploads(Mutex<HashMap<String, tauri::async_runtime::JoinHandle<()>>>);

/// Opens the system file picker, filtered to PDF, JPEG and PNG.
#[tauri::command]
pub async fn pick_documents() -> Vec<String> {
    rfd::AsyncFileDialog::new()
        .add_filter(
            "PDF, JPEG, PNG",
            &["pdf", "jpg", "jpeg", "png", "PDF", "JPG", "JPEG", "PNG"],
        )
        .pick_files()
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|f| f.path().display().to_string())
        .collect()
}

/// What each file is, checked against the customer's current `kyc`. Image files become
/// readable by the page (for a thumbnail) through the asset protocol, one file at a time.
#[tauri::command]
pub async fn inspect_documents<R: Runtime>(
    app: AppHandle<R>,
    conns: State<'_, Connections>,
    customer_id: String,
    paths: Vec<String>,
    doc_type: Option<String>,
) -> Result<Vec<DocumentCheck>, CommandError> {
    let conn = conns.current();
    let result = conn
        .client()
        .customers()
        .get(&dinie::CustomerId::new(customer_id))
        .await;
    note_outcome(&app, &conns, &result);
    let customer = result?;
    let limit = conn.client().config().max_upload_bytes();
    let checks: Vec<DocumentCheck> = paths
        .iter()
        .map(|p| {
            documents::inspect(
                &PathBuf::from(p),
                doc_type.as_deref(),
                &customer.kyc,
                limit,
                true,
            )
        })
        .collect();
    for c in &checks {
        if matches!(c.format, Some("jpeg" | "png")) && c.problem.is_none() {
            if let Err(e) = app.asset_protocol_scope().allow_file(&c.path) {
                tracing::warn!(error = %e, "no preview for a document");
            }
        }
    }
    Ok(checks)
}

/// Which file to send, as what, for whom.
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadRequest {
    customer_id: String,
    path: String,
    doc_type: String,
    /// The page's id for this upload, for [`cancel_upload`].
    upload_id: String,
}

/// Streams one file; progress goes to `on_progress`. Answers with the customer's detail as it
/// is after the upload (the checklist updated from the API).
#[tauri::command]
pub async fn upload_document<R: Runtime>(
    app: AppHandle<R>,
    conns: State<'_, Connections>,
    uploads: State<'_, Uploads>,
    request: UploadRequest,
    on_progress: Channel<UploadEvent>,
) -> Result<customer_detail::CustomerDetail, CommandError> {
    let UploadRequest {
        customer_id,
        path,
        doc_type,
        upload_id,
    } = request;
    let conn = conns.current();
    let fetched = conn
        .client()
        .customers()
        .get(&dinie::CustomerId::new(customer_id.clone()))
        .await;
    note_outcome(&app, &conns, &fetched);
    let customer = fetched?;
    let check = documents::inspect(
        &PathBuf::from(&path),
        Some(&doc_type),
        &customer.kyc,
        conn.client().config().max_upload_bytes(),
        false,
    );
    if let Some(problem) = check.problem {
        return Err(CommandError::new(problem.code, problem.message));
    }
    let (tx, rx) = tokio::sync::oneshot::channel();
    let task_conn = conn.clone();
    let handle = tauri::async_runtime::spawn(async move {
        let result = documents::upload(
            &task_conn,
            &customer,
            PathBuf::from(path),
            &doc_type,
            move |event| {
                let _ = on_progress.send(event);
            },
        )
        .await;
        let _ = tx.send(result);
    });
    if let Ok(mut map) = uploads.0.lock() {
        map.insert(upload_id.clone(), handle);
    }
    let outcome = rx.await;
    if let Ok(mut map) = uploads.0.lock() {
        map.remove(&upload_id);
    }
    let result = match outcome {
        Ok(result) => result,
        Err(_) => return Err(CommandError::new("cancelled", "the upload was cancelled")),
    };
    note_outcome(&app, &conns, &result);
    result?;
    let (fresh, offers) = customer_detail::fetch(&conn, &customer_id).await?;
    app.state::<crate::services::follow::Follower>()
        .update(&fresh);
    Ok(customer_detail::CustomerDetail::new(&fresh, &offers))
}

/// Stops an upload in flight.
#[tauri::command]
pub fn cancel_upload(uploads: State<'_, Uploads>, upload_id: String) {
    if let Some(handle) = uploads.0.lock().ok().and_then(|mut m| m.remove(&upload_id)) {
        handle.abort();
    }
}
