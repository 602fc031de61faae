//! Biometric capture sessions: open one for a customer (or reuse the one this app opened and
//! that has not expired), what the page shows for it (the link, its expiry, a QR code for a
//! borrower who is not in front of the agent), and handing the link to the borrower's phone by
//! e-mail or WhatsApp through the system's own handlers (a `mailto:` or `https://wa.me/` link
//! opened outside the app). The window that shows it here is `windows::biometrics`.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use serde::{Deserialize, Serialize};

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

/// How the link goes to the borrower's phone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Email,
    Whatsapp,
}

/// What the agent hands over: the channel, and the page's words (with the link in them).
#[derive(Debug, Clone, Deserialize)]
pub struct Share {
    pub channel: Channel,
    /// The e-mail's subject (unused by WhatsApp).
    pub subject: String,
    pub text: String,
}

/// Why the link could not be handed over.
#[derive(Debug, thiserror::Error)]
pub enum ShareError {
    /// No session of this app's is open for the customer (it expired, or none was started).
    #[error("no capture session is open for this customer")]
    NoSession,
    /// The message does not carry the session's link.
    #[error("the message does not carry the capture link")]
    WithoutLink,
    /// The system has no handler for the link, or it failed to start.
    #[error("the system could not open the link: {0}")]
    Open(#[source] std::io::Error),
    /// The customer could not be read.
    #[error(transparent)]
    Api(#[from] dinie::Error),
}

/// The link that hands `text` to the borrower: an e-mail to the customer's address, or a
/// WhatsApp message to the customer's phone. Only these two, and only to the customer.
pub fn share_link(
    channel: Channel,
    customer: &dinie::Customer,
    subject: &str,
    text: &str,
) -> String {
    let enc = |s: &str| utf8_percent_encode(s, NON_ALPHANUMERIC).to_string();
    match channel {
        Channel::Email => format!(
            "mailto:{}?subject={}&body={}",
            enc(&customer.email),
            enc(subject),
            enc(text)
        ),
        Channel::Whatsapp => {
            let digits: String = customer
                .phone
                .chars()
                .filter(char::is_ascii_digit)
                .collect();
            format!("https://wa.me/{digits}?text={}", enc(text))
        }
    }
}

/// Hands the customer's open session to the phone; returns the link opened. The text (the
/// page's words, in the agent's language) must carry the session's link.
pub async fn share(
    conn: &Connection,
    sessions: &Sessions,
    customer_id: &dinie::CustomerId,
    share: &Share,
) -> Result<String, ShareError> {
    let Share {
        channel,
        subject,
        text,
    } = share;
    let channel = *channel;
    let session = sessions
        .valid(customer_id.as_str())
        .ok_or(ShareError::NoSession)?;
    if !text.contains(session.url.as_str()) {
        return Err(ShareError::WithoutLink);
    }
    let customer = conn.client().customers().get(customer_id).await;
    conn.observe(&customer);
    let link = share_link(channel, &customer?, subject, text);
    let opened = link.clone();
    tokio::task::spawn_blocking(move || open::that_detached(&opened))
        .await
        .map_err(|e| ShareError::Open(std::io::Error::other(e)))?
        .map_err(ShareError::Open)?;
    tracing::info!(customer = %customer_id, channel = ?channel, "capture link handed to the system");
    Ok(link)
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
    fn links_go_to_the_customer_only_with_the_text_encoded() {
        let customer: dinie::Customer = serde_json::from_value(serde_json::json!({
            "id": "cust_1", "status": "pending_kyc", "cpf": "12345678909", "cnpj": "11222333000181",
            "email": "maria+bio@example.com", "phone": "+5511987654321",
            "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z", "kyc": []
        }))
        .unwrap();
        let text = "Olá! Faça a biometria: https://bio.example/s/1?a=b&c=d";
        assert_eq!(
            share_link(Channel::Whatsapp, &customer, "", text),
            "https://wa.me/5511987654321?text=Ol%C3%A1%21%20Fa%C3%A7a%20a%20biometria%3A%20https%3A%2F%2Fbio%2Eexample%2Fs%2F1%3Fa%3Db%26c%3Dd"
        );
        let mail = share_link(Channel::Email, &customer, "Biometria", text);
        assert!(
            mail.starts_with("mailto:maria%2Bbio%40example%2Ecom?subject=Biometria&body=Ol%C3%A1"),
            "{mail}"
        );
        assert_eq!(
            mail.matches('&').count(),
            1,
            "the link's own & is encoded: {mail}"
        );
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
