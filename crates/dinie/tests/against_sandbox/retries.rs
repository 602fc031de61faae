//! Retries against a small server that misbehaves on purpose.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use dinie::Error;

use crate::util;

const CUSTOMER: &str = r#"{"id":"cust_1","status":"active","cpf":"12345678909","name":"A","email":"a@b.co",
  "phone":"+5511987654321","kyc":[],"created_at":"2026-03-01T12:00:00Z","updated_at":"2026-03-01T12:00:00Z"}"#;

fn token_route() -> Router {
    Router::new().route(
        "/api/v3/auth/token",
        post(|| async {
            r#"{"access_token":"dinie_at_x","token_type":"bearer","expires_in":3600}"#
        }),
    )
}

/// Answers `failures` times with `status` (and `headers`), then the customer.
fn flaky(
    status: StatusCode,
    failures: u32,
    headers: Vec<(&'static str, &'static str)>,
) -> (Router, Arc<AtomicU32>) {
    let hits = Arc::new(AtomicU32::new(0));
    let counter = hits.clone();
    let route = get(move || {
        let counter = counter.clone();
        let headers = headers.clone();
        async move {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            if n < failures {
                let mut resp = (status, [("x-request-id", "req_flaky")], "{}").into_response();
                for (k, v) in headers {
                    resp.headers_mut().insert(k, v.parse().unwrap());
                }
                resp
            } else {
                ([("content-type", "application/json")], CUSTOMER).into_response()
            }
        }
    });
    (token_route().route("/api/v3/customers/{id}", route), hits)
}

#[tokio::test]
async fn five_hundreds_are_retried_until_success() {
    let (router, hits) = flaky(StatusCode::SERVICE_UNAVAILABLE, 2, vec![]);
    let client = util::client_for(&util::serve(router).await);
    let c = client.customers().get(&"cust_1".into()).await.unwrap();
    assert_eq!(c.id.as_str(), "cust_1");
    assert_eq!(hits.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn retries_stop_at_the_limit_with_the_last_error() {
    let (router, hits) = flaky(StatusCode::BAD_GATEWAY, 100, vec![]);
    let client = util::client_for(&util::serve(router).await);
    let err = client.customers().get(&"cust_1".into()).await.unwrap_err();
    assert_eq!(err.status(), Some(502));
    assert_eq!(err.request_id(), Some("req_flaky"));
    assert_eq!(hits.load(Ordering::SeqCst), 1 + dinie::DEFAULT_MAX_RETRIES);
}

#[tokio::test]
async fn a_429_waits_for_retry_after() {
    let (router, hits) = flaky(StatusCode::TOO_MANY_REQUESTS, 1, vec![("retry-after", "1")]);
    let client = util::client_for(&util::serve(router).await);
    let started = Instant::now();
    client.customers().get(&"cust_1".into()).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(hits.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    let (router, hits) = flaky(StatusCode::NOT_FOUND, 100, vec![]);
    let client = util::client_for(&util::serve(router).await);
    let err = client.customers().get(&"cust_1".into()).await.unwrap_err();
    assert_eq!(err.status(), Some(404));
    assert_eq!(hits.load(Ordering::SeqCst), 1);
    // A body that is not problem+json still yields a readable error.
    assert!(err.to_string().contains("404"), "{err}");
}

#[tokio::test]
async fn a_dead_server_is_a_connection_error_after_retries() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let client = util::client_for(&format!("http://{addr}/api/v3"));
    let err = client.customers().list().send().await.unwrap_err();
    assert!(matches!(err, Error::Connection { .. }), "{err:?}");
    assert!(err.is_transient());
}

#[tokio::test]
async fn a_silent_server_is_a_timeout() {
    let router = token_route().route(
        "/api/v3/customers",
        get(|| async {
            tokio::time::sleep(Duration::from_secs(30)).await;
            "{}"
        }),
    );
    let client = dinie::Client::builder()
        .base_url(util::serve(router).await)
        .credentials("id", "secret")
        .timeout(Duration::from_millis(200))
        .max_retries(1)
        .backoff_base(Duration::from_millis(10))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client.customers().list().send().await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn decode_errors_name_the_json_path() {
    let router = token_route().route(
        "/api/v3/customers/{id}",
        get(|| async {
            (
                [("content-type", "application/json"), ("x-request-id", "req_bad")],
                r#"{"id":"cust_1","status":"active","cpf":"1","kyc":[{"requirement_id":"identity_1","requirement_type":"identity","mandatory":7}],
                   "created_at":"2026-03-01T12:00:00Z","updated_at":"2026-03-01T12:00:00Z"}"#,
            )
        }),
    );
    let client = util::client_for(&util::serve(router).await);
    match client.customers().get(&"cust_1".into()).await.unwrap_err() {
        Error::Decode {
            path,
            request_id,
            status,
            ..
        } => {
            assert_eq!(path, "kyc[0].mandatory");
            assert_eq!(request_id.as_deref(), Some("req_bad"));
            assert_eq!(status, 200);
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_non_dinie_server_is_told_apart() {
    let router = Router::new().fallback(|| async { (StatusCode::NOT_FOUND, "<html>nginx</html>") });
    let client = util::client_for(&util::serve(router).await);
    let err = client.authenticate().await.unwrap_err();
    match err {
        Error::Authentication {
            status: Some(404),
            message,
            ..
        } => assert!(message.contains("not a Dinie error"), "{message}"),
        other => panic!("{other:?}"),
    }
}
