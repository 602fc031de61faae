//! Dinie Desk: the back-office desktop app for Dinie credit partners.
//!
//! The data flows one way: the page (`ui/`) invokes [`commands`], which call a service
//! ([`services`]), which uses the API client ([`dinie`]) through the active [`connection`].
//! With no connection profile the app starts the sandbox in-process and connects to it.

pub mod biometrics;
pub mod commands;
pub mod connection;
pub mod documents;
pub mod drafts;
pub mod error;
pub mod logging;
pub mod outbox;
pub mod platform;
pub mod services;
pub mod vault;
pub mod workspace;

use tauri::{Manager, Runtime};

use crate::connection::Connections;
use crate::services::profiles;

/// Builds and runs the app on `builder` (tests pass a mock builder).
pub fn run<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Result<()> {
    let app = builder
        .plugin(tauri_plugin_store::Builder::new().build())
        .plugin(tauri_plugin_notification::init())
        // No page of the app itself needs a device: deny every permission request. The
        // biometrics window has its own rule (camera for the session's origin only).
        .on_permission_request(|_, _| tauri::webview::PermissionResponse::Deny)
        .setup(|app| {
            logging::init(&app.path().app_log_dir()?);
            let data_dir = app.path().app_data_dir()?;
            let handle = app.handle();
            // Resume the chosen connection; if its credentials cannot be read (keychain locked),
            // start on the embedded sandbox and say why.
            let active = profiles::get(handle, &profiles::active_id(handle)).ok();
            let initial = match active {
                Some(p) if p.kind != profiles::ProfileKind::Embedded => match profiles::credentials(&p) {
                    Ok(creds) => Some((p, creds)),
                    Err(e) => {
                        tracing::warn!(profile = %p.id, error = %e, "could not resume the connection; using the embedded sandbox");
                        None
                    }
                },
                _ => None,
            };
            let outbox = outbox::Outbox::new(data_dir.join("drafts"));
            let conns = tauri::async_runtime::block_on(Connections::start(data_dir, initial))?;
            app.manage(conns);
            app.manage(services::follow::Follower::default());
            app.manage(documents::Uploads::default());
            app.manage(biometrics::Sessions::default());
            app.manage(outbox);
            tauri::async_runtime::spawn(workspace::follow_forever(app.handle().clone()));
            tauri::async_runtime::spawn(outbox::run_forever(app.handle().clone()));
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::set_language,
            commands::list_profiles,
            commands::save_profile,
            commands::delete_profile,
            commands::activate_profile,
            commands::test_connection,
            workspace::search_customers,
            workspace::validate_field,
            workspace::open_customer,
            workspace::close_customer,
            workspace::correct_customer,
            documents::pick_documents,
            documents::inspect_documents,
            documents::upload_document,
            documents::cancel_upload,
            biometrics::start_biometrics,
            drafts::draft_status,
            drafts::list_drafts,
            drafts::get_draft,
            drafts::save_draft,
            drafts::submit_draft,
            drafts::discard_draft,
            drafts::attach_draft_document,
            drafts::remove_draft_document,
            drafts::set_draft_document_type,
            drafts::pick_csv,
            drafts::import_drafts,
            drafts::sync_now,
        ])
        .build(tauri::generate_context!())?;
    // Every sandbox write is its own committed transaction, so stopping at any point loses
    // nothing; the embedded server stops with the process.
    app.run(|_, _| {});
    Ok(())
}
