use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use dinie::models::ReviewStatus;
use dinie::{
    AttachmentType as A, CustomerStatus, Error, EvidenceType as E, InvalidInput,
    RequirementType as R,
};

use crate::util::{self, target, Form};

#[tokio::test]
async fn identity_front_and_back_are_two_parts_of_one_requirement() {
    let sb = util::sandbox().await;
    let client = util::client(&sb);
    let c = util::register(&client).await;
    let identity = util::requirement(&c, R::Identity).requirement_id.clone();
    let (_d1, front) = util::file("rg-frente.png", &util::png());
    let (_d2, back) = util::file("rg-verso.pdf", &util::pdf());

    let sent = Arc::new(AtomicU64::new(0));
    let seen = sent.clone();
    let receipt = client
        .customers()
        .kyc_attachment(&c.id, target(&identity, E::Rg, A::Front))
        .file(&front)
        .known_kyc(&c.kyc)
        .on_progress(move |p| {
            assert_eq!(p.total, Some(util::png().len() as u64));
            seen.store(p.sent, Ordering::SeqCst);
        })
        .send()
        .await
        .unwrap();
    assert_eq!(
        (receipt.attachment_type, receipt.submitted),
        (A::Front, true)
    );
    assert_eq!(sent.load(Ordering::SeqCst), util::png().len() as u64);

    let half = client.customers().get(&c.id).await.unwrap();
    let req = half.requirement(&identity).unwrap();
    assert_eq!(req.missing_attachments(), [&A::Back]);
    assert!(!req.is_complete());

    // Without known_kyc the client fetches the customer to check the target.
    client
        .customers()
        .kyc_attachment(&c.id, target(&identity, E::Rg, A::Back))
        .file(&back)
        .send()
        .await
        .unwrap();
    let after = client.customers().get(&c.id).await.unwrap();
    let req = after.requirement(&identity).unwrap();
    assert!(req.is_complete());
    assert_eq!(
        req.submitted.as_ref().unwrap().review_status,
        ReviewStatus::Pending
    );
    assert_eq!(sb.state().count("attachments").await.unwrap(), 2);
}

#[tokio::test]
async fn review_needs_every_mandatory_requirement_then_decides_each() {
    let sb = util::sandbox().await;
    let client = util::client(&sb);
    let c = util::register(&client).await;

    let err = client
        .customers()
        .start_kyc_review(&c.id)
        .await
        .unwrap_err();
    assert_eq!(
        (err.status(), err.code()),
        (Some(422), Some("kyc_incomplete"))
    );
    let missing = err.as_api().unwrap().problem.extensions["missing"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(
        missing, 3,
        "CCMEI, identity and selfie; proof of address is optional"
    );

    let active = util::activate(&client, &c).await;
    assert_eq!(active.status, CustomerStatus::Active);
    assert!(active
        .kyc
        .iter()
        .filter(|k| k.submitted.is_some())
        .all(|k| k.is_accepted()));
}

#[tokio::test]
async fn a_rejected_requirement_is_sent_again_and_resubmitted() {
    let sb = util::sandbox().await;
    let client = util::client(&sb);
    let c = util::register(&client).await;
    util::send_documents(&client, &c, "ccmei-reject.pdf").await;
    let session = client
        .customers()
        .create_biometrics_session(&c.id)
        .await
        .unwrap();
    util::complete_biometrics(&session).await;
    client.customers().start_kyc_review(&c.id).await.unwrap();
    let back = util::wait_for(&client, &c.id, |c| c.status == CustomerStatus::PendingKyc).await;
    let ccmei = util::requirement(&back, R::CompanyDocument);
    assert!(ccmei.is_rejected());
    let reason = ccmei
        .submitted
        .as_ref()
        .unwrap()
        .review_reason
        .clone()
        .unwrap();
    assert!(reason.contains("ilegível"), "{reason}");
    assert_eq!(back.missing_for_review().len(), 1);
    // What was accepted stays accepted.
    assert!(util::requirement(&back, R::Selfie).is_accepted());

    let (_d, good) = util::file("ccmei.pdf", &util::pdf());
    let id = ccmei.requirement_id.clone();
    client
        .customers()
        .kyc_attachment(&c.id, target(&id, E::Ccmei, A::File))
        .file(&good)
        .send()
        .await
        .unwrap();
    let fixed = client.customers().get(&c.id).await.unwrap();
    assert!(fixed.can_start_review());
    client.customers().start_kyc_review(&c.id).await.unwrap();
    let done = util::wait_for(&client, &c.id, |c| c.status.is_final()).await;
    assert_eq!(done.status, CustomerStatus::Active);
}

#[tokio::test]
async fn a_deny_address_is_denied_at_review() {
    let sb = util::sandbox().await;
    let client = util::client(&sb);
    let c = util::register_with(&client, "dono+deny@example.com", Form::Eireli).await;
    let done = util::activate(&client, &c).await;
    assert_eq!(done.status, CustomerStatus::Denied);
    let page = client
        .customers()
        .credit_offers(&c.id)
        .send()
        .await
        .unwrap();
    assert!(page.data.is_empty());
}

#[tokio::test]
async fn a_co_owners_email_is_a_value_not_a_file() {
    let sb = util::sandbox().await;
    let client = util::client(&sb);
    let c = util::register_with(&client, "ltda@example.com", Form::Ltda).await;
    let email = util::requirement(&c, R::Email).requirement_id.clone();
    let (_d, pdf) = util::file("email.pdf", &util::pdf());
    let err = client
        .customers()
        .kyc_attachment(&c.id, target(&email, E::Email, A::Email))
        .file(&pdf)
        .known_kyc(&c.kyc)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidInput(InvalidInput::WrongEvidenceForm {
                expected: "a text value",
                ..
            })
        ),
        "{err:?}"
    );
    client
        .customers()
        .kyc_attachment(&c.id, target(&email, E::Email, A::Email))
        .value("socio@example.com")
        .known_kyc(&c.kyc)
        .send()
        .await
        .unwrap();
    let after = client.customers().get(&c.id).await.unwrap();
    assert!(after.requirement(&email).unwrap().is_complete());
    // The server checks the value as it checks a registration's e-mail.
    let other = util::requirement_of_subject(&after, R::Email, 1);
    let err = client
        .customers()
        .kyc_attachment(&c.id, target(&other, E::Email, A::Email))
        .value("not an e-mail")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        (err.status(), err.code()),
        (Some(422), Some("invalid_email"))
    );
}

#[tokio::test]
async fn local_checks_refuse_before_sending() {
    let sb = util::sandbox().await;
    let client = util::client(&sb);
    let c = util::register(&client).await;
    let identity = util::requirement(&c, R::Identity).requirement_id.clone();
    let selfie = util::requirement(&c, R::Selfie).requirement_id.clone();
    let upload = |t| {
        client
            .customers()
            .kyc_attachment(&c.id, t)
            .known_kyc(&c.kyc)
    };

    let (_d, text_as_png) = util::file("cnh.png", b"I am not an image at all");
    let err = upload(target(&identity, E::Cnh, A::File))
        .file(&text_as_png)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput(InvalidInput::UnsupportedContent { detected, .. }) if detected == "text"),
        "{err:?}"
    );
    let (_d, pdf) = util::file("doc.pdf", &util::pdf());
    match upload(target(
        "articles_of_association",
        E::ArticlesOfAssociation,
        A::File,
    ))
    .file(&pdf)
    .send()
    .await
    .unwrap_err()
    {
        Error::InvalidInput(InvalidInput::RequirementNotListed {
            requirement_id,
            listed,
        }) => {
            assert_eq!(requirement_id, "articles_of_association");
            assert_eq!(listed.len(), 4);
        }
        other => panic!("{other:?}"),
    }
    match upload(target(&identity, E::Rg, A::File))
        .file(&pdf)
        .send()
        .await
        .unwrap_err()
    {
        Error::InvalidInput(InvalidInput::EvidenceNotAccepted { accepted, .. }) => {
            assert_eq!(
                accepted,
                ["cnh/front", "cnh/back", "cnh/file", "rg/front", "rg/back"]
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        upload(target(&selfie, E::Selfie, A::Photo))
            .file(&pdf)
            .send()
            .await,
        Err(Error::InvalidInput(InvalidInput::SelfieOnlyByBiometrics))
    ));
    let (_d, empty) = util::file("cnh.pdf", b"");
    assert!(matches!(
        upload(target(&identity, E::Cnh, A::File))
            .file(&empty)
            .send()
            .await,
        Err(Error::InvalidInput(InvalidInput::EmptyFile { .. }))
    ));
    let missing = std::path::Path::new("/nonexistent/cnh.pdf");
    assert!(matches!(
        upload(target(&identity, E::Cnh, A::File))
            .file(missing)
            .send()
            .await,
        Err(Error::InvalidInput(InvalidInput::Unreadable { .. }))
    ));

    let small = util::client_with_upload_limit(&sb, 10);
    let err = small
        .customers()
        .kyc_attachment(&c.id, target(&identity, E::Cnh, A::File))
        .file(&pdf)
        .known_kyc(&c.kyc)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidInput(InvalidInput::TooLarge { limit: 10, .. })
        ),
        "{err:?}"
    );

    // Nothing reached the server.
    assert_eq!(sb.state().count("attachments").await.unwrap(), 0);
}

#[tokio::test]
async fn the_server_refuses_what_the_client_would_have() {
    let sb = util::sandbox_with(|c| c.max_upload_bytes = 1024).await;
    let client = util::client(&sb);
    let c = util::register(&client).await;
    let identity = util::requirement(&c, R::Identity).requirement_id.clone();
    let selfie = util::requirement(&c, R::Selfie).requirement_id.clone();
    let token = util::raw_token(&sb).await;
    let post = |req: &str,
                evidence: &'static str,
                attachment: &'static str,
                name: &'static str,
                bytes: Vec<u8>| {
        let form = reqwest::multipart::Form::new()
            .text("requirement_id", req.to_owned())
            .text("evidence_type", evidence)
            .text("attachment_type", attachment)
            .part(
                "file",
                reqwest::multipart::Part::bytes(bytes).file_name(name),
            );
        reqwest::Client::new()
            .post(format!(
                "{}/customers/{}/kyc-attachments",
                sb.base_url(),
                c.id
            ))
            .bearer_auth(&token)
            .multipart(form)
            .send()
    };
    let check = |resp: reqwest::Response, status: u16, code: &'static str| async move {
        assert_eq!(resp.status(), status);
        assert_eq!(resp.headers()["content-type"], "application/problem+json");
        let p: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(p["code"], code, "{p}");
    };
    check(
        post(&identity, "cnh", "file", "a.png", b"plain text".to_vec())
            .await
            .unwrap(),
        422,
        "invalid_file_type",
    )
    .await;
    check(
        post("ccmei_x", "ccmei", "file", "a.pdf", util::pdf())
            .await
            .unwrap(),
        422,
        "requirement_not_found",
    )
    .await;
    check(
        post(&identity, "rg", "file", "a.pdf", util::pdf())
            .await
            .unwrap(),
        422,
        "evidence_not_accepted",
    )
    .await;
    check(
        post(&selfie, "selfie", "photo", "a.jpg", util::pdf())
            .await
            .unwrap(),
        422,
        "selfie_via_biometrics",
    )
    .await;
    let mut big = util::pdf();
    big.resize(600 * 1024, b' ');
    check(
        post(&identity, "cnh", "file", "big.pdf", big)
            .await
            .unwrap(),
        413,
        "file_too_large",
    )
    .await;

    // And the client surfaces the 413 as an API error when its own limit is higher.
    let (_d, path) = util::file("big.pdf", &{
        let mut v = util::pdf();
        v.resize(4096, b' ');
        v
    });
    let err = client
        .customers()
        .kyc_attachment(&c.id, target(&identity, E::Cnh, A::File))
        .file(&path)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        (err.status(), err.code()),
        (Some(413), Some("file_too_large"))
    );
}

#[tokio::test]
async fn uploads_from_a_reader() {
    let sb = util::sandbox().await;
    let client = util::client(&sb);
    let c = util::register(&client).await;
    let identity = util::requirement(&c, R::Identity).requirement_id.clone();
    let receipt = client
        .customers()
        .kyc_attachment(&c.id, target(&identity, E::Cnh, A::Front))
        .reader(std::io::Cursor::new(util::png()), "cnh.png")
        .known_kyc(&c.kyc)
        .send()
        .await
        .unwrap();
    assert_eq!(receipt.attachment_type, A::Front);

    let small = util::client_with_upload_limit(&sb, 100 * 1024);
    let mut big = util::pdf();
    big.resize(1024 * 1024, b' ');
    let err = small
        .customers()
        .kyc_attachment(&c.id, target(&identity, E::Cnh, A::Back))
        .reader(std::io::Cursor::new(big), "big.pdf")
        .known_kyc(&c.kyc)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::InvalidInput(InvalidInput::TooLarge { .. })),
        "{err:?}"
    );
    let err = small
        .customers()
        .kyc_attachment(&c.id, target(&identity, E::Cnh, A::Back))
        .reader(std::io::Cursor::new(b"GIF89a....".to_vec()), "x.pdf")
        .known_kyc(&c.kyc)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidInput(InvalidInput::UnsupportedContent { .. })
        ),
        "{err:?}"
    );
}
