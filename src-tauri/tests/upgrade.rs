//! Drafts written by earlier releases open in this one with every field and file, and go out
//! exactly once. Both fixtures are sealed with the key `[7; 32]`:
//! - `fixtures/drafts-previous-release/`: format 0 (no version), drafts with and without a
//!   CNPJ, a trading name, a CNH and a selfie attached;
//! - `fixtures/drafts-v1/`: format 1, written by the release of 2026-12-01 (the V3 contract):
//!   a queued draft with a CNH, one being edited, one in attention of another connection
//!   (`p_prod`) and one sent.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use dinie_desk::services::connection::Connection;
use dinie_desk::services::drafts::sealing::Sealer;
use dinie_desk::services::drafts::send::{self, Outcome};
use dinie_desk::services::drafts::{
    DocumentState, DraftError, DraftState, DraftStore, SCHEMA_VERSION,
};

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn fixture(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    copy_dir(&fixture, dir.path());
    dir
}

fn previous_release() -> tempfile::TempDir {
    fixture("drafts-previous-release")
}

/// A sandbox that lists requirements at once, and the app's connection to it.
async fn sandbox_connection() -> (dinie_sandbox::Sandbox, Connection) {
    let sandbox = common::sandbox(std::time::Duration::ZERO).await;
    let conn = common::connection(&sandbox.base_url());
    (sandbox, conn)
}

fn version(dir: &std::path::Path) -> i64 {
    rusqlite::Connection::open(dir.join("drafts.db"))
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap()
}

#[tokio::test]
async fn drafts_of_the_previous_release_open_whole_and_are_sent_once() {
    let dir = previous_release();
    assert_eq!(
        version(dir.path()),
        0,
        "the fixture is of the unversioned format"
    );
    let store = DraftStore::open(dir.path(), Sealer::from_key(&[7; 32]).unwrap()).unwrap();
    assert_eq!(version(dir.path()), SCHEMA_VERSION, "migrated");

    // Every field and file is there.
    let full = store.get("draft-with-cnpj").unwrap();
    assert_eq!(full.form.name, "Açaí da Conceição");
    assert_eq!(full.form.trading_name.as_deref(), Some("Açaí do João"));
    assert_eq!(full.form.external_id.as_deref(), Some("ERP-77"));
    assert_eq!(full.state, DraftState::Queued);
    let kinds: Vec<_> = full.documents.iter().map(|d| d.doc_type.as_str()).collect();
    assert_eq!(kinds, ["cnh", "selfie"]);
    assert!(store
        .read_document(&full.documents[0].id)
        .unwrap()
        .ends_with(b"PREVIOUS-RELEASE-CNH"));
    let bare = store.get("draft-without-cnpj").unwrap();
    assert_eq!(bare.form.cnpj, None);

    // Sent to a sandbox: the CNH goes to the applicant's identity, the selfie is explained.
    let (sandbox, conn) = sandbox_connection().await;
    let outcome = send::send(&conn, &store, "draft-with-cnpj").await.unwrap();
    let Outcome::Attention { problem, .. } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(problem.reason.code, "documents.refused", "{problem:?}");
    let docs = store.get("draft-with-cnpj").unwrap().documents;
    assert_eq!(docs[0].state, DocumentState::Uploaded);
    assert_eq!(docs[1].state, DocumentState::Refused);
    assert_eq!(
        docs[1].problem.as_ref().map(|r| r.code.as_str()),
        Some("document.selfie"),
        "the capture takes selfies now"
    );
    assert_eq!(sandbox.state().count("attachments").await.unwrap(), 1);

    // A draft without a CNPJ asks for one, with nothing sent.
    let outcome = send::send(&conn, &store, "draft-without-cnpj")
        .await
        .unwrap();
    let Outcome::Attention { problem, .. } = outcome else {
        panic!("{outcome:?}")
    };
    assert!(problem.fields.contains_key("cnpj"), "{problem:?}");

    // The agent removes the selfie and sends again: done, nobody registered twice.
    store.remove_document(&docs[1].id).unwrap();
    let draft = store.get("draft-with-cnpj").unwrap();
    store
        .queue("draft-with-cnpj", "embedded", &draft.form)
        .unwrap();
    let outcome = send::send(&conn, &store, "draft-with-cnpj").await.unwrap();
    assert!(
        matches!(outcome, Outcome::Sent { created: false, .. }),
        "{outcome:?}"
    );
    assert_eq!(sandbox.state().count("customers").await.unwrap(), 1);
    assert_eq!(sandbox.state().count("attachments").await.unwrap(), 1);

    // Opening again changes nothing.
    drop(store);
    let again = DraftStore::open(dir.path(), Sealer::from_key(&[7; 32]).unwrap()).unwrap();
    assert_eq!(
        again.get("draft-with-cnpj").unwrap().state,
        DraftState::Sent
    );
}

#[test]
fn a_database_of_a_newer_release_is_refused_not_misread() {
    let dir = previous_release();
    rusqlite::Connection::open(dir.path().join("drafts.db"))
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    let err = DraftStore::open(dir.path(), Sealer::from_key(&[7; 32]).unwrap()).unwrap_err();
    assert!(
        matches!(err, DraftError::NewerFormat { found: 99, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("newer version"));
}

#[tokio::test]
async fn drafts_of_format_1_open_whole_keep_their_connection_and_are_sent_once() {
    let dir = fixture("drafts-v1");
    assert_eq!(version(dir.path()), 1);
    let store = DraftStore::open(dir.path(), Sealer::from_key(&[7; 32]).unwrap()).unwrap();
    assert_eq!(version(dir.path()), SCHEMA_VERSION, "migrated");

    let list = store.list().unwrap();
    assert!(
        list.unreadable.is_empty(),
        "its key adopts every row: {:?}",
        list.unreadable
    );
    assert_eq!(list.drafts.len(), 4);
    let queued = store.get("v1-queued").unwrap();
    assert_eq!(
        (
            queued.form.name.as_str(),
            queued.form.cpf.as_str(),
            queued.state
        ),
        ("João Fila", "529.982.247-25", DraftState::Queued)
    );
    assert!(!queued.create_unconfirmed);
    assert!(store
        .read_document(&queued.documents[0].id)
        .unwrap()
        .ends_with(b"V1-RELEASE-CNH"));
    assert_eq!(store.get("v1-editing").unwrap().state, DraftState::Editing);
    let attention = store.get("v1-attention").unwrap();
    assert_eq!(attention.profile_id, "p_prod");
    let problem = attention.problem.unwrap();
    assert_eq!(problem.code, "conflict");
    // Format 2 stored English sentences: they read as legacy reasons, kept word for word.
    assert_eq!(problem.reason.code, "legacy", "{problem:?}");
    assert!(!problem.reason.vars["text"].is_empty());
    assert!(problem.fields.values().all(|r| r.code == "legacy"));
    assert_eq!(
        store.get("v1-sent").unwrap().customer_id.as_deref(),
        Some("cust_fedcba9876543210fedcba9876543210")
    );
    assert_eq!(store.due("embedded", i64::MAX).unwrap(), ["v1-queued"]);
    assert!(store.due("p_prod", i64::MAX).unwrap().is_empty());

    // Sent: registered once, its CNH goes once, and the file is erased after.
    let (sandbox, conn) = sandbox_connection().await;
    let outcome = send::send(&conn, &store, "v1-queued").await.unwrap();
    assert!(
        matches!(outcome, Outcome::Sent { created: true, .. }),
        "{outcome:?}"
    );
    assert_eq!(sandbox.state().count("customers").await.unwrap(), 1);
    assert_eq!(sandbox.state().count("attachments").await.unwrap(), 1);
    assert!(matches!(
        store.read_document(&queued.documents[0].id),
        Err(DraftError::MissingFile)
    ));
    let outcome = send::send(&conn, &store, "v1-queued").await.unwrap();
    assert!(matches!(outcome, Outcome::NotWaiting), "{outcome:?}");
    assert_eq!(sandbox.state().count("customers").await.unwrap(), 1);
}
