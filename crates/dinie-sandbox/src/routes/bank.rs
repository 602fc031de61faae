//! The bank account a customer's credit is paid into (`GET`/`POST /customers/{id}/bank-account`,
//! open to the partner and to the customer's biometrics session), and `GET /banks`.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use chrono::Utc;
use rusqlite::{params, OptionalExtension};
use serde_json::{json, Value};

use crate::error::{ApiError, ApiResult, FieldError};
use crate::middleware::Caller;
use crate::model::epoch;
use crate::state::AppState;
use crate::{ids, store};

/// The banks the sandbox knows: code and name.
pub const BANKS: [(&str, &str); 10] = [
    ("001", "Banco do Brasil"),
    ("033", "Banco Santander"),
    ("077", "Banco Inter"),
    ("104", "Caixa Econômica Federal"),
    ("237", "Banco Bradesco"),
    ("260", "Nu Pagamentos"),
    ("336", "Banco C6"),
    ("341", "Itaú Unibanco"),
    ("748", "Sicredi"),
    ("756", "Sicoob"),
];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/banks", get(banks))
        .route("/customers/{id}/bank-account", get(show).post(upsert))
}

async fn banks(_caller: Caller) -> Json<Value> {
    let data: Vec<Value> = BANKS
        .iter()
        .map(|(id, name)| json!({ "id": id, "name": name, "display_name": format!("{id} - {name}") }))
        .collect();
    Json(json!({ "data": data }))
}

async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let partner = caller.partner_for(&id)?.to_owned();
    let body = state
        .db
        .tx(move |tx| {
            store::load(tx, &partner, &id)?;
            Ok(tx
                .query_row(
                    "SELECT body FROM bank_accounts WHERE customer_id = ?1",
                    params![id],
                    |r| r.get::<_, String>(0),
                )
                .optional()?)
        })
        .await?
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "bank_account_not_found",
                "this customer has no bank account yet",
            )
        })?;
    Ok(Json(
        serde_json::from_str(&body).map_err(ApiError::internal)?,
    ))
}

fn digits(field: &str, value: Option<&Value>, max: usize, errors: &mut Vec<FieldError>) -> String {
    match value.and_then(Value::as_str).map(str::trim) {
        Some(v) if !v.is_empty() && v.len() <= max && v.chars().all(|c| c.is_ascii_digit()) => {
            v.to_owned()
        }
        Some(_) => {
            errors.push(FieldError::new(
                field,
                "invalid_format",
                format!("{field} must be 1 to {max} digits"),
            ));
            String::new()
        }
        None => {
            errors.push(FieldError::new(
                field,
                "missing_required_field",
                format!("{field} is required"),
            ));
            String::new()
        }
    }
}

async fn upsert(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<Value>, JsonRejection>,
) -> ApiResult<Json<Value>> {
    let partner = caller.partner_for(&id)?.to_owned();
    let body = body?.0;
    let Some(account) = body.get("bank_account").and_then(Value::as_object) else {
        return Err(ApiError::bad_request(
            "send the account as {\"bank_account\": {bank_id, branch, number, digit, kind}}",
        )
        .param("bank_account"));
    };
    let mut errors = Vec::new();
    let bank_id = account
        .get("bank_id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let bank_name = BANKS
        .iter()
        .find(|(code, _)| *code == bank_id)
        .map(|(_, n)| *n);
    if bank_name.is_none() {
        errors.push(FieldError::new(
            "bank_account.bank_id",
            "unknown_bank",
            format!("unknown bank {bank_id:?}; see GET /banks"),
        ));
    }
    let branch = digits("bank_account.branch", account.get("branch"), 5, &mut errors);
    let number = digits(
        "bank_account.number",
        account.get("number"),
        20,
        &mut errors,
    );
    let digit = match account.get("digit").and_then(Value::as_str).map(str::trim) {
        Some(d)
            if d.len() == 1
                && d.chars()
                    .all(|c| c.is_ascii_digit() || c == 'X' || c == 'x') =>
        {
            d.to_uppercase()
        }
        _ => {
            errors.push(FieldError::new(
                "bank_account.digit",
                "invalid_format",
                "digit must be one digit or X",
            ));
            String::new()
        }
    };
    let kind = account
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if !["checking", "saving", "payment"].contains(&kind.as_str()) {
        errors.push(FieldError::new(
            "bank_account.kind",
            "invalid_format",
            "kind must be checking, saving or payment",
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let saved = state
        .db
        .tx(move |tx| {
            store::load(tx, &partner, &id)?;
            let existing: Option<String> = tx
                .query_row(
                    "SELECT body FROM bank_accounts WHERE customer_id = ?1",
                    params![id],
                    |r| r.get(0),
                )
                .optional()?;
            let account_id = existing
                .and_then(|b| serde_json::from_str::<Value>(&b).ok())
                .and_then(|v| v["id"].as_str().map(str::to_owned))
                .unwrap_or_else(|| ids::new("ba"));
            let saved = json!({
                "id": account_id,
                "bank_id": bank_id,
                "bank_name": bank_name.unwrap_or_default(),
                "branch": branch,
                "number": number,
                "digit": digit,
                "kind": kind,
                "updated_at": epoch(Utc::now()),
            });
            tx.execute(
                "INSERT OR REPLACE INTO bank_accounts (customer_id, body) VALUES (?1, ?2)",
                params![id, saved.to_string()],
            )?;
            Ok(saved)
        })
        .await?;
    Ok(Json(saved))
}
