//! Connection profiles and credentials in the OS keychain.

use dinie_desk_e2e::{cpf, standalone_sandbox, standalone_sandbox_with, App};
use dinie_sandbox::{DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET};

/// Adds a custom-URL profile through the form.
async fn add_profile(app: &App, name: &str, url: &str, client_id: &str, secret: &str) {
    app.add_custom_profile(name, url, client_id, secret).await;
}

#[tokio::test]
async fn a_profile_for_a_standalone_sandbox_survives_a_restart() {
    let (sandbox, api) = standalone_sandbox().await;
    api.customers()
        .create(cpf(), dinie_desk_e2e::cnpj(dinie_desk_e2e::Form::Mei))
        .name("Cliente do Parceiro")
        .email("p@example.com")
        .phone("+5511987654321")
        .send()
        .await
        .unwrap();
    let url = sandbox.base_url();
    App::run("profile-restart", |app| async move {
        // A search typed on the embedded sandbox's list does not follow to another connection.
        app.wait_for("#customer-list, #customers-empty").await;
        app.fill("#customer-search", "ext-de-outra-conexao").await;
        app.click("#search-customers").await;
        add_profile(
            &app,
            "Sandbox do parceiro",
            &url,
            DEFAULT_CLIENT_ID,
            DEFAULT_CLIENT_SECRET,
        )
        .await;
        let id = app.profile_id("Sandbox do parceiro").await;
        let row = app
            .wait_for_text(&format!(".profile[data-id='{id}']"), "dinie_ci_test_…dbox")
            .await;
        assert!(row.contains("chaveiro"), "{row}");

        app.click(&format!("#test-{id}")).await;
        let result = app
            .wait_for_text(&format!("#test-result-{id}[data-state='ok']"), "ms")
            .await;
        assert!(
            result.contains("test") && result.contains("/10000"),
            "{result}"
        );

        app.screenshot("connections").await;
        app.click(&format!("#use-{id}")).await;
        // The header names the connection the agent chose, and what it leads to.
        app.wait_for_text("#connection-badge", "Sandbox do parceiro · Sandbox Dinie")
            .await;
        app.click("#nav-customers").await;
        app.wait_for_text("#customer-list", "Cliente do Parceiro")
            .await;
        let search = app
            .script("return document.getElementById('customer-search').value")
            .await;
        assert_eq!(search, "", "the filters start afresh on another connection");

        let app = app.restart().await;
        app.wait_for_text("#connection-badge", "Sandbox Dinie")
            .await;
        app.wait_for_text("#customer-list", "Cliente do Parceiro")
            .await;
        app.wait_for_text("#online-indicator", "Conectado").await;
        app
    })
    .await;
}

#[tokio::test]
async fn a_wrong_secret_or_address_gets_its_own_message() {
    let (sandbox, _) = standalone_sandbox().await;
    let url = sandbox.base_url();
    App::run("profile-wrong", |app| async move {
        add_profile(
            &app,
            "Segredo errado",
            &url,
            DEFAULT_CLIENT_ID,
            "dinie_cs_test_wrong",
        )
        .await;
        let id = app.profile_id("Segredo errado").await;
        app.click(&format!("#test-{id}")).await;
        app.wait_for_text(
            &format!("#test-result-{id}[data-state='error']"),
            "recusados",
        )
        .await;

        add_profile(
            &app,
            "Ninguém",
            "http://127.0.0.1:9/api/v3",
            DEFAULT_CLIENT_ID,
            "x",
        )
        .await;
        let id = app.profile_id("Ninguém").await;
        app.click(&format!("#test-{id}")).await;
        app.wait_for_text(
            &format!("#test-result-{id}[data-state='error']"),
            "Nada responde",
        )
        .await;

        // http is refused for anything but loopback, with the reason next to the field.
        app.click("#add-profile").await;
        app.fill("#profile-name", "Inseguro").await;
        app.select("#profile-kind", "custom").await;
        app.fill("#profile-url", "http://sandbox.partner.example/api/v3")
            .await;
        app.fill("#profile-client-id", "dinie_ci_test_x").await;
        app.fill("#profile-secret", "dinie_cs_test_x").await;
        app.click("#profile-save").await;
        app.wait_for_text("#profile-url-error", "http só vale para este computador")
            .await;
        app
    })
    .await;
}

#[tokio::test]
async fn a_deleted_profile_leaves_nothing_in_the_keychain() {
    App::run("profile-delete", |app| async move {
        add_profile(
            &app,
            "Temporária",
            "http://127.0.0.1:9/api/v3",
            "dinie_ci_test_temp",
            "dinie_cs_test_temporary",
        )
        .await;
        let id = app.profile_id("Temporária").await;
        let stored = app.secret_tool(&["search", "--all", "service", "br.com.dinie.desk"]);
        assert!(stored.contains(&format!("{id}:client_secret")), "{stored}");
        assert!(stored.contains(&format!("{id}:client_id")), "{stored}");
        // The lookup below finds the secret while it exists, so its emptiness later means gone.
        let lookup = ["lookup", "service", "br.com.dinie.desk", "username"];
        let secret_account = format!("{id}:client_secret");
        let before =
            app.secret_tool(&[lookup[0], lookup[1], lookup[2], lookup[3], &secret_account]);
        assert_eq!(before, "dinie_cs_test_temporary");

        app.click(&format!("#delete-{id}")).await;
        app.click("#confirm-yes").await;
        app.wait_for_text(".toast:last-child", "removida do chaveiro")
            .await;
        let left = app.secret_tool(&["search", "--all", "service", "br.com.dinie.desk"]);
        assert!(!left.contains(&id), "keychain still has: {left}");
        assert!(app
            .secret_tool(&[
                "lookup",
                "service",
                "br.com.dinie.desk",
                // The attribute the `keyring` crate names the entry by.
                "username",
                &format!("{id}:client_secret")
            ])
            .is_empty());
        app
    })
    .await;
}

#[tokio::test]
async fn switching_to_production_asks_first_and_stays_marked() {
    App::run("profile-live", |app| async move {
        app.click("#nav-settings").await;
        app.click("#add-profile").await;
        app.fill("#profile-name", "Produção").await;
        app.select("#profile-kind", "production").await;
        app.fill("#profile-client-id", "dinie_ci_live_partner42")
            .await;
        app.fill("#profile-secret", "dinie_cs_live_not_a_real_one")
            .await;
        app.click("#profile-save").await;
        let id = app.profile_id("Produção").await;
        app.click(&format!("#use-{id}")).await;
        app.wait_for_text("#confirm-message", "PRODUÇÃO").await;
        app.click("#confirm-no").await;
        app.wait_for_text("#connection-badge", "Sandbox embutido")
            .await;
        app.click(&format!("#use-{id}")).await;
        app.click("#confirm-yes").await;
        app.wait_for_text("#connection-badge[data-kind='production']", "PRODUÇÃO")
            .await;
        // The marker stays on every screen.
        app.click("#nav-customers").await;
        app.wait_for_text("#connection-badge", "PRODUÇÃO").await;
        app
    })
    .await;
}

#[tokio::test]
async fn the_secret_is_nowhere_but_the_keychain() {
    // A unique secret the sandbox accepts, so that it is really used (token exchange, lists).
    let secret: &'static str = "dinie_cs_test_Zq8uniqueNeedle4711";
    let (sandbox, _) = standalone_sandbox_with(|c| {
        c.partners = vec![dinie_sandbox::Partner {
            client_id: "dinie_ci_test_needle".into(),
            client_secret: secret.into(),
        }];
    })
    .await;
    let url = sandbox.base_url();
    App::run("secret-nowhere", |app| async move {
        add_profile(&app, "Busca", &url, "dinie_ci_test_needle", secret).await;
        let id = app.profile_id("Busca").await;
        app.click(&format!("#test-{id}")).await;
        app.wait_for(&format!("#test-result-{id}[data-state='ok']")).await;
        app.click(&format!("#use-{id}")).await;
        app.click("#nav-customers").await;
        app.wait_for("#customers-empty").await;
        app.click("#nav-settings").await;
        app.click(&format!("#edit-{id}")).await;
        app.wait_for("#profile-form").await;

        let dom = app.script("return document.documentElement.outerHTML + JSON.stringify(localStorage) + JSON.stringify(sessionStorage)").await;
        assert!(!dom.as_str().unwrap().contains(secret), "the secret is in the page");
        let inputs = app.script("return [...document.querySelectorAll('input')].map(i => i.value).join('|')").await;
        assert!(!inputs.as_str().unwrap().contains(secret));

        let app = app.restart().await;
        app.wait_for_text("#connection-badge", "Sandbox Dinie").await;
        let files = app.written_files();
        assert!(files.iter().any(|f| f.to_string_lossy().contains("profiles.json")), "{files:?}");
        assert!(files.iter().any(|f| f.to_string_lossy().contains("dinie-desk.log")), "{files:?}");
        for file in &files {
            let bytes = std::fs::read(file).unwrap_or_default();
            let found = bytes.windows(secret.len()).any(|w| w == secret.as_bytes());
            assert!(!found, "the secret is in {}", file.display());
        }
        app
    })
    .await;
}

#[tokio::test]
async fn revoked_credentials_lead_to_settings_and_the_screen_stays() {
    let (sandbox, _) = standalone_sandbox().await;
    let url = sandbox.base_url();
    let state = sandbox.state().clone();
    App::run("profile-revoked", |app| async move {
        add_profile(
            &app,
            "Vai ser revogada",
            &url,
            DEFAULT_CLIENT_ID,
            DEFAULT_CLIENT_SECRET,
        )
        .await;
        let id = app.profile_id("Vai ser revogada").await;
        app.click(&format!("#use-{id}")).await;
        app.wait_for_text("#connection-badge", "Sandbox Dinie")
            .await;
        state.revoke_partner(DEFAULT_CLIENT_ID).await.unwrap();

        app.click("#nav-customers").await;
        let banner = app.wait_for_text("#auth-banner", "recusadas").await;
        assert!(banner.contains("Vai ser revogada"), "{banner}");
        // The app does not navigate away by itself: the agent's screen stays, with the error
        // in place and the way to fix it offered.
        app.wait_for("#error-box").await;
        app.wait_for_text("#screen-title", "Clientes").await;
        app.click("#auth-fix").await;
        app.wait_for_text("#screen-title", "Configurações").await;
        app.wait_for(&format!("#edit-{id}")).await;
        app
    })
    .await;
}

#[tokio::test]
async fn a_locked_or_missing_keychain_says_how_to_fix_it_and_stores_nothing() {
    App::run_without_keyring("keychain-locked", |app| async move {
        add_profile(
            &app,
            "Sem chaveiro",
            "http://127.0.0.1:9/api/v3",
            "dinie_ci_test_k",
            "dinie_cs_test_nokeyring",
        )
        .await;
        let toast = app
            .wait_for_text(".toast[data-kind='error']", "chaveiro")
            .await;
        assert!(toast.contains("Desbloqueie"), "{toast}");
        // No plaintext fallback: the profile was not saved, and the secret is in no file.
        let list = app.wait_for("#profile-list").await.text().await.unwrap();
        assert!(!list.contains("Sem chaveiro"), "{list}");
        for file in app.written_files() {
            let bytes = std::fs::read(&file).unwrap_or_default();
            assert!(
                !bytes.windows(23).any(|w| w == b"dinie_cs_test_nokeyring"),
                "{}",
                file.display()
            );
        }

        // Drafts need the keychain's key: the form says it is not kept, but online the
        // borrower is still registered, and nothing of theirs is written to disk.
        app.click("#nav-customers").await;
        app.click("#new-customer").await;
        let doc = dinie_desk_e2e::cpf();
        app.fill("#reg-cpf", &doc).await;
        app.fill(
            "#reg-cnpj",
            &dinie_desk_e2e::cnpj(dinie_desk_e2e::Form::Mei),
        )
        .await;
        app.fill("#reg-name", "Sem Rascunho").await;
        app.fill("#reg-email", "sem@example.com").await;
        app.fill("#reg-phone", "11987654321").await;
        app.wait_for_text("#draft-saved", "chaveiro").await;
        // Every keystroke autosaves, but the keychain that refused is not asked again each time
        // (a locked keyring would prompt the agent on every one): once, for a minute.
        let asked: usize = std::fs::read_dir(app.data_dir().join("logs"))
            .unwrap()
            .flatten()
            .map(|f| std::fs::read_to_string(f.path()).unwrap_or_default())
            .map(|log| {
                log.matches("asking the system keychain for the drafts key")
                    .count()
            })
            .sum();
        assert!(
            (1..=2).contains(&asked),
            "the keychain was asked {asked} times"
        );
        app.click("#reg-submit").await;
        app.wait_for_text("#customer-name", "Sem Rascunho").await;
        assert!(!app.data_dir().join("drafts/drafts.db").exists());
        app
    })
    .await;
}
