//! The customer-workspace commands: find, validate, register, open, follow, correct.

use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager, Runtime, State};
use tauri_plugin_notification::NotificationExt;

use crate::commands::note_outcome;
use crate::connection::Connections;
use crate::error::CommandError;
use crate::services::customer_detail::{self, Correction, CustomerDetail};
use crate::services::customers::{self, CustomerPage, CustomerQuery};
use crate::services::follow::{Follower, Notice, TimelineEntry};
use crate::services::settings;

/// Event with a followed customer's new state.
pub const CUSTOMER_UPDATED: &str = "customer-updated";

#[tauri::command]
pub async fn search_customers<R: Runtime>(
    app: AppHandle<R>,
    conns: State<'_, Connections>,
    query: CustomerQuery,
) -> Result<CustomerPage, CommandError> {
    let conn = conns.current();
    let result = customers::search(&conn, &query).await;
    note_outcome(&app, &conns, &result);
    Ok(result?)
}

/// The verdict on one field while the agent types.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldVerdict {
    valid: bool,
    message: Option<String>,
    /// The value with its mask, when valid.
    formatted: Option<String>,
}

/// Checks a CPF, CNPJ or phone as typed (the page never re-implements the rules).
#[tauri::command]
pub fn validate_field(field: String, value: String) -> Result<FieldVerdict, CommandError> {
    let verdict = |r: Result<String, dinie::br::IdentifierError>| match r {
        Ok(formatted) => FieldVerdict {
            valid: true,
            message: None,
            formatted: Some(formatted),
        },
        Err(e) => FieldVerdict {
            valid: false,
            message: Some(e.to_string()),
            formatted: None,
        },
    };
    Ok(match field.as_str() {
        "cpf" => verdict(dinie::br::Cpf::parse(&value).map(|c| c.to_string())),
        "cnpj" => verdict(dinie::br::Cnpj::parse(&value).map(|c| c.to_string())),
        "phone" => verdict(dinie::br::Phone::parse(&value).map(|p| p.to_string())),
        other => {
            return Err(CommandError::new(
                "invalid_input",
                format!("no live check for {other}"),
            ))
        }
    })
}

/// A customer's detail and timeline.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerView {
    detail: CustomerDetail,
    timeline: Vec<TimelineEntry>,
}

#[tauri::command]
pub async fn open_customer<R: Runtime>(
    app: AppHandle<R>,
    conns: State<'_, Connections>,
    follower: State<'_, Follower>,
    id: String,
) -> Result<CustomerView, CommandError> {
    let conn = conns.current();
    let result = customer_detail::fetch(&conn, &id).await;
    note_outcome(&app, &conns, &result);
    let (customer, offers) = result?;
    follower.follow(&customer, false);
    follower.update(&customer);
    follower.set_open(Some(id.clone()));
    Ok(CustomerView {
        detail: CustomerDetail::new(&customer, &offers),
        timeline: follower.timeline(&id),
    })
}

#[tauri::command]
pub fn close_customer(follower: State<'_, Follower>) {
    follower.set_open(None);
}

#[tauri::command]
pub async fn correct_customer<R: Runtime>(
    app: AppHandle<R>,
    conns: State<'_, Connections>,
    follower: State<'_, Follower>,
    id: String,
    correction: Correction,
) -> Result<CustomerView, CommandError> {
    let conn = conns.current();
    let result = customer_detail::correct(&conn, &id, &correction).await;
    note_outcome(&app, &conns, &result);
    let customer = result?;
    follower.record(&id, "customer.corrected");
    follower.update(&customer);
    Ok(CustomerView {
        detail: CustomerDetail::new(&customer, &[]),
        timeline: follower.timeline(&id),
    })
}

/// Polls the followed customers as they fall due, until the app exits.
pub async fn follow_forever<R: Runtime>(app: AppHandle<R>) {
    loop {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        let follower = app.state::<Follower>();
        let conns = app.state::<Connections>();
        for id in follower.due() {
            let conn = conns.current();
            let result = customer_detail::fetch(&conn, &id).await;
            note_outcome(&app, &conns, &result);
            match result {
                Ok((customer, offers)) => {
                    crate::biometrics::close_when_done(&app, &customer);
                    let (entries, notices) = follower.update(&customer);
                    if entries.is_empty() {
                        continue;
                    }
                    let view = CustomerView {
                        detail: CustomerDetail::new(&customer, &offers),
                        timeline: follower.timeline(&id),
                    };
                    if let Err(e) = app.emit(CUSTOMER_UPDATED, &view) {
                        tracing::warn!(error = %e, "could not emit {CUSTOMER_UPDATED}");
                    }
                    for notice in notices {
                        notify(&app, &notice);
                    }
                }
                Err(e) => {
                    tracing::debug!(customer = %id, error = %e, "poll failed; backing off");
                    follower.failed(&id);
                }
            }
        }
    }
}

fn notify<R: Runtime>(app: &AppHandle<R>, notice: &Notice) {
    let pt = settings::language(app) == "pt-BR";
    let (title, body) = match notice {
        Notice::Activated { name } => (
            if pt {
                "Cliente ativado"
            } else {
                "Customer activated"
            }
            .to_owned(),
            if pt {
                format!("{name} foi ativado pela Dinie e já tem oferta de crédito.")
            } else {
                format!("{name} was activated by Dinie and has a credit offer.")
            },
        ),
        Notice::Rejected {
            name,
            item,
            message,
        } => (
            if pt {
                "Documento recusado"
            } else {
                "Document rejected"
            }
            .to_owned(),
            format!("{name} · {item}: {}", message.clone().unwrap_or_default()),
        ),
    };
    if let Err(e) = app.notification().builder().title(title).body(body).show() {
        tracing::warn!(error = %e, "could not show a desktop notification");
    }
}
