use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{id_type, open_enum, timestamp, CustomerId};

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

/// How an offer may be paid back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Installments {
    /// A fixed number of installments.
    Fixed {
        /// The number.
        count: u32,
    },
    /// Any number in a range, chosen when the loan is taken.
    Range {
        /// The fewest.
        min: u32,
        /// The most.
        max: u32,
    },
    /// Neither shape was sent.
    Unknown,
}

/// A pre-approved credit offer for an active customer. Dinie sends one of two shapes, told
/// apart by which fields are present (as the SDKs do): `installments`, or `min_installments`
/// and `max_installments`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "WireOffer")]
#[non_exhaustive]
pub struct CreditOffer {
    /// `co_…`
    pub id: CreditOfferId,
    /// The customer it is for.
    pub customer_id: Option<CustomerId>,
    /// The partner's id, when set.
    pub external_id: Option<String>,
    /// Availability.
    pub status: CreditOfferStatus,
    /// Approved amount, in reais.
    pub approved_amount: Decimal,
    /// Smallest amount that can be taken, in reais.
    pub min_amount: Option<Decimal>,
    /// Interest rate, percent a month.
    pub monthly_interest_rate: Decimal,
    /// Fixed count or range.
    pub installments: Installments,
    /// How due dates are chosen, when Dinie says.
    pub due_date_rule: Option<String>,
    /// Last moment of validity.
    pub valid_until: DateTime<Utc>,
    /// Creation (absent in webhook payloads).
    pub created_at: Option<DateTime<Utc>>,
    /// Last change (absent in webhook payloads).
    pub updated_at: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
struct WireOffer {
    id: CreditOfferId,
    #[serde(default)]
    customer_id: Option<CustomerId>,
    #[serde(default)]
    external_id: Option<String>,
    status: CreditOfferStatus,
    approved_amount: Decimal,
    #[serde(default)]
    min_amount: Option<Decimal>,
    monthly_interest_rate: Decimal,
    #[serde(default)]
    installments: Option<u32>,
    #[serde(default)]
    min_installments: Option<u32>,
    #[serde(default)]
    max_installments: Option<u32>,
    #[serde(default)]
    due_date_rule: Option<String>,
    #[serde(deserialize_with = "timestamp::required")]
    valid_until: DateTime<Utc>,
    #[serde(default, deserialize_with = "timestamp::optional")]
    created_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "timestamp::optional")]
    updated_at: Option<DateTime<Utc>>,
}

impl From<WireOffer> for CreditOffer {
    fn from(w: WireOffer) -> Self {
        // A range wins over `installments`: an offer event carries `installments` even for a
        // range (the SDKs' event payload requires it), beside the range itself.
        let installments = match (w.installments, w.min_installments, w.max_installments) {
            (_, Some(min), Some(max)) => Installments::Range { min, max },
            (Some(count), _, _) => Installments::Fixed { count },
            (None, None, Some(max)) => Installments::Range { min: 1, max },
            _ => Installments::Unknown,
        };
        Self {
            id: w.id,
            customer_id: w.customer_id,
            external_id: w.external_id,
            status: w.status,
            approved_amount: w.approved_amount,
            min_amount: w.min_amount,
            monthly_interest_rate: w.monthly_interest_rate,
            installments,
            due_date_rule: w.due_date_rule,
            valid_until: w.valid_until,
            created_at: w.created_at,
            updated_at: w.updated_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `wireCreditOffer` of dinie-tech/sdk-js tests/generated/credit-offers.test.ts.
    const SDK_JS_FIXED: &str = r#"{"id":"co_1","customer_id":"cust_1","status":"available",
        "approved_amount":50000,"min_amount":200,"monthly_interest_rate":3.5,"installments":12,
        "valid_until":1775253599,"created_at":1772791200,"updated_at":1772877600}"#;

    #[test]
    fn decodes_both_shapes() {
        let fixed: CreditOffer = serde_json::from_str(SDK_JS_FIXED).unwrap();
        assert_eq!(fixed.installments, Installments::Fixed { count: 12 });
        assert_eq!(fixed.monthly_interest_rate, Decimal::new(35, 1));
        assert_eq!(fixed.approved_amount, Decimal::from(50_000));
        let range: CreditOffer = serde_json::from_str(&SDK_JS_FIXED.replace(
            r#""installments":12"#,
            r#""min_installments":6,"max_installments":24"#,
        ))
        .unwrap();
        assert_eq!(range.installments, Installments::Range { min: 6, max: 24 });
    }

    /// The `credit_offer.expired` data of sdk-js tests/_helpers/webhook-fixtures.ts: no
    /// timestamps but `valid_until`, `external_id` null, `due_date_rule` absent.
    #[test]
    fn decodes_the_webhook_offer() {
        let offer: CreditOffer = serde_json::from_str(
            r#"{"id":"co_test_123","customer_id":"cust_test_123","external_id":null,"status":"expired",
                "approved_amount":50000,"min_amount":1000,"monthly_interest_rate":2.5,"installments":12,
                "valid_until":1775340000}"#,
        )
        .unwrap();
        assert_eq!(offer.status, CreditOfferStatus::Expired);
        assert!(offer.created_at.is_none());
    }
}
