//! `make bench`: what it takes an agent, in the real window, to "register a MEI borrower, attach
//! 3 documents, hand biometrics to the phone" (issue 16): every action counted (a key, a field
//! typed, a click, a choice in the file dialog) and the time each took until its result was on
//! screen. The figure is the count, against a goal of at most 15 actions; the time is wall time
//! through WebDriver (its round trips included), printed per action.
//!
//! The path is the shortest the app offers an agent who knows it: Ctrl+N, the four required
//! fields (Dinie finds a MEI's name), "Cadastrar"; "Escolher arquivos" and three files chosen in
//! the dialog (named as agents name them, so each finds its place), "Enviar"; "Enviar para o
//! celular" in the next-step box, then "Enviar por WhatsApp".

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use dinie_desk_e2e::{cnpj, cpf, App, Form};

const GOAL: usize = 15;

/// The actions taken so far, each with how long its result took to show.
struct Agent<'a> {
    app: &'a App,
    actions: Vec<(String, Duration)>,
}

impl Agent<'_> {
    /// One action: `act` does it, `shown` is the CSS of what says it was done.
    async fn act(&mut self, what: &str, act: impl std::future::Future<Output = ()>, shown: &str) {
        let started = Instant::now();
        act.await;
        self.app.wait_for(shown).await;
        self.actions.push((what.to_owned(), started.elapsed()));
    }

    /// An action taken where the app shows nothing new (a choice in the native dialog).
    fn count(&mut self, what: &str) {
        self.actions.push((what.to_owned(), Duration::ZERO));
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str, bytes: &[u8]| dinie_desk_e2e::write_file(dir.path(), name, bytes);
    let cnh = file("cnh.pdf", b"%PDF-1.4\n1 0 obj <</Type /Page>>\n%cnh\n%%EOF");
    let ccmei = file(
        "ccmei.pdf",
        b"%PDF-1.4\n1 0 obj <</Type /Page>>\n%ccmei\n%%EOF",
    );
    let proof = file(
        "comprovante de endereço.pdf",
        b"%PDF-1.4\n1 0 obj <</Type /Page>>\n%%EOF",
    );

    let app = App::launch().await;
    app.wait_for("#customer-list, #customers-empty").await;
    let opened = app.record_links();
    let mut agent = Agent {
        app: &app,
        actions: Vec::new(),
    };
    let started = Instant::now();

    agent
        .act(
            "Ctrl+N",
            async {
                app.script("document.dispatchEvent(new KeyboardEvent('keydown', { key: 'n', ctrlKey: true }))")
                    .await;
            },
            "#register-form #reg-cpf",
        )
        .await;
    let fields = [
        ("CPF", "#reg-cpf", cpf()),
        ("CNPJ", "#reg-cnpj", cnpj(Form::Mei)),
        ("celular", "#reg-phone", "11987654321".to_owned()),
        ("e-mail", "#reg-email", "mei.acoes@example.com".to_owned()),
    ];
    for (name, css, value) in &fields {
        agent
            .act(&format!("type the {name}"), app.fill(css, value), css)
            .await;
    }
    agent
        .act(
            "click Cadastrar",
            app.click("#reg-submit"),
            "#customer-detail #choose-files",
        )
        .await;
    app.queue_picks(&[&cnh, &ccmei, &proof]);
    agent
        .act(
            "click Escolher arquivos",
            app.click("#choose-files"),
            ".upload[data-name='comprovante de endereço.pdf'][data-status='ready']",
        )
        .await;
    agent.count("select 3 files in the dialog");
    agent.count("click Abrir in the dialog");
    let placed = app
        .script("return [...document.querySelectorAll('.upload')].map((u) => u.dataset.slot)")
        .await;
    assert!(
        placed.as_array().unwrap().iter().all(|s| s != ""),
        "each file found its place by its name: {placed}"
    );
    agent
        .act(
            "click Enviar",
            app.click("#send-uploads"),
            ".kyc-item[data-type='proof_of_address'][data-state='submitted']",
        )
        .await;
    app.wait_for(".kyc-item[data-type='identity'][data-state='submitted']")
        .await;
    app.wait_for(".kyc-item[data-type='company_document'][data-state='submitted']")
        .await;
    agent
        .act(
            "click Enviar para o celular",
            app.click("#next-bio-phone"),
            "#bio-state[data-state='ready']",
        )
        .await;
    agent
        .act(
            "click Enviar por WhatsApp",
            app.click("#bio-whatsapp"),
            "#bio-state[data-state='sent']",
        )
        .await;
    let total = started.elapsed();
    dinie_desk_e2e::eventually("the WhatsApp link handed to the system", 15, || {
        let sent = std::fs::read_to_string(&opened)
            .unwrap_or_default()
            .contains("https://wa.me/");
        async move { sent }
    })
    .await;

    println!("agent actions: register a MEI borrower, attach 3 documents, biometrics to the phone");
    for (i, (what, took)) in agent.actions.iter().enumerate() {
        println!("  {:>2}. {what:<40} {:>6} ms", i + 1, took.as_millis());
    }
    let n = agent.actions.len();
    println!(
        "  {n} actions (goal ≤ {GOAL}: {}), {:.1} s from Ctrl+N to the link sent (WebDriver included)",
        if n <= GOAL { "holds" } else { "does not hold" },
        total.as_secs_f64()
    );
    app.close().await;
    assert!(n <= GOAL, "{n} actions, goal {GOAL}");
}
