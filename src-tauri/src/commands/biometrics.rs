//! Biometric capture: a session for the customer, shown in its own window and as a QR code.

use tauri::{AppHandle, Runtime, State};

use super::error::CommandError;
use crate::services::biometrics::{self, SessionView, Sessions, Share};
use crate::services::connection::Connections;
use crate::windows;

/// Opens (or reuses) a capture session; `here` also opens the capture window on this computer
/// (else the page shows the session for the borrower's phone, with no window over it).
#[tauri::command]
pub async fn start_biometrics<R: Runtime>(
    app: AppHandle<R>,
    conns: State<'_, Connections>,
    sessions: State<'_, Sessions>,
    customer_id: dinie::CustomerId,
    here: Option<bool>,
) -> Result<SessionView, CommandError> {
    let session = biometrics::start(&conns.current(), &sessions, &customer_id).await?;
    if here.unwrap_or(true) {
        windows::biometrics::open(&app, customer_id.as_str(), &session.url)?;
    }
    Ok(SessionView::from(&session))
}

/// Hands the open session's link to the borrower by e-mail or WhatsApp, through the system's
/// handlers; returns the link it opened.
#[tauri::command]
pub async fn share_biometrics(
    conns: State<'_, Connections>,
    sessions: State<'_, Sessions>,
    customer_id: dinie::CustomerId,
    share: Share,
) -> Result<String, CommandError> {
    Ok(biometrics::share(&conns.current(), &sessions, &customer_id, &share).await?)
}
