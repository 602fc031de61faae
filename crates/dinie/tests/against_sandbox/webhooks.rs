//! Webhooks end to end: the sandbox signs and sends, a receiver verifies with this crate.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use dinie::webhooks::{self, Event};

use crate::util;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

#[derive(Clone, Default)]
struct Receiver {
    events: Arc<Mutex<Vec<webhooks::WebhookEvent>>>,
    ids: Arc<Mutex<Vec<String>>>,
    attempts: Arc<Mutex<u32>>,
    fail_first: bool,
}

async fn receive(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    {
        let mut attempts = r.attempts.lock().unwrap();
        *attempts += 1;
        if r.fail_first && *attempts == 1 {
            return StatusCode::SERVICE_UNAVAILABLE;
        }
    }
    match webhooks::verify(SECRET, &body, &headers, chrono::Utc::now()) {
        Ok(event) => {
            let mut ids = r.ids.lock().unwrap();
            if !ids.contains(&event.id) {
                ids.push(event.id.clone());
                r.events.lock().unwrap().push(event);
            }
            StatusCode::NO_CONTENT
        }
        Err(_) => StatusCode::BAD_REQUEST,
    }
}

async fn receiver(fail_first: bool) -> (Receiver, String) {
    let r = Receiver {
        fail_first,
        ..Receiver::default()
    };
    let base = util::serve(
        Router::new()
            .route("/api/v3/hooks", post(receive))
            .with_state(r.clone()),
    )
    .await;
    (r, format!("{base}/hooks"))
}

async fn wait_for_types(r: &Receiver, wanted: &[&str]) -> Vec<webhooks::WebhookEvent> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let events = r.events.lock().unwrap().clone();
        let types: Vec<_> = events.iter().map(|e| e.event.type_name()).collect();
        if wanted.iter().all(|w| types.contains(w)) {
            return events;
        }
        assert!(tokio::time::Instant::now() < deadline, "got only {types:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn every_transition_arrives_signed_and_verifies() {
    let (r, url) = receiver(false).await;
    let sb = util::sandbox_with(|c| {
        c.webhook_urls = vec![url];
        c.webhook_secret = SECRET.into();
    })
    .await;
    let client = util::client(&sb);
    let c = util::register(&client).await;
    util::activate(&client, &c).await;

    let events = wait_for_types(
        &r,
        &[
            "customer.created",
            "customer.kyc_updated",
            "customer.under_review",
            "customer.active",
            "credit_offer.available",
        ],
    )
    .await;
    for event in &events {
        assert_eq!(event.api_version.as_deref(), Some("2026-03-01"));
        assert!(event
            .delivery_id
            .as_deref()
            .is_some_and(|d| d.starts_with("dlv_")));
        assert!(event.timestamp.is_some());
        match &event.event {
            Event::CustomerCreated(created) => {
                assert_eq!(created.customer_id, c.id);
                assert_eq!(
                    created.kyc.len(),
                    c.kyc.len(),
                    "created with its requirements"
                );
            }
            Event::CustomerKycUpdated(update) => {
                assert_eq!(update.customer_id, c.id);
                assert_eq!(update.kyc.len(), c.kyc.len(), "the full kyc array");
            }
            Event::CustomerUnderReview(change) | Event::CustomerActive(change) => {
                assert_eq!(change.customer_id, c.id)
            }
            Event::CreditOfferAvailable(offer) => {
                assert_eq!(offer.customer_id.as_ref(), Some(&c.id));
                assert!(offer.id.as_str().starts_with("co_"));
            }
            other => panic!("{other:?}"),
        }
    }
    let offers = events
        .iter()
        .filter(|e| matches!(e.event, Event::CreditOfferAvailable(_)))
        .count();
    assert_eq!(offers, 2, "one event per offer");
    let order: Vec<_> = events.iter().map(|e| e.event.type_name()).collect();
    let pos = |t| order.iter().position(|x| *x == t).unwrap();
    assert!(pos("customer.created") < pos("customer.under_review"));
    assert!(pos("customer.under_review") < pos("customer.active"));
}

#[tokio::test]
async fn a_failed_delivery_is_retried() {
    let (r, url) = receiver(true).await;
    let sb = util::sandbox_with(|c| {
        c.webhook_urls = vec![url];
        c.webhook_secret = SECRET.into();
    })
    .await;
    let client = util::client(&sb);
    util::register(&client).await;
    let events = wait_for_types(&r, &["customer.created"]).await;
    assert_eq!(events.len(), 1);
    // The retry is another delivery of the same event.
    assert_eq!(*r.attempts.lock().unwrap(), 2, "one 503, then the retry");
}
