//! Dinie's back office, simulated: the company lookup that ends `creating`, and the review that
//! decides every requirement after `kyc-review`. Pending tasks are rows in the database, so a
//! restart picks them up where they were.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use rusqlite::{params, Transaction};
use tokio::sync::Notify;

use crate::db::Db;
use crate::error::ApiResult;
use crate::kyc;
use crate::model::CustomerRecord;
use crate::store;

/// The company lookup: `creating` → `pending_kyc` with requirements.
pub const LOOKUP: &str = "lookup";
/// The review: `under_review` → `active`, `denied`, or back to `pending_kyc` with rejections.
pub const REVIEW: &str = "review";

/// Schedules a task (replacing an earlier one of the same kind).
pub fn schedule(
    tx: &Transaction<'_>,
    customer_id: &str,
    kind: &str,
    delay: Duration,
) -> ApiResult<()> {
    let due = Utc::now().timestamp_millis() + delay.as_millis() as i64;
    tx.execute(
        "INSERT OR REPLACE INTO tasks (customer_id, kind, due_at) VALUES (?1, ?2, ?3)",
        params![customer_id, kind, due],
    )?;
    Ok(())
}

/// What the lookup finds: the legal form's requirements, and the name when none was given.
pub fn look_up(rec: &mut CustomerRecord) {
    let form = kyc::legal_form(&rec.cnpj);
    let (name, trading) = kyc::company_name(&rec.cnpj, form);
    if rec.name.is_none() {
        rec.name = Some(name);
    }
    rec.trading_name = Some(trading);
    rec.kyc = kyc::requirements(form, &rec.cpf, &rec.cnpj);
    rec.status = "pending_kyc".into();
}

/// Decides every pending requirement, then the customer.
fn review(rec: &mut CustomerRecord) {
    for req in &mut rec.kyc {
        if let Some(s) = req.submitted.as_mut() {
            if s.review_status == "pending" {
                if s.will_reject {
                    s.review_status = "rejected".into();
                    s.review_reason = Some(kyc::REJECTION_REASON.into());
                    s.will_reject = false;
                } else {
                    s.review_status = "accepted".into();
                }
            }
        }
    }
    // The mandatory requirements decide; a rejected optional one stays rejected but does not
    // hold the customer back.
    let all_accepted = rec.kyc.iter().filter(|k| k.mandatory).all(|k| {
        k.submitted
            .as_ref()
            .is_some_and(|s| s.review_status == "accepted")
    });
    rec.status = if !all_accepted {
        "pending_kyc".into()
    } else if kyc::will_be_denied(&rec.email) {
        rec.denial_reason = Some(kyc::DENIAL_REASON.into());
        "denied".into()
    } else {
        "active".into()
    };
}

/// Runs every task that is due; returns how many.
pub async fn run_due(db: &Db, urls: Arc<Vec<String>>) -> ApiResult<usize> {
    db.tx(move |tx| {
        let now = Utc::now();
        let due: Vec<(String, String)> = {
            let mut stmt = tx.prepare(
                "SELECT customer_id, kind FROM tasks WHERE due_at <= ?1 ORDER BY due_at LIMIT 200",
            )?;
            let rows = stmt.query_map(params![now.timestamp_millis()], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
            rows.collect::<Result<_, _>>()?
        };
        for (customer_id, kind) in &due {
            tx.execute(
                "DELETE FROM tasks WHERE customer_id = ?1 AND kind = ?2",
                params![customer_id, kind],
            )?;
            let Some(before) = store::load_any(tx, customer_id)? else {
                continue;
            };
            let mut after = before.clone();
            match (kind.as_str(), before.status.as_str()) {
                (LOOKUP, "creating") => look_up(&mut after),
                (REVIEW, "under_review") => review(&mut after),
                _ => continue,
            }
            store::save_change(tx, &before, &mut after, now, &urls)?;
            tracing::info!(customer = %after.id, task = %kind, status = %after.status, "task done");
        }
        Ok(due.len())
    })
    .await
}

/// The longest the reviewer sleeps without being woken (a safety net; tasks are scheduled
/// with a wake-up).
const IDLE_CHECK: Duration = Duration::from_secs(60);

/// When the next task falls due (Unix ms), if one is scheduled.
async fn next_due(db: &Db) -> ApiResult<Option<i64>> {
    db.tx(|tx| Ok(tx.query_row("SELECT MIN(due_at) FROM tasks", [], |r| r.get(0))?))
        .await
}

/// Runs tasks as they fall due until the process ends. Between them it sleeps until the next
/// one is due or a new one is scheduled (`wake`): an idle sandbox does not wake up.
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
