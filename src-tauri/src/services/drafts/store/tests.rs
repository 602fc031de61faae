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
    let (sending, guard) = store.begin_send("d1", "p1").unwrap().unwrap();
    assert_eq!(sending.form.name, "Maria Souza");
    assert!(!sending.create_unconfirmed, "no earlier create to look up");
    assert!(
        store.begin_send("d1", "p1").unwrap().is_none(),
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
    let (resumed, guard) = store.begin_send("d1", "p1").unwrap().unwrap();
    assert_eq!(resumed.idempotency_key(), "d1");
    assert!(
        resumed.create_unconfirmed,
        "the first run's create may have gone (recorded with its start): looked up first"
    );
    store.record_created("d1", "cust_1").unwrap();
    let sent = store.finish("d1", None).unwrap();
    assert!(!sent.create_unconfirmed);
    drop(guard);
    assert_eq!(
        (sent.state, sent.customer_id.as_deref()),
        (DraftState::Sent, Some("cust_1"))
    );
    assert!(
        store.begin_send("d1", "p1").unwrap().is_none(),
        "a sent draft is not sent again"
    );
    assert_eq!(store.list().unwrap().drafts.len(), 2);
}

#[test]
fn a_refused_draft_gets_a_new_key_once_fixed_and_backs_off_on_failures() {
    let dir = tempfile::tempdir().unwrap();
    let store = DraftStore::open(dir.path(), sealer()).unwrap();
    store.queue("d1", "p", &form("1", "Maria")).unwrap();
    store.begin_send("d1", "p").unwrap();
    let problem = DraftProblem {
        code: "conflict".into(),
        reason: crate::services::reason::Reason::new(
            crate::services::reason::ReasonCode::CpfRegistered,
        ),
        fields: Default::default(),
        customer_id: None,
    };
    // Dinie refused the create (nothing registered), as the send records it.
    store.create_settled("d1").unwrap();
    let d = store.finish("d1", Some(problem.clone())).unwrap();
    assert_eq!(d.state, DraftState::Attention);
    assert_eq!(d.idempotency_key(), "d1.1");
    assert_eq!(store.get("d1").unwrap().problem, Some(problem));
    store.queue("d1", "p", &form("2", "Maria")).unwrap();
    store.begin_send("d1", "p").unwrap();
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
        .attach("d1", "p", "cnh", "cnh-joana.png", "png", &image)
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
fn drafts_of_a_lost_key_are_listed_apart_never_sent_and_can_be_discarded() {
    let dir = tempfile::tempdir().unwrap();
    let store = DraftStore::open(dir.path(), sealer()).unwrap();
    store.queue("old", "p", &form("1", "Maria")).unwrap();
    let image = b"\x89PNG\r\n\x1a\nold-key-pixels".to_vec();
    store
        .attach("old", "p", "cnh", "cnh.png", "png", &image)
        .unwrap();
    drop(store);

    // The keychain lost the key: a new one opens the store, which still works.
    let store = DraftStore::open(dir.path(), Sealer::from_key(&[1; 32]).unwrap()).unwrap();
    assert!(matches!(store.get("old"), Err(DraftError::OtherKey)));
    assert!(store.due("p", now_ms()).unwrap().is_empty(), "never sent");
    assert_eq!(
        store.counts("p").unwrap(),
        Counts {
            unreadable: 1,
            ..Default::default()
        }
    );
    store.queue("new", "p", &form("2", "Ana")).unwrap();
    let list = store.list().unwrap();
    assert_eq!(list.drafts.len(), 1, "one bad row never fails the list");
    assert_eq!(list.drafts[0].form.name, "Ana");
    assert_eq!(list.unreadable.len(), 1);
    assert_eq!(
        (list.unreadable[0].id.as_str(), list.unreadable[0].reason),
        ("old", Unreadable::OtherKey)
    );
    assert!(
        matches!(
            store.save_form("old", "p", &form("1", "x")),
            Err(DraftError::OtherKey)
        ),
        "never written over with the new key"
    );
    drop(store);

    // The old key comes back (the agent restored the keyring): the old draft opens, the
    // new one does not.
    let store = DraftStore::open(dir.path(), sealer()).unwrap();
    assert_eq!(store.get("old").unwrap().form.name, "Maria");
    assert!(matches!(store.get("new"), Err(DraftError::OtherKey)));
    drop(store);

    // With the new key again, the old one is discarded without being opened: row and file.
    let store = DraftStore::open(dir.path(), Sealer::from_key(&[1; 32]).unwrap()).unwrap();
    store.discard("old").unwrap();
    assert!(matches!(store.get("old"), Err(DraftError::NotFound)));
    assert_eq!(
        std::fs::read_dir(dir.path().join("blobs")).unwrap().count(),
        0
    );
    assert_eq!(store.counts("p").unwrap().unreadable, 0);
    assert_eq!(store.list().unwrap().drafts.len(), 1);
}

#[test]
fn a_damaged_row_is_listed_apart_and_counts_local_failures_until_attention() {
    let dir = tempfile::tempdir().unwrap();
    let store = DraftStore::open(dir.path(), sealer()).unwrap();
    store.queue("bad", "p", &form("1", "Maria")).unwrap();
    store.queue("good", "p", &form("2", "Ana")).unwrap();
    drop(store);
    let db = rusqlite::Connection::open(dir.path().join("drafts.db")).unwrap();
    db.execute(
        "UPDATE drafts SET sealed = x'00112233' WHERE id = 'bad'",
        [],
    )
    .unwrap();
    drop(db);
    let store = DraftStore::open(dir.path(), sealer()).unwrap();
    let list = store.list().unwrap();
    assert_eq!(list.drafts.len(), 1);
    assert_eq!(list.unreadable[0].reason, Unreadable::Damaged);
    // Each try backs off; the third leaves it to the agent, off the queue.
    for _ in 0..2 {
        assert!(store.begin_send("bad", "p").is_err());
        assert!(!store
            .due("p", now_ms())
            .unwrap()
            .contains(&"bad".to_owned()));
        assert!(store
            .due("p", now_ms() + 3_600_000)
            .unwrap()
            .contains(&"bad".to_owned()));
    }
    assert!(store.begin_send("bad", "p").is_err());
    assert!(!store
        .due("p", now_ms() + 3_600_000)
        .unwrap()
        .contains(&"bad".to_owned()));
    assert_eq!(store.counts("p").unwrap().attention, 1);
}

#[test]
fn a_missing_document_file_is_retried_a_few_times_then_needs_the_agent() {
    let dir = tempfile::tempdir().unwrap();
    let store = DraftStore::open(dir.path(), sealer()).unwrap();
    store.queue("d1", "p", &form("1", "Maria")).unwrap();
    let doc = store
        .attach("d1", "p", "cnh", "cnh.png", "png", b"\x89PNG\r\n\x1a\nx")
        .unwrap();
    std::fs::remove_file(dir.path().join(format!("blobs/{}.sealed", doc.id))).unwrap();
    let why = store.read_document(&doc.id).unwrap_err();
    assert!(matches!(why, DraftError::MissingFile), "{why:?}");
    assert_eq!(store.local_failure("d1", &why).unwrap(), DraftState::Queued);
    let d = store.get("d1").unwrap();
    assert!(d.next_attempt_at > now_ms() + 5_000, "backs off");
    assert_eq!(store.local_failure("d1", &why).unwrap(), DraftState::Queued);
    assert_eq!(
        store.local_failure("d1", &why).unwrap(),
        DraftState::Attention
    );
    let d = store.get("d1").unwrap();
    assert_eq!(d.problem.as_ref().unwrap().code, "local_file");
    assert!(store.due("p", i64::MAX).unwrap().is_empty());
    // The agent fixes it and queues again: the count starts over.
    store.remove_document(&doc.id).unwrap();
    let d = store.queue("d1", "p", &d.form).unwrap();
    assert_eq!((d.state, d.local_failures), (DraftState::Queued, 0));
}

#[test]
fn a_damaged_database_is_set_aside_and_a_new_one_started() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("drafts.db"),
        b"this is not SQLite at all, just bytes".repeat(200),
    )
    .unwrap();
    let store = DraftStore::open(dir.path(), sealer()).unwrap();
    let aside = store.set_aside().expect("set aside").to_path_buf();
    assert!(aside.exists(), "the damaged file is kept, renamed");
    assert!(aside
        .file_name()
        .unwrap()
        .to_string_lossy()
        .starts_with("drafts.db.corrupt-"));
    store.save_form("d1", "p", &form("1", "Maria")).unwrap();
    assert_eq!(store.list().unwrap().drafts.len(), 1);
    drop(store);
    let store = DraftStore::open(dir.path(), sealer()).unwrap();
    assert!(store.set_aside().is_none(), "only once");
}

#[test]
fn a_draft_is_only_sent_and_changed_on_its_own_connection_unless_moved() {
    let dir = tempfile::tempdir().unwrap();
    let store = DraftStore::open(dir.path(), sealer()).unwrap();
    store.queue("d1", "prod", &form("1", "Maria")).unwrap();
    assert!(store.due("sandbox", now_ms()).unwrap().is_empty());
    for result in [
        store.begin_send("d1", "sandbox").map(drop),
        store
            .queue_and_begin("d1", "sandbox", &form("1", "Maria"))
            .map(drop),
        store
            .save_form("d1", "sandbox", &form("1", "Maria"))
            .map(drop),
        store.queue("d1", "sandbox", &form("1", "Maria")).map(drop),
        store
            .attach("d1", "sandbox", "cnh", "a.png", "png", b"x")
            .map(drop),
    ] {
        assert!(
            matches!(&result, Err(DraftError::OtherConnection { profile_id }) if profile_id == "prod"),
            "{result:?}"
        );
    }
    assert_eq!(store.get("d1").unwrap().profile_id, "prod");
    // Moved on purpose: editing again under a new key, then it goes there.
    let moved = store.move_to("d1", "sandbox").unwrap();
    assert_eq!(
        (moved.profile_id.as_str(), moved.state),
        ("sandbox", DraftState::Editing)
    );
    assert_eq!(moved.idempotency_key(), "d1.1");
    store.queue("d1", "sandbox", &moved.form).unwrap();
    assert!(store.begin_send("d1", "sandbox").unwrap().is_some());
}

#[test]
fn after_a_create_went_unanswered_the_identity_is_frozen_and_moving_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = DraftStore::open(dir.path(), sealer()).unwrap();
    store
        .queue("d1", "p", &form("123.456.789-09", "Maria"))
        .unwrap();
    // Marked as being sent: the create may go from now on.
    let (sending, guard) = store.begin_send("d1", "p").unwrap().unwrap();
    assert!(!sending.create_unconfirmed, "no earlier create");
    drop(guard);
    store.requeue("d1").unwrap();
    assert!(store.get("d1").unwrap().create_unconfirmed);
    assert!(matches!(
        store.save_form("d1", "p", &form("987.654.321-00", "Maria")),
        Err(DraftError::IdentityFrozen)
    ));
    assert!(matches!(
        store.queue("d1", "p", &form("987.654.321-00", "Maria")),
        Err(DraftError::IdentityFrozen)
    ));
    // Other fields, and the same CPF typed another way, are fine.
    store
        .save_form("d1", "p", &form("12345678909", "Maria Souza"))
        .unwrap();
    assert!(store.move_to("d1", "other").is_err());
    store.create_settled("d1").unwrap();
    store
        .save_form("d1", "p", &form("987.654.321-00", "Maria"))
        .unwrap();
}

#[test]
fn a_sent_draft_keeps_only_a_stub_and_its_files_go() {
    let dir = tempfile::tempdir().unwrap();
    let store = DraftStore::open(dir.path(), sealer()).unwrap();
    store
        .queue("d1", "p", &form("123.456.789-09", "Maria Souza"))
        .unwrap();
    let cnh = store
        .attach("d1", "p", "cnh", "cnh.png", "png", b"\x89PNG\r\n\x1a\nA")
        .unwrap();
    let rg = store
        .attach("d1", "p", "rg", "rg.png", "png", b"\x89PNG\r\n\x1a\nB")
        .unwrap();
    store.record_created("d1", "cust_1").unwrap();
    store
        .document_state(&cnh.id, DocumentState::Uploaded, None)
        .unwrap();
    assert!(
        matches!(store.read_document(&cnh.id), Err(DraftError::MissingFile)),
        "gone once Dinie has it"
    );
    assert!(store.read_document(&rg.id).is_ok());
    store
        .document_state(&rg.id, DocumentState::Uploaded, None)
        .unwrap();
    let sent = store.finish("d1", None).unwrap();
    assert_eq!(sent.form.cpf, "***.456.789-**");
    assert_eq!(sent.form.name, "Maria Souza");
    assert!(sent.form.email.is_empty() && sent.form.phone.is_empty());
    assert_eq!(
        std::fs::read_dir(dir.path().join("blobs")).unwrap().count(),
        0
    );
    // Past the time sent drafts are kept, it goes at the next open.
    drop(store);
    let db = rusqlite::Connection::open(dir.path().join("drafts.db")).unwrap();
    let old = now_ms() - (SENT_KEPT_DAYS + 1) * 86_400_000;
    db.execute("UPDATE drafts SET updated_at = ?1", [old])
        .unwrap();
    drop(db);
    let store = DraftStore::open(dir.path(), sealer()).unwrap();
    assert!(matches!(store.get("d1"), Err(DraftError::NotFound)));
}

#[test]
fn a_discarded_draft_leaves_no_byte_of_it_in_the_database_files() {
    let dir = tempfile::tempdir().unwrap();
    let store = DraftStore::open(dir.path(), sealer()).unwrap();
    store.save_form("keep", "p", &form("1", "Ana")).unwrap();
    for i in 0..5 {
        store
            .save_form("gone", "p", &form("2", &format!("Maria {i}")))
            .unwrap();
    }
    let db = rusqlite::Connection::open(dir.path().join("drafts.db")).unwrap();
    let sealed: Vec<u8> = db
        .query_row("SELECT sealed FROM drafts WHERE id = 'gone'", [], |r| {
            r.get(0)
        })
        .unwrap();
    drop(db);
    let nonce = &sealed[..24];
    store.discard("gone").unwrap();
    for file in walk(dir.path()) {
        let bytes = std::fs::read(&file).unwrap();
        assert!(
            !bytes.windows(nonce.len()).any(|w| w == nonce),
            "{} still holds the discarded row",
            file.display()
        );
    }
    assert_eq!(store.list().unwrap().drafts.len(), 1);
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
        store.begin_send("d1", "p1").unwrap().is_none(),
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
    assert!(store.begin_send("d1", "p1").unwrap().is_none(), "sent once");
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

#[test]
fn a_batch_is_marked_as_being_sent_at_once_and_what_a_stopped_run_did_not_send_is_put_back() {
    let dir = tempfile::tempdir().unwrap();
    let store = DraftStore::open(dir.path(), sealer()).unwrap();
    for (id, cpf) in [("d1", "1"), ("d2", "2"), ("d4", "4"), ("bad", "5")] {
        store.queue(id, "p", &form(cpf, "Maria")).unwrap();
    }
    store.save_form("d3", "p", &form("3", "Ana")).unwrap();
    // d4's create went out in an earlier run that died before the answer.
    drop(store.begin_send("d4", "p").unwrap().unwrap());
    drop(store);
    let db = rusqlite::Connection::open(dir.path().join("drafts.db")).unwrap();
    db.execute("UPDATE drafts SET sealed = x'00' WHERE id = 'bad'", [])
        .unwrap();
    drop(db);
    let store = DraftStore::open(dir.path(), sealer()).unwrap();
    // d2 is being sent by another task of this process.
    let (_, d2_guard) = store.begin_send("d2", "p").unwrap().unwrap();

    let ids: Vec<String> = ["d1", "d2", "d3", "bad", "d4", "gone"]
        .map(String::from)
        .to_vec();
    let begun = store.begin_batch(&ids, "p").unwrap();
    assert_eq!(begun.len(), ids.len(), "one answer per id, in order");
    let mut begun = begun.into_iter();
    let (d1, d1_guard) = begun.next().unwrap().unwrap().unwrap();
    assert_eq!((d1.id.as_str(), d1.state), ("d1", DraftState::Sending));
    assert!(!d1.create_unconfirmed, "no earlier create");
    assert!(begun.next().unwrap().unwrap().is_none(), "d2 is in flight");
    assert!(begun.next().unwrap().unwrap().is_none(), "d3 is not queued");
    assert!(begun.next().unwrap().is_err(), "the damaged row");
    let (d4, d4_guard) = begun.next().unwrap().unwrap().unwrap();
    assert!(
        d4.create_unconfirmed,
        "d4's earlier create is to be looked up"
    );
    assert!(begun.next().unwrap().unwrap().is_none(), "no such draft");
    assert_eq!(store.get("d1").unwrap().state, DraftState::Sending);
    assert!(
        store.get("d1").unwrap().create_unconfirmed,
        "recorded as on its way"
    );
    assert!(
        store.begin_send("d1", "p").unwrap().is_none(),
        "held as in flight"
    );

    // The run stops before sending d1 and d4: they are back in the queue as they were.
    store.release_unsent(&d1).unwrap();
    store.release_unsent(&d4).unwrap();
    drop((d1_guard, d4_guard, d2_guard));
    let d1 = store.get("d1").unwrap();
    assert_eq!(
        (d1.state, d1.create_unconfirmed),
        (DraftState::Queued, false)
    );
    store
        .save_form("d1", "p", &form("11", "Maria"))
        .expect("nothing went: its CPF may change");
    let d4 = store.get("d4").unwrap();
    assert_eq!(
        (d4.state, d4.create_unconfirmed),
        (DraftState::Queued, true)
    );
    assert!(matches!(
        store.save_form("d4", "p", &form("44", "Maria")),
        Err(DraftError::IdentityFrozen)
    ));
    // The damaged one counted a local failure and waits a while (d2 was left being sent).
    assert_eq!(store.due("p", now_ms()).unwrap(), ["d2", "d4"]);
    assert!(store
        .due("p", now_ms() + 3_600_000)
        .unwrap()
        .contains(&"bad".to_owned()));
}
