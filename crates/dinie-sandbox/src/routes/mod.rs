//! One router per resource, combined under `/api/v3`.

pub mod auth;
pub mod bank;
pub mod biometrics;
pub mod customers;
pub mod kyc;
pub mod openapi;

use axum::Router;

use crate::state::AppState;

/// Every route of the API, without the `/api/v3` prefix.
pub fn api() -> Router<AppState> {
    Router::new()
        .merge(auth::router())
        .merge(customers::router())
        .merge(kyc::router())
        .merge(bank::router())
        .merge(biometrics::router())
        .merge(openapi::router())
}
