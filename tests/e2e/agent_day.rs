//! What an agent who registers fifty borrowers a day meets, in the real window: every refusal in
//! Portuguese, "Novo cliente" always blank (a half-typed draft offered back), a CPF Dinie already
//! has answered at the top with a way to its customer, and a CSV from Excel (CRLF) reported with
//! the spreadsheet's own row numbers, its refused rows saved as `erros.csv` and each opened from
//! the report, and a template to start from.

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
        // A foreign number stays as typed, and says why it cannot be used.
        app.fill("#reg-phone", "+1 415 555 0100").await;
        app.wait_for_text("#reg-phone-error", "Só números do Brasil (+55)").await;
        assert_eq!(
            app.script("return document.getElementById('reg-phone').value").await,
            "+1 415 555 0100"
        );

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

        // The refused rows, as written, with their row and reason: `erros.csv`, where the agent
        // chose to save it; fixed there, it imports again (the two added columns are skipped).
        let errors = dir.path().join("erros.csv");
        app.save_to(&errors);
        app.click("#import-errors").await;
        app.wait_for_text("#toasts", "Salvo como erros.csv").await;
        let saved = std::fs::read_to_string(&errors).unwrap();
        let lines: Vec<_> = saved.trim_start_matches('\u{feff}').split("\r\n").collect();
        assert_eq!(lines[0], "CPF;CNPJ;Nome;E-mail;Telefone;linha;motivo", "{saved}");
        assert!(lines[1].starts_with(&format!("123.456.789-00;{};Rui;", cnpj_of(&excel))), "{saved}");
        assert!(lines[1].contains(";4;CPF: ") && lines[1].contains("confira os dois últimos dígitos"), "{saved}");
        assert_eq!(lines.len(), 3, "only the refused row: {saved}");
        let fixed = saved.replace("123.456.789-00", &cpf());
        import(&app, &dir, "erros-corrigido.csv", &fixed, true).await;
        app.wait_for_text("#import-preview-counts", "1 pronta para enviar, 0 com problemas").await;

        // Imported, a refused row opens its draft from the report, to fix in the form.
        import(&app, &dir, "excel.csv", &excel, true).await;
        app.click("#import-confirm").await;
        app.wait_for_text("#import-summary", "2 cadastros na fila de envio; 1 com problemas").await;
        app.click("#import-problems .import-fix").await;
        app.wait_for("#register-form").await;
        app.wait_for_text("#screen-title", "Editar rascunho").await;
        let typed = app.script("return document.getElementById('reg-cpf').value").await;
        assert_eq!(typed, "123.456.789-00");
        app.wait_for_text("#reg-cpf-error", "confira os dois últimos dígitos").await;

        // The template: the columns an import reads; filled in, it imports.
        app.click("#nav-drafts").await;
        let template = dir.path().join("modelo.csv");
        app.save_to(&template);
        app.click("#csv-template").await;
        app.wait_for_text("#toasts", "Salvo como modelo.csv").await;
        let mut filled = std::fs::read_to_string(&template).unwrap();
        assert_eq!(filled, "\u{feff}nome;cpf;cnpj;nome_fantasia;email;telefone;external_id\r\n");
        filled.push_str(&format!("Bia Souza;{};{};;bia@example.com;11987654321;\r\n", cpf(), cnpj(Form::Mei)));
        import(&app, &dir, "modelo.csv", &filled, true).await;
        app.wait_for_text("#import-preview-counts", "1 pronta para enviar, 0 com problemas").await;
        app.click("#import-cancel").await;

        import(&app, &dir, "header.csv", "nome;email\r\nAna;ana@example.com\r\n", false).await;
        let error = app.wait_for_text("#import-error", "Faltam no cabeçalho as colunas cpf, cnpj").await;
        assert!(!english(&error), "{error}");
        app
    })
    .await;
}

/// The CNPJ of the last row of a CSV whose second column is the CNPJ.
fn cnpj_of(csv: &str) -> String {
    csv.trim_end()
        .lines()
        .last()
        .unwrap()
        .split(';')
        .nth(1)
        .unwrap()
        .to_owned()
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

/// Opens the first customer the list shows (by its id: the list repaints as the search settles).
async fn open_first(app: &App) {
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let id = app
        .script("return document.querySelector('#customer-list .customer-row[data-id]').dataset.id")
        .await;
    app.click(&format!(
        "#customer-list .customer-row[data-id='{}']",
        id.as_str().unwrap()
    ))
    .await;
}

/// WCAG contrast of an element's text against what is behind it, composited up the tree.
const CONTRAST_JS: &str = r#"
const parse = (c) => {
  let m = c.match(/rgba?\(([^)]+)\)/);
  if (m) { const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p[3] ?? 1]; }
  m = c.match(/color\(srgb ([^)]+)\)/);
  if (m) { const p = m[1].split(/[ /]+/).filter(Boolean).map(Number); return [p[0] * 255, p[1] * 255, p[2] * 255, p[3] ?? 1]; }
  return [0, 0, 0, 0];
};
const over = (top, under) => { const a = top[3]; return [0, 1, 2].map((i) => top[i] * a + under[i] * (1 - a)).concat(1); };
const behind = (el) => {
  const layers = [];
  for (let n = el; n; n = n.parentElement) { const c = parse(getComputedStyle(n).backgroundColor); if (c[3] > 0) layers.push(c); if (c[3] >= 1) break; }
  return layers.reverse().reduce((acc, c) => over(c, acc), [255, 255, 255, 1]);
};
const lum = (c) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }; return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
const ratio = (el) => { const bg = behind(el); const fg = over(parse(getComputedStyle(el).color), bg); const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x); return (a + 0.05) / (b + 0.05); };
return [...document.querySelectorAll(arguments[0])].map((el) => [el.className + ' ' + (el.dataset.status ?? el.dataset.state ?? '') + ' ' + el.textContent.trim().slice(0, 20), Math.round(ratio(el) * 100) / 100]);
"#;

#[tokio::test]
async fn all_day_polish_plurals_keys_focus_contrast_toasts_and_a_narrow_window() {
    App::run("polish", |app| async move {
        let api = app.embedded_api().await;
        dinie_desk_e2e::register(&api, Form::Mei, "um@example.com").await;
        app.click("#refresh-customers").await;
        // "1 cliente", not "1 clientes".
        let count = app.wait_for_text("#customer-count", "1 cliente").await;
        assert!(!count.contains("clientes"), "{count}");

        // Keys: `?` opens the sheet; j and the arrows move through the list, with a visible focus.
        for _ in 0..2 {
            dinie_desk_e2e::register(&api, Form::Mei, "mais@example.com").await;
        }
        app.click("#refresh-customers").await;
        app.wait_for_text("#customer-count", "3 clientes").await;
        app.script("document.activeElement?.blur(); document.dispatchEvent(new KeyboardEvent('keydown', { key: '?', bubbles: true }))").await;
        app.wait_for_text("#shortcuts", "Mover na lista").await;
        app.click("#shortcuts-close").await;
        let key = |k: &str| format!("document.activeElement.dispatchEvent(new KeyboardEvent('keydown', {{ key: '{k}', bubbles: true }}))");
        app.script("document.activeElement?.blur()").await;
        app.script(&key("j")).await;
        let rows = "[...document.querySelectorAll('#customer-list .customer-row[data-id]')]";
        let at = format!("return {rows}.indexOf(document.activeElement)");
        assert_eq!(app.script(&at).await, 0, "j focuses the first row");
        app.script(&key("ArrowDown")).await;
        app.script(&key("j")).await;
        assert_eq!(app.script(&at).await, 2);
        app.script(&key("k")).await;
        assert_eq!(app.script(&at).await, 1);
        let outline = app
            .script("const s = getComputedStyle(document.activeElement); return s.outlineStyle + ' ' + s.outlineWidth")
            .await;
        assert_eq!(outline, "solid 2px", "a focused row shows it");

        // AA contrast (4.5:1) for badges, the steps to do, help text and the version.
        app.script(&format!("{rows}[1].dispatchEvent(new KeyboardEvent('keydown', {{ key: 'Enter', bubbles: true }}))")).await;
        app.wait_for("#stepper li").await;
        app.wait_for(".kyc-item .status-badge").await;
        let measured = app
            .driver
            .execute(CONTRAST_JS, vec![serde_json::json!(".status-badge, #stepper li, .help, #app-version, .kyc-action")])
            .await
            .unwrap();
        let low: Vec<_> = measured
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m[1].as_f64().unwrap() < 4.5)
            .collect();
        assert!(measured.as_array().unwrap().len() > 5, "{measured}");
        assert!(low.is_empty(), "below AA: {low:?}");

        // Toasts: at most two, and they stay on their screen.
        app.script("import('./js/feedback.js').then((m) => { for (const n of [1, 2, 3]) m.toast('aviso ' + n); })").await;
        dinie_desk_e2e::eventually("the toasts", 5, || async {
            app.script("return document.querySelectorAll('#toasts .toast').length").await == 2
        })
        .await;
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        app.click("#nav-drafts").await;
        app.wait_for("#draft-list, #drafts-empty").await;
        assert_eq!(app.script("return document.querySelectorAll('#toasts .toast').length").await, 0);

        // A 1024 × 768 window: nothing runs off the side, no CPF is cut.
        app.driver.set_window_size(1024, 768).await.unwrap();
        app.click("#nav-customers").await;
        app.wait_for("#customer-list .customer-row[data-id]").await;
        let fits = app
            .script("return [document.documentElement.scrollWidth <= innerWidth, innerWidth, [...document.querySelectorAll('#customer-list .cpf')].every((c) => c.scrollWidth <= c.clientWidth), [...document.querySelectorAll('#customer-list .cpf')].map((c) => [c.scrollWidth, c.clientWidth, c.textContent, getComputedStyle(c).fontSize])]")
            .await;
        assert_eq!(fits[0], true, "{fits}");
        assert_eq!(fits[1].as_u64().map(|w| w <= 1024), Some(true), "{fits}");
        assert_eq!(fits[2], true, "a CPF is cut: {fits}");
        // The status filter is drawn by the page in both themes (not GTK's flat grey block).
        let select = app
            .script("const s = getComputedStyle(document.getElementById('status-filter')); const panel = getComputedStyle(document.querySelector('.card, .topbar')).backgroundColor; return [s.appearance || s.webkitAppearance, s.backgroundColor === panel, s.backgroundImage.startsWith('url(')]")
            .await;
        assert_eq!(select, serde_json::json!(["none", true, true]), "{select}");

        // There the sidebar folds to its icons by itself (its names as tooltips); the agent
        // unfolds it with its button, folds it with Ctrl+B, and the choice outlasts a reload.
        let sidebar = "return [document.querySelector('.shell').dataset.sidebar, document.querySelector('.sidebar').getBoundingClientRect().width, document.getElementById('sidebar-toggle').getAttribute('aria-expanded'), document.getElementById('nav-drafts').title]";
        let folded = app.script(sidebar).await;
        assert_eq!(folded[0], "folded", "{folded}");
        assert!(folded[1].as_f64().unwrap() < 80.0, "{folded}");
        assert_eq!(folded[2], "false", "{folded}");
        assert_eq!(folded[3], "Rascunhos", "{folded}");
        app.click("#sidebar-toggle").await;
        let unfolded = app.script(sidebar).await;
        assert_eq!(unfolded[0], "unfolded", "{unfolded}");
        assert!(unfolded[1].as_f64().unwrap() > 150.0, "{unfolded}");
        assert_eq!(unfolded[2], "true", "{unfolded}");
        app.script("document.activeElement?.blur(); document.dispatchEvent(new KeyboardEvent('keydown', { key: 'b', ctrlKey: true, bubbles: true }))").await;
        assert_eq!(app.script(sidebar).await[0], "folded");
        app.driver.set_window_size(1366, 768).await.unwrap();
        app.driver.refresh().await.unwrap();
        app.wait_for("#customer-list .customer-row[data-id]").await;
        assert_eq!(app.script(sidebar).await[0], "folded", "the agent's choice holds in a wide window");
        app
    })
    .await;
}

/// Search by name, e-mail and phone as the agent types, the "Precisa de ação" worklist, and
/// offline the list and the details last seen, said to be that.
#[tokio::test]
async fn customers_are_found_by_name_as_the_agent_types_wait_in_a_worklist_and_open_offline() {
    let (sandbox, api) = dinie_desk_e2e::standalone_sandbox().await;
    for (name, email, phone) in [
        (
            "Maria Oliveira",
            "maria.oliveira@example.com",
            "+5511912345678",
        ),
        ("João Pereira", "joao.pereira@example.com", "+5521987651111"),
        ("Ana Costa", "ana@example.com", "+5531955552222"),
    ] {
        api.customers()
            .create(cpf(), cnpj(Form::Mei))
            .name(name)
            .email(email)
            .phone(phone)
            .send()
            .await
            .unwrap();
    }
    let url = sandbox.base_url();
    App::run("find-by-name", |app| async move {
        app.use_sandbox("Parceiro", &url).await;
        app.click("#nav-customers").await;
        app.wait_for_text("#customer-count", "3 clientes").await;

        // As the agent types: by name (without the accent), e-mail, phone digits.
        app.fill("#customer-search", "joao per").await;
        app.wait_for_text("#customer-list", "João Pereira").await;
        app.wait_for_text("#customer-count", "1 cliente").await;
        app.fill("#customer-search", "maria.oliveira@").await;
        app.wait_for_text("#customer-list", "Maria Oliveira").await;
        app.fill("#customer-search", "95555").await;
        app.wait_for_text("#customer-list", "Ana Costa").await;
        app.wait_for_text("#customer-count", "1 cliente").await;

        // The worklist: what each waits for, and for how long.
        app.fill("#customer-search", "").await;
        app.select("#status-filter", "needs_action").await;
        let work = app.wait_for_text("#customer-list", "Falta: ").await;
        assert!(work.contains("(+2) · há") || work.contains("(+2) · agora"), "{work}");
        let all = app
            .script("return document.querySelector('#customer-list .customer-row[data-id] .needs').title")
            .await;
        assert!(all.as_str().unwrap().contains("Biometria não feita"), "{all}");
        app.wait_for_text("#customer-count", "3 clientes").await;

        // A customer opened while online is kept, sealed, as last seen.
        app.select("#status-filter", "").await;
        app.fill("#customer-search", "costa").await;
        app.wait_for_text("#customer-count", "1 cliente").await;
        // A refresh that brings nothing new keeps the rows' nodes (a click that straddles it
        // still lands).
        app.script("document.querySelector('#customer-list .customer-row[data-id]').dataset.kept = 'yes'")
            .await;
        app.click("#refresh-customers").await;
        app.wait_for_text("#customer-count", "1 cliente").await;
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert_eq!(
            app.script("return document.querySelector('#customer-list .customer-row[data-id]')?.dataset.kept ?? null")
                .await,
            "yes"
        );
        open_first(&app).await;
        app.wait_for_text("#customer-name", "Ana Costa").await;
        app.wait_for("#checklist").await;
        assert_eq!(app.script("return document.getElementById('customer-offline') === null").await, true);
        app.click("#back-to-list").await;

        // Offline: the list last seen opens, marked as such, and so does the customer opened
        // before; one never opened here says it cannot be reached.
        sandbox.shutdown().await;
        // The system says the network went: the header says so at once (not at the next
        // probe, half a minute away).
        app.script("window.dispatchEvent(new Event('offline'))").await;
        dinie_desk_e2e::eventually("the header says offline", 5, || async {
            app.script("return document.getElementById('online-indicator').dataset.online").await == "false"
        })
        .await;
        app.fill("#customer-search", "").await;
        app.click("#refresh-customers").await;
        app.wait_for_text("#customers-offline", "Sem conexão").await;
        app.wait_for_text("#customer-count", "3 clientes").await;
        app.fill("#customer-search", "costa").await;
        app.wait_for_text("#customer-list", "Ana Costa").await;
        open_first(&app).await;
        let notice = app.wait_for_text("#customer-offline", "Sem conexão com a Dinie").await;
        assert!(notice.contains("viu por último"), "{notice}");
        app.wait_for_text("#customer-name", "Ana Costa").await;
        app.wait_for("#checklist").await;
        app.click("#back-to-list").await;
        app.fill("#customer-search", "joao").await;
        app.wait_for_text("#customer-count", "1 cliente").await;
        open_first(&app).await;
        app.wait_for("#customer-detail #error-box").await;
        app
    })
    .await;
}
