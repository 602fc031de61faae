//! What the shell needs at start, and the language.

use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime, State};

use super::error::CommandError;
use crate::services::connection::{ConnectionInfo, Connections};
use crate::services::documents::DOCUMENT_TYPES;
use crate::services::settings;
use crate::services::startup::Startup;

/// What the shell needs at start.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    version: &'static str,
    language: String,
    connection: ConnectionInfo,
    /// The document types a draft's files can be attached as.
    document_types: &'static [&'static str],
}

/// The page's first command: answered once the app has started (its connection made), so
/// that every command after it finds the connection.
#[tauri::command]
pub async fn app_info<R: Runtime>(
    app: AppHandle<R>,
    startup: State<'_, Startup>,
) -> Result<AppInfo, CommandError> {
    startup.wait().await?;
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION"),
        language: settings::language(&app),
        connection: app.state::<Connections>().current().info(),
        document_types: DOCUMENT_TYPES,
    })
}

#[tauri::command]
pub fn set_language<R: Runtime>(app: AppHandle<R>, language: String) -> Result<(), CommandError> {
    Ok(settings::set_language(&app, &language)?)
}
