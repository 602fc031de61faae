//! The customer workspace: find, check a field while typing, open, close, correct.

use tauri::State;

use super::error::CommandError;
use crate::services::connection::Connections;
use crate::services::customer_detail::{self, Correction, CustomerView};
use crate::services::customers::{self, CustomerPage, CustomerQuery, FieldVerdict};
use crate::services::follow::Follower;

#[tauri::command]
pub async fn search_customers(
    conns: State<'_, Connections>,
    query: CustomerQuery,
) -> Result<CustomerPage, CommandError> {
    Ok(customers::search(&conns.current(), &query).await?)
}

#[tauri::command]
pub fn validate_field(field: String, value: String) -> Result<FieldVerdict, CommandError> {
    Ok(customers::check_field(&field, &value)?)
}

#[tauri::command]
pub async fn open_customer(
    conns: State<'_, Connections>,
    follower: State<'_, Follower>,
    id: dinie::CustomerId,
) -> Result<CustomerView, CommandError> {
    Ok(customer_detail::open(&conns.current(), &follower, &id).await?)
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
