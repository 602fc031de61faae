//! The system's file pickers (`rfd`: GTK on Linux, the native dialogs elsewhere). What the
//! agent picks goes to [`PickedFiles`]; the page gets tokens.
//!
//! For automated tests (no one to click in a dialog), `DINIE_DESK_TEST_PICKS` may name a file
//! listing paths, one a line: the next pick returns those and empties the file instead of
//! opening a dialog. The variable is read from the app's own environment, which nothing in
//! the page can set. Saving is the same with `DINIE_DESK_TEST_SAVES`: its file names the path
//! the next save dialog returns.

use std::path::PathBuf;

use crate::services::picked::{Picked, PickedFiles};

/// See the module documentation.
pub const TEST_PICKS_ENV: &str = "DINIE_DESK_TEST_PICKS";

/// See the module documentation.
pub const TEST_SAVES_ENV: &str = "DINIE_DESK_TEST_SAVES";

/// The paths a test queued for the next pick, if it did.
fn test_picks() -> Option<Vec<PathBuf>> {
    queued(TEST_PICKS_ENV)
}

/// The paths listed in the file that `env` names (which is emptied), when it is set.
fn queued(env: &str) -> Option<Vec<PathBuf>> {
    let list = PathBuf::from(std::env::var_os(env)?);
    let text = std::fs::read_to_string(&list).ok()?;
    let _ = std::fs::write(&list, "");
    Some(
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(PathBuf::from)
            .collect(),
    )
}

/// Asks for documents, filtered to PDF, JPEG and PNG; the chosen ones (none if cancelled).
pub async fn documents(picked: &PickedFiles) -> Vec<Picked> {
    let paths = match test_picks() {
        Some(paths) => paths,
        None => rfd::AsyncFileDialog::new()
            .add_filter(
                "PDF, JPEG, PNG",
                &["pdf", "jpg", "jpeg", "png", "PDF", "JPG", "JPEG", "PNG"],
            )
            .pick_files()
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|f| f.path().to_path_buf())
            .collect(),
    };
    picked.register_all(paths)
}

/// Asks for one CSV; the chosen one (none if cancelled).
pub async fn csv(picked: &PickedFiles) -> Option<Picked> {
    let path = match test_picks() {
        Some(paths) => paths.into_iter().next(),
        None => rfd::AsyncFileDialog::new()
            .add_filter("CSV", &["csv", "CSV", "txt"])
            .pick_file()
            .await
            .map(|f| f.path().to_path_buf()),
    }?;
    picked.register_all([path]).into_iter().next()
}

/// Asks where to save a CSV, proposing `name`; the chosen path (none if cancelled).
pub async fn save_csv(name: &str) -> Option<PathBuf> {
    match queued(TEST_SAVES_ENV) {
        Some(paths) => paths.into_iter().next(),
        None => rfd::AsyncFileDialog::new()
            .add_filter("CSV", &["csv"])
            .set_file_name(name)
            .save_file()
            .await
            .map(|f| f.path().to_path_buf()),
    }
}
