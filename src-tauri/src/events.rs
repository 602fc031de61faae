//! Every event the page hears: its name, its payload, and the one function that emits it.
//! The page keeps the same names in `ui/js/app-state.js` (a test compares the two lists).
//!
//! Services do not emit: they announce on channels ([`Connections::subscribe`],
//! [`Outbox::changed`]) that [`forward`] turns into these events.

use serde::Serialize;
use tauri::{AppHandle, DragDropEvent, Emitter, Manager, Runtime, Webview, WebviewEvent};

use crate::services::connection::{ConnectionEvent, Connections};
use crate::services::customer_detail::CustomerView;
use crate::services::drafts::outbox::{Outbox, SyncProgress};
use crate::services::picked::{Picked, PickedFiles};
use crate::windows::main_window;

/// The API stopped or started answering, or another connection became active: its
/// [`ConnectionInfo`](crate::services::connection::ConnectionInfo).
pub const CONNECTION_CHANGED: &str = "connection-changed";
/// The API refused the stored credentials (revoked secret): the page offers Settings, keeping
/// what the agent was doing. Payload [`CredentialsRefused`].
pub const AUTH_REQUIRED: &str = "auth-required";
/// A followed customer changed: its [`CustomerView`].
pub const CUSTOMER_UPDATED: &str = "customer-updated";
/// The drafts' counts for the active connection changed: a
/// [`DraftStatus`](crate::services::drafts::outbox::DraftStatus).
pub const DRAFTS_CHANGED: &str = "drafts-changed";
/// How far a sync run is: a [`SyncProgress`].
pub const SYNC_PROGRESS: &str = "sync-progress";
/// Files were dropped on the main window: [`FilesDropped`] (tokens, not paths).
pub const FILES_DROPPED: &str = "files-dropped";

/// Every event name, for the test that the page knows the same ones.
pub const ALL: [&str; 6] = [
    CONNECTION_CHANGED,
    AUTH_REQUIRED,
    CUSTOMER_UPDATED,
    DRAFTS_CHANGED,
    SYNC_PROGRESS,
    FILES_DROPPED,
];

/// Payload of [`FILES_DROPPED`]: the files (by token) and where they were dropped, in
/// physical pixels of the window.
#[derive(Debug, Clone, Serialize)]
pub struct FilesDropped {
    pub files: Vec<Picked>,
    pub position: Position,
}

/// A point of the window, in physical pixels.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Position {
    pub x: f64,
    pub y: f64,
}

/// Payload of [`AUTH_REQUIRED`].
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CredentialsRefused {
    pub profile_id: String,
    pub profile_name: String,
}

fn emit<R: Runtime, P: Serialize + Clone>(app: &AppHandle<R>, name: &str, payload: P) {
    if let Err(e) = app.emit(name, payload) {
        tracing::warn!(error = %e, "could not emit {name}");
    }
}

/// [`CUSTOMER_UPDATED`].
pub fn customer_updated<R: Runtime>(app: &AppHandle<R>, view: &CustomerView) {
    emit(app, CUSTOMER_UPDATED, view);
}

/// A native drop on the main window: the paths stay in Rust ([`PickedFiles`]), the page hears
/// [`FILES_DROPPED`] with tokens.
pub fn on_webview_event<R: Runtime>(webview: &Webview<R>, event: &WebviewEvent) {
    let WebviewEvent::DragDrop(DragDropEvent::Drop { paths, position }) = event else {
        return;
    };
    if webview.label() != main_window::LABEL {
        return;
    }
    let app = webview.app_handle();
    let Some(picked) = app.try_state::<PickedFiles>() else {
        return;
    };
    let files = picked.register_all(paths.iter().cloned());
    let position = Position {
        x: position.x,
        y: position.y,
    };
    emit(app, FILES_DROPPED, FilesDropped { files, position });
}

/// [`SYNC_PROGRESS`].
pub fn sync_progress<R: Runtime>(app: &AppHandle<R>, progress: SyncProgress) {
    emit(app, SYNC_PROGRESS, progress);
}

/// [`DRAFTS_CHANGED`], with the counts as they are now.
pub fn drafts_changed<R: Runtime>(app: &AppHandle<R>) {
    let status = app
        .state::<Outbox>()
        .status(&app.state::<Connections>().current());
    emit(app, DRAFTS_CHANGED, status);
}

fn connection_event<R: Runtime>(app: &AppHandle<R>, event: ConnectionEvent) {
    match event {
        ConnectionEvent::Changed(info) => emit(app, CONNECTION_CHANGED, info),
        ConnectionEvent::CredentialsRefused {
            profile_id,
            profile_name,
        } => emit(
            app,
            AUTH_REQUIRED,
            CredentialsRefused {
                profile_id,
                profile_name,
            },
        ),
    }
}

/// Turns what the services announce into page events, until the app exits: the
/// connection's changes as they happen, the drafts' counts once per burst of changes.
pub async fn forward<R: Runtime>(app: AppHandle<R>) {
    let mut connection = app.state::<Connections>().subscribe();
    loop {
        let outbox = app.state::<Outbox>();
        tokio::select! {
            event = connection.recv() => match event {
                Ok(event) => connection_event(&app, event),
                Err(tokio::sync::broadcast::error::RecvError::Lagged(missed)) => {
                    tracing::warn!(missed, "connection events were missed; sending the state");
                    emit(&app, CONNECTION_CHANGED, app.state::<Connections>().current().info());
                }
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
            },
            () = outbox.changed() => drafts_changed(&app),
        }
    }
}
