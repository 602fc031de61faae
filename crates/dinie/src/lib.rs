//! A typed client for the [Dinie](https://dinie.com.br) Customers API (contract `2026-03-01`):
//! register borrowers (companies and their owners), send the evidence of each KYC requirement,
//! open biometric capture sessions, submit for review, follow them to activation or denial, and
//! read their credit offers and bank account.
//!
//! - [`Client`] (built with [`Client::builder`]) handles OAuth2 client credentials
//!   transparently, retries transient failures with backoff (never duplicating a write: every
//!   POST and PATCH carries one idempotency key across its retries), and keeps the last
//!   rate-limit state.
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
//! use dinie::{AttachmentTarget, AttachmentType, Client, CustomerStatus, EvidenceType, RequirementType};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! # let config = dinie_sandbox::SandboxConfig { lookup_delay: std::time::Duration::ZERO, ..Default::default() };
//! # let sandbox = dinie_sandbox::Sandbox::start(config, listener).await?;
//! # let base_url = sandbox.base_url();
//! # let dir = tempfile::tempdir()?;
//! # let cnh_pdf = dir.path().join("cnh.pdf");
//! # std::fs::write(&cnh_pdf, b"%PDF-1.4 a scanned licence")?;
//! let client = Client::builder()
//!     .base_url(&base_url) // e.g. dinie::SANDBOX_URL
//!     .credentials("dinie_ci_test_sandbox", "dinie_cs_test_sandbox")
//!     .build()?;
//!
//! // The company (CNPJ) and its owner (CPF).
//! let registration = client
//!     .customers()
//!     .create("123.456.789-09", "11.222.333/0001-81")
//!     .email("maria@example.com")
//!     .phone("+5511987654321")
//!     .external_id("crm-42")
//!     .send()
//!     .await?;
//! let customer = registration.customer();
//! assert!(registration.is_new());
//! assert_eq!(customer.status, CustomerStatus::PendingKyc);
//! for group in customer.requirements_by_subject() {
//!     let whom = group.subject.map_or("the company", |s| s.name.as_str());
//!     for req in group.requirements {
//!         println!("{whom}: {} (mandatory: {})", req.label, req.mandatory);
//!     }
//! }
//!
//! let identity = customer
//!     .kyc
//!     .iter()
//!     .find(|k| k.requirement_type == RequirementType::Identity)
//!     .expect("every applicant has one");
//! let receipt = client
//!     .customers()
//!     .kyc_attachment(
//!         &customer.id,
//!         AttachmentTarget {
//!             requirement_id: identity.requirement_id.clone(),
//!             evidence_type: EvidenceType::Cnh,
//!             attachment_type: AttachmentType::File,
//!         },
//!     )
//!     .file(&cnh_pdf)
//!     .known_kyc(&customer.kyc)
//!     .send()
//!     .await?;
//! assert!(receipt.submitted);
//! // … the other requirements, the biometrics session, then:
//! // client.customers().start_kyc_review(&customer.id).await?;
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
mod pacing;
mod response;
mod retry;
mod upload_watch;
pub mod webhooks;

pub use api::customers::{CustomerSort, Customers, Registration, SortOrder};
pub use api::kyc_attachments::{AttachmentTarget, UploadProgress};
pub use client::{Client, ClientBuilder};
pub use config::{
    is_loopback, Config, DEFAULT_MAX_RETRIES, DEFAULT_MAX_UPLOAD_BYTES, DEFAULT_TIMEOUT,
    PRODUCTION_URL, SANDBOX_URL,
};
pub use error::{ApiError, Error, FieldError, InvalidInput, Problem, Result};
pub use models::{
    AttachmentType, Customer, CustomerId, CustomerStatus, EvidenceType, KycRequirement,
    RequirementType, ReviewStatus,
};
