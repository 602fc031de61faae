//! Sending one draft to Dinie: create the customer, then upload each attached document whose
//! type the customer's `kyc` lists. Every step is written to the drafts database before it
//! starts and after it ends, so a run stopped anywhere (crash, kill, power cut) resumes where it
//! was and never registers a borrower twice:
//!
//! - the create carries the draft's `Idempotency-Key` and `external_id`: repeated after a stop,
//!   Dinie answers with the customer it already made;
//! - a document recorded as "uploading" when the run stopped is looked up in the customer's
//!   `kyc`: if the item is no longer `pending`, the file arrived and is not sent again.

use std::collections::BTreeMap;

use crate::connection::Connection;
use crate::services::customers::{self, check_form};
use crate::services::drafts::{DocumentState, Draft, DraftError, DraftProblem, DraftStore};

/// What became of one attempt to send a draft.
#[derive(Debug)]
pub enum Outcome {
    /// Registered (now or on an earlier run) with every document sent.
    Sent {
        customer: Box<dinie::Customer>,
        /// Whether this attempt created it (`false`: an existing registration answered).
        created: bool,
    },
    /// Refused: the draft waits for the agent, with the reason.
    Attention {
        problem: DraftProblem,
        error: Option<dinie::Error>,
    },
    /// A transient failure: queued again, to be retried later.
    RetryLater(dinie::Error),
    /// The API did not answer: queued again, due as soon as the connection is back.
    Offline(dinie::Error),
    /// The credentials were refused: queued again, until the agent fixes them.
    CredentialsRefused(dinie::Error),
    /// Not waiting any more (edited, discarded, or being sent by another run).
    NotWaiting,
}

impl Outcome {
    /// The API error behind it, if any.
    pub fn error(&self) -> Option<&dinie::Error> {
        match self {
            Self::Attention { error, .. } => error.as_ref(),
            Self::RetryLater(e) | Self::Offline(e) | Self::CredentialsRefused(e) => Some(e),
            Self::Sent { .. } | Self::NotWaiting => None,
        }
    }
}

/// Sends draft `id` over `conn`, recording each step in `store`.
pub async fn send(conn: &Connection, store: &DraftStore, id: &str) -> Result<Outcome, DraftError> {
    let Some((draft, _in_flight)) = store.begin_send(id)? else {
        return Ok(Outcome::NotWaiting);
    };
    let (customer, created) = match create(conn, &draft).await {
        Ok(step) => step,
        Err(failure) => return settle(store, &draft, failure),
    };
    if !draft.documents.iter().any(|d| d.state.is_open()) {
        // Nothing else to send: registered and done, recorded at once.
        store.sent(id, customer.id.as_str())?;
        return Ok(Outcome::Sent {
            customer: Box::new(customer),
            created,
        });
    }
    store.created(id, customer.id.as_str())?;
    let refused = match upload_documents(conn, store, &draft, &customer).await {
        Ok(refused) => refused,
        Err(failure) => return settle(store, &draft, failure),
    };
    if refused.is_empty() {
        store.finish(id, None)?;
        Ok(Outcome::Sent {
            customer: Box::new(customer),
            created,
        })
    } else {
        let problem = DraftProblem {
            code: "document_not_needed".into(),
            message: refused.join("; "),
            fields: BTreeMap::new(),
            customer_id: Some(customer.id.to_string()),
        };
        store.finish(id, Some(problem.clone()))?;
        Ok(Outcome::Attention {
            problem,
            error: None,
        })
    }
}

/// Why a step did not complete.
enum Failure {
    Refused(DraftProblem, Option<dinie::Error>),
    Api(dinie::Error),
    Draft(DraftError),
}

impl From<DraftError> for Failure {
    fn from(e: DraftError) -> Self {
        Self::Draft(e)
    }
}

/// The customer of the draft: fetched when an earlier run created it, created otherwise.
async fn create(conn: &Connection, draft: &Draft) -> Result<(dinie::Customer, bool), Failure> {
    if let Some(id) = &draft.customer_id {
        let customer = conn
            .client()
            .customers()
            .get(&dinie::CustomerId::new(id.clone()))
            .await
            .map_err(Failure::Api)?;
        return Ok((customer, false));
    }
    let mut form = check_form(&draft.form).map_err(|problems| {
        let fields: BTreeMap<String, String> = problems
            .into_iter()
            .map(|p| (p.field.to_owned(), p.message))
            .collect();
        Failure::Refused(
            DraftProblem {
                code: "validation".into(),
                message: "check the highlighted fields".into(),
                fields,
                customer_id: None,
            },
            None,
        )
    })?;
    form.external_id.get_or_insert_with(|| draft.id.clone());
    let (registered, customer) = customers::register(conn, &form, &draft.idempotency_key())
        .await
        .map_err(Failure::Api)?;
    Ok((customer, registered.outcome == "created"))
}

/// Uploads the documents still to send; returns why some could not be.
async fn upload_documents(
    conn: &Connection,
    store: &DraftStore,
    draft: &Draft,
    customer: &dinie::Customer,
) -> Result<Vec<String>, Failure> {
    use dinie::KycStatus as S;
    let needed: Vec<&str> = customer
        .kyc
        .iter()
        .filter(|k| k.kind == dinie::KycKind::Document)
        .map(|k| k.item_type.as_str())
        .collect();
    let mut refused = Vec::new();
    for doc in draft.documents.iter().filter(|d| d.state.is_open()) {
        let item = customer
            .kyc
            .iter()
            .find(|k| k.kind == dinie::KycKind::Document && k.item_type == doc.doc_type);
        let (state, why) = match item {
            _ if doc.doc_type.is_empty() => (
                DocumentState::Refused,
                Some("choose which document this is".to_owned()),
            ),
            None => (
                DocumentState::Refused,
                Some(format!(
                    "this customer does not need `{}` (needed: {})",
                    doc.doc_type,
                    needed.join(", ")
                )),
            ),
            // Recorded as uploading when a run stopped, and Dinie has it: it arrived.
            Some(k) if doc.state == DocumentState::Uploading && k.status != S::Pending => {
                (DocumentState::Uploaded, None)
            }
            Some(k) if matches!(k.status, S::Submitted | S::Approved) => (
                DocumentState::Skipped,
                Some(format!("`{}` was already sent", doc.doc_type)),
            ),
            Some(_) => (DocumentState::Uploading, None),
        };
        if state != DocumentState::Uploading {
            if state == DocumentState::Refused {
                refused.push(format!("{}: {}", doc.name, why.clone().unwrap_or_default()));
            }
            store.document_state(&doc.id, state, why.as_deref())?;
            continue;
        }
        store.document_state(&doc.id, DocumentState::Uploading, None)?;
        let bytes = store.read_document(&doc.id)?;
        let sent = conn
            .client()
            .customers()
            .upload_document(&customer.id, &doc.doc_type)
            .reader(std::io::Cursor::new(bytes), doc.name.clone())
            .known_kyc(&customer.kyc)
            .send()
            .await;
        match sent {
            Ok(_) => store.document_state(&doc.id, DocumentState::Uploaded, None)?,
            Err(e) if is_refusal(&e) => {
                let why = e.to_string();
                refused.push(format!("{}: {why}", doc.name));
                store.document_state(&doc.id, DocumentState::Refused, Some(&why))?;
            }
            Err(e) => return Err(Failure::Api(e)),
        }
    }
    Ok(refused)
}

/// A refusal the agent must act on (retrying the same request would be refused again).
fn is_refusal(e: &dinie::Error) -> bool {
    match e {
        dinie::Error::Api(api) => matches!(api.status.as_u16(), 400 | 404 | 409 | 413 | 415 | 422),
        dinie::Error::InvalidInput(_) => true,
        _ => false,
    }
}

/// Records a failed step and says what it means for the draft.
fn settle(store: &DraftStore, draft: &Draft, failure: Failure) -> Result<Outcome, DraftError> {
    let error = match failure {
        Failure::Draft(e) => {
            store.requeue(&draft.id)?;
            return Err(e);
        }
        Failure::Refused(problem, error) => {
            store.finish(&draft.id, Some(problem.clone()))?;
            return Ok(Outcome::Attention { problem, error });
        }
        Failure::Api(e) => e,
    };
    if is_refusal(&error) {
        let problem = problem_of(&error);
        store.finish(&draft.id, Some(problem.clone()))?;
        return Ok(Outcome::Attention {
            problem,
            error: Some(error),
        });
    }
    Ok(match error {
        dinie::Error::Connection { .. } | dinie::Error::Timeout { .. } => {
            store.requeue(&draft.id)?;
            Outcome::Offline(error)
        }
        dinie::Error::Authentication { .. } => {
            store.requeue(&draft.id)?;
            Outcome::CredentialsRefused(error)
        }
        other => {
            store.retry_at(&draft.id, retry_time(draft.attempts))?;
            Outcome::RetryLater(other)
        }
    })
}

/// When to try again after `attempts` failures: 5 s, 10 s, 20 s… up to 10 minutes, with
/// jitter so that many drafts do not retry in step.
pub fn retry_time(attempts: u32) -> i64 {
    let base = (5_000i64 << attempts.min(7)).min(600_000);
    chrono::Utc::now().timestamp_millis() + base + fastrand::i64(0..=base / 4)
}

/// The form field (camelCase) an API parameter names.
fn form_field(param: &str) -> String {
    match param {
        "trading_name" => "tradingName".into(),
        "external_id" => "externalId".into(),
        other => other.to_owned(),
    }
}

/// The agent's view of a refusal: the message, and per-field reasons.
fn problem_of(error: &dinie::Error) -> DraftProblem {
    let mut problem = DraftProblem {
        code: "refused".into(),
        message: error.to_string(),
        ..Default::default()
    };
    if let Some(api) = error.as_api() {
        problem.code = match api.status.as_u16() {
            409 => "conflict".into(),
            422 => "validation".into(),
            _ => api.problem.code.clone().unwrap_or_else(|| "refused".into()),
        };
        for f in &api.problem.errors {
            if let Some(param) = &f.param {
                problem
                    .fields
                    .insert(form_field(param), f.detail.clone().unwrap_or_default());
            }
        }
        if problem.fields.is_empty() {
            if let Some(param) = &api.problem.param {
                problem.fields.insert(
                    form_field(param),
                    api.problem.detail.clone().unwrap_or_default(),
                );
            }
        }
        problem.customer_id = api.problem.extension_str("customer_id").map(str::to_owned);
        if api.status.as_u16() == 409 {
            problem.message = "This CPF is already registered with Dinie under another external id. Open that customer, or use its external id to link this draft to it.".into();
            problem
                .fields
                .entry("cpf".into())
                .or_insert_with(|| "already registered under another external id".into());
        }
    }
    problem
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_to_ten_minutes_with_jitter() {
        let now = chrono::Utc::now().timestamp_millis();
        let wait = |attempts| retry_time(attempts) - now;
        assert!((5_000..=6_500).contains(&wait(0)), "{}", wait(0));
        assert!((20_000..=25_500).contains(&wait(2)), "{}", wait(2));
        for attempts in [7, 8, 30, u32::MAX] {
            assert!(
                (600_000..=751_000).contains(&wait(attempts)),
                "{}",
                wait(attempts)
            );
        }
    }

    #[test]
    fn a_conflict_names_the_cpf_and_the_existing_customer() {
        let problem = problem_of(&dinie::Error::Api(Box::new(dinie::ApiError {
            status: tauri::http::StatusCode::CONFLICT,
            problem: serde_json::from_value(serde_json::json!({
                "code": "customer_already_exists",
                "detail": "registered under another external id",
                "customer_id": "cust_1",
                "errors": [{"param": "external_id", "detail": "differs"}],
            }))
            .unwrap(),
            request_id: None,
            retry_after: None,
        })));
        assert_eq!(problem.code, "conflict");
        assert_eq!(problem.customer_id.as_deref(), Some("cust_1"));
        assert_eq!(problem.fields["externalId"], "differs");
        assert!(problem.fields.contains_key("cpf"));
    }
}
