//! The agent pressed Send on the registration form: the form goes through its draft (checked
//! once here, queued and marked as being sent in one transaction, then sent like the worker
//! sends), or, when drafts cannot be kept (no key from the keychain), straight to Dinie.

use serde::Serialize;

use super::outbox::Outbox;
use super::send::{self, Outcome};
use super::{Draft, DraftError, DraftProblem};
use crate::services::connection::Connection;
use crate::services::customers::{self, check_form, FieldProblem, RegistrationForm};
use crate::services::follow::Follower;
use crate::services::reason::Reason;

/// What sending the form did.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(
    tag = "outcome",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
pub enum Submitted {
    /// Dinie registered it now.
    Created { customer_id: String },
    /// Dinie already had it (same CPF and external id).
    Existing { customer_id: String },
    /// Registered, but some document was not sent: the draft says why.
    Attention { customer_id: String, reason: Reason },
    /// Dinie failed for now: the draft is retried later.
    Retrying { message: String },
    /// No connection (or credentials refused): the draft waits and goes when it can.
    Queued,
}

/// Why the form was not sent.
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    /// Fields the local check refused (nothing was sent).
    #[error("check the highlighted fields")]
    Form(Vec<FieldProblem>),
    /// Dinie refused it; the draft waits for the agent with the reasons.
    #[error("refused: {}", .problem.reason)]
    Refused {
        problem: DraftProblem,
        error: Option<dinie::Error>,
    },
    /// The API failed (registration without a draft).
    #[error(transparent)]
    Api(#[from] dinie::Error),
    /// Offline, and no draft could be kept either.
    #[error("{error} The registration could not be kept as a draft: {why}")]
    OfflineWithoutDraft {
        error: dinie::Error,
        why: DraftError,
    },
    /// The drafts store failed.
    #[error(transparent)]
    Draft(#[from] DraftError),
}

/// Sends the form of draft `id` now over `conn`. A form that fails the local check is saved as
/// typed and refused with its fields; one the API does not answer for is kept queued.
pub async fn submit(
    conn: &Connection,
    outbox: &Outbox,
    follower: &Follower,
    id: &str,
    form: &RegistrationForm,
) -> Result<Submitted, SubmitError> {
    let store = match outbox.store() {
        Ok(store) => store,
        // No key for drafts (keychain locked): online, the registration still goes through.
        Err(why) => return register_without_draft(conn, follower, id, form, why).await,
    };
    let profile = &conn.profile().id;
    // Once registered, the form no longer matters: only its documents remain to send.
    let registered = store.get(id).ok().is_some_and(|d| d.customer_id.is_some());
    let checked = if registered {
        None
    } else {
        match check_form(form) {
            Ok(checked) => Some(checked),
            Err(problems) => {
                outbox.save_form(conn, id, form)?;
                return Err(SubmitError::Form(problems));
            }
        }
    };
    let (draft, in_flight) = store.queue_and_begin(id, profile, form)?;
    outbox.touch();
    let outcome = send::send_draft(conn, &store, &draft, checked).await;
    drop(in_flight);
    store.settle();
    outbox.touch();
    match outcome? {
        Outcome::Sent {
            customer,
            created,
            submitted_for_review,
        } => {
            follower.follow(&customer, created);
            if submitted_for_review {
                follower.record(customer.id.as_str(), "customer.submitted_by_sync");
            }
            Ok(registered_as(&customer, created))
        }
        // Registered; its documents go once Dinie has listed the requirements.
        Outcome::Registered { customer, created } => {
            follower.follow(&customer, created);
            Ok(registered_as(&customer, created))
        }
        Outcome::Attention { problem, error } => match (&error, &problem.customer_id) {
            // Registered, but a document was refused.
            (None, Some(customer_id)) if problem.code == "document_not_needed" => {
                Ok(Submitted::Attention {
                    customer_id: customer_id.clone(),
                    reason: problem.reason,
                })
            }
            _ => Err(SubmitError::Refused { problem, error }),
        },
        Outcome::RetryLater(e) | Outcome::RateLimited(e) => Ok(Submitted::Retrying {
            message: e.to_string(),
        }),
        Outcome::Offline(_) | Outcome::CredentialsRefused(_) | Outcome::NotWaiting => {
            Ok(Submitted::Queued)
        }
    }
}

fn registered_as(customer: &dinie::Customer, created: bool) -> Submitted {
    let customer_id = customer.id.to_string();
    if created {
        Submitted::Created { customer_id }
    } else {
        Submitted::Existing { customer_id }
    }
}

/// Registers directly, as when drafts cannot be kept: nothing is written to disk, and without
/// a connection the agent is told why the registration could not be kept.
async fn register_without_draft(
    conn: &Connection,
    follower: &Follower,
    id: &str,
    form: &RegistrationForm,
    why: DraftError,
) -> Result<Submitted, SubmitError> {
    let checked = check_form(form).map_err(SubmitError::Form)?;
    let form = Draft::with_external_id(id, checked);
    match customers::register(conn, &form, id).await {
        Ok(registration) => {
            let created = registration.is_new();
            follower.follow(registration.customer(), created);
            let customer_id = registration.customer().id.to_string();
            Ok(if created {
                Submitted::Created { customer_id }
            } else {
                Submitted::Existing { customer_id }
            })
        }
        Err(error) if error.is_unreachable() => {
            Err(SubmitError::OfflineWithoutDraft { error, why })
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_reads_the_outcome_and_the_customer() {
        let created = Submitted::Created {
            customer_id: "cust_1".into(),
        };
        assert_eq!(
            serde_json::to_value(created).unwrap(),
            serde_json::json!({"outcome": "created", "customerId": "cust_1"})
        );
        assert_eq!(
            serde_json::to_value(Submitted::Queued).unwrap(),
            serde_json::json!({"outcome": "queued"})
        );
    }
}
