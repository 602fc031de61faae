//! What the integration tests against a real sandbox share: the sandbox, and the app's own
//! connection to it (the app's client, its timeouts, the sandbox's default partner).

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use dinie_desk::services::connection::Connection;
use dinie_desk::services::profiles::Profile;
use secrecy::SecretString;

/// A sandbox on loopback whose new customers stay `creating` for `lookup`.
pub async fn sandbox(lookup: Duration) -> dinie_sandbox::Sandbox {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let config = dinie_sandbox::SandboxConfig {
        lookup_delay: lookup,
        ..Default::default()
    };
    dinie_sandbox::Sandbox::start(config, listener)
        .await
        .unwrap()
}

/// The app's connection to `base_url` (a sandbox, or a proxy in front of one), as the
/// embedded profile, with the sandbox's default partner.
pub fn connection(base_url: &str) -> Connection {
    let client = dinie_desk::services::connection::client(
        base_url,
        dinie_sandbox::DEFAULT_CLIENT_ID,
        &SecretString::from(dinie_sandbox::DEFAULT_CLIENT_SECRET),
    )
    .unwrap();
    Connection::new(Profile::embedded(), client)
}
