//! `GET /banks`: the banks a customer's bank account may name.

use serde::Deserialize;

use crate::models::Bank;
use crate::{response, Client, Result};

/// Bank calls; get one with [`Client::banks`].
#[derive(Debug, Clone, Copy)]
pub struct Banks<'c> {
    client: &'c Client,
}

/// The answer: a `{data}` envelope (no `has_more`), or a bare array.
#[derive(Deserialize)]
#[serde(untagged)]
enum BankList {
    Envelope { data: Vec<Bank> },
    Bare(Vec<Bank>),
}

impl<'c> Banks<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Self { client }
    }

    /// Every bank, in Dinie's order.
    ///
    /// ```no_run
    /// # async fn run(client: dinie::Client) -> dinie::Result<()> {
    /// for bank in client.banks().list().await? {
    ///     println!("{}", bank.display_name);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn list(self) -> Result<Vec<Bank>> {
        let url = self.client.url("/banks");
        let resp = self.client.execute(&url, |http| Ok(http.get(&url))).await?;
        Ok(match response::decode(resp).await? {
            BankList::Envelope { data } | BankList::Bare(data) => data,
        })
    }
}
