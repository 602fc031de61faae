use dinie::{CustomerStatus, KycStatus};

use crate::util;

#[tokio::test]
async fn a_customer_followed_to_active_gets_a_credit_offer() {
    let sb = util::sandbox().await;
    let client = util::client(&sb);
    let c = util::register(&client).await;
    assert!(client
        .customers()
        .credit_offers(&c.id)
        .await
        .unwrap()
        .is_empty());

    util::send_documents(&client, &c.id).await;

    let session = client
        .customers()
        .create_biometrics_session(&c.id)
        .await
        .unwrap();
    let ttl = session.expires_at - chrono::Utc::now();
    assert!(
        ttl > chrono::Duration::minutes(14) && ttl <= chrono::Duration::minutes(15),
        "{ttl}"
    );
    let again = client
        .customers()
        .create_biometrics_session(&c.id)
        .await
        .unwrap_err();
    assert_eq!(
        (again.status(), again.code()),
        (Some(409), Some("session_already_active"))
    );

    // The session page is a real page with the two buttons; complete the capture as a person would.
    let http = reqwest::Client::new();
    let page = http.get(&session.session_url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains(r#"id="complete""#) && html.contains(r#"id="fail""#));
    assert!(util::complete_biometrics(&session)
        .await
        .contains(r#"id="done""#));

    let under_review = util::wait_for(&client, &c.id, |c| {
        c.status == CustomerStatus::UnderReview || c.status == CustomerStatus::Active
    })
    .await;
    assert!(under_review
        .kyc
        .iter()
        .all(|k| k.status != KycStatus::Pending));
    let active = util::wait_for(&client, &c.id, |c| c.status == CustomerStatus::Active).await;
    assert!(active.kyc.iter().all(|k| k.status == KycStatus::Approved));

    let offers = client.customers().credit_offers(&c.id).await.unwrap();
    assert_eq!(offers.len(), 1);
    let offer = &offers[0];
    assert!(offer.id.as_str().starts_with("co_"));
    assert!(offer.approved_amount >= rust_decimal::Decimal::from(5000));
    assert_eq!(offer.interest_rate.to_string(), "3.49");
    assert!(offer.valid_until > chrono::Utc::now());
    assert_eq!(offer.status.as_str(), "available");

    // Biometrics cannot be redone once approved.
    let err = client
        .customers()
        .create_biometrics_session(&c.id)
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(409));
}

#[tokio::test]
async fn a_failed_capture_can_be_retried_with_a_new_session() {
    let sb = util::sandbox().await;
    let client = util::client(&sb);
    let c = util::register(&client).await;
    let http = reqwest::Client::new();
    let first = client
        .customers()
        .create_biometrics_session(&c.id)
        .await
        .unwrap();
    http.post(format!("{}/fail", first.session_url))
        .send()
        .await
        .unwrap();
    let failed = client.customers().get(&c.id).await.unwrap();
    assert_eq!(util::item_status(&failed, "biometrics"), "rejected");
    assert!(failed.kyc_item("biometrics").unwrap().message.is_some());
    // The closed session's page says so; a new session can be opened.
    let page = http
        .get(&first.session_url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(r#"id="failed""#));
    let second = client
        .customers()
        .create_biometrics_session(&c.id)
        .await
        .unwrap();
    assert_ne!(second.session_url, first.session_url);
}
