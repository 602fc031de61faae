//! `make bench`: the local customer index answers a keystroke over 50,000 customers in under
//! 50 ms (the goal), typed as an agent types a name, an e-mail and a phone; and how long the
//! index of 50,000 takes to open from disk after a restart.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use dinie_desk::services::customer_index::{CustomerIndex, Entry};
use dinie_desk::services::customers::Need;
use dinie_desk::services::drafts::sealing::Sealer;

const CUSTOMERS: usize = 50_000;
const GOAL: Duration = Duration::from_millis(50);
const FIRST: [&str; 8] = [
    "Maria",
    "João",
    "Ana",
    "José",
    "Francisca",
    "Antônio",
    "Adriana",
    "Carlos",
];
const LAST: [&str; 8] = [
    "Silva",
    "Santos",
    "Oliveira",
    "Souza",
    "Rodrigues",
    "Ferreira",
    "Alves",
    "Pereira",
];

fn entry(i: usize) -> Entry {
    let name = format!("{} {} {} Ltda", FIRST[i % 8], LAST[(i / 8) % 8], i);
    Entry {
        id: format!("cust_{i:032x}"),
        email: format!("cliente{i}@example.com"),
        cpf: format!(
            "{:03}.{:03}.{:03}-{:02}",
            i % 1000,
            (i / 7) % 1000,
            (i / 13) % 1000,
            i % 97
        ),
        cnpj: format!(
            "{:02}.{:03}.{:03}/0001-{:02}",
            i % 100,
            i % 1000,
            (i / 3) % 1000,
            i % 89
        ),
        phone: format!("(11) 9{:04}-{:04}", i % 10_000, (i * 7) % 10_000),
        external_id: Some(format!("ERP-{i}")),
        status: "pending_kyc".into(),
        created_at: "2026-12-01T10:00:00+00:00".into(),
        updated_at: 1_796_000_000_000 + i as i64,
        needs: if i.is_multiple_of(3) {
            vec![Need::Biometrics]
        } else {
            Vec::new()
        },
        name,
    }
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let sealer = Sealer::from_key(&[5; 32]).unwrap();
    let index = CustomerIndex::new(dir.path().to_owned());
    let fill = Instant::now();
    index
        .upsert("bench", &sealer, (0..CUSTOMERS).map(entry).collect())
        .unwrap();
    println!(
        "index: {CUSTOMERS} customers sealed and stored in {:.1} s",
        fill.elapsed().as_secs_f64()
    );
    drop(index);

    let open = Instant::now();
    let index = CustomerIndex::new(dir.path().to_owned());
    let all = index.search("bench", &sealer, "").unwrap();
    assert_eq!(all.indexed, CUSTOMERS);
    println!(
        "index: opened from disk (a restart) in {} ms",
        open.elapsed().as_millis()
    );

    let mut worst = Duration::ZERO;
    let mut times = Vec::new();
    for typed in [
        "maria silva",
        "cliente4242@",
        "9 4242",
        "erp-31337",
        "joao pereira 1",
    ] {
        for end in 1..=typed.chars().count() {
            let text: String = typed.chars().take(end).collect();
            let t = Instant::now();
            let found = index.search("bench", &sealer, &text).unwrap();
            let took = t.elapsed();
            std::hint::black_box(found.total);
            times.push(took);
            worst = worst.max(took);
        }
    }
    let waiting = Instant::now();
    let work = index.worklist("bench", &sealer).unwrap();
    let worklist = waiting.elapsed();
    times.sort();
    let median = times[times.len() / 2];
    println!(
        "index: a keystroke over {CUSTOMERS} customers: median {:.1} ms, worst {:.1} ms of {} keystrokes (goal < {} ms: {}); worklist of {} in {:.1} ms",
        median.as_secs_f64() * 1e3,
        worst.as_secs_f64() * 1e3,
        times.len(),
        GOAL.as_millis(),
        if worst < GOAL { "holds" } else { "MISSED" },
        work.total,
        worklist.as_secs_f64() * 1e3,
    );
}
