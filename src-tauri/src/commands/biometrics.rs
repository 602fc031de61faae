//! Biometric capture: a session for the customer, shown in its own window and as a QR code.

use tauri::{AppHandle, Runtime, State};

use super::error::CommandError;
use crate::services::biometrics::{self, SessionView, Sessions};
use crate::services::connection::Connections;
use crate::windows;

/// Opens (or reopens) the capture window for a customer.
#[tauri::command]
pub async fn start_biometrics<R: Runtime>(
    app: AppHandle<R>,
    conns: State<'_, Connections>,
    sessions: State<'_, Sessions>,
    customer_id: dinie::CustomerId,
) -> Result<SessionView, CommandError> {
    let session = biometrics::start(&conns.current(), &sessions, &customer_id).await?;
    windows::biometrics::open(&app, customer_id.as_str(), &session.url)?;
    Ok(SessionView::from(&session))
}
