use dinie::{CustomerStatus, Error, KycKind, KycStatus, Registration};

use crate::util::{self, cpf};

#[tokio::test]
async fn create_tells_new_from_existing_and_conflicts() {
    let sb = util::sandbox().await;
    let client = util::client(&sb);
    let doc = cpf();
    let masked = dinie::br::Cpf::parse(&doc).unwrap().to_string();
    let create = |ext: &'static str, cpf: String| {
        client
            .customers()
            .create(cpf)
            .name("João Souza")
            .email("joao@example.com")
            .phone("+5521987654321")
            .external_id(ext)
    };

    let first = create("crm-1", masked.clone()).send().await.unwrap();
    assert!(first.is_new());
    let c = first.customer();
    assert_eq!(c.status, CustomerStatus::PendingKyc);
    assert_eq!(c.cpf, doc, "the CPF is stored without its mask");
    assert_eq!(c.external_id.as_deref(), Some("crm-1"));
    let types: Vec<_> = c.kyc.iter().map(|k| k.item_type.as_str()).collect();
    assert_eq!(types, ["cnh", "selfie", "biometrics"]);
    assert!(c
        .kyc
        .iter()
        .all(|k| k.status == KycStatus::Pending && k.description.is_some()));

    let again = create("crm-1", doc.clone()).send().await.unwrap();
    assert!(
        matches!(&again, Registration::Existing(e) if e.id == c.id),
        "{again:?}"
    );

    let err = create("crm-2", doc.clone()).send().await.unwrap_err();
    assert_eq!(err.status(), Some(409));
    assert_eq!(err.code(), Some("customer_already_exists"));
    assert!(err.request_id().is_some_and(|id| id.starts_with("req_")));
    let problem = &err.as_api().unwrap().problem;
    assert_eq!(problem.extension_str("customer_id"), Some(c.id.as_str()));
    assert_eq!(sb.state().count("customers").await.unwrap(), 1);
}

#[tokio::test]
async fn validation_errors_name_their_fields() {
    let sb = util::sandbox().await;
    let client = util::client(&sb);

    let err = client
        .customers()
        .create("123.456.789-00")
        .name("A")
        .email("a@example.com")
        .phone("+5511987654321")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(422));
    assert_eq!(err.code(), Some("invalid_cpf"));
    assert_eq!(err.as_api().unwrap().problem.param.as_deref(), Some("cpf"));

    let err = client
        .customers()
        .create(cpf())
        .cnpj("12.345.678/0001-00")
        .email("not-an-email")
        .phone("(11) 98765-4321")
        .send()
        .await
        .unwrap_err();
    let problem = &err.as_api().unwrap().problem;
    let mut params: Vec<_> = problem
        .errors
        .iter()
        .map(|e| (e.param.clone().unwrap(), e.code.clone().unwrap()))
        .collect();
    params.sort();
    assert_eq!(
        params,
        [
            ("cnpj".into(), "invalid_cnpj".into()),
            ("email".into(), "invalid_format".into()),
            ("name".into(), "missing_required_field".into()),
            ("phone".into(), "invalid_format".into()),
        ]
    );
    assert!(problem
        .field_detail("phone")
        .unwrap()
        .contains("+5511987654321"));
    assert_eq!(sb.state().count("customers").await.unwrap(), 0);
}

#[tokio::test]
async fn a_mei_with_an_alphanumeric_cnpj_also_needs_the_ccmei() {
    let sb = util::sandbox().await;
    let client = util::client(&sb);
    let c = util::register_with(&client, "mei@example.com", Some("12.abc.345/01de-35")).await;
    assert_eq!(c.cnpj.as_deref(), Some("12ABC34501DE35"));
    assert_eq!(c.document_types(), ["cnh", "selfie", "ccmei"]);
}

#[tokio::test]
async fn an_idempotency_key_replays_the_first_answer() {
    let sb = util::sandbox().await;
    let client = util::client(&sb);
    let doc = cpf();
    let send = |key: &'static str, name: &'static str| {
        client
            .customers()
            .create(doc.clone())
            .name(name)
            .email("a@example.com")
            .phone("+5511987654321")
            .idempotency_key(key)
            .send()
    };
    let a = send("draft-1", "Ana").await.unwrap();
    let b = send("draft-1", "Ana").await.unwrap();
    assert_eq!(a, b, "a replay returns the first answer, 201 included");
    let err = send("draft-1", "Another body").await.unwrap_err();
    assert_eq!(err.code(), Some("idempotency_key_reused"));

    // The header the official SDK sends is accepted too.
    let token = util::raw_token(&sb).await;
    let body = serde_json::json!({"cpf": doc, "name": "Ana", "email": "a@example.com", "phone": "+5511987654321"});
    let resp = reqwest::Client::new()
        .post(format!("{}/customers", sb.base_url()))
        .bearer_auth(token)
        .header("X-Idempotency-Key", "draft-1")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    assert_eq!(resp.headers()["idempotent-replayed"], "true");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_simultaneous_identical_creates_make_one_customer() {
    let sb = util::sandbox().await;
    let client = util::client(&sb);
    client.authenticate().await.unwrap();
    let doc = cpf();
    let calls = (0..50).map(|_| {
        let client = client.clone();
        let doc = doc.clone();
        tokio::spawn(async move {
            client
                .customers()
                .create(doc)
                .name("Ana")
                .email("a@example.com")
                .phone("+5511987654321")
                .external_id("same")
                .send()
                .await
                .unwrap()
        })
    });
    let results = futures_util::future::join_all(calls).await;
    let results: Vec<Registration> = results.into_iter().map(Result::unwrap).collect();
    assert_eq!(results.iter().filter(|r| r.is_new()).count(), 1);
    let id = &results[0].customer().id;
    assert!(results.iter().all(|r| &r.customer().id == id));
    assert_eq!(sb.state().count("customers").await.unwrap(), 1);
}

#[tokio::test]
async fn get_update_and_immutable_fields() {
    let sb = util::sandbox().await;
    let client = util::client(&sb);
    let c = util::register_with(&client, "ana+fix@example.com", None).await;
    let email_item = c.kyc_item("email").unwrap();
    assert_eq!(email_item.kind, KycKind::Data);
    assert_eq!(email_item.status, KycStatus::PendingCorrection);
    assert!(email_item.message.is_some());

    let fixed = client
        .customers()
        .update(&c.id)
        .email("ana@example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(fixed.email, "ana@example.com");
    assert_eq!(util::item_status(&fixed, "email"), "submitted");
    let reviewed = util::wait_for(&client, &c.id, |c| {
        util::item_status(c, "email") == "approved"
    })
    .await;
    assert_eq!(reviewed.cpf, c.cpf);

    let err = client
        .customers()
        .update(&c.id)
        .phone("123")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.as_api().unwrap().problem.param.as_deref(),
        Some("phone")
    );

    // The typed client cannot express a CPF change; the API refuses it anyway.
    let token = util::raw_token(&sb).await;
    let resp = reqwest::Client::new()
        .patch(format!("{}/customers/{}", sb.base_url(), c.id))
        .bearer_auth(token)
        .json(&serde_json::json!({"cpf": util::cpf(), "external_id": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    let problem: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(problem["code"], "immutable_field");
    assert_eq!(problem["param"], "cpf");
    assert_eq!(problem["errors"][1]["param"], "external_id");

    let missing = client
        .customers()
        .get(&"cust_nope".into())
        .await
        .unwrap_err();
    assert_eq!(missing.status(), Some(404));
    assert!(matches!(missing, Error::Api(_)));
}

#[tokio::test]
async fn partners_see_only_their_own_customers() {
    let sb = util::sandbox_with(|c| {
        c.partners.push(dinie_sandbox::Partner {
            client_id: "dinie_ci_test_other".into(),
            client_secret: "dinie_cs_test_other".into(),
        })
    })
    .await;
    let mine = util::client(&sb);
    let theirs = dinie::Client::builder()
        .base_url(sb.base_url())
        .credentials("dinie_ci_test_other", "dinie_cs_test_other")
        .build()
        .unwrap();
    let c = util::register(&mine).await;
    assert_eq!(
        theirs.customers().get(&c.id).await.unwrap_err().status(),
        Some(404)
    );
    assert!(theirs
        .customers()
        .list()
        .send()
        .await
        .unwrap()
        .data
        .is_empty());
    // The same CPF is a different customer for another partner.
    let other = theirs
        .customers()
        .create(c.cpf.clone())
        .name("X")
        .email("x@example.com")
        .phone("+5511987654321")
        .send()
        .await
        .unwrap();
    assert!(other.is_new());
}
