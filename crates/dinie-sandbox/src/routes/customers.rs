//! `/customers`: register (idempotent), list, get, correct, credit offers.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::Utc;
use rusqlite::{params, OptionalExtension};
use serde_json::{json, Map, Value};

use crate::error::{ApiError, ApiResult, FieldError};
use crate::middleware::Partner;
use crate::model::{needs_email_correction, requirements, CustomerRecord};
use crate::state::AppState;
use crate::store::{self, ListFilter};
use crate::{ids, reviewer, validate};

/// How long an idempotency key is remembered.
const IDEMPOTENCY_TTL_MS: i64 = 24 * 3600 * 1000;
/// Statuses a list may be filtered by.
pub const KNOWN_STATUSES: [&str; 5] = [
    "pending_kyc",
    "under_review",
    "active",
    "creating",
    "denied",
];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/customers", get(list).post(create))
        .route("/customers/{id}", get(show).patch(update))
        .route("/customers/{id}/credit-offers", get(credit_offers))
}

fn object(body: Result<Json<Value>, JsonRejection>) -> ApiResult<Map<String, Value>> {
    match body?.0 {
        Value::Object(map) => Ok(map),
        _ => Err(ApiError::bad_request("the body must be a JSON object")),
    }
}

fn idempotency_key(headers: &HeaderMap) -> ApiResult<Option<String>> {
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

struct NewCustomer {
    cpf: String,
    cnpj: Option<String>,
    name: String,
    email: String,
    phone: String,
    trading_name: Option<String>,
    external_id: Option<String>,
}

fn validate_new(body: &Map<String, Value>) -> ApiResult<NewCustomer> {
    let mut errors = Vec::new();
    let cpf = validate::required(
        validate::string_field(body, "cpf", &mut errors),
        "cpf",
        &mut errors,
    )
    .and_then(|v| validate::cpf(&v, &mut errors));
    let cnpj = validate::string_field(body, "cnpj", &mut errors)
        .filter(|v| !v.is_empty())
        .and_then(|v| validate::cnpj(&v, &mut errors));
    let name = validate::required(
        validate::string_field(body, "name", &mut errors),
        "name",
        &mut errors,
    )
    .and_then(|v| validate::text(v, "name", 200, &mut errors));
    let email = validate::required(
        validate::string_field(body, "email", &mut errors),
        "email",
        &mut errors,
    )
    .and_then(|v| validate::email(&v, &mut errors));
    let phone = validate::required(
        validate::string_field(body, "phone", &mut errors),
        "phone",
        &mut errors,
    )
    .and_then(|v| validate::phone(&v, &mut errors));
    let trading_name = validate::string_field(body, "trading_name", &mut errors)
        .filter(|v| !v.is_empty())
        .and_then(|v| validate::text(v, "trading_name", 200, &mut errors));
    let external_id = validate::string_field(body, "external_id", &mut errors)
        .filter(|v| !v.is_empty())
        .and_then(|v| validate::text(v, "external_id", 255, &mut errors));
    match (cpf, name, email, phone) {
        (Some(cpf), Some(name), Some(email), Some(phone)) if errors.is_empty() => Ok(NewCustomer {
            cpf,
            cnpj,
            name,
            email,
            phone,
            trading_name,
            external_id,
        }),
        _ => Err(ApiError::validation(errors)),
    }
}

/// The stored answer of an idempotent request.
struct Stored {
    status: u16,
    body: String,
    replayed: bool,
}

impl IntoResponse for Stored {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::OK);
        let content_type = if status.is_success() {
            "application/json"
        } else {
            "application/problem+json"
        };
        let mut resp = (status, [(header::CONTENT_TYPE, content_type)], self.body).into_response();
        if self.replayed {
            resp.headers_mut()
                .insert("idempotent-replayed", HeaderValue::from_static("true"));
        }
        resp
    }
}

async fn create(
    State(state): State<AppState>,
    Partner(partner): Partner,
    headers: HeaderMap,
    body: Result<Json<Value>, JsonRejection>,
) -> ApiResult<Response> {
    let body = object(body)?;
    let key = idempotency_key(&headers)?;
    let urls = state.webhook_urls.clone();
    let fingerprint = Value::Object(body.clone()).to_string();
    let stored = state
        .db
        .tx(move |tx| {
            let now_ms = Utc::now().timestamp_millis();
            if let Some(key) = &key {
                tx.execute(
                    "DELETE FROM idempotency WHERE created_at < ?1",
                    params![now_ms - IDEMPOTENCY_TTL_MS],
                )?;
                let previous: Option<(String, u16, String)> = tx
                    .query_row(
                        "SELECT request, status, body FROM idempotency WHERE partner = ?1 AND key = ?2",
                        params![partner, key],
                        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                    )
                    .optional()?;
                if let Some((request, status, body)) = previous {
                    if request != fingerprint {
                        return Err(ApiError::new(
                            StatusCode::UNPROCESSABLE_ENTITY,
                            "idempotency_key_reused",
                            "this Idempotency-Key was used with a different request body",
                        )
                        .param("Idempotency-Key"));
                    }
                    return Ok(Stored { status, body, replayed: true });
                }
            }
            let outcome = register(tx, &partner, &body, &urls);
            let stored = match outcome {
                Ok((status, customer)) => Stored { status, body: customer.to_string(), replayed: false },
                Err(e) if e.status == StatusCode::CONFLICT => {
                    Stored { status: 409, body: e.body().to_string(), replayed: false }
                }
                Err(e) => return Err(e),
            };
            if let Some(key) = &key {
                tx.execute(
                    "INSERT INTO idempotency (partner, key, request, status, body, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![partner, key, fingerprint, stored.status, stored.body, now_ms],
                )?;
            }
            Ok(stored)
        })
        .await?;
    if stored.status == 201 && !stored.replayed {
        state.events_wake.notify_one();
    }
    Ok(stored.into_response())
}

/// The idempotent create of the seed: same CPF + same `external_id` → 200 with the existing
/// customer; another `external_id` → 409; otherwise a new customer (201).
fn register(
    tx: &rusqlite::Transaction<'_>,
    partner: &str,
    body: &Map<String, Value>,
    urls: &[String],
) -> ApiResult<(u16, Value)> {
    let new = validate_new(body)?;
    if let Some(existing) = store::find_by_cpf(tx, partner, &new.cpf)? {
        if existing.external_id == new.external_id {
            return Ok((200, existing.to_api()));
        }
        let mut err = ApiError::new(
            StatusCode::CONFLICT,
            "customer_already_exists",
            format!(
                "a customer with this CPF is already registered under another external_id ({})",
                existing.external_id.as_deref().unwrap_or("none")
            ),
        )
        .param("external_id");
        err.extensions
            .insert("customer_id".into(), existing.id.clone().into());
        return Err(err);
    }
    let now = Utc::now();
    let rec = CustomerRecord {
        id: ids::new("cust"),
        partner: partner.to_owned(),
        status: "pending_kyc".into(),
        kyc: requirements(new.cnpj.is_some(), &new.email),
        cpf: new.cpf,
        cnpj: new.cnpj,
        name: new.name,
        email: new.email,
        phone: new.phone,
        trading_name: new.trading_name,
        external_id: new.external_id,
        created_at: now,
        updated_at: now,
    };
    store::insert(tx, &rec, urls)?;
    tracing::info!(customer = %rec.id, "customer registered");
    Ok((201, rec.to_api()))
}

async fn list(
    State(state): State<AppState>,
    Partner(partner): Partner,
    Query(query): Query<Vec<(String, String)>>,
) -> ApiResult<Json<Value>> {
    let mut filter = ListFilter {
        limit: 25,
        ..ListFilter::default()
    };
    for (name, value) in query {
        match name.as_str() {
            "cpf" => filter.cpf = Some(value.chars().filter(char::is_ascii_digit).collect()),
            "external_id" => filter.external_id = Some(value),
            "status" => {
                if !KNOWN_STATUSES.contains(&value.as_str()) {
                    return Err(ApiError::bad_request(format!(
                        "unknown status {value:?}; use one of {}",
                        KNOWN_STATUSES.join(", ")
                    ))
                    .param("status"));
                }
                filter.status = Some(value);
            }
            "limit" => {
                filter.limit = value
                    .parse::<u32>()
                    .ok()
                    .filter(|l| (1..=100).contains(l))
                    .ok_or_else(|| {
                        ApiError::bad_request("limit must be an integer from 1 to 100")
                            .param("limit")
                    })?;
            }
            "starting_after" => filter.starting_after = Some(value),
            _ => {}
        }
    }
    let (data, has_more) = state
        .db
        .tx(move |tx| store::list(tx, &partner, &filter))
        .await?;
    Ok(Json(json!({ "data": data, "has_more": has_more })))
}

async fn show(
    State(state): State<AppState>,
    Partner(partner): Partner,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let rec = state
        .db
        .tx(move |tx| store::load(tx, &partner, &id))
        .await?;
    Ok(Json(rec.to_api()))
}

async fn update(
    State(state): State<AppState>,
    Partner(partner): Partner,
    Path(id): Path<String>,
    body: Result<Json<Value>, JsonRejection>,
) -> ApiResult<Json<Value>> {
    let body = object(body)?;
    let mut errors: Vec<FieldError> = validate::IMMUTABLE_FIELDS
        .iter()
        .filter(|f| body.contains_key(**f))
        .map(|f| {
            FieldError::new(
                f,
                "immutable_field",
                format!("{f} cannot be changed after registration"),
            )
        })
        .collect();
    let mut changes: Vec<(&str, Option<String>)> = Vec::new();
    for field in validate::MUTABLE_FIELDS {
        if !body.contains_key(field) {
            continue;
        }
        let raw = validate::string_field(&body, field, &mut errors);
        let value = match field {
            "name" => validate::required(raw, field, &mut errors)
                .and_then(|v| validate::text(v, field, 200, &mut errors))
                .map(Some),
            "email" => validate::required(raw, field, &mut errors)
                .and_then(|v| validate::email(&v, &mut errors))
                .map(Some),
            "phone" => validate::required(raw, field, &mut errors)
                .and_then(|v| validate::phone(&v, &mut errors))
                .map(Some),
            "cnpj" => match raw.filter(|v| !v.is_empty()) {
                Some(v) => validate::cnpj(&v, &mut errors).map(Some),
                None => Some(None),
            },
            _ => Some(raw.filter(|v| !v.is_empty())),
        };
        if let Some(v) = value {
            changes.push((field, v));
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let urls = state.webhook_urls.clone();
    let delay = state.config.review_delay;
    let rec = state
        .db
        .tx(move |tx| {
            let before = store::load(tx, &partner, &id)?;
            let mut after = before.clone();
            for (field, value) in &changes {
                match *field {
                    "name" => after.name = value.clone().unwrap_or_default(),
                    "email" => after.email = value.clone().unwrap_or_default(),
                    "phone" => after.phone = value.clone().unwrap_or_default(),
                    "cnpj" => after.cnpj = value.clone(),
                    _ => after.trading_name = value.clone(),
                }
                // A corrected field goes back to review; a still-wrong e-mail stays in correction.
                let still_wrong = *field == "email" && needs_email_correction(&after.email);
                if let Some(item) = after.item_mut(field) {
                    if item.status == "pending_correction" && !still_wrong {
                        item.status = "submitted".into();
                        item.message = None;
                        reviewer::schedule(tx, &after.id, field, delay, true, None, None)?;
                    }
                }
            }
            if after.cnpj.is_some() && after.item_mut("ccmei").is_none() {
                let ccmei = requirements(true, "")
                    .into_iter()
                    .find(|k| k.item_type == "ccmei");
                if let Some(ccmei) = ccmei {
                    let at = after
                        .kyc
                        .iter()
                        .position(|k| k.kind == "biometrics")
                        .unwrap_or(after.kyc.len());
                    after.kyc.insert(at, ccmei);
                }
            }
            store::save_change(tx, &before, &mut after, Utc::now(), &urls)?;
            Ok(after)
        })
        .await?;
    state.events_wake.notify_one();
    state.reviews_wake.notify_one();
    Ok(Json(rec.to_api()))
}

async fn credit_offers(
    State(state): State<AppState>,
    Partner(partner): Partner,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let offers = state
        .db
        .tx(move |tx| {
            let rec = store::load(tx, &partner, &id)?;
            store::offers(tx, &rec.id)
        })
        .await?;
    Ok(Json(json!({ "data": offers, "has_more": false })))
}
