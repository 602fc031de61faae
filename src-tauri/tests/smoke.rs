//! The app built through its `build(builder)` seam on Tauri's mock runtime: set-up runs (the
//! embedded sandbox starts, the state is managed), and the page's commands answer through the
//! real handler list and the main window's capability.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::webview::InvokeRequest;
use tauri::Manager;

fn invoke(
    webview: &tauri::WebviewWindow<tauri::test::MockRuntime>,
    cmd: &str,
    args: serde_json::Value,
) -> Result<serde_json::Value, serde_json::Value> {
    invoke_from(webview, "tauri://localhost", cmd, args)
}

/// Invokes `cmd` as a page loaded from `origin` would.
fn invoke_from(
    webview: &tauri::WebviewWindow<tauri::test::MockRuntime>,
    origin: &str,
    cmd: &str,
    args: serde_json::Value,
) -> Result<serde_json::Value, serde_json::Value> {
    tauri::test::get_ipc_response(
        webview,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: origin.parse().unwrap(),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: tauri::test::INVOKE_KEY.to_string(),
        },
    )
    .map(|body| body.deserialize::<serde_json::Value>().unwrap())
}

#[test]
fn the_app_builds_and_its_commands_answer_through_the_capability() {
    // The app's data and logs go to a folder of this test, not the user's.
    let home = tempfile::tempdir().unwrap();
    std::env::set_var("HOME", home.path());
    std::env::set_var("XDG_DATA_HOME", home.path().join("data"));
    std::env::set_var("XDG_CONFIG_HOME", home.path().join("config"));

    let mut app = dinie_desk::build(tauri::test::mock_builder()).unwrap();
    // Set-up runs when the event loop starts: one iteration (deprecated because it busy-loops
    // when called in a loop, which this is not) runs it and returns.
    #[allow(deprecated)]
    app.run_iteration(|_, _| {});
    let webview = match app.get_webview_window("main") {
        Some(w) => w,
        None => tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .unwrap(),
    };

    let verdict = invoke(
        &webview,
        "validate_field",
        serde_json::json!({"field": "cpf", "value": "12345678909"}),
    )
    .unwrap();
    assert_eq!(verdict["formatted"], "123.456.789-09");

    let info = invoke(&webview, "app_info", serde_json::json!({})).unwrap();
    assert_eq!(info["connection"]["kind"], "embedded");
    assert_eq!(info["language"], "pt-BR");

    let refused = invoke(
        &webview,
        "validate_field",
        serde_json::json!({"field": "name", "value": "Maria"}),
    )
    .unwrap_err();
    assert_eq!(refused["code"], "invalid_input");

    // A command the capability does not grant is refused by the ACL.
    assert!(invoke(
        &webview,
        "plugin:notification|notify",
        serde_json::json!({})
    )
    .is_err());
    assert!(app
        .try_state::<dinie_desk::services::connection::Connections>()
        .is_some());
}
