//! A typed client for the [Dinie](https://dinie.com.br) Customers API: register borrowers,
//! send their KYC documents, open biometric capture sessions, follow them to activation and
//! read their credit offers.
//!
//! - [`Client`] (built with [`Client::builder`]) handles OAuth2 client credentials
//!   transparently, retries transient failures with backoff (never duplicating a registration:
//!   creates carry an `Idempotency-Key`), and keeps the last rate-limit state.
//! - [`models`] holds the resources; unknown fields are ignored and unknown enum values kept.
//! - [`Error`] is the one error type: API problems (with code, field errors and
//!   `x-request-id`), authentication, connection, timeout, decoding, invalid input.
//! - [`webhooks`] verifies Standard Webhooks signatures and parses the events.
//! - [`br`] parses and formats CPF, CNPJ (numeric and alphanumeric) and +55 phones.
//!
//! # Example
//!
//! ```no_run
//! use dinie::Client;
//!
//! # async fn run() -> dinie::Result<()> {
//! let client = Client::builder()
//!     .base_url(dinie::SANDBOX_URL)
//!     .credentials("dinie_ci_test_…", "dinie_cs_test_…")
//!     .build()?;
//!
//! let registration = client
//!     .customers()
//!     .create("123.456.789-09")
//!     .name("Maria da Silva")
//!     .email("maria@example.com")
//!     .phone("+5511987654321")
//!     .external_id("crm-42")
//!     .send()
//!     .await?;
//! let customer = registration.customer();
//! for item in &customer.kyc {
//!     println!("{} {}: {}", item.kind, item.item_type, item.status);
//! }
//!
//! let doc = client
//!     .customers()
//!     .upload_document(&customer.id, "cnh")
//!     .file("cnh.pdf")
//!     .known_kyc(&customer.kyc)
//!     .send()
//!     .await?;
//! println!("document {} is {}", doc.id, doc.status);
//! # Ok(()) }
//! ```
//!
//! The example above runs for real in `tests/` against the local sandbox (`dinie-sandbox`).

pub mod api;
mod auth;
pub mod br;
mod client;
mod config;
pub mod content;
mod error;
pub mod models;
mod response;
mod retry;
pub mod webhooks;

pub use api::customers::{Customers, Registration};
pub use api::documents::UploadProgress;
pub use client::{Client, ClientBuilder};
pub use config::{
    Config, DEFAULT_MAX_RETRIES, DEFAULT_MAX_UPLOAD_BYTES, DEFAULT_TIMEOUT, PRODUCTION_URL,
    SANDBOX_URL,
};
pub use error::{ApiError, Error, FieldError, InvalidInput, Problem, Result};
pub use models::{Customer, CustomerId, CustomerStatus, KycItem, KycKind, KycStatus};
