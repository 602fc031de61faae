//! Declares the app's commands so that capabilities can grant them one by one.

/// Every command the page may invoke; each gets an `allow-<name>` permission.
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
    "open_customer",
    "close_customer",
    "correct_customer",
    "send_kyc_value",
    "submit_for_review",
    "list_banks",
    "save_bank_account",
    "pick_documents",
    "inspect_documents",
    "upload_document",
    "cancel_upload",
    "find_customers",
    "customers_waiting",
    "refresh_customer_index",
    "start_biometrics",
    "share_biometrics",
    "draft_status",
    "list_drafts",
    "get_draft",
    "save_draft",
    "submit_draft",
    "discard_drafts",
    "move_draft",
    "retry_drafts",
    "attach_draft_document",
    "remove_draft_document",
    "set_draft_document_type",
    "pick_csv",
    "save_csv_template",
    "save_import_errors",
    "import_drafts",
    "preview_import",
    "sync_now",
    "check_connection",
];

fn main() {
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(e) = tauri_build::try_build(attributes) {
        eprintln!("tauri-build failed: {e:#}");
        std::process::exit(1);
    }
}
