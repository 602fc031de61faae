//! The customer as the sandbox stores it, its KYC requirements and the lifecycle rules:
//! what happens to a customer when a document is sent, reviewed or corrected.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// A customer as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CustomerRecord {
    pub id: String,
    pub partner: String,
    pub status: String,
    pub cpf: String,
    pub cnpj: Option<String>,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub trading_name: Option<String>,
    pub external_id: Option<String>,
    pub kyc: Vec<KycEntry>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One KYC requirement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KycEntry {
    pub kind: String,
    #[serde(rename = "type")]
    pub item_type: String,
    pub description: String,
    pub status: String,
    pub message: Option<String>,
    pub uploaded_at: Option<DateTime<Utc>>,
}

/// Message of a document the sandbox rejects (file name containing `reject`).
pub const REJECTION_MESSAGE: &str =
    "Documento ilegível ou incompleto. Envie uma nova imagem, nítida e sem cortes.";
/// Message of the e-mail a `+fix` address puts in correction.
pub const EMAIL_CORRECTION_MESSAGE: &str =
    "Não foi possível validar o e-mail informado. Corrija o e-mail do cliente.";
/// Message of a failed biometric capture.
pub const BIOMETRICS_FAILED_MESSAGE: &str =
    "A captura biométrica não foi concluída. Inicie uma nova sessão.";

fn item(kind: &str, item_type: &str, description: &str) -> KycEntry {
    KycEntry {
        kind: kind.into(),
        item_type: item_type.into(),
        description: description.into(),
        status: "pending".into(),
        message: None,
        uploaded_at: None,
    }
}

/// The requirements of a profile: CPF only → CNH, selfie, biometrics; with a CNPJ (MEI) → also
/// the CCMEI. An e-mail whose local part has `+fix` adds an e-mail correction.
pub fn requirements(has_cnpj: bool, email: &str) -> Vec<KycEntry> {
    let mut kyc = vec![
        item(
            "document",
            "cnh",
            "Carteira Nacional de Habilitação (CNH), frente e verso",
        ),
        item(
            "document",
            "selfie",
            "Selfie do cliente segurando o documento",
        ),
    ];
    if has_cnpj {
        kyc.push(item(
            "document",
            "ccmei",
            "Certificado da Condição de Microempreendedor Individual (CCMEI)",
        ));
    }
    kyc.push(item(
        "biometrics",
        "biometrics",
        "Prova de vida por biometria facial",
    ));
    if needs_email_correction(email) {
        let mut email_item = item("data", "email", "E-mail do cliente");
        email_item.status = "pending_correction".into();
        email_item.message = Some(EMAIL_CORRECTION_MESSAGE.into());
        kyc.push(email_item);
    }
    kyc
}

/// The sandbox's deterministic trigger for a data correction.
pub fn needs_email_correction(email: &str) -> bool {
    email
        .split_once('@')
        .is_some_and(|(local, _)| local.contains("+fix"))
}

/// The status the KYC items imply: every item approved → `active`; every item sent (submitted
/// or approved) → `under_review`; otherwise `pending_kyc`.
pub fn derived_status(kyc: &[KycEntry]) -> &'static str {
    if kyc.iter().all(|k| k.status == "approved") {
        "active"
    } else if kyc
        .iter()
        .all(|k| k.status == "submitted" || k.status == "approved")
    {
        "under_review"
    } else {
        "pending_kyc"
    }
}

/// RFC 3339 with seconds, `Z`.
pub fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl CustomerRecord {
    /// The JSON the API shows.
    pub fn to_api(&self) -> Value {
        json!({
            "id": self.id,
            "status": self.status,
            "cpf": self.cpf,
            "cnpj": self.cnpj,
            "name": self.name,
            "email": self.email,
            "phone": self.phone,
            "trading_name": self.trading_name,
            "external_id": self.external_id,
            "kyc": self.kyc.iter().map(KycEntry::to_api).collect::<Vec<_>>(),
            "created_at": iso(self.created_at),
            "updated_at": iso(self.updated_at),
        })
    }

    /// The item of this type.
    pub fn item_mut(&mut self, item_type: &str) -> Option<&mut KycEntry> {
        self.kyc.iter_mut().find(|k| k.item_type == item_type)
    }
}

impl KycEntry {
    /// The JSON the API shows.
    pub fn to_api(&self) -> Value {
        json!({
            "kind": self.kind,
            "type": self.item_type,
            "description": self.description,
            "status": self.status,
            "message": self.message,
            "uploaded_at": self.uploaded_at.map(iso),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requirements_by_profile() {
        let types = |kyc: Vec<KycEntry>| kyc.into_iter().map(|k| k.item_type).collect::<Vec<_>>();
        assert_eq!(
            types(requirements(false, "a@b.co")),
            ["cnh", "selfie", "biometrics"]
        );
        assert_eq!(
            types(requirements(true, "a@b.co")),
            ["cnh", "selfie", "ccmei", "biometrics"]
        );
        let fix = requirements(false, "ana+fix@b.co");
        assert_eq!(
            fix.last().map(|k| k.status.as_str()),
            Some("pending_correction")
        );
        assert!(!needs_email_correction("ana@fix.co"));
    }

    #[test]
    fn status_follows_the_items() {
        let mut kyc = requirements(false, "a@b.co");
        assert_eq!(derived_status(&kyc), "pending_kyc");
        for k in &mut kyc {
            k.status = "submitted".into();
        }
        assert_eq!(derived_status(&kyc), "under_review");
        kyc[0].status = "rejected".into();
        assert_eq!(derived_status(&kyc), "pending_kyc");
        for k in &mut kyc {
            k.status = "approved".into();
        }
        assert_eq!(derived_status(&kyc), "active");
    }
}
