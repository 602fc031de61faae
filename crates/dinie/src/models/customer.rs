use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::kyc::{by_subject, KycRequirement, SubjectGroup};
use super::{id_type, open_enum, timestamp};

id_type!(
    /// A customer id, `cust_…`.
    CustomerId
);

open_enum!(
    /// Where a customer is in its lifecycle.
    CustomerStatus {
        /// Just registered: Dinie is looking the company up; requirements not known yet.
        Creating = "creating",
        /// Requirements listed; evidence being collected.
        PendingKyc = "pending_kyc",
        /// Submitted for review (`kyc-review`); Dinie is reviewing.
        UnderReview = "under_review",
        /// Verified and eligible for credit offers.
        Active = "active",
        /// Refused by Dinie.
        Denied = "denied",
    }
);

impl CustomerStatus {
    /// True for `active` and `denied`: nothing more will happen to the registration.
    pub fn is_final(&self) -> bool {
        matches!(self, Self::Active | Self::Denied)
    }
}

/// A credit borrower (a company) registered by the partner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Customer {
    /// `cust_…`
    pub id: CustomerId,
    /// Lifecycle status.
    pub status: CustomerStatus,
    /// The owner's CPF, as Dinie sends it (digits or masked).
    pub cpf: String,
    /// The company's CNPJ, as Dinie sends it (digits or masked; may be alphanumeric).
    #[serde(default)]
    pub cnpj: Option<String>,
    /// The company's name; `None` until Dinie has it.
    #[serde(default)]
    pub name: Option<String>,
    /// E-mail address.
    #[serde(default)]
    pub email: String,
    /// Phone in E.164 (`+55…`).
    #[serde(default)]
    pub phone: String,
    /// Trading name, as Dinie found it.
    #[serde(default)]
    pub trading_name: Option<String>,
    /// The partner's own id for this borrower.
    #[serde(default)]
    pub external_id: Option<String>,
    /// What KYC needs; empty while `creating`.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub kyc: Vec<KycRequirement>,
    /// When the customer was registered.
    #[serde(deserialize_with = "timestamp::required")]
    pub created_at: DateTime<Utc>,
    /// When anything about it last changed.
    #[serde(deserialize_with = "timestamp::required")]
    pub updated_at: DateTime<Utc>,
    /// The partner's metadata, when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<serde_json::Value>,
}

impl Customer {
    /// The requirement with this id.
    pub fn requirement(&self, requirement_id: &str) -> Option<&KycRequirement> {
        self.kyc.iter().find(|k| k.requirement_id == requirement_id)
    }

    /// The requirements grouped by whom they are about: the company, the applicant, each
    /// co-owner.
    pub fn requirements_by_subject(&self) -> Vec<SubjectGroup<'_>> {
        by_subject(&self.kyc)
    }

    /// The mandatory requirements that still lack something (nothing sent, a part missing, or
    /// rejected): what stands between the customer and `kyc-review`.
    pub fn missing_for_review(&self) -> Vec<&KycRequirement> {
        self.kyc
            .iter()
            .filter(|k| k.mandatory && !k.is_complete())
            .collect()
    }

    /// True when the customer can be submitted for review: `pending_kyc`, requirements known,
    /// every mandatory one complete.
    pub fn can_start_review(&self) -> bool {
        self.status == CustomerStatus::PendingKyc
            && !self.kyc.is_empty()
            && self.missing_for_review().is_empty()
    }

    /// A name for people: the company's name, else its trading name, else its CNPJ.
    pub fn display_name(&self) -> &str {
        self.name
            .as_deref()
            .filter(|n| !n.trim().is_empty())
            .or(self
                .trading_name
                .as_deref()
                .filter(|n| !n.trim().is_empty()))
            .or(self.cnpj.as_deref())
            .unwrap_or(self.id.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `wireCustomer` of dinie-tech/sdk-js tests/generated/customers.test.ts: masked CPF and
    /// CNPJ, `external_id` null, no `kyc` (absent outside `pending_kyc`).
    const SDK_JS_CUSTOMER: &str = r#"{
        "id": "cust_1", "external_id": null, "name": "Acme Pagamentos Ltda",
        "email": "ops@acme.test", "phone": "+5511999999999",
        "cpf": "123.456.789-00", "cnpj": "12.345.678/0001-90", "trading_name": "Acme",
        "status": "active", "created_at": 1775253599, "updated_at": 1775253599
    }"#;

    #[test]
    fn decodes_the_sdk_customer_example() {
        let c: Customer = serde_json::from_str(SDK_JS_CUSTOMER).unwrap();
        assert_eq!(c.status, CustomerStatus::Active);
        assert_eq!(c.cnpj.as_deref(), Some("12.345.678/0001-90"));
        assert_eq!(c.external_id, None);
        assert!(c.kyc.is_empty());
        assert_eq!(c.created_at.timestamp(), 1_775_253_599);
        assert_eq!(c.display_name(), "Acme Pagamentos Ltda");
    }

    #[test]
    fn tolerates_null_name_unknown_values_and_fields() {
        let json = r#"{"id":"cust_1","status":"frozen","cpf":"12345678909","cnpj":"12345678000195",
            "name":null,"trading_name":null,"external_id":null,
            "email":"a@b.co","phone":"+5511987654321","brand_new_field":{"x":1},
            "kyc":[{"requirement_type":"liveness","requirement_id":"l","label":"x","mandatory":true}],
            "created_at":1772366400,"updated_at":1772366400}"#;
        let c: Customer = serde_json::from_str(json).unwrap();
        assert_eq!(c.status, CustomerStatus::Unknown("frozen".into()));
        assert_eq!(c.kyc[0].requirement_type.as_str(), "liveness");
        assert_eq!(c.display_name(), "12345678000195");
        assert_eq!(serde_json::to_value(&c.status).unwrap(), "frozen");
        assert!(!c.can_start_review());
    }

    #[test]
    fn review_needs_every_mandatory_requirement_complete() {
        let json = |identity_sent: bool| {
            serde_json::json!({
                "id":"cust_1","status":"pending_kyc","cpf":"1","cnpj":"2","name":null,"trading_name":null,
                "external_id":null,"email":"a@b.co","phone":"+5511987654321","created_at":1,"updated_at":1,
                "kyc":[
                    {"requirement_type":"identity","requirement_id":"identity_s","label":"x","mandatory":true,
                     "subject":{"id":"s","name":"S","subject_type":"applicant"},
                     "submitted":{"evidence_type":"rg","review_status":"pending","review_reason":null,
                        "attachments":[{"attachment_type":"front","submitted":true},{"attachment_type":"back","submitted":identity_sent}]}},
                    {"requirement_type":"income_statement","requirement_id":"income_statement","label":"x","mandatory":false}
                ]
            })
        };
        let partial: Customer = serde_json::from_value(json(false)).unwrap();
        assert_eq!(partial.missing_for_review().len(), 1);
        assert!(!partial.can_start_review());
        let full: Customer = serde_json::from_value(json(true)).unwrap();
        assert!(full.can_start_review());
    }
}
