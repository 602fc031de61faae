//! Random ids and tokens (`cust_…`, `evt_…`, `dinie_at_…`), from the OS's CSPRNG.

use rand::distr::{Alphanumeric, SampleString};

/// Dinie's id format: `{prefix}_` + 32 lowercase hex digits.
pub fn new(prefix: &str) -> String {
    let bytes: [u8; 16] = rand::random();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{prefix}_{hex}")
}

/// An opaque secret token: `{prefix}_` + 40 random alphanumerics.
pub fn token(prefix: &str) -> String {
    format!(
        "{prefix}_{}",
        Alphanumeric.sample_string(&mut rand::rng(), 40)
    )
}
