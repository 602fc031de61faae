use std::time::Duration;

use dinie::{CustomerStatus, RequirementType as R};
use dinie_sandbox::{Sandbox, SandboxConfig};

use crate::util;

#[tokio::test]
async fn a_restart_with_the_same_db_keeps_customers_documents_and_pending_reviews() {
    let dir = tempfile::tempdir().unwrap();
    let config = || SandboxConfig {
        db: Some(dir.path().join("sandbox.db")),
        lookup_delay: Duration::ZERO,
        review_delay: Duration::from_millis(1500),
        ..SandboxConfig::default()
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let first = Sandbox::start(config(), listener).await.unwrap();
    let client = util::client(&first);
    let c = util::register(&client).await;
    util::send_documents(&client, &c, "doc.pdf").await;
    let session = client
        .customers()
        .create_biometrics_session(&c.id)
        .await
        .unwrap();
    util::complete_biometrics(&session).await;
    client.customers().start_kyc_review(&c.id).await.unwrap();
    first.shutdown().await;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let second = Sandbox::start(config(), listener).await.unwrap();
    let client = util::client(&second);
    let again = client.customers().get(&c.id).await.unwrap();
    assert_eq!(again.id, c.id);
    assert_eq!(again.status, CustomerStatus::UnderReview);
    assert!(util::requirement(&again, R::Identity).is_complete());
    assert_eq!(second.state().count("attachments").await.unwrap(), 4);
    // The review that was pending when the first sandbox stopped completes in the second.
    util::wait_for(&client, &c.id, |c| c.status == CustomerStatus::Active).await;
}

/// A database written by the previous release (the old KYC model, no schema version) is set
/// aside, not misread: the sandbox starts on a new file and says where the old one went.
#[tokio::test]
async fn a_database_of_the_previous_format_is_set_aside() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("embedded-sandbox.db");
    {
        let old = rusqlite::Connection::open(&path).unwrap();
        old.execute_batch(
            "CREATE TABLE customers (seq INTEGER PRIMARY KEY, id TEXT, partner TEXT, cpf TEXT, external_id TEXT, status TEXT, body TEXT);
             INSERT INTO customers (id, partner, cpf, status, body) VALUES ('cust_old', 'p', '1', 'pending_kyc',
               '{\"kyc\":[{\"kind\":\"document\",\"type\":\"cnh\",\"status\":\"pending\"}]}');",
        )
        .unwrap();
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let config = SandboxConfig {
        db: Some(path.clone()),
        ..SandboxConfig::default()
    };
    let sb = Sandbox::start(config, listener).await.unwrap();
    assert_eq!(sb.state().count("customers").await.unwrap(), 0);
    assert!(dir.path().join("embedded-sandbox.v0.bak").exists());
    let client = util::client(&sb);
    let c = util::register(&client).await;
    assert!(!c.id.as_str().is_empty());
}
