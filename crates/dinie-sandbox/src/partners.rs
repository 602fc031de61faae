//! Partner authentication: which client a pair of credentials belongs to.

use crate::config::SandboxConfig;

/// The partner (its client id) these credentials belong to, unless revoked. Secrets are
/// compared in constant time.
pub fn authenticate(
    config: &SandboxConfig,
    revoked: &[String],
    client_id: &str,
    secret: &str,
) -> Option<String> {
    config
        .partners
        .iter()
        .find(|p| p.client_id == client_id && !revoked.contains(&p.client_id))
        .filter(|p| constant_time_eq(p.client_secret.as_bytes(), secret.as_bytes()))
        .map(|p| p.client_id.clone())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
