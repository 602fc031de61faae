//! `make bench`: 1,000 drafts (a CSV import) synced by the app to a local sandbox, against the
//! same 1,000 creates sent one after another with `curl` (one process per request, as a shell
//! loop would). Both to the release `dinie-sandbox`, each to a fresh one.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use dinie_desk_e2e::{client_for, cpf, free_port, App};
use futures_util::StreamExt;

const N: usize = 1000;

/// Starts the release sandbox on a free port; returns it and its base URL.
async fn sandbox() -> (Child, String) {
    let bin = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/release/dinie-sandbox");
    assert!(
        bin.exists(),
        "build it first: cargo build --release -p dinie-sandbox (make bench does)"
    );
    let port = free_port();
    let child = Command::new(&bin)
        .args([
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--review-delay-ms",
            "600000",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}/api/v3");
    let api = client_for(&base);
    let deadline = Instant::now() + Duration::from_secs(10);
    while api.authenticate().await.is_err() {
        assert!(Instant::now() < deadline, "the sandbox did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    (child, base)
}

fn borrowers() -> Vec<(String, String)> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    while out.len() < N {
        let doc = cpf();
        if seen.insert(doc.clone()) {
            out.push((doc, format!("Tomador {}", out.len() + 1)));
        }
    }
    out
}

async fn token(base: &str) -> String {
    let answer: serde_json::Value = reqwest::Client::new()
        .post(format!("{base}/auth/token"))
        .basic_auth(
            dinie_sandbox::DEFAULT_CLIENT_ID,
            Some(dinie_sandbox::DEFAULT_CLIENT_SECRET),
        )
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["access_token"].as_str().unwrap().to_owned()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    // curl, one create after another.
    let (mut reference, base) = sandbox().await;
    let bearer = format!("Authorization: Bearer {}", token(&base).await);
    let started = Instant::now();
    for (i, (doc, name)) in borrowers().iter().enumerate() {
        let body = serde_json::json!({
            "cpf": doc, "name": name, "email": format!("t{i}@example.com"),
            "phone": "+5511987654321", "external_id": format!("curl-{i}"),
        });
        let out = Command::new("curl")
            .args(["-s", "-o", "/dev/null", "-w", "%{http_code}", "-H"])
            .arg(&bearer)
            .args(["-H", "Content-Type: application/json", "-H"])
            .arg(format!("Idempotency-Key: curl-{i}"))
            .arg("--data")
            .arg(body.to_string())
            .arg(format!("{base}/customers"))
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout), "201");
    }
    let curl = started.elapsed();
    let _ = reference.kill();
    let _ = reference.wait();

    // The app: the same borrowers as a CSV import, sent by the sync worker.
    let (mut target, base) = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("borrowers.csv");
    let mut text = String::from("cpf;nome;email;telefone\n");
    for (i, (doc, name)) in borrowers().iter().enumerate() {
        text += &format!("{doc};{name};t{i}@example.com;11987654321\n");
    }
    std::fs::write(&csv, text).unwrap();
    let app = App::launch().await;
    app.add_custom_profile(
        "Bench",
        &base,
        dinie_sandbox::DEFAULT_CLIENT_ID,
        dinie_sandbox::DEFAULT_CLIENT_SECRET,
    )
    .await;
    app.use_profile("Bench").await;
    app.click("#nav-drafts").await;
    let started = Instant::now();
    let report = app
        .invoke(
            "import_drafts",
            serde_json::json!({ "path": csv.display().to_string() }),
        )
        .await;
    assert_eq!(report["queued"], N, "{report}");
    let imported = started.elapsed();
    loop {
        let status = app.invoke("draft_status", serde_json::json!({})).await;
        if status["counts"]["sent"] == N {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "not all sent: {status}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let synced = started.elapsed();
    let registered = client_for(&base)
        .customers()
        .list()
        .limit(100)
        .into_stream()
        .count()
        .await;
    assert_eq!(registered, N);
    app.close().await;
    let _ = target.kill();
    let _ = target.wait();

    println!("{N} registrations to a local sandbox:");
    println!(
        "  curl, one after another: {:.1} s ({:.1} ms each)",
        curl.as_secs_f64(),
        curl.as_secs_f64() * 1000.0 / N as f64
    );
    println!(
        "  Dinie Desk, CSV import then sync: {:.1} s in all ({:.2} s import, {:.1} ms per draft)",
        synced.as_secs_f64(),
        imported.as_secs_f64(),
        synced.as_secs_f64() * 1000.0 / N as f64
    );
}
