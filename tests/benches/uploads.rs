//! `make bench`: a 100 MiB document uploaded by the app (through its UI, streamed by the
//! `dinie` client) against `curl -F` sending the same file to the same sandbox
//! (`dinie-sandbox --max-upload-mb 200`), and against the `dinie` client alone (this process,
//! no window). A 64 KiB upload through the app gives what it adds whatever the size (the
//! checks before, the refetch after, the page), so its throughput beyond that is printed too.
//! The three take turns [`RUNS`] times, each upload to a customer of its own; medians are
//! reported, with the app's memory before and at the peak of its first upload.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use dinie_desk_e2e::{
    access_token, client_builder_for, client_for, measure, register, release_sandbox,
    requirement_of, write_large_pdf, App, Form,
};

const RUNS: usize = 5;

fn identity_of(c: &dinie::Customer) -> String {
    requirement_of(c, dinie::RequirementType::Identity)
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn range(xs: &[f64]) -> String {
    let min = xs.iter().copied().fold(f64::INFINITY, f64::min);
    let max = xs.iter().copied().fold(0.0, f64::max);
    format!("[{min:.3}..{max:.3}]")
}

/// One `curl -F` upload: seconds and peak memory (KiB).
fn curl(base: &str, token: &str, customer: &dinie::Customer, file: &Path) -> (f64, u64) {
    let out = Command::new("/usr/bin/time")
        .args(["-f", "%e %M", "curl", "-s", "-o", "/dev/null"])
        .args(["-w", "%{http_code} %{time_total}"])
        .arg("-H")
        .arg(format!("Authorization: Bearer {token}"))
        .arg("-F")
        .arg(format!("requirement_id={}", identity_of(customer)))
        .args([
            "-F",
            "evidence_type=cnh",
            "-F",
            "attachment_type=file",
            "-F",
        ])
        .arg(format!("file=@{};type=application/pdf", file.display()))
        .arg(format!("{base}/customers/{}/kyc-attachments", customer.id))
        .output()
        .unwrap();
    let answer = String::from_utf8_lossy(&out.stdout).to_string();
    let timing = String::from_utf8_lossy(&out.stderr).to_string();
    let mut answer = answer.split_whitespace();
    assert_eq!(answer.next(), Some("201"), "curl upload failed: {timing}");
    // curl's own clock (`time_total`, µs resolution) rather than time(1)'s 10 ms one.
    let secs = answer.next().and_then(|v| v.parse().ok()).unwrap_or(0.0);
    let kib = timing
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    (secs, kib)
}

/// The app uploads `file` for `customer`'s identity: seconds from the click on Send to the
/// requirement shown as submitted.
async fn app_upload(app: &App, customer: &dinie::Customer, file: &Path) -> f64 {
    let identity = identity_of(customer);
    app.click("#nav-customers").await;
    app.click(&format!(".customer-row[data-id='{}']", customer.id))
        .await;
    app.wait_for("#uploads").await;
    let files = app.pick(&[&file.display().to_string()]).await;
    let js = format!(
        r#"const done = arguments[0];
        import('./js/panels/documents.js').then(async (m) => {{
            await m.addFiles({files}, '{identity}');
            const send = document.querySelector('.upload .upload-send');
            if (!send) {{ done(document.querySelector('.upload')?.textContent ?? 'no upload row'); return; }}
            const t0 = performance.now();
            send.click();
            const wait = () => document.querySelector(".kyc-item[data-requirement='{identity}'][data-state='submitted']")
                ? done(performance.now() - t0) : setTimeout(wait, 1);
            wait();
        }}, (e) => done(String(e)));"#,
    );
    let outcome = app.script_async(&js).await;
    let ms = outcome
        .as_f64()
        .unwrap_or_else(|| panic!("the app did not send the file: {outcome}"));
    ms / 1000.0
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let (mut sandbox, base) =
        release_sandbox(&["--max-upload-mb", "200", "--review-delay-ms", "600000"]).await;
    let api = client_for(&base);
    // The limit the app sets for a sandbox on loopback that is not its own (it lets the server decide).
    let uploader = client_builder_for(&base)
        .max_upload_bytes(1 << 30)
        .build()
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cnh-100mb.pdf");
    write_large_pdf(&file, 100);
    let size = std::fs::metadata(&file).unwrap().len();
    let small = dir.path().join("cnh-small.pdf");
    std::fs::write(
        &small,
        [b"%PDF-1.4\n".as_slice(), &[b' '; 64 * 1024]].concat(),
    )
    .unwrap();
    let small_size = std::fs::metadata(&small).unwrap().len();
    let mut customers = Vec::new();
    for i in 0..4 * RUNS {
        customers.push(register(&api, Form::Mei, &format!("u{i}@example.com")).await);
    }
    let mut customers = customers.into_iter();

    // The app, as an agent would: a connection to that sandbox, the customer, the file.
    let app = App::launch().await;
    app.use_sandbox("Bench", &base).await;
    let pid = measure::app_process().expect("the app's process");
    let token = access_token(&base).await;

    // The three take turns (curl, the client, the app; again), so that the machine's ups and
    // downs fall on all three alike.
    let (mut curl_secs, mut client_secs) = (Vec::new(), Vec::new());
    let (mut app_secs, mut small_secs) = (Vec::new(), Vec::new());
    let (mut curl_kib, mut before_kib, mut peak_kib) = (0, 0, 0);
    for run in 0..RUNS {
        // curl -F, the reference.
        let (secs, kib) = curl(&base, &token, &customers.next().unwrap(), &file);
        curl_secs.push(secs);
        curl_kib = curl_kib.max(kib);

        // The dinie client alone, in this process: the app's upload without the app.
        let customer = customers.next().unwrap();
        let target = dinie::AttachmentTarget {
            requirement_id: identity_of(&customer),
            evidence_type: dinie::EvidenceType::Cnh,
            attachment_type: dinie::AttachmentType::File,
        };
        let started = Instant::now();
        uploader
            .customers()
            .kyc_attachment(&customer.id, target)
            .file(&file)
            .known_kyc(&customer.kyc)
            .send()
            .await
            .unwrap();
        client_secs.push(started.elapsed().as_secs_f64());

        // The app: from the click on Send to the requirement shown as submitted; and the same
        // for a small file, which is what the app adds whatever the size (the checks before,
        // the refetch after, the page).
        if run == 0 {
            before_kib = measure::status_kib(pid, "VmRSS:");
        }
        app_secs.push(app_upload(&app, &customers.next().unwrap(), &file).await);
        if run == 0 {
            // The peak of that one upload (VmHWM only grows: later screens would add theirs).
            peak_kib = measure::status_kib(pid, "VmHWM:");
        }
        small_secs.push(app_upload(&app, &customers.next().unwrap(), &small).await);
    }
    app.close().await;
    let _ = sandbox.kill();
    let _ = sandbox.wait();

    let mib = size as f64 / (1024.0 * 1024.0);
    let rate = |secs: f64| mib / secs.max(0.001);
    let (curl, client, desk) = (
        median(curl_secs.clone()),
        median(client_secs.clone()),
        median(app_secs.clone()),
    );
    println!("upload {mib:.0} MiB to a local sandbox, median of {RUNS} [min..max]:");
    println!(
        "  curl -F:          {curl:.3} s {}, {:.0} MiB/s, peak memory {:.1} MiB",
        range(&curl_secs),
        rate(curl),
        curl_kib as f64 / 1024.0
    );
    println!(
        "  dinie client:     {client:.3} s {}, {:.0} MiB/s, {:.2}x curl's throughput",
        range(&client_secs),
        rate(client),
        curl / client
    );
    println!(
        "  Dinie Desk:       {desk:.3} s {} from the click to the checklist updated, {:.0} MiB/s, {:.2}x curl's throughput (goal >= 0.8x)",
        range(&app_secs),
        rate(desk),
        curl / desk
    );
    let small = median(small_secs.clone());
    let beyond = (size - small_size) as f64 / (1024.0 * 1024.0) / (desk - small).max(0.001);
    println!(
        "  Dinie Desk, {:.0} KiB: {small:.3} s {}: what the app adds whatever the size (checks, refetch, page)",
        small_size as f64 / 1024.0,
        range(&small_secs),
    );
    println!(
        "  Dinie Desk beyond that: {beyond:.0} MiB/s, {:.2}x curl's throughput",
        beyond / rate(curl)
    );
    println!(
        "  app process memory: {:.1} MiB before, peak {:.1} MiB: +{:.1} MiB (goal <= +16)",
        before_kib as f64 / 1024.0,
        peak_kib as f64 / 1024.0,
        (peak_kib.saturating_sub(before_kib)) as f64 / 1024.0
    );
}
