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

#[tokio::test]
async fn every_documented_operation_answers_as_documented() {
    let config = SandboxConfig {
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

    // Auth
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
    let authed = |req: reqwest::RequestBuilder| req.bearer_auth(&token);

    // Customers
    let doc = cpf();
    let body = json!({"cpf": doc, "name": "Ana", "email": "ana+fix@example.com", "phone": "+5511987654321", "external_id": "e1", "cnpj": "12ABC34501DE35"});
    let r = authed(c.http.post(c.url("/customers")))
        .json(&body)
        .send()
        .await
        .unwrap();
    let customer = c.check("POST", "/customers", r).await;
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
    c.check("GET", "/customers/{customer_id}", r).await;
    let r = authed(c.http.get(c.url("/customers/cust_missing")))
        .send()
        .await
        .unwrap();
    c.check("GET", "/customers/{customer_id}", r).await;
    let r = authed(c.http.patch(c.url(&one)))
        .json(&json!({"email": "ana@example.com"}))
        .send()
        .await
        .unwrap();
    c.check("PATCH", "/customers/{customer_id}", r).await;
    let r = authed(c.http.patch(c.url(&one)))
        .json(&json!({"cpf": cpf()}))
        .send()
        .await
        .unwrap();
    c.check("PATCH", "/customers/{customer_id}", r).await;

    // Documents
    let docs = format!("{one}/documents");
    let docs_url = c.url(&docs);
    for (t, bytes) in [
        ("cnh", b"%PDF-1.4 x".to_vec()),
        ("rg", b"%PDF-1.4 x".to_vec()),
        ("selfie", b"text".to_vec()),
        ("selfie", vec![0x89; 4096]),
    ] {
        let form = reqwest::multipart::Form::new().text("type", t).part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name("f"),
        );
        let r = authed(c.http.post(&docs_url))
            .multipart(form)
            .send()
            .await
            .unwrap();
        c.check("POST", "/customers/{customer_id}/documents", r)
            .await;
    }
    let r = authed(c.http.post(c.url(&docs)))
        .body("x")
        .send()
        .await
        .unwrap();
    c.check("POST", "/customers/{customer_id}/documents", r)
        .await;

    // Biometrics
    let bio = format!("{one}/biometrics");
    let r = authed(c.http.post(c.url(&bio))).send().await.unwrap();
    let session = c
        .check("POST", "/customers/{customer_id}/biometrics", r)
        .await;
    let r = authed(c.http.post(c.url(&bio))).send().await.unwrap();
    c.check("POST", "/customers/{customer_id}/biometrics", r)
        .await;
    let page = session["session_url"].as_str().unwrap().to_owned();
    let r = c.http.get(&page).send().await.unwrap();
    c.check("GET", "/biometrics/{token}", r).await;
    let r = c
        .http
        .get(c.url("/biometrics/bio_unknown"))
        .send()
        .await
        .unwrap();
    c.check("GET", "/biometrics/{token}", r).await;
    let r = c.http.post(format!("{page}/fail")).send().await.unwrap();
    c.check("POST", "/biometrics/{token}/fail", r).await;
    let r = c
        .http
        .post(format!("{page}/complete"))
        .send()
        .await
        .unwrap();
    c.check("POST", "/biometrics/{token}/complete", r).await;
    let r = c.http.post(format!("{page}/fail")).send().await.unwrap();
    c.check("POST", "/biometrics/{token}/fail", r).await;
    let r = authed(c.http.post(c.url(&bio))).send().await.unwrap();
    let second = c
        .check("POST", "/customers/{customer_id}/biometrics", r)
        .await;
    let r = c
        .http
        .post(format!(
            "{}/complete",
            second["session_url"].as_str().unwrap()
        ))
        .send()
        .await
        .unwrap();
    c.check("POST", "/biometrics/{token}/complete", r).await;

    let r = authed(c.http.get(c.url(&format!("{one}/credit-offers"))))
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
