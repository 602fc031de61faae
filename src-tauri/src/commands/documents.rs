//! KYC documents: pick (native dialog), inspect (what a dropped or picked file is), upload
//! (streamed, progress over a Channel, cancellable) and cancel.

use tauri::ipc::Channel;
use tauri::State;

use super::error::CommandError;
use crate::services::connection::Connections;
use crate::services::customer_detail::CustomerDetail;
use crate::services::documents::{self, DocumentCheck, UploadEvent, UploadRequest, Uploads};
use crate::services::follow::Follower;
use crate::services::picked::{Picked, PickedFiles};
use crate::services::pickers;

#[tauri::command]
pub async fn pick_documents(picked: State<'_, PickedFiles>) -> Result<Vec<Picked>, CommandError> {
    Ok(pickers::documents(&picked).await)
}

/// What each chosen file (by token) is and where it goes: into `slot` when the agent chose
/// one, else proposed from the requirement it was dropped on and its name.
#[tauri::command]
pub async fn inspect_documents(
    conns: State<'_, Connections>,
    picked: State<'_, PickedFiles>,
    customer_id: dinie::CustomerId,
    files: Vec<String>,
    slot: Option<String>,
    dropped_on: Option<String>,
) -> Result<Vec<DocumentCheck>, CommandError> {
    let (conn, slot, on) = (conns.current(), slot.as_deref(), dropped_on.as_deref());
    Ok(documents::inspect_for(&conn, &picked, &customer_id, &files, slot, on).await?)
}

/// Streams one file; progress goes to `on_progress`. Answers with the customer's detail as it
/// is after the upload.
#[tauri::command]
pub async fn upload_document(
    conns: State<'_, Connections>,
    picked: State<'_, PickedFiles>,
    follower: State<'_, Follower>,
    uploads: State<'_, Uploads>,
    request: UploadRequest,
    on_progress: Channel<UploadEvent>,
) -> Result<CustomerDetail, CommandError> {
    let conn = conns.current();
    let progress = move |event| drop(on_progress.send(event));
    let upload =
        documents::upload_and_refresh(&conn, &picked, &follower, &uploads, request, progress);
    Ok(upload.await?)
}

#[tauri::command]
pub fn cancel_upload(uploads: State<'_, Uploads>, upload_id: String) {
    uploads.cancel(&upload_id);
}
