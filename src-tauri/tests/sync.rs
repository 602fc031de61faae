//! Sending drafts against a real sandbox over loopback: each way a run can stop between a
//! request and its record, and each refusal, ends with every borrower registered once.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use futures_util::StreamExt;

use dinie_desk::services::connection::Connection;
use dinie_desk::services::customers::RegistrationForm;
use dinie_desk::services::drafts::run::{self, Tried};
use dinie_desk::services::drafts::sealing::Sealer;
use dinie_desk::services::drafts::send::{self, Outcome};
use dinie_desk::services::drafts::{DocumentState, DraftState, DraftStore};
use dinie_desk::services::profiles::Profile;

struct World {
    sandbox: dinie_sandbox::Sandbox,
    conn: Connection,
    store: DraftStore,
    _dir: tempfile::TempDir,
}

async fn world() -> World {
    world_with(std::time::Duration::ZERO).await
}

/// A world whose sandbox keeps new customers `creating` for `lookup`.
async fn world_with(lookup: std::time::Duration) -> World {
    let sandbox = common::sandbox(lookup).await;
    let conn = common::connection(&sandbox.base_url());
    let dir = tempfile::tempdir().unwrap();
    let store = DraftStore::open(dir.path(), Sealer::from_key(&[9; 32]).unwrap()).unwrap();
    World {
        sandbox,
        conn,
        store,
        _dir: dir,
    }
}

/// A MEI's CNPJ, by the sandbox's rule.
fn mei_cnpj() -> String {
    dinie_sandbox::testing::example_cnpj(dinie_sandbox::LegalForm::Mei)
}

fn form(name: &str) -> RegistrationForm {
    loop {
        let body: [u8; 9] = std::array::from_fn(|_| fastrand::u8(0..10));
        if let Ok(cpf) = dinie::br::Cpf::from_body(body) {
            return RegistrationForm {
                cpf: cpf.to_string(),
                cnpj: Some(mei_cnpj()),
                name: name.into(),
                email: "maria@example.com".into(),
                phone: "(11) 98765-4321".into(),
                ..Default::default()
            };
        }
    }
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\nnot really pixels";

#[tokio::test]
async fn a_create_whose_answer_was_lost_is_not_repeated() {
    let w = world().await;
    let f = form("Maria Perdida");
    let draft = w.store.queue("d1", "embedded", &f).unwrap();
    // The create reached Dinie, then the app died before recording it.
    let mut checked = dinie_desk::services::customers::check_form(&f).unwrap();
    checked.external_id = Some("d1".into());
    dinie_desk::services::customers::register(&w.conn, &checked, &draft.idempotency_key())
        .await
        .unwrap();
    // Dinie replays its first answer to the key: the same customer, not a second one.
    let outcome = send::send(&w.conn, &w.store, "d1").await.unwrap();
    assert!(matches!(outcome, Outcome::Sent { .. }), "{outcome:?}");
    assert_eq!(w.sandbox.state().count("customers").await.unwrap(), 1);
    let sent = w.store.get("d1").unwrap();
    assert_eq!(sent.state, DraftState::Sent);
    let customer = w
        .conn
        .client()
        .customers()
        .get(&dinie::CustomerId::new(sent.customer_id.unwrap()))
        .await
        .unwrap();
    assert_eq!(
        customer.external_id.as_deref(),
        Some("d1"),
        "the draft id is the external id"
    );
}

#[tokio::test]
async fn an_upload_that_arrived_before_a_stop_is_not_sent_again() {
    let w = world().await;
    w.store.queue("d1", "embedded", &form("Joana")).unwrap();
    let cnh = w
        .store
        .attach("d1", "embedded", "cnh", "cnh.png", "png", PNG)
        .unwrap();
    let selfie = w
        .store
        .attach("d1", "embedded", "selfie", "selfie.png", "png", PNG)
        .unwrap();
    let other = w
        .store
        .attach("d1", "embedded", "ccmei", "ccmei.png", "png", PNG)
        .unwrap();
    // A first run creates the customer and stops while sending the CNH, which arrived.
    let draft = w.store.get("d1").unwrap();
    let mut checked = dinie_desk::services::customers::check_form(&draft.form).unwrap();
    checked.external_id = Some("d1".into());
    let customer =
        dinie_desk::services::customers::register(&w.conn, &checked, &draft.idempotency_key())
            .await
            .unwrap()
            .into_customer();
    w.store.record_created("d1", customer.id.as_str()).unwrap();
    w.store
        .document_state(&cnh.id, DocumentState::Uploading, None)
        .unwrap();
    let identity = customer
        .kyc
        .iter()
        .find(|k| k.requirement_type == dinie::RequirementType::Identity)
        .unwrap();
    w.conn
        .client()
        .customers()
        .kyc_attachment(
            &customer.id,
            dinie::AttachmentTarget {
                requirement_id: identity.requirement_id.clone(),
                evidence_type: dinie::EvidenceType::Cnh,
                attachment_type: dinie::AttachmentType::File,
            },
        )
        .reader(std::io::Cursor::new(PNG.to_vec()), "cnh.png")
        .send()
        .await
        .unwrap();

    // The next run sends the CCMEI only; the selfie of a draft of the previous release is
    // explained (the capture takes selfies now): attention.
    let outcome = send::send(&w.conn, &w.store, "d1").await.unwrap();
    let Outcome::Attention { problem, .. } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(problem.reason.code, "documents.refused", "{problem:?}");
    assert_eq!(w.sandbox.state().count("attachments").await.unwrap(), 2);
    assert_eq!(w.sandbox.state().count("customers").await.unwrap(), 1);
    let docs = w.store.get("d1").unwrap().documents;
    let state = |id: &str| docs.iter().find(|d| d.id == id).unwrap().state;
    assert_eq!(state(&cnh.id), DocumentState::Uploaded);
    assert_eq!(state(&other.id), DocumentState::Uploaded);
    assert!(docs.iter().any(|d| d
        .problem
        .as_ref()
        .is_some_and(|r| r.code == "document.selfie")));
    assert_eq!(state(&selfie.id), DocumentState::Refused);

    // The agent removes it and sends again: done, nothing sent twice.
    w.store.remove_document(&selfie.id).unwrap();
    let draft = w.store.get("d1").unwrap();
    w.store.queue("d1", "embedded", &draft.form).unwrap();
    let outcome = send::send(&w.conn, &w.store, "d1").await.unwrap();
    assert!(matches!(outcome, Outcome::Sent { .. }), "{outcome:?}");
    assert_eq!(w.sandbox.state().count("attachments").await.unwrap(), 2);
}

#[tokio::test]
async fn documents_wait_until_dinie_has_listed_the_requirements() {
    let w = world_with(std::time::Duration::from_millis(300)).await;
    w.store.queue("d1", "embedded", &form("Criando")).unwrap();
    let front = w
        .store
        .attach(
            "d1",
            "embedded",
            "identity_card_front",
            "rg frente.png",
            "png",
            PNG,
        )
        .unwrap();
    let outcome = send::send(&w.conn, &w.store, "d1").await.unwrap();
    assert!(
        matches!(outcome, Outcome::Registered { created: true, .. }),
        "{outcome:?}"
    );
    let d = w.store.get("d1").unwrap();
    assert_eq!(d.state, DraftState::Queued);
    assert!(d.customer_id.is_some());
    assert_eq!(w.sandbox.state().count("attachments").await.unwrap(), 0);

    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    let outcome = send::send(&w.conn, &w.store, "d1").await.unwrap();
    assert!(
        matches!(outcome, Outcome::Sent { created: false, .. }),
        "{outcome:?}"
    );
    let doc = w
        .store
        .get("d1")
        .unwrap()
        .documents
        .into_iter()
        .find(|x| x.id == front.id)
        .unwrap();
    assert_eq!(doc.state, DocumentState::Uploaded);
    assert_eq!(w.sandbox.state().count("attachments").await.unwrap(), 1);
    assert_eq!(w.sandbox.state().count("customers").await.unwrap(), 1);
}

#[tokio::test]
async fn a_conflict_needs_the_agent_and_a_fixed_draft_goes_out_under_a_new_key() {
    let w = world().await;
    let f = form("Repetida");
    let taken = dinie::br::Cpf::parse(&f.cpf).unwrap();
    w.conn
        .client()
        .customers()
        .create(taken.as_str(), mei_cnpj())
        .name("Antes")
        .email("a@example.com")
        .phone("+5511987654321")
        .external_id("ERP-1")
        .send()
        .await
        .unwrap();
    w.store.queue("d1", "embedded", &f).unwrap();
    let outcome = send::send(&w.conn, &w.store, "d1").await.unwrap();
    let Outcome::Attention { problem, .. } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(problem.code, "conflict");
    assert!(problem.customer_id.is_some());
    assert_eq!(w.store.get("d1").unwrap().state, DraftState::Attention);

    // Fixed (the ERP's id): Dinie had remembered the refused key's answer, so a new key is used.
    let fixed = RegistrationForm {
        external_id: Some("ERP-1".into()),
        ..f
    };
    w.store.queue("d1", "embedded", &fixed).unwrap();
    let outcome = send::send(&w.conn, &w.store, "d1").await.unwrap();
    assert!(
        matches!(outcome, Outcome::Sent { created: false, .. }),
        "{outcome:?}"
    );
    assert_eq!(w.sandbox.state().count("customers").await.unwrap(), 1);
}

#[tokio::test]
async fn no_answer_keeps_the_draft_waiting_and_a_server_error_backs_off() {
    let w = world().await;
    w.store.queue("d1", "embedded", &form("Sem Rede")).unwrap();
    // Nothing listens there any more.
    w.sandbox.shutdown().await;
    let outcome = send::send(&w.conn, &w.store, "d1").await.unwrap();
    assert!(matches!(outcome, Outcome::Offline(_)), "{outcome:?}");
    let d = w.store.get("d1").unwrap();
    assert_eq!((d.state, d.attempts), (DraftState::Queued, 0));
    assert_eq!(
        w.store
            .due("embedded", chrono::Utc::now().timestamp_millis())
            .unwrap(),
        ["d1"]
    );

    // A server that answers 500: retried later, not now.
    let broken = axum::Router::new().fallback(|| async {
        (
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            "{\"title\":\"boom\"}",
        )
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, broken).await.unwrap() });
    let client = dinie::Client::builder()
        .base_url(format!("http://{addr}/api/v3"))
        .credentials(
            dinie_sandbox::DEFAULT_CLIENT_ID,
            dinie_sandbox::DEFAULT_CLIENT_SECRET,
        )
        .max_retries(0)
        .build()
        .unwrap();
    let conn = Connection::new(Profile::embedded(), client);
    let outcome = send::send(&conn, &w.store, "d1").await.unwrap();
    assert!(matches!(outcome, Outcome::RetryLater(_)), "{outcome:?}");
    let d = w.store.get("d1").unwrap();
    assert_eq!((d.state, d.attempts), (DraftState::Queued, 1));
    assert!(d.next_attempt_at > chrono::Utc::now().timestamp_millis() + 4_000);
    assert!(w
        .store
        .due("embedded", chrono::Utc::now().timestamp_millis())
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn a_draft_that_completes_every_mandatory_requirement_is_submitted_for_review() {
    let w = world_with(std::time::Duration::from_millis(300)).await;
    w.store.queue("d1", "embedded", &form("Completa")).unwrap();
    w.store
        .attach("d1", "embedded", "cnh", "cnh.png", "png", PNG)
        .unwrap();
    w.store
        .attach("d1", "embedded", "ccmei", "ccmei.png", "png", PNG)
        .unwrap();
    let outcome = send::send(&w.conn, &w.store, "d1").await.unwrap();
    let Outcome::Registered { customer, .. } = outcome else {
        panic!("{outcome:?}")
    };
    // The borrower did the capture on the phone while Dinie looked the company up.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let session = w
        .conn
        .client()
        .customers()
        .create_biometrics_session(&customer.id)
        .await
        .unwrap();
    dinie_sandbox::testing::capture_selfies(&session.session_url)
        .await
        .unwrap();

    let outcome = send::send(&w.conn, &w.store, "d1").await.unwrap();
    assert!(
        matches!(
            outcome,
            Outcome::Sent {
                submitted_for_review: true,
                ..
            }
        ),
        "{outcome:?}"
    );
    let after = w.conn.client().customers().get(&customer.id).await.unwrap();
    assert_eq!(after.status, dinie::CustomerStatus::UnderReview);

    // Without the selfie, the customer waits for the agent (and the capture) instead.
    let w = world().await;
    w.store
        .queue("d2", "embedded", &form("Sem Selfie"))
        .unwrap();
    w.store
        .attach("d2", "embedded", "cnh", "cnh.png", "png", PNG)
        .unwrap();
    let outcome = send::send(&w.conn, &w.store, "d2").await.unwrap();
    assert!(
        matches!(
            outcome,
            Outcome::Sent {
                submitted_for_review: false,
                ..
            }
        ),
        "{outcome:?}"
    );
}

/// A sandbox, the app's connection to it, and `n` drafts queued for it in a store of their own.
struct Queued {
    sandbox: dinie_sandbox::Sandbox,
    conn: Arc<Connection>,
    store: Arc<DraftStore>,
    ids: Vec<String>,
    _dir: tempfile::TempDir,
}

async fn queued(n: usize) -> Queued {
    let sandbox = common::sandbox(std::time::Duration::ZERO).await;
    let conn = Arc::new(common::connection(&sandbox.base_url()));
    let dir = tempfile::tempdir().unwrap();
    let store = DraftStore::open(dir.path(), Sealer::from_key(&[9; 32]).unwrap()).unwrap();
    let ids: Vec<String> = (0..n).map(|i| format!("batch-{i}")).collect();
    for id in &ids {
        store.queue(id, "embedded", &form("Tomador")).unwrap();
    }
    Queued {
        sandbox,
        conn,
        store: Arc::new(store),
        ids,
        _dir: dir,
    }
}

/// A run's stop flag, not set.
fn go_on() -> Arc<AtomicBool> {
    Arc::new(AtomicBool::new(false))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_sends_every_due_draft_once_in_batches() {
    let Queued {
        sandbox,
        conn,
        store,
        ids,
        _dir,
    } = queued(40).await;
    let tried: Vec<Tried> = run::run(conn, store.clone(), ids.clone(), go_on())
        .collect()
        .await;
    assert_eq!(tried.len(), 40);
    assert!(
        tried
            .iter()
            .all(|t| matches!(t, Tried::Sent(Outcome::Sent { created: true, .. }))),
        "{tried:?}"
    );
    assert_eq!(sandbox.state().count("customers").await.unwrap(), 40);
    for id in &ids {
        assert_eq!(store.get(id).unwrap().state, DraftState::Sent);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_run_puts_back_what_it_had_marked_but_not_sent_and_the_next_sends_it_once() {
    let Queued {
        sandbox,
        conn,
        store,
        ids,
        _dir,
    } = queued(40).await;
    let stop = go_on();
    // The first answer stops the run, as the outbox loop does when the connection drops.
    let mut tries = Box::pin(run::run(
        conn.clone(),
        store.clone(),
        ids.clone(),
        stop.clone(),
    ));
    let mut sent = 0;
    let mut stopped = 0;
    while let Some(tried) = tries.next().await {
        match tried {
            Tried::Sent(Outcome::Sent { .. }) => sent += 1,
            Tried::Stopped => stopped += 1,
            other => panic!("{other:?}"),
        }
        stop.store(true, Ordering::SeqCst);
    }
    assert_eq!(sent + stopped, 40);
    assert!(
        (1..=run::CONCURRENCY).contains(&sent),
        "only the sends under way finished: {sent}"
    );
    assert_eq!(
        sandbox.state().count("customers").await.unwrap(),
        sent as i64
    );
    let mut waiting = Vec::new();
    for id in &ids {
        let d = store.get(id).unwrap();
        match d.state {
            DraftState::Sent => {}
            DraftState::Queued => {
                assert!(!d.create_unconfirmed, "{id}: nothing of it went");
                waiting.push(id.clone());
            }
            other => panic!("{id} left {other:?}"),
        }
    }
    assert_eq!(waiting.len(), stopped);
    // The agent may still change what never went.
    let mut changed = form("Tomador Corrigido");
    changed.email = "corrigido@example.com".into();
    store.save_form(&waiting[0], "embedded", &changed).unwrap();
    store.queue(&waiting[0], "embedded", &changed).unwrap();

    // The next run sends the rest: each borrower registered once.
    let due = store.due("embedded", i64::MAX).unwrap();
    assert_eq!(due.len(), stopped);
    let tried: Vec<Tried> = run::run(conn, store.clone(), due, go_on()).collect().await;
    assert!(
        tried
            .iter()
            .all(|t| matches!(t, Tried::Sent(Outcome::Sent { .. }))),
        "{tried:?}"
    );
    assert_eq!(sandbox.state().count("customers").await.unwrap(), 40);
}
