//! Customers as the workspace shows them.

use serde::Serialize;

use crate::connection::Connection;

/// Rows per page of the customer list.
pub const PAGE_SIZE: u8 = 100;

/// One row of the customer list: what the page needs, already formatted where the rule lives in
/// Rust (the CPF mask).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerRow {
    pub id: String,
    pub name: String,
    pub cpf: String,
    pub status: String,
    pub external_id: Option<String>,
    pub created_at: String,
    /// KYC items still waiting for the agent (pending, rejected or in correction).
    pub open_items: usize,
}

/// A page of rows.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerPage {
    pub customers: Vec<CustomerRow>,
    pub has_more: bool,
}

impl From<&dinie::Customer> for CustomerRow {
    fn from(c: &dinie::Customer) -> Self {
        use dinie::KycStatus as S;
        Self {
            id: c.id.to_string(),
            name: c.name.clone(),
            cpf: dinie::br::Cpf::parse(&c.cpf)
                .map(|cpf| cpf.to_string())
                .unwrap_or_else(|_| c.cpf.clone()),
            status: c.status.to_string(),
            external_id: c.external_id.clone(),
            created_at: c.created_at.to_rfc3339(),
            open_items: c
                .kyc
                .iter()
                .filter(|k| matches!(k.status, S::Pending | S::Rejected | S::PendingCorrection))
                .count(),
        }
    }
}

/// The first page of the partner's customers, newest first.
pub async fn first_page(conn: &Connection) -> Result<CustomerPage, dinie::Error> {
    let page = conn
        .client()
        .customers()
        .list()
        .limit(PAGE_SIZE)
        .send()
        .await?;
    Ok(CustomerPage {
        customers: page.data.iter().map(CustomerRow::from).collect(),
        has_more: page.has_more,
    })
}
