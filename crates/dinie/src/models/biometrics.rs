use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::timestamp;

/// A biometric capture session: open `session_url` for the borrower before `expires_at`. Dinie's
/// capture app takes the selfies and may collect the bank account; progress shows on the
/// customer's `selfie` requirements.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BiometricsSession {
    /// The capture page (single use).
    pub session_url: String,
    /// When the link stops working.
    #[serde(deserialize_with = "timestamp::required")]
    pub expires_at: DateTime<Utc>,
}

/// What `POST /customers/{id}/kyc-attachments` answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct KycAttachmentReceipt {
    /// The part received.
    pub attachment_type: super::AttachmentType,
    /// True: Dinie has it (read the customer for the requirement's new state).
    pub submitted: bool,
}
