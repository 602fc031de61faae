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
//! Runs as a doc test against the local sandbox (`dinie-sandbox`); point `base_url` at
//! [`SANDBOX_URL`] or [`PRODUCTION_URL`] with your partner credentials for the real thing.
//!
//! ```
//! use dinie::{Client, CustomerStatus};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! # let sandbox = dinie_sandbox::Sandbox::start(Default::default(), listener).await?;
//! # let base_url = sandbox.base_url();
//! # let dir = tempfile::tempdir()?;
//! # let cnh_pdf = dir.path().join("cnh.pdf");
//! # std::fs::write(&cnh_pdf, b"%PDF-1.4 a scanned licence")?;
//! let client = Client::builder()
//!     .base_url(&base_url) // e.g. dinie::SANDBOX_URL
//!     .credentials("dinie_ci_test_sandbox", "dinie_cs_test_sandbox")
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
//! assert!(registration.is_new());
//! assert_eq!(customer.status, CustomerStatus::PendingKyc);
//! for item in &customer.kyc {
//!     println!("{} {}: {}", item.kind, item.item_type, item.status);
//! }
//!
//! let doc = client
//!     .customers()
//!     .upload_document(&customer.id, "cnh")
//!     .file(&cnh_pdf)
//!     .known_kyc(&customer.kyc)
//!     .send()
//!     .await?;
//! println!("document {} is {}", doc.id, doc.status);
//! # Ok(()) }
//! ```

pub mod api;
mod auth;
pub mod br;
mod client;
mod config;
pub mod content;
pub mod email;
mod error;
pub mod models;
mod response;
mod retry;
pub mod webhooks;

pub use api::customers::{Customers, Registration};
pub use api::documents::UploadProgress;
pub use client::{Client, ClientBuilder};
pub use config::{
    is_loopback, Config, DEFAULT_MAX_RETRIES, DEFAULT_MAX_UPLOAD_BYTES, DEFAULT_TIMEOUT,
    PRODUCTION_URL, SANDBOX_URL,
};
pub use error::{ApiError, Error, FieldError, InvalidInput, Problem, Result};
pub use models::{Customer, CustomerId, CustomerStatus, KycItem, KycKind, KycStatus};
