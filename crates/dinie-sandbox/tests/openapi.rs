//! Keeps `openapi.json` true: drives every operation it describes against a real sandbox, and
//! checks that each answer's status is documented for that operation and its body validates
//! against the documented schema; and that no operation is left unexercised.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::time::Duration;

use dinie_sandbox::{Sandbox, SandboxConfig};
use serde_json::{json, Value};

struct Checker {
    spec: Value,
    base: String,
    http: reqwest::Client,
    exercised: BTreeSet<(String, String)>,
}

impl Checker {
    async fn check(&mut self, method: &str, template: &str, resp: reqwest::Response) -> Value {
        let status = resp.status().as_u16().to_string();
        assert!(
            resp.headers().contains_key("x-request-id"),
            "{method} {template}: no x-request-id"
        );
        let content_type = resp
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned());
        let text = resp.text().await.unwrap();
        let op = &self.spec["paths"][template][method.to_lowercase()];
        assert!(op.is_object(), "{method} {template} is not in openapi.json");
        let documented = &op["responses"][&status];
        assert!(
            documented.is_object(),
            "{method} {template} answered {status}, not documented: {text}"
        );
        self.exercised
            .insert((method.to_owned(), template.to_owned()));
        let Some(ct) = content_type else {
            return Value::Null;
        };
        let schema = &documented["content"][&ct]["schema"];
        assert!(
            schema.is_object(),
            "{method} {template} {status}: content type {ct} not documented"
        );
        if ct.contains("json") {
            let body: Value = serde_json::from_str(&text).unwrap();
            let root = json!({
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "components": self.spec["components"],
                "allOf": [schema],
            });
            let validator = jsonschema::validator_for(&root).unwrap();
            let errors: Vec<String> = validator
                .iter_errors(&body)
                .map(|e| format!("{} at {}", e, e.instance_path))
                .collect();
            assert!(
                errors.is_empty(),
                "{method} {template} {status}: {errors:?}\n{body:#}"
            );
            return body;
        }
        Value::String(text)
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

fn cpf() -> String {
    loop {
        let body: [u8; 9] = std::array::from_fn(|_| fastrand::u8(0..10));
        if let Ok(c) = dinie::br::Cpf::from_body(body) {
            return c.as_str().to_owned();
        }
    }
}

/// A MEI's CNPJ, by the sandbox's rule.
fn mei_cnpj() -> String {
    dinie_sandbox::testing::example_cnpj(dinie_sandbox::LegalForm::Mei)
}

fn file_form(
    requirement: &str,
    evidence: &str,
    attachment: &str,
    bytes: Vec<u8>,
) -> reqwest::multipart::Form {
    reqwest::multipart::Form::new()
        .text("requirement_id", requirement.to_owned())
        .text("evidence_type", evidence.to_owned())
        .text("attachment_type", attachment.to_owned())
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name("doc.pdf"),
        )
}

#[tokio::test]
async fn every_documented_operation_answers_as_documented() {
    let config = SandboxConfig {
        lookup_delay: Duration::ZERO,
        review_delay: Duration::from_millis(50),
        max_upload_bytes: 1024,
        ..SandboxConfig::default()
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sb = Sandbox::start(config, listener).await.unwrap();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let spec: Value = http
        .get(format!("{}/openapi.json", sb.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(spec["openapi"], "3.1.0");
    let mut c = Checker {
        spec,
        base: sb.base_url(),
        http,
        exercised: BTreeSet::new(),
    };

    let r = c.http.get(c.url("/openapi.json")).send().await.unwrap();
    c.check("GET", "/openapi.json", r).await;

    // Auth: form + Basic (the JS SDK), JSON (the Python SDK), and refusals.
    let token_req = |grant: &'static str, secret: &'static str| {
        c.http
            .post(c.url("/auth/token"))
            .basic_auth(dinie_sandbox::DEFAULT_CLIENT_ID, Some(secret))
            .form(&[("grant_type", grant)])
    };
    let (ok, bad_grant, bad_secret) = (
        token_req("client_credentials", dinie_sandbox::DEFAULT_CLIENT_SECRET)
            .send()
            .await
            .unwrap(),
        token_req("password", dinie_sandbox::DEFAULT_CLIENT_SECRET)
            .send()
            .await
            .unwrap(),
        token_req("client_credentials", "wrong")
            .send()
            .await
            .unwrap(),
    );
    let token = c.check("POST", "/auth/token", ok).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    c.check("POST", "/auth/token", bad_grant).await;
    c.check("POST", "/auth/token", bad_secret).await;
    let r = c
        .http
        .post(c.url("/auth/token"))
        .json(&json!({"grant_type": "client_credentials", "client_id": dinie_sandbox::DEFAULT_CLIENT_ID, "client_secret": dinie_sandbox::DEFAULT_CLIENT_SECRET}))
        .send()
        .await
        .unwrap();
    c.check("POST", "/auth/token", r).await;
    let authed = |req: reqwest::RequestBuilder| req.bearer_auth(&token);

    // Customers
    let body = json!({"cpf": cpf(), "cnpj": mei_cnpj(), "email": "ana@example.com", "phone": "+5511987654321", "external_id": "e1"});
    let r = authed(c.http.post(c.url("/customers")))
        .json(&body)
        .send()
        .await
        .unwrap();
    let customer = c.check("POST", "/customers", r).await;
    assert_eq!(customer["status"], "pending_kyc");
    assert!(customer["name"].is_string(), "the lookup names the company");
    let id = customer["id"].as_str().unwrap().to_owned();
    let r = authed(c.http.post(c.url("/customers")))
        .json(&body)
        .send()
        .await
        .unwrap();
    c.check("POST", "/customers", r).await;
    let mut other = body.clone();
    other["external_id"] = "e2".into();
    let r = authed(c.http.post(c.url("/customers")))
        .json(&other)
        .send()
        .await
        .unwrap();
    c.check("POST", "/customers", r).await;
    let r = authed(c.http.post(c.url("/customers")))
        .json(&json!({"cpf": "1"}))
        .send()
        .await
        .unwrap();
    c.check("POST", "/customers", r).await;
    let r = authed(c.http.post(c.url("/customers")))
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    c.check("POST", "/customers", r).await;
    let r = authed(c.http.post(c.url("/customers")))
        .body("{}")
        .send()
        .await
        .unwrap();
    c.check("POST", "/customers", r).await;
    let r = c
        .http
        .post(c.url("/customers"))
        .json(&body)
        .send()
        .await
        .unwrap();
    c.check("POST", "/customers", r).await;
    // An idempotency key replays; reused on another body it is refused.
    let (http, customers_url) = (c.http.clone(), c.url("/customers"));
    let keyed = |b: &Value| {
        authed(http.post(&customers_url))
            .header("X-Idempotency-Key", "k-1")
            .json(b)
    };
    let fresh = json!({"cpf": cpf(), "cnpj": mei_cnpj(), "email": "b@example.com", "phone": "+5511987654321"});
    let first = c
        .check("POST", "/customers", keyed(&fresh).send().await.unwrap())
        .await;
    let again = keyed(&fresh).send().await.unwrap();
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    let again = c.check("POST", "/customers", again).await;
    assert_eq!(first["id"], again["id"]);
    let r = keyed(&body).send().await.unwrap();
    assert_eq!(r.status(), 409);
    c.check("POST", "/customers", r).await;

    let r = authed(c.http.get(c.url("/customers?limit=10&status=pending_kyc")))
        .send()
        .await
        .unwrap();
    c.check("GET", "/customers", r).await;
    let r = authed(c.http.get(c.url("/customers?limit=500")))
        .send()
        .await
        .unwrap();
    c.check("GET", "/customers", r).await;

    let one = format!("/customers/{id}");
    let r = authed(c.http.get(c.url(&one))).send().await.unwrap();
    let customer = c.check("GET", "/customers/{customer_id}", r).await;
    let r = authed(c.http.get(c.url("/customers/cust_missing")))
        .send()
        .await
        .unwrap();
    c.check("GET", "/customers/{customer_id}", r).await;
    let r = authed(c.http.patch(c.url(&one)))
        .json(&json!({"email": "ana@example.org"}))
        .send()
        .await
        .unwrap();
    c.check("PATCH", "/customers/{customer_id}", r).await;
    let r = authed(c.http.patch(c.url(&one)))
        .json(&json!({"name": "Outra"}))
        .send()
        .await
        .unwrap();
    c.check("PATCH", "/customers/{customer_id}", r).await;

    let requirement = |t: &str| {
        customer["kyc"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["requirement_type"] == t)
            .unwrap()["requirement_id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (identity, selfie, ccmei) = (
        requirement("identity"),
        requirement("selfie"),
        requirement("company_document"),
    );

    // Review before the evidence: refused, naming what is missing.
    let review = c.url(&format!("{one}/kyc-review"));
    let r = authed(c.http.post(&review)).send().await.unwrap();
    let refused = c
        .check("POST", "/customers/{customer_id}/kyc-review", r)
        .await;
    assert!(
        refused["missing"].as_array().unwrap().len() >= 3,
        "{refused}"
    );

    // KYC attachments
    let att = c.url(&format!("{one}/kyc-attachments"));
    for form in [
        file_form(&identity, "cnh", "front", b"%PDF-1.4 x".to_vec()),
        file_form(&identity, "cnh", "back", b"%PDF-1.4 x".to_vec()),
        file_form(&ccmei, "ccmei", "file", b"%PDF-1.4 x".to_vec()),
        file_form(&identity, "rg", "file", b"%PDF-1.4 x".to_vec()),
        file_form("passport_1", "cnh", "file", b"%PDF-1.4 x".to_vec()),
        file_form(&ccmei, "ccmei", "file", b"text".to_vec()),
        file_form(&ccmei, "ccmei", "file", vec![0x89; 4096]),
        file_form(&selfie, "selfie", "photo", b"\xff\xd8\xff\xe0 x".to_vec()),
    ] {
        let r = authed(c.http.post(&att))
            .multipart(form)
            .send()
            .await
            .unwrap();
        c.check("POST", "/customers/{customer_id}/kyc-attachments", r)
            .await;
    }
    let r = authed(c.http.post(&att)).body("x").send().await.unwrap();
    c.check("POST", "/customers/{customer_id}/kyc-attachments", r)
        .await;
    let selfie_url = c.url(&format!("{one}/kyc-attachments/selfie"));
    let selfie_form = || {
        reqwest::multipart::Form::new()
            .text("requirement_id", selfie.clone())
            .part(
                "file",
                reqwest::multipart::Part::bytes(b"\xff\xd8\xff\xe0 x".to_vec()).file_name("s.jpg"),
            )
    };
    let r = authed(c.http.post(&selfie_url))
        .multipart(selfie_form())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    c.check("POST", "/customers/{customer_id}/kyc-attachments/selfie", r)
        .await;

    // Biometrics: a session, its code exchanged for a session token, the selfie sent with it.
    let bio = c.url(&format!("{one}/biometrics"));
    let r = authed(c.http.post(&bio))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    let session = c
        .check("POST", "/customers/{customer_id}/biometrics", r)
        .await;
    let r = authed(c.http.post(&bio))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    c.check("POST", "/customers/{customer_id}/biometrics", r)
        .await;
    let page = session["session_url"].as_str().unwrap().to_owned();
    let r = c.http.get(&page).send().await.unwrap();
    c.check("GET", "/biometrics/{code}", r).await;
    let r = c
        .http
        .get(c.url("/biometrics/dinie_bsc_unknown"))
        .send()
        .await
        .unwrap();
    c.check("GET", "/biometrics/{code}", r).await;
    let code = page.rsplit('/').next().unwrap().to_owned();
    let exchange = c.url("/biometrics/session-exchange");
    let r = c
        .http
        .post(&exchange)
        .json(&json!({"code": code}))
        .send()
        .await
        .unwrap();
    let scoped = c.check("POST", "/biometrics/session-exchange", r).await;
    let r = c
        .http
        .post(&exchange)
        .json(&json!({"code": code}))
        .send()
        .await
        .unwrap();
    c.check("POST", "/biometrics/session-exchange", r).await;
    let r = c
        .http
        .post(&exchange)
        .json(&json!({"code": "dinie_bsc_nope"}))
        .send()
        .await
        .unwrap();
    c.check("POST", "/biometrics/session-exchange", r).await;
    let session_token = scoped["access_token"].as_str().unwrap().to_owned();
    let r = c
        .http
        .post(&selfie_url)
        .bearer_auth(&session_token)
        .multipart(selfie_form())
        .send()
        .await
        .unwrap();
    c.check("POST", "/customers/{customer_id}/kyc-attachments/selfie", r)
        .await;
    // The session token may not do a partner's work.
    let r = c
        .http
        .post(&review)
        .bearer_auth(&session_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);

    // Bank account and banks.
    let bank = c.url(&format!("{one}/bank-account"));
    let r = authed(c.http.get(&bank)).send().await.unwrap();
    c.check("GET", "/customers/{customer_id}/bank-account", r)
        .await;
    let r = authed(c.http.get(c.url("/banks"))).send().await.unwrap();
    let banks = c.check("GET", "/banks", r).await;
    let bank_id = banks["data"][0]["id"].as_str().unwrap().to_owned();
    let account = json!({"bank_account": {"bank_id": bank_id, "branch": "0001", "number": "1234567", "digit": "0", "kind": "checking"}});
    let r = c
        .http
        .post(&bank)
        .bearer_auth(&session_token)
        .json(&account)
        .send()
        .await
        .unwrap();
    c.check("POST", "/customers/{customer_id}/bank-account", r)
        .await;
    let r = authed(c.http.post(&bank))
        .json(&json!({"bank_account": {"bank_id": "999"}}))
        .send()
        .await
        .unwrap();
    c.check("POST", "/customers/{customer_id}/bank-account", r)
        .await;
    let r = authed(c.http.get(&bank)).send().await.unwrap();
    c.check("GET", "/customers/{customer_id}/bank-account", r)
        .await;

    // Review, then the decision and the offers.
    let r = authed(c.http.post(&review)).send().await.unwrap();
    assert_eq!(r.status(), 202);
    c.check("POST", "/customers/{customer_id}/kyc-review", r)
        .await;
    let r = authed(c.http.post(&review)).send().await.unwrap();
    c.check("POST", "/customers/{customer_id}/kyc-review", r)
        .await;
    let mut status = Value::Null;
    for _ in 0..100 {
        let r = authed(c.http.get(c.url(&one))).send().await.unwrap();
        status = c.check("GET", "/customers/{customer_id}", r).await["status"].clone();
        if status == "active" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(status, "active");
    let r = authed(c.http.get(c.url(&format!("{one}/credit-offers?limit=1"))))
        .send()
        .await
        .unwrap();
    let page1 = c
        .check("GET", "/customers/{customer_id}/credit-offers", r)
        .await;
    assert_eq!(page1["has_more"], true);
    let cursor = page1["data"][0]["id"].as_str().unwrap();
    let r = authed(
        c.http
            .get(c.url(&format!("{one}/credit-offers?starting_after={cursor}"))),
    )
    .send()
    .await
    .unwrap();
    let page2 = c
        .check("GET", "/customers/{customer_id}/credit-offers", r)
        .await;
    assert!(
        page1["data"][0]["installments"].is_u64() && page2["data"][0]["max_installments"].is_u64()
    );
    let r = authed(c.http.get(c.url("/customers/cust_missing/credit-offers")))
        .send()
        .await
        .unwrap();
    c.check("GET", "/customers/{customer_id}/credit-offers", r)
        .await;

    // Every operation of the document was exercised.
    let mut documented = BTreeSet::new();
    for (path, item) in c.spec["paths"].as_object().unwrap() {
        for method in ["get", "post", "patch", "put", "delete"] {
            if item.get(method).is_some() {
                documented.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    let missing: Vec<_> = documented.difference(&c.exercised).collect();
    assert!(
        missing.is_empty(),
        "documented but not exercised: {missing:?}"
    );
}
