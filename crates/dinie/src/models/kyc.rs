//! KYC requirements: what Dinie needs about a customer, person by person, and how far each is.
//!
//! On the wire a requirement is a union on `requirement_type` (Dinie's contract `2026-03-01`):
//! person requirements (`identity`, `selfie`, `proof_of_address`, `email`) carry a `subject`
//! (the applicant or a co-owner), company requirements do not. Here it is one struct whose type
//! is an open enum, so that a requirement type this crate does not know yet still decodes and
//! shows (with its label) instead of failing the customer.

use serde::{Deserialize, Serialize};

use super::open_enum;

open_enum!(
    /// What a requirement asks for.
    RequirementType {
        /// An identity document of a person (CNH or RG).
        Identity = "identity",
        /// A selfie of a person, taken only by the biometrics capture.
        Selfie = "selfie",
        /// A person's proof of address.
        ProofOfAddress = "proof_of_address",
        /// A person's e-mail (a co-owner's, to sign the credit note), sent as a text value.
        Email = "email",
        /// The company's document (the MEI's CCMEI).
        CompanyDocument = "company_document",
        /// An EI's or MEI's registration documents.
        EiMeiDocuments = "ei_mei_documents",
        /// The company's income statement.
        IncomeStatement = "income_statement",
        /// An LTDA's articles of association (contrato social).
        ArticlesOfAssociation = "articles_of_association",
        /// An EIRELI's incorporation statement.
        EireliIncorporationStatement = "eireli_incorporation_statement",
    }
);

open_enum!(
    /// Which evidence was (or will be) sent for a requirement.
    EvidenceType {
        /// Driver's licence (CNH): front and back, or one scan.
        Cnh = "cnh",
        /// Identity card (RG): front and back.
        Rg = "rg",
        /// A selfie photo.
        Selfie = "selfie",
        /// A proof of address.
        ProofOfAddress = "proof_of_address",
        /// An e-mail address (a text value).
        Email = "email",
        /// The CCMEI certificate.
        Ccmei = "ccmei",
        /// EI/MEI documents.
        EiMei = "ei_mei",
        /// An income statement.
        IncomeStatement = "income_statement",
        /// Articles of association.
        ArticlesOfAssociation = "articles_of_association",
        /// EIRELI incorporation statement.
        EireliIncorporationStatement = "eireli_incorporation_statement",
    }
);

open_enum!(
    /// One part of a piece of evidence.
    AttachmentType {
        /// The front of a document.
        Front = "front",
        /// The back of a document.
        Back = "back",
        /// The whole document in one file.
        File = "file",
        /// A photo (the selfie).
        Photo = "photo",
        /// An e-mail value.
        Email = "email",
        /// The CCMEI certificate (for `ei_mei`).
        Ccmei = "ccmei",
        /// The EI registration requirement (for `ei_mei`).
        EiRegistrationRequirement = "ei_registration_requirement",
    }
);

open_enum!(
    /// Dinie's decision on what was sent.
    ReviewStatus {
        /// Not decided yet (sent, or being reviewed).
        Pending = "pending",
        /// Accepted.
        Accepted = "accepted",
        /// Refused; `review_reason` says why. Send it again, then submit for review again.
        Rejected = "rejected",
    }
);

open_enum!(
    /// Whom a person requirement is about.
    SubjectType {
        /// The person who applies for the company (its owner or legal representative).
        Applicant = "applicant",
        /// Another owner (sócio) of the company.
        CoOwner = "co_owner",
    }
);

/// The person a requirement is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct KycSubject {
    /// Dinie's id of the person (stable across requirements).
    pub id: String,
    /// The person's name.
    #[serde(default)]
    pub name: String,
    /// Applicant or co-owner.
    pub subject_type: SubjectType,
}

/// One part of the evidence and whether it has been received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct KycAttachment {
    /// Which part.
    pub attachment_type: AttachmentType,
    /// True once Dinie has it.
    pub submitted: bool,
}

/// What has been sent for a requirement, and Dinie's decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct KycSubmitted {
    /// The evidence chosen (for identity: CNH or RG).
    pub evidence_type: EvidenceType,
    /// Every part the evidence needs, received or not.
    #[serde(default)]
    pub attachments: Vec<KycAttachment>,
    /// Dinie's decision.
    pub review_status: ReviewStatus,
    /// Why it was rejected.
    #[serde(default)]
    pub review_reason: Option<String>,
}

/// One KYC requirement of a customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct KycRequirement {
    /// The id to upload against (`identity_<subject id>`, `ei_mei_documents`, …).
    pub requirement_id: String,
    /// What it asks for.
    pub requirement_type: RequirementType,
    /// Text for people (pt-BR).
    #[serde(default)]
    pub label: String,
    /// Whether review can start without it.
    #[serde(default)]
    pub mandatory: bool,
    /// The person it is about; `None` for company requirements.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<KycSubject>,
    /// What was sent; `None` while nothing has been.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitted: Option<KycSubmitted>,
}

/// One way of satisfying a requirement: an evidence type and the attachments it takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceOption {
    /// The evidence type.
    pub evidence_type: EvidenceType,
    /// Alternative sets of attachments, any one of which completes the evidence (a CNH is
    /// `front` + `back`, or one `file`).
    pub attachment_sets: Vec<Vec<AttachmentType>>,
}

impl EvidenceOption {
    fn new(evidence_type: EvidenceType, sets: &[&[AttachmentType]]) -> Self {
        Self {
            evidence_type,
            attachment_sets: sets.iter().map(|s| s.to_vec()).collect(),
        }
    }

    /// Every attachment type this evidence accepts.
    pub fn attachment_types(&self) -> Vec<AttachmentType> {
        let mut all: Vec<AttachmentType> = Vec::new();
        for t in self.attachment_sets.iter().flatten() {
            if !all.contains(t) {
                all.push(t.clone());
            }
        }
        all
    }
}

impl RequirementType {
    /// True for requirements about a person (they carry a subject).
    pub fn is_about_a_person(&self) -> bool {
        matches!(
            self,
            Self::Identity | Self::Selfie | Self::ProofOfAddress | Self::Email
        )
    }

    /// True when the evidence is a text value (an e-mail), not a file.
    pub fn takes_a_value(&self) -> bool {
        matches!(self, Self::Email)
    }

    /// True when only the biometrics session may send it (a partner's upload gets 403).
    pub fn is_captured_by_biometrics(&self) -> bool {
        matches!(self, Self::Selfie)
    }

    /// The evidence this requirement accepts, per Dinie's contract. Empty for an unknown type.
    pub fn evidence_options(&self) -> Vec<EvidenceOption> {
        use AttachmentType as A;
        use EvidenceType as E;
        let one = |e: E, a: A| vec![EvidenceOption::new(e, &[&[a]])];
        match self {
            Self::Identity => vec![
                EvidenceOption::new(E::Cnh, &[&[A::Front, A::Back], &[A::File]]),
                EvidenceOption::new(E::Rg, &[&[A::Front, A::Back]]),
            ],
            Self::Selfie => one(E::Selfie, A::Photo),
            Self::ProofOfAddress => one(E::ProofOfAddress, A::File),
            Self::Email => one(E::Email, A::Email),
            Self::CompanyDocument => one(E::Ccmei, A::File),
            Self::EiMeiDocuments => vec![EvidenceOption::new(
                E::EiMei,
                &[&[A::Ccmei], &[A::EiRegistrationRequirement]],
            )],
            Self::IncomeStatement => one(E::IncomeStatement, A::File),
            Self::ArticlesOfAssociation => one(E::ArticlesOfAssociation, A::File),
            Self::EireliIncorporationStatement => one(E::EireliIncorporationStatement, A::File),
            Self::Unknown(_) => Vec::new(),
        }
    }

    /// The option for `evidence`, if this requirement accepts it.
    pub fn evidence_option(&self, evidence: &EvidenceType) -> Option<EvidenceOption> {
        self.evidence_options()
            .into_iter()
            .find(|o| &o.evidence_type == evidence)
    }
}

impl KycRequirement {
    /// True when every part of the evidence has been received and it is not rejected: nothing
    /// is left for the agent to send.
    pub fn is_complete(&self) -> bool {
        match &self.submitted {
            None => false,
            Some(s) => {
                s.review_status != ReviewStatus::Rejected
                    && !s.attachments.is_empty()
                    && s.attachments.iter().all(|a| a.submitted)
            }
        }
    }

    /// True when Dinie rejected what was sent.
    pub fn is_rejected(&self) -> bool {
        self.submitted
            .as_ref()
            .is_some_and(|s| s.review_status == ReviewStatus::Rejected)
    }

    /// True when Dinie accepted it.
    pub fn is_accepted(&self) -> bool {
        self.submitted
            .as_ref()
            .is_some_and(|s| s.review_status == ReviewStatus::Accepted)
    }

    /// The attachments of the current evidence still to be sent (empty when nothing was sent:
    /// then the whole evidence is missing).
    pub fn missing_attachments(&self) -> Vec<&AttachmentType> {
        self.submitted
            .as_ref()
            .map(|s| {
                s.attachments
                    .iter()
                    .filter(|a| !a.submitted)
                    .map(|a| &a.attachment_type)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Whether this requirement accepts `attachment` of `evidence`.
    pub fn accepts(&self, evidence: &EvidenceType, attachment: &AttachmentType) -> bool {
        self.requirement_type
            .evidence_option(evidence)
            .is_some_and(|o| o.attachment_types().contains(attachment))
    }
}

/// The requirements of one subject: the company (`subject` `None`) or one person.
#[derive(Debug, Clone, PartialEq)]
pub struct SubjectGroup<'a> {
    /// The person, or `None` for the company.
    pub subject: Option<&'a KycSubject>,
    /// Their requirements, in the order Dinie lists them.
    pub requirements: Vec<&'a KycRequirement>,
}

/// Groups requirements by whom they are about: the company first, then the applicant, then
/// each co-owner in the order Dinie lists them.
pub fn by_subject(kyc: &[KycRequirement]) -> Vec<SubjectGroup<'_>> {
    let mut groups: Vec<SubjectGroup<'_>> = Vec::new();
    for req in kyc {
        let subject = req.subject.as_ref();
        let key = subject.map(|s| s.id.as_str());
        match groups
            .iter_mut()
            .find(|g| g.subject.map(|s| s.id.as_str()) == key)
        {
            Some(g) => g.requirements.push(req),
            None => groups.push(SubjectGroup {
                subject,
                requirements: vec![req],
            }),
        }
    }
    groups.sort_by_key(|g| match g.subject.map(|s| &s.subject_type) {
        None => 0,
        Some(SubjectType::Applicant) => 1,
        Some(_) => 2,
    });
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The identity requirement with CNH front and back of `kyc.test.ts` in dinie-tech/sdk-js
    /// (tests/generated/kyc.test.ts, "dispatches submitted to CNH"); `review_reason` absent.
    const SDK_JS_IDENTITY_CNH: &str = r#"{
        "requirement_type": "identity",
        "requirement_id": "identity_003XXXXXXXXXXXXXXX",
        "label": "Documento de identidade",
        "mandatory": true,
        "subject": {"id": "003XXXXXXXXXXXXXXX", "name": "Joao Silva", "subject_type": "applicant"},
        "submitted": {
            "evidence_type": "cnh",
            "attachments": [
                {"attachment_type": "front", "submitted": true},
                {"attachment_type": "back", "submitted": false}
            ],
            "review_status": "pending"
        }
    }"#;

    #[test]
    fn decodes_the_sdk_identity_example() {
        let req: KycRequirement = serde_json::from_str(SDK_JS_IDENTITY_CNH).unwrap();
        assert_eq!(req.requirement_type, RequirementType::Identity);
        let subject = req.subject.as_ref().unwrap();
        assert_eq!(subject.subject_type, SubjectType::Applicant);
        assert_eq!(subject.name, "Joao Silva");
        let sub = req.submitted.as_ref().unwrap();
        assert_eq!(sub.evidence_type, EvidenceType::Cnh);
        assert_eq!(sub.review_status, ReviewStatus::Pending);
        assert!(!req.is_complete());
        assert_eq!(req.missing_attachments(), [&AttachmentType::Back]);
    }

    /// Every requirement variant of `REQUIREMENT_CASES` in sdk-js tests/generated/kyc.test.ts.
    #[test]
    fn decodes_every_sdk_requirement_variant() {
        let cases = [
            (
                r#"{"requirement_type":"identity","requirement_id":"identity_003XXXXXXXXXXXXXXX","label":"Documento de identidade","mandatory":true,"subject":{"id":"003XXXXXXXXXXXXXXX","name":"Joao Silva","subject_type":"applicant"}}"#,
                true,
            ),
            (
                r#"{"requirement_type":"selfie","requirement_id":"selfie_003XXXXXXXXXXXXXXX","label":"Selfie","mandatory":true,"subject":{"id":"003XXXXXXXXXXXXXXX","name":"Joao Silva","subject_type":"applicant"}}"#,
                true,
            ),
            (
                r#"{"requirement_type":"proof_of_address","requirement_id":"proof_of_address_003XXXXXXXXXXXXXXX","label":"Comprovante de endereço","mandatory":true,"subject":{"id":"003XXXXXXXXXXXXXXX","name":"Joao Silva","subject_type":"applicant"}}"#,
                true,
            ),
            (
                r#"{"requirement_type":"company_document","requirement_id":"company_document","label":"Documento da empresa","mandatory":true}"#,
                false,
            ),
            (
                r#"{"requirement_type":"ei_mei_documents","requirement_id":"ei_mei_documents","label":"Documentos de EI/MEI","mandatory":true}"#,
                false,
            ),
            (
                r#"{"requirement_type":"income_statement","requirement_id":"income_statement","label":"Declaração de faturamento","mandatory":true}"#,
                false,
            ),
            (
                r#"{"requirement_type":"articles_of_association","requirement_id":"articles_of_association","label":"Contrato social","mandatory":true}"#,
                false,
            ),
            (
                r#"{"requirement_type":"eireli_incorporation_statement","requirement_id":"eireli_incorporation_statement","label":"Ato constitutivo de EIRELI","mandatory":true}"#,
                false,
            ),
            (
                r#"{"requirement_type":"email","requirement_id":"email_003XXXXXXXXXXXXXXX","label":"Email do co-titular para assinatura da CCB","mandatory":true,"subject":{"id":"003XXXXXXXXXXXXXXX","name":"Joao Silva","subject_type":"applicant"}}"#,
                true,
            ),
        ];
        for (json, person) in cases {
            let req: KycRequirement = serde_json::from_str(json).unwrap();
            assert!(!matches!(req.requirement_type, RequirementType::Unknown(_)));
            assert_eq!(req.subject.is_some(), person, "{json}");
            assert_eq!(req.requirement_type.is_about_a_person(), person);
            assert!(!req.requirement_type.evidence_options().is_empty());
        }
    }

    #[test]
    fn keeps_an_unknown_requirement() {
        let req: KycRequirement = serde_json::from_str(
            r#"{"requirement_type":"passport","requirement_id":"passport_1","label":"Passaporte","mandatory":false,
                "submitted":{"evidence_type":"scan","attachments":[{"attachment_type":"page","submitted":true}],"review_status":"queued","review_reason":null}}"#,
        )
        .unwrap();
        assert_eq!(req.requirement_type.as_str(), "passport");
        assert_eq!(req.label, "Passaporte");
        assert!(req.requirement_type.evidence_options().is_empty());
        assert!(req.is_complete());
    }

    #[test]
    fn identity_accepts_cnh_sides_or_one_file_and_rg_sides() {
        let req: KycRequirement = serde_json::from_str(SDK_JS_IDENTITY_CNH).unwrap();
        assert!(req.accepts(&EvidenceType::Cnh, &AttachmentType::File));
        assert!(req.accepts(&EvidenceType::Rg, &AttachmentType::Back));
        assert!(!req.accepts(&EvidenceType::Rg, &AttachmentType::File));
        assert!(!req.accepts(&EvidenceType::Ccmei, &AttachmentType::File));
    }

    #[test]
    fn groups_company_applicant_then_co_owners() {
        let person = |id: &str, kind: &str, t: &str| {
            serde_json::from_value::<KycRequirement>(serde_json::json!({
                "requirement_type": t, "requirement_id": format!("{t}_{id}"), "label": t, "mandatory": true,
                "subject": {"id": id, "name": id, "subject_type": kind}
            }))
            .unwrap()
        };
        let company: KycRequirement = serde_json::from_str(
            r#"{"requirement_type":"articles_of_association","requirement_id":"articles_of_association","label":"x","mandatory":true}"#,
        )
        .unwrap();
        let kyc = vec![
            person("b", "co_owner", "identity"),
            person("a", "applicant", "identity"),
            company,
            person("b", "co_owner", "email"),
            person("a", "applicant", "selfie"),
        ];
        let groups = by_subject(&kyc);
        let names: Vec<_> = groups
            .iter()
            .map(|g| (g.subject.map(|s| s.id.as_str()), g.requirements.len()))
            .collect();
        assert_eq!(names, [(None, 1), (Some("a"), 2), (Some("b"), 2)]);
    }
}
