//! `make bench`: the customer list in the real window, on 10,000 customers.
//!
//! Measures, in the page (performance.now), how long the list takes to show its first 100 rows
//! after Refresh, and how long it takes to scroll through all 10,000 (the pages of 100 loading
//! as it goes), with the longest frame seen and the most rows ever in the DOM; then, from
//! `/proc`, the memory (Σ PSS of the app's process tree, and of its web process) idle, once
//! the 10,000 were seeded (into the embedded sandbox, in the app's process), once the list has
//! held them all, and after 10 customers' details were opened.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use dinie_desk_e2e::measure;
use dinie_desk_e2e::{cpf, App};
use futures_util::stream::{self, StreamExt};

const CUSTOMERS: usize = 10_000;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    // Seeding is the bench's business, not what it measures: the embedded sandbox takes the
    // 10,000 creates without holding them to Dinie's rate limit.
    std::env::set_var("DINIE_DESK_EMBEDDED_RATE_LIMIT", "1000000");
    let app = App::launch().await;
    let pid = measure::app_process().expect("the app's process");
    // The web process's heap holds garbage until its collector comes round, which makes one
    // reading a lottery (the same run read 142 and 195 MiB): each stage is read every 0.5 s
    // for 10 s, and the first and the lowest reading are printed.
    let memory = |stage: &'static str| async move {
        let read = || {
            (
                measure::tree_pss_mib(pid),
                measure::tree_pss_of(pid, "WebKitWebProces"),
                measure::pss_mib(pid),
            )
        };
        let first = read();
        let mut lowest = first;
        for _ in 0..20 {
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            let now = read();
            if now.0 < lowest.0 {
                lowest = now;
            }
        }
        println!(
            "memory, {stage}: Σ PSS {:.1} MiB (web process {:.1} MiB, app process {:.1} MiB); lowest over 10 s {:.1} MiB (web {:.1}, app {:.1})",
            first.0, first.1, first.2, lowest.0, lowest.1, lowest.2
        );
    };
    memory("idle").await;
    let api = app.embedded_api().await;

    // Random CPFs, each once (10,000 draws would otherwise repeat one now and then).
    let mut cpfs = std::collections::HashSet::new();
    while cpfs.len() < CUSTOMERS {
        cpfs.insert(cpf());
    }
    let seeding = Instant::now();
    stream::iter(cpfs.into_iter().enumerate())
        .for_each_concurrent(8, |(i, doc)| {
            let api = api.clone();
            async move {
                api.customers()
                    .create(doc, dinie_desk_e2e::cnpj(dinie_desk_e2e::Form::Mei))
                    .name(format!("Cliente {i:05}"))
                    .email("c@example.com")
                    .phone("+5511987654321")
                    .external_id(format!("bench-{i:05}"))
                    .send()
                    .await
                    .unwrap();
            }
        })
        .await;
    eprintln!(
        "seeded {CUSTOMERS} customers in {:.1} s",
        seeding.elapsed().as_secs_f64()
    );

    memory("seeded, the list not yet shown").await;
    // The API's own share of the first page: the same request straight to the sandbox.
    let mut api_ms: Vec<f64> = Vec::new();
    for _ in 0..5 {
        let t0 = Instant::now();
        api.customers().list().limit(100).send().await.unwrap();
        api_ms.push(t0.elapsed().as_secs_f64() * 1000.0);
    }
    api_ms.sort_by(f64::total_cmp);

    app.click("#nav-customers").await;
    app.wait_for("#customer-count[data-count='100']").await;

    // Time to first 100 rows: from the Refresh click to the rows being in the page.
    let first = app
        .script_async(
            r#"const done = arguments[0];
            const count = document.getElementById('customer-count');
            count.dataset.count = '0';
            const t0 = performance.now();
            document.getElementById('refresh-customers').click();
            const wait = () => {
                if (count.dataset.count === '100' && document.querySelector('.customer-row[data-id]')) {
                    requestAnimationFrame(() => done(performance.now() - t0));
                } else setTimeout(wait, 1);
            };
            wait();"#,
        )
        .await;

    // Scroll through everything, a screenful per frame, loading pages as they are reached.
    let scroll = app
        .script_async(
            &format!(r#"const done = arguments[0];
            const list = document.getElementById('customer-list');
            const count = document.getElementById('customer-count');
            const t0 = performance.now();
            let last = t0, worst = 0, maxRows = 0, frames = 0;
            const step = () => {{
                const now = performance.now();
                worst = Math.max(worst, now - last); last = now; frames++;
                maxRows = Math.max(maxRows, document.querySelectorAll('.customer-row[data-id]').length);
                list.scrollTop += list.clientHeight;
                const loaded = Number(count.dataset.count);
                const atEnd = list.scrollTop + list.clientHeight >= list.scrollHeight - 1;
                if (loaded >= {CUSTOMERS} && atEnd) done({{ ms: performance.now() - t0, worst, maxRows, frames, loaded }});
                else if (performance.now() - t0 > 240000) done({{ ms: -1, worst, maxRows, frames, loaded }});
                else requestAnimationFrame(step);
            }};
            requestAnimationFrame(step);"#),
        )
        .await;

    println!(
        "list: first 100 rows shown in {:.0} ms (the API's answer alone, from outside: {:.0} ms)",
        first.as_f64().unwrap(),
        api_ms[2]
    );
    println!(
        "list: scrolled through {} customers in {:.0} ms ({} frames, longest frame {:.0} ms, at most {} rows in the DOM)",
        scroll["loaded"], scroll["ms"].as_f64().unwrap(), scroll["frames"], scroll["worst"].as_f64().unwrap(), scroll["maxRows"]
    );
    tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    memory("the list has held 10,000 customers").await;

    // Ten details, back to the list after each.
    for i in 0..10 {
        // Clicked in the page: the virtual list may re-render a row between finding and
        // clicking it from outside.
        let clicked = app
            .script(&format!(
                "const rows = document.querySelectorAll('.customer-row[data-id]');\
                 const row = rows[{i} % rows.length]; row.click(); return row.dataset.id;"
            ))
            .await;
        assert!(clicked.is_string(), "no row to open: {clicked}");
        app.wait_for("#uploads").await;
        app.click("#nav-customers").await;
        app.wait_for(".customer-row[data-id]").await;
    }
    tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    memory("after 10 details were opened").await;
    app.close().await;
}
