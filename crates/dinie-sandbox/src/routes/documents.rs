//! `POST /customers/{id}/documents`: a multipart upload, read as a stream (the file is
//! counted and sniffed, never held in memory), then checked and queued for review.

use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::post;
use axum::{Json, Router};
use chrono::Utc;
use dinie::content::{self, SNIFF_LEN};
use rusqlite::params;
use serde_json::json;

use crate::error::{ApiError, ApiResult};
use crate::middleware::Partner;
use crate::model::{iso, REJECTION_MESSAGE};
use crate::state::AppState;
use crate::{ids, reviewer, store};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/customers/{id}/documents", post(upload))
        // The handler enforces the configured limit itself, with a problem+json 413.
        .layer(DefaultBodyLimit::disable())
}

#[derive(Default)]
struct Received {
    doc_type: Option<String>,
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
        match field.name() {
            Some("type") => {
                let text = field.text().await.map_err(bad)?;
                got.doc_type = Some(text.trim().to_owned());
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

async fn upload(
    State(state): State<AppState>,
    Partner(partner): Partner,
    Path(id): Path<String>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<impl IntoResponse> {
    let multipart = multipart.map_err(|e| {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "invalid_request",
            format!(
                "send the document as multipart/form-data with fields `type` and `file` ({})",
                e.body_text()
            ),
        )
    })?;
    let limit = state.config.max_upload_bytes;
    let got = read_parts(multipart, limit).await?;

    let doc_type = got
        .doc_type
        .filter(|t| !t.is_empty())
        .ok_or_else(|| missing("type"))?;
    if !got.has_file {
        return Err(missing("file"));
    }
    let file_name = got.file_name.unwrap_or_else(|| "document".into());
    let urls = state.webhook_urls.clone();
    let delay = state.config.review_delay;
    let doc = state
        .db
        .tx(move |tx| {
            let before = store::load(tx, &partner, &id)?;
            let needed: Vec<&str> = before
                .kyc
                .iter()
                .filter(|k| k.kind == "document")
                .map(|k| k.item_type.as_str())
                .collect();
            if !needed.contains(&doc_type.as_str()) {
                return Err(ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "document_type_not_required",
                    format!("this customer's kyc does not ask for a `{doc_type}` document (it asks for: {})", needed.join(", ")),
                )
                .param("type"));
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
                return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_file", "the file is empty").param("file"));
            }
            let Some(format) = content::sniff(&got.head) else {
                return Err(ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_file_type",
                    format!("the file must be a PDF, JPEG or PNG; its content looks like {}", content::describe(&got.head)),
                )
                .param("file"));
            };
            let mut after = before.clone();
            let now = Utc::now();
            let Some(item) = after.item_mut(&doc_type) else {
                return Err(ApiError::internal("kyc item vanished"));
            };
            if item.status == "approved" {
                return Err(ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "already_approved",
                    format!("the `{doc_type}` document is already approved"),
                )
                .param("type"));
            }
            item.status = "submitted".into();
            item.message = None;
            item.uploaded_at = Some(now);
            let doc_id = ids::new("doc");
            tx.execute(
                "INSERT INTO documents (id, customer_id, type, status, file_name, content_type, size, uploaded_at, created_at, updated_at)
                 VALUES (?1, ?2, ?3, 'submitted', ?4, ?5, ?6, ?7, ?7, ?7)",
                params![doc_id, after.id, doc_type, file_name, format.mime(), got.size as i64, iso(now)],
            )?;
            let reject = file_name.to_lowercase().contains("reject");
            let message = reject.then_some(REJECTION_MESSAGE);
            reviewer::schedule(tx, &after.id, &doc_type, delay, !reject, message, Some(&doc_id))?;
            store::save_change(tx, &before, &mut after, now, &urls)?;
            tracing::info!(customer = %after.id, document = %doc_id, %doc_type, size = got.size, "document received");
            Ok(json!({
                "id": doc_id,
                "type": doc_type,
                "status": "submitted",
                "uploaded_at": iso(now),
                "created_at": iso(now),
                "updated_at": iso(now),
            }))
        })
        .await?;
    state.events_wake.notify_one();
    state.reviews_wake.notify_one();
    Ok((StatusCode::CREATED, Json(doc)))
}

fn missing(field: &str) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "missing_required_field",
        format!("the multipart field `{field}` is required"),
    )
    .param(field)
}
