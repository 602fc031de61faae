//! Biometric capture: `POST /customers/{id}/biometrics` opens a session whose `session_url` is
//! a page of the sandbox itself, with buttons to complete or fail the capture.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use rusqlite::{params, OptionalExtension};
use serde_json::{json, Value};

use crate::error::{ApiError, ApiResult};
use crate::middleware::Partner;
use crate::model::{iso, BIOMETRICS_FAILED_MESSAGE};
use crate::state::AppState;
use crate::{ids, reviewer, store};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/customers/{id}/biometrics", post(create_session))
        .route("/biometrics/{token}", get(page))
        .route("/biometrics/{token}/complete", post(complete))
        .route("/biometrics/{token}/fail", post(fail))
}

async fn create_session(
    State(state): State<AppState>,
    Partner(partner): Partner,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Json<Value>> {
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
            let item = rec
                .kyc
                .iter()
                .find(|k| k.kind == "biometrics")
                .ok_or_else(|| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "biometrics_not_required", "this customer's kyc does not ask for biometrics"))?;
            if item.status == "approved" || item.status == "submitted" {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    "already_exists",
                    format!("the biometric capture is already {}", item.status),
                ));
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
                if let Some(at) = chrono::DateTime::from_timestamp(expires_at, 0) {
                    err.extensions.insert("expires_at".into(), iso(at).into());
                }
                return Err(err);
            }
            let token = ids::token("bio");
            let expires_at = now + chrono::Duration::from_std(ttl).unwrap_or_else(|_| chrono::Duration::minutes(15));
            tx.execute(
                "INSERT INTO biometrics_sessions (token, customer_id, expires_at, state) VALUES (?1, ?2, ?3, 'open')",
                params![token, rec.id, expires_at.timestamp()],
            )?;
            Ok(json!({
                "session_url": format!("http://{host}/api/v3/biometrics/{token}"),
                "expires_at": iso(expires_at),
            }))
        })
        .await?;
    Ok(Json(session))
}

/// The session of this token, with its customer id, if it is open and not expired.
fn open_session(
    tx: &rusqlite::Transaction<'_>,
    token: &str,
) -> ApiResult<Result<String, &'static str>> {
    let row: Option<(String, i64, String)> = tx
        .query_row(
            "SELECT customer_id, expires_at, state FROM biometrics_sessions WHERE token = ?1",
            params![token],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    Ok(match row {
        None => Err("unknown"),
        Some((_, _, state)) if state == "completed" => Err("completed"),
        Some((_, _, state)) if state == "failed" => Err("failed"),
        Some((_, exp, _)) if exp <= Utc::now().timestamp() => Err("expired"),
        Some((customer, _, _)) => Ok(customer),
    })
}

async fn page(State(state): State<AppState>, Path(token): Path<String>) -> ApiResult<Response> {
    let t = token.clone();
    let session = state.db.tx(move |tx| open_session(tx, &t)).await?;
    let (status, body) = match session {
        Ok(_) => (
            StatusCode::OK,
            format!(
                r#"<h1>Biometria facial</h1>
<p id="instructions">Posicione o rosto no centro da câmera e siga as instruções.</p>
<div class="camera" aria-hidden="true">📷</div>
<form method="post" action="/api/v3/biometrics/{token}/complete"><button id="complete" type="submit">Concluir captura</button></form>
<form method="post" action="/api/v3/biometrics/{token}/fail"><button id="fail" type="submit" class="secondary">Simular falha</button></form>"#
            ),
        ),
        Err("completed") => (
            StatusCode::OK,
            r#"<h1 id="done">Captura concluída</h1><p>Você já pode fechar esta janela.</p>"#
                .to_owned(),
        ),
        Err("failed") => (
            StatusCode::OK,
            r#"<h1 id="failed">Captura não concluída</h1><p>Peça ao agente uma nova sessão.</p>"#
                .to_owned(),
        ),
        Err("expired") => (
            StatusCode::GONE,
            r#"<h1 id="expired">Sessão expirada</h1><p>Peça ao agente uma nova sessão.</p>"#
                .to_owned(),
        ),
        Err(_) => (
            StatusCode::NOT_FOUND,
            r#"<h1 id="unknown">Sessão não encontrada</h1>"#.to_owned(),
        ),
    };
    let html = format!(
        r#"<!doctype html><html lang="pt-BR"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Dinie — biometria</title><style>body{{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;text-align:center}}
button{{font-size:1.1rem;padding:.7rem 1.4rem;margin:.4rem;border-radius:.5rem;border:0;background:#1d4ed8;color:#fff;cursor:pointer}}
button.secondary{{background:#e5e7eb;color:#111}}.camera{{font-size:5rem;margin:1.5rem}}</style></head><body>{body}</body></html>"#
    );
    Ok((status, Html(html)).into_response())
}

async fn finish(state: AppState, token: String, success: bool) -> ApiResult<Response> {
    let urls = state.webhook_urls.clone();
    let delay = state.config.review_delay;
    let t = token.clone();
    state
        .db
        .tx(move |tx| {
            let customer_id = match open_session(tx, &t)? {
                Ok(c) => c,
                Err(why) => {
                    return Err(ApiError::new(
                        StatusCode::CONFLICT,
                        "session_not_open",
                        format!("the session is {why}"),
                    ))
                }
            };
            let new_state = if success { "completed" } else { "failed" };
            tx.execute(
                "UPDATE biometrics_sessions SET state = ?1 WHERE token = ?2",
                params![new_state, t],
            )?;
            let Some(before) = store::load_any(tx, &customer_id)? else {
                return Err(ApiError::not_found("customer"));
            };
            let mut after = before.clone();
            let now = Utc::now();
            if let Some(item) = after.kyc.iter_mut().find(|k| k.kind == "biometrics") {
                if success {
                    item.status = "submitted".into();
                    item.message = None;
                    item.uploaded_at = Some(now);
                    let item_type = item.item_type.clone();
                    reviewer::schedule(tx, &customer_id, &item_type, delay, true, None, None)?;
                } else {
                    item.status = "rejected".into();
                    item.message = Some(BIOMETRICS_FAILED_MESSAGE.into());
                }
            }
            store::save_change(tx, &before, &mut after, now, &urls)
        })
        .await?;
    state.events_wake.notify_one();
    state.reviews_wake.notify_one();
    Ok(Redirect::to(&format!("/api/v3/biometrics/{token}")).into_response())
}

async fn complete(State(state): State<AppState>, Path(token): Path<String>) -> ApiResult<Response> {
    finish(state, token, true).await
}

async fn fail(State(state): State<AppState>, Path(token): Path<String>) -> ApiResult<Response> {
    finish(state, token, false).await
}
