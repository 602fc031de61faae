//! `make bench`: a 100 MB document uploaded by the app (through its UI, streamed by the
//! `dinie` client) against `curl -F` sending the same file to the same sandbox
//! (`dinie-sandbox --max-upload-mb 200`). Reports throughput and peak memory of both.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use dinie_desk_e2e::{access_token, client_for, measure, release_sandbox, App};

const SIZE: u64 = 100 * 1024 * 1024;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let (mut sandbox, base) =
        release_sandbox(&["--max-upload-mb", "200", "--review-delay-ms", "600000"]).await;
    let api = client_for(&base);

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cnh-100mb.pdf");
    {
        use std::io::Write;
        let mut f = std::fs::File::create(&file).unwrap();
        f.write_all(b"%PDF-1.4\n").unwrap();
        let block = vec![b' '; 1 << 20];
        for _ in 0..100 {
            f.write_all(&block).unwrap();
        }
    }
    let size = std::fs::metadata(&file).unwrap().len();

    // curl -F, the reference.
    let for_curl = dinie_desk_e2e::register(&api, dinie_desk_e2e::Form::Mei, "c@example.com").await;
    let identity_of = |c: &dinie::Customer| {
        c.kyc
            .iter()
            .find(|k| k.requirement_type == dinie::RequirementType::Identity)
            .unwrap()
            .requirement_id
            .clone()
    };
    let token = access_token(&base).await;
    let out = Command::new("/usr/bin/time")
        .args([
            "-f",
            "%e %M",
            "curl",
            "-s",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
        ])
        .arg("-H")
        .arg(format!("Authorization: Bearer {}", token))
        .arg("-F")
        .arg(format!("requirement_id={}", identity_of(&for_curl)))
        .args([
            "-F",
            "evidence_type=cnh",
            "-F",
            "attachment_type=file",
            "-F",
        ])
        .arg(format!("file=@{};type=application/pdf", file.display()))
        .arg(format!("{base}/customers/{}/kyc-attachments", for_curl.id))
        .output()
        .unwrap();
    let code = String::from_utf8_lossy(&out.stdout).to_string();
    let timing = String::from_utf8_lossy(&out.stderr).to_string();
    let mut parts = timing.split_whitespace();
    let curl_secs: f64 = parts.next().and_then(|v| v.parse().ok()).unwrap_or(0.0);
    let curl_kib: u64 = parts.next().and_then(|v| v.parse().ok()).unwrap_or(0);
    assert_eq!(code, "201", "curl upload failed: {timing}");

    // The app, as an agent would: a connection to that sandbox, the customer, the file.
    let customer = dinie_desk_e2e::register(&api, dinie_desk_e2e::Form::Mei, "a@example.com").await;
    let identity = identity_of(&customer);
    let app = App::launch().await;
    app.add_custom_profile(
        "Bench",
        &base,
        dinie_sandbox::DEFAULT_CLIENT_ID,
        dinie_sandbox::DEFAULT_CLIENT_SECRET,
    )
    .await;
    app.use_profile("Bench").await;
    app.click("#nav-customers").await;
    app.click(&format!(".customer-row[data-id='{}']", customer.id))
        .await;
    app.wait_for("#uploads").await;
    let pid = measure::app_process().expect("the app's process");
    let before_kib = measure::status_kib(pid, "VmRSS:");
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
                ? done(performance.now() - t0) : setTimeout(wait, 5);
            wait();
        }}, (e) => done(String(e)));"#,
    );
    let outcome = app.script_async(&js).await;
    let app_ms = outcome
        .as_f64()
        .unwrap_or_else(|| panic!("the app did not send the file: {outcome}"));
    let peak_kib = measure::status_kib(pid, "VmHWM:");
    app.close().await;
    let _ = sandbox.kill();
    let _ = sandbox.wait();

    let mib = size as f64 / (1024.0 * 1024.0);
    println!("upload {mib:.0} MiB to a local sandbox:");
    println!(
        "  curl -F:   {curl_secs:.2} s, {:.0} MiB/s, peak memory {:.1} MiB",
        mib / curl_secs.max(0.001),
        curl_kib as f64 / 1024.0
    );
    println!(
        "  Dinie Desk: {:.2} s from the click to the checklist updated, {:.0} MiB/s, app process memory {:.1} MiB before, peak {:.1} MiB",
        app_ms / 1000.0,
        mib / (app_ms / 1000.0).max(0.001),
        before_kib as f64 / 1024.0,
        peak_kib as f64 / 1024.0
    );
    let _ = SIZE;
}
