use std::sync::atomic::Ordering;
use std::time::Duration;

use dinie::Error;

use crate::util;

#[tokio::test]
async fn one_token_is_shared_by_concurrent_calls() {
    let sb = util::sandbox().await;
    let client = util::client(&sb);
    let calls = (0..20).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.customers().list().send().await.unwrap() })
    });
    futures_util::future::join_all(calls).await;
    assert_eq!(sb.state().stats().tokens_issued.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn an_expired_token_is_refreshed_once_and_the_call_replayed() {
    let sb = util::sandbox().await;
    let client = util::client(&sb);
    let c = util::register(&client).await;
    sb.state().expire_all_tokens().await.unwrap();
    let again = client.customers().get(&c.id).await.unwrap();
    assert_eq!(again.id, c.id);
    assert_eq!(sb.state().stats().tokens_issued.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_token_is_refreshed_before_it_expires() {
    let sb = util::sandbox_with(|c| c.token_ttl = Duration::from_secs(2)).await;
    let client = util::client(&sb);
    client.customers().list().send().await.unwrap();
    // Refreshed at half its life (1 s) without waiting for a 401.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    client.customers().list().send().await.unwrap();
    assert_eq!(sb.state().stats().tokens_issued.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn wrong_credentials_are_an_authentication_error() {
    let sb = util::sandbox().await;
    let client = dinie::Client::builder()
        .base_url(sb.base_url())
        .credentials(dinie_sandbox::DEFAULT_CLIENT_ID, "dinie_cs_test_wrong")
        .build()
        .unwrap();
    let err = client.customers().list().send().await.unwrap_err();
    match &err {
        Error::Authentication {
            status,
            request_id,
            message,
        } => {
            assert_eq!(*status, Some(401));
            assert!(request_id.is_some());
            assert!(message.contains("wrong secret"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert!(!format!("{err} {err:?}").contains("dinie_cs_test_wrong"));
}

#[tokio::test]
async fn missing_or_malformed_tokens_get_401() {
    let sb = util::sandbox().await;
    let http = reqwest::Client::new();
    let url = format!("{}/customers", sb.base_url());
    for auth in [None, Some("Bearer dinie_at_forged"), Some("Token abc")] {
        let mut req = http.get(&url);
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), 401, "{auth:?}");
        assert!(resp.headers().contains_key("x-request-id"));
        let p: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(p["code"], "authentication_failed");
    }
}

#[tokio::test]
async fn rate_limits_are_reported_and_429_carries_retry_after() {
    let sb = util::sandbox_with(|c| c.rate_limit = 5).await;
    // Another agent's client, sharing the partner's window (its token is the first request).
    let other = util::client_without_retries(&sb);
    other.authenticate().await.unwrap();
    let client = util::client_without_retries(&sb);
    assert!(client.rate_limit().is_none());
    client.customers().list().send().await.unwrap(); // token + list = 2
    let rl = client.rate_limit().unwrap();
    assert_eq!((rl.limit, rl.remaining), (5, 2));
    assert!(rl.reset > chrono::Utc::now().timestamp() as u64);
    client.customers().list().send().await.unwrap();
    client.customers().list().send().await.unwrap();
    assert_eq!(client.rate_limit().unwrap().remaining, 0);
    // Nothing left in the window: the next request is not sent before its reset; the window
    // is a minute, longer than a request is kept waiting, so it is refused here, as a 429.
    let before = sb
        .state()
        .stats()
        .requests
        .load(std::sync::atomic::Ordering::SeqCst);
    let err = client.customers().list().send().await.unwrap_err();
    assert!(matches!(err, dinie::Error::Throttled { .. }), "{err:?}");
    assert_eq!(err.status(), Some(429));
    let wait = err.retry_after().unwrap();
    assert!(
        wait > std::time::Duration::from_secs(30) && wait <= std::time::Duration::from_secs(60),
        "{wait:?}"
    );
    assert_eq!(
        sb.state()
            .stats()
            .requests
            .load(std::sync::atomic::Ordering::SeqCst),
        before,
        "not sent"
    );

    // The other client did not know: it meets the server's own 429, with its Retry-After.
    let err = other.customers().list().send().await.unwrap_err();
    assert_eq!(
        (err.status(), err.code()),
        (Some(429), Some("rate_limit_exceeded"))
    );
    let retry_after = err.as_api().unwrap().retry_after.unwrap();
    assert!((1..=60).contains(&retry_after));
    assert!(err.is_transient());
}

#[tokio::test]
async fn revoked_credentials_surface_as_an_authentication_error() {
    let sb = util::sandbox().await;
    let client = util::client(&sb);
    client.customers().list().send().await.unwrap();
    sb.state()
        .revoke_partner(dinie_sandbox::DEFAULT_CLIENT_ID)
        .await
        .unwrap();
    // The cached token is refused; one fresh exchange is tried and refused too.
    let err = client.customers().list().send().await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Authentication {
                status: Some(401),
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(sb.state().stats().tokens_issued.load(Ordering::SeqCst), 1);
}
