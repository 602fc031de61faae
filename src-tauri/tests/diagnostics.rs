//! "Test connection" tells the usual failures apart, against real servers on loopback.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use dinie_desk::services::diagnostics::{test, TestFailure};
use secrecy::SecretString;

fn client(url: &str, secret: &str) -> dinie::Client {
    dinie_desk::services::connection::client(
        url,
        dinie_sandbox::DEFAULT_CLIENT_ID,
        &SecretString::from(secret.to_owned()),
    )
    .unwrap()
}

async fn serve(router: axum::Router) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    addr
}

#[tokio::test]
async fn a_good_profile_reports_latency_environment_and_rate_limit() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sb = dinie_sandbox::Sandbox::start(Default::default(), listener)
        .await
        .unwrap();
    let report = test(&client(
        &sb.base_url(),
        dinie_sandbox::DEFAULT_CLIENT_SECRET,
    ))
    .await
    .unwrap();
    assert_eq!(report.environment, Some("test"));
    let rl = report.rate_limit.unwrap();
    assert_eq!(rl.limit, 10_000);
    assert!(report.latency_ms < 5_000);

    let wrong = test(&client(&sb.base_url(), "dinie_cs_test_wrong"))
        .await
        .unwrap_err();
    assert!(
        matches!(wrong, TestFailure::WrongCredentials(Some(_))),
        "{wrong:?}"
    );
}

#[tokio::test]
async fn a_server_that_is_not_dinie_is_named_as_such() {
    let html = axum::Router::new()
        .fallback(|| async { (axum::http::StatusCode::NOT_FOUND, "<html>It works!</html>") });
    let addr = serve(html).await;
    let err = test(&client(&format!("http://{addr}/api/v3"), "s"))
        .await
        .unwrap_err();
    assert!(matches!(err, TestFailure::NotDinie(_)), "{err:?}");

    let ok_but_not_json = axum::Router::new().fallback(|| async { "hello" });
    let addr = serve(ok_but_not_json).await;
    let err = test(&client(&format!("http://{addr}/api/v3"), "s"))
        .await
        .unwrap_err();
    assert!(matches!(err, TestFailure::NotDinie(_)), "{err:?}");
}

#[tokio::test]
async fn tls_failures_and_silence_are_told_apart() {
    // An https URL to a server that speaks plain HTTP: the TLS handshake fails.
    let addr = serve(axum::Router::new().fallback(|| async { "plain" })).await;
    let err = test(&client(
        &format!("https://localhost:{}/api/v3", addr.port()),
        "s",
    ))
    .await
    .unwrap_err();
    assert!(matches!(err, TestFailure::Tls(_)), "{err:?}");

    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let err = test(&client(&format!("http://{closed}/api/v3"), "s"))
        .await
        .unwrap_err();
    assert!(matches!(err, TestFailure::Unreachable(_)), "{err:?}");
}
