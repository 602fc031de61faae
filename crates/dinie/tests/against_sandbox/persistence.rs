use std::time::Duration;

use dinie_sandbox::{Sandbox, SandboxConfig};

use crate::util;

#[tokio::test]
async fn a_restart_with_the_same_db_keeps_customers_documents_and_pending_reviews() {
    let dir = tempfile::tempdir().unwrap();
    let config = || SandboxConfig {
        db: Some(dir.path().join("sandbox.db")),
        review_delay: Duration::from_millis(1500),
        ..SandboxConfig::default()
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let first = Sandbox::start(config(), listener).await.unwrap();
    let client = util::client(&first);
    let c = util::register(&client).await;
    let (_d, pdf) = util::file("cnh.pdf", &util::pdf());
    client
        .customers()
        .upload_document(&c.id, "cnh")
        .file(&pdf)
        .send()
        .await
        .unwrap();
    first.shutdown().await;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let second = Sandbox::start(config(), listener).await.unwrap();
    let client = util::client(&second);
    let again = client.customers().get(&c.id).await.unwrap();
    assert_eq!(again.id, c.id);
    assert_eq!(util::item_status(&again, "cnh"), "submitted");
    assert_eq!(second.state().count("documents").await.unwrap(), 1);
    // The review that was pending when the first sandbox stopped completes in the second.
    util::wait_for(&client, &c.id, |c| {
        util::item_status(c, "cnh") == "approved"
    })
    .await;
}
