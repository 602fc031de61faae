//! How the client treats a server that misbehaves at the HTTP level, against small servers on
//! loopback: a redirect is not followed (the body is never replayed elsewhere), an answer
//! too large to be one is refused without being held, and a proxy from the environment is not
//! used for a local API.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{any, post};
use axum::Router;

/// Serves `router` on a random loopback port; returns its base URL (`…/api/v3`).
async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}/api/v3")
}

fn token_route() -> Router {
    Router::new().route(
        "/api/v3/auth/token",
        post(|| async {
            (
                [(header::CONTENT_TYPE, "application/json")],
                r#"{"access_token":"dinie_at_x","token_type":"bearer","expires_in":3600}"#,
            )
        }),
    )
}

fn client(base_url: &str) -> dinie::Client {
    dinie::Client::builder()
        .base_url(base_url)
        .credentials("dinie_ci_test_x", "dinie_cs_test_x")
        .max_retries(0)
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_redirect_is_not_followed_and_the_body_goes_nowhere_else() {
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    let elsewhere = serve(Router::new().fallback(any(move || {
        counter.fetch_add(1, Ordering::SeqCst);
        async { StatusCode::OK }
    })))
    .await;
    let target = format!("{elsewhere}/customers");
    let redirecting =
        serve(token_route().route(
            "/api/v3/customers",
            post(move || {
                let target = target.clone();
                async move {
                    (StatusCode::TEMPORARY_REDIRECT, [(header::LOCATION, target)]).into_response()
                }
            }),
        ))
        .await;
    let err = client(&redirecting)
        .customers()
        .create("123.456.789-09", "11.222.333/0001-81")
        .name("Maria")
        .email("maria@example.com")
        .phone("+5511987654321")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(307), "{err}");
    assert_eq!(
        seen.load(Ordering::SeqCst),
        0,
        "the other host saw the request"
    );
}

#[tokio::test]
async fn an_answer_too_large_to_be_one_is_refused() {
    let base = serve(token_route().route(
        "/api/v3/customers/{id}",
        any(|| async {
            let huge = format!(r#"{{"id":"{}"}}"#, "x".repeat(20 << 20));
            ([(header::CONTENT_TYPE, "application/json")], huge)
        }),
    ))
    .await;
    let err = client(&base)
        .customers()
        .get(&"cust_1".into())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, dinie::Error::Decode { message, .. } if message.contains("larger than 16 MiB")),
        "{err}"
    );
}

#[tokio::test]
async fn a_local_api_is_reached_directly_whatever_the_environment_proxy() {
    // A proxy nobody listens on: a client that used it would fail to connect.
    std::env::set_var("HTTP_PROXY", "http://127.0.0.1:9");
    std::env::set_var("http_proxy", "http://127.0.0.1:9");
    std::env::set_var("ALL_PROXY", "http://127.0.0.1:9");
    let base = serve(token_route()).await;
    client(&base).authenticate().await.unwrap();
}

#[tokio::test]
async fn every_write_carries_one_idempotency_key_across_retries_and_says_which_retry_it_is() {
    use std::sync::Mutex;
    type Seen = Arc<Mutex<Vec<(String, Option<String>, Option<String>, Option<String>)>>>;
    let seen: Seen = Arc::default();
    let record = seen.clone();
    let base = serve(token_route().route(
        "/api/v3/customers/{id}",
        any(
            move |method: axum::http::Method, headers: axum::http::HeaderMap| {
                let record = record.clone();
                async move {
                    let h = |n: &str| {
                        headers
                            .get(n)
                            .and_then(|v| v.to_str().ok())
                            .map(str::to_owned)
                    };
                    let mut seen = record.lock().unwrap();
                    seen.push((
                        method.to_string(),
                        h("idempotency-key"),
                        h("x-idempotency-key"),
                        h("x-dinie-retry-count"),
                    ));
                    // The first attempt of each call fails; the retry gets a problem answer.
                    if seen.len() % 2 == 1 {
                        StatusCode::SERVICE_UNAVAILABLE.into_response()
                    } else {
                        (
                        StatusCode::UNPROCESSABLE_ENTITY,
                        [(header::CONTENT_TYPE, "application/problem+json")],
                        r#"{"status":422,"code":"invalid_format","request_id":"req_from_body"}"#,
                    )
                        .into_response()
                    }
                }
            },
        ),
    ))
    .await;
    let client = dinie::Client::builder()
        .base_url(&base)
        .credentials("dinie_ci_test_x", "dinie_cs_test_x")
        .max_retries(1)
        .backoff_base(std::time::Duration::from_millis(1))
        .build()
        .unwrap();
    let err = client
        .customers()
        .update(&"cust_1".into())
        .email("a@b.co")
        .send()
        .await
        .unwrap_err();
    // The request id comes from the body when the header is missing.
    assert_eq!(err.request_id(), Some("req_from_body"));
    let _ = client.customers().get(&"cust_1".into()).await;
    let seen = seen.lock().unwrap().clone();
    let (first, retry) = (&seen[0], &seen[1]);
    assert_eq!(first.0, "PATCH");
    let key = first.1.clone().expect("a PATCH carries Idempotency-Key");
    assert_eq!(
        first.2.as_deref(),
        Some(key.as_str()),
        "and X-Idempotency-Key, the same"
    );
    assert_eq!(
        (retry.1.as_deref(), retry.2.as_deref()),
        (Some(key.as_str()), Some(key.as_str())),
        "kept across the retry"
    );
    assert_eq!((first.3.as_deref(), retry.3.as_deref()), (None, Some("1")));
    let read = &seen[2];
    assert_eq!(
        (read.0.as_str(), read.1.as_deref()),
        ("GET", None),
        "a read carries no key"
    );
}

/// A server that answers every customers call with a 429 asking for `retry_after` seconds;
/// returns its base URL and the number of customers calls it received.
async fn throttling(retry_after: &'static str) -> (String, Arc<AtomicUsize>) {
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    let base = serve(token_route().route(
        "/api/v3/customers",
        any(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            async move {
                (
                    StatusCode::TOO_MANY_REQUESTS,
                    [(header::RETRY_AFTER, retry_after), (header::CONTENT_TYPE, "application/problem+json")],
                    r#"{"type":"https://docs.dinie.com/errors/rate-limit-exceeded","status":429,"code":"rate_limit_exceeded"}"#,
                )
                    .into_response()
            }
        }),
    ))
    .await;
    (base, seen)
}

#[tokio::test]
async fn a_long_retry_after_is_never_retried_sooner_and_holds_every_request_of_the_client() {
    let (base, seen) = throttling("300").await;
    let client = dinie::Client::builder()
        .base_url(&base)
        .credentials("dinie_ci_test_x", "dinie_cs_test_x")
        .max_retries(3)
        .backoff_base(std::time::Duration::from_millis(10))
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let err = client.customers().list().send().await.unwrap_err();
    assert_eq!(err.status(), Some(429));
    assert_eq!(
        seen.load(Ordering::SeqCst),
        1,
        "not retried before the 300 s asked"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    // Every later request of this client (another task, another screen) waits too: not sent.
    for _ in 0..3 {
        let err = client.customers().list().send().await.unwrap_err();
        let wait = err.retry_after().unwrap();
        assert!(wait > std::time::Duration::from_secs(290), "{wait:?}");
    }
    assert_eq!(seen.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_short_retry_after_is_waited_out_then_retried() {
    let (base, seen) = throttling("1").await;
    let client = dinie::Client::builder()
        .base_url(&base)
        .credentials("dinie_ci_test_x", "dinie_cs_test_x")
        .max_retries(2)
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let err = client.customers().list().send().await.unwrap_err();
    assert_eq!(err.status(), Some(429));
    assert_eq!(
        seen.load(Ordering::SeqCst),
        3,
        "the first try and two retries"
    );
    assert!(
        started.elapsed() >= std::time::Duration::from_secs(2),
        "a second between each"
    );
}
