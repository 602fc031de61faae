//! The follow loop: polls the followed customers as they fall due (see
//! [`crate::services::follow`] for who is polled when), tells the page what changed, shows a
//! desktop notification for what the agent must know, and closes a capture window once its
//! capture is done.

use std::time::Duration;

use tauri::{AppHandle, Manager, Runtime};

use crate::services::connection::Connections;
use crate::services::customer_detail::{self, CustomerView};
use crate::services::follow::Follower;
use crate::services::settings;
use crate::{events, notify, windows};

/// How often the loop looks for customers due a poll (each is polled at its own interval, at
/// most [`crate::services::follow::MAX_POLLS_PER_ROUND`] a round).
const ROUND: Duration = Duration::from_millis(500);

/// Polls the followed customers as they fall due, until the app exits.
pub async fn follow_forever<R: Runtime>(app: AppHandle<R>) {
    loop {
        tokio::time::sleep(ROUND).await;
        let follower = app.state::<Follower>();
        let conns = app.state::<Connections>();
        for id in follower.due() {
            let conn = conns.current();
            let customer_id = dinie::CustomerId::new(id.clone());
            match customer_detail::fetch(&conn, &customer_id).await {
                Ok((customer, offers)) => {
                    windows::biometrics::close_when_done(&app, &customer);
                    let (entries, notices) = follower.update(&customer);
                    if entries.is_empty() {
                        continue;
                    }
                    events::customer_updated(
                        &app,
                        &CustomerView::new(&customer, &offers, &follower),
                    );
                    for notice in &notices {
                        notify::show(&app, notify::for_notice(notice, &settings::language(&app)));
                    }
                }
                Err(e) => {
                    tracing::debug!(customer = %id, error = %e, "poll failed; backing off");
                    follower.failed(&id);
                }
            }
        }
    }
}
