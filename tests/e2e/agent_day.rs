//! What an agent who registers fifty borrowers a day meets, in the real window: every refusal in
//! Portuguese, "Novo cliente" always blank (a half-typed draft offered back), a CPF Dinie already
//! has answered at the top with a way to its customer, and a CSV from Excel (CRLF) reported with
//! the spreadsheet's own row numbers.

use dinie_desk_e2e::{cnpj, cpf, App, Form};

const NEW: &str =
    "document.dispatchEvent(new KeyboardEvent('keydown', { key: 'n', ctrlKey: true }))";

/// Words that give away an English sentence among the Portuguese ones.
fn english(text: &str) -> bool {
    text.split(|c: char| !c.is_alphabetic()).any(|w| {
        [
            "is", "must", "the", "enter", "does", "not", "already", "line",
        ]
        .contains(&w)
    })
}

#[tokio::test]
async fn a_day_in_portuguese_with_a_blank_new_form_and_known_cpfs_sent_to_their_customer() {
    App::run("agent-day", |app| async move {
        app.wait_for("#customer-list, #customers-empty").await;

        // An empty form: each field says, in Portuguese, what it needs, and is marked.
        app.script(NEW).await;
        app.wait_for("#register-form").await;
        app.click("#reg-submit").await;
        app.wait_for_text("#reg-cpf-error", "Informe o CPF").await;
        app.wait_for_text("#reg-cnpj-error", "Informe o CNPJ").await;
        app.wait_for_text("#reg-phone-error", "Informe o celular").await;
        app.wait_for_text("#reg-email-error", "E-mail inválido").await;
        let marked = app
            .script("return [...document.querySelectorAll('#register-form [aria-invalid=true]')].map(i => i.id).sort()")
            .await;
        assert_eq!(marked, serde_json::json!(["reg-cnpj", "reg-cpf", "reg-email", "reg-phone"]));
        let shown = app
            .script("return [...document.querySelectorAll('.field-error')].map(e => e.textContent).join(' | ')")
            .await;
        assert!(!english(shown.as_str().unwrap()), "{shown}");

        // While typing: the check digits a CPF would have, a DDD that does not exist.
        app.fill("#reg-cpf", "12345678900").await;
        app.wait_for_text("#reg-cpf-error", "confira os dois últimos dígitos (seriam 09, não 00)")
            .await;
        app.fill("#reg-phone", "20987654321").await;
        app.wait_for_text("#reg-phone-error", "O DDD 20 não existe").await;

        // A half-typed borrower is kept as a draft; "Novo cliente" is blank and offers it back.
        app.fill("#reg-name", "Maria Rascunho").await;
        app.wait_for_text("#draft-saved", "salvo").await;
        app.script(NEW).await;
        app.wait_for_text("#register-continue", "Continuar o rascunho de Maria Rascunho")
            .await;
        app.wait_for_text("#screen-title", "Novo cliente").await;
        let name = app.script("return document.getElementById('reg-name').value").await;
        assert_eq!(name, "", "a new form is blank");
        app.click("#register-continue .continue-draft").await;
        app.wait_for_text("#screen-title", "Editar rascunho").await;
        let name = app.script("return document.getElementById('reg-name').value").await;
        assert_eq!(name, "Maria Rascunho");
        // And from the draft, "Novo cliente" is blank again (the draft is not overwritten).
        app.script(NEW).await;
        app.wait_for_text("#screen-title", "Novo cliente").await;
        let name = app.script("return document.getElementById('reg-name').value").await;
        assert_eq!(name, "");

        // A CPF Dinie has: said at the top, no word of external ids the agent never typed;
        // opening the customer discards the refused draft.
        let api = app.embedded_api().await; // (through Settings: back to a new form after)
        let known = cpf();
        api.customers()
            .create(known.clone(), cnpj(Form::Mei))
            .name("Cliente Antigo")
            .email("antigo@example.com")
            .phone("+5511987654321")
            .external_id("ERP-9")
            .send()
            .await
            .unwrap();
        app.script(NEW).await;
        app.wait_for_text("#screen-title", "Novo cliente").await;
        app.fill("#reg-cpf", &known).await;
        app.fill("#reg-cnpj", &cnpj(Form::Mei)).await;
        app.fill("#reg-email", "outra@example.com").await;
        app.fill("#reg-phone", "11987654321").await;
        app.click("#reg-submit").await;
        let conflict = app
            .wait_for_text("#register-conflict", "Este CPF já está cadastrado")
            .await;
        assert!(!conflict.contains("ID externo") && !english(&conflict), "{conflict}");
        let first = app
            .script("return document.getElementById('register-form').firstElementChild.id")
            .await;
        assert_eq!(first, "register-conflict", "the answer is at the top of the form");
        let successes = app.script("return document.querySelectorAll(\".toast[data-kind='info']\").length").await;
        assert_eq!(successes, 0, "no success toast beside a refusal");
        app.click("#register-conflict-open").await;
        app.wait_for_text("#customer-name", "Cliente Antigo").await;
        let drafts = app.invoke("list_drafts", serde_json::json!({})).await;
        let masked = dinie::br::Cpf::parse(&known).unwrap().to_string();
        let left: Vec<_> = drafts["drafts"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["cpf"] == masked.as_str() || d["cpf"] == known.as_str())
            .collect();
        assert!(left.is_empty(), "the refused draft was discarded: {left:?}");

        // A CSV saved by Excel (CRLF): the bad row is reported with its spreadsheet row, in
        // Portuguese; a header without the needed columns says which.
        app.click("#nav-drafts").await;
        let dir = tempfile::tempdir().unwrap();
        let good = [cpf(), cpf()];
        let excel = format!(
            "CPF;CNPJ;Nome;E-mail;Telefone\r\n{};{};Ana Lima;ana@example.com;11987654321\r\n{};{};Paulo;paulo@example.com;11987654321\r\n123.456.789-00;{};Rui;rui@example.com;11987654321\r\n",
            good[0], cnpj(Form::Mei), good[1], cnpj(Form::Mei), cnpj(Form::Mei)
        );
        let report = import(&app, &dir, "excel.csv", &excel, true).await;
        let row = app.wait_for_text("#import-problems", "Linha 4").await;
        assert!(row.contains("confira os dois últimos dígitos") && !english(&row), "{row} / {report}");
        app.click("#import-cancel").await;
        import(&app, &dir, "header.csv", "nome;email\r\nAna;ana@example.com\r\n", false).await;
        let error = app.wait_for_text("#import-error", "Faltam no cabeçalho as colunas cpf, cnpj").await;
        assert!(!english(&error), "{error}");
        app
    })
    .await;
}

/// Writes `text` as `name` and previews its import; returns the preview (or "").
async fn import(
    app: &App,
    dir: &tempfile::TempDir,
    name: &str,
    text: &str,
    readable: bool,
) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    let file = app.pick_csv(&path.display().to_string()).await;
    let js = format!(
        "const done = arguments[0]; import('./js/screens/drafts.js').then(m => m.importFile({file})).then(() => done(true), (e) => done(String(e)));"
    );
    assert_eq!(app.script_async(&js).await, true);
    if readable {
        app.wait_for_text("#import-preview", "").await
    } else {
        String::new()
    }
}
