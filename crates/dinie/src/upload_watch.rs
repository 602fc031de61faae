//! Uploads are not bounded by the per-request timeout (a 10 MB document over a 2 Mbit/s
//! uplink needs 40 s, and would be cut and re-sent from byte zero forever): an upload may take
//! as long as its size needs at a slow but working rate, and is stopped only when no byte of
//! its body was taken for the idle time (the link stalled). Once the whole body was taken, only
//! the size-scaled cap applies: the last bytes may sit in the socket's buffer for a while on a
//! slow link, and the answer comes after them.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The slowest uplink an upload is given time for: 16 KiB/s (≈ 130 kbit/s).
pub(crate) const SLOWEST_RATE: u64 = 16 * 1024;

/// When an upload's body last moved.
#[derive(Debug)]
pub(crate) struct Activity {
    start: Instant,
    last_ms: AtomicU64,
    finished: AtomicBool,
}

impl Activity {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Self {
            start: Instant::now(),
            last_ms: AtomicU64::new(0),
            finished: AtomicBool::new(false),
        })
    }

    /// Some bytes of the body were just taken by the connection.
    pub(crate) fn touch(&self) {
        let ms = self.start.elapsed().as_millis() as u64;
        self.last_ms.store(ms, Ordering::Relaxed);
    }

    /// The whole body was taken: no idle check from now on.
    pub(crate) fn finish(&self) {
        self.finished.store(true, Ordering::Relaxed);
    }

    /// A new attempt starts: its body has not moved yet.
    pub(crate) fn restart(&self) {
        self.finished.store(false, Ordering::Relaxed);
        self.touch();
    }

    /// Since the body last moved.
    pub(crate) fn idle(&self) -> Duration {
        let last = Duration::from_millis(self.last_ms.load(Ordering::Relaxed));
        self.start.elapsed().saturating_sub(last)
    }
}

/// The whole-request cap of an upload of `size` bytes: the usual timeout plus the time the
/// size takes at [`SLOWEST_RATE`].
pub(crate) fn cap(timeout: Duration, size: u64) -> Duration {
    timeout + Duration::from_secs(size / SLOWEST_RATE)
}

/// Resolves once `activity` has been idle for `idle` before its body was all taken (checked a
/// few times a second).
pub(crate) async fn stalled(activity: &Activity, idle: Duration) {
    loop {
        let quiet = activity.idle();
        if quiet >= idle && !activity.finished.load(Ordering::Relaxed) {
            return;
        }
        let next = idle.saturating_sub(quiet).max(Duration::from_millis(50));
        tokio::time::sleep(next.min(Duration::from_millis(500))).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_grows_with_the_size() {
        let t = Duration::from_secs(30);
        assert_eq!(cap(t, 0), t);
        assert_eq!(cap(t, 10 * 1024 * 1024), t + Duration::from_secs(640));
    }

    #[tokio::test]
    async fn a_moving_body_is_not_stalled_and_a_quiet_one_is() {
        let activity = Activity::new();
        activity.touch();
        let quick = tokio::time::timeout(
            Duration::from_millis(300),
            stalled(&activity, Duration::from_secs(5)),
        );
        assert!(quick.await.is_err(), "not stalled yet");
        let stall = tokio::time::timeout(
            Duration::from_secs(3),
            stalled(&activity, Duration::from_millis(200)),
        );
        assert!(stall.await.is_ok());
        // Once the whole body was taken, waiting for the answer is not a stall.
        activity.finish();
        let done = tokio::time::timeout(
            Duration::from_millis(700),
            stalled(&activity, Duration::from_millis(100)),
        );
        assert!(done.await.is_err());
    }
}
