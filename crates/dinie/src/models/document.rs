use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{id_type, open_enum, timestamp};

id_type!(
    /// A document id, `doc_…`.
    DocumentId
);

open_enum!(
    /// Review state of an uploaded document.
    DocumentStatus {
        /// In review.
        Submitted = "submitted",
        /// Accepted.
        Approved = "approved",
        /// Refused.
        Rejected = "rejected",
    }
);

/// An uploaded KYC document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Document {
    /// `doc_…`
    pub id: DocumentId,
    /// The KYC type it was sent for.
    #[serde(rename = "type")]
    pub doc_type: String,
    /// Review state.
    pub status: DocumentStatus,
    /// When it was received.
    #[serde(default, deserialize_with = "timestamp::optional")]
    pub uploaded_at: Option<DateTime<Utc>>,
    /// Creation time.
    #[serde(default, deserialize_with = "timestamp::optional")]
    pub created_at: Option<DateTime<Utc>>,
    /// Last change.
    #[serde(default, deserialize_with = "timestamp::optional")]
    pub updated_at: Option<DateTime<Utc>>,
}

/// A biometric capture session: open `session_url` for the borrower before `expires_at`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BiometricsSession {
    /// The capture page.
    pub session_url: String,
    /// When the link stops working.
    #[serde(deserialize_with = "timestamp::required")]
    pub expires_at: DateTime<Utc>,
}
