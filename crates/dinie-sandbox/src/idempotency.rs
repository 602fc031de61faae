//! Idempotency keys on every write, as Dinie's SDKs send them (`Idempotency-Key` from the Python
//! SDK, `X-Idempotency-Key` from the JS SDK): the first answer to a key is stored for 24 hours
//! and replayed to any repeat of the same request. A key belongs to one operation (method and
//! route) of one partner; on that operation with a different body it is a 409, as is a repeat
//! while the first is still running.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use rusqlite::{params, OptionalExtension};

use crate::error::ApiError;
use crate::middleware::Auth;
use crate::state::AppState;

/// How long a key is remembered.
const TTL_MS: i64 = 24 * 3600 * 1000;
/// The largest JSON body fingerprinted (writes other than uploads are a few hundred bytes).
const MAX_JSON_BODY: usize = 1 << 20;
/// The largest answer stored.
const MAX_ANSWER: usize = 1 << 20;

/// Keys whose first request is still being answered.
#[derive(Default)]
pub struct InFlight(Mutex<HashSet<(String, String)>>);

/// Removes a key from [`InFlight`] when the request ends, however it ends.
struct Claim {
    set: Arc<InFlight>,
    entry: (String, String),
}

impl Drop for Claim {
    fn drop(&mut self) {
        if let Ok(mut set) = self.set.0.lock() {
            set.remove(&self.entry);
        }
    }
}

/// The key of a request, if it has one; a 400 when it is not 1 to 255 visible characters.
pub fn key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let raw = headers
        .get("idempotency-key")
        .or_else(|| headers.get("x-idempotency-key"));
    match raw {
        None => Ok(None),
        Some(v) => match v.to_str() {
            Ok(k) if !k.trim().is_empty() && k.len() <= 255 => Ok(Some(k.trim().to_owned())),
            _ => Err(
                ApiError::bad_request("Idempotency-Key must be 1 to 255 visible characters")
                    .param("Idempotency-Key"),
            ),
        },
    }
}

fn replay(status: u16, body: String) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let mut resp = if body.is_empty() {
        status.into_response()
    } else {
        let ct = if status.is_success() {
            "application/json"
        } else {
            "application/problem+json"
        };
        (status, [(header::CONTENT_TYPE, ct)], body).into_response()
    };
    resp.headers_mut()
        .insert("idempotent-replayed", HeaderValue::from_static("true"));
    resp
}

/// The layer: see the module documentation.
pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let write = matches!(*req.method(), Method::POST | Method::PATCH);
    let path = req.uri().path().to_owned();
    if !write || path.ends_with("/auth/token") {
        return next.run(req).await;
    }
    let key = match key(req.headers()) {
        Ok(Some(k)) => k,
        Ok(None) => return next.run(req).await,
        Err(e) => return e.into_response(),
    };
    let owner = match req.extensions().get::<Auth>() {
        Some(Auth::Partner(p)) | Some(Auth::Session { partner: p, .. }) => p.clone(),
        _ => return next.run(req).await,
    };
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("multipart/"));
    // An upload's multipart boundary changes on every retry: it is fingerprinted by route.
    let (req, fingerprint) = if multipart {
        let fingerprint = format!("{} {path}", req.method());
        (req, fingerprint)
    } else {
        let (parts, body) = req.into_parts();
        let Ok(bytes) = axum::body::to_bytes(body, MAX_JSON_BODY).await else {
            return ApiError::bad_request("the body is too large").into_response();
        };
        // JSON is compared as data: the same object with its keys in another order is the same
        // request (the SDKs serialise in different orders).
        let canonical = serde_json::from_slice::<serde_json::Value>(&bytes)
            .map(|v| v.to_string())
            .unwrap_or_else(|_| String::from_utf8_lossy(&bytes).into_owned());
        let fingerprint = format!("{} {path} {canonical}", parts.method);
        (Request::from_parts(parts, Body::from(bytes)), fingerprint)
    };

    // A key is scoped to its operation: the same key on another route is another request.
    let key = format!("{} {path} {key}", req.method());
    let entry = (owner.clone(), key.clone());
    let _claim = {
        let Ok(mut set) = state.idempotency.0.lock() else {
            return ApiError::internal("idempotency lock poisoned").into_response();
        };
        if !set.insert(entry.clone()) {
            return ApiError::new(
                StatusCode::CONFLICT,
                "idempotency_key_in_use",
                "a request with this Idempotency-Key is still being processed; retry in a moment",
            )
            .into_response();
        }
        Claim {
            set: state.idempotency.clone(),
            entry,
        }
    };

    let (o, k) = (owner.clone(), key.clone());
    let previous =
        state
            .db
            .tx(move |tx| {
                tx.execute(
                    "DELETE FROM idempotency WHERE created_at < ?1",
                    params![Utc::now().timestamp_millis() - TTL_MS],
                )?;
                Ok(tx
                .query_row(
                    "SELECT request, status, body FROM idempotency WHERE partner = ?1 AND key = ?2",
                    params![o, k],
                    |r| Ok((r.get::<_, String>(0)?, r.get::<_, u16>(1)?, r.get::<_, String>(2)?)),
                )
                .optional()?)
            })
            .await;
    match previous {
        Err(e) => return e.into_response(),
        Ok(Some((request, status, body))) => {
            if request != fingerprint {
                return ApiError::new(
                    StatusCode::CONFLICT,
                    "idempotency_key_reused",
                    "this Idempotency-Key was used with a different request",
                )
                .param("Idempotency-Key")
                .into_response();
            }
            return replay(status, body);
        }
        Ok(None) => {}
    }

    let resp = next.run(req).await;
    let status = resp.status();
    // Failures that a retry may cure are not remembered.
    if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_ANSWER).await else {
        return ApiError::internal("answer too large to remember").into_response();
    };
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let stored = state
        .db
        .tx(move |tx| {
            tx.execute(
                "INSERT OR REPLACE INTO idempotency (partner, key, request, status, body, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![owner, key, fingerprint, status.as_u16(), text, Utc::now().timestamp_millis()],
            )?;
            Ok(())
        })
        .await;
    if let Err(e) = stored {
        return e.into_response();
    }
    Response::from_parts(parts, Body::from(bytes))
}
