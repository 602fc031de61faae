use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use dinie::{Error, InvalidInput};

use crate::util;

#[tokio::test]
async fn png_and_pdf_are_streamed_then_reviewed() {
    let sb = util::sandbox().await;
    let client = util::client(&sb);
    let c = util::register(&client).await;
    let (_d1, png) = util::file("selfie.png", &util::png());
    let (_d2, pdf) = util::file("cnh.pdf", &util::pdf());

    let sent = Arc::new(AtomicU64::new(0));
    let seen = sent.clone();
    let doc = client
        .customers()
        .upload_document(&c.id, "selfie")
        .file(&png)
        .known_kyc(&c.kyc)
        .on_progress(move |p| {
            assert_eq!(p.total, Some(util::png().len() as u64));
            seen.store(p.sent, Ordering::SeqCst);
        })
        .send()
        .await
        .unwrap();
    assert_eq!(doc.doc_type, "selfie");
    assert_eq!(doc.status.as_str(), "submitted");
    assert!(doc.id.as_str().starts_with("doc_"));
    assert_eq!(sent.load(Ordering::SeqCst), util::png().len() as u64);

    // Without known_kyc the client fetches the customer to check the type.
    client
        .customers()
        .upload_document(&c.id, "cnh")
        .file(&pdf)
        .send()
        .await
        .unwrap();
    let after = client.customers().get(&c.id).await.unwrap();
    assert_eq!(util::item_status(&after, "cnh"), "submitted");
    assert!(after.kyc_item("cnh").unwrap().uploaded_at.is_some());

    let reviewed = util::wait_for(&client, &c.id, |c| {
        util::item_status(c, "cnh") == "approved"
    })
    .await;
    assert_eq!(util::item_status(&reviewed, "selfie"), "approved");
    assert_eq!(sb.state().count("documents").await.unwrap(), 2);
}

#[tokio::test]
async fn a_reject_file_is_rejected_with_a_message_and_can_be_resent() {
    let sb = util::sandbox().await;
    let client = util::client(&sb);
    let c = util::register(&client).await;
    let (_d, bad) = util::file("cnh-reject.jpg", &[0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 4]);
    client
        .customers()
        .upload_document(&c.id, "cnh")
        .file(&bad)
        .send()
        .await
        .unwrap();
    let rejected = util::wait_for(&client, &c.id, |c| {
        util::item_status(c, "cnh") == "rejected"
    })
    .await;
    assert!(rejected
        .kyc_item("cnh")
        .unwrap()
        .message
        .as_deref()
        .unwrap()
        .contains("ilegível"));

    let (_d, good) = util::file("cnh.jpg", &[0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 4]);
    client
        .customers()
        .upload_document(&c.id, "cnh")
        .file(&good)
        .send()
        .await
        .unwrap();
    let approved = util::wait_for(&client, &c.id, |c| {
        util::item_status(c, "cnh") == "approved"
    })
    .await;
    assert!(approved.kyc_item("cnh").unwrap().message.is_none());
}

#[tokio::test]
async fn local_checks_refuse_before_sending() {
    let sb = util::sandbox().await;
    let client = util::client(&sb);
    let c = util::register(&client).await;
    let upload = |t: &'static str| {
        client
            .customers()
            .upload_document(&c.id, t)
            .known_kyc(&c.kyc)
    };

    let (_d, text_as_png) = util::file("selfie.png", b"I am not an image at all");
    let err = upload("selfie")
        .file(&text_as_png)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput(InvalidInput::UnsupportedContent { detected, .. }) if detected == "text"),
        "{err:?}"
    );
    let (_d, pdf) = util::file("ccmei.pdf", &util::pdf());
    let err = upload("ccmei").file(&pdf).send().await.unwrap_err();
    match err {
        Error::InvalidInput(InvalidInput::DocumentTypeNotRequired { doc_type, needed }) => {
            assert_eq!(doc_type, "ccmei");
            assert_eq!(needed, ["cnh", "selfie"]);
        }
        other => panic!("{other:?}"),
    }
    let (_d, empty) = util::file("cnh.pdf", b"");
    assert!(matches!(
        upload("cnh").file(&empty).send().await,
        Err(Error::InvalidInput(InvalidInput::EmptyFile { .. }))
    ));
    let missing = std::path::Path::new("/nonexistent/cnh.pdf");
    assert!(matches!(
        upload("cnh").file(missing).send().await,
        Err(Error::InvalidInput(InvalidInput::Unreadable { .. }))
    ));

    let small = util::client_with_upload_limit(&sb, 10);
    let err = small
        .customers()
        .upload_document(&c.id, "cnh")
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
    assert_eq!(sb.state().count("documents").await.unwrap(), 0);
}

#[tokio::test]
async fn the_server_refuses_what_the_client_would_have() {
    let sb = util::sandbox_with(|c| c.max_upload_bytes = 1024).await;
    let client = util::client(&sb);
    let c = util::register(&client).await;
    let token = util::raw_token(&sb).await;
    let post = |doc_type: &'static str, name: &'static str, bytes: Vec<u8>| {
        let form = reqwest::multipart::Form::new().text("type", doc_type).part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name),
        );
        reqwest::Client::new()
            .post(format!("{}/customers/{}/documents", sb.base_url(), c.id))
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
        post("selfie", "a.png", b"plain text".to_vec())
            .await
            .unwrap(),
        422,
        "invalid_file_type",
    )
    .await;
    check(
        post("ccmei", "a.pdf", util::pdf()).await.unwrap(),
        422,
        "document_type_not_required",
    )
    .await;
    let mut big = util::pdf();
    big.resize(600 * 1024, b' ');
    check(
        post("cnh", "big.pdf", big).await.unwrap(),
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
        .upload_document(&c.id, "cnh")
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
    let doc = client
        .customers()
        .upload_document(&c.id, "selfie")
        .reader(std::io::Cursor::new(util::png()), "selfie.png")
        .known_kyc(&c.kyc)
        .send()
        .await
        .unwrap();
    assert_eq!(doc.doc_type, "selfie");

    let small = util::client_with_upload_limit(&sb, 100 * 1024);
    let mut big = util::pdf();
    big.resize(1024 * 1024, b' ');
    let err = small
        .customers()
        .upload_document(&c.id, "cnh")
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
        .upload_document(&c.id, "cnh")
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
