//! The commands the page may invoke, and nothing else: each parses its arguments, calls one
//! service and maps the error to a [`CommandError`](error::CommandError). The list lives three
//! times, by Tauri's design: here (the handlers, registered in `lib.rs`), in `build.rs` (the
//! permissions) and in `capabilities/main.json` (the grants); a test keeps them equal.

pub mod app;
pub mod biometrics;
pub mod connections;
pub mod customers;
pub mod documents;
pub mod drafts;
pub mod error;

/// Runs `work` on the blocking pool: a command that touches the disk, the keychain or the
/// drafts' crypto never holds the window's thread (a keychain prompt or a slow disk would
/// freeze it), and the page's other calls are answered meanwhile.
pub(crate) async fn blocking<R: tauri::Runtime, T: Send + 'static>(
    app: tauri::AppHandle<R>,
    work: impl FnOnce(&tauri::AppHandle<R>) -> Result<T, error::CommandError> + Send + 'static,
) -> Result<T, error::CommandError> {
    tauri::async_runtime::spawn_blocking(move || work(&app))
        .await
        .map_err(error::CommandError::internal)?
}
