//! Wire examples taken from Dinie's official SDKs decode with this crate.
//!
//! `wire/sdk_js_webhook_bodies.json` is `WEBHOOK_EVENT_WIRE_BODIES` of the JS SDK
//! (`dinie-tech/sdk-js`, `tests/_helpers/webhook-fixtures.ts`), evaluated with node and saved as
//! JSON: one body per event type of the contract. The requirement, customer, offer and bank
//! examples of `tests/generated/*.test.ts` are decoded in the unit tests next to each model.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::Utc;
use dinie::models::{CreditOfferStatus, Installments, RequirementType, SubjectType};
use dinie::webhooks::{self, Event, LOAN_EVENT_TYPES};
use dinie::CustomerStatus;

const BODIES: &str = include_str!("wire/sdk_js_webhook_bodies.json");
/// `TEST_WEBHOOK_SECRET` of the same file: `whsec_` + base64("dinie-test-webhook-secret").
const SDK_SECRET: &str = "whsec_ZGluaWUtdGVzdC13ZWJob29rLXNlY3JldA==";

fn bodies() -> serde_json::Map<String, serde_json::Value> {
    serde_json::from_str(BODIES).expect("the fixture file is JSON")
}

#[test]
fn every_sdk_event_body_decodes_as_its_type() {
    let all = bodies();
    assert_eq!(
        all.len(),
        15,
        "seven customer and offer events, eight loan events"
    );
    for (event_type, body) in &all {
        let raw = serde_json::to_vec(body).unwrap();
        let event = webhooks::parse(&raw).unwrap_or_else(|e| panic!("{event_type}: {e}"));
        assert_eq!(event.event.type_name(), event_type);
        assert_eq!(event.id, "evt_test_123");
        assert_eq!(event.api_version.as_deref(), Some("2026-03-01"));
        assert_eq!(event.delivery_id.as_deref(), Some("dlv_test_123"));
        assert_eq!(event.created_at.timestamp(), 1_775_253_600);
        assert_eq!(event.timestamp.map(|t| t.timestamp()), Some(1_775_253_600));
        if LOAN_EVENT_TYPES.contains(&event_type.as_str()) {
            assert!(matches!(event.event, Event::Loan { .. }), "{event_type}");
        } else {
            assert_eq!(
                event.event.customer_id().map(|c| c.as_str()),
                Some("cust_test_123"),
                "{event_type}"
            );
        }
    }
}

#[test]
fn the_sdk_customer_events_carry_what_they_should() {
    let all = bodies();
    let parse = |t: &str| {
        webhooks::parse(&serde_json::to_vec(&all[t]).unwrap())
            .unwrap()
            .event
    };
    match parse("customer.created") {
        Event::CustomerCreated(c) => {
            assert_eq!(c.status, CustomerStatus::PendingKyc);
            assert_eq!(c.cnpj.as_deref(), Some("12.345.678/0001-90"));
            assert_eq!(c.kyc[0].requirement_type, RequirementType::Identity);
            let subject = c.kyc[0].subject.as_ref().unwrap();
            assert_eq!(subject.subject_type, SubjectType::Applicant);
        }
        other => panic!("{other:?}"),
    }
    match parse("customer.denied") {
        Event::CustomerDenied(c) => assert_eq!(c.status, CustomerStatus::Denied),
        other => panic!("{other:?}"),
    }
    match parse("customer.under_review") {
        Event::CustomerUnderReview(c) => {
            assert_eq!(c.external_id.as_deref(), Some("partner-ref-1"))
        }
        other => panic!("{other:?}"),
    }
    match parse("credit_offer.expired") {
        Event::CreditOfferExpired(o) => {
            assert_eq!(o.status, CreditOfferStatus::Expired);
            assert_eq!(o.installments, Installments::Fixed { count: 12 });
            assert!(o.due_date_rule.is_none());
        }
        other => panic!("{other:?}"),
    }
}

/// The SDK signs `{id}.{timestamp}.{body}` with the base64-decoded secret; a delivery signed
/// that way verifies here.
#[test]
fn a_delivery_signed_as_the_sdk_signs_verifies() {
    let all = bodies();
    let body = serde_json::to_vec(&all["customer.active"]).unwrap();
    let now = Utc::now();
    let signature = webhooks::sign(SDK_SECRET, "evt_test_123", now.timestamp(), &body).unwrap();
    let mut headers = http::HeaderMap::new();
    headers.insert("webhook-id", "evt_test_123".parse().unwrap());
    headers.insert(
        "webhook-timestamp",
        now.timestamp().to_string().parse().unwrap(),
    );
    headers.insert("webhook-signature", signature.parse().unwrap());
    let event = webhooks::verify(SDK_SECRET, &body, &headers, now).unwrap();
    assert!(matches!(event.event, Event::CustomerActive(_)));
}
