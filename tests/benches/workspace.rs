//! `make bench`: the customer list in the real window, on 10,000 customers.
//!
//! Measures, in the page (performance.now), how long the list takes to show its first 100 rows
//! after Refresh, and how long it takes to scroll through all 10,000 (the pages of 100 loading
//! as it goes), with the longest frame seen and the most rows ever in the DOM.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use dinie_desk_e2e::{cpf, App};
use futures_util::stream::{self, StreamExt};

const CUSTOMERS: usize = 10_000;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let app = App::launch().await;
    let api = app.embedded_api().await;

    let seeding = Instant::now();
    stream::iter(0..CUSTOMERS)
        .for_each_concurrent(8, |i| {
            let api = api.clone();
            async move {
                api.customers()
                    .create(cpf(), dinie_desk_e2e::cnpj(dinie_desk_e2e::Form::Mei))
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
        "list: first 100 rows shown in {:.0} ms",
        first.as_f64().unwrap()
    );
    println!(
        "list: scrolled through {} customers in {:.0} ms ({} frames, longest frame {:.0} ms, at most {} rows in the DOM)",
        scroll["loaded"], scroll["ms"].as_f64().unwrap(), scroll["frames"], scroll["worst"].as_f64().unwrap(), scroll["maxRows"]
    );
    app.close().await;
}
