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
//! # let body = br#"{"id":"evt_1","type":"customer.active","created_at":"2026-03-01T12:00:00Z","data":{"id":"cust_1","status":"active"}}"#;
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

use crate::models::{timestamp, CreditOffer, Customer, CustomerId, CustomerStatus, KycItem};

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

/// A verified event.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookEvent {
    /// `evt_…`, also the `webhook-id`: de-duplicate on it.
    pub id: String,
    /// When the event happened.
    pub created_at: DateTime<Utc>,
    /// What happened.
    pub event: Event,
}

/// The events Dinie sends.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Event {
    /// `customer.created`: the full registration.
    CustomerCreated(Box<Customer>),
    /// `customer.under_review`: every KYC item was sent.
    CustomerUnderReview(StatusChange),
    /// `customer.kyc_updated`: an item changed; the full `kyc` array.
    CustomerKycUpdated(KycUpdate),
    /// `customer.active`: verified, eligible for credit offers.
    CustomerActive(StatusChange),
    /// `credit_offer.available`: a new offer.
    CreditOfferAvailable(OfferAvailable),
}

impl Event {
    /// The event type name (`customer.kyc_updated`, …).
    pub fn type_name(&self) -> &'static str {
        match self {
            Event::CustomerCreated(_) => "customer.created",
            Event::CustomerUnderReview(_) => "customer.under_review",
            Event::CustomerKycUpdated(_) => "customer.kyc_updated",
            Event::CustomerActive(_) => "customer.active",
            Event::CreditOfferAvailable(_) => "credit_offer.available",
        }
    }
}

/// Data of `customer.under_review` and `customer.active`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct StatusChange {
    /// The customer.
    #[serde(alias = "id")]
    pub customer_id: CustomerId,
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
    /// Its status, when sent.
    #[serde(default)]
    pub status: Option<CustomerStatus>,
    /// Every KYC item, as it is now.
    pub kyc: Vec<KycItem>,
}

/// Data of `credit_offer.available`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct OfferAvailable {
    /// The customer.
    pub customer_id: CustomerId,
    /// The offer.
    pub credit_offer: CreditOffer,
}

#[derive(Deserialize)]
struct Envelope {
    id: String,
    #[serde(rename = "type")]
    event_type: String,
    #[serde(deserialize_with = "timestamp::required")]
    created_at: DateTime<Utc>,
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
    let invalid = |e: serde_json::Error| {
        WebhookError::InvalidPayload(format!("{}: {e}", envelope.event_type))
    };
    let event = match envelope.event_type.as_str() {
        "customer.created" => {
            Event::CustomerCreated(Box::new(serde_json::from_value(data).map_err(invalid)?))
        }
        "customer.under_review" => {
            Event::CustomerUnderReview(serde_json::from_value(data).map_err(invalid)?)
        }
        "customer.kyc_updated" => {
            Event::CustomerKycUpdated(serde_json::from_value(data).map_err(invalid)?)
        }
        "customer.active" => Event::CustomerActive(serde_json::from_value(data).map_err(invalid)?),
        "credit_offer.available" => {
            Event::CreditOfferAvailable(serde_json::from_value(data).map_err(invalid)?)
        }
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
        created_at: envelope.created_at,
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
