//! Biometric capture as Dinie runs it: `POST /customers/{id}/biometrics` makes a single-use
//! bootstrap code (`dinie_bsc_…`) and a `session_url` to the capture page; the page (served here,
//! standing in for Dinie's kyc-app) exchanges the code at `POST /biometrics/session-exchange` for
//! a session token bound to the customer, uploads each pending selfie with that token to
//! `…/kyc-attachments/selfie`, and may collect the bank account.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use rusqlite::{params, OptionalExtension};
use serde_json::{json, Value};

use crate::error::{ApiError, ApiResult};
use crate::middleware::Partner;
use crate::model::epoch;
use crate::state::AppState;
use crate::{ids, store};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/customers/{id}/biometrics", post(create_session))
        .route("/biometrics/session-exchange", post(exchange))
        .route("/biometrics/{code}", get(page))
}

async fn create_session(
    State(state): State<AppState>,
    Partner(partner): Partner,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Json<Value>, JsonRejection>,
) -> ApiResult<Json<Value>> {
    // The SDKs send `{}`; an empty body is accepted too.
    if let Err(e) = &body {
        if !matches!(e, JsonRejection::MissingJsonContentType(_)) {
            return Err(ApiError::bad_request(format!(
                "the body must be a JSON object: {}",
                e.body_text()
            )));
        }
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_owned();
    let ttl = state.config.biometrics_ttl;
    let session = state
        .db
        .tx(move |tx| {
            let rec = store::load(tx, &partner, &id)?;
            if rec.status != "pending_kyc" {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    "invalid_customer_status",
                    format!("biometrics is captured while the customer is pending_kyc (it is {})", rec.status),
                ));
            }
            let selfies: Vec<_> = rec.kyc.iter().filter(|k| k.requirement_type == "selfie").collect();
            if selfies.is_empty() {
                return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "biometrics_not_required", "this customer's kyc asks for no selfie"));
            }
            if selfies.iter().all(|k| k.is_complete()) {
                return Err(ApiError::new(StatusCode::CONFLICT, "biometrics_already_captured", "every selfie of this customer was already captured"));
            }
            let now = Utc::now();
            let open: Option<i64> = tx
                .query_row(
                    "SELECT expires_at FROM biometrics_sessions WHERE customer_id = ?1 AND state = 'open' AND expires_at > ?2",
                    params![rec.id, now.timestamp()],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(expires_at) = open {
                let mut err = ApiError::new(
                    StatusCode::CONFLICT,
                    "session_already_active",
                    "a biometrics session is already open for this customer; use it or wait for it to expire",
                );
                err.extensions.insert("expires_at".into(), expires_at.into());
                return Err(err);
            }
            let code = ids::token("dinie_bsc");
            let expires_at = now + chrono::Duration::from_std(ttl).unwrap_or_else(|_| chrono::Duration::minutes(15));
            tx.execute(
                "INSERT INTO biometrics_sessions (code, customer_id, expires_at, state) VALUES (?1, ?2, ?3, 'open')",
                params![code, rec.id, expires_at.timestamp()],
            )?;
            Ok(json!({
                "session_url": format!("http://{host}/api/v3/biometrics/{code}"),
                "expires_at": epoch(expires_at),
            }))
        })
        .await?;
    Ok(Json(session))
}

/// `POST /biometrics/session-exchange` `{"code"}`: the code is the credential (single use).
async fn exchange(
    State(state): State<AppState>,
    body: Result<Json<Value>, JsonRejection>,
) -> ApiResult<Json<Value>> {
    let code = body?
        .0
        .get("code")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "missing_required_field",
                "code is required",
            )
            .param("code")
        })?;
    let answer = state
        .db
        .tx(move |tx| {
            let row: Option<(String, i64, String)> = tx
                .query_row(
                    "SELECT customer_id, expires_at, state FROM biometrics_sessions WHERE code = ?1",
                    params![code],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            let now = Utc::now().timestamp();
            let (customer_id, expires_at) = match row {
                Some((c, exp, st)) if st == "open" && exp > now => (c, exp),
                Some((_, _, st)) if st != "open" => {
                    return Err(ApiError::new(StatusCode::CONFLICT, "session_code_used", "this biometrics code was already used; ask for a new session"))
                }
                Some(_) => return Err(ApiError::new(StatusCode::GONE, "session_expired", "this biometrics session has expired")),
                None => return Err(ApiError::new(StatusCode::NOT_FOUND, "not_found", "unknown biometrics code")),
            };
            let Some(rec) = store::load_any(tx, &customer_id)? else {
                return Err(ApiError::not_found("customer"));
            };
            tx.execute("UPDATE biometrics_sessions SET state = 'exchanged' WHERE code = ?1", params![code])?;
            let token = ids::token("dinie_st");
            tx.execute(
                "INSERT INTO tokens (token, partner, expires_at, customer_id) VALUES (?1, ?2, ?3, ?4)",
                params![token, rec.partner, expires_at, rec.id],
            )?;
            Ok(json!({
                "access_token": token,
                "token_type": "bearer",
                "expires_in": expires_at - now,
                "customer_id": rec.id,
            }))
        })
        .await?;
    Ok(Json(answer))
}

/// The capture page. Its script does what Dinie's kyc-app does, with the session's own token.
async fn page(State(state): State<AppState>, Path(code): Path<String>) -> ApiResult<Response> {
    let c = code.clone();
    let known = state
        .db
        .tx(move |tx| {
            Ok(tx
                .query_row(
                    "SELECT expires_at FROM biometrics_sessions WHERE code = ?1",
                    params![c],
                    |r| r.get::<_, i64>(0),
                )
                .optional()?)
        })
        .await?;
    let (status, body) = match known {
        None => (
            StatusCode::NOT_FOUND,
            r#"<h1 id="unknown">Sessão não encontrada</h1>"#.to_owned(),
        ),
        Some(exp) if exp <= Utc::now().timestamp() => (
            StatusCode::GONE,
            r#"<h1 id="expired">Sessão expirada</h1><p>Peça ao agente uma nova sessão.</p>"#
                .to_owned(),
        ),
        Some(_) => (StatusCode::OK, CAPTURE_BODY.replace("{code}", &code)),
    };
    let html = format!(
        r#"<!doctype html><html lang="pt-BR"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Dinie — biometria</title><style>body{{font-family:system-ui,sans-serif;max-width:30rem;margin:2rem auto;padding:0 1rem;text-align:center}}
button{{font-size:1.05rem;padding:.6rem 1.2rem;margin:.3rem;border-radius:.5rem;border:0;background:#1d4ed8;color:#fff;cursor:pointer}}
label{{display:block;text-align:left;margin:.4rem 0}}input,select{{width:100%;padding:.4rem;font-size:1rem}}
li{{list-style:none;margin:.5rem 0}}.camera{{font-size:4rem;margin:1rem}}</style></head><body>{body}</body></html>"#
    );
    Ok((status, Html(html)).into_response())
}

const CAPTURE_BODY: &str = r#"<h1>Biometria facial</h1>
<p id="instructions">Posicione o rosto no centro da câmera e siga as instruções.</p>
<div class="camera" aria-hidden="true">📷</div>
<p id="status" role="status">Preparando a sessão…</p>
<ul id="selfies"></ul>
<form id="bank-form" hidden>
  <h2>Conta para receber o crédito (opcional)</h2>
  <label>Banco <select id="bank" required></select></label>
  <label>Agência <input id="branch" inputmode="numeric" maxlength="5" required></label>
  <label>Conta <input id="number" inputmode="numeric" maxlength="20" required></label>
  <label>Dígito <input id="digit" maxlength="1" required></label>
  <label>Tipo <select id="kind"><option value="checking">Corrente</option><option value="saving">Poupança</option><option value="payment">Pagamento</option></select></label>
  <button id="save-bank" type="submit">Salvar conta</button>
</form>
<h2 id="done" hidden>Captura concluída</h2>
<script>
(async () => {
  const api = '/api/v3';
  const status = document.getElementById('status');
  const key = 'dinie-session:{code}';
  let session = JSON.parse(sessionStorage.getItem(key) || 'null');
  if (!session) {
    const r = await fetch(api + '/biometrics/session-exchange', {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({code: '{code}'})});
    if (!r.ok) { status.textContent = 'Esta sessão já foi usada ou expirou. Peça ao agente uma nova.'; status.id = 'failed'; return; }
    session = await r.json();
    sessionStorage.setItem(key, JSON.stringify(session));
  }
  const auth = {authorization: 'Bearer ' + session.access_token};
  const customerUrl = api + '/customers/' + session.customer_id;
  const selfie = () => new Promise(resolve => {
    const c = document.createElement('canvas'); c.width = 240; c.height = 240;
    const g = c.getContext('2d'); g.fillStyle = '#f1c27d'; g.beginPath(); g.arc(120, 120, 90, 0, 7); g.fill();
    c.toBlob(resolve, 'image/jpeg', 0.8);
  });
  async function render() {
    const customer = await (await fetch(customerUrl, {headers: auth})).json();
    const pending = (customer.kyc || []).filter(k => k.requirement_type === 'selfie' && !(k.submitted && k.submitted.attachments.every(a => a.submitted) && k.submitted.review_status !== 'rejected'));
    const list = document.getElementById('selfies'); list.replaceChildren();
    for (const k of pending) {
      const li = document.createElement('li'); const b = document.createElement('button');
      b.className = 'capture'; b.dataset.requirement = k.requirement_id;
      b.textContent = 'Capturar selfie de ' + (k.subject ? k.subject.name : '');
      b.onclick = async () => {
        b.disabled = true;
        const form = new FormData(); form.append('requirement_id', k.requirement_id); form.append('file', await selfie(), 'selfie.jpg');
        const r = await fetch(customerUrl + '/kyc-attachments/selfie', {method: 'POST', headers: auth, body: form});
        status.textContent = r.ok ? 'Selfie enviada.' : 'A selfie não foi aceita; tente de novo.';
        await render();
      };
      li.append(b); list.append(li);
    }
    status.textContent = pending.length ? 'Capture a selfie de cada pessoa.' : 'Todas as selfies foram enviadas.';
    // The first capture button takes the focus: Enter (or a tap) starts it.
    list.querySelector('button.capture')?.focus();
    document.getElementById('done').hidden = pending.length > 0;
  }
  const banks = await (await fetch(api + '/banks', {headers: auth})).json();
  const select = document.getElementById('bank');
  for (const b of banks.data) { const o = document.createElement('option'); o.value = b.id; o.textContent = b.display_name; select.append(o); }
  const bankForm = document.getElementById('bank-form'); bankForm.hidden = false;
  bankForm.onsubmit = async e => {
    e.preventDefault();
    const v = id => document.getElementById(id).value;
    const r = await fetch(customerUrl + '/bank-account', {method: 'POST', headers: {...auth, 'content-type': 'application/json'},
      body: JSON.stringify({bank_account: {bank_id: v('bank'), branch: v('branch'), number: v('number'), digit: v('digit'), kind: v('kind')}})});
    status.textContent = r.ok ? 'Conta salva.' : 'Confira os dados da conta.';
  };
  await render();
})();
</script>"#;
