//! What the field does to drafts, in the real window: a keychain that lost the drafts key, a
//! drafts database that is damaged, connections cut short on disk, a draft made for another
//! connection, a second launch of the app, an import too large (issue 15).

use dinie_desk_e2e::{cpf, eventually, App, SandboxSite};

/// Registers a borrower while the connection is down: it stays as a waiting draft.
async fn draft_offline(app: &App, name: &str) {
    app.click("#nav-customers").await;
    app.click("#new-customer").await;
    app.fill("#reg-cpf", &cpf()).await;
    app.fill(
        "#reg-cnpj",
        &dinie_desk_e2e::cnpj(dinie_desk_e2e::Form::Mei),
    )
    .await;
    app.fill("#reg-name", name).await;
    app.fill("#reg-email", "campo@example.com").await;
    app.fill("#reg-phone", "11987654321").await;
    app.click("#reg-submit").await;
    app.wait_for_text("#register-notice", "Sem conexão").await;
}

#[tokio::test]
async fn drafts_of_a_key_the_keychain_lost_are_explained_never_sent_and_discarded() {
    let site = SandboxSite::new();
    let sandbox = site.start().await;
    App::run("drafts-lost-key", |app| async move {
        app.use_sandbox("Campo", &site.url()).await;
        sandbox.shutdown().await;
        draft_offline(&app, "Maria Perdida").await;
        draft_offline(&app, "João Perdido").await;
        assert_eq!(app.draft_counts().await["waiting"], 2);

        // The keyring is reset (a password change): the drafts key is gone.
        app.secret_tool(&[
            "clear",
            "service",
            "br.com.dinie.desk",
            "username",
            "drafts:key",
        ]);
        assert!(app
            .secret_tool(&[
                "lookup",
                "service",
                "br.com.dinie.desk",
                "username",
                "drafts:key"
            ])
            .is_empty());
        let app = app.restart().await;
        app.click("#nav-drafts").await;
        app.wait_for_text(
            "#drafts-unreadable",
            "2 rascunhos foram selados com uma chave",
        )
        .await;
        assert_eq!(app.draft_counts().await["unreadable"], 2);
        assert_eq!(
            app.draft_counts().await["waiting"],
            0,
            "not counted as waiting"
        );

        // New drafts work, and only they are sent when the connection is back.
        draft_offline(&app, "Ana Nova").await;
        let sandbox = site.start().await;
        eventually("the new draft sent", 60, || async {
            app.draft_counts().await["sent"] == 1
        })
        .await;
        tokio::time::sleep(std::time::Duration::from_secs(5)).await;
        assert_eq!(sandbox.state().count("customers").await.unwrap(), 1);
        app.click("#nav-drafts").await;
        app.wait_for("#drafts-unreadable").await;
        app.screenshot("drafts-lost-key").await;

        // The agent discards them, without their key.
        app.click("#drafts-discard-unreadable").await;
        app.click("#confirm-yes").await;
        eventually("the unreadable drafts gone", 10, || async {
            app.draft_counts().await["unreadable"] == 0
        })
        .await;
        eventually("the banner gone", 10, || async {
            app.script("return document.querySelector('#drafts-unreadable') === null")
                .await
                == true
        })
        .await;
        sandbox.shutdown().await;
        app
    })
    .await;
}

#[tokio::test]
async fn a_draft_of_another_connection_is_read_only_here_and_goes_to_its_own() {
    let (site_a, site_b) = (SandboxSite::new(), SandboxSite::new());
    let sandbox_b = site_b.start().await;
    App::run("drafts-other-connection", |app| async move {
        for (name, site) in [("Campo A", &site_a), ("Campo B", &site_b)] {
            app.add_sandbox_profile(name, &site.url()).await;
        }
        // A is down: a borrower is drafted for it.
        app.use_profile("Campo A").await;
        draft_offline(&app, "Rita de A").await;

        // On B, the draft is shown as A's, with no way to edit or send it here.
        app.click("#nav-settings").await;
        app.use_profile("Campo B").await;
        eventually("on B", 10, || async {
            app.invoke("app_info", serde_json::json!({})).await["connection"]["profileName"] == "Campo B"
        })
        .await;
        app.click("#nav-drafts").await;
        app.wait_for(".draft-row[data-state='queued']").await;
        let row = app
            .script("return document.querySelector(\".draft-row[data-state='queued']\").textContent")
            .await;
        let row = row.as_str().unwrap();
        assert!(row.contains("Rita de A") && row.contains("da conexão «Campo A»"), "{row}");
        assert!(app.script("return document.querySelector(\".draft-row[data-state='queued'] .draft-edit\") === null").await.as_bool().unwrap());
        app.wait_for(".draft-row[data-state='queued'] .draft-move").await;
        app.click("#sync-now").await;
        tokio::time::sleep(std::time::Duration::from_secs(6)).await;
        assert_eq!(sandbox_b.state().count("customers").await.unwrap(), 0, "not sent over B");
        let draft_id = app.script("return document.querySelector(\".draft-row[data-state='queued']\").dataset.id").await;
        let refused = app
            .invoke("save_draft", serde_json::json!({ "id": draft_id, "form": { "cpf": "", "name": "x", "email": "", "phone": "" } }))
            .await;
        assert_eq!(refused["error"]["code"], "draft_other_connection", "{refused}");

        // Back on A, with A up: sent there, once.
        let sandbox_a = site_a.start().await;
        app.click("#nav-settings").await;
        app.use_profile("Campo A").await;
        eventually("sent on A", 60, || async { app.draft_counts().await["sent"] == 1 }).await;
        assert_eq!(sandbox_a.state().count("customers").await.unwrap(), 1);
        assert_eq!(sandbox_b.state().count("customers").await.unwrap(), 0);
        sandbox_a.shutdown().await;
        sandbox_b.shutdown().await;
        app
    })
    .await;
}

#[tokio::test]
async fn damaged_files_on_disk_are_recovered_or_set_aside_and_a_second_launch_hands_over() {
    App::run("damaged-files", |app| async move {
        // Two saves of the connections: the second keeps the first as the backup.
        let site = SandboxSite::new();
        app.add_sandbox_profile("Campo", &site.url()).await;
        app.add_sandbox_profile("Escritório", &site.url()).await;
        app.wait_for_text("#profile-list", "Escritório").await;
        app.click("#nav-customers").await;
        app.click("#new-customer").await;
        app.fill("#reg-name", "Rascunho Antigo").await;
        eventually("the draft saved", 10, || async { app.draft_counts().await["editing"] == 1 }).await;

        // A second launch gives the window to this one and exits.
        let status = app.launch_second(std::time::Duration::from_secs(20));
        assert!(status.is_some_and(|s| s.success()), "{status:?}");
        assert_eq!(app.draft_counts().await["editing"], 1, "the first one still answers");

        // The power goes while the connections are written, and the drafts database is damaged.
        app.kill_app();
        let data = app.data_dir();
        std::fs::write(data.join("profiles.json"), b"{\"profiles\": [{\"id\": ").unwrap();
        for side in ["drafts/drafts.db-wal", "drafts/drafts.db-shm"] {
            let _ = std::fs::remove_file(data.join(side));
        }
        std::fs::write(data.join("drafts/drafts.db"), b"not a database, only garbage".repeat(300)).unwrap();
        let app = app.restart().await;

        // The connections come back from the backup (at least the first one).
        app.click("#nav-settings").await;
        app.wait_for_text("#profile-list", "Campo").await;
        // The damaged drafts are set aside, said so, and new drafts work.
        app.click("#nav-drafts").await;
        app.wait_for_text("#drafts-set-aside", "estava danificado").await;
        let aside: Vec<_> = std::fs::read_dir(data.join("drafts"))
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("drafts.db.corrupt-"))
            .collect();
        assert_eq!(aside.len(), 1, "{aside:?}");
        app.click("#nav-customers").await;
        app.click("#new-customer").await;
        app.fill("#reg-name", "Rascunho Novo").await;
        eventually("the new draft saved", 10, || async { app.draft_counts().await["editing"] == 1 }).await;

        // An import larger than one import takes is refused, whole, before anything is queued.
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("grande.csv");
        let mut text = String::from("cpf;cnpj;email;telefone\n");
        for _ in 0..10_001 {
            text.push_str("529.982.247-25;11.222.333/0001-81;a@example.com;11987654321\n");
        }
        std::fs::write(&big, text).unwrap();
        app.click("#nav-drafts").await;
        let file = app.pick_csv(&big.display().to_string()).await;
        let js = format!(
            "const done = arguments[0]; import('./js/screens/drafts.js').then(m => m.importFile({file})).then(() => done(true), (e) => done(String(e)));"
        );
        assert_eq!(app.script_async(&js).await, true);
        app.wait_for_text("#import-error", "10000").await;
        assert_eq!(app.draft_counts().await["waiting"], 0);
        app
    })
    .await;
}

#[tokio::test]
async fn a_sync_under_a_rate_limit_keeps_within_it_and_sends_every_draft() {
    const LIMIT: u64 = 20;
    const DRAFTS: usize = 100;
    let site = SandboxSite::new();
    let sandbox = site
        .start_with(|c| {
            c.rate_limit = LIMIT;
            c.rate_limit_window = std::time::Duration::from_secs(3);
            c.lookup_delay = std::time::Duration::ZERO;
        })
        .await;
    App::run("drafts-rate-limited", |app| async move {
        app.use_sandbox("Campo", &site.url()).await;
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("lote.csv");
        let mut text = String::from("cpf;cnpj;nome;email;telefone\n");
        for i in 0..DRAFTS {
            let cnpj = dinie_desk_e2e::cnpj(dinie_desk_e2e::Form::Mei);
            text.push_str(&format!("{};{cnpj};Lote {i};lote{i}@example.com;11987654321\n", cpf()));
        }
        std::fs::write(&csv, text).unwrap();
        app.click("#nav-drafts").await;
        let file = app.pick_csv(&csv.display().to_string()).await;
        let js = format!(
            "const done = arguments[0]; import('./js/screens/drafts.js').then(m => m.importFile({file})).then(() => done(true), (e) => done(String(e)));"
        );
        assert_eq!(app.script_async(&js).await, true);
        app.click("#import-confirm").await;
        app.wait_for_text("#import-summary", "100 cadastros na fila").await;
        eventually("every draft sent", 180, || async {
            app.draft_counts().await["sent"] == DRAFTS
        })
        .await;
        assert_eq!(sandbox.state().count("customers").await.unwrap(), DRAFTS as i64);
        let stats = sandbox.state().stats();
        let peak = stats.peak_window_requests.load(std::sync::atomic::Ordering::SeqCst);
        let refused = stats.rate_limited.load(std::sync::atomic::Ordering::SeqCst);
        eprintln!("rate limit {LIMIT}/3 s: peak {peak} requests in a window, {refused} refused");
        // Only requests already in flight when the window ran out may cross the limit: the
        // run's four, and a probe of the connection.
        assert!(peak <= LIMIT + 5, "{peak} requests in one window (limit {LIMIT})");
        sandbox.shutdown().await;
        app
    })
    .await;
}
