//! Where a file goes: a *slot* is one part (`front`, `back`, `file`…) of one evidence (`cnh`,
//! `rg`, `ccmei`…) of one KYC requirement of a customer. The page knows slots by their key
//! (`requirement_id:evidence:attachment`) and shows the agent, for every file, the slot it
//! will fill before anything is sent.
//!
//! Slots are proposed from the requirement a file was dropped on and from its name (agents
//! name files `rg frente.jpg`, `CNH verso`, `contrato social.pdf`), never silently guessed:
//! a file with no clue gets no slot and the agent picks one.

use serde::Serialize;

use crate::services::reason::{Reason, ReasonCode};
use dinie::models::{AttachmentType, EvidenceType, KycRequirement, RequirementType};

/// One part of one evidence of one requirement.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Slot {
    pub requirement_id: String,
    pub evidence: EvidenceType,
    pub attachment: AttachmentType,
}

impl Slot {
    /// `requirement_id:evidence:attachment`, the page's name for it.
    pub fn key(&self) -> String {
        format!(
            "{}:{}:{}",
            self.requirement_id, self.evidence, self.attachment
        )
    }

    /// The slot of a key; `None` when it is not one.
    pub fn parse(key: &str) -> Option<Self> {
        let mut parts = key.rsplitn(3, ':');
        let attachment = parts.next()?;
        let evidence = parts.next()?;
        let requirement_id = parts.next()?;
        (!requirement_id.is_empty() && !evidence.is_empty() && !attachment.is_empty()).then(|| {
            Self {
                requirement_id: requirement_id.to_owned(),
                evidence: EvidenceType::from(evidence),
                attachment: AttachmentType::from(attachment),
            }
        })
    }

    /// The crate's upload target.
    pub fn target(&self) -> dinie::AttachmentTarget {
        dinie::AttachmentTarget {
            requirement_id: self.requirement_id.clone(),
            evidence_type: self.evidence.clone(),
            attachment_type: self.attachment.clone(),
        }
    }
}

/// A slot as the page lists it in a file's "what is this" menu.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SlotView {
    pub key: String,
    pub requirement_id: String,
    pub requirement_type: String,
    /// Whom it is about (`None`: the company).
    pub subject: Option<String>,
    pub evidence: String,
    pub attachment: String,
}

/// Whether the agent sends files for this requirement (not the selfie, taken by the capture;
/// not the e-mail, a value; not one Dinie accepted).
pub fn takes_files(req: &KycRequirement) -> bool {
    let t = &req.requirement_type;
    !t.is_captured_by_biometrics() && !t.takes_a_value() && !req.is_accepted()
}

/// Every slot a file may fill for this customer, requirement by requirement.
pub fn slots(kyc: &[KycRequirement]) -> Vec<SlotView> {
    let mut out = Vec::new();
    for req in kyc.iter().filter(|r| takes_files(r)) {
        for option in req.requirement_type.evidence_options() {
            for attachment in option.attachment_types() {
                let slot = Slot {
                    requirement_id: req.requirement_id.clone(),
                    evidence: option.evidence_type.clone(),
                    attachment,
                };
                out.push(SlotView {
                    key: slot.key(),
                    requirement_id: req.requirement_id.clone(),
                    requirement_type: req.requirement_type.to_string(),
                    subject: req.subject.as_ref().map(|s| s.name.clone()),
                    evidence: slot.evidence.to_string(),
                    attachment: slot.attachment.to_string(),
                });
            }
        }
    }
    out
}

/// Why a slot cannot take a file now, if it cannot.
pub fn refuse(slot: &Slot, kyc: &[KycRequirement]) -> Option<Reason> {
    let Some(req) = kyc.iter().find(|k| k.requirement_id == slot.requirement_id) else {
        return Some(Reason::new(ReasonCode::DocumentNoRequirement));
    };
    if req.is_accepted() {
        return Some(Reason::new(ReasonCode::DocumentAccepted).with("label", &req.label));
    }
    if !takes_files(req) {
        return Some(Reason::new(ReasonCode::DocumentNoFile).with("label", &req.label));
    }
    if !req.accepts(&slot.evidence, &slot.attachment) {
        return Some(Reason::new(ReasonCode::DocumentWrongKind).with("label", &req.label));
    }
    None
}

/// Words in a file name, lower-cased, accents kept (agents type both).
fn has(name: &str, words: &[&str]) -> bool {
    words.iter().any(|w| name.contains(w))
}

const FRONT: &[&str] = &["frente", "front", "anverso"];
const BACK: &[&str] = &["verso", "back", "tras", "trás"];
const CNH: &[&str] = &["cnh", "habilita", "motorista"];
const RG: &[&str] = &["rg", "identidade", "registro geral"];

/// The words that suggest each requirement type.
fn type_words(t: &RequirementType) -> &'static [&'static str] {
    match t {
        RequirementType::Identity => &["cnh", "habilita", "rg", "identidade", "documento pessoal"],
        RequirementType::ProofOfAddress => &[
            "comprovante",
            "endereco",
            "endereço",
            "residencia",
            "residência",
            "conta de luz",
            "conta de agua",
        ],
        RequirementType::CompanyDocument | RequirementType::EiMeiDocuments => &[
            "ccmei",
            "mei",
            "certificado",
            "requerimento",
            "empresario",
            "empresário",
        ],
        RequirementType::IncomeStatement => &["faturamento", "receita", "renda", "irpf", "dasn"],
        RequirementType::ArticlesOfAssociation => &[
            "contrato social",
            "contrato",
            "social",
            "alteracao",
            "alteração",
        ],
        RequirementType::EireliIncorporationStatement => {
            &["eireli", "ato constitutivo", "constitutivo"]
        }
        _ => &[],
    }
}

/// The slot of `req` a file called `name` fills: the evidence and side its name says, else
/// what is still missing of the evidence already begun, else (for one file of an identity
/// with no clue) the CNH in one scan. `taken` are the slots other files of the same drop took.
fn slot_in(req: &KycRequirement, name: &str, taken: &[Slot]) -> Option<Slot> {
    let options = req.requirement_type.evidence_options();
    let begun = req
        .submitted
        .as_ref()
        .filter(|s| s.review_status != dinie::models::ReviewStatus::Rejected);
    let evidence = if req.requirement_type == RequirementType::Identity {
        if has(name, CNH) {
            EvidenceType::Cnh
        } else if has(name, RG) {
            EvidenceType::Rg
        } else if let Some(s) = begun {
            s.evidence_type.clone()
        } else if let Some(other) = taken
            .iter()
            .find(|t| t.requirement_id == req.requirement_id)
        {
            other.evidence.clone()
        } else {
            EvidenceType::Cnh
        }
    } else {
        options.first()?.evidence_type.clone()
    };
    let option = options.iter().find(|o| o.evidence_type == evidence)?;
    let free = |a: &AttachmentType| {
        !taken.iter().any(|t| {
            t.requirement_id == req.requirement_id && t.evidence == evidence && &t.attachment == a
        })
    };
    let sides = option.attachment_types();
    let attachment = if has(name, FRONT) && sides.contains(&AttachmentType::Front) {
        AttachmentType::Front
    } else if has(name, BACK) && sides.contains(&AttachmentType::Back) {
        AttachmentType::Back
    } else if let Some(missing) = begun
        .filter(|s| s.evidence_type == evidence)
        .and_then(|s| s.attachments.iter().find(|a| !a.submitted))
        .map(|a| a.attachment_type.clone())
    {
        missing
    } else if sides.contains(&AttachmentType::Front) {
        // Two-sided: a second file of the same drop is the back. One CNH file with no side
        // named is the whole licence in one scan.
        let sibling = taken
            .iter()
            .any(|t| t.requirement_id == req.requirement_id && t.evidence == evidence);
        if sibling && free(&AttachmentType::Back) {
            AttachmentType::Back
        } else if evidence == EvidenceType::Cnh && !sibling {
            AttachmentType::File
        } else {
            AttachmentType::Front
        }
    } else {
        sides.into_iter().find(|a| free(a))?
    };
    Some(Slot {
        requirement_id: req.requirement_id.clone(),
        evidence,
        attachment,
    })
}

/// The slot proposed for a file called `name`: within the requirement it was dropped on
/// (`dropped_on`), else the requirement its name suggests (a person's by their first name when
/// several people have one, the applicant's otherwise). `None`: the agent chooses.
pub fn propose(
    name: &str,
    dropped_on: Option<&str>,
    kyc: &[KycRequirement],
    taken: &[Slot],
) -> Option<Slot> {
    let lower = name.to_lowercase();
    let open: Vec<&KycRequirement> = kyc.iter().filter(|r| takes_files(r)).collect();
    if let Some(id) = dropped_on {
        let req = open.iter().find(|r| r.requirement_id == id)?;
        return slot_in(req, &lower, taken);
    }
    let matching: Vec<&&KycRequirement> = open
        .iter()
        .filter(|r| has(&lower, type_words(&r.requirement_type)))
        .collect();
    let by_person = matching.iter().find(|r| {
        r.subject.as_ref().is_some_and(|s| {
            s.name
                .split_whitespace()
                .next()
                .is_some_and(|first| lower.contains(&first.to_lowercase()))
        })
    });
    let chosen = by_person.or_else(|| {
        matching.iter().find(|r| {
            r.subject
                .as_ref()
                .is_none_or(|s| s.subject_type == dinie::models::SubjectType::Applicant)
        })
    })?;
    slot_in(chosen, &lower, taken)
}

/// The slots proposed for the files of one drop (or pick), in order: each file sees the slots
/// the earlier ones took, and two files of one identity with no side named are its front and
/// back rather than two one-scan CNHs.
pub fn propose_all(
    names: &[&str],
    dropped_on: Option<&str>,
    kyc: &[KycRequirement],
) -> Vec<Option<Slot>> {
    let mut taken: Vec<Slot> = Vec::new();
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        let slot = propose(name, dropped_on, kyc, &taken);
        if let Some(s) = &slot {
            taken.push(s.clone());
        }
        out.push(slot);
    }
    // A one-scan CNH beside another part of the same CNH in this drop is one of its sides.
    for i in 0..out.len() {
        let Some(s) = out[i].clone() else { continue };
        if s.evidence != EvidenceType::Cnh || s.attachment != AttachmentType::File {
            continue;
        }
        let siblings: Vec<AttachmentType> = out
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .filter_map(|(_, o)| o.as_ref())
            .filter(|o| o.requirement_id == s.requirement_id && o.evidence == EvidenceType::Cnh)
            .map(|o| o.attachment.clone())
            .collect();
        if siblings.is_empty() {
            continue;
        }
        let side = if siblings.contains(&AttachmentType::Front) {
            AttachmentType::Back
        } else {
            AttachmentType::Front
        };
        if let Some(slot) = out[i].as_mut() {
            slot.attachment = side;
        }
    }
    out
}

/// Where a draft's document of the previous release's types (`cnh`, `identity_card_front`,
/// `ccmei`, …) goes once the customer's requirements are known; the reason when nowhere.
pub fn draft_slot(doc_type: &str, kyc: &[KycRequirement]) -> Result<Slot, Reason> {
    use AttachmentType as A;
    use EvidenceType as E;
    use RequirementType as R;
    let applicant = |t: R| {
        kyc.iter().find(|k| {
            k.requirement_type == t
                && k.subject
                    .as_ref()
                    .is_none_or(|s| s.subject_type == dinie::models::SubjectType::Applicant)
        })
    };
    let (req, evidence, attachment) = match doc_type {
        "cnh" => (applicant(R::Identity), E::Cnh, A::File),
        "identity_card_front" => (applicant(R::Identity), E::Rg, A::Front),
        "identity_card_back" => (applicant(R::Identity), E::Rg, A::Back),
        "proof_of_address" => (applicant(R::ProofOfAddress), E::ProofOfAddress, A::File),
        "ccmei" => match applicant(R::CompanyDocument) {
            Some(req) => (Some(req), E::Ccmei, A::File),
            None => (applicant(R::EiMeiDocuments), E::EiMei, A::Ccmei),
        },
        "selfie" => return Err(Reason::new(ReasonCode::DocumentSelfie)),
        "" => return Err(Reason::new(ReasonCode::DocumentChooseType)),
        other => {
            return match Slot::parse(other) {
                Some(slot) => refuse(&slot, kyc).map_or(Ok(slot), Err),
                None => Err(Reason::new(ReasonCode::DocumentNotAsked).with("type", other)),
            }
        }
    };
    let Some(req) = req else {
        return Err(Reason::new(ReasonCode::DocumentNotAsked).with("type", doc_type));
    };
    let slot = Slot {
        requirement_id: req.requirement_id.clone(),
        evidence,
        attachment,
    };
    refuse(&slot, kyc).map_or(Ok(slot), Err)
}

/// Whether Dinie already has the part a slot names (a run that stopped mid-upload resumes by
/// asking this).
pub fn received(slot: &Slot, kyc: &[KycRequirement]) -> bool {
    kyc.iter()
        .find(|k| k.requirement_id == slot.requirement_id)
        .and_then(|k| k.submitted.as_ref())
        .is_some_and(|s| {
            s.evidence_type == slot.evidence
                && s.attachments
                    .iter()
                    .any(|a| a.attachment_type == slot.attachment && a.submitted)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kyc() -> Vec<KycRequirement> {
        serde_json::from_value(serde_json::json!([
            {"requirement_type": "articles_of_association", "requirement_id": "articles_of_association", "label": "Contrato social", "mandatory": true},
            {"requirement_type": "identity", "requirement_id": "identity_a", "label": "Identidade", "mandatory": true,
             "subject": {"id": "a", "name": "Ana Souza", "subject_type": "applicant"}},
            {"requirement_type": "selfie", "requirement_id": "selfie_a", "label": "Selfie", "mandatory": true,
             "subject": {"id": "a", "name": "Ana Souza", "subject_type": "applicant"}},
            {"requirement_type": "identity", "requirement_id": "identity_b", "label": "Identidade", "mandatory": true,
             "subject": {"id": "b", "name": "Bruno Lima", "subject_type": "co_owner"}},
            {"requirement_type": "email", "requirement_id": "email_b", "label": "E-mail", "mandatory": true,
             "subject": {"id": "b", "name": "Bruno Lima", "subject_type": "co_owner"}},
        ]))
        .unwrap()
    }

    #[test]
    fn keys_round_trip() {
        let slot = Slot::parse("identity_a:rg:front").unwrap();
        assert_eq!(slot.requirement_id, "identity_a");
        assert_eq!(slot.key(), "identity_a:rg:front");
        assert!(Slot::parse("cnh").is_none());
    }

    #[test]
    fn names_and_drops_propose_slots() {
        let kyc = kyc();
        let p = |name, on| propose(name, on, &kyc, &[]).map(|s| s.key());
        assert_eq!(
            p("RG frente.jpg", None).as_deref(),
            Some("identity_a:rg:front")
        );
        assert_eq!(
            p("rg verso bruno.jpg", None).as_deref(),
            Some("identity_b:rg:back")
        );
        assert_eq!(
            p("contrato social.pdf", None).as_deref(),
            Some("articles_of_association:articles_of_association:file")
        );
        assert_eq!(p("scan001.pdf", None), None, "no clue: the agent chooses");
        assert_eq!(
            p("scan001.pdf", Some("identity_b")).as_deref(),
            Some("identity_b:cnh:file")
        );
        assert_eq!(
            p("selfie.jpg", Some("selfie_a")),
            None,
            "the capture takes the selfie"
        );
    }

    #[test]
    fn two_files_dropped_on_an_identity_are_front_then_back() {
        let kyc = kyc();
        let keys = |names: &[&str]| -> Vec<Option<String>> {
            propose_all(names, Some("identity_a"), &kyc)
                .into_iter()
                .map(|s| s.map(|s| s.key()))
                .collect()
        };
        assert_eq!(
            keys(&["IMG_1.jpg"]),
            [Some("identity_a:cnh:file".to_owned())]
        );
        assert_eq!(
            keys(&["IMG_1.jpg", "IMG_2.jpg"]),
            [
                Some("identity_a:cnh:front".to_owned()),
                Some("identity_a:cnh:back".to_owned())
            ]
        );
        assert_eq!(
            keys(&["rg verso.jpg", "rg frente.jpg"]),
            [
                Some("identity_a:rg:back".to_owned()),
                Some("identity_a:rg:front".to_owned())
            ]
        );
    }

    #[test]
    fn drafts_of_the_previous_release_find_their_requirement() {
        let kyc = kyc();
        assert_eq!(
            draft_slot("identity_card_back", &kyc).unwrap().key(),
            "identity_a:rg:back"
        );
        assert_eq!(
            draft_slot("cnh", &kyc).unwrap().key(),
            "identity_a:cnh:file"
        );
        assert_eq!(
            draft_slot("selfie", &kyc).unwrap_err().code,
            "document.selfie"
        );
        assert_eq!(draft_slot("ccmei", &kyc).unwrap_err().vars["type"], "ccmei");
        assert!(draft_slot("identity_b:rg:file", &kyc).is_err());
    }
}
