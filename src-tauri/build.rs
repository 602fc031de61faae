//! Declares the app's commands so that capabilities can grant them one by one.

/// Every command of `src/commands.rs`; each gets an `allow-<name>` permission.
const COMMANDS: &[&str] = &[
    "app_info",
    "set_language",
    "list_profiles",
    "save_profile",
    "delete_profile",
    "activate_profile",
    "test_connection",
    "search_customers",
    "validate_field",
    "register_customer",
    "open_customer",
    "close_customer",
    "correct_customer",
    "pick_documents",
    "inspect_documents",
    "upload_document",
    "cancel_upload",
    "start_biometrics",
];

fn main() {
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(e) = tauri_build::try_build(attributes) {
        eprintln!("tauri-build failed: {e:#}");
        std::process::exit(1);
    }
}
