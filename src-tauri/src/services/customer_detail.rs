//! A customer's detail as the workspace shows it: registration data (masked), where it is in
//! the lifecycle, its KYC checklist grouped by whom each requirement is about with the action
//! each needs, its credit offers and bank account; and what the agent does from there
//! (correct the e-mail or phone, send a data value, submit for review, set the bank account).

use serde::{Deserialize, Serialize};

use crate::services::connection::Connection;
use crate::services::customers::{masked_cpf, needs, Need};
use crate::services::evidence::{self, SlotView};
use crate::services::follow::{requirement_state, Follower, TimelineEntry};

/// One part of the evidence sent for a requirement.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct AttachmentView {
    pub attachment_type: String,
    pub submitted: bool,
}

/// One way to satisfy a requirement: an evidence type and its alternative sets of parts.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct EvidenceView {
    pub evidence_type: String,
    pub sets: Vec<Vec<String>>,
}

/// One requirement and what the agent must do about it.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RequirementView {
    pub requirement_id: String,
    pub requirement_type: String,
    pub label: String,
    pub mandatory: bool,
    /// `pending`, `partial`, `submitted`, `accepted` or `rejected`.
    pub state: &'static str,
    pub evidence_type: Option<String>,
    pub attachments: Vec<AttachmentView>,
    pub review_reason: Option<String>,
    /// `upload` (files), `value` (a text such as an e-mail), `biometrics`, or `none`.
    pub action: &'static str,
    pub evidence: Vec<EvidenceView>,
}

/// Whom a group of requirements is about.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SubjectView {
    pub id: String,
    pub name: String,
    /// `applicant` or `co_owner`.
    pub kind: String,
}

/// The requirements of the company (`subject` `None`) or of one person.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct GroupView {
    pub subject: Option<SubjectView>,
    pub requirements: Vec<RequirementView>,
}

/// A credit offer, amounts as decimal strings (the page formats them as R$).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OfferView {
    pub id: String,
    pub approved_amount: String,
    pub min_amount: Option<String>,
    pub monthly_rate: String,
    pub installments: dinie::models::Installments,
    pub valid_until: String,
    pub status: String,
}

/// The bank account credit is paid into.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct BankAccountView {
    pub bank_id: String,
    pub bank_name: String,
    pub branch: String,
    pub number: String,
    pub digit: String,
    pub kind: String,
}

/// What the API answered about a customer beyond the customer itself.
#[derive(Debug, Clone, Default)]
pub struct Extras {
    pub offers: Vec<dinie::models::CreditOffer>,
    /// Offers that could not be read (shown as a count, never taking the detail down).
    pub unreadable_offers: usize,
    pub bank_account: Option<dinie::models::BankAccount>,
}

/// Everything the detail view shows.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerDetail {
    pub id: String,
    pub name: String,
    pub cpf: String,
    pub cnpj: Option<String>,
    pub trading_name: Option<String>,
    pub email: String,
    pub phone: String,
    pub external_id: Option<String>,
    pub status: String,
    /// 0 registration (Dinie looking the company up), 1 documents, 2 review, 3 decided.
    pub step: u8,
    pub created_at: String,
    pub groups: Vec<GroupView>,
    /// Where a file may go (the menu of each file to send).
    pub slots: Vec<SlotView>,
    /// Whether every mandatory requirement is complete and the customer can be submitted.
    pub can_review: bool,
    /// Labels of the mandatory requirements still lacking something.
    pub missing: Vec<String>,
    /// What the customer waits on the agent for (the "Próximo passo" box; the worklist's rule).
    pub needs: Vec<Need>,
    pub offers: Vec<OfferView>,
    pub unreadable_offers: usize,
    pub bank_account: Option<BankAccountView>,
}

fn action(c: &dinie::Customer, k: &dinie::KycRequirement) -> &'static str {
    if c.status != dinie::CustomerStatus::PendingKyc || k.is_accepted() {
        return "none";
    }
    let t = &k.requirement_type;
    match () {
        _ if k.is_complete() => "none",
        _ if t.is_captured_by_biometrics() => "biometrics",
        _ if t.takes_a_value() => "value",
        _ if t.evidence_options().is_empty() => "none",
        _ => "upload",
    }
}

/// The lifecycle step the status implies.
pub fn step(c: &dinie::Customer) -> u8 {
    use dinie::CustomerStatus as C;
    match c.status {
        C::Creating => 0,
        C::UnderReview => 2,
        C::Active | C::Denied => 3,
        _ => 1,
    }
}

fn requirement(c: &dinie::Customer, k: &dinie::KycRequirement) -> RequirementView {
    RequirementView {
        requirement_id: k.requirement_id.clone(),
        requirement_type: k.requirement_type.to_string(),
        label: if k.label.is_empty() {
            k.requirement_type.to_string()
        } else {
            k.label.clone()
        },
        mandatory: k.mandatory,
        state: requirement_state(k),
        evidence_type: k.submitted.as_ref().map(|s| s.evidence_type.to_string()),
        attachments: k
            .submitted
            .iter()
            .flat_map(|s| &s.attachments)
            .map(|a| AttachmentView {
                attachment_type: a.attachment_type.to_string(),
                submitted: a.submitted,
            })
            .collect(),
        review_reason: k.submitted.as_ref().and_then(|s| s.review_reason.clone()),
        action: action(c, k),
        evidence: k
            .requirement_type
            .evidence_options()
            .into_iter()
            .map(|o| EvidenceView {
                evidence_type: o.evidence_type.to_string(),
                sets: o
                    .attachment_sets
                    .iter()
                    .map(|s| s.iter().map(ToString::to_string).collect())
                    .collect(),
            })
            .collect(),
    }
}

impl CustomerDetail {
    /// Builds the view from the API's customer and what came with it.
    pub fn new(c: &dinie::Customer, extras: &Extras) -> Self {
        Self {
            id: c.id.to_string(),
            name: c.display_name().to_owned(),
            cpf: masked_cpf(&c.cpf),
            cnpj: c.cnpj.as_deref().map(|v| {
                dinie::br::Cnpj::parse(v)
                    .map(|x| x.to_string())
                    .unwrap_or_else(|_| v.to_owned())
            }),
            trading_name: c.trading_name.clone(),
            email: c.email.clone(),
            phone: dinie::br::Phone::parse(&c.phone)
                .map(|p| p.to_string())
                .unwrap_or_else(|_| c.phone.clone()),
            external_id: c.external_id.clone(),
            status: c.status.to_string(),
            step: step(c),
            created_at: c.created_at.to_rfc3339(),
            groups: c
                .requirements_by_subject()
                .into_iter()
                .map(|g| GroupView {
                    subject: g.subject.map(|s| SubjectView {
                        id: s.id.clone(),
                        name: s.name.clone(),
                        kind: s.subject_type.to_string(),
                    }),
                    requirements: g.requirements.iter().map(|k| requirement(c, k)).collect(),
                })
                .collect(),
            slots: if c.status == dinie::CustomerStatus::PendingKyc {
                evidence::slots(&c.kyc)
            } else {
                Vec::new()
            },
            can_review: c.can_start_review(),
            needs: needs(c),
            missing: c
                .missing_for_review()
                .iter()
                .map(|k| match &k.subject {
                    Some(s) => format!("{} — {}", k.label, s.name),
                    None => k.label.clone(),
                })
                .collect(),
            offers: extras
                .offers
                .iter()
                .map(|o| OfferView {
                    id: o.id.to_string(),
                    approved_amount: o.approved_amount.to_string(),
                    min_amount: o.min_amount.map(|m| m.to_string()),
                    monthly_rate: o.monthly_interest_rate.to_string(),
                    installments: o.installments,
                    valid_until: o.valid_until.to_rfc3339(),
                    status: o.status.to_string(),
                })
                .collect(),
            unreadable_offers: extras.unreadable_offers,
            bank_account: extras.bank_account.as_ref().map(|a| BankAccountView {
                bank_id: a.bank_id.clone(),
                bank_name: a.bank_name.clone(),
                branch: a.branch.clone(),
                number: a.number.clone(),
                digit: a.digit.clone(),
                kind: a.kind.to_string(),
            }),
        }
    }
}

/// A customer's detail and timeline: what the page shows and the follower announces.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerView {
    pub detail: CustomerDetail,
    pub timeline: Vec<TimelineEntry>,
}

impl CustomerView {
    /// The view of `customer` with the follower's timeline of it.
    pub fn new(customer: &dinie::Customer, extras: &Extras, follower: &Follower) -> Self {
        Self {
            detail: CustomerDetail::new(customer, extras),
            timeline: follower.timeline(customer.id.as_str()),
        }
    }
}

/// The customer, its offers when active, and its bank account.
pub async fn fetch(
    conn: &Connection,
    id: &dinie::CustomerId,
) -> Result<(dinie::Customer, Extras), dinie::Error> {
    let result = fetch_unobserved(conn, id).await;
    conn.observe(&result);
    result
}

async fn fetch_unobserved(
    conn: &Connection,
    id: &dinie::CustomerId,
) -> Result<(dinie::Customer, Extras), dinie::Error> {
    let customers = conn.client().customers();
    // The bank account is asked for alongside the customer (one round trip instead of two on
    // a slow link), and left unread for a customer still being created, which has none.
    let (customer, bank_account) = tokio::join!(customers.get(id), customers.bank_account(id));
    let customer = customer?;
    let mut extras = Extras::default();
    if customer.status != dinie::CustomerStatus::Creating {
        extras.bank_account = bank_account?;
    }
    if customer.status == dinie::CustomerStatus::Active {
        let page = customers.credit_offers(id).limit(100).send().await?;
        for bad in &page.skipped {
            tracing::warn!(offer = ?bad.id, error = %bad.error, "a credit offer could not be read");
        }
        extras.unreadable_offers = page.skipped.len();
        extras.offers = page.data;
    }
    Ok((customer, extras))
}

/// Opens a customer's detail: fetched, followed (polled faster while it stays open).
pub async fn open(
    conn: &Connection,
    follower: &Follower,
    id: &dinie::CustomerId,
) -> Result<CustomerView, dinie::Error> {
    let (customer, extras) = fetch(conn, id).await?;
    follower.follow(&customer, false);
    follower.update(&customer);
    follower.set_open(Some(id.to_string()));
    Ok(CustomerView::new(&customer, &extras, follower))
}

/// Fetches the customer again after a change the agent made, records `event` in its timeline
/// and answers the fresh view.
async fn refreshed(
    conn: &Connection,
    follower: &Follower,
    id: &dinie::CustomerId,
    event: &str,
) -> Result<CustomerView, dinie::Error> {
    let (customer, extras) = fetch(conn, id).await?;
    follower.record(id.as_str(), event);
    follower.update(&customer);
    Ok(CustomerView::new(&customer, &extras, follower))
}

/// A correction: only the e-mail and the phone can change after registration.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Correction {
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
}

/// Sends a correction (phone normalised to E.164 first) and records it in the timeline.
pub async fn correct(
    conn: &Connection,
    follower: &Follower,
    id: &dinie::CustomerId,
    fix: &Correction,
) -> Result<CustomerView, dinie::Error> {
    let mut update = conn.client().customers().update(id);
    if let Some(v) = fix.email.as_deref().filter(|v| !v.trim().is_empty()) {
        update = update.email(v.trim());
    }
    if let Some(v) = fix.phone.as_deref().filter(|v| !v.trim().is_empty()) {
        let phone = dinie::br::Phone::parse(v)
            .map(|p| p.e164())
            .unwrap_or_else(|_| v.trim().to_owned());
        update = update.phone(phone);
    }
    let result = update.send().await;
    conn.observe(&result);
    result?;
    refreshed(conn, follower, id, "customer.corrected").await
}

/// Sends a data requirement's value (a co-owner's e-mail), checked as the form checks one.
pub async fn send_value(
    conn: &Connection,
    follower: &Follower,
    id: &dinie::CustomerId,
    requirement_id: &str,
    value: &str,
) -> Result<CustomerView, dinie::Error> {
    let value = value.trim();
    dinie::email::check(value)
        .map_err(|e| dinie::Error::InvalidInput(dinie::InvalidInput::Other(e.to_string())))?;
    let target = dinie::AttachmentTarget {
        requirement_id: requirement_id.to_owned(),
        evidence_type: dinie::EvidenceType::Email,
        attachment_type: dinie::AttachmentType::Email,
    };
    let result = conn
        .client()
        .customers()
        .kyc_attachment(id, target)
        .value(value)
        .send()
        .await;
    conn.observe(&result);
    result?;
    refreshed(conn, follower, id, "customer.value_sent").await
}

/// Submits the customer for review (`kyc-review`), again after a rejection was fixed.
pub async fn submit_for_review(
    conn: &Connection,
    follower: &Follower,
    id: &dinie::CustomerId,
) -> Result<CustomerView, dinie::Error> {
    let result = conn.client().customers().start_kyc_review(id).await;
    conn.observe(&result);
    result?;
    refreshed(conn, follower, id, "customer.submitted_for_review").await
}

/// The banks an account may name, for the page's menu.
pub async fn banks(conn: &Connection) -> Result<Vec<dinie::models::Bank>, dinie::Error> {
    let result = conn.client().banks().list().await;
    conn.observe(&result);
    result
}

/// Sets the customer's bank account.
pub async fn save_bank_account(
    conn: &Connection,
    follower: &Follower,
    id: &dinie::CustomerId,
    account: &dinie::models::BankAccountInput,
) -> Result<CustomerView, dinie::Error> {
    let result = conn
        .client()
        .customers()
        .upsert_bank_account(id, account)
        .await;
    conn.observe(&result);
    result?;
    refreshed(conn, follower, id, "customer.bank_account_saved").await
}
