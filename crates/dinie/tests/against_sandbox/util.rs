//! Shared fixtures: a sandbox per test, a client for it, valid identifiers, small files.

use std::time::Duration;

use dinie::br::Cpf;
use dinie::{
    AttachmentTarget, AttachmentType, Client, Customer, CustomerId, EvidenceType, RequirementType,
};
use dinie_sandbox::{Sandbox, SandboxConfig};

/// A sandbox on a random loopback port, looking companies up at once and reviewing quickly.
pub async fn sandbox() -> Sandbox {
    sandbox_with(|_| {}).await
}

/// A sandbox with adjusted settings.
pub async fn sandbox_with(adjust: impl FnOnce(&mut SandboxConfig)) -> Sandbox {
    let mut config = SandboxConfig {
        lookup_delay: Duration::ZERO,
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

/// A client for the sandbox that never retries (each call is one request, or none).
pub fn client_without_retries(sandbox: &Sandbox) -> Client {
    Client::builder()
        .base_url(sandbox.base_url())
        .credentials(
            dinie_sandbox::DEFAULT_CLIENT_ID,
            dinie_sandbox::DEFAULT_CLIENT_SECRET,
        )
        .max_retries(0)
        .build()
        .unwrap()
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

/// The sandbox's legal forms, by the 8th character of the CNPJ.
pub use dinie_sandbox::LegalForm as Form;

/// A valid, random CNPJ (raw) that the sandbox treats as `form`.
pub fn cnpj(form: Form) -> String {
    dinie_sandbox::testing::example_cnpj(form)
}

/// Registers a MEI with a random CPF.
pub async fn register(client: &Client) -> Customer {
    register_with(client, "maria@example.com", Form::Mei).await
}

/// Registers a company of this form with this e-mail.
pub async fn register_with(client: &Client, email: &str, form: Form) -> Customer {
    client
        .customers()
        .create(cpf(), cnpj(form))
        .email(email)
        .phone("+5511987654321")
        .send()
        .await
        .unwrap()
        .into_customer()
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

/// The first requirement of this type.
pub fn requirement(c: &Customer, t: RequirementType) -> &dinie::KycRequirement {
    c.kyc
        .iter()
        .find(|k| k.requirement_type == t)
        .unwrap_or_else(|| panic!("no {t} requirement in {:#?}", c.kyc))
}

/// Where one part goes.
pub fn target(
    requirement_id: &str,
    evidence: EvidenceType,
    attachment: AttachmentType,
) -> AttachmentTarget {
    AttachmentTarget {
        requirement_id: requirement_id.to_owned(),
        evidence_type: evidence,
        attachment_type: attachment,
    }
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

/// Sends every requirement a partner sends (all but the selfies): identity as a CNH in one
/// file, e-mails as values, company documents as PDFs named `name` (`…reject…` to have them
/// rejected).
pub async fn send_documents(client: &Client, c: &Customer, name: &str) {
    let (_d, pdf) = file(name, &pdf());
    let (_e, cnh) = file("cnh.pdf", &self::pdf());
    for req in &c.kyc {
        let t = &req.requirement_type;
        let upload = |target| {
            client
                .customers()
                .kyc_attachment(&c.id, target)
                .known_kyc(&c.kyc)
        };
        let id = req.requirement_id.as_str();
        match t {
            RequirementType::Selfie => continue,
            RequirementType::Email => {
                upload(target(id, EvidenceType::Email, AttachmentType::Email))
                    .value("socio@example.com")
                    .send()
                    .await
                    .unwrap()
            }
            RequirementType::Identity => {
                upload(target(id, EvidenceType::Cnh, AttachmentType::File))
                    .file(&cnh)
                    .send()
                    .await
                    .unwrap()
            }
            _ => {
                let option = &t.evidence_options()[0];
                let attachment = option.attachment_sets[0][0].clone();
                upload(target(id, option.evidence_type.clone(), attachment))
                    .file(&pdf)
                    .send()
                    .await
                    .unwrap()
            }
        };
    }
}

/// Does what Dinie's capture app does with a session (every pending selfie, with the
/// session's own token); returns that token.
pub async fn complete_biometrics(session: &dinie::models::BiometricsSession) -> String {
    dinie_sandbox::testing::capture_selfies(&session.session_url)
        .await
        .unwrap()
}

/// Takes a customer to `active` (or `denied`): every document, the biometrics, the review.
pub async fn activate(client: &Client, c: &Customer) -> Customer {
    send_documents(client, c, "doc.pdf").await;
    let session = client
        .customers()
        .create_biometrics_session(&c.id)
        .await
        .unwrap();
    complete_biometrics(&session).await;
    client.customers().start_kyc_review(&c.id).await.unwrap();
    wait_for(client, &c.id, |c| c.status.is_final()).await
}

/// The id of the requirement of type `t` of the `n`-th subject that has one (0: the first).
pub fn requirement_of_subject(c: &Customer, t: RequirementType, n: usize) -> String {
    c.kyc
        .iter()
        .filter(|k| k.requirement_type == t)
        .nth(n)
        .unwrap_or_else(|| panic!("no {n}-th {t}"))
        .requirement_id
        .clone()
}
