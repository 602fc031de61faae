//! Customers as the workspace shows them: find (search, filter, pages), register, detail,
//! correct. Formatting rules that are business rules (CPF/CNPJ/phone masks) live here, in Rust.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::services::connection::Connection;
use crate::services::reason::{Identifier, Reason, ReasonCode};

/// Rows per page of the customer list.
pub const PAGE_SIZE: u8 = 100;

/// One row of the customer list.
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

/// A page of rows, and the cursor of the next one.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerPage {
    pub customers: Vec<CustomerRow>,
    pub has_more: bool,
    pub next_cursor: Option<String>,
}

/// What the agent asked the list for.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerQuery {
    /// A CPF (masked or not) or an external id.
    #[serde(default)]
    pub text: Option<String>,
    /// `pending_kyc`, `under_review`, `active`, …
    #[serde(default)]
    pub status: Option<String>,
    /// The page after this customer id.
    #[serde(default)]
    pub cursor: Option<String>,
}

pub(crate) fn masked_cpf(raw: &str) -> String {
    dinie::br::Cpf::parse(raw)
        .map(|c| c.to_string())
        .unwrap_or_else(|_| raw.to_owned())
}

impl From<&dinie::Customer> for CustomerRow {
    fn from(c: &dinie::Customer) -> Self {
        Self {
            id: c.id.to_string(),
            name: c.display_name().to_owned(),
            cpf: masked_cpf(&c.cpf),
            status: c.status.to_string(),
            external_id: c.external_id.clone(),
            created_at: c.created_at.to_rfc3339(),
            open_items: if c.status == dinie::CustomerStatus::PendingKyc {
                c.missing_for_review().len()
            } else {
                0
            },
        }
    }
}

/// One page of the list. Text that is a CPF (with or without mask) searches by CPF; any other
/// text is taken as an external id.
pub async fn search(
    conn: &Connection,
    query: &CustomerQuery,
) -> Result<CustomerPage, dinie::Error> {
    let mut list = conn.client().customers().list().limit(PAGE_SIZE);
    if let Some(text) = query
        .text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        list = match dinie::br::Cpf::parse(text) {
            Ok(cpf) => list.cpf(cpf.as_str()),
            Err(_) => list.external_id(text),
        };
    }
    if let Some(status) = query.status.as_deref().filter(|s| !s.is_empty()) {
        list = list.status(status);
    }
    if let Some(cursor) = &query.cursor {
        list = list.starting_after(&dinie::CustomerId::new(cursor.clone()));
    }
    let page = list.send().await;
    conn.observe(&page);
    let page = page?;
    for bad in &page.skipped {
        tracing::warn!(id = ?bad.id, error = %bad.error, "a customer of the list could not be read");
    }
    Ok(CustomerPage {
        next_cursor: page.next_cursor().map(str::to_owned),
        customers: page.data.iter().map(CustomerRow::from).collect(),
        has_more: page.has_more,
    })
}

/// What a customer waits on the agent for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Need {
    /// Dinie rejected an item: send it again.
    Rejected { label: String },
    /// A document is still to be sent.
    Missing { label: String },
    /// The biometrics capture is not done.
    Biometrics,
    /// Everything is in: submit for review.
    Submit,
}

/// What waits on the agent: rejected items first, then the biometrics and missing documents;
/// a customer with everything in waits to be submitted.
pub fn needs(c: &dinie::Customer) -> Vec<Need> {
    if c.status != dinie::CustomerStatus::PendingKyc || c.kyc.is_empty() {
        return Vec::new();
    }
    let mut out: Vec<Need> = c
        .kyc
        .iter()
        .filter(|k| k.is_rejected())
        .map(|k| Need::Rejected {
            label: k.label.clone(),
        })
        .collect();
    for k in c.missing_for_review() {
        if k.is_rejected() {
            continue;
        }
        if k.requirement_type.is_captured_by_biometrics() {
            if !out.contains(&Need::Biometrics) {
                out.push(Need::Biometrics);
            }
        } else {
            out.push(Need::Missing {
                label: k.label.clone(),
            });
        }
    }
    if out.is_empty() && c.can_start_review() {
        out.push(Need::Submit);
    }
    out
}

/// The registration form (also a draft's content, as the agent typed it).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RegistrationForm {
    pub cpf: String,
    pub cnpj: Option<String>,
    pub name: String,
    pub trading_name: Option<String>,
    pub email: String,
    pub phone: String,
    pub external_id: Option<String>,
}

/// A field the form got wrong, found before sending.
#[derive(Debug, Clone, Serialize)]
pub struct FieldProblem {
    pub field: &'static str,
    pub reason: Reason,
}

fn non_empty(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// Checks the form with the same rules as Dinie, and normalises it (raw CPF/CNPJ, E.164 phone).
pub fn check_form(form: &RegistrationForm) -> Result<RegistrationForm, Vec<FieldProblem>> {
    let mut problems = Vec::new();
    let mut out = form.clone();
    match dinie::br::Cpf::parse(&form.cpf) {
        Ok(c) => out.cpf = c.as_str().to_owned(),
        Err(e) => problems.push(FieldProblem {
            field: "cpf",
            reason: Reason::identifier(Identifier::Cpf, &e),
        }),
    }
    if let Some(cnpj) = non_empty(&form.cnpj) {
        match dinie::br::Cnpj::parse(cnpj) {
            Ok(c) => out.cnpj = Some(c.as_str().to_owned()),
            Err(e) => problems.push(FieldProblem {
                field: "cnpj",
                reason: Reason::identifier(Identifier::Cnpj, &e),
            }),
        }
    } else {
        out.cnpj = None;
        problems.push(FieldProblem {
            field: "cnpj",
            reason: Reason::new(ReasonCode::CnpjRequired),
        });
    }
    // The name is optional: Dinie looks the company up by its CNPJ.
    out.name = crate::services::text::clean(&form.name);
    if let Some(why) = crate::services::text::name_problem(&out.name) {
        problems.push(FieldProblem {
            field: "name",
            reason: why,
        });
    }
    let email = form.email.trim();
    if dinie::email::check(email).is_err() {
        problems.push(FieldProblem {
            field: "email",
            reason: Reason::new(ReasonCode::EmailInvalid),
        });
    }
    out.email = email.to_owned();
    match dinie::br::Phone::parse(&form.phone) {
        Ok(p) => out.phone = p.e164(),
        Err(e) => problems.push(FieldProblem {
            field: "phone",
            reason: Reason::identifier(Identifier::Phone, &e),
        }),
    }
    out.trading_name = non_empty(&form.trading_name).map(str::to_owned);
    out.external_id = non_empty(&form.external_id).map(crate::services::text::clean);
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// Registers a checked form. `idempotency_key` makes a resend after a failure safe.
pub async fn register(
    conn: &Connection,
    form: &RegistrationForm,
    idempotency_key: &str,
) -> Result<dinie::Registration, dinie::Error> {
    // The trading name a draft of the previous release may carry is not sent: Dinie derives it.
    let mut create = conn
        .client()
        .customers()
        .create(form.cpf.clone(), form.cnpj.clone().unwrap_or_default())
        .email(form.email.clone())
        .phone(form.phone.clone())
        .idempotency_key(idempotency_key);
    if !form.name.trim().is_empty() {
        create = create.name(form.name.trim());
    }
    if let Some(e) = &form.external_id {
        create = create.external_id(e.clone());
    }
    let registration = create.send().await;
    conn.observe(&registration);
    registration
}

/// The verdict on one field while the agent types.
#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct FieldVerdict {
    pub valid: bool,
    /// Why it is not valid.
    pub reason: Option<Reason>,
    /// The value with its mask, when valid.
    pub formatted: Option<String>,
}

impl FieldVerdict {
    fn of(checked: Result<String, Reason>) -> Self {
        match checked {
            Ok(formatted) => Self {
                valid: true,
                reason: None,
                formatted: Some(formatted),
            },
            Err(reason) => Self {
                valid: false,
                reason: Some(reason),
                formatted: None,
            },
        }
    }
}

/// A field with no live check.
#[derive(Debug, thiserror::Error)]
#[error("no live check for {0}")]
pub struct NoLiveCheck(pub String);

/// Checks a CPF, CNPJ, phone or e-mail as typed (the page never re-implements the rules).
pub fn check_field(field: &str, value: &str) -> Result<FieldVerdict, NoLiveCheck> {
    let checked = match field {
        "cpf" => dinie::br::Cpf::parse(value)
            .map(|c| c.to_string())
            .map_err(|e| Reason::identifier(Identifier::Cpf, &e)),
        "cnpj" => dinie::br::Cnpj::parse(value)
            .map(|c| c.to_string())
            .map_err(|e| Reason::identifier(Identifier::Cnpj, &e)),
        "phone" => dinie::br::Phone::parse(value)
            .map(|p| p.to_string())
            .map_err(|e| Reason::identifier(Identifier::Phone, &e)),
        "email" => {
            let value = value.trim();
            dinie::email::check(value)
                .map(|()| value.to_owned())
                .map_err(|_| Reason::new(ReasonCode::EmailInvalid))
        }
        other => return Err(NoLiveCheck(other.to_owned())),
    };
    Ok(FieldVerdict::of(checked))
}

/// What an API refusal says about the registration form: one reading of a problem, shared by
/// every place that shows one (a command's error, a draft needing attention).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ApiProblem {
    /// `not_found`, `conflict`, `validation`, `rate_limited`, `auth_failed`, `server_error` by
    /// status, else the API's own code; `None` when the API gave none.
    pub code: Option<String>,
    /// Form field (camelCase, as the page names them) → why.
    pub fields: BTreeMap<String, Reason>,
    /// The existing customer of a `customer_already_exists` conflict.
    pub customer_id: Option<String>,
}

impl ApiProblem {
    /// Reads `error` (empty unless the API answered with an error status).
    pub fn of(error: &dinie::Error) -> Self {
        let Some(api) = error.as_api() else {
            return Self::default();
        };
        let code = match api.status.as_u16() {
            404 => Some("not_found".to_owned()),
            409 => Some("conflict".to_owned()),
            422 => Some("validation".to_owned()),
            429 => Some("rate_limited".to_owned()),
            401 | 403 => Some("auth_failed".to_owned()),
            s if s >= 500 => Some("server_error".to_owned()),
            _ => api.problem.code.clone(),
        };
        let mut fields: BTreeMap<String, Reason> = api
            .problem
            .errors
            .iter()
            .filter_map(|f| {
                Some((
                    form_field(f.param.as_deref()?),
                    Reason::api_field(f.code.as_deref(), f.detail.as_deref()),
                ))
            })
            .collect();
        if fields.is_empty() {
            if let Some(param) = &api.problem.param {
                fields.insert(
                    form_field(param),
                    Reason::api_field(api.problem.code.as_deref(), api.problem.detail.as_deref()),
                );
            }
        }
        Self {
            code,
            fields,
            customer_id: api.problem.extension_str("customer_id").map(str::to_owned),
        }
    }
}

/// The form field (camelCase) an API parameter names.
fn form_field(param: &str) -> String {
    match param {
        "trading_name" => "tradingName".into(),
        "external_id" => "externalId".into(),
        other => other.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> RegistrationForm {
        RegistrationForm {
            cpf: "123.456.789-09".into(),
            cnpj: Some("11.222.333/0001-81".into()),
            name: " Maria ".into(),
            trading_name: None,
            email: "maria@example.com".into(),
            phone: "(11) 98765-4321".into(),
            external_id: Some("".into()),
        }
    }

    #[test]
    fn a_good_form_is_normalised() {
        let f = check_form(&form()).unwrap();
        assert_eq!(
            (f.cpf.as_str(), f.phone.as_str(), f.name.as_str()),
            ("12345678909", "+5511987654321", "Maria")
        );
        assert_eq!(f.cnpj.as_deref(), Some("11222333000181"));
        assert!(f.external_id.is_none());
    }

    #[test]
    fn the_cnpj_is_required_and_the_name_is_not() {
        let mut f = form();
        f.name = String::new();
        assert!(check_form(&f).is_ok(), "Dinie looks the company up");
        f.cnpj = Some(" ".into());
        let fields: Vec<_> = check_form(&f)
            .unwrap_err()
            .into_iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(fields, ["cnpj"]);
    }

    #[test]
    fn live_checks_mask_or_explain() {
        let ok = check_field("cpf", "12345678909").unwrap();
        assert_eq!(ok.formatted.as_deref(), Some("123.456.789-09"));
        assert!(!check_field("phone", "123").unwrap().valid);
        assert!(check_field("name", "Maria").is_err());
    }

    #[test]
    fn every_bad_field_is_named() {
        let mut f = form();
        f.cpf = "123.456.789-00".into();
        f.email = "maria".into();
        f.phone = "123".into();
        f.cnpj = Some("12.345.678/0001-00".into());
        let fields: Vec<_> = check_form(&f)
            .unwrap_err()
            .into_iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(fields, ["cpf", "cnpj", "email", "phone"]);
    }
}
