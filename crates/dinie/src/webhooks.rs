//! Receiving Dinie's webhooks: Standard Webhooks v1 signature checks and typed events.
//!
//! [`verify`] is a pure function of the raw body, the headers, the secret and the clock: it
//! checks the timestamp (5 minutes either way), then every `v1,` signature in the header in
//! constant time (several are sent while a secret is being rotated), and only then parses the
//! event. De-duplicate on [`WebhookEvent::id`] (the `webhook-id`): senders retry.
//!
//! ```
//! use dinie::webhooks::{self, Event};
//! # let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
//! # let body = br#"{"id":"evt_1","type":"customer.active","api_version":"2026-03-01","created_at":1775253600,"delivery_id":"dlv_1","timestamp":1775253600,"data":{"id":"cust_1","external_id":null,"status":"active"}}"#;
//! # let now = chrono::Utc::now();
//! # let mut headers = http::HeaderMap::new();
//! # headers.insert("webhook-id", "evt_1".parse().unwrap());
//! # headers.insert("webhook-timestamp", now.timestamp().to_string().parse().unwrap());
//! # headers.insert("webhook-signature", webhooks::sign(secret, "evt_1", now.timestamp(), body).unwrap().parse().unwrap());
//! let event = webhooks::verify(secret, body, &headers, chrono::Utc::now())?;
//! if let Event::CustomerActive(change) = event.event {
//!     println!("{} is active", change.customer_id);
//! }
//! # Ok::<(), webhooks::WebhookError>(())
//! ```

use chrono::{DateTime, Utc};
use http::HeaderMap;
use serde::Deserialize;
use standardwebhooks::Webhook;

use crate::models::{timestamp, CreditOffer, CustomerId, CustomerStatus, KycRequirement};

/// Largest accepted difference between the webhook's timestamp and the clock.
pub const TOLERANCE_SECONDS: i64 = 5 * 60;

/// Why a webhook was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// A `webhook-*` header is absent.
    #[error("missing header {0}")]
    MissingHeader(&'static str),
    /// A `webhook-*` header is not valid.
    #[error("invalid header {0}")]
    InvalidHeader(&'static str),
    /// The timestamp is more than 5 minutes in the past (a replay, or a slow queue).
    #[error("webhook timestamp is too old ({0} s off)")]
    TimestampTooOld(i64),
    /// The timestamp is more than 5 minutes in the future (a wrong clock on one side).
    #[error("webhook timestamp is in the future ({0} s off)")]
    TimestampInFuture(i64),
    /// No signature matches: wrong secret, or a tampered body.
    #[error("no webhook signature matches")]
    InvalidSignature,
    /// The secret is not `whsec_` + base64.
    #[error("invalid webhook secret: {0}")]
    InvalidSecret(String),
    /// The signature checked out but the body is not an event.
    #[error("invalid webhook payload: {0}")]
    InvalidPayload(String),
    /// A valid, signed event of a type this version does not know.
    #[error("unknown webhook event type {event_type:?} (event {id})")]
    UnknownEventType {
        /// The `type` sent.
        event_type: String,
        /// The event id.
        id: String,
        /// The raw `data`, for callers that want to handle it anyway.
        data: serde_json::Value,
    },
}

/// A verified event: the envelope and what happened.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookEvent {
    /// `evt_…`, also the `webhook-id`: de-duplicate on it.
    pub id: String,
    /// The contract version the payload follows (`2026-03-01`).
    pub api_version: Option<String>,
    /// When the event happened.
    pub created_at: DateTime<Utc>,
    /// `dlv_…`: this delivery (a retry of the same event has another).
    pub delivery_id: Option<String>,
    /// When this delivery was sent.
    pub timestamp: Option<DateTime<Utc>>,
    /// What happened.
    pub event: Event,
}

/// The events Dinie sends.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Event {
    /// `customer.created`: the registration, with the requirements once known.
    CustomerCreated(Box<CustomerSnapshot>),
    /// `customer.kyc_updated`: a requirement changed; the full `kyc` array.
    CustomerKycUpdated(KycUpdate),
    /// `customer.under_review`: submitted for review.
    CustomerUnderReview(StatusChange),
    /// `customer.active`: verified, eligible for credit offers.
    CustomerActive(StatusChange),
    /// `customer.denied`: refused by Dinie.
    CustomerDenied(Box<CustomerSnapshot>),
    /// `credit_offer.available`: a new offer (the offer itself).
    CreditOfferAvailable(Box<CreditOffer>),
    /// `credit_offer.expired`: an offer passed its validity.
    CreditOfferExpired(Box<CreditOffer>),
    /// `loan.*`: known, not handled by this crate; the type and raw `data` are kept.
    Loan {
        /// `loan.created`, `loan.active`, …
        event_type: String,
        /// The raw payload.
        data: serde_json::Value,
    },
}

/// The loan events of the contract (decoded as [`Event::Loan`]).
pub const LOAN_EVENT_TYPES: [&str; 8] = [
    "loan.created",
    "loan.signature_received",
    "loan.processing",
    "loan.active",
    "loan.payment_received",
    "loan.finished",
    "loan.cancelled",
    "loan.error",
];

impl Event {
    /// The event type name (`customer.kyc_updated`, …).
    pub fn type_name(&self) -> &str {
        match self {
            Event::CustomerCreated(_) => "customer.created",
            Event::CustomerKycUpdated(_) => "customer.kyc_updated",
            Event::CustomerUnderReview(_) => "customer.under_review",
            Event::CustomerActive(_) => "customer.active",
            Event::CustomerDenied(_) => "customer.denied",
            Event::CreditOfferAvailable(_) => "credit_offer.available",
            Event::CreditOfferExpired(_) => "credit_offer.expired",
            Event::Loan { event_type, .. } => event_type,
        }
    }

    /// The customer the event is about, when it names one.
    pub fn customer_id(&self) -> Option<&CustomerId> {
        match self {
            Event::CustomerCreated(c) | Event::CustomerDenied(c) => Some(&c.customer_id),
            Event::CustomerKycUpdated(u) => Some(&u.customer_id),
            Event::CustomerUnderReview(c) | Event::CustomerActive(c) => Some(&c.customer_id),
            Event::CreditOfferAvailable(o) | Event::CreditOfferExpired(o) => o.customer_id.as_ref(),
            Event::Loan { .. } => None,
        }
    }
}

/// Data of `customer.created` and `customer.denied`: the registration, without timestamps.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct CustomerSnapshot {
    /// The customer.
    #[serde(alias = "id")]
    pub customer_id: CustomerId,
    /// The partner's id.
    #[serde(default)]
    pub external_id: Option<String>,
    /// Company name.
    #[serde(default)]
    pub name: Option<String>,
    /// E-mail.
    #[serde(default)]
    pub email: Option<String>,
    /// Phone.
    #[serde(default)]
    pub phone: Option<String>,
    /// Owner's CPF.
    #[serde(default)]
    pub cpf: Option<String>,
    /// Company's CNPJ.
    #[serde(default)]
    pub cnpj: Option<String>,
    /// Trading name.
    #[serde(default)]
    pub trading_name: Option<String>,
    /// Status.
    pub status: CustomerStatus,
    /// Requirements (only on `customer.created`).
    #[serde(default)]
    pub kyc: Vec<KycRequirement>,
}

/// Data of `customer.under_review` and `customer.active`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct StatusChange {
    /// The customer.
    #[serde(alias = "id")]
    pub customer_id: CustomerId,
    /// The partner's id.
    #[serde(default)]
    pub external_id: Option<String>,
    /// Its new status.
    pub status: CustomerStatus,
}

/// Data of `customer.kyc_updated`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct KycUpdate {
    /// The customer.
    #[serde(alias = "id")]
    pub customer_id: CustomerId,
    /// The partner's id.
    #[serde(default)]
    pub external_id: Option<String>,
    /// Its status, when sent.
    #[serde(default)]
    pub status: Option<CustomerStatus>,
    /// Every requirement, as it is now.
    #[serde(default)]
    pub kyc: Vec<KycRequirement>,
}

#[derive(Deserialize)]
struct Envelope {
    id: String,
    #[serde(rename = "type")]
    event_type: String,
    #[serde(default)]
    api_version: Option<String>,
    #[serde(deserialize_with = "timestamp::required")]
    created_at: DateTime<Utc>,
    #[serde(default)]
    delivery_id: Option<String>,
    #[serde(default, deserialize_with = "timestamp::optional")]
    timestamp: Option<DateTime<Utc>>,
    data: serde_json::Value,
}

/// Checks a webhook delivery and returns its event. `now` is the receiver's clock.
pub fn verify(
    secret: &str,
    body: &[u8],
    headers: &HeaderMap,
    now: DateTime<Utc>,
) -> Result<WebhookEvent, WebhookError> {
    let header = |name: &'static str| -> Result<&str, WebhookError> {
        headers
            .get(name)
            .ok_or(WebhookError::MissingHeader(name))?
            .to_str()
            .map_err(|_| WebhookError::InvalidHeader(name))
    };
    let msg_id = header("webhook-id")?;
    let timestamp: i64 = header("webhook-timestamp")?
        .trim()
        .parse()
        .map_err(|_| WebhookError::InvalidHeader("webhook-timestamp"))?;
    let signatures = header("webhook-signature")?;

    // The header is unauthenticated input: any i64 must be handled without overflow.
    let now = now.timestamp();
    let skew = i64::try_from(now.abs_diff(timestamp)).unwrap_or(i64::MAX);
    if skew > TOLERANCE_SECONDS {
        return Err(if timestamp < now {
            WebhookError::TimestampTooOld(skew)
        } else {
            WebhookError::TimestampInFuture(skew)
        });
    }

    let expected = sign(secret, msg_id, timestamp, body)?;
    let expected = expected.split_once(',').map(|(_, s)| s).unwrap_or_default();
    let mut matched = false;
    for candidate in signatures.split_ascii_whitespace() {
        if let Some(("v1", sig)) = candidate.split_once(',') {
            // Constant time: every candidate is compared in full, none short-circuits.
            matched |= constant_time_eq(sig.as_bytes(), expected.as_bytes());
        }
    }
    if !matched {
        return Err(WebhookError::InvalidSignature);
    }
    parse(body)
}

/// Parses an event body without checking a signature (for bodies already verified).
pub fn parse(body: &[u8]) -> Result<WebhookEvent, WebhookError> {
    let envelope: Envelope =
        serde_json::from_slice(body).map_err(|e| WebhookError::InvalidPayload(e.to_string()))?;
    let data = envelope.data;
    fn decoded<T: serde::de::DeserializeOwned>(
        data: serde_json::Value,
        event_type: &str,
    ) -> Result<T, WebhookError> {
        serde_path_to_error::deserialize(data)
            .map_err(|e| WebhookError::InvalidPayload(format!("{event_type}: {e}")))
    }
    let t = envelope.event_type.as_str();
    let event = match t {
        "customer.created" => Event::CustomerCreated(Box::new(decoded(data, t)?)),
        "customer.kyc_updated" => Event::CustomerKycUpdated(decoded(data, t)?),
        "customer.under_review" => Event::CustomerUnderReview(decoded(data, t)?),
        "customer.active" => Event::CustomerActive(decoded(data, t)?),
        "customer.denied" => Event::CustomerDenied(Box::new(decoded(data, t)?)),
        "credit_offer.available" => Event::CreditOfferAvailable(Box::new(decoded(data, t)?)),
        "credit_offer.expired" => Event::CreditOfferExpired(Box::new(decoded(data, t)?)),
        loan if LOAN_EVENT_TYPES.contains(&loan) => Event::Loan {
            event_type: loan.to_owned(),
            data,
        },
        _ => {
            return Err(WebhookError::UnknownEventType {
                event_type: envelope.event_type,
                id: envelope.id,
                data,
            })
        }
    };
    Ok(WebhookEvent {
        id: envelope.id,
        api_version: envelope.api_version,
        created_at: envelope.created_at,
        delivery_id: envelope.delivery_id,
        timestamp: envelope.timestamp,
        event,
    })
}

/// The `webhook-signature` value (`v1,<base64>`) for a delivery: what a sender puts in the
/// header.
pub fn sign(
    secret: &str,
    msg_id: &str,
    timestamp: i64,
    body: &[u8],
) -> Result<String, WebhookError> {
    let wh = Webhook::new(secret).map_err(|e| WebhookError::InvalidSecret(e.to_string()))?;
    wh.sign(msg_id, timestamp, body)
        .map_err(|_| WebhookError::InvalidPayload("the body is not UTF-8".into()))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const OTHER: &str = "whsec_c2VjcmV0LW9mLWFub3RoZXItcGFydG5lcg==";

    fn delivery(ts: i64, sigs: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("webhook-id", "evt_1".parse().unwrap());
        h.insert("webhook-timestamp", ts.to_string().parse().unwrap());
        h.insert("webhook-signature", sigs.parse().unwrap());
        h
    }

    fn body(kind: &str, data: &str) -> Vec<u8> {
        format!(
            r#"{{"id":"evt_1","type":"{kind}","created_at":"2026-03-01T12:00:00Z","data":{data}}}"#
        )
        .into_bytes()
    }

    #[test]
    fn accepts_a_good_signature_among_several() {
        let now = Utc::now();
        let b = body("customer.active", r#"{"id":"cust_1","status":"active"}"#);
        let good = sign(SECRET, "evt_1", now.timestamp(), &b).unwrap();
        let old = sign(OTHER, "evt_1", now.timestamp(), &b).unwrap();
        let h = delivery(now.timestamp(), &format!("{old} {good}"));
        let ev = verify(SECRET, &b, &h, now).unwrap();
        assert_eq!(ev.event.type_name(), "customer.active");
        match ev.event {
            Event::CustomerActive(c) => assert_eq!(c.customer_id.as_str(), "cust_1"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn refuses_tampering_wrong_secret_and_skew() {
        let now = Utc::now();
        let ts = now.timestamp();
        let b = body("customer.active", r#"{"id":"cust_1","status":"active"}"#);
        let sig = sign(SECRET, "evt_1", ts, &b).unwrap();
        let mut tampered = b.clone();
        tampered[10] ^= 1;
        assert!(matches!(
            verify(SECRET, &tampered, &delivery(ts, &sig), now),
            Err(WebhookError::InvalidSignature)
        ));
        assert!(matches!(
            verify(OTHER, &b, &delivery(ts, &sig), now),
            Err(WebhookError::InvalidSignature)
        ));
        assert!(matches!(
            verify(SECRET, &b, &delivery(ts, "v2,abc"), now),
            Err(WebhookError::InvalidSignature)
        ));
        let later = now + chrono::Duration::seconds(TOLERANCE_SECONDS + 1);
        assert!(matches!(
            verify(SECRET, &b, &delivery(ts, &sig), later),
            Err(WebhookError::TimestampTooOld(_))
        ));
        let earlier = now - chrono::Duration::seconds(TOLERANCE_SECONDS + 1);
        assert!(matches!(
            verify(SECRET, &b, &delivery(ts, &sig), earlier),
            Err(WebhookError::TimestampInFuture(_))
        ));
        let edge = now + chrono::Duration::seconds(TOLERANCE_SECONDS);
        assert!(verify(SECRET, &b, &delivery(ts, &sig), edge).is_ok());
        let mut h = delivery(ts, &sig);
        h.remove("webhook-id");
        assert!(matches!(
            verify(SECRET, &b, &h, now),
            Err(WebhookError::MissingHeader("webhook-id"))
        ));
    }

    #[test]
    fn unknown_type_keeps_its_name() {
        let now = Utc::now();
        let b = body("customer.teleported", r#"{"id":"cust_1"}"#);
        let sig = sign(SECRET, "evt_1", now.timestamp(), &b).unwrap();
        match verify(SECRET, &b, &delivery(now.timestamp(), &sig), now) {
            Err(WebhookError::UnknownEventType { event_type, id, .. }) => {
                assert_eq!(event_type, "customer.teleported");
                assert_eq!(id, "evt_1");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn extreme_timestamps_are_refused_without_overflow() {
        let b = body("customer.active", r#"{"id":"cust_1","status":"active"}"#);
        for ts in [i64::MIN, i64::MAX, -1] {
            let h = delivery(ts, "v1,AAAA");
            let err = verify(SECRET, &b, &h, Utc::now()).unwrap_err();
            assert!(
                matches!(
                    err,
                    WebhookError::TimestampTooOld(_) | WebhookError::TimestampInFuture(_)
                ),
                "{ts}: {err:?}"
            );
        }
    }
}
