//! KYC documents: checked before a byte is sent, streamed, reviewed, resent.

use dinie_desk_e2e::{cpf, App};

/// Registers a CPF-only customer through the API and opens its detail in the app.
async fn open_new_customer(app: &App) -> (dinie::Client, dinie::Customer) {
    let api = app.embedded_api().await;
    let customer = api
        .customers()
        .create(cpf())
        .name("Joana Docs")
        .email("joana@example.com")
        .phone("+5511987654321")
        .send()
        .await
        .unwrap()
        .into_customer();
    app.click("#refresh-customers").await;
    app.click(&format!(".customer-row[data-id='{}']", customer.id))
        .await;
    app.wait_for("#uploads").await;
    (api, customer)
}

/// Picks `path` as the agent would and hands it to the documents panel as `type` (a JS
/// string literal, or `null`).
async fn add(app: &App, path: &str, doc_type: &str) {
    let files = app.pick(&[path]).await;
    feed(app, &format!("addFiles({files}, {doc_type})")).await;
}

/// Calls the documents module as the native picker (or a drop) would.
async fn feed(app: &App, call: &str) {
    let js = format!(
        "const done = arguments[0]; import('./js/panels/documents.js').then(m => m.{call}).then(() => done(true), (e) => done(String(e)));"
    );
    assert_eq!(app.script_async(&js).await, true);
}

#[tokio::test]
async fn documents_are_checked_before_sending_then_streamed_and_reviewed() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str, bytes: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p.display().to_string()
    };
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend_from_slice(&[
        0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0, 0x90, 0x77, 0x53, 0xDE,
    ]);
    let selfie = path("selfie-joana.png", &png);
    let cnh = path("CNH joana.pdf", b"%PDF-1.4\n1 0 obj <</Type /Pages /Count 2>>\n2 0 obj <</Type /Page>>\n3 0 obj <</Type /Page>>\n%%EOF");
    let fake = path("documento.png", b"this is only text, renamed to .png");
    let ccmei = path("ccmei.pdf", b"%PDF-1.4 x");
    let rejected = path("cnh-reject.jpg", &[0xFF, 0xD8, 0xFF, 0xE0, 0, 1, 2, 3]);
    App::run("documents", |app| async move {
        let (api, customer) = open_new_customer(&app).await;

        // Refused before upload: text named .png, a type this customer does not need.
        add(&app, &fake, "'selfie'").await;
        app.wait_for_text(".upload[data-name='documento.png'] .upload-problem", "não é PDF, JPEG nem PNG").await;
        add(&app, &ccmei, "'ccmei'").await;
        app.wait_for_text(".upload[data-name='ccmei.pdf'] .upload-problem", "não precisa").await;
        assert!(app.script("return document.querySelector(\".upload[data-name='documento.png'] .upload-send\") === null").await.as_bool().unwrap());

        // A rejected CNH shows the reviewer's message, then a good one is sent again.
        add(&app, &rejected, "'cnh'").await;
        app.click(".upload[data-name='cnh-reject.jpg'] .upload-send").await;
        app.wait_for(".kyc-item[data-type='cnh'][data-status='submitted']").await;
        app.wait_for_text(".kyc-item[data-type='cnh'][data-status='rejected'] .kyc-message", "ilegível").await;

        // Picked files: the type is proposed from the name; a PDF shows its page count.
        add(&app, &cnh, "null").await;
        app.wait_for_text(".upload[data-name='CNH joana.pdf']", "2 pág.").await;
        let chosen = app.script("return document.querySelector(\".upload[data-name='CNH joana.pdf'] .upload-type\").value").await;
        assert_eq!(chosen, "cnh");
        app.click(".upload[data-name='CNH joana.pdf'] .upload-send").await;
        app.wait_for(".kyc-item[data-type='cnh'][data-status='submitted']").await;

        // A synthetic native drop on the selfie item: the item gives the type; an image shows a
        // thumbnail before it is sent.
        let files = app.pick(&[&selfie]).await;
        let drop = format!(
            r#"const done = arguments[0];
            import('./js/panels/documents.js').then((m) => {{
                const r = document.querySelector(".kyc-item[data-type='selfie']").getBoundingClientRect();
                const k = window.devicePixelRatio || 1;
                return m.handleDrop({{ files: {files}, position: {{ x: (r.left + 10) * k, y: (r.top + 10) * k }} }});
            }}).then(() => done(true), (e) => done(String(e)));"#
        );
        assert_eq!(app.script_async(&drop).await, true);
        let chosen = app.script("return document.querySelector(\".upload[data-name='selfie-joana.png'] .upload-type\").value").await;
        assert_eq!(chosen, "selfie");
        let thumb = app.script("return document.querySelector(\".upload[data-name='selfie-joana.png'] img.thumb\").src").await;
        assert!(thumb.as_str().unwrap().starts_with("preview:") || thumb.as_str().unwrap().contains("preview.localhost"), "{thumb}");
        app.click("#send-uploads").await;
        app.wait_for(".kyc-item[data-type='selfie'][data-status='submitted']").await;

        app.wait_for(".kyc-item[data-type='cnh'][data-status='approved']").await;
        app.screenshot("documents").await;
        let docs = api.customers().get(&customer.id).await.unwrap();
        let selfie = docs.kyc_item("selfie").unwrap().status.to_string();
        assert!(selfie == "submitted" || selfie == "approved", "{selfie}");
        app
    })
    .await;
}

#[tokio::test]
async fn biometrics_runs_in_an_isolated_window_that_closes_when_done() {
    App::run("biometrics", |app| async move {
        let (_api, _customer) = open_new_customer(&app).await;
        app.click("#start-biometrics").await;
        app.wait_for("#session-qr").await;
        let link = app.wait_for("#session-link").await.text().await.unwrap();
        assert!(link.contains("/api/v3/biometrics/"), "{link}");
        app.wait_for_text("#session-expiry", "vale até").await;

        // The capture window opens in a private browsing context of its own (nothing of the
        // session outlives it), which WebDriver does not see: it is found by its X title.
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(15);
        while !app.window_titles().contains("Biometria") {
            assert!(tokio::time::Instant::now() < deadline, "no capture window opened");
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        assert_eq!(app.driver.windows().await.unwrap().len(), 1, "only the main window is automatable");
        // The borrower completes the capture on the session page (its form posts here).
        let done = reqwest::Client::new()
            .post(format!("{link}/complete"))
            .send()
            .await
            .unwrap();
        assert!(done.status().is_success() || done.status().is_redirection(), "{}", done.status());

        // The follower sees the item leave `pending` and closes the window.
        app.wait_for(".kyc-item[data-type='biometrics'][data-status='submitted'], .kyc-item[data-type='biometrics'][data-status='approved']").await;
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(15);
        while app.window_titles().contains("Biometria") {
            assert!(tokio::time::Instant::now() < deadline, "the capture window stayed open");
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        app
    })
    .await;
}

#[tokio::test]
async fn a_vanished_file_and_a_session_opened_elsewhere_are_explained() {
    let dir = tempfile::tempdir().unwrap();
    let gone = dir.path().join("cnh-sumiu.pdf");
    std::fs::write(&gone, b"%PDF-1.4 x").unwrap();
    let gone = gone.display().to_string();
    App::run("vanished", |app| async move {
        let (api, customer) = open_new_customer(&app).await;
        add(&app, &gone, "'cnh'").await;
        app.wait_for(".upload[data-name='cnh-sumiu.pdf'] .upload-send")
            .await;
        std::fs::remove_file(&gone).unwrap();
        app.click(".upload[data-name='cnh-sumiu.pdf'] .upload-send")
            .await;
        app.wait_for_text(
            ".upload[data-name='cnh-sumiu.pdf'] .upload-problem",
            "não está mais lá",
        )
        .await;

        // A session opened by the partner's own system: the agent is told until when it runs.
        api.customers()
            .create_biometrics_session(&customer.id)
            .await
            .unwrap();
        app.click("#start-biometrics").await;
        app.wait_for_text("#session-elsewhere", "sessão de biometria aberta")
            .await;
        app
    })
    .await;
}

#[tokio::test]
async fn an_upload_can_be_cancelled_and_sent_again() {
    // A partner sandbox that accepts large files, so that the upload lasts long enough.
    let (sandbox, api) =
        dinie_desk_e2e::standalone_sandbox_with(|c| c.max_upload_bytes = 400 << 20).await;
    let url = sandbox.base_url();
    let customer = api
        .customers()
        .create(cpf())
        .name("Grande")
        .email("g@example.com")
        .phone("+5511987654321")
        .send()
        .await
        .unwrap()
        .into_customer();
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("cnh-grande.pdf");
    {
        use std::io::Write;
        let mut f = std::fs::File::create(&big).unwrap();
        f.write_all(b"%PDF-1.4\n").unwrap();
        let block = vec![b' '; 1 << 20];
        for _ in 0..300 {
            f.write_all(&block).unwrap();
        }
    }
    let big = big.display().to_string();
    let state = sandbox.state().clone();
    App::run("upload-cancel", |app| async move {
        app.add_custom_profile(
            "Parceiro",
            &url,
            dinie_sandbox::DEFAULT_CLIENT_ID,
            dinie_sandbox::DEFAULT_CLIENT_SECRET,
        )
        .await;
        app.use_profile("Parceiro").await;
        app.click("#nav-customers").await;
        app.click(&format!(".customer-row[data-id='{}']", customer.id))
            .await;
        app.wait_for("#uploads").await;
        add(&app, &big, "'cnh'").await;
        app.click(".upload[data-name='cnh-grande.pdf'] .upload-send")
            .await;
        app.click(".upload[data-name='cnh-grande.pdf'] .upload-cancel")
            .await;
        app.wait_for_text(
            ".upload[data-name='cnh-grande.pdf'] .upload-problem",
            "cancelado",
        )
        .await;
        assert_eq!(
            state.count("documents").await.unwrap(),
            0,
            "nothing was recorded"
        );
        // Sent again, it goes through.
        app.click(".upload[data-name='cnh-grande.pdf'] .upload-send")
            .await;
        app.wait_for(".kyc-item[data-type='cnh'][data-status='submitted']")
            .await;
        assert_eq!(state.count("documents").await.unwrap(), 1);
        app
    })
    .await;
}
