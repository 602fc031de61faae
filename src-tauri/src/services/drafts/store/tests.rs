use super::*;

fn sealer() -> Sealer {
    Sealer::from_key(&[42; 32]).unwrap()
}

fn form(cpf: &str, name: &str) -> RegistrationForm {
    RegistrationForm {
        cpf: cpf.into(),
        name: name.into(),
        email: "maria@example.com".into(),
        phone: "(11) 98765-4321".into(),
        ..Default::default()
    }
}

#[test]
fn drafts_move_through_their_states_and_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let store = DraftStore::open(dir.path(), sealer()).unwrap();
    let d = store
        .save_form("d1", "p1", &form("123.456.789-09", "Maria"))
        .unwrap();
    assert_eq!(d.state, DraftState::Editing);
    store
        .queue("d1", "p1", &form("123.456.789-09", "Maria Souza"))
        .unwrap();
    store.save_form("d2", "p2", &form("", "")).unwrap();
    assert_eq!(
        store.counts("p1").unwrap(),
        Counts {
            waiting: 1,
            ..Default::default()
        }
    );
    assert_eq!(store.due("p1", now_ms()).unwrap(), ["d1"]);
    assert!(
        store.due("p2", now_ms()).unwrap().is_empty(),
        "only queued drafts"
    );

    // A run starts the create, and the app dies: on the next start it is due again.
    let (sending, guard) = store.begin_send("d1").unwrap().unwrap();
    assert_eq!(sending.form.name, "Maria Souza");
    assert!(
        store.begin_send("d1").unwrap().is_none(),
        "one sender at a time"
    );
    assert!(matches!(
        store.save_form("d1", "p1", &form("1", "x")),
        Err(DraftError::Locked(_))
    ));
    drop(guard);
    drop(store);
    let store = DraftStore::open(dir.path(), sealer()).unwrap();
    assert_eq!(store.due("p1", now_ms()).unwrap(), ["d1"]);
    let (resumed, guard) = store.begin_send("d1").unwrap().unwrap();
    assert_eq!(resumed.idempotency_key(), "d1");
    store.record_created("d1", "cust_1").unwrap();
    let sent = store.finish("d1", None).unwrap();
    drop(guard);
    assert_eq!(
        (sent.state, sent.customer_id.as_deref()),
        (DraftState::Sent, Some("cust_1"))
    );
    assert!(
        store.begin_send("d1").unwrap().is_none(),
        "a sent draft is not sent again"
    );
    assert_eq!(store.list().unwrap().len(), 2);
}

#[test]
fn a_refused_draft_gets_a_new_key_once_fixed_and_backs_off_on_failures() {
    let dir = tempfile::tempdir().unwrap();
    let store = DraftStore::open(dir.path(), sealer()).unwrap();
    store.queue("d1", "p", &form("1", "Maria")).unwrap();
    store.begin_send("d1").unwrap();
    let problem = DraftProblem {
        code: "conflict".into(),
        message: "already registered".into(),
        ..Default::default()
    };
    let d = store.finish("d1", Some(problem.clone())).unwrap();
    assert_eq!(d.state, DraftState::Attention);
    assert_eq!(d.idempotency_key(), "d1.1");
    assert_eq!(store.get("d1").unwrap().problem, Some(problem));
    store.queue("d1", "p", &form("2", "Maria")).unwrap();
    store.begin_send("d1").unwrap();
    let later = now_ms() + 60_000;
    let d = store.retry_at("d1", later).unwrap();
    assert_eq!((d.state, d.attempts), (DraftState::Queued, 1));
    assert!(store.due("p", now_ms()).unwrap().is_empty());
    assert_eq!(store.next_due_at("p").unwrap(), Some(later));
    assert_eq!(store.due("p", later).unwrap(), ["d1"]);
}

#[test]
fn documents_are_sealed_and_discarding_erases_them() {
    let dir = tempfile::tempdir().unwrap();
    let store = DraftStore::open(dir.path(), sealer()).unwrap();
    store
        .save_form("d1", "p", &form("12345678909", "Joana Conceição"))
        .unwrap();
    let image = b"\x89PNG\r\n\x1a\n-pixels-of-an-identity-card-".repeat(20);
    let doc = store
        .attach("d1", "cnh", "cnh-joana.png", "png", &image)
        .unwrap();
    assert_eq!(store.read_document(&doc.id).unwrap(), image);
    assert_eq!(store.get("d1").unwrap().documents[0].name, "cnh-joana.png");

    // Nothing personal in clear in any file of the folder (database, WAL, blobs).
    for entry in walk(dir.path()) {
        let bytes = std::fs::read(&entry).unwrap();
        for needle in [
            &b"12345678909"[..],
            b"Joana",
            b"cnh-joana",
            b"pixels-of-an-identity",
        ] {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle),
                "{} holds {:?} in clear",
                entry.display(),
                String::from_utf8_lossy(needle)
            );
        }
    }

    // A file left by a crash before its row was written is removed on the next open.
    std::fs::write(dir.path().join("blobs/stray.sealed"), b"x").unwrap();
    drop(store);
    let store = DraftStore::open(dir.path(), sealer()).unwrap();
    assert!(!dir.path().join("blobs/stray.sealed").exists());
    assert_eq!(
        std::fs::read_dir(dir.path().join("blobs")).unwrap().count(),
        1
    );

    store.discard("d1").unwrap();
    assert_eq!(
        std::fs::read_dir(dir.path().join("blobs")).unwrap().count(),
        0
    );
    assert!(matches!(store.get("d1"), Err(DraftError::NotFound)));
}

#[test]
fn another_key_cannot_read_the_drafts() {
    let dir = tempfile::tempdir().unwrap();
    let store = DraftStore::open(dir.path(), sealer()).unwrap();
    store.save_form("d1", "p", &form("1", "Maria")).unwrap();
    drop(store);
    let other = DraftStore::open(dir.path(), Sealer::from_key(&[1; 32]).unwrap()).unwrap();
    assert!(matches!(other.get("d1"), Err(DraftError::Seal(_))));
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn sending_now_queues_and_begins_in_one_step() {
    let dir = tempfile::tempdir().unwrap();
    let store = DraftStore::open(dir.path(), sealer()).unwrap();
    let (draft, guard) = store
        .queue_and_begin("d1", "p1", &form("123.456.789-09", "Maria"))
        .unwrap();
    assert_eq!(
        (draft.state, draft.form.name.as_str()),
        (DraftState::Sending, "Maria")
    );
    assert!(
        store.begin_send("d1").unwrap().is_none(),
        "the worker keeps off it"
    );
    assert!(matches!(
        store.queue_and_begin("d1", "p1", &form("123.456.789-09", "Maria")),
        Err(DraftError::Locked(_))
    ));
    drop(guard);
    // Not finished (the app stopped): the worker resumes it.
    assert_eq!(store.due("p1", now_ms()).unwrap(), ["d1"]);
    let sent = store.finish("d1", None).unwrap();
    assert!(matches!(
        store.queue_and_begin("d1", "p1", &sent.form),
        Err(DraftError::Locked(_))
    ));
    assert!(store.begin_send("d1").unwrap().is_none(), "sent once");
}

#[cfg(unix)]
#[test]
fn the_drafts_folders_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let drafts = dir.path().join("data/drafts");
    let _store = DraftStore::open(&drafts, sealer()).unwrap();
    for d in [drafts.clone(), drafts.join("blobs")] {
        let mode = std::fs::metadata(&d).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700, "{}", d.display());
    }
}
