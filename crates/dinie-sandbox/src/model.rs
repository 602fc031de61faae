//! The customer as the sandbox stores it, with its KYC requirements, and the JSON the API shows.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// A customer as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CustomerRecord {
    pub id: String,
    pub partner: String,
    pub status: String,
    pub cpf: String,
    pub cnpj: String,
    pub name: Option<String>,
    pub email: String,
    pub phone: String,
    pub trading_name: Option<String>,
    pub external_id: Option<String>,
    pub kyc: Vec<Requirement>,
    /// Why Dinie denied the customer, when it did.
    #[serde(default)]
    pub denial_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A person a requirement is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    pub id: String,
    pub name: String,
    pub subject_type: String,
}

/// One part of the evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub attachment_type: String,
    pub submitted: bool,
}

/// What was sent for a requirement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submitted {
    pub evidence_type: String,
    pub attachments: Vec<Attachment>,
    pub review_status: String,
    pub review_reason: Option<String>,
    /// The sandbox's own trigger: a part was sent whose file name (or value) says `reject`.
    #[serde(default)]
    pub will_reject: bool,
}

/// One KYC requirement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requirement {
    pub requirement_id: String,
    pub requirement_type: String,
    pub label: String,
    pub mandatory: bool,
    pub subject: Option<Subject>,
    pub submitted: Option<Submitted>,
}

impl Requirement {
    /// Every part sent and not rejected.
    pub fn is_complete(&self) -> bool {
        self.submitted.as_ref().is_some_and(|s| {
            s.review_status != "rejected"
                && !s.attachments.is_empty()
                && s.attachments.iter().all(|a| a.submitted)
        })
    }

    /// The JSON the API shows (the union member of its `requirement_type`).
    pub fn to_api(&self) -> Value {
        let mut v = json!({
            "requirement_id": self.requirement_id,
            "requirement_type": self.requirement_type,
            "label": self.label,
            "mandatory": self.mandatory,
        });
        if let Some(s) = &self.subject {
            v["subject"] = json!({ "id": s.id, "name": s.name, "subject_type": s.subject_type });
        }
        if let Some(s) = &self.submitted {
            v["submitted"] = json!({
                "evidence_type": s.evidence_type,
                "attachments": s.attachments,
                "review_status": s.review_status,
                "review_reason": s.review_reason,
            });
        }
        v
    }
}

/// Epoch seconds, as every timestamp of the API.
pub fn epoch(t: DateTime<Utc>) -> i64 {
    t.timestamp()
}

impl CustomerRecord {
    /// The JSON the API shows. `kyc` is absent while the customer is `creating`.
    pub fn to_api(&self) -> Value {
        let mut v = json!({
            "id": self.id,
            "status": self.status,
            "cpf": self.cpf,
            "cnpj": self.cnpj,
            "name": self.name,
            "email": self.email,
            "phone": self.phone,
            "trading_name": self.trading_name,
            "external_id": self.external_id,
            "created_at": epoch(self.created_at),
            "updated_at": epoch(self.updated_at),
        });
        if self.status != "creating" {
            v["kyc"] = self.kyc_api();
        }
        v
    }

    /// The `kyc` array.
    pub fn kyc_api(&self) -> Value {
        Value::Array(self.kyc.iter().map(Requirement::to_api).collect())
    }

    /// The requirement with this id.
    pub fn requirement_mut(&mut self, id: &str) -> Option<&mut Requirement> {
        self.kyc.iter_mut().find(|k| k.requirement_id == id)
    }

    /// The mandatory requirements that still lack something.
    pub fn missing(&self) -> Vec<&Requirement> {
        self.kyc
            .iter()
            .filter(|k| k.mandatory && !k.is_complete())
            .collect()
    }
}
