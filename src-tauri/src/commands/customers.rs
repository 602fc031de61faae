//! The customer workspace: find, check a field while typing, open, close, correct, send a data
//! value, submit for review, the bank account.

use tauri::{AppHandle, Manager, Runtime, State};

use super::error::CommandError;
use crate::services::connection::Connections;
use crate::services::customer_detail::{self, Correction, CustomerView};
use crate::services::customer_index::{self, CustomerIndex, Found};
use crate::services::customer_open::{self, Shown};
use crate::services::customers::{self, CustomerPage, CustomerQuery, FieldVerdict};
use crate::services::drafts::outbox::Outbox;
use crate::services::follow::Follower;

#[tauri::command]
pub async fn search_customers(
    conns: State<'_, Connections>,
    query: CustomerQuery,
) -> Result<CustomerPage, CommandError> {
    Ok(customers::search(&conns.current(), &query).await?)
}

/// The connection's customers in the local index whose name, e-mail, phone, CNPJ, CPF or
/// external id match `text` (offline too).
#[tauri::command]
pub async fn find_customers<R: Runtime>(
    app: AppHandle<R>,
    text: String,
) -> Result<Found, CommandError> {
    super::blocking(app, move |app| {
        let (index, outbox) = (app.state::<CustomerIndex>(), app.state::<Outbox>());
        let conn = app.state::<Connections>().current();
        Ok(customer_index::find(&index, &conn, &outbox, &text)?)
    })
    .await
}

/// "Precisa de ação": the customers that wait on the agent, the longest waiting first.
#[tauri::command]
pub async fn customers_waiting<R: Runtime>(app: AppHandle<R>) -> Result<Found, CommandError> {
    super::blocking(app, |app| {
        let (index, outbox) = (app.state::<CustomerIndex>(), app.state::<Outbox>());
        let conn = app.state::<Connections>().current();
        Ok(customer_index::waiting(&index, &conn, &outbox)?)
    })
    .await
}

/// Brings the local index up to date with Dinie; returns how many customers changed.
#[tauri::command]
pub async fn refresh_customer_index(
    conns: State<'_, Connections>,
    index: State<'_, CustomerIndex>,
    outbox: State<'_, Outbox>,
) -> Result<usize, CommandError> {
    Ok(customer_index::refresh(&index, &conns.current(), &outbox).await?)
}

#[tauri::command]
pub fn validate_field(field: String, value: String) -> Result<FieldVerdict, CommandError> {
    Ok(customers::check_field(&field, &value)?)
}

/// A customer's detail; offline, the one last seen here (`lastSeenAt` says when).
#[tauri::command]
pub async fn open_customer(
    conns: State<'_, Connections>,
    follower: State<'_, Follower>,
    index: State<'_, CustomerIndex>,
    outbox: State<'_, Outbox>,
    id: dinie::CustomerId,
) -> Result<Shown, CommandError> {
    let conn = conns.current();
    Ok(customer_open::open_or_last_seen(&conn, &follower, &index, &outbox, &id).await?)
}

#[tauri::command]
pub fn close_customer(follower: State<'_, Follower>) {
    follower.set_open(None);
}

#[tauri::command]
pub async fn correct_customer(
    conns: State<'_, Connections>,
    follower: State<'_, Follower>,
    id: dinie::CustomerId,
    correction: Correction,
) -> Result<CustomerView, CommandError> {
    Ok(customer_detail::correct(&conns.current(), &follower, &id, &correction).await?)
}

/// Sends a data requirement's value (a co-owner's e-mail).
#[tauri::command]
pub async fn send_kyc_value(
    conns: State<'_, Connections>,
    follower: State<'_, Follower>,
    id: dinie::CustomerId,
    requirement_id: String,
    value: String,
) -> Result<CustomerView, CommandError> {
    let conn = conns.current();
    Ok(customer_detail::send_value(&conn, &follower, &id, &requirement_id, &value).await?)
}

/// Submits the customer for review (`kyc-review`).
#[tauri::command]
pub async fn submit_for_review(
    conns: State<'_, Connections>,
    follower: State<'_, Follower>,
    id: dinie::CustomerId,
) -> Result<CustomerView, CommandError> {
    Ok(customer_detail::submit_for_review(&conns.current(), &follower, &id).await?)
}

/// The banks a bank account may name.
#[tauri::command]
pub async fn list_banks(
    conns: State<'_, Connections>,
) -> Result<Vec<dinie::models::Bank>, CommandError> {
    Ok(customer_detail::banks(&conns.current()).await?)
}

/// Sets the customer's bank account.
#[tauri::command]
pub async fn save_bank_account(
    conns: State<'_, Connections>,
    follower: State<'_, Follower>,
    id: dinie::CustomerId,
    account: dinie::models::BankAccountInput,
) -> Result<CustomerView, CommandError> {
    let conn = conns.current();
    Ok(customer_detail::save_bank_account(&conn, &follower, &id, &account).await?)
}
