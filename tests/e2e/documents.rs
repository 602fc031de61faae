//! KYC evidence: each file checked and shown where it goes before a byte is sent, streamed,
//! reviewed, rejected, sent again and resubmitted; biometrics in its own window.

use dinie_desk_e2e::{register, requirement_of, write_large_pdf, App, Form};

/// Registers a company through the API and opens its detail in the app.
async fn open_new_customer(app: &App, form: Form, email: &str) -> (dinie::Client, dinie::Customer) {
    let api = app.embedded_api().await;
    let customer = register(&api, form, email).await;
    app.click("#refresh-customers").await;
    app.click(&format!(".customer-row[data-id='{}']", customer.id))
        .await;
    app.wait_for("#checklist").await;
    (api, customer)
}

/// Picks `paths` as the agent would and hands them to the documents panel as dropped on
/// `requirement` (a JS string literal, or `null`).
async fn add(app: &App, paths: &[&str], requirement: &str) {
    let files = app.pick(paths).await;
    feed(app, &format!("addFiles({files}, {requirement})")).await;
}

/// Calls the documents module as the native picker (or a drop) would.
async fn feed(app: &App, call: &str) {
    let js = format!(
        "const done = arguments[0]; import('./js/panels/documents.js').then(m => m.{call}).then(() => done(true), (e) => done(String(e)));"
    );
    assert_eq!(app.script_async(&js).await, true);
}

async fn slot_of(app: &App, name: &str) -> String {
    let js = format!(
        "return document.querySelector(\".upload[data-name='{name}'] .upload-type\").value"
    );
    app.script(&js)
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn evidence_is_checked_placed_streamed_rejected_resent_and_reviewed() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str, bytes: &[u8]| dinie_desk_e2e::write_file(dir.path(), name, bytes);
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend_from_slice(&[
        0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0, 0x90, 0x77, 0x53, 0xDE,
    ]);
    let front = path("CNH frente.pdf", b"%PDF-1.4\n1 0 obj <</Type /Pages /Count 2>>\n2 0 obj <</Type /Page>>\n3 0 obj <</Type /Page>>\n%%EOF");
    let back = path("CNH verso.jpg", &[0xFF, 0xD8, 0xFF, 0xE0, 0, 1, 2, 3]);
    let fake = path("documento.png", b"this is only text, renamed to .png");
    let scan = path("scan001.pdf", b"%PDF-1.4 x");
    let rejected = path("ccmei-reject.pdf", b"%PDF-1.4 unreadable");
    let ccmei = path("ccmei.pdf", b"%PDF-1.4 ccmei");
    let address = path("comprovante.png", &png);
    App::run("documents", |app| async move {
        let (api, customer) = open_new_customer(&app, Form::Mei, "mei@example.com").await;
        let identity = requirement_of(&customer, dinie::RequirementType::Identity);
        let proof = requirement_of(&customer, dinie::RequirementType::ProofOfAddress);
        app.wait_for_text(".kyc-group[data-kind='company']", "Empresa").await;
        app.wait_for_text(".kyc-group[data-kind='applicant']", "Titular").await;
        app.wait_for("#submit-review[disabled]").await;

        // Refused before upload: text named .png; a file with no clue waits for the agent.
        add(&app, &[&fake], "null").await;
        app.wait_for_text(".upload[data-name='documento.png'] .upload-problem", "não é PDF, JPEG nem PNG").await;
        add(&app, &[&scan], "null").await;
        app.wait_for_text(".upload[data-name='scan001.pdf'] .upload-problem", "Escolha para onde vai").await;
        assert!(app.script("return document.querySelector(\".upload[data-name='documento.png'] .upload-send\") === null").await.as_bool().unwrap());

        // A CCMEI the reviewer will reject, placed by its name.
        add(&app, &[&rejected], "null").await;
        assert_eq!(slot_of(&app, "ccmei-reject.pdf").await, "company_document:ccmei:file");

        // Two files dropped on the identity: which side each is comes from the names, shown
        // before sending; a PDF shows its page count.
        add(&app, &[&back, &front], &format!("'{identity}'")).await;
        app.wait_for_text(".upload[data-name='CNH frente.pdf']", "2 pág.").await;
        assert_eq!(slot_of(&app, "CNH frente.pdf").await, format!("{identity}:cnh:front"));
        assert_eq!(slot_of(&app, "CNH verso.jpg").await, format!("{identity}:cnh:back"));

        // A synthetic native drop on the proof-of-address item: the item gives the slot; an
        // image shows a thumbnail before it is sent.
        let files = app.pick(&[&address]).await;
        let drop = format!(
            r#"const done = arguments[0];
            import('./js/panels/documents.js').then((m) => {{
                const r = document.querySelector(".kyc-item[data-requirement='{proof}']").getBoundingClientRect();
                const k = window.devicePixelRatio || 1;
                return m.handleDrop({{ files: {files}, position: {{ x: (r.left + 10) * k, y: (r.top + 10) * k }} }});
            }}).then(() => done(true), (e) => done(String(e)));"#
        );
        assert_eq!(app.script_async(&drop).await, true);
        assert_eq!(slot_of(&app, "comprovante.png").await, format!("{proof}:proof_of_address:file"));
        let thumb = app.script("return document.querySelector(\".upload[data-name='comprovante.png'] img.thumb\").src").await;
        assert!(thumb.as_str().unwrap().starts_with("preview:") || thumb.as_str().unwrap().contains("preview.localhost"), "{thumb}");

        // The agent drops the useless ones and sends the rest.
        for name in ["documento.png", "scan001.pdf"] {
            app.click(&format!(".upload[data-name='{name}'] .upload-remove")).await;
        }
        app.click("#send-uploads").await;
        app.wait_for(&format!(".kyc-item[data-requirement='{identity}'][data-state='submitted']")).await;
        app.wait_for(".kyc-item[data-type='company_document'][data-state='submitted']").await;
        app.wait_for_text(&format!(".kyc-item[data-requirement='{identity}'] .kyc-parts"), "frente ✓").await;

        // The selfie is the capture's; then the customer can be submitted.
        app.wait_for_text("#review-missing", "Selfie").await;
        let session = api.customers().create_biometrics_session(&customer.id).await.unwrap();
        dinie_desk_e2e::complete_biometrics(&session.session_url).await;
        app.wait_for("#submit-review:not([disabled])").await;
        app.click("#submit-review").await;
        app.wait_for("#customer-status[data-status='under_review']").await;

        // The review rejects the CCMEI with a reason and what to do; a good one goes again and
        // the customer is submitted again.
        app.wait_for_text(".kyc-item[data-type='company_document'][data-state='rejected'] .kyc-message", "ilegível").await;
        app.wait_for("#customer-status[data-status='pending_kyc']").await;
        app.wait_for_text("#review-card", "envie para análise de novo").await;
        add(&app, &[&ccmei], "null").await;
        app.click(".upload[data-name='ccmei.pdf'] .upload-send").await;
        app.wait_for(".kyc-item[data-type='company_document'][data-state='submitted']").await;
        app.click("#submit-review").await;
        app.wait_for("#customer-status[data-status='active']").await;
        let offers = app.wait_for_text("#offers", "R$").await;
        assert!(offers.contains("12 parcelas") && offers.contains("de 6 a 24 parcelas"), "{offers}");
        // Active: the offer comes first, above the record; nothing is left to send.
        let first = app
            .script("const o = document.getElementById('offers'), d = document.querySelector('.detail-grid'); return [Boolean(o.compareDocumentPosition(d) & Node.DOCUMENT_POSITION_FOLLOWING), Boolean(document.getElementById('next-step')), Boolean(document.getElementById('uploads'))]")
            .await;
        assert_eq!(first, serde_json::json!([true, false, false]), "offer first, no work left");
        // Its state sits on the amount's line, whole (it used to wrap under the terms).
        let badge = app
            .script("const badge = document.querySelector('#offers .status-badge'), b = badge.getBoundingClientRect(), a = document.querySelector('#offers .offer-amount').getBoundingClientRect(), text = document.createRange(); text.selectNodeContents(badge); return [Math.abs((b.top + b.bottom) - (a.top + a.bottom)) < a.height, text.getClientRects().length === 1]")
            .await;
        assert_eq!(badge, serde_json::json!([true, true]), "the offer's state beside its amount, on one line");
        // Each requirement's state sits on its title's first line, at the right ("Aceito" used
        // to wrap under a long title).
        let beside = app
            .script("return [...document.querySelectorAll('#checklist .kyc-head')].map((h) => { const s = h.querySelector('strong').getBoundingClientRect(), b = h.querySelector('.status-badge').getBoundingClientRect(), line = parseFloat(getComputedStyle(h.querySelector('strong')).lineHeight) || 20; return b.top < s.top + line && b.left >= s.right ? 'beside' : `${h.textContent}: under`; })")
            .await;
        let beside = beside.as_array().cloned().unwrap_or_default();
        assert!(!beside.is_empty() && beside.iter().all(|b| b == "beside"), "{beside:?}");
        app.wait_for("#timeline li[data-event='customer.review_returned']").await;
        // The timeline is for people: outcomes by name, the event codes only in tooltips.
        let timeline = app.wait_for_text("#timeline", "CCMEI recusado").await;
        assert!(timeline.contains("CCMEI aprovado") && timeline.contains("Selfie aprovada"), "{timeline}");
        assert!(!timeline.contains("customer."), "{timeline}");
        let tooltip = app.script("return document.querySelector(\"#timeline li[data-event='customer.active']\").title").await;
        assert_eq!(tooltip, "customer.active");
        app.screenshot("documents").await;
        app
    })
    .await;
}

#[tokio::test]
async fn biometrics_runs_in_an_isolated_window_that_closes_when_done() {
    App::run("biometrics", |app| async move {
        let (_api, _customer) = open_new_customer(&app, Form::Mei, "bio@example.com").await;
        app.wait_for(".kyc-item[data-type='selfie'][data-action='biometrics']").await;
        app.click("#bio-here").await;
        app.wait_for("#bio-window-open").await;

        // The capture window opens in a private browsing context of its own (nothing of the
        // session outlives it), which WebDriver does not see: it is found by its X title.
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(15);
        while !app.window_titles().contains("Biometria") {
            assert!(tokio::time::Instant::now() < deadline, "no capture window opened: {}", app.window_titles());
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        assert_eq!(app.driver.windows().await.unwrap().len(), 1, "only the main window is automatable");

        // The borrower captures the selfie in the window: its page exchanged the session's code
        // for the session's own token and focuses the capture button; Enter presses it.
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            app.press_in_window("Biometria — Dinie", "Return");
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            let done = app.script("return !!document.querySelector(\".kyc-item[data-type='selfie'][data-state='submitted'], .kyc-item[data-type='selfie'][data-state='accepted']\")").await;
            if done.as_bool() == Some(true) {
                break;
            }
            assert!(tokio::time::Instant::now() < deadline, "the selfie never arrived: {}", app.window_titles());
        }

        // The follower sees the selfie arrive and closes the window.
        app.wait_for(".kyc-item[data-type='selfie'][data-state='submitted'], .kyc-item[data-type='selfie'][data-state='accepted']").await;
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(15);
        while app.window_titles().contains("Biometria — Dinie") {
            assert!(tokio::time::Instant::now() < deadline, "the capture window stayed open");
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        app
    })
    .await;
}

#[tokio::test]
async fn biometrics_go_to_the_phone_by_the_systems_mail_and_whatsapp_with_no_window() {
    App::run("biometrics-phone", |app| async move {
        let opened = app.record_links();
        let (_api, customer) = open_new_customer(&app, Form::Mei, "celular@example.com").await;
        // The work is at the top: the next step says what to send and offers the biometrics;
        // choosing files and both biometrics actions are on screen without scrolling.
        let next = app.wait_for_text("#next-step", "Próximo passo").await;
        assert!(next.contains("Envie:") && next.contains("biometria"), "{next}");
        let unscrolled = app
            .script("scrollTo(0, 0); document.getElementById('customer-detail')?.scrollTo?.(0, 0); return ['#next-step', '#choose-files', '#bio-here', '#bio-phone'].map((s) => { const r = document.querySelector(s).getBoundingClientRect(); return [s, Math.round(r.bottom), innerHeight]; })")
            .await;
        for item in unscrolled.as_array().unwrap() {
            assert!(item[1].as_i64() <= item[2].as_i64(), "below the fold: {unscrolled}");
        }
        // A photo named by WhatsApp (no hint of what it is): its thumbnail shows at once, to
        // choose its place looking at it; its size reads in KB; the same photo again is refused.
        let photo = app.data_dir().join("WhatsApp Image 2026-12-01 at 10.31.22.jpeg");
        std::fs::create_dir_all(photo.parent().unwrap()).unwrap();
        std::fs::write(&photo, [0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F', 0, 1]).unwrap();
        let photo = photo.display().to_string();
        add(&app, &[&photo], "null").await;
        let row = ".upload[data-name='WhatsApp Image 2026-12-01 at 10.31.22.jpeg']";
        app.wait_for(&format!("{row} img.thumb")).await;
        app.wait_for_text(&format!("{row} .upload-size"), "KB").await;
        add(&app, &[&photo], "null").await;
        app.wait_for_text("#upload-list", "já está na lista")
            .await;
        // The same photo saved again under another name is the same file (by its content).
        let copy = app.data_dir().join("IMG-20261201-WA0003.jpg");
        std::fs::copy(&photo, &copy).unwrap();
        add(&app, &[&copy.display().to_string()], "null").await;
        app.wait_for_text(
            ".upload[data-name='IMG-20261201-WA0003.jpg']",
            "já está na lista",
        )
        .await;
        // "Na ordem da lista": the photo with no place goes to the first item still missing.
        let first = app
            .script("return document.querySelector(\".kyc-item[data-action='upload']\").dataset.requirement")
            .await;
        app.click("#assign-in-order").await;
        app.wait_for(&format!("{row}[data-status='ready']")).await;
        let slot = app.script(&format!("return document.querySelector(\"{row}\").dataset.slot")).await;
        assert!(slot.as_str().unwrap().starts_with(&format!("{}:", first.as_str().unwrap())), "{slot} / {first}");
        assert_eq!(app.script("return document.getElementById('assign-in-order').hidden").await, true);
        app.click("#next-bio-phone").await;
        app.wait_for("#session-qr").await;
        app.wait_for("#bio-state[data-state='ready']").await;
        app.wait_for_text("#bio-local-only", "celular não o alcança")
            .await;
        let link = app.wait_for("#session-link").await.text().await.unwrap();
        assert!(link.contains("/api/v3/biometrics/dinie_bsc_"), "{link}");
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        assert!(
            !app.window_titles().contains("Biometria"),
            "no capture window over the QR code: {}",
            app.window_titles()
        );

        // WhatsApp and e-mail: the system's handlers get a link to this customer only.
        app.click("#bio-whatsapp").await;
        app.wait_for_text("#bio-state[data-state='sent']", "WhatsApp")
            .await;
        app.click("#bio-email").await;
        app.wait_for_text("#bio-state[data-state='sent']", "e-mail")
            .await;
        let mut lines = Vec::new();
        dinie_desk_e2e::eventually("both links handed to the system", 15, || {
            lines = std::fs::read_to_string(&opened)
                .unwrap_or_default()
                .lines()
                .map(str::to_owned)
                .collect();
            let n = lines.len();
            async move { n >= 2 }
        })
        .await;
        let phone: String = customer
            .phone
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        assert!(
            lines[0].starts_with(&format!("https://wa.me/{phone}?text=")),
            "{lines:?}"
        );
        assert!(
            lines[1].starts_with("mailto:celular%40example%2Ecom?subject="),
            "{lines:?}"
        );
        let encoded: String =
            percent_encoding::utf8_percent_encode(&link, percent_encoding::NON_ALPHANUMERIC)
                .to_string();
        assert!(
            lines.iter().all(|l| l.contains(&encoded)),
            "the session's link in each: {lines:?}"
        );

        // The borrower captures on the phone: the card says it is done.
        dinie_desk_e2e::complete_biometrics(&link).await;
        app.wait_for("#bio-state[data-state='done']").await;
        app
    })
    .await;
}

/// A phone link that expired says so where the agent looks (and on the phone), and a new one
/// is one click away.
#[tokio::test]
async fn an_expired_phone_link_says_so_and_a_new_one_is_one_click_away() {
    let (sandbox, api) = dinie_desk_e2e::standalone_sandbox_with(|c| {
        c.biometrics_ttl = std::time::Duration::from_secs(6);
    })
    .await;
    let url = sandbox.base_url();
    let customer = register(&api, Form::Mei, "expira@example.com").await;
    App::run("biometrics-expired", |app| async move {
        app.use_sandbox("Parceiro", &url).await;
        app.click("#nav-customers").await;
        app.click(&format!(".customer-row[data-id='{}']", customer.id))
            .await;
        app.click("#bio-phone").await;
        app.wait_for("#bio-state[data-state='ready']").await;
        let first = app.wait_for("#session-link").await.text().await.unwrap();
        app.wait_for_text("#bio-state[data-state='expired']", "O link expirou")
            .await;
        assert_eq!(
            app.script("return document.querySelectorAll('#bio-email, #bio-whatsapp').length")
                .await,
            0,
            "an expired link is not offered for sending"
        );
        let phone = reqwest::get(&first).await.unwrap();
        assert_eq!(phone.status(), reqwest::StatusCode::GONE);
        assert!(phone.text().await.unwrap().contains("Sessão expirada"));

        app.click("#bio-again").await;
        app.wait_for("#bio-state[data-state='ready']").await;
        let second = app.wait_for("#session-link").await.text().await.unwrap();
        assert_ne!(second, first, "a new link");
        assert_eq!(
            reqwest::get(&second).await.unwrap().status(),
            reqwest::StatusCode::OK
        );
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
        let (api, customer) = open_new_customer(&app, Form::Mei, "v@example.com").await;
        let identity = requirement_of(&customer, dinie::RequirementType::Identity);
        add(&app, &[&gone], &format!("'{identity}'")).await;
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
        app.click("#bio-phone").await;
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
    let customer = register(&api, Form::Mei, "g@example.com").await;
    let identity = requirement_of(&customer, dinie::RequirementType::Identity);
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("cnh-grande.pdf");
    write_large_pdf(&big, 300);
    let big = big.display().to_string();
    let state = sandbox.state().clone();
    App::run("upload-cancel", |app| async move {
        app.use_sandbox("Parceiro", &url).await;
        app.click("#nav-customers").await;
        app.click(&format!(".customer-row[data-id='{}']", customer.id))
            .await;
        app.wait_for("#uploads").await;
        add(&app, &[&big], &format!("'{identity}'")).await;
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
            state.count("attachments").await.unwrap(),
            0,
            "nothing was recorded"
        );
        // Sent again, it goes through.
        app.click(".upload[data-name='cnh-grande.pdf'] .upload-send")
            .await;
        app.wait_for(&format!(
            ".kyc-item[data-requirement='{identity}'][data-state='submitted']"
        ))
        .await;
        assert_eq!(state.count("attachments").await.unwrap(), 1);
        app
    })
    .await;
}
