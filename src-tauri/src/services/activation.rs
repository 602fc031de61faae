//! Which connection is active: the one resumed at start-up, a switch the agent asks for
//! (production only when confirmed), a deleted profile falling back to the embedded sandbox,
//! and "Test connection" of any profile.

use tauri::{AppHandle, Runtime};

use crate::services::connection::{self, ConnectionError, ConnectionInfo, Connections, Initial};
use crate::services::diagnostics::{self, TestFailure, TestReport};
use crate::services::drafts::outbox::Outbox;
use crate::services::follow::Follower;
use crate::services::profiles::{self, Profile, ProfileError, ProfileKind, EMBEDDED_ID};

/// Why a connection could not be switched to or tested.
#[derive(Debug, thiserror::Error)]
pub enum ActivationError {
    /// A production connection: the agent must confirm first.
    #[error("this connection reaches real borrowers (production); confirm to switch")]
    ConfirmLive,
    /// The embedded sandbox can only be tested while it runs.
    #[error("the embedded sandbox runs only while it is the active connection")]
    EmbeddedNotActive,
    /// The profile or its credentials.
    #[error(transparent)]
    Profile(#[from] ProfileError),
    /// The connection could not be made.
    #[error(transparent)]
    Connection(#[from] ConnectionError),
    /// The test failed.
    #[error(transparent)]
    Test(#[from] TestFailure),
}

impl From<dinie::Error> for ActivationError {
    fn from(e: dinie::Error) -> Self {
        Self::Connection(ConnectionError::Client(e))
    }
}

/// The connection to start on: the chosen one with its credentials; when the keychain will
/// not give them (locked, or the entries are gone), still the chosen one, without credentials,
/// so that the agent is told and nothing typed for real borrowers lands on the embedded
/// sandbox; the embedded sandbox when none was chosen.
pub fn resume<R: Runtime>(app: &AppHandle<R>) -> Initial {
    let Ok(profile) = profiles::get(app, &profiles::active_id(app)) else {
        return Initial::Embedded;
    };
    if profile.kind == ProfileKind::Embedded {
        return Initial::Embedded;
    }
    match profiles::credentials(&profile) {
        Ok(creds) => Initial::Profile(profile, creds),
        Err(e) => {
            tracing::warn!(profile = %profile.id, error = %e, "the connection's credentials could not be read; staying on it without them");
            Initial::Locked(profile, e.to_string())
        }
    }
}

/// Switches to profile `id` (a live one only with `confirm_live`), remembers the choice,
/// forgets the customers followed on the previous one and sends the new one's drafts now.
pub async fn activate<R: Runtime>(
    app: &AppHandle<R>,
    conns: &Connections,
    follower: &Follower,
    outbox: &Outbox,
    id: &str,
    confirm_live: bool,
) -> Result<ConnectionInfo, ActivationError> {
    let profile = profiles::get(app, id)?;
    if profile.is_live() && !confirm_live {
        return Err(ActivationError::ConfirmLive);
    }
    let credentials = match profile.kind {
        ProfileKind::Embedded => None,
        _ => Some(profiles::credentials(&profile)?),
    };
    conns.switch(profile, credentials).await?;
    profiles::set_active(app, id)?;
    follower.clear();
    outbox.wake();
    Ok(conns.current().info())
}

/// Deletes a profile; when it was the active one, the embedded sandbox takes over.
pub async fn delete<R: Runtime>(
    app: &AppHandle<R>,
    conns: &Connections,
    id: &str,
) -> Result<(), ActivationError> {
    let was_active = conns.current().profile().id == id;
    profiles::delete(app, id)?;
    // What this computer saw of the connection's customers goes with it.
    if let Some(index) =
        tauri::Manager::try_state::<crate::services::customer_index::CustomerIndex>(app)
    {
        if let Err(e) = index.forget(id) {
            tracing::warn!(profile = %id, error = %e, "a deleted connection's customer index stays");
        }
    }
    if was_active {
        conns.switch(Profile::embedded(), None).await?;
    }
    Ok(())
}

/// Tests profile `id`: a token exchange with its credentials, whether it is active or not.
pub async fn test<R: Runtime>(
    app: &AppHandle<R>,
    conns: &Connections,
    id: &str,
) -> Result<TestReport, ActivationError> {
    let profile = profiles::get(app, id)?;
    let client = if profile.kind == ProfileKind::Embedded {
        // The embedded sandbox runs only while it is the active connection: test that client.
        let conn = conns.current();
        if conn.profile().id != EMBEDDED_ID {
            return Err(ActivationError::EmbeddedNotActive);
        }
        conn.client().clone()
    } else {
        let (client_id, secret) = profiles::credentials(&profile)?;
        connection::client(&profile.base_url, &client_id, &secret)?
    };
    Ok(diagnostics::test(&client).await?)
}
