//! KYC evidence and review: `POST /customers/{id}/kyc-attachments` (a multipart part of one
//! requirement's evidence, read as a stream: the file is counted and sniffed, never held in
//! memory), `…/kyc-attachments/selfie` (the capture session only) and `…/kyc-review`.

use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Path, Request, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::post;
use axum::{Json, Router};
use chrono::Utc;
use dinie::content::{self, SNIFF_LEN};
use rusqlite::params;
use serde_json::json;

use crate::error::{ApiError, ApiResult};
use crate::middleware::{Caller, Partner};
use crate::model::{epoch, CustomerRecord};
use crate::state::AppState;
use crate::{kyc, reviewer, store, validate};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/customers/{id}/kyc-attachments", post(upload))
        .route(
            "/customers/{id}/kyc-attachments/selfie",
            post(upload_selfie),
        )
        // The handler enforces the configured limit itself, with a problem+json 413.
        .layer(DefaultBodyLimit::disable())
        .route("/customers/{id}/kyc-review", post(start_review))
}

#[derive(Default)]
struct Received {
    requirement_id: Option<String>,
    evidence_type: Option<String>,
    attachment_type: Option<String>,
    value: Option<String>,
    file_name: Option<String>,
    head: Vec<u8>,
    size: u64,
    has_file: bool,
    too_large: bool,
}

async fn read_parts(mut multipart: Multipart, limit: u64) -> ApiResult<Received> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        ApiError::bad_request(format!(
            "the body is not valid multipart/form-data: {}",
            e.body_text()
        ))
    };
    // After the limit, keep reading (and discarding) up to this much so the client gets the 413
    // instead of a reset connection.
    let drain_cap = limit.saturating_mul(4).saturating_add(1 << 20);
    let mut got = Received::default();
    let mut total: u64 = 0;
    while let Some(mut field) = multipart.next_field().await.map_err(bad)? {
        let name = field.name().map(str::to_owned);
        match name.as_deref() {
            Some(text @ ("requirement_id" | "evidence_type" | "attachment_type" | "value")) => {
                let value = field.text().await.map_err(bad)?.trim().to_owned();
                let slot = match text {
                    "requirement_id" => &mut got.requirement_id,
                    "evidence_type" => &mut got.evidence_type,
                    "attachment_type" => &mut got.attachment_type,
                    _ => &mut got.value,
                };
                *slot = Some(value).filter(|v| !v.is_empty());
            }
            Some("file") => {
                got.has_file = true;
                got.file_name = field.file_name().map(str::to_owned);
                while let Some(chunk) = field.chunk().await.map_err(bad)? {
                    total += chunk.len() as u64;
                    if got.head.len() < SNIFF_LEN {
                        let take = (SNIFF_LEN - got.head.len()).min(chunk.len());
                        got.head.extend_from_slice(&chunk[..take]);
                    }
                    if total > limit {
                        got.too_large = true;
                        if total > drain_cap {
                            return Ok(got);
                        }
                    }
                }
                got.size = total;
            }
            _ => while field.chunk().await.map_err(bad)?.is_some() {},
        }
    }
    Ok(got)
}

fn unprocessable(code: &'static str, detail: impl Into<String>, param: &str) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, detail).param(param)
}

fn missing(field: &str) -> ApiError {
    unprocessable(
        "missing_required_field",
        format!("the multipart field `{field}` is required"),
        field,
    )
}

/// Why the customer cannot take evidence now, if it cannot.
fn check_accepting(rec: &CustomerRecord) -> ApiResult<()> {
    let why = match rec.status.as_str() {
        "pending_kyc" => return Ok(()),
        "creating" => "Dinie is still looking the company up; its requirements are not known yet",
        "under_review" => "the customer is under review; wait for the decision",
        "active" => "the customer is already active",
        "denied" => "the customer was denied",
        _ => "the customer does not take evidence now",
    };
    Err(ApiError::new(
        StatusCode::CONFLICT,
        "invalid_customer_status",
        why,
    ))
}

/// Applies one received part to the customer's requirement, checking everything first.
fn apply(
    rec: &mut CustomerRecord,
    got: &Received,
    selfie_route: bool,
    limit: u64,
) -> ApiResult<()> {
    check_accepting(rec)?;
    let requirement_id = got
        .requirement_id
        .clone()
        .ok_or_else(|| missing("requirement_id"))?;
    let listed: Vec<String> = rec.kyc.iter().map(|k| k.requirement_id.clone()).collect();
    let Some(req) = rec.requirement_mut(&requirement_id) else {
        return Err(unprocessable(
            "requirement_not_found",
            format!(
                "this customer has no requirement `{requirement_id}` (it has: {})",
                listed.join(", ")
            ),
            "requirement_id",
        ));
    };
    let kind = req.requirement_type.clone();
    if kind == "selfie" && !selfie_route {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "selfie_via_biometrics",
            "the selfie is taken by the biometrics session; open one with POST /customers/{id}/biometrics",
        )
        .param("requirement_id"));
    }
    if selfie_route && kind != "selfie" {
        return Err(unprocessable(
            "requirement_not_selfie",
            format!("`{requirement_id}` is not a selfie requirement"),
            "requirement_id",
        ));
    }
    let (evidence, attachment) = if selfie_route {
        ("selfie".to_owned(), "photo".to_owned())
    } else {
        (
            got.evidence_type
                .clone()
                .ok_or_else(|| missing("evidence_type"))?,
            got.attachment_type
                .clone()
                .ok_or_else(|| missing("attachment_type"))?,
        )
    };
    let Some(set) = kyc::attachment_set(&kind, &evidence, &attachment) else {
        return Err(unprocessable(
            "evidence_not_accepted",
            format!(
                "the `{kind}` requirement does not take `{evidence}`/`{attachment}` (it takes: {})",
                kyc::accepted_pairs(&kind).join(", ")
            ),
            "attachment_type",
        ));
    };
    if req
        .submitted
        .as_ref()
        .is_some_and(|s| s.review_status == "accepted")
    {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "requirement_already_accepted",
            format!("`{requirement_id}` was already accepted"),
        ));
    }
    let reject = if kind == "email" {
        let value = got.value.clone().ok_or_else(|| missing("value"))?;
        let mut errors = Vec::new();
        if validate::email(&value, &mut errors).is_none() {
            return Err(unprocessable(
                "invalid_email",
                format!("`{value}` is not a valid e-mail address"),
                "value",
            ));
        }
        value.to_lowercase().contains("reject")
    } else {
        if !got.has_file {
            return Err(missing("file"));
        }
        if got.too_large {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "file_too_large",
                format!("the file is larger than the {limit}-byte limit"),
            )
            .param("file"));
        }
        if got.size == 0 {
            return Err(unprocessable("invalid_file", "the file is empty", "file"));
        }
        if content::sniff(&got.head).is_none() {
            return Err(unprocessable(
                "invalid_file_type",
                format!(
                    "the file must be a PDF, JPEG or PNG; its content looks like {}",
                    content::describe(&got.head)
                ),
                "file",
            ));
        }
        got.file_name
            .as_deref()
            .is_some_and(|n| n.to_lowercase().contains("reject"))
    };
    kyc::receive(req, &evidence, &set, &attachment, reject);
    Ok(())
}

/// A value upload without a file, as a form (the Python SDK sends one so: httpx encodes fields
/// without files as `application/x-www-form-urlencoded`).
async fn read_form(req: Request) -> ApiResult<Received> {
    let bytes = axum::body::to_bytes(req.into_body(), 64 << 10)
        .await
        .map_err(|_| ApiError::bad_request("the form is larger than 64 kB"))?;
    let mut got = Received::default();
    for (k, v) in url::form_urlencoded::parse(&bytes) {
        let v = Some(v.trim().to_owned()).filter(|v| !v.is_empty());
        match k.as_ref() {
            "requirement_id" => got.requirement_id = v,
            "evidence_type" => got.evidence_type = v,
            "attachment_type" => got.attachment_type = v,
            "value" => got.value = v,
            _ => {}
        }
    }
    Ok(got)
}

async fn receive(
    state: AppState,
    partner: String,
    id: String,
    req: Request,
    selfie_route: bool,
) -> ApiResult<impl IntoResponse> {
    let limit = state.config.max_upload_bytes;
    let form = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    let got = if form {
        read_form(req).await?
    } else {
        let multipart = Multipart::from_request(req, &state).await.map_err(|e| {
            ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "invalid_request",
                format!(
                    "send the attachment as multipart/form-data with requirement_id, evidence_type, attachment_type and file or value ({})",
                    e.body_text()
                ),
            )
        })?;
        read_parts(multipart, limit).await?
    };
    let urls = state.webhook_urls.clone();
    let answer = state
        .db
        .tx(move |tx| {
            let before = store::load(tx, &partner, &id)?;
            let mut after = before.clone();
            apply(&mut after, &got, selfie_route, limit)?;
            let attachment = if selfie_route { "photo".to_owned() } else { got.attachment_type.clone().unwrap_or_default() };
            let format = content::sniff(&got.head).map(|f| f.mime());
            tx.execute(
                "INSERT INTO attachments (customer_id, requirement_id, evidence_type, attachment_type, file_name, content_type, size, value, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    after.id,
                    got.requirement_id,
                    if selfie_route { Some("selfie".to_owned()) } else { got.evidence_type.clone() },
                    attachment,
                    got.file_name,
                    format,
                    got.has_file.then_some(got.size as i64),
                    got.value.is_some().then_some("(value)"),
                    epoch(Utc::now()),
                ],
            )?;
            store::save_change(tx, &before, &mut after, Utc::now(), &urls)?;
            tracing::info!(customer = %after.id, requirement = ?got.requirement_id, %attachment, "attachment received");
            Ok(json!({ "attachment_type": attachment, "submitted": true }))
        })
        .await?;
    state.events_wake.notify_one();
    Ok((StatusCode::CREATED, Json(answer)))
}

async fn upload(
    State(state): State<AppState>,
    Partner(partner): Partner,
    Path(id): Path<String>,
    req: Request,
) -> ApiResult<impl IntoResponse> {
    receive(state, partner, id, req, false).await
}

async fn upload_selfie(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    req: Request,
) -> ApiResult<impl IntoResponse> {
    let partner = match &caller {
        Caller::Partner(_) => {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "only the biometrics session may upload the selfie; a partner token is refused",
            ))
        }
        Caller::Session { .. } => caller.partner_for(&id)?.to_owned(),
    };
    receive(state, partner, id, req, true).await
}

async fn start_review(
    State(state): State<AppState>,
    Partner(partner): Partner,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let urls = state.webhook_urls.clone();
    let delay = state.config.review_delay;
    state
        .db
        .tx(move |tx| {
            let before = store::load(tx, &partner, &id)?;
            check_accepting(&before)?;
            let missing = before.missing();
            if !missing.is_empty() {
                let mut err = ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "kyc_incomplete",
                    format!(
                        "every mandatory requirement must be complete before review; missing: {}",
                        missing
                            .iter()
                            .map(|r| r.requirement_id.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
                err.extensions.insert(
                    "missing".into(),
                    missing
                        .iter()
                        .map(|r| r.requirement_id.clone())
                        .collect::<Vec<_>>()
                        .into(),
                );
                return Err(err);
            }
            let mut after = before.clone();
            after.status = "under_review".into();
            reviewer::schedule(tx, &after.id, reviewer::REVIEW, delay)?;
            store::save_change(tx, &before, &mut after, Utc::now(), &urls)
        })
        .await?;
    state.events_wake.notify_one();
    state.reviews_wake.notify_one();
    Ok(StatusCode::ACCEPTED)
}
