//! The app shell on the embedded sandbox.

use dinie_desk_e2e::{cpf, App};

#[tokio::test]
async fn opens_on_the_embedded_sandbox_with_an_empty_list() {
    App::run("empty-list", |app| async move {
        app.wait_for_text("#connection-badge", "Sandbox embutido")
            .await;
        app.wait_for_text("#online-indicator", "Conectado").await;
        app.wait_for_text("#screen-title", "Clientes").await;
        let empty = app
            .wait_for_text("#customers-empty", "Nenhum cliente ainda")
            .await;
        assert!(
            empty.contains("Novo cliente") && empty.contains("treino"),
            "the empty state says what to do, and what the sandbox is: {empty}"
        );
        assert_eq!(
            app.script("return document.documentElement.lang").await,
            "pt-BR"
        );
        app.screenshot("empty-list").await;
        app
    })
    .await;
}

#[tokio::test]
async fn a_customer_created_through_the_api_appears_after_refresh() {
    App::run("list-after-refresh", |app| async move {
        app.wait_for("#customers-empty").await;
        // The embedded sandbox's address is in Settings; its secret is the test world's.
        let client = app.embedded_api().await;
        let doc = cpf();
        for (i, name) in ["Maria da Silva", "João Pereira"].into_iter().enumerate() {
            client
                .customers()
                .create(
                    if i == 0 { doc.clone() } else { cpf() },
                    dinie_desk_e2e::cnpj(dinie_desk_e2e::Form::Mei),
                )
                .name(name)
                .email("m@example.com")
                .phone("+5511987654321")
                .external_id(format!("crm-{i}"))
                .send()
                .await
                .unwrap();
        }
        app.click("#nav-customers").await;
        app.click("#refresh-customers").await;
        app.wait_for("#customer-list").await;
        let table = app.wait_for_text("#customer-list", "Maria da Silva").await;
        assert!(table.contains("João Pereira"));
        let masked = dinie::br::Cpf::parse(&doc).unwrap().to_string();
        assert!(
            table.contains(&masked),
            "the CPF is shown with its mask: {table}"
        );
        assert!(
            table.contains("Criando") || table.contains("KYC pendente"),
            "status badge: {table}"
        );
        app.screenshot("customers-list").await;
        app
    })
    .await;
}

#[tokio::test]
async fn switching_language_changes_the_interface_and_is_remembered() {
    App::run("language", |app| async move {
        app.wait_for_text("#nav-customers", "Clientes").await;
        app.click("#nav-settings").await;
        app.select("#language-select", "en").await;
        app.wait_for_text("#nav-customers", "Customers").await;
        app.wait_for_text("#screen-title", "Settings").await;
        app.wait_for_text("#connection-badge", "Embedded sandbox")
            .await;
        assert_eq!(
            app.script("return document.documentElement.lang").await,
            "en"
        );
        app.click("#nav-customers").await;
        app.wait_for_text("#customers-empty", "No customers yet")
            .await;
        // Reloading the page (as a restart would) keeps English.
        app.script("location.reload()").await;
        app.wait_for("body[data-ready='true']").await;
        app.wait_for_text("#nav-drafts", "Drafts").await;
        app
    })
    .await;
}

#[tokio::test]
async fn the_page_can_reach_only_its_declared_commands() {
    App::run("ipc-boundary", |app| async move {
        app.wait_for("#customers-empty").await;
        // No global API object: the page imports a vendored module instead.
        assert_eq!(app.script("return typeof window.__TAURI__").await, "undefined");
        let outcome = app
            .script_async(
                r#"const done = arguments[0];
                const tryCall = (cmd, args) => window.__TAURI_INTERNALS__.invoke(cmd, args || {})
                    .then(() => 'allowed', (e) => 'refused: ' + (typeof e === 'string' ? e : JSON.stringify(e)));
                Promise.all([
                    tryCall('app_info'),
                    tryCall('plugin:webview|create_webview_window', { options: { label: 'x', url: 'https://example.com' } }),
                    tryCall('plugin:window|set_title', { label: 'main', value: 'pwned' }),
                    tryCall('plugin:path|resolve_directory', { directory: 1 }),
                    tryCall('plugin:store|load', { path: 'settings.json' }),
                    tryCall('not_a_command'),
                ]).then(done);"#,
            )
            .await;
        let results: Vec<String> = serde_json::from_value(outcome).unwrap();
        assert_eq!(results[0], "allowed", "{results:?}");
        // Refused by the ACL itself, not by a missing argument.
        for refused in &results[1..] {
            assert!(refused.starts_with("refused") && refused.contains("not allowed"), "{results:?}");
        }
        assert_eq!(app.driver.title().await.unwrap(), "Dinie Desk");
        app
    })
    .await;
}
