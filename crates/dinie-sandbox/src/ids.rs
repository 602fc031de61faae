//! Random ids and tokens (`cust_…`, `doc_…`, `dinie_at_…`), from the OS's CSPRNG.

use rand::distr::{Alphanumeric, SampleString};

/// `{prefix}_` + 24 random alphanumerics.
pub fn new(prefix: &str) -> String {
    format!(
        "{prefix}_{}",
        Alphanumeric.sample_string(&mut rand::rng(), 24)
    )
}

/// An opaque secret token: `{prefix}_` + 40 random alphanumerics.
pub fn token(prefix: &str) -> String {
    format!(
        "{prefix}_{}",
        Alphanumeric.sample_string(&mut rand::rng(), 40)
    )
}
