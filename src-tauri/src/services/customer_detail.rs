//! A customer's detail as the workspace shows it: registration data (masked), where it is in
//! the lifecycle, its KYC checklist with the action each item needs, and its credit offers.

use serde::{Deserialize, Serialize};

use crate::services::connection::Connection;
use crate::services::customers::masked_cpf;
use crate::services::follow::{Follower, TimelineEntry};

/// One KYC item and what the agent must do about it.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ChecklistItem {
    pub kind: String,
    pub item_type: String,
    pub description: Option<String>,
    pub status: String,
    pub message: Option<String>,
    pub uploaded_at: Option<String>,
    /// `upload`, `correct`, `biometrics` or `none`.
    pub action: &'static str,
}

/// A credit offer, amounts as decimal strings (the page formats them as R$).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OfferView {
    pub id: String,
    pub approved_amount: String,
    pub min_amount: Option<String>,
    pub interest_rate: String,
    pub valid_until: String,
    pub status: String,
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
    /// 0 registration, 1 documents, 2 review, 3 active.
    pub step: u8,
    pub created_at: String,
    pub checklist: Vec<ChecklistItem>,
    pub offers: Vec<OfferView>,
    /// Fields a correction may change (those with a `pending_correction` item).
    pub correctable: Vec<String>,
}

fn action(k: &dinie::KycItem) -> &'static str {
    use dinie::{KycKind as K, KycStatus as S};
    match (&k.kind, &k.status) {
        (_, S::Approved | S::Submitted) => "none",
        (K::Document, S::Pending | S::Rejected) => "upload",
        (K::Biometrics, S::Pending | S::Rejected) => "biometrics",
        (_, S::PendingCorrection) | (K::Data, _) => "correct",
        _ => "none",
    }
}

/// The lifecycle step the status and items imply.
pub fn step(c: &dinie::Customer) -> u8 {
    use dinie::{CustomerStatus as C, KycStatus as S};
    match c.status {
        C::Active => 3,
        C::UnderReview => 2,
        _ if c.kyc.iter().any(|k| k.status != S::Pending) => 1,
        _ => 0,
    }
}

impl CustomerDetail {
    /// Builds the view from the API's customer and offers.
    pub fn new(c: &dinie::Customer, offers: &[dinie::models::CreditOffer]) -> Self {
        Self {
            id: c.id.to_string(),
            name: c.name.clone(),
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
            checklist: c
                .kyc
                .iter()
                .map(|k| ChecklistItem {
                    kind: k.kind.to_string(),
                    item_type: k.item_type.clone(),
                    description: k.description.clone(),
                    status: k.status.to_string(),
                    message: k.message.clone(),
                    uploaded_at: k.uploaded_at.map(|t| t.to_rfc3339()),
                    action: action(k),
                })
                .collect(),
            offers: offers
                .iter()
                .map(|o| OfferView {
                    id: o.id.to_string(),
                    approved_amount: o.approved_amount.to_string(),
                    min_amount: o.min_amount.map(|m| m.to_string()),
                    interest_rate: o.interest_rate.to_string(),
                    valid_until: o.valid_until.to_rfc3339(),
                    status: o.status.to_string(),
                })
                .collect(),
            correctable: c
                .kyc
                .iter()
                .filter(|k| k.status == dinie::KycStatus::PendingCorrection)
                .map(|k| k.item_type.clone())
                .collect(),
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
    pub fn new(
        customer: &dinie::Customer,
        offers: &[dinie::models::CreditOffer],
        follower: &Follower,
    ) -> Self {
        Self {
            detail: CustomerDetail::new(customer, offers),
            timeline: follower.timeline(customer.id.as_str()),
        }
    }
}

/// The customer and, when active, its offers.
pub async fn fetch(
    conn: &Connection,
    id: &dinie::CustomerId,
) -> Result<(dinie::Customer, Vec<dinie::models::CreditOffer>), dinie::Error> {
    let result = fetch_unobserved(conn, id).await;
    conn.observe(&result);
    result
}

async fn fetch_unobserved(
    conn: &Connection,
    id: &dinie::CustomerId,
) -> Result<(dinie::Customer, Vec<dinie::models::CreditOffer>), dinie::Error> {
    let customer = conn.client().customers().get(id).await?;
    let offers = if customer.status == dinie::CustomerStatus::Active {
        conn.client().customers().credit_offers(id).await?
    } else {
        Vec::new()
    };
    Ok((customer, offers))
}

/// Opens a customer's detail: fetched, followed (polled faster while it stays open).
pub async fn open(
    conn: &Connection,
    follower: &Follower,
    id: &dinie::CustomerId,
) -> Result<CustomerView, dinie::Error> {
    let (customer, offers) = fetch(conn, id).await?;
    follower.follow(&customer, false);
    follower.update(&customer);
    follower.set_open(Some(id.to_string()));
    Ok(CustomerView::new(&customer, &offers, follower))
}

/// A correction of registration data; `cpf` and `external_id` cannot be part of it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Correction {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub trading_name: Option<String>,
}

/// Sends a correction (phone normalised to E.164 first) and records it in the timeline.
pub async fn correct(
    conn: &Connection,
    follower: &Follower,
    id: &dinie::CustomerId,
    fix: &Correction,
) -> Result<CustomerView, dinie::Error> {
    let mut update = conn.client().customers().update(id);
    if let Some(v) = fix.name.as_deref().filter(|v| !v.trim().is_empty()) {
        update = update.name(v.trim());
    }
    if let Some(v) = fix.email.as_deref().filter(|v| !v.trim().is_empty()) {
        update = update.email(v.trim());
    }
    if let Some(v) = fix.phone.as_deref().filter(|v| !v.trim().is_empty()) {
        let phone = dinie::br::Phone::parse(v)
            .map(|p| p.e164())
            .unwrap_or_else(|_| v.trim().to_owned());
        update = update.phone(phone);
    }
    if let Some(v) = fix.trading_name.as_deref().filter(|v| !v.trim().is_empty()) {
        update = update.trading_name(v.trim());
    }
    let result = update.send().await;
    conn.observe(&result);
    let customer = result?;
    follower.record(id.as_str(), "customer.corrected");
    follower.update(&customer);
    Ok(CustomerView::new(&customer, &[], follower))
}
