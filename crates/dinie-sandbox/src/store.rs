//! Customer persistence and the side effects of every change: the events it emits and the
//! credit offers of a newly active customer.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Transaction};
use serde_json::{json, Value};

use crate::error::{ApiError, ApiResult};
use crate::events;
use crate::ids;
use crate::model::{epoch, CustomerRecord};

fn decode(body: String) -> ApiResult<CustomerRecord> {
    serde_json::from_str(&body).map_err(ApiError::internal)
}

fn encode(rec: &CustomerRecord) -> ApiResult<String> {
    serde_json::to_string(rec).map_err(ApiError::internal)
}

/// Inserts a new customer; `customer.created` is emitted when its requirements are known.
pub fn insert(tx: &Transaction<'_>, rec: &CustomerRecord, urls: &[String]) -> ApiResult<()> {
    tx.execute(
        "INSERT INTO customers (id, partner, cpf, external_id, status, body, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![rec.id, rec.partner, rec.cpf, rec.external_id, rec.status, encode(rec)?, rec.updated_at.timestamp_millis()],
    )?;
    if rec.status != "creating" {
        events::emit(
            tx,
            &rec.partner,
            "customer.created",
            created_data(rec),
            urls,
        )?;
    }
    Ok(())
}

/// Data of `customer.created`: the registration with its requirements, no timestamps.
fn created_data(rec: &CustomerRecord) -> Value {
    json!({
        "id": rec.id, "external_id": rec.external_id, "name": rec.name, "email": rec.email,
        "phone": rec.phone, "cpf": rec.cpf, "cnpj": rec.cnpj, "trading_name": rec.trading_name,
        "status": rec.status, "kyc": rec.kyc_api(),
    })
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

/// Saves `after` and emits what changed since `before`: `customer.created` (the lookup
/// finished), `customer.kyc_updated`, `customer.under_review`, `customer.active` (with its
/// credit offers and `credit_offer.available`), `customer.denied`.
pub fn save_change(
    tx: &Transaction<'_>,
    before: &CustomerRecord,
    after: &mut CustomerRecord,
    now: DateTime<Utc>,
    urls: &[String],
) -> ApiResult<()> {
    after.updated_at = now;
    tx.execute(
        "UPDATE customers SET status = ?1, body = ?2, updated_at = ?4 WHERE id = ?3",
        params![
            after.status,
            encode(after)?,
            after.id,
            after.updated_at.timestamp_millis()
        ],
    )?;
    let partner = &after.partner;
    if before.status == "creating" && after.status != "creating" {
        return events::emit(tx, partner, "customer.created", created_data(after), urls);
    }
    if before.kyc != after.kyc {
        let data = json!({
            "id": after.id,
            "external_id": after.external_id,
            "status": after.status,
            "kyc": after.kyc_api(),
        });
        events::emit(tx, partner, "customer.kyc_updated", data, urls)?;
    }
    if before.status != after.status {
        let data =
            json!({ "id": after.id, "external_id": after.external_id, "status": after.status });
        match after.status.as_str() {
            "under_review" => events::emit(tx, partner, "customer.under_review", data, urls)?,
            "active" => {
                events::emit(tx, partner, "customer.active", data, urls)?;
                for offer in create_offers(tx, after, now)? {
                    events::emit(
                        tx,
                        partner,
                        "credit_offer.available",
                        offer_event(offer),
                        urls,
                    )?;
                }
            }
            "denied" => {
                let data = json!({
                    "id": after.id, "external_id": after.external_id, "name": after.name,
                    "email": after.email, "phone": after.phone, "cpf": after.cpf,
                    "cnpj": after.cnpj, "status": after.status,
                });
                events::emit(tx, partner, "customer.denied", data, urls)?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// An offer as a `credit_offer.*` event carries it. Both SDKs' event payload requires
/// `installments` (a fixed count) and knows no range, so a range offer also carries its largest
/// count there, beside `min_installments` and `max_installments`.
fn offer_event(mut offer: Value) -> Value {
    if offer.get("installments").is_none() {
        offer["installments"] = offer["max_installments"].clone();
    }
    offer
}

/// Two deterministic pre-approved offers, one of each shape: a fixed 12 installments and a
/// range of 6 to 24. The amount depends on the CPF, so tests can rely on it.
fn create_offers(
    tx: &Transaction<'_>,
    rec: &CustomerRecord,
    now: DateTime<Utc>,
) -> ApiResult<Vec<Value>> {
    let seed: u64 = rec.cpf.bytes().map(u64::from).sum();
    let approved = 5_000 + (seed % 16) * 1_000;
    let base = |amount: u64, rate: f64| {
        json!({
            "id": ids::new("co"),
            "customer_id": rec.id,
            "external_id": rec.external_id,
            "status": "available",
            "approved_amount": amount as f64,
            "min_amount": 500.0,
            "monthly_interest_rate": rate,
            "due_date_rule": null,
            "valid_until": epoch(now + chrono::Duration::days(30)),
            "created_at": epoch(now),
            "updated_at": epoch(now),
        })
    };
    let mut fixed = base(approved, 3.49);
    fixed["installments"] = 12.into();
    let mut range = base(approved * 2, 2.99);
    range["min_installments"] = 6.into();
    range["max_installments"] = 24.into();
    let offers = vec![fixed, range];
    for offer in &offers {
        tx.execute(
            "INSERT INTO credit_offers (id, customer_id, body) VALUES (?1, ?2, ?3)",
            params![offer["id"].as_str(), rec.id, offer.to_string()],
        )?;
    }
    Ok(offers)
}

/// One page of the customer's credit offers, oldest first, and whether more follow.
pub fn offers(
    tx: &Transaction<'_>,
    customer_id: &str,
    status: Option<&str>,
    limit: u32,
    starting_after: Option<&str>,
) -> ApiResult<(Vec<Value>, bool)> {
    let after_row: Option<i64> = match starting_after {
        Some(id) => Some(
            tx.query_row(
                "SELECT rowid FROM credit_offers WHERE id = ?1 AND customer_id = ?2",
                params![id, customer_id],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| {
                ApiError::new(
                    axum::http::StatusCode::NOT_FOUND,
                    "not_found",
                    format!("starting_after: no credit offer {id}"),
                )
                .param("starting_after")
            })?,
        ),
        None => None,
    };
    let mut stmt = tx.prepare(
        "SELECT body FROM credit_offers WHERE customer_id = ?1 AND (?2 IS NULL OR rowid > ?2)
         ORDER BY rowid",
    )?;
    let rows = stmt.query_map(params![customer_id, after_row], |r| r.get::<_, String>(0))?;
    let mut data = Vec::new();
    for row in rows {
        let offer: Value = serde_json::from_str(&row?).map_err(ApiError::internal)?;
        if status.is_none_or(|s| offer["status"] == s) {
            data.push(offer);
        }
        if data.len() > limit as usize {
            break;
        }
    }
    let has_more = data.len() > limit as usize;
    data.truncate(limit as usize);
    Ok((data, has_more))
}

/// Filters of `GET /customers`.
#[derive(Debug, Default)]
pub struct ListFilter {
    pub cpf: Option<String>,
    pub external_id: Option<String>,
    pub status: Option<String>,
    pub limit: u32,
    pub starting_after: Option<String>,
    /// `sort`: by creation (the default) or by last change.
    pub by_update: bool,
    /// `order=asc` (the default is newest first).
    pub ascending: bool,
}

/// A page of a partner's customers in one of the four orders, optionally filtered; each is read
/// in order from an index. `?5`/`?6` are the cursor's `seq` and `updated_at`. In the order of
/// [`list_query`]: created newest first, created oldest first, changed newest first, changed
/// oldest first.
const LISTS: [&str; 4] = [
    "SELECT body FROM customers WHERE partner = ?1
       AND (?2 IS NULL OR cpf = ?2) AND (?3 IS NULL OR external_id = ?3) AND (?4 IS NULL OR status = ?4)
       AND (?5 IS NULL OR seq < ?5)
     ORDER BY seq DESC LIMIT ?7",
    "SELECT body FROM customers WHERE partner = ?1
       AND (?2 IS NULL OR cpf = ?2) AND (?3 IS NULL OR external_id = ?3) AND (?4 IS NULL OR status = ?4)
       AND (?5 IS NULL OR seq > ?5)
     ORDER BY seq ASC LIMIT ?7",
    "SELECT body FROM customers WHERE partner = ?1
       AND (?2 IS NULL OR cpf = ?2) AND (?3 IS NULL OR external_id = ?3) AND (?4 IS NULL OR status = ?4)
       AND (?5 IS NULL OR updated_at < ?6 OR (updated_at = ?6 AND seq < ?5))
     ORDER BY updated_at DESC, seq DESC LIMIT ?7",
    "SELECT body FROM customers WHERE partner = ?1
       AND (?2 IS NULL OR cpf = ?2) AND (?3 IS NULL OR external_id = ?3) AND (?4 IS NULL OR status = ?4)
       AND (?5 IS NULL OR updated_at > ?6 OR (updated_at = ?6 AND seq > ?5))
     ORDER BY updated_at ASC, seq ASC LIMIT ?7",
];

/// The query of `sort` (by last change or by creation) and `order`.
fn list_query(by_update: bool, ascending: bool) -> &'static str {
    match (by_update, ascending) {
        (false, false) => LISTS[0],
        (false, true) => LISTS[1],
        (true, false) => LISTS[2],
        (true, true) => LISTS[3],
    }
}

/// One page in the asked order, and whether more follow.
pub fn list(tx: &Transaction<'_>, partner: &str, f: &ListFilter) -> ApiResult<(Vec<Value>, bool)> {
    let after: Option<(i64, i64)> = match &f.starting_after {
        Some(id) => Some(
            tx.query_row(
                "SELECT seq, updated_at FROM customers WHERE id = ?1 AND partner = ?2",
                params![id, partner],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .ok_or_else(|| {
                ApiError::new(
                    axum::http::StatusCode::NOT_FOUND,
                    "not_found",
                    format!("starting_after: no customer {id}"),
                )
                .param("starting_after")
            })?,
        ),
        None => None,
    };
    let query = list_query(f.by_update, f.ascending);
    let mut stmt = tx.prepare(query)?;
    let rows = stmt.query_map(
        params![
            partner,
            f.cpf,
            f.external_id,
            f.status,
            after.map(|a| a.0),
            after.map(|a| a.1),
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

#[cfg(test)]
mod list_tests {
    use super::LISTS;

    #[test]
    fn a_page_is_read_from_the_index_in_order_not_sorted_from_every_row() {
        let db = crate::db::Db::open(None).unwrap();
        for (query, index) in LISTS.iter().zip([
            "customers_partner_seq",
            "customers_partner_seq",
            "customers_partner_updated",
            "customers_partner_updated",
        ]) {
            let plan = db.plan(&format!("EXPLAIN QUERY PLAN {query}"));
            assert!(plan.contains(index), "{plan}");
            assert!(!plan.contains("TEMP B-TREE"), "{plan}");
        }
    }
}
