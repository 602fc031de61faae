//! The local customer index against a real sandbox: found by name, e-mail, phone, CNPJ and CPF;
//! refreshed incrementally (only what changed since the newest it has); sealed at rest; what
//! waits on the agent; readable offline and after a restart.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use dinie_desk::services::customer_index::CustomerIndex;
use dinie_desk::services::customers::Need;
use dinie_desk::services::drafts::sealing::Sealer;

fn sealer() -> Sealer {
    Sealer::from_key(&[9; 32]).unwrap()
}

#[tokio::test]
async fn the_index_finds_by_any_field_refreshes_what_changed_and_works_offline() {
    let sandbox = common::sandbox(Duration::ZERO).await;
    let conn = common::connection(&sandbox.base_url());
    let api = conn.client();
    let people = [
        (
            "José da Conceição",
            "jose.conceicao@example.com",
            "+5511987650001",
        ),
        ("Maria Souza", "maria@example.com", "+5521912340002"),
        ("Ana Lima", "ana.lima@example.com", "+5531955550003"),
    ];
    let mut made = Vec::new();
    for (name, email, phone) in people {
        let c = api
            .customers()
            .create(new_cpf(), "11222333000181")
            .name(name)
            .email(email)
            .phone(phone)
            .send()
            .await
            .unwrap();
        made.push(c.customer().clone());
    }
    for i in 0..20 {
        api.customers()
            .create(new_cpf(), "11222333000181")
            .name(format!("Cliente {i}"))
            .email(format!("c{i}@example.com"))
            .phone("+5511987654321")
            .send()
            .await
            .unwrap();
    }
    // A marker a second later: the newest change the first refresh sees.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    api.customers()
        .create(new_cpf(), "11222333000181")
        .name("Marcador")
        .email("marcador@example.com")
        .phone("+5511987654321")
        .send()
        .await
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let index = CustomerIndex::new(dir.path().to_owned());
    assert_eq!(index.refresh(&conn, &sealer()).await.unwrap(), 24);
    let profile = conn.profile().id.clone();
    let find = |text: &str| {
        index
            .search(&profile, &sealer(), text)
            .unwrap()
            .customers
            .into_iter()
            .map(|e| e.name)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        find("jose conceicao"),
        ["José da Conceição"],
        "accents and case fold"
    );
    assert_eq!(find("maria@"), ["Maria Souza"]);
    assert_eq!(find("95555"), ["Ana Lima"], "by phone digits");
    let masked = dinie::br::Cpf::parse(&made[1].cpf).unwrap().to_string();
    assert_eq!(find(&masked), ["Maria Souza"], "by CPF, masked");
    assert_eq!(find("11.222.333").len(), 24, "by CNPJ");
    assert!(find("ninguém").is_empty());

    // What waits on the agent: nothing was sent for anyone yet.
    let waiting = index.worklist(&profile, &sealer()).unwrap();
    assert_eq!(waiting.total, 24);
    assert!(waiting
        .customers
        .iter()
        .all(|e| e.needs.contains(&Need::Biometrics)
            && e.needs.iter().any(|n| matches!(n, Need::Missing { .. }))));

    // A change a second later: the next refresh reads it, and only what is as new as the
    // newest it had (the marker), not the twenty-four again.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    api.customers()
        .update(&made[2].id)
        .email("ana.nova@example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(index.refresh(&conn, &sealer()).await.unwrap(), 2);
    assert_eq!(find("ana.nova"), ["Ana Lima"]);
    assert!(find("ana.lima@").is_empty(), "the old e-mail is gone");

    // Sealed at rest: no name, e-mail or CPF in the file.
    drop(index);
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(dir.path()).unwrap().flatten() {
        bytes.extend(std::fs::read(entry.path()).unwrap());
    }
    for secret in [
        "Conceição",
        "Souza",
        "maria@example.com",
        made[1].cpf.as_str(),
    ] {
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "{secret} is in the index's files"
        );
    }

    // Offline, after a restart: the index still answers.
    sandbox.shutdown().await;
    let index = CustomerIndex::new(dir.path().to_owned());
    let found = index.search(&profile, &sealer(), "souza").unwrap();
    assert_eq!(found.customers.len(), 1);
    assert!(found.refreshed_at.is_some());
    assert!(index.refresh(&conn, &sealer()).await.is_err(), "offline");
    assert_eq!(index.search(&profile, &sealer(), "").unwrap().indexed, 24);
    // Another key (the keychain lost it) opens nothing, and fails nothing.
    let other = Sealer::from_key(&[1; 32]).unwrap();
    let index = CustomerIndex::new(dir.path().to_owned());
    assert_eq!(index.search(&profile, &other, "").unwrap().indexed, 0);
}

/// The details last opened: kept sealed (another key, or an entry's bytes, open nothing), at
/// most `MAX_DETAILS` a connection, none older than `DETAIL_DAYS`, gone with the connection;
/// and an index written by the previous release (format 1, no details) keeps its entries.
#[test]
fn details_are_kept_sealed_bounded_and_forgotten_and_a_format_1_index_is_migrated() {
    use dinie_desk::services::customer_index::{DETAIL_DAYS, INDEX_VERSION, MAX_DETAILS};

    let dir = tempfile::tempdir().unwrap();
    // The previous release's file: its schema, one entry sealed as it sealed them.
    {
        let db = rusqlite::Connection::open(dir.path().join("customer-index.db")).unwrap();
        db.execute_batch(
            "CREATE TABLE entries (profile_id TEXT NOT NULL, id TEXT NOT NULL, updated_at INTEGER NOT NULL,
                 sealed BLOB NOT NULL, PRIMARY KEY (profile_id, id));
             CREATE TABLE refreshes (profile_id TEXT PRIMARY KEY, newest INTEGER NOT NULL, refreshed_at INTEGER NOT NULL);
             PRAGMA user_version = 1;",
        )
        .unwrap();
        let entry = serde_json::json!({
            "id": "cus_1", "name": "Velha Entrada", "cpf": "529.***.***-25", "cnpj": "11222333000181",
            "email": "velha@example.com", "phone": "+5511987654321", "externalId": null,
            "status": "pending_kyc", "createdAt": "2026-11-01T10:00:00Z", "updatedAt": 2, "needs": []
        });
        let sealed = sealer().seal("index:p1:cus_1", entry.to_string().as_bytes());
        db.execute(
            "INSERT INTO entries VALUES ('p1', 'cus_1', 2, ?1)",
            rusqlite::params![sealed],
        )
        .unwrap();
    }
    let index = CustomerIndex::new(dir.path().to_owned());
    let found = index.search("p1", &sealer(), "velha").unwrap();
    assert_eq!(found.customers.len(), 1, "format 1's entries survive");
    assert_eq!(index.last_detail("p1", &sealer(), "cus_1").unwrap(), None);

    let view = br#"{"detail":{"id":"cus_1","name":"Velha Entrada"},"timeline":[]}"#;
    index.keep_detail("p1", &sealer(), "cus_1", view).unwrap();
    let (kept, seen_at) = index
        .last_detail("p1", &sealer(), "cus_1")
        .unwrap()
        .unwrap();
    assert_eq!(kept, view);
    assert!(seen_at > 0);
    let other = Sealer::from_key(&[1; 32]).unwrap();
    assert_eq!(index.last_detail("p1", &other, "cus_1").unwrap(), None);
    assert_eq!(index.last_detail("p2", &sealer(), "cus_1").unwrap(), None);

    // Bounded: the oldest go past MAX_DETAILS; one seen too long ago is not answered.
    for i in 0..MAX_DETAILS + 5 {
        index
            .keep_detail("p1", &sealer(), &format!("cus_n{i}"), b"{}")
            .unwrap();
    }
    drop(index);
    let db = rusqlite::Connection::open(dir.path().join("customer-index.db")).unwrap();
    let version: i64 = db
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, INDEX_VERSION);
    let count = |db: &rusqlite::Connection| -> usize {
        db.query_row(
            "SELECT COUNT(*) FROM details WHERE profile_id = 'p1'",
            [],
            |r| r.get::<_, i64>(0),
        )
        .unwrap() as usize
    };
    assert_eq!(count(&db), MAX_DETAILS);
    let old = chrono::Utc::now().timestamp_millis() - (DETAIL_DAYS + 1) * 86_400_000;
    db.execute(
        "UPDATE details SET seen_at = ?1 WHERE id = 'cus_n300'",
        [old],
    )
    .unwrap();
    // No detail or name in clear.
    let bytes = std::fs::read(dir.path().join("customer-index.db")).unwrap();
    assert!(!bytes.windows(5).any(|w| w == b"Velha"));
    drop(db);
    let index = CustomerIndex::new(dir.path().to_owned());
    assert_eq!(
        index.last_detail("p1", &sealer(), "cus_n300").unwrap(),
        None,
        "too old"
    );
    assert!(index
        .last_detail("p1", &sealer(), "cus_n301")
        .unwrap()
        .is_some());

    // A deleted connection's details go with it.
    index.forget("p1").unwrap();
    assert_eq!(
        index.last_detail("p1", &sealer(), "cus_n301").unwrap(),
        None
    );
}

/// A valid CPF.
fn new_cpf() -> String {
    let body: Vec<u32> = (0..9).map(|_| fastrand::u32(0..10)).collect();
    let digit = |digits: &[u32]| {
        let n = digits.len() as u32 + 1;
        let sum: u32 = digits.iter().zip((2..=n).rev()).map(|(d, w)| d * w).sum();
        match sum % 11 {
            r if r < 2 => 0,
            r => 11 - r,
        }
    };
    let mut all = body.clone();
    all.push(digit(&all));
    all.push(digit(&all));
    all.iter().map(|d| d.to_string()).collect()
}
