//! The client-wide hold after Dinie said "slow down": once a response is a 429 (or says no
//! request is left in the window), every request of the client, whichever task sends it,
//! waits until the time the server gave (`Retry-After`, `X-RateLimit-Reset`) instead of
//! knocking again sooner and prolonging the throttle for every agent sharing the client id.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use reqwest::header::HeaderMap;

use crate::models::RateLimit;

/// Longest a request waits for the hold to end before giving up with [`crate::Error::Throttled`]
/// (a person waiting on a screen is better told than kept waiting).
pub(crate) const MAX_HOLD_WAIT: Duration = Duration::from_secs(5);

/// When requests may go again.
#[derive(Debug, Default)]
pub(crate) struct Hold {
    until: Mutex<Option<Instant>>,
}

impl Hold {
    /// How long requests must still wait (zero when they may go).
    pub(crate) fn remaining(&self) -> Duration {
        let until = self.until.lock().ok().and_then(|g| *g);
        until.map_or(Duration::ZERO, |u| {
            u.saturating_duration_since(Instant::now())
        })
    }

    /// Holds every request for `wait` from now (never shortening a longer hold).
    pub(crate) fn hold_for(&self, wait: Duration) {
        let Ok(mut until) = self.until.lock() else {
            return;
        };
        let candidate = Instant::now() + wait;
        if until.is_none_or(|u| u < candidate) {
            *until = Some(candidate);
        }
    }

    /// Reads what a response says about the window: none left means a hold until its reset.
    pub(crate) fn observe(&self, rate_limit: Option<&RateLimit>) {
        if let Some(rl) = rate_limit.filter(|rl| rl.remaining == 0) {
            self.hold_for(until_reset(rl.reset));
        }
    }
}

/// `X-RateLimit-Reset` values from this one on are a Unix time; below it, seconds from now (as
/// Dinie's Python SDK reads it: `dinie/runtime/rate_limit.py`, `EPOCH_THRESHOLD_SECONDS`).
const EPOCH_THRESHOLD: u64 = 1_000_000_000;

/// From now to `reset` (`X-RateLimit-Reset`: a Unix time, or seconds from now), at most an hour
/// (a wrong clock must not stop the app).
pub(crate) fn until_reset(reset: u64) -> Duration {
    let wait = if reset < EPOCH_THRESHOLD {
        Duration::from_secs(reset)
    } else {
        let now = chrono::Utc::now().timestamp_millis().max(0) as u64;
        Duration::from_millis(reset.saturating_mul(1000).saturating_sub(now))
    };
    wait.min(Duration::from_secs(3600))
}

/// How long a 429 asks to wait, as sent (not clamped): `Retry-After-Ms`, `Retry-After` in
/// seconds or as a date, else until `X-RateLimit-Reset`.
pub(crate) fn asked_wait(headers: &HeaderMap) -> Option<Duration> {
    crate::retry::retry_after_unclamped(headers, chrono::Utc::now())
        .or_else(|| RateLimit::from_headers(headers).map(|rl| until_reset(rl.reset)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hold_only_grows_and_an_empty_window_holds_until_its_reset() {
        let hold = Hold::default();
        assert_eq!(hold.remaining(), Duration::ZERO);
        hold.hold_for(Duration::from_secs(10));
        hold.hold_for(Duration::from_secs(1));
        assert!(hold.remaining() > Duration::from_secs(9));
        let hold = Hold::default();
        let reset = chrono::Utc::now().timestamp() as u64 + 30;
        hold.observe(Some(&RateLimit {
            limit: 20,
            remaining: 3,
            reset,
        }));
        assert_eq!(hold.remaining(), Duration::ZERO, "requests left");
        hold.observe(Some(&RateLimit {
            limit: 20,
            remaining: 0,
            reset,
        }));
        assert!(hold.remaining() > Duration::from_secs(28));
        assert!(until_reset(u64::MAX) <= Duration::from_secs(3600));
        assert_eq!(until_reset(0), Duration::ZERO);
        // A small value is a delta, as the SDK reads it; an epoch in the past is no wait.
        assert_eq!(until_reset(30), Duration::from_secs(30));
        assert_eq!(until_reset(1_000_000_000), Duration::ZERO);
    }
}
