//! The event outbox and its delivery: every transition is written, in the same transaction, as
//! an event plus one pending delivery per webhook URL; a worker POSTs them signed (Standard
//! Webhooks v1), retrying with backoff, and records every attempt. The envelope is Dinie's:
//! `{id, type, api_version, created_at, delivery_id, timestamp, data}`, the last two set per
//! delivery attempt.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use rusqlite::{params, Transaction};
use serde_json::{json, Value};
use tokio::sync::Notify;

use crate::db::Db;
use crate::error::ApiResult;
use crate::ids;
use crate::model::epoch;

/// The contract version the payloads follow.
pub const API_VERSION: &str = "2026-03-01";

/// Attempts before a delivery is given up.
pub const MAX_ATTEMPTS: i64 = 8;

/// Records an event and its pending deliveries.
pub fn emit(
    tx: &Transaction<'_>,
    partner: &str,
    event_type: &str,
    data: Value,
    urls: &[String],
) -> ApiResult<()> {
    let id = ids::new("evt");
    let body = json!({
        "id": id,
        "type": event_type,
        "api_version": API_VERSION,
        "created_at": epoch(Utc::now()),
        "data": data,
    });
    tx.execute(
        "INSERT INTO events (id, partner, type, body) VALUES (?1, ?2, ?3, ?4)",
        params![id, partner, event_type, body.to_string()],
    )?;
    let now = Utc::now().timestamp_millis();
    for url in urls {
        tx.execute(
            "INSERT INTO deliveries (event_id, delivery_id, url, next_at, state) VALUES (?1, ?2, ?3, ?4, 'pending')",
            params![id, ids::new("dlv"), url, now],
        )?;
    }
    tracing::debug!(event = %id, %event_type, "event recorded");
    Ok(())
}

/// Delay before attempt `n + 1`: 1 s, 2 s, 4 s … capped at 5 minutes.
pub fn retry_delay(attempts: i64) -> Duration {
    Duration::from_secs(1u64 << attempts.clamp(0, 8) as u32).min(Duration::from_secs(300))
}

struct Due {
    event_id: String,
    delivery_id: String,
    url: String,
    attempts: i64,
    body: String,
}

/// The longest the delivery loop sleeps without being woken (a safety net: recording an
/// event wakes it).
const IDLE_CHECK: Duration = Duration::from_secs(60);

/// Delivers pending webhooks until the process ends.
pub async fn deliver_forever(
    db: Db,
    secret: String,
    wake: Arc<Notify>,
    passes: Arc<crate::state::Stats>,
) {
    let http = match reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .user_agent("dinie-sandbox-webhooks")
        .build()
    {
        Ok(http) => http,
        Err(e) => {
            tracing::error!(error = %e, "webhook delivery disabled: no HTTP client");
            return;
        }
    };
    loop {
        passes
            .delivery_passes
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let due = db
            .tx(|tx| {
                let now = Utc::now().timestamp_millis();
                let mut stmt = tx.prepare(
                    "SELECT d.event_id, d.delivery_id, d.url, d.attempts, e.body FROM deliveries d
                     JOIN events e ON e.id = d.event_id
                     WHERE d.state = 'pending' AND d.next_at <= ?1
                     ORDER BY e.seq LIMIT 50",
                )?;
                let rows = stmt.query_map(params![now], |r| {
                    Ok(Due {
                        event_id: r.get(0)?,
                        delivery_id: r.get(1)?,
                        url: r.get(2)?,
                        attempts: r.get(3)?,
                        body: r.get(4)?,
                    })
                })?;
                Ok(rows.collect::<Result<Vec<_>, _>>()?)
            })
            .await
            .unwrap_or_default();
        if due.is_empty() {
            // Asleep until the next retry falls due or a new event is recorded (`wake`).
            let next_at: Option<i64> = db
                .tx(|tx| {
                    Ok(tx.query_row(
                        "SELECT MIN(next_at) FROM deliveries WHERE state = 'pending'",
                        [],
                        |r| r.get(0),
                    )?)
                })
                .await
                .unwrap_or(Some(0));
            let sleep = next_at.map_or(IDLE_CHECK, |at| {
                let wait = at - Utc::now().timestamp_millis();
                Duration::from_millis(wait.clamp(10, IDLE_CHECK.as_millis() as i64) as u64)
            });
            tokio::select! {
                _ = wake.notified() => {}
                _ = tokio::time::sleep(sleep) => {}
            }
            continue;
        }
        for d in due {
            let outcome = send_one(&http, &secret, &d).await;
            let attempts = d.attempts + 1;
            let (state, status, error) = match &outcome {
                Ok(status) if (200..300).contains(status) => ("delivered", Some(*status), None),
                Ok(status) => ("pending", Some(*status), Some(format!("HTTP {status}"))),
                Err(e) => ("pending", None, Some(e.clone())),
            };
            let state = if state == "pending" && attempts >= MAX_ATTEMPTS {
                "failed"
            } else {
                state
            };
            tracing::info!(event = %d.event_id, url = %d.url, attempt = attempts, ?status, ?error, state, "webhook delivery");
            let next_at =
                Utc::now().timestamp_millis() + retry_delay(attempts - 1).as_millis() as i64;
            let _ = db
                .tx(move |tx| {
                    tx.execute(
                        "UPDATE deliveries SET attempts = ?1, state = ?2, last_status = ?3, last_error = ?4, next_at = ?5
                         WHERE event_id = ?6 AND url = ?7",
                        params![attempts, state, status, error, next_at, d.event_id, d.url],
                    )?;
                    Ok(())
                })
                .await;
        }
    }
}

/// The body of one delivery attempt: the stored event with its delivery id and send time.
fn delivery_body(stored: &str, delivery_id: &str, ts: i64) -> Result<String, String> {
    let mut body: Value = serde_json::from_str(stored).map_err(|e| e.to_string())?;
    body["delivery_id"] = delivery_id.into();
    body["timestamp"] = ts.into();
    Ok(body.to_string())
}

async fn send_one(http: &reqwest::Client, secret: &str, d: &Due) -> Result<u16, String> {
    let ts = Utc::now().timestamp();
    let body = delivery_body(&d.body, &d.delivery_id, ts)?;
    let signature = dinie::webhooks::sign(secret, &d.event_id, ts, body.as_bytes())
        .map_err(|e| e.to_string())?;
    let resp = http
        .post(&d.url)
        .header("content-type", "application/json")
        .header("webhook-id", &d.event_id)
        .header("webhook-timestamp", ts.to_string())
        .header("webhook-signature", signature)
        .body(body)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    Ok(resp.status().as_u16())
}
