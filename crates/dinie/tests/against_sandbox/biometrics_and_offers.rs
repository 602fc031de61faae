use dinie::models::{AccountKind, BankAccountInput, Installments};
use dinie::{CustomerStatus, RequirementType as R};

use crate::util::{self, Form};

#[tokio::test]
async fn a_customer_followed_to_active_gets_offers_of_both_shapes() {
    let sb = util::sandbox().await;
    let client = util::client(&sb);
    let c = util::register(&client).await;
    assert!(client
        .customers()
        .credit_offers(&c.id)
        .send()
        .await
        .unwrap()
        .data
        .is_empty());

    util::send_documents(&client, &c, "doc.pdf").await;
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

    // The capture page is a real page that does the capture app's work with the session token.
    let http = reqwest::Client::new();
    let page = http.get(&session.session_url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("session-exchange") && html.contains("kyc-attachments/selfie"));
    util::complete_biometrics(&session).await;
    let captured = client.customers().get(&c.id).await.unwrap();
    assert!(util::requirement(&captured, R::Selfie).is_complete());

    client.customers().start_kyc_review(&c.id).await.unwrap();
    assert_eq!(
        client.customers().get(&c.id).await.unwrap().status,
        CustomerStatus::UnderReview
    );
    let active = util::wait_for(&client, &c.id, |c| c.status == CustomerStatus::Active).await;
    assert!(active
        .kyc
        .iter()
        .filter(|k| k.submitted.is_some())
        .all(|k| k.is_accepted()));

    let offers = client
        .customers()
        .credit_offers(&c.id)
        .send()
        .await
        .unwrap();
    assert_eq!(offers.data.len(), 2);
    let fixed = &offers.data[0];
    assert!(fixed.id.as_str().starts_with("co_"));
    assert!(fixed.approved_amount >= rust_decimal::Decimal::from(5000));
    assert_eq!(fixed.monthly_interest_rate.to_string(), "3.49");
    assert_eq!(fixed.installments, Installments::Fixed { count: 12 });
    assert!(fixed.valid_until > chrono::Utc::now());
    assert_eq!(
        offers.data[1].installments,
        Installments::Range { min: 6, max: 24 }
    );

    use futures_util::TryStreamExt;
    let streamed: Vec<_> = client
        .customers()
        .credit_offers(&c.id)
        .limit(1)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(streamed, offers.data, "paged one by one, the same offers");

    // Biometrics cannot be redone once the customer is active.
    let err = client
        .customers()
        .create_biometrics_session(&c.id)
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(409));
}

#[tokio::test]
async fn a_session_code_is_single_use_and_its_token_is_confined_to_its_customer() {
    let sb = util::sandbox().await;
    let client = util::client(&sb);
    let c = util::register(&client).await;
    let other = util::register_with(&client, "b@example.com", Form::Mei).await;
    let session = client
        .customers()
        .create_biometrics_session(&c.id)
        .await
        .unwrap();
    let token = util::complete_biometrics(&session).await;

    let http = reqwest::Client::new();
    let (base, code) = session.session_url.rsplit_once("/biometrics/").unwrap();
    let reuse = http
        .post(format!("{base}/biometrics/session-exchange"))
        .json(&serde_json::json!({ "code": code }))
        .send()
        .await
        .unwrap();
    assert_eq!(reuse.status(), 409);
    // The session token reads its customer, not another, and cannot act as the partner.
    let own = http
        .get(format!("{base}/customers/{}", c.id))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), 200);
    let theirs = http
        .get(format!("{base}/customers/{}", other.id))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(theirs.status(), 404);
    let list = http
        .get(format!("{base}/customers"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(list.status(), 403);
}

#[tokio::test]
async fn the_bank_account_names_a_bank_of_the_list() {
    let sb = util::sandbox().await;
    let client = util::client(&sb);
    let c = util::register(&client).await;
    assert_eq!(client.customers().bank_account(&c.id).await.unwrap(), None);
    let banks = client.banks().list().await.unwrap();
    assert!(banks.len() >= 5);
    let itau = banks.iter().find(|b| b.id == "341").unwrap();
    assert_eq!(itau.display_name, "341 - Itaú Unibanco");

    let input = BankAccountInput {
        bank_id: itau.id.clone(),
        branch: "1234".into(),
        number: "567890".into(),
        digit: "1".into(),
        kind: AccountKind::Checking,
    };
    let saved = client
        .customers()
        .upsert_bank_account(&c.id, &input)
        .await
        .unwrap();
    assert!(saved.id.as_str().starts_with("ba_"));
    assert_eq!(saved.bank_name, "Itaú Unibanco");
    let changed = client
        .customers()
        .upsert_bank_account(
            &c.id,
            &BankAccountInput {
                kind: AccountKind::Saving,
                ..input.clone()
            },
        )
        .await
        .unwrap();
    assert_eq!(changed.id, saved.id, "an upsert replaces the account");
    assert_eq!(
        client.customers().bank_account(&c.id).await.unwrap(),
        Some(changed)
    );

    let err = client
        .customers()
        .upsert_bank_account(
            &c.id,
            &BankAccountInput {
                bank_id: "999".into(),
                ..input
            },
        )
        .await
        .unwrap_err();
    assert_eq!(
        (err.status(), err.code()),
        (Some(422), Some("unknown_bank"))
    );
}
