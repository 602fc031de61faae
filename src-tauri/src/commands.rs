//! The commands the page may invoke. Thin: parse, call one service, map the error.

use serde::Serialize;
use tauri::{AppHandle, Emitter, Runtime, State};

use crate::connection::{Connection, ConnectionInfo};
use crate::error::CommandError;
use crate::services::{customers, settings};

/// Event emitted when the API stops or starts answering.
pub const CONNECTION_CHANGED: &str = "connection-changed";

/// What the shell needs at start.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    version: &'static str,
    language: String,
    connection: ConnectionInfo,
}

#[tauri::command]
pub fn app_info<R: Runtime>(app: AppHandle<R>, conn: State<'_, Connection>) -> AppInfo {
    AppInfo {
        version: env!("CARGO_PKG_VERSION"),
        language: settings::language(&app),
        connection: conn.info(),
    }
}

#[tauri::command]
pub async fn list_customers<R: Runtime>(
    app: AppHandle<R>,
    conn: State<'_, Connection>,
) -> Result<customers::CustomerPage, CommandError> {
    let result = customers::first_page(&conn).await;
    note_reachability(&app, &conn, &result);
    Ok(result?)
}

#[tauri::command]
pub fn set_language<R: Runtime>(app: AppHandle<R>, language: String) -> Result<(), CommandError> {
    settings::set_language(&app, &language).map_err(|e| match e {
        settings::SettingsError::UnsupportedLanguage(_) => {
            CommandError::new("invalid_input", e.to_string())
        }
        other => CommandError::new("internal", other.to_string()),
    })
}

/// Updates the online state from a call's outcome and tells the page when it changed.
fn note_reachability<R: Runtime, T>(
    app: &AppHandle<R>,
    conn: &Connection,
    result: &Result<T, dinie::Error>,
) {
    let answered = !matches!(
        result,
        Err(dinie::Error::Connection { .. } | dinie::Error::Timeout { .. })
    );
    if conn.record(answered) {
        if let Err(e) = app.emit(CONNECTION_CHANGED, conn.info()) {
            tracing::warn!(error = %e, "could not emit {CONNECTION_CHANGED}");
        }
    }
}
