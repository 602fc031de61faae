//! Dinie Desk: the back-office desktop app for Dinie credit partners.
//!
//! The data flows one way: the page (`ui/`) invokes [`commands`], which call a service
//! ([`services`]), which uses the API client ([`dinie`]) through the active [`connection`].
//! With no connection profile the app starts the sandbox in-process and connects to it.

pub mod commands;
pub mod connection;
pub mod error;
pub mod platform;
pub mod services;

use tauri::{Manager, Runtime};

use crate::connection::Connection;

/// Builds and runs the app on `builder` (tests pass a mock builder).
pub fn run<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Result<()> {
    init_logging();
    let app = builder
        .plugin(tauri_plugin_store::Builder::new().build())
        .setup(|app| {
            let data_dir = app.path().app_data_dir()?;
            let conn = tauri::async_runtime::block_on(Connection::embedded(&data_dir))?;
            app.manage(conn);
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::list_customers,
            commands::set_language,
        ])
        .build(tauri::generate_context!())?;
    // Every sandbox write is its own committed transaction, so stopping at any point loses
    // nothing; the embedded server stops with the process.
    app.run(|_, _| {});
    Ok(())
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("DINIE_DESK_LOG")
        .unwrap_or_else(|_| "dinie_desk=info,dinie_sandbox=warn".into());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
