//! The follow loop: polls the followed customers as they fall due (see
//! [`crate::services::follow`] for who is polled when), tells the page what changed, shows a
//! desktop notification for what the agent must know, and closes a capture window once its
//! capture is done.

use std::time::{Duration, Instant};

use tauri::{AppHandle, Manager, Runtime};

use crate::services::connection::Connections;
use crate::services::customer_detail::{self, CustomerView};
use crate::services::follow::Follower;
use crate::services::settings;
use crate::{events, notify, windows};

/// The least time between two rounds (each polls at most
/// [`crate::services::follow::MAX_POLLS_PER_ROUND`] customers).
const ROUND: Duration = Duration::from_millis(500);
/// The longest the loop sleeps with nobody followed (a safety net: following wakes it).
const IDLE: Duration = Duration::from_secs(600);

/// Polls the followed customers as they fall due, until the app exits. Between rounds it
/// sleeps until the next poll is due or the followed set changes: with nobody followed, or
/// everyone polled minutes apart, an idle app stays asleep.
pub async fn follow_forever<R: Runtime>(app: AppHandle<R>) {
    loop {
        let follower = app.state::<Follower>();
        let pause = follower
            .next_due()
            .map_or(IDLE, |due| due.saturating_duration_since(Instant::now()))
            .clamp(ROUND, IDLE);
        tokio::select! {
            () = follower.changed() => {}
            () = tokio::time::sleep(pause) => {}
        }
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
