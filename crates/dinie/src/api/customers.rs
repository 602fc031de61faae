//! `/customers`: register, list, get, update, KYC attachments and review, biometrics, bank
//! account and credit offers.

use futures_util::Stream;
use reqwest::StatusCode;
use serde::Serialize;

use crate::api::kyc_attachments::{AttachmentTarget, UploadKycAttachment};
use crate::api::path_segment;
use crate::models::{
    BankAccount, BankAccountInput, BiometricsSession, CreditOffer, CreditOfferStatus, Customer,
    CustomerId, CustomerStatus, Page,
};
use crate::{response, Client, Result};

/// Customer calls; get one with [`Client::customers`].
#[derive(Debug, Clone, Copy)]
pub struct Customers<'c> {
    client: &'c Client,
}

/// What `POST /customers` did.
#[derive(Debug, Clone, PartialEq)]
pub enum Registration {
    /// 201: a new customer was registered.
    Created(Customer),
    /// 200: this CPF was already registered with this `external_id`; here it is.
    Existing(Customer),
}

impl Registration {
    /// The customer, new or existing.
    pub fn customer(&self) -> &Customer {
        match self {
            Registration::Created(c) | Registration::Existing(c) => c,
        }
    }

    /// The customer, new or existing.
    pub fn into_customer(self) -> Customer {
        match self {
            Registration::Created(c) | Registration::Existing(c) => c,
        }
    }

    /// True when the call registered a new customer.
    pub fn is_new(&self) -> bool {
        matches!(self, Registration::Created(_))
    }
}

impl<'c> Customers<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Self { client }
    }

    /// `POST /customers`: registers a borrower, a company (`cnpj`) and its owner (`cpf`).
    /// Dinie answers `creating` while it looks the company up, then lists the requirements.
    ///
    /// ```no_run
    /// # async fn run(client: dinie::Client) -> dinie::Result<()> {
    /// let registration = client
    ///     .customers()
    ///     .create("123.456.789-09", "11.222.333/0001-81")
    ///     .name("Padaria da Maria")
    ///     .email("maria@example.com")
    ///     .phone("+5511987654321")
    ///     .external_id("crm-42")
    ///     .send()
    ///     .await?;
    /// println!("{} (new: {})", registration.customer().id, registration.is_new());
    /// # Ok(()) }
    /// ```
    pub fn create(self, cpf: impl Into<String>, cnpj: impl Into<String>) -> CreateCustomer<'c> {
        CreateCustomer {
            client: self.client,
            idempotency_key: None,
            body: CreateCustomerBody {
                cpf: cpf.into(),
                cnpj: cnpj.into(),
                ..CreateCustomerBody::default()
            },
        }
    }

    /// `GET /customers`: one page, or every page with [`ListCustomers::into_stream`].
    ///
    /// ```no_run
    /// # async fn run(client: dinie::Client) -> dinie::Result<()> {
    /// use futures_util::TryStreamExt;
    /// let page = client.customers().list().status("under_review").limit(50).send().await?;
    /// let all: Vec<_> = client.customers().list().into_stream().try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn list(self) -> ListCustomers<'c> {
        ListCustomers {
            client: self.client,
            query: ListQuery::default(),
        }
    }

    /// `GET /customers/{id}`.
    ///
    /// ```no_run
    /// # async fn run(client: dinie::Client) -> dinie::Result<()> {
    /// let customer = client.customers().get(&"cust_123".into()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn get(self, id: &CustomerId) -> Result<Customer> {
        let url = self.client.url(&format!("/customers/{}", path_segment(id)));
        let resp = self.client.execute(&url, |http| Ok(http.get(&url))).await?;
        response::decode(resp).await
    }

    /// `PATCH /customers/{id}`: corrects the e-mail or the phone, the only fields that can
    /// change (`cpf`, `cnpj`, `name`, `trading_name` and `external_id` are read-only).
    ///
    /// ```no_run
    /// # async fn run(client: dinie::Client) -> dinie::Result<()> {
    /// let fixed = client.customers().update(&"cust_123".into()).email("maria@example.org").send().await?;
    /// # Ok(()) }
    /// ```
    pub fn update(self, id: &CustomerId) -> UpdateCustomer<'c> {
        UpdateCustomer {
            client: self.client,
            id: id.clone(),
            body: CustomerPatch::default(),
        }
    }

    /// `POST /customers/{id}/kyc-attachments`: see [`UploadKycAttachment`].
    pub fn kyc_attachment(
        self,
        id: &CustomerId,
        target: AttachmentTarget,
    ) -> UploadKycAttachment<'c> {
        UploadKycAttachment::new(self.client, id.clone(), target)
    }

    /// `POST /customers/{id}/kyc-review`: submits the evidence for review (202, no body); again
    /// after a rejected item was sent anew.
    ///
    /// ```no_run
    /// # async fn run(client: dinie::Client) -> dinie::Result<()> {
    /// client.customers().start_kyc_review(&"cust_123".into()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn start_kyc_review(self, id: &CustomerId) -> Result<()> {
        let url = self
            .client
            .url(&format!("/customers/{}/kyc-review", path_segment(id)));
        let resp = self
            .client
            .execute(&url, |http| Ok(http.post(&url)))
            .await?;
        response::discard(resp).await
    }

    /// `POST /customers/{id}/biometrics`: a capture session for the borrower.
    ///
    /// ```no_run
    /// # async fn run(client: dinie::Client) -> dinie::Result<()> {
    /// let session = client.customers().create_biometrics_session(&"cust_123".into()).await?;
    /// println!("open {} before {}", session.session_url, session.expires_at);
    /// # Ok(()) }
    /// ```
    pub async fn create_biometrics_session(self, id: &CustomerId) -> Result<BiometricsSession> {
        let url = self
            .client
            .url(&format!("/customers/{}/biometrics", path_segment(id)));
        let resp = self
            .client
            .execute(&url, |http| {
                Ok(http.post(&url).json(&serde_json::json!({})))
            })
            .await?;
        response::decode(resp).await
    }

    /// `GET /customers/{id}/credit-offers`: one page, or every page with
    /// [`ListCreditOffers::into_stream`].
    ///
    /// ```no_run
    /// # async fn run(client: dinie::Client) -> dinie::Result<()> {
    /// let page = client.customers().credit_offers(&"cust_123".into()).send().await?;
    /// for offer in page.data {
    ///     println!("R$ {} at {}% a month", offer.approved_amount, offer.monthly_interest_rate);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn credit_offers(self, id: &CustomerId) -> ListCreditOffers<'c> {
        ListCreditOffers {
            client: self.client,
            id: id.clone(),
            query: OfferQuery::default(),
        }
    }

    /// `GET /customers/{id}/bank-account`: the account credit is paid into; `None` when the
    /// customer has none yet.
    pub async fn bank_account(self, id: &CustomerId) -> Result<Option<BankAccount>> {
        let url = self
            .client
            .url(&format!("/customers/{}/bank-account", path_segment(id)));
        match self.client.execute(&url, |http| Ok(http.get(&url))).await {
            Ok(resp) => response::decode(resp).await.map(Some),
            Err(e) if e.code() == Some("bank_account_not_found") => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `POST /customers/{id}/bank-account`: sets (or replaces) the account.
    pub async fn upsert_bank_account(
        self,
        id: &CustomerId,
        account: &BankAccountInput,
    ) -> Result<BankAccount> {
        let url = self
            .client
            .url(&format!("/customers/{}/bank-account", path_segment(id)));
        let body = serde_json::json!({ "bank_account": account });
        let resp = self
            .client
            .execute(&url, |http| Ok(http.post(&url).json(&body)))
            .await?;
        response::decode(resp).await
    }
}

#[derive(Debug, Default, Clone, Serialize)]
struct OfferQuery {
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    limit: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    starting_after: Option<String>,
}

/// Builder of `GET /customers/{id}/credit-offers`.
#[derive(Debug, Clone)]
#[must_use = "nothing is sent until .send() is awaited"]
pub struct ListCreditOffers<'c> {
    client: &'c Client,
    id: CustomerId,
    query: OfferQuery,
}

impl<'c> ListCreditOffers<'c> {
    /// Only offers in this status.
    pub fn status(mut self, status: CreditOfferStatus) -> Self {
        self.query.status = Some(status.as_str().to_owned());
        self
    }
    /// Page size, 1 to 100.
    pub fn limit(mut self, limit: u8) -> Self {
        self.query.limit = Some(limit);
        self
    }

    /// Fetches one page. An offer that does not decode is left out and reported in
    /// [`Page::skipped`].
    pub async fn send(&self) -> Result<Page<CreditOffer>> {
        let url = self.client.url(&format!(
            "/customers/{}/credit-offers",
            path_segment(&self.id)
        ));
        let query = &self.query;
        let resp = self
            .client
            .execute(&url, |http| Ok(http.get(&url).query(query)))
            .await?;
        response::decode(resp).await
    }

    /// Every offer, fetching later pages lazily as the stream is read.
    pub fn into_stream(self) -> impl Stream<Item = Result<CreditOffer>> + 'c {
        every_page(
            self,
            |list| async move { list.send().await },
            |list, cursor| list.query.starting_after = cursor,
        )
    }
}

#[derive(Debug, Default, Serialize)]
struct CreateCustomerBody {
    cpf: String,
    cnpj: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    external_id: Option<String>,
}

/// Builder of `POST /customers`. Always sends an `Idempotency-Key` (a random one unless set),
/// so that a retry after a timeout cannot register the borrower twice.
#[derive(Debug)]
#[must_use = "nothing is sent until .send() is awaited"]
pub struct CreateCustomer<'c> {
    client: &'c Client,
    idempotency_key: Option<String>,
    body: CreateCustomerBody,
}

impl CreateCustomer<'_> {
    /// The company's name (optional: Dinie looks it up by the CNPJ).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.body.name = Some(name.into());
        self
    }
    /// E-mail.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.body.email = Some(email.into());
        self
    }
    /// Phone, `+55…`.
    pub fn phone(mut self, phone: impl Into<String>) -> Self {
        self.body.phone = Some(phone.into());
        self
    }
    /// The partner's own id for the borrower.
    pub fn external_id(mut self, id: impl Into<String>) -> Self {
        self.body.external_id = Some(id.into());
        self
    }
    /// A stable key (for example a draft's id) so that a retry, even after a crash, returns
    /// the first answer instead of registering again.
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }

    /// Sends the registration.
    pub async fn send(self) -> Result<Registration> {
        let key = self
            .idempotency_key
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        let url = self.client.url("/customers");
        let body = &self.body;
        let resp = self
            .client
            .execute(&url, |http| {
                Ok(http
                    .post(&url)
                    .header("Idempotency-Key", &key)
                    .header("X-Idempotency-Key", &key)
                    .json(body))
            })
            .await?;
        let created = resp.status() == StatusCode::CREATED;
        let customer = response::decode(resp).await?;
        Ok(if created {
            Registration::Created(customer)
        } else {
            Registration::Existing(customer)
        })
    }
}

#[derive(Debug, Default, Clone, Serialize)]
struct ListQuery {
    #[serde(skip_serializing_if = "Option::is_none")]
    cpf: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    external_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    limit: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    starting_after: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sort: Option<CustomerSort>,
    #[serde(skip_serializing_if = "Option::is_none")]
    order: Option<SortOrder>,
}

/// What `GET /customers` is sorted by (`sort`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CustomerSort {
    /// When the customer was registered (the API's default).
    CreatedAt,
    /// When the customer last changed: a mirror refreshed with `order=desc` stops at the first
    /// customer it already has as it is.
    UpdatedAt,
}

/// The direction of a sorted list (`order`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    Asc,
    /// Newest first (the API's default).
    Desc,
}

/// Builder of `GET /customers`.
#[derive(Debug, Clone)]
#[must_use = "nothing is sent until .send() is awaited"]
pub struct ListCustomers<'c> {
    client: &'c Client,
    query: ListQuery,
}

impl<'c> ListCustomers<'c> {
    /// Only the customer with this CPF (masked or not).
    pub fn cpf(mut self, cpf: impl Into<String>) -> Self {
        self.query.cpf = Some(cpf.into());
        self
    }
    /// Only the customer with this external id.
    pub fn external_id(mut self, id: impl Into<String>) -> Self {
        self.query.external_id = Some(id.into());
        self
    }
    /// Only customers in this status (`pending_kyc`, `under_review`, `active`, …).
    pub fn status(mut self, status: impl Into<CustomerStatusFilter>) -> Self {
        self.query.status = Some(status.into().0);
        self
    }
    /// Page size, 1 to 100 (the API's default is 25).
    pub fn limit(mut self, limit: u8) -> Self {
        self.query.limit = Some(limit);
        self
    }
    /// The page after this customer id.
    pub fn starting_after(mut self, id: &CustomerId) -> Self {
        self.query.starting_after = Some(id.to_string());
        self
    }
    /// Sorted by creation or by last change.
    pub fn sort(mut self, sort: CustomerSort) -> Self {
        self.query.sort = Some(sort);
        self
    }
    /// Oldest or newest first.
    pub fn order(mut self, order: SortOrder) -> Self {
        self.query.order = Some(order);
        self
    }

    /// Fetches one page.
    pub async fn send(&self) -> Result<Page<Customer>> {
        let url = self.client.url("/customers");
        let query = &self.query;
        let resp = self
            .client
            .execute(&url, |http| Ok(http.get(&url).query(query)))
            .await?;
        response::decode(resp).await
    }

    /// Every customer matching the filters, fetching later pages lazily as the stream is read.
    pub fn into_stream(self) -> impl Stream<Item = Result<Customer>> + 'c {
        every_page(
            self,
            |list| async move { list.send().await },
            |list, cursor| list.query.starting_after = cursor,
        )
    }
}

/// The items of every page of a list, fetched lazily: `fetch` gets the page a copy of the
/// list's builder names (builders are a reference and a small query), `set_cursor` moves it past
/// the page just read. An item that did not decode is
/// logged and left out (the page reports it).
fn every_page<'c, L, T, F, Fut>(
    list: L,
    fetch: F,
    set_cursor: fn(&mut L, Option<String>),
) -> impl Stream<Item = Result<T>> + 'c
where
    L: Clone + 'c,
    T: 'c,
    F: Fn(L) -> Fut + Copy + 'c,
    Fut: std::future::Future<Output = Result<Page<T>>>,
{
    futures_util::stream::try_unfold(
        (list, Vec::<T>::new().into_iter(), true),
        move |(mut list, mut buffered, mut more)| async move {
            loop {
                if let Some(item) = buffered.next() {
                    return Ok(Some((item, (list, buffered, more))));
                }
                if !more {
                    return Ok(None);
                }
                let page = fetch(list.clone()).await?;
                for bad in &page.skipped {
                    tracing::warn!(id = ?bad.id, error = %bad.error, "an item of a page could not be decoded; skipped");
                }
                more = page.next_cursor().is_some();
                set_cursor(&mut list, page.next_cursor().map(str::to_owned));
                buffered = page.data.into_iter();
            }
        },
    )
}

/// A status to filter on: a [`CustomerStatus`] or a raw string.
#[derive(Debug, Clone)]
pub struct CustomerStatusFilter(String);

impl From<CustomerStatus> for CustomerStatusFilter {
    fn from(s: CustomerStatus) -> Self {
        Self(s.as_str().to_owned())
    }
}
impl From<&str> for CustomerStatusFilter {
    fn from(s: &str) -> Self {
        Self(s.to_owned())
    }
}
impl From<String> for CustomerStatusFilter {
    fn from(s: String) -> Self {
        Self(s)
    }
}

/// The fields `PATCH /customers/{id}` may change: only the e-mail and the phone.
#[derive(Debug, Default, Clone, Serialize)]
struct CustomerPatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    phone: Option<String>,
}

/// Builder of `PATCH /customers/{id}`.
#[derive(Debug)]
#[must_use = "nothing is sent until .send() is awaited"]
pub struct UpdateCustomer<'c> {
    client: &'c Client,
    id: CustomerId,
    body: CustomerPatch,
}

impl UpdateCustomer<'_> {
    /// New e-mail.
    pub fn email(mut self, v: impl Into<String>) -> Self {
        self.body.email = Some(v.into());
        self
    }
    /// New phone.
    pub fn phone(mut self, v: impl Into<String>) -> Self {
        self.body.phone = Some(v.into());
        self
    }

    /// Sends the correction.
    pub async fn send(self) -> Result<Customer> {
        let url = self
            .client
            .url(&format!("/customers/{}", path_segment(&self.id)));
        let body = &self.body;
        let resp = self
            .client
            .execute(&url, |http| Ok(http.patch(&url).json(body)))
            .await?;
        response::decode(resp).await
    }
}
