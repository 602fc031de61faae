//! Connection profiles: list, save, delete, switch to, test.

use serde::Serialize;
use tauri::{AppHandle, Runtime, State};

use super::error::CommandError;
use crate::services::activation;
use crate::services::connection::{ConnectionInfo, Connections};
use crate::services::diagnostics::TestReport;
use crate::services::drafts::outbox::Outbox;
use crate::services::follow::Follower;
use crate::services::profiles::{self, Profile, ProfileInput};

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

/// Saves a profile: its secret goes to the keychain (a D-Bus call that may prompt), off the
/// window's thread.
#[tauri::command]
pub async fn save_profile<R: Runtime>(
    app: AppHandle<R>,
    input: ProfileInput,
) -> Result<Profile, CommandError> {
    super::blocking(app, move |app| Ok(profiles::save(app, input)?)).await
}

#[tauri::command]
pub async fn delete_profile<R: Runtime>(
    app: AppHandle<R>,
    conns: State<'_, Connections>,
    id: String,
) -> Result<(), CommandError> {
    Ok(activation::delete(&app, &conns, &id).await?)
}

#[tauri::command]
pub async fn activate_profile<R: Runtime>(
    app: AppHandle<R>,
    conns: State<'_, Connections>,
    follower: State<'_, Follower>,
    outbox: State<'_, Outbox>,
    id: String,
    confirm_live: bool,
) -> Result<ConnectionInfo, CommandError> {
    Ok(activation::activate(&app, &conns, &follower, &outbox, &id, confirm_live).await?)
}

#[tauri::command]
pub async fn test_connection<R: Runtime>(
    app: AppHandle<R>,
    conns: State<'_, Connections>,
    id: String,
) -> Result<TestReport, CommandError> {
    Ok(activation::test(&app, &conns, &id).await?)
}

/// The system says the network came or went (the page's `online` and `offline` events): asks
/// the API now, so that the header says so at once instead of at the next probe.
#[tauri::command]
pub async fn check_connection(conns: State<'_, Connections>) -> Result<bool, CommandError> {
    Ok(conns.current().probe().await)
}
