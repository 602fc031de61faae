//! Biometric capture: the session page opens in its own window inside the app. That window
//! has no IPC capability (the capabilities name only `main`), may navigate only within the
//! session's origin, and is closed when the `biometrics` item leaves `pending`. For a borrower
//! who is not in front of the agent, the link is also shown as a QR code.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use serde::Serialize;
use tauri::webview::{PermissionKind, PermissionResponse};
use tauri::{AppHandle, Manager, Runtime, State, WebviewUrl, WebviewWindowBuilder};

use crate::commands::note_outcome;
use crate::connection::Connections;
use crate::error::CommandError;

/// Sessions this app opened, by customer, so that a second click reopens the same one.
#[derive(Default)]
pub struct Sessions(Mutex<HashMap<String, (String, DateTime<Utc>)>>);

/// What the page shows for a session.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionView {
    session_url: String,
    expires_at: String,
    /// The link as an SVG QR code.
    qr_svg: String,
}

fn window_label(customer_id: &str) -> String {
    let safe: String = customer_id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    format!("biometrics-{safe}")
}

/// Opens (or reopens) the capture window for a customer.
#[tauri::command]
pub async fn start_biometrics<R: Runtime>(
    app: AppHandle<R>,
    conns: State<'_, Connections>,
    sessions: State<'_, Sessions>,
    customer_id: String,
) -> Result<SessionView, CommandError> {
    let known = sessions
        .0
        .lock()
        .ok()
        .and_then(|m| m.get(&customer_id).cloned())
        .filter(|(_, expires)| *expires > Utc::now());
    let (url, expires_at) = match known {
        Some(session) => session,
        None => {
            let conn = conns.current();
            let result = conn
                .client()
                .customers()
                .create_biometrics_session(&dinie::CustomerId::new(customer_id.clone()))
                .await;
            note_outcome(&app, &conns, &result);
            let session = match result {
                Ok(s) => s,
                Err(e) if e.code() == Some("session_already_active") => {
                    let until = e
                        .as_api()
                        .and_then(|a| a.problem.extension_str("expires_at"))
                        .unwrap_or_default()
                        .to_owned();
                    let mut err = CommandError::from(e);
                    err.code = "session_elsewhere".into();
                    err.message = until;
                    return Err(err);
                }
                Err(e) => return Err(e.into()),
            };
            if let Ok(mut m) = sessions.0.lock() {
                m.insert(
                    customer_id.clone(),
                    (session.session_url.clone(), session.expires_at),
                );
            }
            (session.session_url, session.expires_at)
        }
    };
    open_window(&app, &customer_id, &url)?;
    let qr_svg = qrcode::QrCode::new(url.as_bytes())
        .map(|q| {
            q.render::<qrcode::render::svg::Color<'_>>()
                .min_dimensions(180, 180)
                .build()
        })
        .unwrap_or_default();
    Ok(SessionView {
        session_url: url,
        expires_at: expires_at.to_rfc3339(),
        qr_svg,
    })
}

fn open_window<R: Runtime>(
    app: &AppHandle<R>,
    customer_id: &str,
    session_url: &str,
) -> Result<(), CommandError> {
    let label = window_label(customer_id);
    if let Some(existing) = app.get_webview_window(&label) {
        let _ = existing.set_focus();
        return Ok(());
    }
    let url: url::Url = session_url.parse().map_err(|_| {
        CommandError::new("unexpected_answer", "the session link is not a valid URL")
    })?;
    let origin = url.origin();
    let camera_origin = origin.clone();
    WebviewWindowBuilder::new(app, &label, WebviewUrl::External(url.clone()))
        .title("Biometria — Dinie")
        .inner_size(520.0, 720.0)
        // Only the session's own origin; anything else (a link, a redirect) is refused.
        .on_navigation(move |to| to.origin() == origin)
        .on_permission_request(move |webview, kind| {
            let page = webview.url().map(|u| u.origin()).ok();
            capture_permission(kind, page.as_ref(), &camera_origin)
        })
        .build()
        .map_err(|e| {
            CommandError::new(
                "internal",
                format!("could not open the capture window: {e}"),
            )
        })?;
    Ok(())
}

/// The capture page may use the camera (and microphone) while it is on the session's origin;
/// nothing else, and nothing at all for any other page.
pub fn capture_permission(
    kind: PermissionKind,
    page: Option<&url::Origin>,
    session: &url::Origin,
) -> PermissionResponse {
    match kind {
        PermissionKind::Camera | PermissionKind::Microphone if page == Some(session) => {
            PermissionResponse::Allow
        }
        _ => PermissionResponse::Deny,
    }
}

/// Closes a customer's capture window once its `biometrics` item left `pending`.
pub fn close_when_done<R: Runtime>(app: &AppHandle<R>, customer: &dinie::Customer) {
    let done = customer
        .kyc
        .iter()
        .any(|k| k.kind == dinie::KycKind::Biometrics && k.status != dinie::KycStatus::Pending);
    if !done {
        return;
    }
    if let Some(window) = app.get_webview_window(&window_label(customer.id.as_str())) {
        let _ = window.close();
    }
    if let Some(sessions) = app.try_state::<Sessions>() {
        if let Ok(mut m) = sessions.0.lock() {
            m.remove(customer.id.as_str());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_camera_only_for_the_session_origin() {
        let session = url::Url::parse("https://bio.dinie.com.br/s/abc")
            .unwrap()
            .origin();
        let other = url::Url::parse("https://evil.example/").unwrap().origin();
        let allow =
            |kind, page| capture_permission(kind, page, &session) == PermissionResponse::Allow;
        assert!(allow(PermissionKind::Camera, Some(&session)));
        assert!(allow(PermissionKind::Microphone, Some(&session)));
        assert!(!allow(PermissionKind::Camera, Some(&other)));
        assert!(!allow(PermissionKind::Camera, None));
        assert!(!allow(PermissionKind::Geolocation, Some(&session)));
    }
}
