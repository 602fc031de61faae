//! The system's file pickers (`rfd`: GTK on Linux, the native dialogs elsewhere).

/// Asks for documents, filtered to PDF, JPEG and PNG; the chosen paths (none if cancelled).
pub async fn documents() -> Vec<String> {
    rfd::AsyncFileDialog::new()
        .add_filter(
            "PDF, JPEG, PNG",
            &["pdf", "jpg", "jpeg", "png", "PDF", "JPG", "JPEG", "PNG"],
        )
        .pick_files()
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|f| f.path().display().to_string())
        .collect()
}

/// Asks for one CSV; its path (none if cancelled).
pub async fn csv() -> Option<String> {
    rfd::AsyncFileDialog::new()
        .add_filter("CSV", &["csv", "CSV", "txt"])
        .pick_file()
        .await
        .map(|f| f.path().display().to_string())
}
