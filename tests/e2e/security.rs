//! What a partner's security officer checks: credentials go only where they were typed for,
//! a locked keychain never moves real borrowers onto the embedded sandbox, the embedded
//! sandbox is marked as test data and closed to other processes, and the main window loads
//! nothing but the app.

use std::sync::atomic::Ordering;

use dinie_desk_e2e::{cpf, standalone_sandbox, App};
use dinie_sandbox::{DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET};

#[tokio::test]
async fn stored_credentials_never_follow_an_edited_address() {
    let (first, _) = standalone_sandbox().await;
    let (second, _) = standalone_sandbox().await;
    let (url, elsewhere) = (first.base_url(), second.base_url());
    let seen_elsewhere = second.state().clone();
    App::run("credentials-moved", |app| async move {
        app.add_custom_profile("Parceiro", &url, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)
            .await;
        let id = app.profile_id("Parceiro").await;
        // As any script in the page could: the address changed, the secret left blank.
        let edited = app
            .invoke(
                "save_profile",
                serde_json::json!({ "input": {
                    "id": id, "name": "Parceiro", "kind": "custom",
                    "baseUrl": elsewhere, "clientId": "", "clientSecret": ""
                }}),
            )
            .await;
        assert_eq!(edited["error"]["code"], "validation", "{edited}");
        assert_eq!(
            edited["error"]["fields"]["clientId"]["code"], "connection.retype",
            "{edited}"
        );
        // The profile still leads to the first sandbox, and testing it stays there.
        let tested = app
            .invoke("test_connection", serde_json::json!({ "id": id }))
            .await;
        assert!(tested["latencyMs"].is_number(), "{tested}");
        assert_eq!(
            seen_elsewhere.stats().requests.load(Ordering::SeqCst),
            0,
            "the other sandbox saw a request"
        );
        assert_eq!(
            seen_elsewhere.stats().tokens_issued.load(Ordering::SeqCst),
            0
        );
        app
    })
    .await;
}

#[tokio::test]
async fn a_locked_keychain_keeps_the_chosen_connection_and_sends_nothing() {
    let (sandbox, _) = standalone_sandbox().await;
    let url = sandbox.base_url();
    let state = sandbox.state().clone();
    App::run("keychain-locked-at-start", |app| async move {
        app.add_custom_profile("Parceiro", &url, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)
            .await;
        app.use_profile("Parceiro").await;
        app.stop_keyring();
        let app = app.restart().await;
        let requests = state.stats().requests.load(Ordering::SeqCst);

        // Still the chosen connection, not the embedded sandbox; the agent is told why.
        app.wait_for("#connection-badge:not([data-kind='embedded'])")
            .await;
        let banner = app.wait_for_text("#keychain-banner", "chaveiro").await;
        assert!(banner.contains("Parceiro"), "{banner}");
        assert!(app
            .script("return document.getElementById('test-data-marker').hidden")
            .await
            .as_bool()
            .unwrap());

        // A registration typed now goes nowhere, and nothing of it lands on disk.
        app.click("#new-customer").await;
        let doc = cpf();
        app.fill("#reg-cpf", &doc).await;
        app.fill(
            "#reg-cnpj",
            &dinie_desk_e2e::cnpj(dinie_desk_e2e::Form::Mei),
        )
        .await;
        app.fill("#reg-name", "Borrower Real").await;
        app.fill("#reg-email", "real@example.com").await;
        app.fill("#reg-phone", "11987654321").await;
        app.click("#reg-submit").await;
        app.wait_for("#error-box").await;
        assert_eq!(
            state.stats().requests.load(Ordering::SeqCst),
            requests,
            "a request reached the API without credentials"
        );
        for file in app.written_files() {
            let bytes = std::fs::read(&file).unwrap_or_default();
            assert!(
                !bytes.windows(11).any(|w| w == doc.as_bytes()),
                "the CPF is in {}",
                file.display()
            );
        }
        app
    })
    .await;
}

#[tokio::test]
async fn the_embedded_sandbox_is_marked_as_test_data_and_closed_to_other_processes() {
    App::run("embedded-closed", |app| async move {
        app.wait_for("#test-data-marker:not([hidden])").await;
        let url = app.embedded_url().await;
        // The well-known sandbox credentials do not open the app's sandbox.
        let outsider = dinie_desk_e2e::client_for(&url);
        let refused = outsider.authenticate().await.unwrap_err();
        assert_eq!(refused.status(), Some(401), "{refused}");
        // The app's own (this world's) credentials do.
        app.embedded_api().await.authenticate().await.unwrap();
        app
    })
    .await;
}

#[tokio::test]
async fn the_main_window_loads_nothing_but_the_app() {
    App::run("main-navigation", |app| async move {
        app.script("location.href = 'https://example.com/'; return true")
            .await;
        tokio::time::sleep(std::time::Duration::from_millis(800)).await;
        let here = app.script("return location.href").await;
        assert!(
            here.as_str().is_some_and(|u| u.contains("localhost")),
            "{here}"
        );
        app.wait_for("body[data-ready='true']").await;
        app
    })
    .await;
}

#[tokio::test]
async fn files_the_agent_did_not_choose_cannot_be_read() {
    App::run("unpicked-paths", |app| async move {
        let api = app.embedded_api().await;
        let customer = api
            .customers()
            .create(cpf(), dinie_desk_e2e::cnpj(dinie_desk_e2e::Form::Mei))
            .name("Sem Arquivos")
            .email("s@example.com")
            .phone("+5511987654321")
            .send()
            .await
            .unwrap()
            .into_customer();
        for (command, args) in [
            (
                "inspect_documents",
                serde_json::json!({ "customerId": customer.id, "files": ["/etc/hostname"], "docType": "cnh" }),
            ),
            (
                "attach_draft_document",
                serde_json::json!({ "draftId": "d-1", "form": null, "file": "/etc/hostname", "docType": null }),
            ),
            ("import_drafts", serde_json::json!({ "file": "/etc/passwd" })),
        ] {
            let answer = app.invoke(command, args).await;
            assert_eq!(answer["error"]["code"], "invalid_input", "{command}: {answer}");
        }
        // The old way, a path by name, is no argument any command takes.
        let answer = app
            .invoke("import_drafts", serde_json::json!({ "path": "/etc/passwd" }))
            .await;
        assert!(!answer["error"].is_null(), "{answer}");
        // A file the agent did pick is read; its token means nothing to another command kind.
        let dir = tempfile::tempdir().unwrap();
        let cnh = dir.path().join("cnh.pdf");
        std::fs::write(&cnh, b"%PDF-1.4 scanned").unwrap();
        let files = app.pick(&[&cnh.display().to_string()]).await;
        let token = files[0]["token"].as_str().unwrap().to_owned();
        assert!(!token.contains('/'), "a token, not a path: {token}");
        let checks = app
            .invoke(
                "inspect_documents",
                serde_json::json!({ "customerId": customer.id, "files": [token], "docType": "cnh" }),
            )
            .await;
        assert_eq!(checks[0]["format"], "pdf", "{checks}");
        assert!(checks[0].get("path").is_none(), "the page gets no path: {checks}");
        app
    })
    .await;
}
