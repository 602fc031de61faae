//! The commands the page may invoke. Thin: parse, call one service, map the error.

use serde::Serialize;
use tauri::{AppHandle, Emitter, Runtime, State};

use crate::connection::{ConnectionInfo, Connections};
use crate::error::CommandError;
use crate::services::profiles::{self, Profile, ProfileInput};
use crate::services::{diagnostics, settings};

/// Event emitted when the API stops or starts answering, or the connection changes.
pub const CONNECTION_CHANGED: &str = "connection-changed";
/// Event emitted when the API refuses the stored credentials (revoked secret): the page sends
/// the agent to Settings, keeping what they were doing.
pub const AUTH_REQUIRED: &str = "auth-required";

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

#[tauri::command]
pub fn app_info<R: Runtime>(app: AppHandle<R>, conns: State<'_, Connections>) -> AppInfo {
    AppInfo {
        version: env!("CARGO_PKG_VERSION"),
        language: settings::language(&app),
        connection: conns.current().info(),
        document_types: crate::services::documents::DOCUMENT_TYPES,
    }
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

/// Profiles and which is active.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileList {
    profiles: Vec<Profile>,
    active_id: String,
}

#[tauri::command]
pub fn list_profiles<R: Runtime>(app: AppHandle<R>) -> ProfileList {
    ProfileList {
        profiles: profiles::list(&app),
        active_id: profiles::active_id(&app),
    }
}

#[tauri::command]
pub fn save_profile<R: Runtime>(
    app: AppHandle<R>,
    input: ProfileInput,
) -> Result<Profile, CommandError> {
    Ok(profiles::save(&app, input)?)
}

#[tauri::command]
pub async fn delete_profile<R: Runtime>(
    app: AppHandle<R>,
    conns: State<'_, Connections>,
    id: String,
) -> Result<(), CommandError> {
    let was_active = conns.current().profile().id == id;
    profiles::delete(&app, &id)?;
    if was_active {
        conns
            .switch(Profile::embedded(), None)
            .await
            .map_err(|e| CommandError::new("internal", e.to_string()))?;
        emit_connection(&app, &conns);
    }
    Ok(())
}

#[tauri::command]
pub async fn activate_profile<R: Runtime>(
    app: AppHandle<R>,
    conns: State<'_, Connections>,
    id: String,
    confirm_live: bool,
) -> Result<ConnectionInfo, CommandError> {
    let profile = profiles::get(&app, &id)?;
    if profile.is_live() && !confirm_live {
        return Err(CommandError::new(
            "confirm_live",
            "this connection reaches real borrowers (production); confirm to switch",
        ));
    }
    let credentials = match profile.kind {
        profiles::ProfileKind::Embedded => None,
        _ => Some(profiles::credentials(&profile)?),
    };
    conns
        .switch(profile, credentials)
        .await
        .map_err(|e| CommandError::new("internal", e.to_string()))?;
    profiles::set_active(&app, &id)?;
    use tauri::Manager;
    app.state::<crate::services::follow::Follower>().clear();
    // That connection's waiting drafts go now.
    app.state::<crate::outbox::Outbox>().wake();
    emit_connection(&app, &conns);
    Ok(conns.current().info())
}

#[tauri::command]
pub async fn test_connection<R: Runtime>(
    app: AppHandle<R>,
    conns: State<'_, Connections>,
    id: String,
) -> Result<diagnostics::TestReport, CommandError> {
    let profile = profiles::get(&app, &id)?;
    let client = if profile.kind == profiles::ProfileKind::Embedded {
        // The embedded sandbox runs only while it is the active connection: test that client.
        let conn = conns.current();
        if conn.profile().id != profiles::EMBEDDED_ID {
            return Err(CommandError::new(
                "invalid_input",
                "the embedded sandbox runs only while it is the active connection",
            ));
        }
        conn.client().clone()
    } else {
        let (client_id, secret) = profiles::credentials(&profile)?;
        crate::connection::client(&profile.base_url, &client_id, &secret)?
    };
    Ok(diagnostics::test(&client).await?)
}

fn emit_connection<R: Runtime>(app: &AppHandle<R>, conns: &Connections) {
    if let Err(e) = app.emit(CONNECTION_CHANGED, conns.current().info()) {
        tracing::warn!(error = %e, "could not emit {CONNECTION_CHANGED}");
    }
}

/// Updates the online state from a call's outcome, and tells the page when it changed or when
/// the credentials were refused.
pub(crate) fn note_outcome<R: Runtime, T>(
    app: &AppHandle<R>,
    conns: &Connections,
    result: &Result<T, dinie::Error>,
) {
    note_error(app, conns, result.as_ref().err());
}

/// [`note_outcome`] for a call that ended with `error` (`None`: it succeeded).
pub(crate) fn note_error<R: Runtime>(
    app: &AppHandle<R>,
    conns: &Connections,
    error: Option<&dinie::Error>,
) {
    let conn = conns.current();
    let answered = !matches!(
        error,
        Some(dinie::Error::Connection { .. } | dinie::Error::Timeout { .. })
    );
    if conn.record(answered) {
        emit_connection(app, conns);
    }
    if let Some(dinie::Error::Authentication {
        status: Some(400 | 401 | 403),
        ..
    }) = error
    {
        let payload = serde_json::json!({ "profileId": conn.profile().id, "profileName": conn.profile().name });
        if let Err(e) = app.emit(AUTH_REQUIRED, payload) {
            tracing::warn!(error = %e, "could not emit {AUTH_REQUIRED}");
        }
    }
}
