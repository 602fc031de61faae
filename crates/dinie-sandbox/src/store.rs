//! Customer persistence and the side effects of every change: the derived status, the
//! events it emits, the credit offer of a newly active customer, and pending reviews.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Transaction};
use serde_json::{json, Value};

use crate::error::{ApiError, ApiResult};
use crate::events;
use crate::ids;
use crate::model::{derived_status, iso, CustomerRecord};

fn decode(body: String) -> ApiResult<CustomerRecord> {
    serde_json::from_str(&body).map_err(ApiError::internal)
}

fn encode(rec: &CustomerRecord) -> ApiResult<String> {
    serde_json::to_string(rec).map_err(ApiError::internal)
}

/// Inserts a new customer and emits `customer.created`.
pub fn insert(tx: &Transaction<'_>, rec: &CustomerRecord, urls: &[String]) -> ApiResult<()> {
    tx.execute(
        "INSERT INTO customers (id, partner, cpf, external_id, status, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![rec.id, rec.partner, rec.cpf, rec.external_id, rec.status, encode(rec)?],
    )?;
    events::emit(tx, &rec.partner, "customer.created", rec.to_api(), urls)
}

/// The partner's customer with this id.
pub fn load(tx: &Transaction<'_>, partner: &str, id: &str) -> ApiResult<CustomerRecord> {
    let body: Option<String> = tx
        .query_row(
            "SELECT body FROM customers WHERE id = ?1 AND partner = ?2",
            params![id, partner],
            |r| r.get(0),
        )
        .optional()?;
    decode(body.ok_or_else(|| ApiError::not_found("customer"))?)
}

/// A customer whatever its partner (for the reviewer and the biometrics page).
pub fn load_any(tx: &Transaction<'_>, id: &str) -> ApiResult<Option<CustomerRecord>> {
    let body: Option<String> = tx
        .query_row(
            "SELECT body FROM customers WHERE id = ?1",
            params![id],
            |r| r.get(0),
        )
        .optional()?;
    body.map(decode).transpose()
}

/// The partner's customer with this CPF.
pub fn find_by_cpf(
    tx: &Transaction<'_>,
    partner: &str,
    cpf: &str,
) -> ApiResult<Option<CustomerRecord>> {
    let body: Option<String> = tx
        .query_row(
            "SELECT body FROM customers WHERE partner = ?1 AND cpf = ?2",
            params![partner, cpf],
            |r| r.get(0),
        )
        .optional()?;
    body.map(decode).transpose()
}

/// Saves `after`, deriving its status from its KYC items and emitting what changed since
/// `before`: `customer.kyc_updated`, `customer.under_review`, `customer.active` (with a credit
/// offer and `credit_offer.available`).
pub fn save_change(
    tx: &Transaction<'_>,
    before: &CustomerRecord,
    after: &mut CustomerRecord,
    now: DateTime<Utc>,
    urls: &[String],
) -> ApiResult<()> {
    after.status = derived_status(&after.kyc).to_owned();
    after.updated_at = now;
    tx.execute(
        "UPDATE customers SET status = ?1, body = ?2 WHERE id = ?3",
        params![after.status, encode(after)?, after.id],
    )?;
    let partner = &after.partner;
    if before.kyc != after.kyc {
        let data = json!({
            "id": after.id,
            "status": after.status,
            "kyc": after.to_api()["kyc"].clone(),
        });
        events::emit(tx, partner, "customer.kyc_updated", data, urls)?;
    }
    if before.status != after.status {
        let data = json!({ "id": after.id, "status": after.status });
        match after.status.as_str() {
            "under_review" => events::emit(tx, partner, "customer.under_review", data, urls)?,
            "active" => {
                events::emit(tx, partner, "customer.active", data, urls)?;
                let offer = create_offer(tx, after, now)?;
                let data = json!({ "customer_id": after.id, "credit_offer": offer });
                events::emit(tx, partner, "credit_offer.available", data, urls)?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// A deterministic pre-approved offer: the amount depends on the CPF, so tests can rely on it.
fn create_offer(
    tx: &Transaction<'_>,
    rec: &CustomerRecord,
    now: DateTime<Utc>,
) -> ApiResult<Value> {
    let seed: u64 = rec.cpf.bytes().map(u64::from).sum();
    let approved = 5_000 + (seed % 16) * 1_000;
    let offer = json!({
        "id": ids::new("co"),
        "approved_amount": approved as f64,
        "min_amount": 500.0,
        "interest_rate": 3.49,
        "valid_until": iso(now + chrono::Duration::days(30)),
        "status": "available",
    });
    tx.execute(
        "INSERT INTO credit_offers (id, customer_id, body) VALUES (?1, ?2, ?3)",
        params![offer["id"].as_str(), rec.id, offer.to_string()],
    )?;
    Ok(offer)
}

/// The customer's credit offers, oldest first.
pub fn offers(tx: &Transaction<'_>, customer_id: &str) -> ApiResult<Vec<Value>> {
    let mut stmt =
        tx.prepare("SELECT body FROM credit_offers WHERE customer_id = ?1 ORDER BY rowid")?;
    let rows = stmt.query_map(params![customer_id], |r| r.get::<_, String>(0))?;
    rows.map(|r| serde_json::from_str(&r?).map_err(ApiError::internal))
        .collect()
}

/// Filters of `GET /customers`.
#[derive(Debug, Default)]
pub struct ListFilter {
    pub cpf: Option<String>,
    pub external_id: Option<String>,
    pub status: Option<String>,
    pub limit: u32,
    pub starting_after: Option<String>,
}

/// One page, newest first, and whether more follow.
pub fn list(tx: &Transaction<'_>, partner: &str, f: &ListFilter) -> ApiResult<(Vec<Value>, bool)> {
    let after_seq: Option<i64> = match &f.starting_after {
        Some(id) => Some(
            tx.query_row(
                "SELECT seq FROM customers WHERE id = ?1 AND partner = ?2",
                params![id, partner],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| {
                ApiError::bad_request(format!("starting_after: no customer {id}"))
                    .param("starting_after")
            })?,
        ),
        None => None,
    };
    let mut stmt = tx.prepare(
        "SELECT body FROM customers
         WHERE partner = ?1
           AND (?2 IS NULL OR cpf = ?2)
           AND (?3 IS NULL OR external_id = ?3)
           AND (?4 IS NULL OR status = ?4)
           AND (?5 IS NULL OR seq < ?5)
         ORDER BY seq DESC
         LIMIT ?6",
    )?;
    let rows = stmt.query_map(
        params![
            partner,
            f.cpf,
            f.external_id,
            f.status,
            after_seq,
            i64::from(f.limit) + 1
        ],
        |r| r.get::<_, String>(0),
    )?;
    let mut data = Vec::new();
    for row in rows {
        data.push(decode(row?)?.to_api());
    }
    let has_more = data.len() > f.limit as usize;
    data.truncate(f.limit as usize);
    Ok((data, has_more))
}
