use reqwest::header::HeaderMap;

/// The rate-limit state the API reported on its last answer (`X-RateLimit-*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed in the window.
    pub limit: u64,
    /// Requests left in the window.
    pub remaining: u64,
    /// When the window resets: a Unix time, or (below 10⁹) seconds from now, as Dinie's SDKs read it.
    pub reset: u64,
}

impl RateLimit {
    /// Reads the three headers; `None` unless all three are present and numeric.
    pub fn from_headers(headers: &HeaderMap) -> Option<Self> {
        let get =
            |name: &str| -> Option<u64> { headers.get(name)?.to_str().ok()?.trim().parse().ok() };
        Some(Self {
            limit: get("x-ratelimit-limit")?,
            remaining: get("x-ratelimit-remaining")?,
            reset: get("x-ratelimit-reset")?,
        })
    }
}
