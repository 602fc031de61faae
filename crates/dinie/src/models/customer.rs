use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{id_type, open_enum, timestamp};

id_type!(
    /// A customer id, `cust_…`.
    CustomerId
);

open_enum!(
    /// Where a customer is in its lifecycle.
    CustomerStatus {
        /// Registered; KYC items still to be sent.
        PendingKyc = "pending_kyc",
        /// Every item sent; Dinie is reviewing.
        UnderReview = "under_review",
        /// Verified and eligible for credit offers.
        Active = "active",
        /// Being created (newer contract).
        Creating = "creating",
        /// Refused (newer contract).
        Denied = "denied",
    }
);

open_enum!(
    /// What a KYC item asks for.
    KycKind {
        /// A document file to upload.
        Document = "document",
        /// A registration field to correct with a PATCH.
        Data = "data",
        /// A biometric capture session.
        Biometrics = "biometrics",
    }
);

open_enum!(
    /// The state of one KYC item.
    KycStatus {
        /// Nothing sent yet.
        Pending = "pending",
        /// Sent, in review.
        Submitted = "submitted",
        /// Accepted.
        Approved = "approved",
        /// Refused; `message` says why. Send again.
        Rejected = "rejected",
        /// A data field must be corrected with a PATCH.
        PendingCorrection = "pending_correction",
    }
);

/// A credit borrower registered by the partner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Customer {
    /// `cust_…`
    pub id: CustomerId,
    /// Lifecycle status.
    pub status: CustomerStatus,
    /// The borrower's CPF, 11 digits.
    pub cpf: String,
    /// The MEI's CNPJ, when there is one.
    #[serde(default)]
    pub cnpj: Option<String>,
    /// Full name.
    #[serde(default)]
    pub name: String,
    /// E-mail address.
    #[serde(default)]
    pub email: String,
    /// Phone in E.164 (`+55…`).
    #[serde(default)]
    pub phone: String,
    /// Trading name of the MEI.
    #[serde(default)]
    pub trading_name: Option<String>,
    /// The partner's own id for this borrower.
    #[serde(default)]
    pub external_id: Option<String>,
    /// What KYC needs and how far each item is.
    #[serde(default)]
    pub kyc: Vec<KycItem>,
    /// When the customer was registered.
    #[serde(deserialize_with = "timestamp::required")]
    pub created_at: DateTime<Utc>,
    /// When anything about it last changed.
    #[serde(deserialize_with = "timestamp::required")]
    pub updated_at: DateTime<Utc>,
}

impl Customer {
    /// The KYC item of this type, if the customer has one.
    pub fn kyc_item(&self, item_type: &str) -> Option<&KycItem> {
        self.kyc.iter().find(|k| k.item_type == item_type)
    }

    /// The document types this customer's `kyc` lists (what an upload may send).
    pub fn document_types(&self) -> Vec<&str> {
        self.kyc
            .iter()
            .filter(|k| k.kind == KycKind::Document)
            .map(|k| k.item_type.as_str())
            .collect()
    }
}

/// One KYC requirement of a customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct KycItem {
    /// Document, data or biometrics.
    pub kind: KycKind,
    /// `cnh`, `selfie`, `ccmei`, `biometrics`, or for `data` the field (`email`, …).
    #[serde(rename = "type")]
    pub item_type: String,
    /// Human description (pt-BR).
    #[serde(default)]
    pub description: Option<String>,
    /// Progress.
    pub status: KycStatus,
    /// The reviewer's message (why it was rejected, what to correct).
    #[serde(default)]
    pub message: Option<String>,
    /// When the last file for it was sent.
    #[serde(default, deserialize_with = "timestamp::optional")]
    pub uploaded_at: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tolerates_unknown_values_and_fields() {
        let json = r#"{"id":"cust_1","status":"frozen","cpf":"12345678909","name":"A",
            "email":"a@b.co","phone":"+5511987654321","brand_new_field":{"x":1},
            "kyc":[{"kind":"video","type":"liveness","status":"queued","description":"x"}],
            "created_at":1772366400,"updated_at":"2026-03-01T12:00:00Z"}"#;
        let c: Customer = serde_json::from_str(json).unwrap();
        assert_eq!(c.status, CustomerStatus::Unknown("frozen".into()));
        assert_eq!(c.kyc[0].kind, KycKind::Unknown("video".into()));
        assert_eq!(c.kyc[0].status.as_str(), "queued");
        assert_eq!(serde_json::to_value(&c.status).unwrap(), "frozen");
    }
}
