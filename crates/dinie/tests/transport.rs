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
        .create("123.456.789-09")
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
