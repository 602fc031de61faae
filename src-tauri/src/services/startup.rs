//! Whether the app has finished starting: its connection (the keychain read for the active
//! profile's credentials, or the embedded sandbox's database and port) is made off the UI
//! thread while the window and its page load, and the page's first command waits here for it.
//! A keychain that prompts, or a slow disk, then delays the list, never the window.

use tokio::sync::watch;

/// The app could not start its connection.
#[derive(Debug, Clone, thiserror::Error)]
#[error("the app could not start: {0}")]
pub struct StartupError(pub String);

/// The start-up's outcome, once known.
pub struct Startup {
    done: watch::Sender<Option<Result<(), StartupError>>>,
}

impl Default for Startup {
    fn default() -> Self {
        Self {
            done: watch::channel(None).0,
        }
    }
}

impl Startup {
    /// Records the outcome; whoever waits is answered.
    pub fn finish(&self, outcome: Result<(), StartupError>) {
        self.done.send_replace(Some(outcome));
    }

    /// Waits until the start-up has ended; its outcome.
    pub async fn wait(&self) -> Result<(), StartupError> {
        let mut done = self.done.subscribe();
        let outcome = done.wait_for(Option::is_some).await;
        match outcome {
            Ok(value) => value.clone().unwrap_or(Ok(())),
            // The sender lives as long as the app: only reached while it exits.
            Err(_) => Err(StartupError("the app is closing".into())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn waiters_are_answered_with_the_outcome_before_or_after_it_is_known() {
        let startup = std::sync::Arc::new(Startup::default());
        let early = tokio::spawn({
            let startup = startup.clone();
            async move { startup.wait().await }
        });
        tokio::task::yield_now().await;
        assert!(!early.is_finished(), "nothing is known yet");
        startup.finish(Err(StartupError("port taken".into())));
        assert_eq!(
            early.await.unwrap().unwrap_err().to_string(),
            "the app could not start: port taken"
        );
        assert!(startup.wait().await.is_err(), "a late waiter hears it too");
    }
}
