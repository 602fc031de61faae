//! `POST /auth/token`: OAuth2 client credentials.

use std::sync::atomic::Ordering;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use chrono::Utc;
use rusqlite::params;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::{ApiError, ApiResult};
use crate::middleware::basic_client_id;
use crate::state::AppState;
use crate::{ids, partners};

pub fn router() -> Router<AppState> {
    Router::new().route("/auth/token", post(token))
}

#[derive(Deserialize)]
struct TokenForm {
    grant_type: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

/// The token request as RFC 6749 sends it (form, the JS SDK) or as JSON (the Python SDK).
fn token_request(headers: &HeaderMap, body: &[u8]) -> ApiResult<TokenForm> {
    let json = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json"));
    let parsed = if json {
        serde_json::from_slice(body).map_err(|e| e.to_string())
    } else {
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(body).into_owned().collect();
        let field = |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        Ok(TokenForm {
            grant_type: field("grant_type"),
            client_id: field("client_id"),
            client_secret: field("client_secret"),
        })
    };
    parsed.map_err(|e| {
        ApiError::bad_request(format!(
            "send grant_type=client_credentials as application/x-www-form-urlencoded or JSON ({e})"
        ))
    })
}

async fn token(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> ApiResult<Json<Value>> {
    let form = token_request(&headers, &body)?;
    if form.grant_type.as_deref() != Some("client_credentials") {
        return Err(
            ApiError::bad_request("grant_type must be client_credentials").param("grant_type"),
        );
    }
    let (id, secret) = basic_client_id(&headers)
        .or_else(|| Some((form.client_id?, form.client_secret?)))
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "send the client id and secret with HTTP Basic authentication",
            )
        })?;
    let revoked = state.revoked_partners();
    let partner =
        partners::authenticate(&state.config, &revoked, &id, &secret).ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "unknown client id or wrong secret",
            )
        })?;
    let token = ids::token("dinie_at");
    let ttl = state.config.token_ttl.as_secs();
    let expires_at = Utc::now().timestamp() + ttl as i64;
    let stored = token.clone();
    state
        .db
        .tx(move |tx| {
            tx.execute(
                "DELETE FROM tokens WHERE expires_at < ?1",
                params![Utc::now().timestamp() - 86_400],
            )?;
            tx.execute(
                "INSERT INTO tokens (token, partner, expires_at) VALUES (?1, ?2, ?3)",
                params![stored, partner, expires_at],
            )?;
            Ok(())
        })
        .await?;
    state.stats.tokens_issued.fetch_add(1, Ordering::Relaxed);
    Ok(Json(
        json!({ "access_token": token, "token_type": "bearer", "expires_in": ttl }),
    ))
}
