use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{id_type, open_enum, timestamp};

id_type!(
    /// A credit offer id, `co_…`.
    CreditOfferId
);

open_enum!(
    /// Whether an offer can still be taken.
    CreditOfferStatus {
        /// Can be taken.
        Available = "available",
        /// Taken.
        Accepted = "accepted",
        /// Past `valid_until`.
        Expired = "expired",
    }
);

/// A pre-approved credit offer for an active customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CreditOffer {
    /// `co_…`
    pub id: CreditOfferId,
    /// Approved amount, in reais.
    pub approved_amount: Decimal,
    /// Smallest amount that can be taken, in reais.
    #[serde(default)]
    pub min_amount: Option<Decimal>,
    /// Interest rate, percent a month.
    pub interest_rate: Decimal,
    /// Last day of validity.
    #[serde(deserialize_with = "timestamp::required")]
    pub valid_until: DateTime<Utc>,
    /// Availability.
    pub status: CreditOfferStatus,
}

/// The credit-offers answer: a list envelope, or (older contract) a bare array.
#[derive(Deserialize)]
#[serde(untagged)]
pub(crate) enum CreditOfferList {
    Envelope { data: Vec<CreditOffer> },
    Bare(Vec<CreditOffer>),
}

impl From<CreditOfferList> for Vec<CreditOffer> {
    fn from(list: CreditOfferList) -> Self {
        match list {
            CreditOfferList::Envelope { data } | CreditOfferList::Bare(data) => data,
        }
    }
}
