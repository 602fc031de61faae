//! The customer workspace: register, find, follow, correct.

use dinie_desk_e2e::{cpf, App};

async fn embedded_api(app: &App) -> dinie::Client {
    app.embedded_api().await
}

async fn fill_registration(app: &App, cpf: &str, email: &str, external: &str) {
    app.fill("#reg-cpf", cpf).await;
    app.fill(
        "#reg-cnpj",
        &dinie_desk_e2e::cnpj(dinie_desk_e2e::Form::Mei),
    )
    .await;
    app.fill("#reg-name", "Maria da Silva").await;
    app.fill("#reg-email", email).await;
    app.fill("#reg-phone", "11987654321").await;
    app.fill("#reg-externalId", external).await;
}

#[tokio::test]
async fn registering_explains_every_answer() {
    App::run("register", |app| async move {
        // Ctrl+N opens the form; the CPF gets its mask and a live check from Rust.
        app.wait_for("#customer-list, #customers-empty").await;
        app.script(
            "document.dispatchEvent(new KeyboardEvent('keydown', { key: 'n', ctrlKey: true }))",
        )
        .await;
        app.wait_for("#register-form").await;
        app.fill("#reg-cpf", "12345678900").await;
        assert_eq!(
            app.wait_for("#reg-cpf")
                .await
                .prop("value")
                .await
                .unwrap()
                .unwrap(),
            "123.456.789-00"
        );
        app.wait_for_text("#reg-cpf-error", "confira os dois últimos dígitos")
            .await;

        // An invalid CPF is refused before anything is sent, next to its field.
        fill_registration(&app, "123.456.789-00", "maria@example.com", "crm-1").await;
        app.click("#reg-submit").await;
        app.wait_for("#register-invalid").await;
        app.wait_for_text("#reg-cpf-error", "CPF").await;

        // A valid one: 201, the customer opens with its checklist.
        let doc = cpf();
        fill_registration(&app, &doc, "maria@example.com", "crm-1").await;
        app.click("#reg-submit").await;
        // Dinie looks the company up (`creating`); the checklist fills in on its own.
        app.wait_for_text("#customer-name", "Maria da Silva").await;
        app.wait_for(".kyc-item[data-type='identity'][data-state='pending']")
            .await;
        app.wait_for_text("#stepper li[aria-current='step']", "Documentos")
            .await;
        app.wait_for("#timeline li[data-event='customer.created']")
            .await;

        // The same CPF and external id again: 200, the existing one opens, and the agent is told.
        app.script(
            "document.dispatchEvent(new KeyboardEvent('keydown', { key: 'n', ctrlKey: true }))",
        )
        .await;
        fill_registration(&app, &doc, "maria@example.com", "crm-1").await;
        app.click("#reg-submit").await;
        app.wait_for_text("#existing-notice", "já estava cadastrado")
            .await;

        // Another external id: 409, with a way to open the existing registration.
        app.click("#back-to-list").await;
        app.click("#new-customer").await;
        fill_registration(&app, &doc, "maria@example.com", "crm-2").await;
        app.click("#reg-submit").await;
        app.wait_for_text("#register-conflict", "outro ID externo")
            .await;
        app.wait_for("#error-request-id, #register-conflict").await;
        app.click("#register-conflict-open").await;
        app.wait_for_text("#data-externalId", "crm-1").await;
        app.screenshot("customer-detail").await;
        app
    })
    .await;
}

#[tokio::test]
async fn search_filter_and_page_through_250_customers() {
    App::run("find", |app| async move {
        let api = embedded_api(&app).await;
        let wanted = cpf();
        for i in 0..250 {
            let doc = if i == 17 { wanted.clone() } else { cpf() };
            api.customers()
                .create(doc, dinie_desk_e2e::cnpj(dinie_desk_e2e::Form::Mei))
                .name(format!("Cliente {i:03}"))
                .email("c@example.com")
                .phone("+5511987654321")
                .external_id(format!("ext-{i:03}"))
                .send()
                .await
                .unwrap();
        }
        app.click("#refresh-customers").await;
        app.wait_for("#customer-count[data-count='100']").await;
        // Scrolling loads the next pages, 100 at a time, without duplicates.
        for expected in ["200", "250"] {
            app.script("const l = document.getElementById('customer-list'); l.scrollTop = l.scrollHeight;").await;
            app.wait_for(&format!("#customer-count[data-count='{expected}']")).await;
        }
        let distinct = app
            .script("return new Set([...document.querySelectorAll('.customer-row[data-id]')].map(r => r.dataset.id)).size")
            .await;
        assert!(distinct.as_u64().unwrap() < 100, "only the rows in view are in the DOM: {distinct}");

        // Search by CPF, masked and raw; by external id.
        let masked = dinie::br::Cpf::parse(&wanted).unwrap().to_string();
        for query in [masked.as_str(), wanted.as_str(), "ext-017"] {
            app.fill("#customer-search", query).await;
            app.click("#search-customers").await;
            app.wait_for("#customer-count[data-count='1']").await;
            app.wait_for_text(".customer-row[data-id]", "Cliente 017").await;
        }
        app.fill("#customer-search", "").await;
        app.select("#status-filter", "active").await;
        app.wait_for_text("#customers-empty", "Nenhum cliente encontrado").await;
        app.select("#status-filter", "pending_kyc").await;
        app.wait_for("#customer-count[data-count='100']").await;
        app
    })
    .await;
}

/// Two files for one person's identity, dropped on its requirement: front and back.
async fn drop_identity(app: &App, requirement: &str, front: &str, back: &str) {
    let files = app.pick(&[front, back]).await;
    let js = format!(
        "const done = arguments[0]; import('./js/panels/documents.js').then(m => m.addFiles({files}, '{requirement}')).then(() => done(true), (e) => done(String(e)));"
    );
    assert_eq!(app.script_async(&js).await, true);
}

#[tokio::test]
async fn an_ltda_with_two_co_owners_goes_from_registration_to_active() {
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str, bytes: &[u8]| dinie_desk_e2e::write_file(dir.path(), name, bytes);
    let jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0, 1, 2, 3];
    let articles = file("contrato social.pdf", b"%PDF-1.4 contrato");
    App::run("follow", |app| async move {
        let api = embedded_api(&app).await;
        app.click("#new-customer").await;
        app.fill("#reg-cnpj", &dinie_desk_e2e::cnpj(dinie_desk_e2e::Form::Ltda)).await;
        app.fill("#reg-cpf", &cpf()).await;
        app.fill("#reg-email", "socios@example.com").await;
        app.fill("#reg-phone", "11987654321").await;
        app.fill("#reg-externalId", "crm-ltda").await;
        app.click("#reg-submit").await;

        // No name was given: Dinie finds it; the checklist is by person, the co-owners by name.
        app.wait_for(".kyc-group[data-kind='co_owner'] + .kyc-group[data-kind='co_owner']").await;
        let found = api.customers().list().external_id("crm-ltda").send().await.unwrap();
        let customer = api.customers().get(&found.data[0].id).await.unwrap();
        assert!(customer.name.is_some());
        app.wait_for_text("#customer-name", customer.name.as_deref().unwrap()).await;
        let co_owners: Vec<_> = customer.kyc.iter().filter_map(|k| k.subject.as_ref()).filter(|s| s.subject_type == dinie::models::SubjectType::CoOwner).map(|s| s.name.clone()).collect();
        app.wait_for_text(".kyc-group[data-kind='co_owner']", &co_owners[0]).await;

        // Only the e-mail and phone can change; the rest is shown read-only.
        assert!(app.wait_for("#fix-cnpj").await.attr("readonly").await.unwrap().is_some());
        // Every label names its field (a click on it focuses the field; screen readers read it).
        let unlabelled = app
            .script("return [...document.querySelectorAll('#screen label')].filter((l) => !l.control).map((l) => l.textContent)")
            .await;
        assert_eq!(unlabelled, serde_json::json!([]), "labels without a field");
        app.fill("#fix-phone", "21912345678").await;
        app.click("#fix-submit").await;
        app.wait_for("#timeline li[data-event='customer.corrected']").await;

        // Identity front and back for each person (each photo its own: the same one twice is
        // refused), the co-owners' e-mails, the articles.
        for (i, req) in customer.kyc.iter().filter(|k| k.requirement_type == dinie::RequirementType::Identity).enumerate() {
            let photo = |side: u8| [&jpeg[..], &[i as u8, side]].concat();
            let front = file(&format!("rg frente {i}.jpg"), &photo(0));
            let back = file(&format!("rg verso {i}.jpg"), &photo(1));
            drop_identity(&app, &req.requirement_id, &front, &back).await;
        }
        let files = app.pick(&[&articles]).await;
        let js = format!("const done = arguments[0]; import('./js/panels/documents.js').then(m => m.addFiles({files}, null)).then(() => done(true), (e) => done(String(e)));");
        assert_eq!(app.script_async(&js).await, true);
        app.wait_for(".upload[data-slot='articles_of_association:articles_of_association:file']").await;
        app.click("#send-uploads").await;
        for req in customer.kyc.iter().filter(|k| k.requirement_type == dinie::RequirementType::Identity) {
            app.wait_for(&format!(".kyc-item[data-requirement='{}'][data-state='submitted']", req.requirement_id)).await;
        }
        for (i, req) in customer.kyc.iter().filter(|k| k.requirement_type == dinie::RequirementType::Email).enumerate() {
            let item = format!(".kyc-item[data-requirement='{}']", req.requirement_id);
            app.fill(&format!("{item} .kyc-value"), &format!("socio{i}@example.com")).await;
            app.click(&format!("{item} .kyc-value-send")).await;
            app.wait_for(&format!("{item}[data-state='submitted']")).await;
        }

        // The agent sets the bank account, the bank chosen from Dinie's list.
        app.click("#bank-edit").await;
        app.select("#bank-bank", "341").await;
        app.fill("#bank-branch", "1234").await;
        app.fill("#bank-number", "567890").await;
        app.fill("#bank-digit", "1").await;
        app.click("#bank-save").await;
        app.wait_for_text("#bank-account-shown", "341 - Itaú Unibanco").await;

        // Each person's selfie in the capture; then the agent submits, and the open detail
        // follows it to active, with offers of both shapes.
        let session = api.customers().create_biometrics_session(&customer.id).await.unwrap();
        dinie_desk_e2e::complete_biometrics(&session.session_url).await;
        app.wait_for("#submit-review:not([disabled])").await;
        app.click("#submit-review").await;
        app.wait_for("#timeline li[data-event='customer.under_review']").await;
        app.wait_for("#customer-status[data-status='active']").await;
        app.wait_for_text("#stepper li[aria-current='step']", "Decisão").await;
        let offer = app.wait_for_text("#offers", "R$").await;
        assert!(offer.contains("3,49% ao mês") && offer.contains("12 parcelas"), "{offer}");
        app.wait_for("#timeline li[data-event='credit_offer.available']").await;
        app.script("document.getElementById('customer-name').scrollIntoView()").await;
        app.screenshot("customer-active").await;
        app
    })
    .await;
}

#[tokio::test]
async fn a_denied_registration_is_a_clear_state() {
    // A sandbox run as a process of its own, reached through a custom connection: the path a
    // real connection takes.
    let sandbox = dinie_desk_e2e::SandboxProcess::start(&[
        "--lookup-delay-ms",
        "300",
        "--review-delay-ms",
        "300",
    ])
    .await;
    let base = sandbox.base.clone();
    App::run("denied", |app| async move {
        app.use_sandbox("Parceiro", &base).await;
        app.click("#nav-customers").await;
        let api = dinie_desk_e2e::client_for(&base);
        let c = dinie_desk_e2e::register(&api, dinie_desk_e2e::Form::Mei, "dono+deny@example.com")
            .await;
        app.click("#refresh-customers").await;
        app.click(&format!(".customer-row[data-id='{}']", c.id))
            .await;
        app.wait_for("#checklist").await;
        let dir = tempfile::tempdir().unwrap();
        let pdf = dir.path().join("doc.pdf");
        std::fs::write(&pdf, b"%PDF-1.4 x").unwrap();
        for req in &c.kyc {
            let (evidence, attachment) = match req.requirement_type {
                dinie::RequirementType::Identity => {
                    (dinie::EvidenceType::Cnh, dinie::AttachmentType::File)
                }
                dinie::RequirementType::CompanyDocument => {
                    (dinie::EvidenceType::Ccmei, dinie::AttachmentType::File)
                }
                _ => continue,
            };
            let target = dinie::AttachmentTarget {
                requirement_id: req.requirement_id.clone(),
                evidence_type: evidence,
                attachment_type: attachment,
            };
            api.customers()
                .kyc_attachment(&c.id, target)
                .file(&pdf)
                .send()
                .await
                .unwrap();
        }
        let session = api
            .customers()
            .create_biometrics_session(&c.id)
            .await
            .unwrap();
        dinie_desk_e2e::complete_biometrics(&session.session_url).await;
        app.wait_for("#submit-review:not([disabled])").await;
        app.click("#submit-review").await;
        app.wait_for("#customer-status[data-status='denied']").await;
        app.wait_for_text("#denied-notice", "negou").await;
        app.wait_for("#timeline li[data-event='customer.denied']")
            .await;
        app
    })
    .await;
    drop(sandbox);
}

#[tokio::test]
async fn a_registration_that_fails_on_the_network_is_kept_and_sent_once_later() {
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], dinie_desk_e2e::free_port()));
    let url = format!("http://{addr}/api/v3");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sandbox.db");
    // A sandbox with a database file, so that it can be stopped and started on the same port.
    let start = |db: std::path::PathBuf| async move {
        let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
        let config = dinie_sandbox::SandboxConfig {
            db: Some(db),
            ..Default::default()
        };
        dinie_sandbox::Sandbox::start(config, listener)
            .await
            .unwrap()
    };
    let sandbox = start(db.clone()).await;
    App::run("register-offline", |app| async move {
        app.click("#nav-settings").await;
        app.click("#add-profile").await;
        app.fill("#profile-name", "Parceiro").await;
        app.select("#profile-kind", "custom").await;
        app.fill("#profile-url", &url).await;
        app.fill("#profile-client-id", dinie_sandbox::DEFAULT_CLIENT_ID)
            .await;
        app.fill("#profile-secret", dinie_sandbox::DEFAULT_CLIENT_SECRET)
            .await;
        app.click("#profile-save").await;
        app.click(".profile:last-child button[id^='use-']").await;
        app.wait_for_text("#connection-badge", "Sandbox Dinie")
            .await;

        // The connection drops; the agent starts a form, leaves, and comes back to it: a new
        // form is blank, and offers the draft left half-way.
        sandbox.shutdown().await;
        app.click("#nav-customers").await;
        app.click("#new-customer").await;
        let doc = cpf();
        fill_registration(&app, &doc, "maria@example.com", "crm-net").await;
        app.click("#nav-settings").await;
        app.click("#nav-customers").await;
        app.click("#new-customer").await;
        app.wait_for_text("#register-continue", "Maria da Silva")
            .await;
        app.click("#register-continue .continue-draft").await;
        app.wait_for_text("#screen-title", "Editar rascunho").await;
        let kept = app
            .wait_for("#reg-cpf")
            .await
            .prop("value")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(kept, dinie::br::Cpf::parse(&doc).unwrap().to_string());

        // Sending without a connection keeps it in Drafts, and the header says so.
        app.click("#reg-submit").await;
        app.wait_for_text("#register-outcome", "Sem conexão").await;
        app.wait_for_text("#online-indicator", "Sem conexão — 1 cadastro aguardando")
            .await;

        // The connection is back: the draft is sent, once.
        let sandbox = start(db.clone()).await;
        app.wait_for_text("#online-indicator", "Conectado").await;
        let state = sandbox.state().clone();
        dinie_desk_e2e::eventually("the draft sent", 30, || async {
            state.count("customers").await.unwrap() == 1
        })
        .await;
        app.click("#nav-customers").await;
        // Esc closes a detail; Ctrl+K goes to the search box.
        app.script(
            "document.dispatchEvent(new KeyboardEvent('keydown', { key: 'k', ctrlKey: true }))",
        )
        .await;
        let focused = app.script("return document.activeElement.id").await;
        assert_eq!(focused, "customer-search");
        sandbox.shutdown().await;
        app
    })
    .await;
}
