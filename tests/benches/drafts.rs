//! `make bench`: 1,000 drafts (a CSV import) synced by the app to a local sandbox, against the
//! same 1,000 creates sent one after another with `curl` (one process per request, as a shell
//! loop would). Both to the release `dinie-sandbox`, each to a fresh one.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;
use std::time::{Duration, Instant};

use dinie_desk_e2e::{access_token, client_for, cpf, release_sandbox, App};
use futures_util::StreamExt;

const N: usize = 1000;

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

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    // curl, one create after another: one process per request (a shell loop), then all of
    // them in one process over a kept-alive connection (`--next`).
    let (mut reference, base) = release_sandbox(&["--review-delay-ms", "600000"]).await;
    let bearer = format!("Authorization: Bearer {}", access_token(&base).await);
    let request = |i: usize, doc: &str, name: &str, prefix: &str| -> Vec<String> {
        let body = serde_json::json!({
            "cpf": doc, "cnpj": dinie_desk_e2e::cnpj(dinie_desk_e2e::Form::Mei), "name": name, "email": format!("t{i}@example.com"),
            "phone": "+5511987654321", "external_id": format!("{prefix}-{i}"),
        });
        vec![
            "-s".into(),
            "-o".into(),
            "/dev/null".into(),
            "-w".into(),
            "%{http_code}\n".into(),
            "-H".into(),
            bearer.clone(),
            "-H".into(),
            "Content-Type: application/json".into(),
            "-H".into(),
            format!("Idempotency-Key: {prefix}-{i}"),
            "--data".into(),
            body.to_string(),
            format!("{base}/customers"),
        ]
    };
    let started = Instant::now();
    for (i, (doc, name)) in borrowers().iter().enumerate() {
        let out = Command::new("curl")
            .args(request(i, doc, name, "loop"))
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout), "201\n");
    }
    let curl_loop = started.elapsed();
    let mut args = Vec::new();
    for (i, (doc, name)) in borrowers().iter().enumerate() {
        if i > 0 {
            args.push("--next".to_owned());
        }
        args.extend(request(i, doc, name, "next"));
    }
    let started = Instant::now();
    let out = Command::new("curl").args(&args).output().unwrap();
    let curl_one = started.elapsed();
    let codes = String::from_utf8_lossy(&out.stdout);
    assert_eq!(codes.lines().filter(|c| *c == "201").count(), N, "{codes}");
    let _ = reference.kill();
    let _ = reference.wait();

    // The app: the same borrowers as a CSV import, sent by the sync worker.
    let (mut target, base) = release_sandbox(&["--review-delay-ms", "600000"]).await;
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("borrowers.csv");
    let mut text = String::from("cpf;cnpj;nome;email;telefone\n");
    for (i, (doc, name)) in borrowers().iter().enumerate() {
        let cnpj = dinie_desk_e2e::cnpj(dinie_desk_e2e::Form::Mei);
        text += &format!("{doc};{cnpj};{name};t{i}@example.com;11987654321\n");
    }
    std::fs::write(&csv, text).unwrap();
    let app = App::launch().await;
    app.use_sandbox("Bench", &base).await;
    if std::env::var("BENCH_NO_SCREEN").is_err() {
        app.click("#nav-drafts").await;
    }
    let file = app.pick_csv(&csv.display().to_string()).await;
    let started = Instant::now();
    let report = app
        .invoke(
            "import_drafts",
            serde_json::json!({ "file": file["token"] }),
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
    for (what, took) in [
        ("curl, one process per create", curl_loop),
        ("curl, one process, kept-alive connection", curl_one),
    ] {
        println!(
            "  {what}, one after another: {:.1} s ({:.1} ms each)",
            took.as_secs_f64(),
            took.as_secs_f64() * 1000.0 / N as f64
        );
    }
    println!(
        "  Dinie Desk, CSV import then sync: {:.1} s in all ({:.2} s import, {:.1} ms per draft)",
        synced.as_secs_f64(),
        imported.as_secs_f64(),
        synced.as_secs_f64() * 1000.0 / N as f64
    );
    // The goals (issue 17): at least 10× the per-process loop, at most 1.2× the kept-alive one.
    println!(
        "  ratios: the loop takes {:.1}× the app's time; the app takes {:.2}× the kept-alive curl's",
        curl_loop.as_secs_f64() / synced.as_secs_f64(),
        synced.as_secs_f64() / curl_one.as_secs_f64()
    );
}
