//! `/customers`: register (idempotent on CPF), list, get, correct, credit offers.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::Utc;
use serde_json::{json, Map, Value};

use crate::error::{ApiError, ApiResult, FieldError};
use crate::middleware::{Caller, Partner};
use crate::model::CustomerRecord;
use crate::state::AppState;
use crate::store::{self, ListFilter};
use crate::{ids, reviewer, validate};

/// Statuses a list may be filtered by.
pub const KNOWN_STATUSES: [&str; 5] = [
    "creating",
    "pending_kyc",
    "under_review",
    "active",
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

struct NewCustomer {
    cpf: String,
    cnpj: String,
    name: Option<String>,
    email: String,
    phone: String,
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
    let cnpj = validate::required(
        validate::string_field(body, "cnpj", &mut errors),
        "cnpj",
        &mut errors,
    )
    .and_then(|v| validate::cnpj(&v, &mut errors));
    let name = validate::string_field(body, "name", &mut errors)
        .filter(|v| !v.is_empty())
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
    let external_id = validate::string_field(body, "external_id", &mut errors)
        .filter(|v| !v.is_empty())
        .and_then(|v| validate::text(v, "external_id", 255, &mut errors));
    match (cpf, cnpj, email, phone) {
        (Some(cpf), Some(cnpj), Some(email), Some(phone)) if errors.is_empty() => Ok(NewCustomer {
            cpf,
            cnpj,
            name,
            email,
            phone,
            external_id,
        }),
        _ => Err(ApiError::validation(errors)),
    }
}

async fn create(
    State(state): State<AppState>,
    Partner(partner): Partner,
    body: Result<Json<Value>, JsonRejection>,
) -> ApiResult<Response> {
    let body = object(body)?;
    let urls = state.webhook_urls.clone();
    let lookup = state.config.lookup_delay;
    let (status, customer) = state
        .db
        .tx(move |tx| register(tx, &partner, &body, &urls, lookup))
        .await?;
    if status == StatusCode::CREATED {
        state.events_wake.notify_one();
        state.reviews_wake.notify_one();
    }
    Ok((status, Json(customer)).into_response())
}

/// The create, idempotent on CPF: same CPF + same `external_id` → 200 with the existing
/// customer; another `external_id` → 409; otherwise a new customer (201), `creating` until the
/// lookup (after `lookup`) lists its requirements, or `pending_kyc` at once without a delay.
fn register(
    tx: &rusqlite::Transaction<'_>,
    partner: &str,
    body: &Map<String, Value>,
    urls: &[String],
    lookup: std::time::Duration,
) -> ApiResult<(StatusCode, Value)> {
    let new = validate_new(body)?;
    if let Some(existing) = store::find_by_cpf(tx, partner, &new.cpf)? {
        if existing.external_id == new.external_id {
            return Ok((StatusCode::OK, existing.to_api()));
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
    let mut rec = CustomerRecord {
        id: ids::new("cust"),
        partner: partner.to_owned(),
        status: "creating".into(),
        kyc: Vec::new(),
        cpf: new.cpf,
        cnpj: new.cnpj,
        name: new.name,
        email: new.email,
        phone: new.phone,
        trading_name: None,
        external_id: new.external_id,
        denial_reason: None,
        created_at: now,
        updated_at: now,
    };
    if lookup.is_zero() {
        reviewer::look_up(&mut rec);
    } else {
        reviewer::schedule(tx, &rec.id, reviewer::LOOKUP, lookup)?;
    }
    store::insert(tx, &rec, urls)?;
    tracing::info!(customer = %rec.id, "customer registered");
    Ok((StatusCode::CREATED, rec.to_api()))
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
            "limit" => filter.limit = parse_limit(&value)?,
            "starting_after" => filter.starting_after = Some(value).filter(|v| !v.is_empty()),
            "sort" => {
                filter.by_update = match value.as_str() {
                    "created_at" => false,
                    "updated_at" => true,
                    _ => {
                        return Err(ApiError::bad_request(format!(
                            "unknown sort {value:?}; use created_at or updated_at"
                        ))
                        .param("sort"))
                    }
                }
            }
            "order" => {
                filter.ascending = match value.as_str() {
                    "desc" => false,
                    "asc" => true,
                    _ => {
                        return Err(ApiError::bad_request(format!(
                            "unknown order {value:?}; use asc or desc"
                        ))
                        .param("order"))
                    }
                }
            }
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
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let partner = caller.partner_for(&id)?.to_owned();
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
    let mut changes: Vec<(&str, String)> = Vec::new();
    for field in validate::MUTABLE_FIELDS {
        if !body.contains_key(field) {
            continue;
        }
        let raw = validate::required(
            validate::string_field(&body, field, &mut errors),
            field,
            &mut errors,
        );
        let value = match field {
            "email" => raw.and_then(|v| validate::email(&v, &mut errors)),
            _ => raw.and_then(|v| validate::phone(&v, &mut errors)),
        };
        if let Some(v) = value {
            changes.push((field, v));
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let urls = state.webhook_urls.clone();
    let rec = state
        .db
        .tx(move |tx| {
            let before = store::load(tx, &partner, &id)?;
            let mut after = before.clone();
            for (field, value) in changes {
                match field {
                    "email" => after.email = value,
                    _ => after.phone = value,
                }
            }
            store::save_change(tx, &before, &mut after, Utc::now(), &urls)?;
            Ok(after)
        })
        .await?;
    // Its event (if the change made one) goes out now, not at the next idle check.
    state.events_wake.notify_one();
    Ok(Json(rec.to_api()))
}

async fn credit_offers(
    State(state): State<AppState>,
    Partner(partner): Partner,
    Path(id): Path<String>,
    Query(query): Query<Vec<(String, String)>>,
) -> ApiResult<Json<Value>> {
    let mut status = None;
    let mut limit = 25;
    let mut starting_after = None;
    for (name, value) in query {
        match name.as_str() {
            "status" => {
                if !["available", "accepted", "expired"].contains(&value.as_str()) {
                    return Err(ApiError::bad_request(format!(
                        "unknown status {value:?}; use available, accepted or expired"
                    ))
                    .param("status"));
                }
                status = Some(value);
            }
            "limit" => limit = parse_limit(&value)?,
            "starting_after" => starting_after = Some(value).filter(|v| !v.is_empty()),
            _ => {}
        }
    }
    let (data, has_more) = state
        .db
        .tx(move |tx| {
            let rec = store::load(tx, &partner, &id)?;
            store::offers(
                tx,
                &rec.id,
                status.as_deref(),
                limit,
                starting_after.as_deref(),
            )
        })
        .await?;
    Ok(Json(json!({ "data": data, "has_more": has_more })))
}

/// `limit`: an integer from 1 to 100.
fn parse_limit(value: &str) -> ApiResult<u32> {
    value
        .parse::<u32>()
        .ok()
        .filter(|l| (1..=100).contains(l))
        .ok_or_else(|| {
            ApiError::bad_request("limit must be an integer from 1 to 100").param("limit")
        })
}
