//! The router driven in-process with `oneshot`: the cross-cutting behaviour every route shares.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use dinie_sandbox::{app, AppState, SandboxConfig};
use tower::ServiceExt;

async fn call(req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, serde_json::Value) {
    let state = AppState::open(SandboxConfig::default()).unwrap();
    let resp = app(state).oneshot(req).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20)
        .await
        .unwrap();
    (
        status,
        headers,
        serde_json::from_slice(&bytes).unwrap_or_default(),
    )
}

#[tokio::test]
async fn unknown_routes_are_problem_json_with_a_request_id() {
    let (status, headers, body) = call(Request::get("/nope").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(headers["content-type"], "application/problem+json");
    assert!(headers["x-request-id"]
        .to_str()
        .unwrap()
        .starts_with("req_"));
    assert_eq!(body["status"], 404);
    let (status, _, body) = call(Request::get("/api/v3/nope").body(Body::empty()).unwrap()).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
}

#[tokio::test]
async fn a_wrong_method_is_a_405_problem() {
    let (status, _, body) = call(
        Request::delete("/api/v3/customers")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(body["code"], "method_not_allowed");
}

#[tokio::test]
async fn the_token_endpoint_checks_grant_and_credentials() {
    let form = |body: &'static str, auth: Option<&'static str>| {
        let mut r = Request::post("/api/v3/auth/token")
            .header("content-type", "application/x-www-form-urlencoded");
        if let Some(a) = auth {
            r = r.header("authorization", a);
        }
        r.body(Body::from(body)).unwrap()
    };
    // base64("dinie_ci_test_sandbox:dinie_cs_test_sandbox")
    let good = "Basic ZGluaWVfY2lfdGVzdF9zYW5kYm94OmRpbmllX2NzX3Rlc3Rfc2FuZGJveA==";
    let (status, headers, body) = call(form("grant_type=client_credentials", Some(good))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body["access_token"]
        .as_str()
        .unwrap()
        .starts_with("dinie_at_"));
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(headers["x-ratelimit-limit"], "10000");
    let (status, _, body) = call(form("grant_type=password", Some(good))).await;
    assert_eq!(
        (status, body["param"].as_str()),
        (StatusCode::BAD_REQUEST, Some("grant_type"))
    );
    let (status, _, body) = call(form("grant_type=client_credentials", Some("Basic eDp5"))).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_client"))
    );
    // Credentials in the form body (RFC 6749 §2.3.1) work too.
    let (status, _, _) = call(form(
        "grant_type=client_credentials&client_id=dinie_ci_test_sandbox&client_secret=dinie_cs_test_sandbox",
        None,
    ))
    .await;
    assert_eq!(status, StatusCode::OK);
}

/// With `check_host`, only requests addressed to the sandbox's own loopback address are
/// answered (a rebinding page's `Host: evil.example` is refused), over a real socket.
#[tokio::test]
async fn a_host_checked_sandbox_refuses_other_hosts() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let config = SandboxConfig {
        check_host: true,
        ..SandboxConfig::default()
    };
    let sandbox = dinie_sandbox::Sandbox::start(config, listener)
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let url = format!("{}/openapi.json", sandbox.base_url());
    let own = http.get(&url).send().await.unwrap();
    assert_eq!(own.status(), 200);
    let rebound = http
        .get(&url)
        .header("host", "evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(rebound.status(), 403);
    sandbox.shutdown().await;
}

/// The Python SDK asks for a token with a JSON body; the JS SDK with a form and Basic.
#[tokio::test]
async fn the_token_endpoint_takes_json_as_the_python_sdk_sends_it() {
    let json = Request::post("/api/v3/auth/token")
        .header("content-type", "application/json")
        .body(Body::from(
            r#"{"grant_type":"client_credentials","client_id":"dinie_ci_test_sandbox","client_secret":"dinie_cs_test_sandbox"}"#,
        ))
        .unwrap();
    let (status, _, body) = call(json).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["token_type"], "bearer");
    let wrong = Request::post("/api/v3/auth/token")
        .header("content-type", "application/json")
        .body(Body::from(
            r#"{"grant_type":"client_credentials","client_id":"dinie_ci_test_sandbox","client_secret":"nope"}"#,
        ))
        .unwrap();
    assert_eq!(call(wrong).await.0, StatusCode::UNAUTHORIZED);
}

/// With nothing to review or deliver, the workers sleep: a second of idleness costs each at
/// most a pass or two (they used to look every 50 and 500 ms).
#[tokio::test]
async fn an_idle_sandbox_does_not_keep_waking_up() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sandbox = dinie_sandbox::Sandbox::start(SandboxConfig::default(), listener)
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
    let stats = sandbox.state().stats();
    for (worker, passes) in [
        ("review", &stats.review_passes),
        ("webhook delivery", &stats.delivery_passes),
    ] {
        let passes = passes.load(std::sync::atomic::Ordering::Relaxed);
        assert!(
            passes <= 2,
            "{passes} {worker} passes in a second of idleness"
        );
    }
    sandbox.shutdown().await;
}

/// A database written by the previous release (format 2: three customers, the first one
/// corrected last) opens migrated, and lists by last change, newest first, in pages.
#[tokio::test]
async fn a_file_of_the_previous_release_lists_by_last_change() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sandbox.db");
    std::fs::copy(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sandbox-v2.db"),
        &db,
    )
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let config = SandboxConfig {
        db: Some(db.clone()),
        ..SandboxConfig::default()
    };
    let sandbox = dinie_sandbox::Sandbox::start(config, listener)
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let token = dinie_sandbox::testing::access_token(&sandbox.base_url())
        .await
        .unwrap();
    let bearer = format!("Bearer {token}");
    let list = |query: String| {
        let (http, bearer, base) = (http.clone(), bearer.clone(), sandbox.base_url());
        async move {
            let r = http
                .get(format!("{base}/customers?{query}"))
                .header("authorization", bearer)
                .send()
                .await
                .unwrap();
            let status = r.status();
            let body: serde_json::Value = r.json().await.unwrap();
            (status, body)
        }
    };
    let ids = |body: &serde_json::Value| -> Vec<String> {
        body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["external_id"].as_str().unwrap().to_owned())
            .collect()
    };
    let (_, by_creation) = list("limit=10".into()).await;
    assert_eq!(
        ids(&by_creation),
        ["fx-3", "fx-2", "fx-1"],
        "newest first, as before"
    );
    let (_, first) = list("sort=updated_at&order=desc&limit=2".into()).await;
    assert_eq!(ids(&first), ["fx-1", "fx-3"], "the corrected one first");
    assert_eq!(first["has_more"], true);
    let last = first["data"][1]["id"].as_str().unwrap();
    let (_, next) = list(format!(
        "sort=updated_at&order=desc&limit=2&starting_after={last}"
    ))
    .await;
    assert_eq!(ids(&next), ["fx-2"]);
    let (_, oldest) = list("sort=created_at&order=asc&limit=10".into()).await;
    assert_eq!(ids(&oldest), ["fx-1", "fx-2", "fx-3"]);
    let (status, bad) = list("sort=name".into()).await;
    assert_eq!(status, 400, "{bad}");
    assert_eq!(bad["param"], "sort");
    sandbox.shutdown().await;
    let version: i64 = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, 3, "migrated to the format with updated_at");
}
