//! What testers do with a sandbox from outside, written once for every test suite of the
//! workspace (the client crate's, the app's, the end-to-end ones).

use serde_json::Value;

mod proxy;
pub use proxy::{Fault, FaultProxy};

use crate::kyc::LegalForm;

/// A valid, random CNPJ (raw) that the sandbox treats as `form` (its 8th character, see
/// [`crate::kyc`]).
pub fn example_cnpj(form: LegalForm) -> String {
    let eighth = match form {
        LegalForm::Mei => '2',
        LegalForm::Ei => '4',
        LegalForm::Ltda => '7',
        LegalForm::Eireli => '9',
    };
    loop {
        let body: String = (0..12)
            .map(|i| {
                if i == 7 {
                    eighth
                } else {
                    char::from(b'0' + rand::random_range(0..10u8))
                }
            })
            .collect();
        if let Ok(cnpj) = dinie::br::Cnpj::from_body(&body) {
            return cnpj.as_str().to_owned();
        }
    }
}

/// A bearer token of the sandbox's default partner at `base_url` (`…/api/v3`), as a partner's
/// back end gets one (client credentials, Basic auth).
pub async fn access_token(base_url: &str) -> Result<String, CaptureError> {
    let answer: Value = reqwest::Client::new()
        .post(format!("{base_url}/auth/token"))
        .basic_auth(crate::DEFAULT_CLIENT_ID, Some(crate::DEFAULT_CLIENT_SECRET))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await?
        .json()
        .await?;
    answer["access_token"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| CaptureError::Unexpected(format!("no access_token in {answer}")))
}

/// Why a tester's request to the sandbox (a token, the capture app's work) failed.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    /// A request failed.
    #[error(transparent)]
    Http(#[from] reqwest::Error),
    /// The sandbox answered something else than the capture app expects.
    #[error("unexpected answer: {0}")]
    Unexpected(String),
}

/// Does what Dinie's capture app does with a biometrics session, as the borrower's phone would:
/// exchanges its code for the session's own token and uploads every selfie still missing with
/// it. Returns that token.
pub async fn capture_selfies(session_url: &str) -> Result<String, CaptureError> {
    let http = reqwest::Client::new();
    let (base, code) = session_url
        .rsplit_once("/biometrics/")
        .ok_or_else(|| CaptureError::Unexpected(format!("not a session URL: {session_url}")))?;
    let scoped: Value = http
        .post(format!("{base}/biometrics/session-exchange"))
        .json(&serde_json::json!({ "code": code }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let field = |v: &Value, name: &str| {
        v[name]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| CaptureError::Unexpected(format!("no {name} in {v}")))
    };
    let token = field(&scoped, "access_token")?;
    let customer = format!("{base}/customers/{}", field(&scoped, "customer_id")?);
    let c: Value = http
        .get(&customer)
        .bearer_auth(&token)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let kyc = c["kyc"].as_array().cloned().unwrap_or_default();
    for k in kyc
        .iter()
        .filter(|k| k["requirement_type"] == "selfie" && k.get("submitted").is_none())
    {
        let form = reqwest::multipart::Form::new()
            .text("requirement_id", field(k, "requirement_id")?)
            .part(
                "file",
                reqwest::multipart::Part::bytes(b"\xff\xd8\xff\xe0 selfie".to_vec())
                    .file_name("selfie.jpg"),
            );
        http.post(format!("{customer}/kyc-attachments/selfie"))
            .bearer_auth(&token)
            .multipart(form)
            .send()
            .await?
            .error_for_status()?;
    }
    Ok(token)
}
