//! Cross-cutting layers: an `x-request-id` on every response, bearer-token resolution, and
//! per-partner rate limiting with `X-RateLimit-*` headers.

use std::sync::atomic::Ordering;

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use chrono::Utc;
use rusqlite::{params, OptionalExtension};

use crate::error::ApiError;
use crate::ids;
use crate::state::{AppState, RateWindow};

/// Adds an `x-request-id` to every response, and logs it with the request.
pub async fn request_id(req: Request, next: Next) -> Response {
    let id = ids::new("req");
    let span = tracing::debug_span!("request", request_id = %id, method = %req.method(), path = %req.uri().path());
    let mut resp = tracing::Instrument::instrument(next.run(req), span).await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        resp.headers_mut().insert("x-request-id", v);
    }
    resp
}

/// With [`SandboxConfig::check_host`](crate::SandboxConfig::check_host), refuses a request
/// whose `Host` is not the address the sandbox listens on: a web page that rebinds its own
/// domain name to 127.0.0.1 (DNS rebinding) cannot reach it.
pub async fn host_check(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if state.config.check_host {
        let host = req
            .headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or_default();
        if !state
            .allowed_hosts
            .iter()
            .any(|a| a.eq_ignore_ascii_case(host))
        {
            return ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "this sandbox answers only requests addressed to its own loopback address",
            )
            .into_response();
        }
    }
    next.run(req).await
}

/// What the `Authorization` header proved.
#[derive(Debug, Clone)]
pub enum Auth {
    /// A valid token of this partner.
    Partner(String),
    /// A biometrics session token: bound to one customer of this partner, good only for the
    /// capture app's calls.
    Session {
        /// The partner whose customer it is.
        partner: String,
        /// The customer.
        customer_id: String,
    },
    /// A token that was valid but has expired.
    Expired,
    /// No bearer token.
    Missing,
    /// A token the sandbox never issued, or a malformed header.
    Invalid,
}

/// The authenticated partner of a request: the handler's proof of authentication.
#[derive(Debug, Clone)]
pub struct Partner(pub String);

/// The caller of a route the capture app may also call: a partner, or a session of one
/// customer.
#[derive(Debug, Clone)]
pub enum Caller {
    /// A partner's token.
    Partner(String),
    /// A biometrics session token.
    Session {
        /// The customer's partner.
        partner: String,
        /// The only customer it may touch.
        customer_id: String,
    },
}

impl Caller {
    /// The partner whose data this is, when the caller may touch `customer_id`.
    pub fn partner_for(&self, customer_id: &str) -> Result<&str, ApiError> {
        match self {
            Caller::Partner(p) => Ok(p),
            Caller::Session {
                partner,
                customer_id: own,
            } if own == customer_id => Ok(partner),
            Caller::Session { .. } => Err(ApiError::not_found("customer")),
        }
    }
}

fn unauthenticated(auth: Option<&Auth>) -> ApiError {
    match auth {
        Some(Auth::Expired) => ApiError::new(
            StatusCode::UNAUTHORIZED,
            "token_expired",
            "the access token has expired; request a new one at /auth/token",
        ),
        Some(Auth::Invalid) => ApiError::unauthorized("the access token is malformed or unknown"),
        _ => ApiError::unauthorized(
            "send an access token: Authorization: Bearer <token> (get one at /auth/token)",
        ),
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<Auth>() {
            Some(Auth::Partner(p)) => Ok(Caller::Partner(p.clone())),
            Some(Auth::Session {
                partner,
                customer_id,
            }) => Ok(Caller::Session {
                partner: partner.clone(),
                customer_id: customer_id.clone(),
            }),
            other => Err(unauthenticated(other)),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Partner {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<Auth>() {
            Some(Auth::Partner(p)) => Ok(Partner(p.clone())),
            Some(Auth::Session { .. }) => Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "a biometrics session token may only upload the selfie and the bank account",
            )),
            other => Err(unauthenticated(other)),
        }
    }
}

/// Client id of a Basic `Authorization` header (the token endpoint's caller).
pub fn basic_client_id(req_headers: &axum::http::HeaderMap) -> Option<(String, String)> {
    let raw = req_headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = raw
        .strip_prefix("Basic ")
        .or_else(|| raw.strip_prefix("basic "))?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

/// Resolves the bearer token, then counts the request against its partner's window.
pub async fn auth_and_rate_limit(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    state.stats.requests.fetch_add(1, Ordering::Relaxed);
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(|t| t.trim().to_owned());
    let auth = match bearer {
        None if req.headers().contains_key(header::AUTHORIZATION) => Auth::Invalid,
        None => Auth::Missing,
        Some(token) => resolve(&state, token).await,
    };
    let bucket = match &auth {
        Auth::Partner(p) | Auth::Session { partner: p, .. } => Some(p.clone()),
        _ => basic_client_id(req.headers()).map(|(id, _)| id),
    };
    req.extensions_mut().insert(auth);

    let Some(bucket) = bucket else {
        return next.run(req).await;
    };
    let limit = state.config.rate_limit;
    let window_secs = state.config.rate_limit_window.as_secs().max(1) as i64;
    let now = Utc::now().timestamp();
    let window = {
        let Ok(mut windows) = state.rate_windows.lock() else {
            return ApiError::internal("rate-limit lock poisoned").into_response();
        };
        let w = windows.entry(bucket).or_insert(RateWindow {
            reset_at: now + window_secs,
            used: 0,
        });
        if now >= w.reset_at {
            *w = RateWindow {
                reset_at: now + window_secs,
                used: 0,
            };
        }
        w.used += 1;
        state
            .stats
            .peak_window_requests
            .fetch_max(w.used, Ordering::Relaxed);
        *w
    };
    let mut resp = if window.used > limit {
        state.stats.rate_limited.fetch_add(1, Ordering::Relaxed);
        let mut err = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limit_exceeded",
            format!("more than {limit} requests in {window_secs} s; slow down"),
        );
        err.retry_after = Some((window.reset_at - now).max(1) as u64);
        err.into_response()
    } else {
        next.run(req).await
    };
    let headers = resp.headers_mut();
    let remaining = limit.saturating_sub(window.used);
    for (name, value) in [
        ("x-ratelimit-limit", limit.to_string()),
        ("x-ratelimit-remaining", remaining.to_string()),
        ("x-ratelimit-reset", window.reset_at.to_string()),
    ] {
        if let Ok(v) = HeaderValue::from_str(&value) {
            headers.insert(name, v);
        }
    }
    resp
}

async fn resolve(state: &AppState, token: String) -> Auth {
    let found = state
        .db
        .tx(move |tx| {
            Ok(tx
                .query_row(
                    "SELECT partner, expires_at, customer_id FROM tokens WHERE token = ?1",
                    params![token],
                    |r| {
                        Ok((
                            r.get::<_, String>(0)?,
                            r.get::<_, i64>(1)?,
                            r.get::<_, Option<String>>(2)?,
                        ))
                    },
                )
                .optional()?)
        })
        .await;
    match found {
        Ok(Some((partner, expires_at, customer))) if expires_at > Utc::now().timestamp() => {
            match customer {
                Some(customer_id) => Auth::Session {
                    partner,
                    customer_id,
                },
                None => Auth::Partner(partner),
            }
        }
        Ok(Some(_)) => Auth::Expired,
        _ => Auth::Invalid,
    }
}
