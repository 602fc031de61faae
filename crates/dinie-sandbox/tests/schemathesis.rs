//! schemathesis fuzzes a running sandbox against its own `openapi.json` with every check
//! (`st run … --checks all`): every answer documented, every schema-valid request accepted
//! (but the two kinds `tests/sdk/schemathesis.toml` names), every invalid one refused, no 5xx.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "venv.rs"]
mod venv;

use std::path::PathBuf;
use std::time::Duration;

use dinie_sandbox::{Sandbox, SandboxConfig};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_nothing() {
    let st = venv::tool("st");
    let config = SandboxConfig {
        lookup_delay: Duration::ZERO,
        review_delay: Duration::from_millis(100),
        ..SandboxConfig::default()
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sb = Sandbox::start(config, listener).await.unwrap();
    let base = sb.base_url();
    let token = dinie_sandbox::testing::access_token(&base).await.unwrap();
    let bearer = format!("Authorization: Bearer {token}");
    let toml = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/sdk/schemathesis.toml");
    let spec = format!("{base}/openapi.json");
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(st)
            .arg("--config-file")
            .arg(toml)
            .args(["run", &spec, "--url", &base])
            .args([
                "--checks",
                "all",
                "--max-examples",
                "50",
                "--seed",
                "20260301",
                "-H",
                &bearer,
            ])
            .env("NO_COLOR", "1")
            .output()
    })
    .await
    .unwrap()
    .expect("st runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    // The token is the sandbox's own and dies with it; st's report filters it anyway.
    assert!(
        out.status.success(),
        "schemathesis found problems:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("passed"), "{stdout}");
    sb.shutdown().await;
}
