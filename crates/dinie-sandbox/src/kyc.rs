//! What Dinie asks of each company, decided deterministically from its CNPJ, and what an
//! upload does to a requirement.
//!
//! **The legal form rule**: the eighth character of the CNPJ (the last of its 8-character
//! root) decides, a letter counting as its value (ASCII code − 48) modulo 10:
//!
//! | 8th character | legal form | requirements |
//! |---|---|---|
//! | 0–3 | MEI | CCMEI (`company_document`); applicant's identity and selfie; proof of address (optional) |
//! | 4–5 | EI | EI/MEI documents; income statement; applicant's identity, selfie, proof of address |
//! | 6–8 | LTDA with two co-owners | articles of association; income statement (optional); applicant's identity and selfie; each co-owner's identity, selfie and e-mail |
//! | 9 | EIRELI | EIRELI incorporation statement; applicant's identity and selfie |
//!
//! So `11.222.333/0001-81` (8th character `3`) is a MEI, `11.222.336/0001-…` an LTDA.

use rand::distr::{Alphanumeric, SampleString};

use dinie::models::{AttachmentType, EvidenceType, RequirementType};

use crate::model::{Attachment, Requirement, Subject, Submitted};

/// A company's legal form, as the sandbox decides it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegalForm {
    Mei,
    Ei,
    Ltda,
    Eireli,
}

/// The legal form of a (valid, normalised) CNPJ.
pub fn legal_form(cnpj: &str) -> LegalForm {
    let value = cnpj
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .nth(7)
        .map(|c| (c.to_ascii_uppercase() as u32).saturating_sub(48) % 10)
        .unwrap_or(0);
    match value {
        0..=3 => LegalForm::Mei,
        4..=5 => LegalForm::Ei,
        6..=8 => LegalForm::Ltda,
        _ => LegalForm::Eireli,
    }
}

const FIRST_NAMES: [&str; 8] = [
    "Ana", "Bruno", "Carla", "Diego", "Elisa", "Fábio", "Gabriela", "Henrique",
];
const LAST_NAMES: [&str; 8] = [
    "Souza", "Oliveira", "Santos", "Pereira", "Lima", "Costa", "Ribeiro", "Almeida",
];

/// A deterministic person name from a seed (the sandbox has no registry to look people up).
fn person_name(seed: &str, salt: u32) -> String {
    let n: u32 = seed
        .bytes()
        .map(u32::from)
        .sum::<u32>()
        .wrapping_add(salt * 7);
    format!(
        "{} {}",
        FIRST_NAMES[(n % 8) as usize],
        LAST_NAMES[((n / 8) % 8) as usize]
    )
}

/// The company's name as the sandbox's "registry" gives it.
pub fn company_name(cnpj: &str, form: LegalForm) -> (String, String) {
    let owner = person_name(cnpj, 3);
    let trading = format!(
        "{} {}",
        ["Padaria", "Oficina", "Ateliê", "Mercado"][(cnpj.len() + owner.len()) % 4],
        owner.split(' ').next().unwrap_or("Centro")
    );
    let name = match form {
        LegalForm::Mei => format!("{owner} {}", "MEI"),
        LegalForm::Ei => format!("{owner} EI"),
        LegalForm::Ltda => format!("{trading} Ltda"),
        LegalForm::Eireli => format!("{trading} EIRELI"),
    };
    (name, trading)
}

fn subject_id() -> String {
    format!("003{}", Alphanumeric.sample_string(&mut rand::rng(), 15))
}

fn person(kind: &str, id: &str, subject: &Subject, mandatory: bool) -> Requirement {
    let label = match kind {
        "identity" => "Documento de identidade (CNH ou RG)",
        "selfie" => "Selfie",
        "proof_of_address" => "Comprovante de endereço",
        _ => "E-mail para assinatura da CCB",
    };
    Requirement {
        requirement_id: format!("{kind}_{id}"),
        requirement_type: kind.into(),
        label: label.into(),
        mandatory,
        subject: Some(subject.clone()),
        submitted: None,
    }
}

fn company(kind: &str, mandatory: bool) -> Requirement {
    let label = match kind {
        "company_document" => "Certificado da Condição de Microempreendedor Individual (CCMEI)",
        "ei_mei_documents" => "Requerimento de Empresário ou CCMEI",
        "income_statement" => "Declaração de faturamento dos últimos 12 meses",
        "articles_of_association" => "Contrato social e última alteração",
        _ => "Ato constitutivo da EIRELI",
    };
    Requirement {
        requirement_id: kind.into(),
        requirement_type: kind.into(),
        label: label.into(),
        mandatory,
        subject: None,
        submitted: None,
    }
}

/// The requirements of a company of this form, its owner named `applicant`.
pub fn requirements(form: LegalForm, cpf: &str, cnpj: &str) -> Vec<Requirement> {
    let applicant_id = subject_id();
    let applicant = Subject {
        id: applicant_id.clone(),
        name: person_name(cpf, 0),
        subject_type: "applicant".into(),
    };
    let mut kyc = Vec::new();
    match form {
        LegalForm::Mei => kyc.push(company("company_document", true)),
        LegalForm::Ei => {
            kyc.push(company("ei_mei_documents", true));
            kyc.push(company("income_statement", true));
        }
        LegalForm::Ltda => {
            kyc.push(company("articles_of_association", true));
            kyc.push(company("income_statement", false));
        }
        LegalForm::Eireli => kyc.push(company("eireli_incorporation_statement", true)),
    }
    kyc.push(person("identity", &applicant_id, &applicant, true));
    kyc.push(person("selfie", &applicant_id, &applicant, true));
    match form {
        LegalForm::Mei => kyc.push(person("proof_of_address", &applicant_id, &applicant, false)),
        LegalForm::Ei => kyc.push(person("proof_of_address", &applicant_id, &applicant, true)),
        _ => {}
    }
    if form == LegalForm::Ltda {
        for salt in 1..=2 {
            let id = subject_id();
            let co_owner = Subject {
                id: id.clone(),
                name: person_name(cnpj, salt),
                subject_type: "co_owner".into(),
            };
            for kind in ["identity", "selfie", "email"] {
                kyc.push(person(kind, &id, &co_owner, true));
            }
        }
    }
    kyc
}

/// Every `evidence/attachment` pair a requirement type takes, for error messages. The table
/// is the client crate's (`RequirementType::evidence_options`, Dinie's contract): the sandbox
/// and the app cannot disagree on it.
pub fn accepted_pairs(requirement_type: &str) -> Vec<String> {
    let mut out = Vec::new();
    for option in RequirementType::from(requirement_type).evidence_options() {
        for attachment in option.attachment_types() {
            out.push(format!("{}/{attachment}", option.evidence_type));
        }
    }
    out
}

/// The attachment set of `evidence` that contains `attachment`, if the requirement takes it.
pub fn attachment_set(
    requirement_type: &str,
    evidence: &str,
    attachment: &str,
) -> Option<Vec<String>> {
    let attachment = AttachmentType::from(attachment);
    RequirementType::from(requirement_type)
        .evidence_option(&EvidenceType::from(evidence))?
        .attachment_sets
        .into_iter()
        .find(|set| set.contains(&attachment))
        .map(|set| set.iter().map(ToString::to_string).collect())
}

/// Records a received part: a new evidence (or a different set of parts, or a rejected one)
/// starts over with every part of its set unsent; then this part is marked received.
pub fn receive(
    req: &mut Requirement,
    evidence: &str,
    set: &[String],
    attachment: &str,
    reject: bool,
) {
    let same = req.submitted.as_ref().is_some_and(|s| {
        s.evidence_type == evidence
            && s.review_status != "rejected"
            && s.attachments.len() == set.len()
            && s.attachments
                .iter()
                .all(|a| set.contains(&a.attachment_type))
    });
    if !same {
        req.submitted = Some(Submitted {
            evidence_type: evidence.into(),
            attachments: set
                .iter()
                .map(|a| Attachment {
                    attachment_type: a.clone(),
                    submitted: false,
                })
                .collect(),
            review_status: "pending".into(),
            review_reason: None,
            will_reject: false,
        });
    }
    if let Some(s) = req.submitted.as_mut() {
        for a in &mut s.attachments {
            if a.attachment_type == attachment {
                a.submitted = true;
            }
        }
        s.review_status = "pending".into();
        s.review_reason = None;
        s.will_reject |= reject;
    }
}

/// Reason given for a requirement the sandbox rejects.
pub const REJECTION_REASON: &str =
    "Documento ilegível ou incompleto. Envie uma nova imagem, nítida e sem cortes.";
/// Reason given with a denial.
pub const DENIAL_REASON: &str = "A análise de crédito não aprovou o cadastro desta empresa.";

/// The sandbox's deterministic denial trigger: an e-mail whose local part has `+deny`.
pub fn will_be_denied(email: &str) -> bool {
    email
        .split_once('@')
        .is_some_and(|(local, _)| local.contains("+deny"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legal_form_by_the_eighth_character() {
        assert_eq!(legal_form("11222333000181"), LegalForm::Mei);
        assert_eq!(legal_form("11.222.334/0001-00"), LegalForm::Ei);
        assert_eq!(legal_form("11222336000100"), LegalForm::Ltda);
        assert_eq!(legal_form("11222339000100"), LegalForm::Eireli);
        // `A` is 65 − 48 = 17 → 7: LTDA.
        assert_eq!(legal_form("12ABC34A000100"), LegalForm::Ltda);
    }

    #[test]
    fn an_ltda_has_two_co_owners_with_identity_selfie_and_email() {
        let kyc = requirements(LegalForm::Ltda, "12345678909", "11222336000100");
        let co_owners: Vec<_> = kyc
            .iter()
            .filter(|r| {
                r.subject
                    .as_ref()
                    .is_some_and(|s| s.subject_type == "co_owner")
            })
            .collect();
        assert_eq!(co_owners.len(), 6);
        assert!(kyc
            .iter()
            .any(|r| r.requirement_type == "articles_of_association"));
        assert!(kyc
            .iter()
            .all(|r| r.requirement_id.starts_with(&r.requirement_type)));
    }

    #[test]
    fn receiving_parts_completes_or_restarts_the_evidence() {
        let mut kyc = requirements(LegalForm::Mei, "12345678909", "11222333000181");
        let id = kyc
            .iter_mut()
            .find(|r| r.requirement_type == "identity")
            .unwrap();
        let set = attachment_set("identity", "rg", "front").unwrap();
        receive(id, "rg", &set, "front", false);
        assert!(!id.is_complete());
        receive(id, "rg", &set, "back", false);
        assert!(id.is_complete());
        let one = attachment_set("identity", "cnh", "file").unwrap();
        receive(id, "cnh", &one, "file", true);
        assert!(id.is_complete());
        assert_eq!(id.submitted.as_ref().unwrap().attachments.len(), 1);
        assert!(attachment_set("identity", "rg", "file").is_none());
    }
}
