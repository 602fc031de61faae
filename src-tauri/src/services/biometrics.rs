//! Biometric capture sessions: open one for a customer (or reuse the one this app opened and
//! that has not expired), and what the page shows for it (the link, its expiry, a QR code for a
//! borrower who is not in front of the agent). The window that shows it is `windows::biometrics`.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::locks::lock;
use crate::services::connection::Connection;

/// One capture session: its link and when the link stops working.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub url: String,
    pub expires_at: DateTime<Utc>,
}

/// Sessions this app opened, by customer, so that a second click reopens the same one.
#[derive(Default)]
pub struct Sessions(Mutex<HashMap<String, Session>>);

impl Sessions {
    /// Forgets a customer's session (its capture ended).
    pub fn forget(&self, customer_id: &str) {
        lock(&self.0).remove(customer_id);
    }

    fn valid(&self, customer_id: &str) -> Option<Session> {
        lock(&self.0)
            .get(customer_id)
            .filter(|s| s.expires_at > Utc::now())
            .cloned()
    }
}

/// Why no session could be had.
#[derive(Debug, thiserror::Error)]
pub enum BiometricsError {
    /// A session opened elsewhere (another agent, the partner's back end) is still open.
    #[error("a capture session opened elsewhere is open until {until}")]
    OpenElsewhere {
        /// When it expires, as the API said it (RFC 3339), or empty.
        until: String,
        /// The API's answer.
        error: dinie::Error,
    },
    /// The API failed or refused.
    #[error(transparent)]
    Api(#[from] dinie::Error),
}

/// The customer's session: the one this app opened if still valid, else a new one.
pub async fn start(
    conn: &Connection,
    sessions: &Sessions,
    customer_id: &dinie::CustomerId,
) -> Result<Session, BiometricsError> {
    if let Some(known) = sessions.valid(customer_id.as_str()) {
        return Ok(known);
    }
    let result = conn
        .client()
        .customers()
        .create_biometrics_session(customer_id)
        .await;
    conn.observe(&result);
    let session = match result {
        Ok(s) => Session {
            url: s.session_url,
            expires_at: s.expires_at,
        },
        Err(error) if error.code() == Some("session_already_active") => {
            let until = error
                .as_api()
                .and_then(|a| a.problem.extension_str("expires_at"))
                .unwrap_or_default()
                .to_owned();
            return Err(BiometricsError::OpenElsewhere { until, error });
        }
        Err(e) => return Err(e.into()),
    };
    lock(&sessions.0).insert(customer_id.to_string(), session.clone());
    Ok(session)
}

/// What the page shows for a session.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionView {
    session_url: String,
    expires_at: String,
    /// The link as an SVG QR code.
    qr_svg: String,
}

impl From<&Session> for SessionView {
    fn from(s: &Session) -> Self {
        let qr_svg = qrcode::QrCode::new(s.url.as_bytes())
            .map(|q| {
                q.render::<qrcode::render::svg::Color<'_>>()
                    .min_dimensions(180, 180)
                    .build()
            })
            .unwrap_or_default();
        Self {
            session_url: s.url.clone(),
            expires_at: s.expires_at.to_rfc3339(),
            qr_svg,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_is_reused_until_it_expires() {
        let sessions = Sessions::default();
        let session = |minutes| Session {
            url: "https://bio.example/s/1".into(),
            expires_at: Utc::now() + chrono::Duration::minutes(minutes),
        };
        lock(&sessions.0).insert("cust_1".into(), session(5));
        assert!(sessions.valid("cust_1").is_some());
        lock(&sessions.0).insert("cust_1".into(), session(-1));
        assert!(sessions.valid("cust_1").is_none());
        sessions.forget("cust_1");
        assert!(lock(&sessions.0).is_empty());
    }

    #[test]
    fn the_view_carries_a_qr_code_of_the_link() {
        let view = SessionView::from(&Session {
            url: "https://bio.example/s/1".into(),
            expires_at: Utc::now(),
        });
        assert!(view.qr_svg.starts_with("<?xml") || view.qr_svg.contains("<svg"));
    }
}
