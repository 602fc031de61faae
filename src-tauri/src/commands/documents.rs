//! KYC documents: pick (native dialog), inspect (what a dropped or picked file is), upload
//! (streamed, progress over a Channel, cancellable) and cancel.

use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, Runtime, State};

use super::error::CommandError;
use crate::services::connection::Connections;
use crate::services::customer_detail::CustomerDetail;
use crate::services::documents::{self, DocumentCheck, UploadEvent, UploadRequest, Uploads};
use crate::services::follow::Follower;
use crate::services::pickers;

#[tauri::command]
pub async fn pick_documents() -> Vec<String> {
    pickers::documents().await
}

/// What each file is, checked against the customer's current `kyc`. Image files that can be
/// sent become readable by the page (for a thumbnail) through the asset protocol, one by one.
#[tauri::command]
pub async fn inspect_documents<R: Runtime>(
    app: AppHandle<R>,
    conns: State<'_, Connections>,
    customer_id: dinie::CustomerId,
    paths: Vec<String>,
    doc_type: Option<String>,
) -> Result<Vec<DocumentCheck>, CommandError> {
    let checks =
        documents::inspect_for(&conns.current(), &customer_id, &paths, doc_type.as_deref()).await?;
    for c in checks.iter().filter(|c| c.is_previewable()) {
        if let Err(e) = app.asset_protocol_scope().allow_file(&c.path) {
            tracing::warn!(error = %e, "no preview for a document");
        }
    }
    Ok(checks)
}

/// Streams one file; progress goes to `on_progress`. Answers with the customer's detail as it
/// is after the upload.
#[tauri::command]
pub async fn upload_document(
    conns: State<'_, Connections>,
    follower: State<'_, Follower>,
    uploads: State<'_, Uploads>,
    request: UploadRequest,
    on_progress: Channel<UploadEvent>,
) -> Result<CustomerDetail, CommandError> {
    let progress = move |event| {
        let _ = on_progress.send(event);
    };
    let conn = conns.current();
    Ok(documents::upload_and_refresh(&conn, &follower, &uploads, request, progress).await?)
}

#[tauri::command]
pub fn cancel_upload(uploads: State<'_, Uploads>, upload_id: String) {
    uploads.cancel(&upload_id);
}
