//! Drafts through real faults on loopback: a [`FaultProxy`] between the app's client and a real
//! sandbox drops the answer to a create that reached it; drafts made for one connection meet
//! another. Each ends with every borrower registered once, on the right connection, as typed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use dinie_desk::services::connection::Connection;
use dinie_desk::services::customers::RegistrationForm;
use dinie_desk::services::drafts::sealing::Sealer;
use dinie_desk::services::drafts::send::{self, Outcome};
use dinie_desk::services::drafts::{DraftError, DraftState, DraftStore};
use dinie_desk::services::profiles::Profile;
use dinie_sandbox::testing::{Fault, FaultProxy};

async fn sandbox() -> dinie_sandbox::Sandbox {
    common::sandbox(Duration::ZERO).await
}

/// A connection to `base_url` whose requests give up after `timeout`.
fn connection(base_url: &str, timeout: Duration) -> Connection {
    let client = dinie::Client::builder()
        .base_url(base_url)
        .credentials(
            dinie_sandbox::DEFAULT_CLIENT_ID,
            dinie_sandbox::DEFAULT_CLIENT_SECRET,
        )
        .timeout(timeout)
        .backoff_base(Duration::from_millis(50))
        .build()
        .unwrap();
    Connection::new(Profile::embedded(), client)
}

fn store(dir: &tempfile::TempDir) -> DraftStore {
    DraftStore::open(dir.path(), Sealer::from_key(&[5; 32]).unwrap()).unwrap()
}

fn form(cpf: &str) -> RegistrationForm {
    RegistrationForm {
        cpf: cpf.into(),
        cnpj: Some(dinie_sandbox::testing::example_cnpj(
            dinie_sandbox::LegalForm::Mei,
        )),
        name: "Maria Campo".into(),
        email: "maria@example.com".into(),
        phone: "(11) 98765-4321".into(),
        ..Default::default()
    }
}

fn random_cpf() -> String {
    loop {
        let body: [u8; 9] = std::array::from_fn(|_| fastrand::u8(0..10));
        if let Ok(cpf) = dinie::br::Cpf::from_body(body) {
            return cpf.to_string();
        }
    }
}

#[tokio::test]
async fn an_edit_after_a_create_whose_answer_was_lost_cannot_register_a_second_person() {
    let sandbox = sandbox().await;
    let proxy = FaultProxy::start(sandbox.addr()).await.unwrap();
    let conn = connection(&proxy.url_for(&sandbox.base_url()), Duration::from_secs(2));
    // A token first, while answers come back.
    conn.client()
        .customers()
        .list()
        .limit(1)
        .send()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir);
    let typed = random_cpf();
    store.queue("d1", "embedded", &form(&typed)).unwrap();

    // The create reaches Dinie; its answer never comes back.
    proxy.set(Fault::DropAnswers);
    let outcome = send::send(&conn, &store, "d1").await.unwrap();
    assert!(matches!(outcome, Outcome::Offline(_)), "{outcome:?}");
    assert_eq!(sandbox.state().count("customers").await.unwrap(), 1);
    let waiting = store.get("d1").unwrap();
    assert!(waiting.create_unconfirmed);
    assert_eq!(waiting.state, DraftState::Queued);

    // The agent "fixes" the CPF: refused, the fields are frozen until Dinie is asked.
    let other = random_cpf();
    for result in [
        store.save_form("d1", "embedded", &form(&other)).map(drop),
        store.queue("d1", "embedded", &form(&other)).map(drop),
    ] {
        assert!(
            matches!(result, Err(DraftError::IdentityFrozen)),
            "{result:?}"
        );
    }
    // Other fields may change.
    let mut renamed = form(&typed);
    renamed.cnpj = waiting.form.cnpj.clone();
    renamed.name = "Maria do Campo".into();
    store.queue("d1", "embedded", &renamed).unwrap();

    // Answers come back: the next send finds the registration by its external id.
    proxy.set(Fault::None);
    let outcome = send::send(&conn, &store, "d1").await.unwrap();
    assert!(
        matches!(outcome, Outcome::Sent { created: false, .. }),
        "{outcome:?}"
    );
    assert_eq!(
        sandbox.state().count("customers").await.unwrap(),
        1,
        "one borrower"
    );
    let sent = store.get("d1").unwrap();
    assert!(!sent.create_unconfirmed);
    let customer = conn
        .client()
        .customers()
        .get(&dinie::CustomerId::new(sent.customer_id.unwrap()))
        .await
        .unwrap();
    assert_eq!(
        customer.cpf,
        dinie::br::Cpf::parse(&typed).unwrap().as_str()
    );
}

/// A draft whose form the checks refuse sends nothing: the create marked as on its way when the
/// send began is settled again, so the agent may fix the CPF.
#[tokio::test]
async fn a_draft_the_checks_refuse_sends_nothing_and_its_cpf_can_be_fixed() {
    let sandbox = sandbox().await;
    let conn = connection(&sandbox.base_url(), Duration::from_secs(10));
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir);
    // Saved by a release whose checks let this CPF through.
    store
        .queue("d4", "embedded", &form("111.111.111-11"))
        .unwrap();

    let outcome = send::send(&conn, &store, "d4").await.unwrap();
    let Outcome::Attention { problem, .. } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(problem.code, "validation");
    assert_eq!(sandbox.state().count("customers").await.unwrap(), 0);
    let refused = store.get("d4").unwrap();
    assert_eq!(refused.state, DraftState::Attention);
    assert!(!refused.create_unconfirmed, "nothing went");
    store
        .save_form("d4", "embedded", &form(&random_cpf()))
        .unwrap();
}

/// `mark_sent` does not wait for the disk: a power cut may lose it. The draft is then found as
/// the cut left it, being sent with its create unconfirmed (recorded, synced, when the send
/// began), and the next run records the customer Dinie has without registering anyone again.
#[tokio::test]
async fn a_sent_record_lost_to_a_power_cut_is_recovered_and_nobody_is_registered_twice() {
    let sandbox = sandbox().await;
    let conn = connection(&sandbox.base_url(), Duration::from_secs(10));
    let dir = tempfile::tempdir().unwrap();
    let typed = random_cpf();
    {
        let store = store(&dir);
        store.queue("d3", "embedded", &form(&typed)).unwrap();
        // The send begins, its create is answered, and the power goes before "sent" is on disk.
        let (draft, _in_flight) = store.begin_send("d3", "embedded").unwrap().unwrap();
        let checked = dinie_desk::services::customers::check_form(&draft.form).unwrap();
        let mut sent = checked;
        sent.external_id = Some("d3".into());
        dinie_desk::services::customers::register(&conn, &sent, &draft.idempotency_key())
            .await
            .unwrap();
    }
    let store = store(&dir);
    let found = store.get("d3").unwrap();
    assert_eq!(
        (found.state, found.create_unconfirmed),
        (DraftState::Sending, true)
    );

    let outcome = send::send(&conn, &store, "d3").await.unwrap();
    assert!(
        matches!(outcome, Outcome::Sent { created: false, .. }),
        "{outcome:?}"
    );
    assert_eq!(sandbox.state().count("customers").await.unwrap(), 1);
    let sent = store.get("d3").unwrap();
    assert_eq!(sent.state, DraftState::Sent);
    assert!(!sent.create_unconfirmed && sent.customer_id.is_some());
    // Sending it once more does nothing.
    assert!(matches!(
        send::send(&conn, &store, "d3").await.unwrap(),
        Outcome::NotWaiting
    ));
}

#[tokio::test]
async fn a_registration_dinie_has_with_another_cpf_puts_the_draft_in_attention() {
    let sandbox = sandbox().await;
    let conn = connection(&sandbox.base_url(), Duration::from_secs(10));
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir);
    // An earlier send, with a CPF typo, reached Dinie under the draft's external id.
    let first = random_cpf();
    let mut sent_before = dinie_desk::services::customers::check_form(&form(&first)).unwrap();
    sent_before.external_id = Some("d2".into());
    dinie_desk::services::customers::register(&conn, &sent_before, "earlier-key")
        .await
        .unwrap();
    let fixed = random_cpf();
    store.queue("d2", "embedded", &form(&fixed)).unwrap();
    // That send's create went unanswered: marked as being sent, then queued again.
    drop(store.begin_send("d2", "embedded").unwrap());
    store.requeue("d2").unwrap();

    let outcome = send::send(&conn, &store, "d2").await.unwrap();
    let Outcome::Attention { problem, .. } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(problem.code, "identity_mismatch");
    let masked = dinie::br::Cpf::parse(&first).unwrap().to_string();
    assert_eq!(problem.reason.vars["cpf"], masked, "{problem:?}");
    assert!(problem.customer_id.is_some());
    assert_eq!(
        sandbox.state().count("customers").await.unwrap(),
        1,
        "nobody else registered"
    );
    let d = store.get("d2").unwrap();
    assert_eq!(d.state, DraftState::Attention);
    assert!(d.customer_id.is_none(), "not linked to the wrong person");
}

#[tokio::test]
async fn a_draft_of_another_connection_is_never_sent_over_the_current_one() {
    let sandbox = sandbox().await;
    let conn = connection(&sandbox.base_url(), Duration::from_secs(10));
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir);
    // Drafted offline for production; the agent is now on the embedded sandbox.
    store
        .queue("prod-draft", "p_prod", &form(&random_cpf()))
        .unwrap();
    assert!(store.due("embedded", i64::MAX).unwrap().is_empty());
    let err = send::send(&conn, &store, "prod-draft").await.unwrap_err();
    assert!(
        matches!(&err, DraftError::OtherConnection { profile_id } if profile_id == "p_prod"),
        "{err:?}"
    );
    assert!(err.to_string().contains("p_prod"), "{err}");
    assert_eq!(sandbox.state().count("customers").await.unwrap(), 0);
    assert_eq!(store.get("prod-draft").unwrap().state, DraftState::Queued);

    // Moved on purpose, it goes here, once.
    let moved = store.move_to("prod-draft", "embedded").unwrap();
    store.queue("prod-draft", "embedded", &moved.form).unwrap();
    let outcome = send::send(&conn, &store, "prod-draft").await.unwrap();
    assert!(
        matches!(outcome, Outcome::Sent { created: true, .. }),
        "{outcome:?}"
    );
    assert_eq!(sandbox.state().count("customers").await.unwrap(), 1);
}

#[tokio::test]
async fn a_large_document_over_a_slow_uplink_arrives_once() {
    const SIZE: usize = 10_000_000;
    const RATE: u64 = 200_000;
    let sandbox = sandbox().await;
    let proxy = FaultProxy::start(sandbox.addr()).await.unwrap();
    proxy.set_rate(RATE);
    proxy.set(Fault::SlowUplink);
    // The app's own client, with its own timeouts.
    let conn = common::connection(&proxy.url_for(&sandbox.base_url()));
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir);
    store.queue("d1", "embedded", &form(&random_cpf())).unwrap();
    let mut pdf = b"%PDF-1.7\n".to_vec();
    pdf.resize(SIZE, b'0');
    store
        .attach("d1", "embedded", "cnh", "cnh-scan.pdf", "pdf", &pdf)
        .unwrap();

    let started = std::time::Instant::now();
    let mut outcome = send::send(&conn, &store, "d1").await.unwrap();
    // Dinie may still be looking the company up: the document goes on the next send.
    while matches!(outcome, Outcome::Registered { .. }) {
        tokio::time::sleep(Duration::from_millis(200)).await;
        outcome = send::send(&conn, &store, "d1").await.unwrap();
    }
    let took = started.elapsed();
    assert!(matches!(outcome, Outcome::Sent { .. }), "{outcome:?}");
    let ideal = Duration::from_secs_f64(SIZE as f64 / RATE as f64);
    assert!(
        took < ideal.mul_f64(1.5),
        "took {took:?} for {ideal:?} of bytes"
    );
    let carried = proxy.bytes_up();
    assert!(
        carried <= (SIZE as f64 * 1.1) as u64,
        "the proxy carried {carried} bytes for a {SIZE}-byte file: sent more than once"
    );
    assert_eq!(sandbox.state().count("attachments").await.unwrap(), 1);
    assert!(conn.is_online(), "a slow link is not offline");
}

#[tokio::test]
async fn an_upload_that_keeps_timing_out_waits_for_the_agent_and_is_not_offline() {
    let sandbox = sandbox().await;
    let proxy = FaultProxy::start(sandbox.addr()).await.unwrap();
    // A crawling uplink, 2 kB/s: small requests pass, a 64 KB document needs 32 s, more than
    // its size is given with a 2 s timeout (2 s + 4 s).
    proxy.set_rate(2_000);
    proxy.set(Fault::SlowUplink);
    let conn = connection(&proxy.url_for(&sandbox.base_url()), Duration::from_secs(2));
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir);
    store.queue("d1", "embedded", &form(&random_cpf())).unwrap();
    let mut pdf = b"%PDF-1.7\n".to_vec();
    pdf.resize(64 * 1024, b'0');
    let doc = store
        .attach("d1", "embedded", "cnh", "cnh.pdf", "pdf", &pdf)
        .unwrap();
    let mut timeouts = 0;
    let outcome = loop {
        match send::send(&conn, &store, "d1").await.unwrap() {
            Outcome::Registered { .. } => tokio::time::sleep(Duration::from_millis(200)).await,
            Outcome::RetryLater(dinie::Error::Timeout { .. }) => {
                timeouts += 1;
                assert!(conn.is_online(), "a slow upload is not offline");
                let d = store.get("d1").unwrap();
                assert!(
                    d.next_attempt_at > chrono::Utc::now().timestamp_millis(),
                    "backs off"
                );
            }
            other => break other,
        }
    };
    let Outcome::Attention { problem, .. } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(
        timeouts, 2,
        "two timeouts are retried later, the third gives up"
    );
    assert_eq!(problem.code, "slow_link");
    assert_eq!(problem.reason.code, "documents.refused", "{problem:?}");
    let d = store.get("d1").unwrap();
    assert_eq!(d.state, DraftState::Attention);
    let refused = d.documents.iter().find(|x| x.id == doc.id).unwrap();
    assert_eq!(
        refused.state,
        dinie_desk::services::drafts::DocumentState::Refused
    );
    assert_eq!(
        refused.problem.as_ref().map(|r| r.code.as_str()),
        Some("document.too_slow")
    );
    assert!(conn.is_online());
    assert_eq!(sandbox.state().count("customers").await.unwrap(), 1);
}
