//! Shared fixtures: a sandbox per test, a client for it, valid identifiers, small files.

use std::time::Duration;

use dinie::br::Cpf;
use dinie::{Client, Customer, CustomerId};
use dinie_sandbox::{Sandbox, SandboxConfig};

/// A sandbox on a random loopback port, reviewing quickly.
pub async fn sandbox() -> Sandbox {
    sandbox_with(|_| {}).await
}

/// A sandbox with adjusted settings.
pub async fn sandbox_with(adjust: impl FnOnce(&mut SandboxConfig)) -> Sandbox {
    let mut config = SandboxConfig {
        review_delay: Duration::from_millis(150),
        ..SandboxConfig::default()
    };
    adjust(&mut config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    Sandbox::start(config, listener).await.unwrap()
}

/// A client for the sandbox's default partner, with quick retries.
pub fn client(sandbox: &Sandbox) -> Client {
    client_for(&sandbox.base_url())
}

/// A client for the sandbox that refuses documents over `limit` bytes before sending.
pub fn client_with_upload_limit(sandbox: &Sandbox, limit: u64) -> Client {
    Client::builder()
        .base_url(sandbox.base_url())
        .credentials(
            dinie_sandbox::DEFAULT_CLIENT_ID,
            dinie_sandbox::DEFAULT_CLIENT_SECRET,
        )
        .max_upload_bytes(limit)
        .build()
        .unwrap()
}

/// A client for any base URL with the default sandbox credentials.
pub fn client_for(base_url: &str) -> Client {
    Client::builder()
        .base_url(base_url)
        .credentials(
            dinie_sandbox::DEFAULT_CLIENT_ID,
            dinie_sandbox::DEFAULT_CLIENT_SECRET,
        )
        .backoff_base(Duration::from_millis(20))
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// A valid, random CPF (raw digits).
pub fn cpf() -> String {
    loop {
        let body: [u8; 9] = std::array::from_fn(|_| fastrand::u8(0..10));
        if let Ok(cpf) = Cpf::from_body(body) {
            return cpf.as_str().to_owned();
        }
    }
}

/// Registers a customer with a random CPF.
pub async fn register(client: &Client) -> Customer {
    register_with(client, "maria@example.com", None).await
}

/// Registers a customer with this e-mail and, optionally, a CNPJ.
pub async fn register_with(client: &Client, email: &str, cnpj: Option<&str>) -> Customer {
    let mut create = client
        .customers()
        .create(cpf())
        .name("Maria da Silva")
        .email(email)
        .phone("+5511987654321");
    if let Some(cnpj) = cnpj {
        create = create.cnpj(cnpj).trading_name("Doces da Maria");
    }
    create.send().await.unwrap().into_customer()
}

/// Polls the customer until `done` holds (at most 10 s).
pub async fn wait_for(
    client: &Client,
    id: &CustomerId,
    done: impl Fn(&Customer) -> bool,
) -> Customer {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let c = client.customers().get(id).await.unwrap();
        if done(&c) {
            return c;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting; last state: {c:#?}"
        );
        tokio::time::sleep(Duration::from_millis(40)).await;
    }
}

/// The status of a KYC item.
pub fn item_status(c: &Customer, item: &str) -> String {
    c.kyc_item(item)
        .map(|k| k.status.to_string())
        .unwrap_or_default()
}

/// A minimal valid PNG.
pub fn png() -> Vec<u8> {
    let mut v = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    v.extend_from_slice(&[0u8; 64]);
    v
}

/// A minimal PDF.
pub fn pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec()
}

/// Writes `bytes` to a file called `name` in a fresh temporary folder.
pub fn file(name: &str, bytes: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    (dir, path)
}

/// Serves `router` on a random loopback port; returns its base URL (`…/api/v3`).
pub async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    format!("http://{addr}/api/v3")
}

/// A raw authenticated request to the sandbox, for what the typed client cannot express.
pub async fn raw_token(sandbox: &Sandbox) -> String {
    let resp: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/auth/token", sandbox.base_url()))
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
    resp["access_token"].as_str().unwrap().to_owned()
}

/// Sends the CNH (PDF) and the selfie (PNG) of a CPF-only customer.
pub async fn send_documents(client: &Client, id: &CustomerId) {
    let (_d, pdf) = file("cnh.pdf", &pdf());
    let (_e, png) = file("selfie.png", &png());
    for (doc_type, path) in [("cnh", &pdf), ("selfie", &png)] {
        client
            .customers()
            .upload_document(id, doc_type)
            .file(path)
            .send()
            .await
            .unwrap();
    }
}

/// Completes a biometrics session on the sandbox's own page, as the borrower would.
pub async fn complete_biometrics(session: &dinie::models::BiometricsSession) -> String {
    let page = reqwest::Client::new()
        .post(format!("{}/complete", session.session_url))
        .send()
        .await
        .unwrap();
    page.text().await.unwrap()
}
