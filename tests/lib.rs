//! The end-to-end harness: a real Dinie Desk window in its own world.
//!
//! [`App::launch`] starts, for one test, a private X server (Xvfb), a private D-Bus session
//! with an unlocked GNOME Keyring (a real Secret Service), `tauri-driver` with
//! `WebKitWebDriver`, and the app binary with throw-away HOME and XDG folders; then drives
//! the window through WebDriver. Dropping the [`App`] stops every process it started, also
//! when the test fails; [`App::run`] saves a screenshot to `target/e2e-artifacts/` when the
//! test body fails.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod app;
mod processes;

pub use app::{artifacts_dir, App};
pub use processes::free_port;

/// A standalone sandbox for a test (in this process), with its base URL and a client.
pub async fn standalone_sandbox() -> (dinie_sandbox::Sandbox, dinie::Client) {
    standalone_sandbox_with(|_| {}).await
}

/// A standalone sandbox with adjusted settings (partners, review delay, upload limit…).
pub async fn standalone_sandbox_with(
    adjust: impl FnOnce(&mut dinie_sandbox::SandboxConfig),
) -> (dinie_sandbox::Sandbox, dinie::Client) {
    let mut config = dinie_sandbox::SandboxConfig {
        review_delay: std::time::Duration::from_millis(200),
        ..Default::default()
    };
    adjust(&mut config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sandbox = dinie_sandbox::Sandbox::start(config, listener)
        .await
        .unwrap();
    let partner = &sandbox.state().config().partners[0];
    let client = dinie::Client::builder()
        .base_url(sandbox.base_url())
        .credentials(&partner.client_id, &partner.client_secret)
        .build()
        .unwrap();
    (sandbox, client)
}

/// A sandbox with a fixed address and a database file, so that a test can stop it (the
/// connection drops) and start it again (the connection is back) with the same data.
pub struct SandboxSite {
    addr: std::net::SocketAddr,
    dir: tempfile::TempDir,
}

impl SandboxSite {
    /// A free loopback port and a fresh database.
    pub fn new() -> Self {
        Self {
            addr: std::net::SocketAddr::from(([127, 0, 0, 1], free_port())),
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// The API's base URL.
    pub fn url(&self) -> String {
        format!("http://{}/api/v3", self.addr)
    }

    /// Starts the sandbox (stop it with `shutdown`).
    pub async fn start(&self) -> dinie_sandbox::Sandbox {
        let listener = tokio::net::TcpListener::bind(self.addr).await.unwrap();
        let config = dinie_sandbox::SandboxConfig {
            db: Some(self.dir.path().join("sandbox.db")),
            review_delay: std::time::Duration::from_millis(200),
            ..Default::default()
        };
        dinie_sandbox::Sandbox::start(config, listener)
            .await
            .unwrap()
    }
}

impl Default for SandboxSite {
    fn default() -> Self {
        Self::new()
    }
}

/// Polls `check` every 50 ms until it holds; fails after `secs` seconds saying `what`.
pub async fn eventually<F, Fut>(what: &str, secs: u64, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(secs);
    while !check().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Starts the release `dinie-sandbox` binary on a free port with `args` (benchmarks compare
/// the app with other clients of a separate server process); returns it and its base URL.
pub async fn release_sandbox(args: &[&str]) -> (std::process::Child, String) {
    let bin =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/release/dinie-sandbox");
    assert!(
        bin.exists(),
        "build it first: cargo build --release -p dinie-sandbox (make bench does)"
    );
    let port = free_port();
    let child = std::process::Command::new(&bin)
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}/api/v3");
    let api = client_for(&base);
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while api.authenticate().await.is_err() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the sandbox did not start"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    (child, base)
}

/// An access token for the sandbox's default partner, for requests made without the client
/// (`curl` in the benchmarks).
pub async fn access_token(base_url: &str) -> String {
    let answer: serde_json::Value = reqwest::Client::new()
        .post(format!("{base_url}/auth/token"))
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

/// A client with the sandbox's default credentials for `base_url`.
pub fn client_for(base_url: &str) -> dinie::Client {
    dinie::Client::builder()
        .base_url(base_url)
        .credentials(
            dinie_sandbox::DEFAULT_CLIENT_ID,
            dinie_sandbox::DEFAULT_CLIENT_SECRET,
        )
        .build()
        .unwrap()
}

/// A random valid CPF.
pub fn cpf() -> String {
    loop {
        let body: [u8; 9] = std::array::from_fn(|_| fastrand::u8(0..10));
        if let Ok(c) = dinie::br::Cpf::from_body(body) {
            return c.as_str().to_owned();
        }
    }
}
