//! Dinie Desk: the back-office desktop app for Dinie credit partners.
//!
//! The data flows one way: the page (`ui/`) invokes [`commands`], which call a service
//! ([`services`]), which uses the API client ([`dinie`]) through the active
//! [`services::connection`]. The [`workers`] (the outbox and follow loops) use the same
//! services; both tell the page through [`events`] and the desktop through [`notify`]. With no
//! connection profile the app starts the sandbox in-process and connects to it.
//!
//! Imports point down only: `commands`, `workers` → `events`, `notify`, `windows` →
//! `services` → `dinie`. A test (`tests/house.rs`) keeps it so.

pub mod blocking;
pub mod commands;
pub mod events;
pub mod locks;
pub mod logging;
pub mod notify;
pub mod platform;
pub mod services;
pub mod windows;
pub mod workers;

use tauri::{Manager, Runtime};

use crate::services::activation;
use crate::services::biometrics::Sessions;
use crate::services::connection::Connections;
use crate::services::customer_index::CustomerIndex;
use crate::services::documents::Uploads;
use crate::services::drafts::outbox::Outbox;
use crate::services::follow::Follower;
use crate::services::picked::PickedFiles;
use crate::services::startup::{Startup, StartupError};

/// What lives in the machine's local data folder (moved there from the app's data folder,
/// where an earlier release kept it).
const LOCAL_DATA: [&str; 4] = [
    "drafts",
    "embedded-sandbox.db",
    "embedded-sandbox.db-wal",
    "embedded-sandbox.db-shm",
];

/// Builds the app on `builder` (tests pass `tauri::test::mock_builder()`): plugins, state, the
/// command handlers, and at set-up the window, then (off the UI thread) the connection, the
/// workers and the event forwarding.
pub fn build<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Result<tauri::App<R>> {
    builder
        // First: a second launch (a double click on the icon) hands over to this one and exits
        // before doing anything (two outbox workers would upload the same documents, two
        // profile editors overwrite each other).
        .plugin(tauri_plugin_single_instance::init(|app, _, _| {
            windows::main_window::focus(app)
        }))
        .plugin(tauri_plugin_store::Builder::new().build())
        .plugin(tauri_plugin_notification::init())
        // No page of the app itself needs a device: deny every permission request. The
        // biometrics window has its own rule (camera for the session's origin only).
        .on_permission_request(|_, _| tauri::webview::PermissionResponse::Deny)
        .manage(PickedFiles::default())
        .on_webview_event(events::on_webview_event)
        .register_uri_scheme_protocol(windows::main_window::PREVIEW_SCHEME, |ctx, request| {
            windows::main_window::preview(ctx.app_handle(), &request)
        })
        .setup(|app| {
            logging::init(&app.path().app_log_dir()?);
            // Settings and connections in the app's data folder; the drafts and the embedded
            // sandbox (SQLite databases, personal data) on this machine only (on Windows,
            // LocalAppData rather than the roaming profile).
            let data_dir = app.path().app_data_dir()?;
            platform::private_dir(&data_dir)?;
            let local_dir = app.path().app_local_data_dir()?;
            platform::move_to_local(&data_dir, &local_dir, &LOCAL_DATA)?;
            app.manage(Outbox::new(local_dir.join("drafts")));
            app.manage(CustomerIndex::new(local_dir.join("index")));
            app.manage(Follower::default());
            app.manage(Uploads::default());
            app.manage(Sessions::default());
            app.manage(Startup::default());
            // The window first: WebKit's processes start while the connection is made, on
            // another thread (a keychain prompt or a slow disk must not hold the UI thread).
            windows::main_window::open(app.handle())?;
            tauri::async_runtime::spawn(connect(app.handle().clone(), local_dir));
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app::app_info,
            commands::app::set_language,
            commands::connections::list_profiles,
            commands::connections::save_profile,
            commands::connections::delete_profile,
            commands::connections::activate_profile,
            commands::connections::test_connection,
            commands::customers::search_customers,
            commands::customers::find_customers,
            commands::customers::customers_waiting,
            commands::customers::refresh_customer_index,
            commands::customers::validate_field,
            commands::customers::open_customer,
            commands::customers::close_customer,
            commands::customers::correct_customer,
            commands::customers::send_kyc_value,
            commands::customers::submit_for_review,
            commands::customers::list_banks,
            commands::customers::save_bank_account,
            commands::documents::pick_documents,
            commands::documents::inspect_documents,
            commands::documents::upload_document,
            commands::documents::cancel_upload,
            commands::biometrics::start_biometrics,
            commands::biometrics::share_biometrics,
            commands::drafts::draft_status,
            commands::drafts::list_drafts,
            commands::drafts::get_draft,
            commands::drafts::save_draft,
            commands::drafts::submit_draft,
            commands::drafts::discard_drafts,
            commands::drafts::move_draft,
            commands::drafts::retry_drafts,
            commands::drafts::attach_draft_document,
            commands::drafts::remove_draft_document,
            commands::drafts::set_draft_document_type,
            commands::drafts::pick_csv,
            commands::drafts::save_csv_template,
            commands::drafts::save_import_errors,
            commands::drafts::import_drafts,
            commands::drafts::preview_import,
            commands::drafts::sync_now,
            commands::connections::check_connection,
        ])
        .build(tauri::generate_context!())
}

/// Makes the connection the app starts on, then starts what uses it (the event forwarding and
/// the workers) and tells whoever waits ([`Startup`]).
async fn connect<R: Runtime>(app: tauri::AppHandle<R>, local_dir: std::path::PathBuf) {
    let resumed = tauri::async_runtime::spawn_blocking({
        let app = app.clone();
        move || activation::resume(&app)
    })
    .await;
    let started = match resumed {
        Ok(initial) => Connections::start(local_dir, initial)
            .await
            .map_err(|e| StartupError(e.to_string())),
        Err(e) => Err(StartupError(e.to_string())),
    };
    let outcome = started.map(|conns| {
        app.manage(conns);
        tauri::async_runtime::spawn(events::forward(app.clone()));
        tauri::async_runtime::spawn(workers::follow::follow_forever(app.clone()));
        tauri::async_runtime::spawn(workers::outbox::run_forever(app.clone()));
    });
    if let Err(e) = &outcome {
        tracing::error!(error = %e, "start-up failed");
    }
    app.state::<Startup>().finish(outcome);
}

/// Builds and runs the app until its last window closes.
pub fn run<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Result<()> {
    let app = build(builder)?;
    // Every sandbox write is its own committed transaction, so stopping at any point loses
    // nothing; the embedded server stops with the process.
    app.run(|_, _| {});
    Ok(())
}
