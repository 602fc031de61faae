//! Opening a customer: fresh from Dinie ([`customer_detail::open`]), kept in the local index
//! for offline use; when Dinie cannot be reached, the detail last seen here. Above both
//! `customer_detail` and `customer_index`, which do not know each other.

use serde::Serialize;

use crate::services::connection::Connection;
use crate::services::customer_detail::{self, CustomerView};
use crate::services::customer_index::{self, CustomerIndex};
use crate::services::drafts::outbox::Outbox;
use crate::services::follow::Follower;

/// A customer's detail as the page gets it: fresh from Dinie, or (offline) as last seen here.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum Shown {
    Fresh(Box<CustomerView>),
    LastSeen {
        #[serde(flatten)]
        view: serde_json::Map<String, serde_json::Value>,
        /// When it was seen (Unix ms).
        #[serde(rename = "lastSeenAt")]
        last_seen_at: i64,
    },
}

/// Opens a customer's detail ([`customer_detail::open`]) and keeps it for offline use; when
/// Dinie cannot be reached (or is down), the detail last seen on this connection, marked as
/// such (else the error).
pub async fn open_or_last_seen(
    conn: &Connection,
    follower: &Follower,
    index: &CustomerIndex,
    outbox: &Outbox,
    id: &dinie::CustomerId,
) -> Result<Shown, dinie::Error> {
    match customer_detail::open(conn, follower, id).await {
        Ok(view) => {
            customer_index::keep_detail(index, conn, outbox, id.as_str(), &view);
            Ok(Shown::Fresh(Box::new(view)))
        }
        // Not reached, or down (a 5xx): what this computer saw, said to be that.
        Err(e) if e.is_unreachable() || e.status().is_some_and(|s| s >= 500) => {
            match customer_index::last_detail(index, conn, outbox, id.as_str()) {
                Some((view, last_seen_at)) => Ok(Shown::LastSeen { view, last_seen_at }),
                None => Err(e),
            }
        }
        Err(e) => Err(e),
    }
}
