//! Dinie's reviewers, simulated: a submitted item is decided once its review delay has passed.
//! Pending reviews are rows in the database, so a restart picks them up where they were.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use rusqlite::{params, Transaction};
use tokio::sync::Notify;

use crate::db::Db;
use crate::error::ApiResult;
use crate::store;

/// Schedules the review of one item (replacing any earlier one).
pub fn schedule(
    tx: &Transaction<'_>,
    customer_id: &str,
    item_type: &str,
    delay: Duration,
    approve: bool,
    message: Option<&str>,
    document_id: Option<&str>,
) -> ApiResult<()> {
    let due = Utc::now().timestamp_millis() + delay.as_millis() as i64;
    tx.execute(
        "INSERT OR REPLACE INTO reviews (customer_id, item_type, due_at, approve, message, document_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![customer_id, item_type, due, approve, message, document_id],
    )?;
    Ok(())
}

struct Review {
    customer_id: String,
    item_type: String,
    approve: bool,
    message: Option<String>,
    document_id: Option<String>,
}

/// Applies every review that is due; returns how many.
pub async fn run_due(db: &Db, urls: Arc<Vec<String>>) -> ApiResult<usize> {
    db.tx(move |tx| {
        let now = Utc::now();
        let due: Vec<Review> = {
            let mut stmt = tx.prepare(
                "SELECT customer_id, item_type, approve, message, document_id FROM reviews
                 WHERE due_at <= ?1 ORDER BY due_at LIMIT 200",
            )?;
            let rows = stmt.query_map(params![now.timestamp_millis()], |r| {
                Ok(Review {
                    customer_id: r.get(0)?,
                    item_type: r.get(1)?,
                    approve: r.get(2)?,
                    message: r.get(3)?,
                    document_id: r.get(4)?,
                })
            })?;
            rows.collect::<Result<_, _>>()?
        };
        for review in &due {
            tx.execute(
                "DELETE FROM reviews WHERE customer_id = ?1 AND item_type = ?2",
                params![review.customer_id, review.item_type],
            )?;
            let Some(before) = store::load_any(tx, &review.customer_id)? else {
                continue;
            };
            let mut after = before.clone();
            let Some(item) = after.item_mut(&review.item_type) else {
                continue;
            };
            if item.status != "submitted" {
                continue;
            }
            let status = if review.approve {
                "approved"
            } else {
                "rejected"
            };
            item.status = status.into();
            item.message = review.message.clone();
            if let Some(doc) = &review.document_id {
                tx.execute(
                    "UPDATE documents SET status = ?1, updated_at = ?2 WHERE id = ?3",
                    params![status, crate::model::iso(now), doc],
                )?;
            }
            store::save_change(tx, &before, &mut after, now, &urls)?;
            tracing::info!(customer = %after.id, item = %review.item_type, status, "item reviewed");
        }
        Ok(due.len())
    })
    .await
}

/// The longest the reviewer sleeps without being woken (a safety net; reviews are scheduled
/// with a wake-up).
const IDLE_CHECK: Duration = Duration::from_secs(60);

/// When the next review falls due (Unix ms), if one is scheduled.
async fn next_due(db: &Db) -> ApiResult<Option<i64>> {
    db.tx(|tx| Ok(tx.query_row("SELECT MIN(due_at) FROM reviews", [], |r| r.get(0))?))
        .await
}

/// Runs reviews as they fall due until the process ends. Between them it sleeps until the
/// next one is due or a new one is scheduled (`wake`): an idle sandbox does not wake up.
pub async fn review_forever(
    db: Db,
    urls: Arc<Vec<String>>,
    events: Arc<Notify>,
    wake: Arc<Notify>,
    passes: Arc<crate::state::Stats>,
) {
    loop {
        passes
            .review_passes
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        match run_due(&db, urls.clone()).await {
            Ok(0) => {}
            Ok(_) => events.notify_one(),
            Err(e) => tracing::error!(error = ?e.detail, "review pass failed"),
        }
        let sleep = match next_due(&db).await {
            Ok(Some(due)) => {
                let wait = due - Utc::now().timestamp_millis();
                Duration::from_millis(wait.clamp(0, IDLE_CHECK.as_millis() as i64) as u64)
            }
            Ok(None) => IDLE_CHECK,
            Err(_) => Duration::from_secs(1),
        };
        tokio::select! {
            () = wake.notified() => {}
            () = tokio::time::sleep(sleep) => {}
        }
    }
}
