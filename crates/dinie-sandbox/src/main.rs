//! `dinie-sandbox`: serve the local Dinie API.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use dinie_sandbox::{Partner, Sandbox, SandboxConfig, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET};

/// The behaviour testers can count on, printed after the options by `--help`.
const LIFECYCLE: &str = "\
LIFECYCLE (Dinie's contract 2026-03-01):
  A new customer is `creating` for --lookup-delay-ms while Dinie looks the company up, then
  `pending_kyc` with requirements that depend on its legal form. POST …/kyc-review moves it to
  `under_review` once every mandatory requirement is complete; after --review-delay-ms each one
  is accepted or rejected, and the customer is `active` (two credit offers: 12 fixed
  installments, and 6 to 24) or back to `pending_kyc` to fix the rejected ones.

LEGAL FORM, from the 8th character of the CNPJ (a letter counts as ASCII code - 48, mod 10):
  0-3  MEI     CCMEI; applicant's identity and selfie; proof of address (optional)
  4-5  EI      EI/MEI documents, income statement; applicant's identity, selfie, proof of address
  6-8  LTDA    articles of association, income statement (optional); applicant's identity and
               selfie; two co-owners, each with identity, selfie and e-mail
  9    EIRELI  incorporation statement; applicant's identity and selfie

TRIGGERS:
  a file name (or e-mail value) containing `reject`  that requirement is rejected at review
  an e-mail whose local part contains `+deny`         the customer is denied at review
  selfies                                             only the biometrics session uploads them";

/// A faithful local Dinie Customers API.
#[derive(Parser, Debug)]
#[command(name = "dinie-sandbox", version, about, after_help = LIFECYCLE)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: String,
    /// SQLite file (default: in memory, lost on exit).
    #[arg(long)]
    db: Option<PathBuf>,
    /// OAuth2 client id; repeat with --client-secret for several partners.
    #[arg(long = "client-id")]
    client_ids: Vec<String>,
    /// OAuth2 client secret, paired in order with --client-id.
    #[arg(long = "client-secret")]
    client_secrets: Vec<String>,
    /// Where signed webhook events are POSTed (repeatable).
    #[arg(long = "webhook-url")]
    webhook_urls: Vec<String>,
    /// Webhook signing secret, `whsec_…` (default: generated and printed).
    #[arg(long)]
    webhook_secret: Option<String>,
    /// Milliseconds a new customer stays `creating` before its requirements are listed.
    #[arg(long, default_value_t = 1500)]
    lookup_delay_ms: u64,
    /// Milliseconds a customer stays `under_review` before the decision.
    #[arg(long, default_value_t = 3000)]
    review_delay_ms: u64,
    /// Largest document accepted, in MB.
    #[arg(long, default_value_t = 10)]
    max_upload_mb: u64,
}

fn config(args: Args) -> Result<SandboxConfig, String> {
    let mut config = SandboxConfig::default();
    if args.client_ids.len() != args.client_secrets.len() {
        return Err("give --client-id and --client-secret in pairs".into());
    }
    if !args.client_ids.is_empty() {
        config.partners = args
            .client_ids
            .into_iter()
            .zip(args.client_secrets)
            .map(|(client_id, client_secret)| Partner {
                client_id,
                client_secret,
            })
            .collect();
    } else {
        config.partners = vec![Partner {
            client_id: DEFAULT_CLIENT_ID.into(),
            client_secret: DEFAULT_CLIENT_SECRET.into(),
        }];
    }
    if let Some(secret) = args.webhook_secret {
        dinie::webhooks::sign(&secret, "probe", 0, b"")
            .map_err(|e| format!("--webhook-secret: {e}"))?;
        config.webhook_secret = secret;
    }
    for url in &args.webhook_urls {
        url::Url::parse(url).map_err(|e| format!("--webhook-url {url}: {e}"))?;
    }
    config.webhook_urls = args.webhook_urls;
    config.db = args.db;
    config.lookup_delay = Duration::from_millis(args.lookup_delay_ms);
    config.review_delay = Duration::from_millis(args.review_delay_ms);
    config.max_upload_bytes = args.max_upload_mb.saturating_mul(1024 * 1024);
    Ok(config)
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "dinie_sandbox=info,tower_http=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let listen = args.listen.clone();
    let config = match config(args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("dinie-sandbox: {e}");
            return ExitCode::from(2);
        }
    };
    let listener = match tokio::net::TcpListener::bind(&listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("dinie-sandbox: cannot listen on {listen}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let partners = config.partners.clone();
    let secret = config.webhook_secret.clone();
    let urls = config.webhook_urls.clone();
    let sandbox = match Sandbox::start(config, listener).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("dinie-sandbox: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("Dinie sandbox: {}", sandbox.base_url());
    for p in &partners {
        println!("  client id:      {}", p.client_id);
        println!("  client secret:  {}", p.client_secret);
    }
    println!("  webhook secret: {secret}");
    for u in &urls {
        println!("  webhooks to:    {u}");
    }
    let _ = tokio::signal::ctrl_c().await;
    eprintln!("dinie-sandbox: stopping");
    sandbox.shutdown().await;
    ExitCode::SUCCESS
}
