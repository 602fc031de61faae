//! Work that waits on the disk (a commit's fsync, hashing a 40 MB photo, counting a PDF's
//! pages), run from async code without holding up the other tasks of its thread.

/// Runs `f`, which blocks: on the app's multi-thread runtime, the thread's other tasks move to
/// another thread meanwhile (with two cores, two tasks waiting for the disk would otherwise
/// stop every request and event in flight). Elsewhere (a current-thread runtime, as in tests,
/// or a plain thread) `f` just runs.
pub fn off_the_runtime<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(rt) if rt.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(f)
        }
        _ => f(),
    }
}

#[cfg(test)]
mod tests {
    use super::off_the_runtime;

    #[test]
    fn runs_on_a_plain_thread() {
        assert_eq!(off_the_runtime(|| 2 + 2), 4);
    }

    #[tokio::test(flavor = "current_thread")]
    async fn runs_on_a_current_thread_runtime_without_panicking() {
        assert_eq!(off_the_runtime(|| "ok"), "ok");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 1)]
    async fn on_one_worker_the_other_tasks_go_on_meanwhile() {
        // The only worker blocks until a task spawned on it has run: without the hand-off
        // the task would wait for the worker, and this for ever.
        let (tx, rx) = std::sync::mpsc::channel();
        tokio::spawn(async move { tx.send(()).ok() });
        let got = off_the_runtime(|| rx.recv_timeout(std::time::Duration::from_secs(10)));
        assert!(got.is_ok(), "the spawned task did not run while blocked");
    }
}
