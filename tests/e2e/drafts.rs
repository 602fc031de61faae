//! Offline drafts and exactly-once sync, against a sandbox the test starts and stops.

use base64::Engine;
use dinie_desk_e2e::{client_for, cpf, eventually, App, SandboxSite};

/// Bytes of an identity photo: a PNG signature and something recognisable to search for.
fn photo() -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend(b"IDENTITY-PHOTO-PIXELS-0123456789".repeat(64));
    bytes
}

fn files_below(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_below(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[tokio::test]
async fn drafts_made_offline_survive_a_restart_and_are_sent_exactly_once() {
    let site = SandboxSite::new();
    let sandbox = site.start().await;
    let dir = tempfile::tempdir().unwrap();
    let photo_path = dir.path().join("cnh-maria.png");
    std::fs::write(&photo_path, photo()).unwrap();
    App::run("drafts-offline", |app| async move {
        app.use_sandbox("Campo", &site.url()).await;
        // The connection drops; three borrowers are registered anyway, one with her CNH.
        sandbox.shutdown().await;
        let cpfs = [cpf(), cpf(), cpf()];
        for (i, doc) in cpfs.iter().enumerate() {
            app.click("#nav-customers").await;
            app.click("#new-customer").await;
            app.fill("#reg-cpf", doc).await;
            app.fill("#reg-cnpj", &dinie_desk_e2e::cnpj(dinie_desk_e2e::Form::Mei)).await;
            app.fill("#reg-name", &format!("Maria Campo {i}")).await;
            app.fill("#reg-email", "maria@example.com").await;
            app.fill("#reg-phone", "11987654321").await;
            if i == 0 {
                let files = app.pick(&[&photo_path.display().to_string()]).await;
                let js = format!(
                    "const done = arguments[0]; import('./js/screens/register.js').then(m => m.attachFiles({files})).then(() => done(true), (e) => done(String(e)));"
                );
                assert_eq!(app.script_async(&js).await, true);
                app.wait_for(".draft-doc[data-type='cnh'][data-state='pending']").await;
            }
            app.click("#reg-submit").await;
            app.wait_for_text("#register-notice", "Sem conexão").await;
        }
        app.wait_for_text("#online-indicator", "Sem conexão — 3 cadastros aguardando").await;
        // The original file may go: the draft has its own (sealed) copy.
        std::fs::remove_file(&photo_path).unwrap();

        // Nothing personal in clear in the drafts database (and its WAL) or the blob folder.
        let drafts_dir = app.data_dir().join("drafts");
        let files = files_below(&drafts_dir);
        assert!(files.iter().any(|f| f.ends_with("drafts.db")), "{files:?}");
        assert!(files.iter().any(|f| f.extension().is_some_and(|e| e == "sealed")), "{files:?}");
        for file in &files {
            let bytes = std::fs::read(file).unwrap();
            let masked = dinie::br::Cpf::parse(&cpfs[0]).unwrap().to_string();
            for needle in [cpfs[0].as_bytes(), masked.as_bytes(), b"Maria Campo", b"IDENTITY-PHOTO-PIXELS", b"cnh-maria"] {
                assert!(
                    !bytes.windows(needle.len()).any(|w| w == needle),
                    "{} holds {:?} in clear",
                    file.display(),
                    String::from_utf8_lossy(needle)
                );
            }
        }

        // They survive a restart, still waiting.
        let app = app.restart().await;
        app.click("#nav-drafts").await;
        app.wait_for_text("#draft-list", "Maria Campo 2").await;
        assert_eq!(app.draft_counts().await["waiting"], 3);

        // The connection comes back: each is sent, once.
        let sandbox = site.start().await;
        app.wait_for_text("#online-indicator", "Conectado").await;
        eventually("3 drafts sent", 60, || async { app.draft_counts().await["sent"] == 3 }).await;
        assert_eq!(sandbox.state().count("customers").await.unwrap(), 3);
        assert_eq!(sandbox.state().count("attachments").await.unwrap(), 1);
        // Dinie has the CNH: this computer keeps no copy of it.
        let left = files_below(&drafts_dir.join("blobs"));
        assert!(left.is_empty(), "{left:?}");
        app.wait_for(".draft-row[data-state='sent'] .draft-open").await;
        // The one with a document goes in two runs: registered while Dinie looks the company
        // up, then its CNH once the requirements are listed.
        app.wait_for_text("#sync-progress", "0 precisam de atenção").await;
        app.screenshot("drafts-sent").await;

        // A sent draft links to its customer, whose CNH arrived.
        app.click(".draft-row[data-state='sent'] .draft-open").await;
        app.wait_for("#customer-name").await;

        // Restarting again sends nothing twice.
        let app = app.restart().await;
        tokio::time::sleep(std::time::Duration::from_secs(5)).await;
        assert_eq!(sandbox.state().count("customers").await.unwrap(), 3);
        assert_eq!(app.draft_counts().await["sent"], 3);
        sandbox.shutdown().await;
        app
    })
    .await;
}

#[tokio::test]
async fn a_sync_killed_midway_resumes_and_registers_each_borrower_once() {
    const N: usize = 200;
    let site = SandboxSite::new();
    let sandbox = site.start().await;
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("borrowers.csv");
    let mut text = String::from("cpf;cnpj;nome;email;telefone\n");
    let mut seen = std::collections::HashSet::new();
    while seen.len() < N {
        let doc = cpf();
        if seen.insert(doc.clone()) {
            text += &format!(
                "{doc};{};Tomador {};t{}@example.com;11987654321\n",
                dinie_desk_e2e::cnpj(dinie_desk_e2e::Form::Mei),
                seen.len(),
                seen.len()
            );
        }
    }
    std::fs::write(&csv, text).unwrap();
    let photo_path = dir.path().join("cnh.png");
    std::fs::write(&photo_path, photo()).unwrap();
    App::run("drafts-killed", |app| async move {
        app.use_sandbox("Campo", &site.url()).await;
        sandbox.shutdown().await;
        app.click("#nav-drafts").await;
        let file = app.pick_csv(&csv.display().to_string()).await;
        let js = format!(
            "const done = arguments[0]; import('./js/screens/drafts.js').then(m => m.importFile({file})).then(() => done(true), (e) => done(String(e)));"
        );
        assert_eq!(app.script_async(&js).await, true);
        // First what it would do; nothing is queued until the agent confirms.
        app.wait_for_text("#import-preview-counts", "200 prontas").await;
        assert_eq!(app.draft_counts().await["waiting"], 0);
        app.click("#import-confirm").await;
        app.wait_for_text("#import-summary", "200 cadastros na fila").await;

        // A CNH for each (picked once); the worker may be trying a draft right then (and find
        // no connection).
        let picked = app.pick(&[&photo_path.display().to_string()]).await;
        let token = picked[0]["token"].as_str().unwrap().to_owned();
        let attach = format!(
            r#"const done = arguments[0];
            (async () => {{
                const invoke = window.__TAURI_INTERNALS__.invoke;
                for (const d of (await invoke('list_drafts')).drafts) {{
                    for (;;) {{
                        try {{ await invoke('attach_draft_document', {{ draftId: d.id, form: null, file: {token:?}, docType: 'cnh' }}); break; }}
                        catch (e) {{ if (e.code !== 'draft_locked') throw e; await new Promise(r => setTimeout(r, 50)); }}
                    }}
                }}
            }})().then(() => done(true), (e) => done(JSON.stringify(e)));"#
        );
        assert_eq!(app.script_async(&attach).await, true);

        // The connection is back; in the middle of the run the app is killed.
        let sandbox = site.start().await;
        let state = sandbox.state().clone();
        eventually("the sync to start", 60, || async { state.count("customers").await.unwrap() >= 30 }).await;
        app.kill_app();
        let at_kill = state.count("customers").await.unwrap();
        assert!(at_kill < N as i64, "the run ended before the kill ({at_kill})");

        // Restarted, it finishes: exactly N customers, each with its one CNH.
        let app = app.restart().await;
        eventually("every draft sent", 180, || async { app.draft_counts().await["sent"] == N }).await;
        assert_eq!(state.count("customers").await.unwrap(), N as i64);
        assert_eq!(state.count("attachments").await.unwrap(), N as i64);
        eprintln!("killed with {at_kill} of {N} customers registered; resumed to {N}, documents {N}");
        sandbox.shutdown().await;
        app
    })
    .await;
}

#[tokio::test]
async fn a_csv_in_both_separators_and_encodings_becomes_drafts_and_refusals_are_fixed_and_resent() {
    let site = SandboxSite::new();
    let sandbox = site.start().await;
    let api = client_for(&site.url());
    // Already registered by the partner's ERP: importing it again is a 409.
    let taken = cpf();
    api.customers()
        .create(
            taken.clone(),
            dinie_desk_e2e::cnpj(dinie_desk_e2e::Form::Mei),
        )
        .name("Registrado Antes")
        .email("antes@example.com")
        .phone("+5511987654321")
        .external_id("ERP-1")
        .send()
        .await
        .unwrap();
    let good: Vec<String> = (0..4).map(|_| cpf()).collect();
    let long_name = "A".repeat(201);
    let n = || dinie_desk_e2e::cnpj(dinie_desk_e2e::Form::Mei);
    let files: [(&str, String, bool); 4] = [
        (
            "a.csv",
            format!("CPF;CNPJ;Nome;E-mail;Telefone\n{};{};Ana Lima;ana@example.com;(11) 98765-4321\n123.456.789-00;{};Sem CPF;x@example.com;11987654321\n{taken};{};Repetida;r@example.com;11987654321\n", good[0], n(), n(), n()),
            false,
        ),
        (
            "b.csv",
            format!("cpf,cnpj,nome,email,telefone\n{},{},Bruno Reis,bruno@example.com,11987654321\n{},{},Carla,carla@,11987654321\n", good[1], n(), cpf(), n()),
            false,
        ),
        (
            "c.csv",
            format!("CPF;CNPJ;Nome;E-mail;Celular\n{};{};João da Conceição;joao@example.com;11987654321\n{};{};{long_name};longo@example.com;11987654321\n", good[2], n(), cpf(), n()),
            true,
        ),
        (
            "d.csv",
            format!("cpf,cnpj,nome,email,telefone,nome fantasia\n{},{},Açaí Ramos,acai@example.com,11987654321,Açaí da Praça\n{},{},Davi,davi@example.com,123,\n", good[3], n(), cpf(), n()),
            true,
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    App::run("drafts-import", |app| async move {
        app.use_sandbox("Campo", &site.url()).await;
        app.click("#nav-drafts").await;
        for (name, text, latin1) in &files {
            let path = dir.path().join(name);
            let bytes = if *latin1 {
                let (encoded, _, lossy) = encoding_rs::WINDOWS_1252.encode(text);
                assert!(!lossy);
                encoded.into_owned()
            } else {
                text.clone().into_bytes()
            };
            std::fs::write(&path, bytes).unwrap();
            let file = app.pick_csv(&path.display().to_string()).await;
            let js = format!(
                "const done = arguments[0]; import('./js/screens/drafts.js').then(m => m.importFile({file})).then(() => done(true), (e) => done(String(e)));"
            );
            assert_eq!(app.script_async(&js).await, true);
            app.click("#import-confirm").await;
            let report = app.wait_for_text("#import-summary", "na fila").await;
            match *name {
                "a.csv" => {
                    assert!(report.contains("2 cadastros na fila de envio; 1 com problemas"), "{report}");
                    assert!(report.contains("Linha 3 (CPF 123.456.789-00)"), "{report}");
                }
                "b.csv" => assert!(report.contains("Linha 3") && report.contains("E-mail"), "{report}"),
                // Longer than Dinie takes: refused here, before anything is sent.
                "c.csv" => assert!(report.contains("1 cadastro na fila de envio; 1 com problemas") && report.contains("201"), "{report}"),
                _ => assert!(report.contains("Linha 3") && report.contains("Celular"), "{report}"),
            }
        }
        // The good rows are registered, with their accents intact; the 409 waits for the agent
        // with the four rows that were invalid to begin with.
        eventually("the queue to drain", 60, || async {
            let c = app.draft_counts().await;
            c["waiting"] == 0 && c["attention"] == 5
        })
        .await;
        assert_eq!(sandbox.state().count("customers").await.unwrap(), 5);
        let joao = api.customers().list().cpf(good[2].as_str()).send().await.unwrap();
        assert_eq!(joao.data[0].name.as_deref(), Some("João da Conceição"));
        let acai = api.customers().list().cpf(good[3].as_str()).send().await.unwrap();
        // The trading name is Dinie's to find: the CSV's is kept in the draft, not sent.
        assert_eq!(acai.data[0].name.as_deref(), Some("Açaí Ramos"));

        // The 409: the agent links the draft to the existing registration with its external id.
        app.fill("#drafts-search", "Repetida").await;
        app.click(".draft-row[data-state='attention'] .draft-edit").await;
        // The row had no external id: the agent is told the CPF is known, not about ids.
        let conflict = app.wait_for_text("#register-conflict", "Este CPF já está cadastrado").await;
        assert!(!conflict.contains("ID externo"), "{conflict}");
        app.fill("#reg-externalId", "ERP-1").await;
        app.click("#reg-submit").await;
        app.wait_for_text("#existing-notice", "já estava cadastrado").await;
        assert_eq!(sandbox.state().count("customers").await.unwrap(), 5);

        // The name too long: the reason is next to it; shortened, it is sent.
        app.click("#nav-drafts").await;
        app.fill("#drafts-search", "AAAAAAAA").await;
        app.click(".draft-row[data-state='attention'] .draft-edit").await;
        app.wait_for_text("#reg-name-error", "200").await;
        app.fill("#reg-name", "Ana Souza").await;
        app.click("#reg-submit").await;
        app.wait_for_text("#customer-name", "Ana Souza").await;
        assert_eq!(sandbox.state().count("customers").await.unwrap(), 6);
        app.click("#nav-drafts").await;
        app.fill("#drafts-search", "").await;
        eventually("3 drafts left needing attention", 10, || async { app.draft_counts().await["attention"] == 3 }).await;

        // Discarding a draft erases it.
        app.fill("#drafts-search", "Carla").await;
        app.click(".draft-row .draft-discard").await;
        app.click("#confirm-yes").await;
        eventually("the draft gone", 10, || async { app.draft_counts().await["attention"] == 2 }).await;
        sandbox.shutdown().await;
        app
    })
    .await;
}

/// Copies a folder (the fixture of the previous release's drafts) into place.
fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[tokio::test]
async fn drafts_of_the_previous_release_open_after_the_upgrade_and_go_out_once() {
    App::run("drafts-upgrade", |app| async move {
        // The previous release's drafts folder and its key in the keychain, as an agent's
        // laptop has them when the new release starts (the fixture: `src-tauri/tests/upgrade.rs`).
        app.kill_app();
        let drafts = app.data_dir().join("drafts");
        let _ = std::fs::remove_dir_all(&drafts);
        let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../src-tauri/tests/fixtures/drafts-previous-release");
        copy_dir(&fixture, &drafts);
        let key = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
        // The previous release's key replaces the one the first start made, written as the app
        // writes it (the `keyring` crate, on this world's Secret Service).
        let bus = app
            .env()
            .iter()
            .find(|(k, _)| k == "DBUS_SESSION_BUS_ADDRESS")
            .unwrap()
            .1
            .clone();
        std::env::set_var("DBUS_SESSION_BUS_ADDRESS", bus);
        keyring::Entry::new("br.com.dinie.desk", "drafts:key")
            .unwrap()
            .set_password(&key)
            .unwrap();
        // The test process talks to this world's bus only for that.
        std::env::remove_var("DBUS_SESSION_BUS_ADDRESS");
        let app = app.restart().await;

        // Both open, every field kept; the embedded connection they were made for sends them.
        app.click("#nav-drafts").await;
        let listed = app.invoke("list_drafts", serde_json::json!({})).await;
        let names: Vec<_> = listed["drafts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["name"].as_str().unwrap().to_owned())
            .collect();
        assert!(
            names.contains(&"Açaí da Conceição".to_owned())
                && names.contains(&"Maria Sem CNPJ".to_owned()),
            "{listed}"
        );
        eventually("both drafts answered", 60, || async {
            app.draft_counts().await["attention"] == 2
        })
        .await;
        let api = app.embedded_api().await;
        let found = api
            .customers()
            .list()
            .external_id("ERP-77")
            .send()
            .await
            .unwrap();
        assert_eq!(found.data.len(), 1, "registered once");
        let draft = app
            .invoke("get_draft", serde_json::json!({ "id": "draft-with-cnpj" }))
            .await;
        assert_eq!(draft["form"]["tradingName"], "Açaí do João", "{draft}");
        assert_eq!(
            draft["problem"]["reason"]["code"], "documents.refused",
            "{draft}"
        );
        assert_eq!(
            draft["documents"][1]["problem"]["code"], "document.selfie",
            "{draft}"
        );
        let bare = app
            .invoke(
                "get_draft",
                serde_json::json!({ "id": "draft-without-cnpj" }),
            )
            .await;
        assert_eq!(
            bare["problem"]["fields"]["cnpj"]["code"], "cnpj.required",
            "{bare}"
        );

        // The agent drops the selfie (the capture takes it now) and sends again: sent, once.
        let selfie = draft["documents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["docType"] == "selfie")
            .unwrap()["id"]
            .clone();
        app.invoke("remove_draft_document", serde_json::json!({ "id": selfie }))
            .await;
        app.click("#nav-customers").await;
        app.click("#nav-drafts").await;
        app.click(".draft-row[data-id='draft-with-cnpj'] .draft-edit")
            .await;
        app.click("#reg-submit").await;
        eventually("the draft sent", 60, || async {
            app.draft_counts().await["sent"] == 1
        })
        .await;
        let found = api
            .customers()
            .list()
            .external_id("ERP-77")
            .send()
            .await
            .unwrap();
        assert_eq!(found.data.len(), 1, "still registered once");
        let identity = found.data[0]
            .kyc
            .iter()
            .find(|k| k.requirement_type == dinie::RequirementType::Identity)
            .unwrap();
        assert!(identity.is_complete(), "the previous release's CNH arrived");
        app
    })
    .await;
}
