//! When and how long to wait before trying a request again.

use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::HeaderMap;

use crate::config::MAX_RETRY_AFTER;

/// Longest computed backoff between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(8);

/// Exponential backoff with jitter: `base · 2^attempt`, capped, then scaled by a random factor
/// in [0.5, 1) so that many clients failing together do not retry together.
pub(crate) fn backoff(base: Duration, attempt: u32) -> Duration {
    let exp = base
        .saturating_mul(1u32 << attempt.min(16))
        .min(MAX_BACKOFF);
    exp.mul_f64(0.5 + fastrand::f64() * 0.5)
}

/// How long the server asks to wait: `Retry-After-Ms` (milliseconds) or `Retry-After` (seconds
/// or an HTTP date), clamped to [`MAX_RETRY_AFTER`] as Dinie's SDKs do.
pub(crate) fn retry_after(headers: &HeaderMap, now: DateTime<Utc>) -> Option<Duration> {
    retry_after_unclamped(headers, now).map(|d| d.min(MAX_RETRY_AFTER))
}

/// How long the server asks to wait, as it asked (see [`retry_after`]).
pub(crate) fn retry_after_unclamped(headers: &HeaderMap, now: DateTime<Utc>) -> Option<Duration> {
    let millis = headers
        .get("retry-after-ms")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if let Some(ms) = millis {
        return Some(Duration::from_millis(ms));
    }
    let raw = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    let wait = if let Ok(secs) = raw.parse::<u64>() {
        Duration::from_secs(secs)
    } else {
        let at = DateTime::parse_from_rfc2822(raw).ok()?.with_timezone(&Utc);
        (at - now).to_std().unwrap_or(Duration::ZERO)
    };
    Some(wait)
}

/// `Retry-After` in whole seconds as sent, for reporting.
pub(crate) fn retry_after_secs(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderValue, RETRY_AFTER};

    #[test]
    fn backoff_grows_and_is_capped() {
        let base = Duration::from_millis(100);
        for attempt in 0..20 {
            let d = backoff(base, attempt);
            let ceiling = base.saturating_mul(1 << attempt.min(16)).min(MAX_BACKOFF);
            assert!(d >= ceiling / 2 && d <= ceiling, "{attempt}: {d:?}");
        }
    }

    #[test]
    fn retry_after_forms() {
        let now = Utc::now();
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_static("2"));
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(2)));
        h.insert(RETRY_AFTER, HeaderValue::from_static("3600"));
        assert_eq!(
            retry_after(&h, now),
            Some(MAX_RETRY_AFTER),
            "clamped, not ignored"
        );
        h.insert("retry-after-ms", HeaderValue::from_static("250"));
        assert_eq!(retry_after(&h, now), Some(Duration::from_millis(250)));
        h.remove("retry-after-ms");
        let date = (now + chrono::Duration::seconds(10)).to_rfc2822();
        h.insert(RETRY_AFTER, HeaderValue::from_str(&date).unwrap());
        let d = retry_after(&h, now).unwrap();
        assert!(d <= Duration::from_secs(10) && d >= Duration::from_secs(9));
        h.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&h, now), None);
    }
}
