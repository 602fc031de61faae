//! Sending one draft to Dinie: create the customer, wait until Dinie has looked the company up
//! and listed its requirements (`creating`), then upload each attached document to the
//! requirement its kind fits ([`evidence::draft_slot`]). Every step is written to the drafts
//! database before it starts and after it ends, so a run stopped anywhere (crash, kill, power
//! cut) resumes where it was and never registers a borrower twice:
//!
//! - the create carries the draft's `Idempotency-Key` and `external_id`: repeated after a stop,
//!   Dinie answers with the customer it already made;
//! - a create whose answer never came marks the draft `create_unconfirmed` (its CPF, CNPJ and
//!   external id frozen): the next send first looks the external id up at Dinie, and a customer
//!   found (or answered) with another CPF than the form's puts the draft in attention instead
//!   of linking it to somebody else;
//! - a document recorded as "uploading" when the run stopped is looked up in the customer's
//!   requirements: if its part is received, the file arrived and is not sent again.

use std::collections::BTreeMap;

use super::store::UPLOAD_TIMEOUTS_BEFORE_ATTENTION;
use super::{DocumentState, Draft, DraftError, DraftProblem, DraftStore};
use crate::services::connection::Connection;
use crate::services::customers::{self, check_form, ApiProblem, RegistrationForm};
use crate::services::evidence;
use crate::services::reason::{Reason, ReasonCode};

/// How soon a draft whose customer is still `creating` is looked at again.
const CREATING_RECHECK_MS: i64 = 2_000;

/// What became of one attempt to send a draft.
#[derive(Debug)]
pub enum Outcome {
    /// Registered (now or on an earlier run) with every document sent.
    Sent {
        customer: Box<dinie::Customer>,
        /// Whether this attempt created it (`false`: an existing registration answered).
        created: bool,
        /// Whether the documents completed every mandatory requirement, so that the run
        /// submitted the customer for review itself.
        submitted_for_review: bool,
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
    /// Dinie asked to slow down (a 429): queued again, not before the time it asked; the run
    /// stops, since every other request would be refused too.
    RateLimited(dinie::Error),
    /// The credentials were refused: queued again, until the agent fixes them.
    CredentialsRefused(dinie::Error),
    /// Registered, and Dinie is still looking the company up: the documents go once it has
    /// listed the requirements (the draft is due again in a moment).
    Registered {
        customer: Box<dinie::Customer>,
        created: bool,
    },
    /// Not waiting any more (edited, discarded, or being sent by another run).
    NotWaiting,
}

/// Sends draft `id` over `conn`, recording each step in `store`.
pub async fn send(conn: &Connection, store: &DraftStore, id: &str) -> Result<Outcome, DraftError> {
    // Held until the send ends: while it lives, no other task of this process starts sending
    // the same draft (binding it to `_` would drop it at once).
    let Some((draft, _in_flight)) = store.begin_send(id, &conn.profile().id)? else {
        return Ok(Outcome::NotWaiting);
    };
    send_draft(conn, store, &draft, None).await
}

/// Sends a draft already marked as being sent; the caller holds its in-flight guard until this
/// returns. `checked` is its form as [`check_form`] returned it, when the caller has just
/// checked it (the agent pressed Send), so that it is not checked twice.
pub async fn send_draft(
    conn: &Connection,
    store: &DraftStore,
    draft: &Draft,
    checked: Option<RegistrationForm>,
) -> Result<Outcome, DraftError> {
    let id = draft.id.as_str();
    let (customer, created) = match ensure_customer(conn, draft, checked).await {
        Ok(step) => step,
        Err(failure) => return record_failure(store, draft, failure),
    };
    if !draft.documents.iter().any(|d| d.state.is_open()) {
        // Nothing else to send: registered and done, recorded at once.
        store.mark_sent(id, customer.id.as_str())?;
        return Ok(Outcome::Sent {
            customer: Box::new(customer),
            created,
            submitted_for_review: false,
        });
    }
    store.record_created(id, customer.id.as_str())?;
    if customer.status == dinie::CustomerStatus::Creating {
        store.retry_at(
            id,
            chrono::Utc::now().timestamp_millis() + CREATING_RECHECK_MS,
        )?;
        return Ok(Outcome::Registered {
            customer: Box::new(customer),
            created,
        });
    }
    let Refusals { refused, too_slow } = match upload_documents(conn, store, draft, &customer).await
    {
        Ok(refusals) => refusals,
        Err(failure) => return record_failure(store, draft, failure),
    };
    if refused.is_empty() {
        store.finish(id, None)?;
        let submitted_for_review = submit_if_complete(conn, &customer.id).await;
        Ok(Outcome::Sent {
            customer: Box::new(customer),
            created,
            submitted_for_review,
        })
    } else {
        let problem = DraftProblem {
            code: if too_slow {
                "slow_link".into()
            } else {
                "document_not_needed".into()
            },
            reason: Reason::new(ReasonCode::DocumentsRefused).with("files", refused.join(", ")),
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

/// Submits the customer for review when what the draft carried completed every mandatory
/// requirement (the selfies too, when the capture was done meanwhile). A failure here is not
/// the draft's: it is sent, and the agent can still submit from the detail.
async fn submit_if_complete(conn: &Connection, id: &dinie::CustomerId) -> bool {
    let fresh = conn.client().customers().get(id).await;
    conn.observe(&fresh);
    match fresh {
        Ok(c) if c.can_start_review() => {
            let started = conn.client().customers().start_kyc_review(id).await;
            conn.observe(&started);
            match started {
                Ok(()) => true,
                Err(e) => {
                    tracing::warn!(error = %e, "a sent draft's customer could not be submitted for review");
                    false
                }
            }
        }
        _ => false,
    }
}

/// Why a step did not complete.
enum Failure {
    /// Refused before or by the API: the agent must change something.
    Refused {
        problem: DraftProblem,
        error: Option<dinie::Error>,
    },
    Api(dinie::Error),
    Draft(DraftError),
    /// A document's upload timed out (a link too slow for it, or stalled): not "offline", the
    /// API answers other calls; retried later, and after a few the document waits for the agent.
    UploadTimedOut {
        doc_id: String,
        error: dinie::Error,
    },
}

impl From<DraftError> for Failure {
    fn from(e: DraftError) -> Self {
        Self::Draft(e)
    }
}

/// The customer of the draft: fetched when an earlier run created it, found by its external id
/// when an earlier create went unanswered, created otherwise. Returns it and whether this call
/// created it.
async fn ensure_customer(
    conn: &Connection,
    draft: &Draft,
    checked: Option<RegistrationForm>,
) -> Result<(dinie::Customer, bool), Failure> {
    if let Some(id) = &draft.customer_id {
        let result = conn
            .client()
            .customers()
            .get(&dinie::CustomerId::new(id.clone()))
            .await;
        conn.observe(&result);
        return Ok((result.map_err(Failure::Api)?, false));
    }
    let checked = match checked {
        Some(form) => form,
        None => check_form(&draft.form).map_err(|problems| Failure::Refused {
            problem: DraftProblem {
                code: "validation".into(),
                reason: Reason::new(ReasonCode::CheckFields),
                fields: problems
                    .into_iter()
                    .map(|p| (p.field.to_owned(), p.reason))
                    .collect(),
                customer_id: None,
            },
            error: None,
        })?,
    };
    let form = Draft::with_external_id(&draft.id, checked);
    if draft.create_unconfirmed {
        if let Some(found) = find_by_external_id(conn, &form).await? {
            return match mismatch(&found, &form) {
                None => Ok((found, false)),
                Some(problem) => Err(Failure::Refused {
                    problem,
                    error: None,
                }),
            };
        }
    }
    // `create_unconfirmed` was recorded when the draft was marked as being sent.
    let registration = customers::register(conn, &form, &draft.idempotency_key())
        .await
        .map_err(Failure::Api)?;
    let created = registration.is_new();
    let customer = registration.into_customer();
    match mismatch(&customer, &form) {
        None => Ok((customer, created)),
        Some(problem) => Err(Failure::Refused {
            problem,
            error: None,
        }),
    }
}

/// The customer Dinie has under the form's external id, if any.
async fn find_by_external_id(
    conn: &Connection,
    form: &RegistrationForm,
) -> Result<Option<dinie::Customer>, Failure> {
    let Some(external_id) = form.external_id.clone() else {
        return Ok(None);
    };
    let page = conn
        .client()
        .customers()
        .list()
        .external_id(external_id)
        .limit(1)
        .send()
        .await;
    conn.observe(&page);
    Ok(page.map_err(Failure::Api)?.data.into_iter().next())
}

/// Why `customer` is not the borrower of `form`, if it is not (another CPF: an earlier send
/// with a typo, or a replayed answer). Linking the draft to it would register the wrong person.
fn mismatch(customer: &dinie::Customer, form: &RegistrationForm) -> Option<DraftProblem> {
    let digits = |v: &str| v.chars().filter(char::is_ascii_digit).collect::<String>();
    if digits(&customer.cpf) == digits(&form.cpf) {
        return None;
    }
    let masked = dinie::br::Cpf::parse(customer.cpf.as_str())
        .map(|c| c.to_string())
        .unwrap_or_else(|_| customer.cpf.clone());
    Some(DraftProblem {
        code: "identity_mismatch".into(),
        reason: Reason::new(ReasonCode::IdentityMismatch).with("cpf", &masked),
        fields: BTreeMap::from([(
            "cpf".to_owned(),
            Reason::new(ReasonCode::CpfOtherRegistration).with("cpf", &masked),
        )]),
        customer_id: Some(customer.id.to_string()),
    })
}

/// Why some documents of a draft were not sent.
struct Refusals {
    /// The names of the documents refused (each document says why).
    refused: Vec<String>,
    /// Whether a document was given up on because the link is too slow for it.
    too_slow: bool,
}

/// Uploads the documents still to send, each to the requirement its kind fits; returns why
/// some could not be.
async fn upload_documents(
    conn: &Connection,
    store: &DraftStore,
    draft: &Draft,
    customer: &dinie::Customer,
) -> Result<Refusals, Failure> {
    let mut refused = Vec::new();
    let mut too_slow = false;
    for doc in draft.documents.iter().filter(|d| d.state.is_open()) {
        let slot = match evidence::draft_slot(&doc.doc_type, &customer.kyc) {
            Ok(slot) => slot,
            Err(why) => {
                refused.push(doc.name.clone());
                store.document_state(&doc.id, DocumentState::Refused, Some(&why))?;
                continue;
            }
        };
        // Recorded as uploading when a run stopped, and Dinie has it: it arrived.
        if evidence::received(&slot, &customer.kyc) {
            let (state, why) = if doc.state == DocumentState::Uploading {
                (DocumentState::Uploaded, None)
            } else {
                (
                    DocumentState::Skipped,
                    Some(Reason::new(ReasonCode::DocumentAlreadySent).with("type", &doc.doc_type)),
                )
            };
            store.document_state(&doc.id, state, why.as_ref())?;
            continue;
        }
        store.document_state(&doc.id, DocumentState::Uploading, None)?;
        let bytes = store.read_document(&doc.id)?;
        let size = bytes.len() as u64;
        // One upload at a time on a connection: four at once over a slow uplink would each
        // take four times as long, and all time out together.
        let sent = {
            let _turn = conn.upload_turn().await;
            conn.client()
                .customers()
                .kyc_attachment(&customer.id, slot.target())
                .reader(std::io::Cursor::new(bytes), doc.name.clone())
                .size(size)
                .known_kyc(&customer.kyc)
                .send()
                .await
        };
        match &sent {
            // The link is slow, not down: the header does not say "offline" for it.
            Err(dinie::Error::Timeout { .. }) => {}
            other => conn.observe(other),
        }
        match sent {
            Ok(_) => store.document_state(&doc.id, DocumentState::Uploaded, None)?,
            Err(e @ dinie::Error::Timeout { .. }) => {
                if store.upload_timed_out(&doc.id)? {
                    let why = Reason::new(ReasonCode::DocumentTooSlow)
                        .with("mb", size.div_ceil(1 << 20))
                        .with("times", UPLOAD_TIMEOUTS_BEFORE_ATTENTION);
                    refused.push(doc.name.clone());
                    store.document_state(&doc.id, DocumentState::Refused, Some(&why))?;
                    too_slow = true;
                    continue;
                }
                return Err(Failure::UploadTimedOut {
                    doc_id: doc.id.clone(),
                    error: e,
                });
            }
            Err(e) if is_refusal(&e) => {
                tracing::info!(document = %doc.id, error = %e, "Dinie refused a document of a draft");
                let why = document_refusal(&e);
                refused.push(doc.name.clone());
                store.document_state(&doc.id, DocumentState::Refused, Some(&why))?;
            }
            Err(e) => return Err(Failure::Api(e)),
        }
    }
    Ok(Refusals { refused, too_slow })
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
fn record_failure(
    store: &DraftStore,
    draft: &Draft,
    failure: Failure,
) -> Result<Outcome, DraftError> {
    let error = match failure {
        // Missing or damaged on this computer: retried a few times, then the agent's.
        Failure::Draft(e) => {
            store.local_failure(&draft.id, &e)?;
            return Err(e);
        }
        Failure::Refused { problem, error } => {
            // What Dinie has is known now (another CPF), or no create went (a check refused
            // the form, and no earlier create is unanswered): the agent may change the form.
            let nothing_sent = problem.code == "validation" && !draft.create_unconfirmed;
            if problem.code == "identity_mismatch" || nothing_sent {
                store.create_settled(&draft.id)?;
            }
            store.finish(&draft.id, Some(problem.clone()))?;
            return Ok(Outcome::Attention { problem, error });
        }
        Failure::UploadTimedOut { doc_id, error } => {
            tracing::info!(document = %doc_id, error = %error, "an upload timed out; retried later");
            store.retry_at(&draft.id, retry_time(draft.attempts))?;
            return Ok(Outcome::RetryLater(error));
        }
        Failure::Api(e) => e,
    };
    if is_refusal(&error) {
        // A definite answer: nothing was registered by this create.
        if draft.customer_id.is_none() {
            store.create_settled(&draft.id)?;
        }
        let problem = problem_of(&error, &draft.form);
        store.finish(&draft.id, Some(problem.clone()))?;
        return Ok(Outcome::Attention {
            problem,
            error: Some(error),
        });
    }
    Ok(match error {
        e if e.is_unreachable() => {
            store.requeue(&draft.id)?;
            Outcome::Offline(e)
        }
        dinie::Error::Authentication { .. } => {
            store.requeue(&draft.id)?;
            Outcome::CredentialsRefused(error)
        }
        e if e.status() == Some(429) => {
            let asked = e.retry_after().unwrap_or_default();
            let asked_ms = i64::try_from(asked.as_millis()).unwrap_or(i64::MAX);
            let at = retry_time(draft.attempts).max(
                chrono::Utc::now()
                    .timestamp_millis()
                    .saturating_add(asked_ms),
            );
            store.retry_at(&draft.id, at)?;
            Outcome::RateLimited(e)
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

/// Why Dinie refused a document, for the agent.
fn document_refusal(e: &dinie::Error) -> Reason {
    match e.as_api() {
        Some(api) => Reason::api_field(api.problem.code.as_deref(), api.problem.detail.as_deref()),
        None => Reason::new(ReasonCode::ApiRefused).with("detail", e),
    }
}

/// The agent's view of a refusal: why, and per-field reasons. A 409 is a CPF Dinie has
/// already: said about the CPF, and about the external id only when the agent typed one
/// (the draft's own id, sent in its place, is no business of the agent's).
fn problem_of(error: &dinie::Error, form: &RegistrationForm) -> DraftProblem {
    let ApiProblem {
        code,
        mut fields,
        customer_id,
    } = ApiProblem::of(error);
    if error.status() == Some(409) {
        fields.clear();
        fields.insert("cpf".into(), Reason::new(ReasonCode::CpfRegistered));
        let typed = form
            .external_id
            .as_deref()
            .is_some_and(|e| !e.trim().is_empty());
        if typed {
            fields.insert(
                "externalId".into(),
                Reason::new(ReasonCode::ExternalIdOther),
            );
        }
        return DraftProblem {
            code: code.unwrap_or_else(|| "conflict".into()),
            reason: Reason::new(ReasonCode::CpfRegistered),
            fields,
            customer_id,
        };
    }
    DraftProblem {
        code: code.unwrap_or_else(|| "refused".into()),
        reason: if fields.is_empty() {
            document_refusal(error)
        } else {
            Reason::new(ReasonCode::CheckFields)
        },
        fields,
        customer_id,
    }
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
        let conflict = || {
            dinie::Error::Api(Box::new(dinie::ApiError {
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
            }))
        };
        let untyped = RegistrationForm::default();
        let problem = problem_of(&conflict(), &untyped);
        assert_eq!(problem.code, "conflict");
        assert_eq!(problem.customer_id.as_deref(), Some("cust_1"));
        assert_eq!(problem.reason.code, "cpf.registered");
        assert_eq!(problem.fields["cpf"].code, "cpf.registered");
        assert!(
            !problem.fields.contains_key("externalId"),
            "the agent typed no external id"
        );
        let typed = RegistrationForm {
            external_id: Some("ERP-777".into()),
            ..Default::default()
        };
        let problem = problem_of(&conflict(), &typed);
        assert_eq!(problem.fields["externalId"].code, "external_id.other");
    }
}
