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
pub mod measure;
mod processes;

pub use app::{app_binary, artifacts_dir, App};
pub use processes::{free_port, world, Managed};

/// A standalone sandbox for a test (in this process), with its base URL and a client.
pub async fn standalone_sandbox() -> (dinie_sandbox::Sandbox, dinie::Client) {
    standalone_sandbox_with(|_| {}).await
}

/// A standalone sandbox with adjusted settings (partners, review delay, upload limit…).
pub async fn standalone_sandbox_with(
    adjust: impl FnOnce(&mut dinie_sandbox::SandboxConfig),
) -> (dinie_sandbox::Sandbox, dinie::Client) {
    let mut config = dinie_sandbox::SandboxConfig {
        lookup_delay: std::time::Duration::ZERO,
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
        self.start_with(|_| {}).await
    }

    /// Starts the sandbox with its configuration changed by `change` (a rate limit…).
    pub async fn start_with(
        &self,
        change: impl FnOnce(&mut dinie_sandbox::SandboxConfig),
    ) -> dinie_sandbox::Sandbox {
        let listener = tokio::net::TcpListener::bind(self.addr).await.unwrap();
        let mut config = dinie_sandbox::SandboxConfig {
            db: Some(self.dir.path().join("sandbox.db")),
            // Long enough that a draft's documents meet a `creating` customer and wait.
            lookup_delay: std::time::Duration::from_millis(300),
            review_delay: std::time::Duration::from_millis(200),
            ..Default::default()
        };
        change(&mut config);
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
    spawn_sandbox("release", args).await
}

/// Starts `target/<profile>/dinie-sandbox` on a free port with `args`, and waits until it
/// answers; returns the process and its base URL.
async fn spawn_sandbox(profile: &str, args: &[&str]) -> (std::process::Child, String) {
    let bin = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../target")
        .join(profile)
        .join("dinie-sandbox");
    assert!(
        bin.exists(),
        "build it first: cargo build{} -p dinie-sandbox (make bench and make e2e do)",
        if profile == "release" {
            " --release"
        } else {
            ""
        }
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

/// A `dinie-sandbox` binary (the debug build `make e2e` makes) run as a process of its own, as
/// a partner's sandbox would be; stopped when dropped.
pub struct SandboxProcess {
    child: std::process::Child,
    /// Its base URL (`…/api/v3`).
    pub base: String,
}

impl SandboxProcess {
    /// Starts it on a free port with `args` (`--lookup-delay-ms`, …) and waits until it answers.
    pub async fn start(args: &[&str]) -> Self {
        let (child, base) = spawn_sandbox("debug", args).await;
        Self { child, base }
    }
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An access token for the sandbox's default partner, for requests made without the client
/// (`curl` in the benchmarks).
pub async fn access_token(base_url: &str) -> String {
    dinie_sandbox::testing::access_token(base_url)
        .await
        .unwrap()
}

/// A client with the sandbox's default credentials for `base_url`.
pub fn client_for(base_url: &str) -> dinie::Client {
    client_builder_for(base_url).build().unwrap()
}

/// [`client_for`]'s builder, for a test that sets something more.
pub fn client_builder_for(base_url: &str) -> dinie::ClientBuilder {
    dinie::Client::builder().base_url(base_url).credentials(
        dinie_sandbox::DEFAULT_CLIENT_ID,
        dinie_sandbox::DEFAULT_CLIENT_SECRET,
    )
}

/// The id of `customer`'s first requirement of type `t`.
pub fn requirement_of(customer: &dinie::Customer, t: dinie::RequirementType) -> String {
    customer
        .kyc
        .iter()
        .find(|k| k.requirement_type == t)
        .unwrap()
        .requirement_id
        .clone()
}

/// Writes a PDF of `mib` MiB at `path` (a header, then spaces): a large document to upload.
pub fn write_large_pdf(path: &std::path::Path, mib: usize) {
    use std::io::Write;
    let mut f = std::fs::File::create(path).unwrap();
    f.write_all(b"%PDF-1.4\n").unwrap();
    let block = vec![b' '; 1 << 20];
    for _ in 0..mib {
        f.write_all(&block).unwrap();
    }
}

/// A random valid CPF.
/// Writes `bytes` as `name` in `dir` (a file the agent will pick); its path, as a pick takes it.
pub fn write_file(dir: &std::path::Path, name: &str, bytes: &[u8]) -> String {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p.display().to_string()
}

pub fn cpf() -> String {
    loop {
        let body: [u8; 9] = std::array::from_fn(|_| fastrand::u8(0..10));
        if let Ok(c) = dinie::br::Cpf::from_body(body) {
            return c.as_str().to_owned();
        }
    }
}

/// The sandbox's legal forms, by the 8th character of a CNPJ (see `dinie-sandbox --help`).
pub use dinie_sandbox::LegalForm as Form;

/// A random valid CNPJ that the sandbox treats as `form`.
pub fn cnpj(form: Form) -> String {
    dinie_sandbox::testing::example_cnpj(form)
}

/// Registers a company of `form` through the API and waits until Dinie has listed its
/// requirements (the embedded sandbox keeps a new customer `creating` for a moment).
pub async fn register(api: &dinie::Client, form: Form, email: &str) -> dinie::Customer {
    let created = api
        .customers()
        .create(cpf(), cnpj(form))
        .email(email)
        .phone("+5511987654321")
        .send()
        .await
        .unwrap()
        .into_customer();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let c = api.customers().get(&created.id).await.unwrap();
        if c.status != dinie::CustomerStatus::Creating {
            return c;
        }
        assert!(tokio::time::Instant::now() < deadline, "still creating");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// Does what Dinie's capture app does with a session, as the borrower's phone would: every
/// selfie still missing, uploaded with the session's own token.
pub async fn complete_biometrics(session_url: &str) {
    dinie_sandbox::testing::capture_selfies(session_url)
        .await
        .unwrap();
}
