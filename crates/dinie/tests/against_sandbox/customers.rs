use std::time::Duration;

use dinie::models::SubjectType;
use dinie::{CustomerStatus, Error, Registration, RequirementType};

use crate::util::{self, cnpj, cpf, Form};

#[tokio::test]
async fn create_tells_new_from_existing_and_conflicts() {
    let sb = util::sandbox().await;
    let client = util::client(&sb);
    let doc = cpf();
    let company = cnpj(Form::Mei);
    let masked = dinie::br::Cpf::parse(&doc).unwrap().to_string();
    let create = |ext: &'static str, cpf: String| {
        client
            .customers()
            .create(cpf, company.clone())
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
    assert!(c.id.as_str().len() == 37 && c.id.as_str()[5..].bytes().all(|b| b.is_ascii_hexdigit()));
    assert!(c.name.is_some(), "the lookup names the company");
    let types: Vec<_> = c.kyc.iter().map(|k| k.requirement_type.as_str()).collect();
    assert_eq!(
        types,
        ["company_document", "identity", "selfie", "proof_of_address"]
    );
    assert!(c
        .kyc
        .iter()
        .all(|k| k.submitted.is_none() && !k.label.is_empty()));

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
    assert_eq!(
        problem.type_uri.as_deref(),
        Some("https://docs.dinie.com/errors/conflict")
    );
    assert_eq!(problem.extension_str("customer_id"), Some(c.id.as_str()));
    assert_eq!(sb.state().count("customers").await.unwrap(), 1);
}

#[tokio::test]
async fn a_new_company_is_creating_until_dinie_has_looked_it_up() {
    let sb = util::sandbox_with(|c| c.lookup_delay = Duration::from_millis(300)).await;
    let client = util::client(&sb);
    let c = util::register(&client).await;
    assert_eq!(c.status, CustomerStatus::Creating);
    assert!(c.kyc.is_empty());
    assert!(!c.can_start_review());
    let ready = util::wait_for(&client, &c.id, |c| c.status == CustomerStatus::PendingKyc).await;
    assert!(!ready.kyc.is_empty());
}

#[tokio::test]
async fn requirements_follow_the_legal_form() {
    let sb = util::sandbox().await;
    let client = util::client(&sb);
    let kinds = |c: &dinie::Customer| -> Vec<String> {
        c.kyc
            .iter()
            .map(|k| k.requirement_type.to_string())
            .collect()
    };
    let ei = util::register_with(&client, "ei@example.com", Form::Ei).await;
    assert!(kinds(&ei).contains(&"ei_mei_documents".to_owned()));
    let eireli = util::register_with(&client, "eireli@example.com", Form::Eireli).await;
    assert!(kinds(&eireli).contains(&"eireli_incorporation_statement".to_owned()));

    let ltda = util::register_with(&client, "ltda@example.com", Form::Ltda).await;
    let groups = ltda.requirements_by_subject();
    assert_eq!(
        groups.len(),
        4,
        "the company, the applicant and two co-owners"
    );
    assert!(groups[0].subject.is_none());
    assert_eq!(
        groups[1].subject.unwrap().subject_type,
        SubjectType::Applicant
    );
    for co_owner in &groups[2..] {
        assert_eq!(co_owner.subject.unwrap().subject_type, SubjectType::CoOwner);
        let types: Vec<_> = co_owner
            .requirements
            .iter()
            .map(|k| k.requirement_type.clone())
            .collect();
        assert_eq!(
            types,
            [
                RequirementType::Identity,
                RequirementType::Selfie,
                RequirementType::Email
            ]
        );
    }
    assert!(ltda
        .kyc
        .iter()
        .any(|k| k.requirement_type == RequirementType::ArticlesOfAssociation));
}

#[tokio::test]
async fn validation_errors_name_their_fields() {
    let sb = util::sandbox().await;
    let client = util::client(&sb);

    let err = client
        .customers()
        .create("123.456.789-00", cnpj(Form::Mei))
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
        .create(cpf(), "12.345.678/0001-00")
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
            ("phone".into(), "invalid_format".into()),
        ]
    );
    assert!(problem
        .field_detail("phone")
        .unwrap()
        .contains("+5511987654321"));
    assert_eq!(sb.state().count("customers").await.unwrap(), 0);

    // The CNPJ is required: every borrower is a company.
    let token = util::raw_token(&sb).await;
    let resp = reqwest::Client::new()
        .post(format!("{}/customers", sb.base_url()))
        .bearer_auth(token)
        .json(
            &serde_json::json!({"cpf": cpf(), "email": "a@example.com", "phone": "+5511987654321"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    let problem: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(problem["param"], "cnpj");
    assert_eq!(
        problem["type"],
        "https://docs.dinie.com/errors/validation-failed"
    );
}

#[tokio::test]
async fn an_alphanumeric_cnpj_is_accepted_and_decides_the_form() {
    let sb = util::sandbox().await;
    let client = util::client(&sb);
    // 8th character `A`: (65 − 48) mod 10 = 7, an LTDA.
    let c = client
        .customers()
        .create(
            cpf(),
            dinie::br::Cnpj::from_body("12ABC34A01DE")
                .unwrap()
                .to_string(),
        )
        .email("mei@example.com")
        .phone("+5511987654321")
        .send()
        .await
        .unwrap()
        .into_customer();
    assert!(c
        .cnpj
        .as_deref()
        .is_some_and(|c| c.starts_with("12ABC34A01DE")));
    assert!(c
        .kyc
        .iter()
        .any(|k| k.requirement_type == RequirementType::ArticlesOfAssociation));
}

#[tokio::test]
async fn an_idempotency_key_replays_the_first_answer() {
    let sb = util::sandbox().await;
    let client = util::client(&sb);
    let doc = cpf();
    let company = cnpj(Form::Mei);
    let send = |key: &'static str, email: &'static str| {
        client
            .customers()
            .create(doc.clone(), company.clone())
            .email(email)
            .phone("+5511987654321")
            .idempotency_key(key)
            .send()
    };
    let a = send("draft-1", "a@example.com").await.unwrap();
    let b = send("draft-1", "a@example.com").await.unwrap();
    assert_eq!(a, b, "a replay returns the first answer, 201 included");
    let err = send("draft-1", "b@example.com").await.unwrap_err();
    assert_eq!(err.code(), Some("idempotency_key_reused"));

    // Each header of the official SDKs is honoured alone.
    let token = util::raw_token(&sb).await;
    let body = serde_json::json!({"cpf": doc, "cnpj": company, "email": "a@example.com", "phone": "+5511987654321"});
    for header in ["X-Idempotency-Key", "Idempotency-Key"] {
        let resp = reqwest::Client::new()
            .post(format!("{}/customers", sb.base_url()))
            .bearer_auth(&token)
            .header(header, "draft-1")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 201, "{header}");
        assert_eq!(resp.headers()["idempotent-replayed"], "true");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_simultaneous_identical_creates_make_one_customer() {
    let sb = util::sandbox().await;
    let client = util::client(&sb);
    client.authenticate().await.unwrap();
    let doc = cpf();
    let company = cnpj(Form::Mei);
    let calls = (0..50).map(|_| {
        let client = client.clone();
        let (doc, company) = (doc.clone(), company.clone());
        tokio::spawn(async move {
            client
                .customers()
                .create(doc, company)
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
async fn only_email_and_phone_can_change() {
    let sb = util::sandbox().await;
    let client = util::client(&sb);
    let c = util::register(&client).await;

    let fixed = client
        .customers()
        .update(&c.id)
        .email("ana@example.org")
        .phone("+5521912345678")
        .send()
        .await
        .unwrap();
    assert_eq!(
        (fixed.email.as_str(), fixed.phone.as_str()),
        ("ana@example.org", "+5521912345678")
    );
    assert_eq!(fixed.cpf, c.cpf);

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

    // The typed client cannot express the other fields; the API refuses them anyway.
    let token = util::raw_token(&sb).await;
    let resp = reqwest::Client::new()
        .patch(format!("{}/customers/{}", sb.base_url(), c.id))
        .bearer_auth(token)
        .json(&serde_json::json!({"cpf": util::cpf(), "name": "Outra", "cnpj": cnpj(Form::Ltda)}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    let problem: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(problem["code"], "immutable_field");
    let params: Vec<_> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["param"].as_str().unwrap())
        .collect();
    assert_eq!(params, ["cpf", "cnpj", "name"]);

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
        .create(c.cpf.clone(), cnpj(Form::Mei))
        .email("x@example.com")
        .phone("+5511987654321")
        .send()
        .await
        .unwrap();
    assert!(other.is_new());
}

/// `sort` and `order` (Dinie's SDKs send both): by last change, newest first, a corrected
/// customer comes first; every page follows in order, none twice.
#[tokio::test]
async fn lists_sort_by_creation_or_last_change_in_either_order() {
    let sb = util::sandbox().await;
    let client = util::client(&sb);
    let mut made = Vec::new();
    for i in 0..5 {
        let c = client
            .customers()
            .create(cpf(), cnpj(Form::Mei))
            .email(format!("ordem{i}@example.com"))
            .phone("+5521987654321")
            .external_id(format!("ordem-{i}"))
            .send()
            .await
            .unwrap();
        made.push(c.customer().id.clone());
    }
    client
        .customers()
        .update(&made[1])
        .email("corrigido@example.com")
        .send()
        .await
        .unwrap();
    let all = |sort, order| {
        let client = &client;
        async move {
            let mut ids = Vec::new();
            let mut list = client.customers().list().limit(2).sort(sort).order(order);
            loop {
                let page = list.send().await.unwrap();
                ids.extend(page.data.iter().map(|c| c.id.clone()));
                match page.data.last() {
                    Some(last) if page.has_more => list = list.starting_after(&last.id),
                    _ => break,
                }
            }
            ids
        }
    };
    use dinie::{CustomerSort as S, SortOrder as O};
    let oldest_first = all(S::CreatedAt, O::Asc).await;
    assert_eq!(oldest_first, made);
    let newest_first = all(S::CreatedAt, O::Desc).await;
    assert_eq!(newest_first, made.iter().rev().cloned().collect::<Vec<_>>());
    let changed = all(S::UpdatedAt, O::Desc).await;
    assert_eq!(
        changed[0], made[1],
        "the corrected customer is the last change"
    );
    assert_eq!(changed.len(), 5);
    let changed_asc = all(S::UpdatedAt, O::Asc).await;
    assert_eq!(changed_asc.last(), Some(&made[1]));
}
