//! The capture window: the biometrics session page opens in its own window inside the app.
//! That window has no IPC capability (the capabilities name only `main`), may navigate only
//! within the session's origin, may use the camera only on that origin, and is closed once the
//! customer's `biometrics` item left `pending`.

use tauri::webview::{PermissionKind, PermissionResponse};
use tauri::{AppHandle, Manager, Runtime, WebviewUrl, WebviewWindowBuilder};

use crate::services::biometrics::Sessions;

/// Why the capture window could not open.
#[derive(Debug, thiserror::Error)]
pub enum WindowError {
    /// The session link is not a URL.
    #[error("the session link is not a valid URL")]
    BadUrl,
    /// The window system refused.
    #[error("could not open the capture window: {0}")]
    Tauri(#[from] tauri::Error),
}

fn label(customer_id: &str) -> String {
    let safe: String = customer_id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    format!("biometrics-{safe}")
}

/// Opens the capture window of a customer on `session_url`, or focuses the one already open.
pub fn open<R: Runtime>(
    app: &AppHandle<R>,
    customer_id: &str,
    session_url: &str,
) -> Result<(), WindowError> {
    let label = label(customer_id);
    if let Some(existing) = app.get_webview_window(&label) {
        let _ = existing.set_focus();
        return Ok(());
    }
    let url = session_page(session_url).ok_or(WindowError::BadUrl)?;
    let origin = url.origin();
    let camera_origin = origin.clone();
    WebviewWindowBuilder::new(app, &label, WebviewUrl::External(url))
        .title("Biometria — Dinie")
        .inner_size(520.0, 720.0)
        // Nothing of the session (cookies, storage, cache, history) outlives the window.
        .incognito(true)
        .general_autofill_enabled(false)
        .disable_drag_drop_handler()
        .on_download(|_, _| false)
        // Only the session's own origin; anything else (a link, a redirect) is refused.
        .on_navigation(move |to| to.origin() == origin)
        .on_permission_request(move |webview, kind| {
            let page = webview.url().map(|u| u.origin()).ok();
            capture_permission(kind, page.as_ref(), &camera_origin)
        })
        .build()?;
    Ok(())
}

/// The session link, when it is one the window may open: `https`, or `http` to this machine
/// (a local sandbox). Anything else (`file:`, `tauri:`, `asset:`, plain http elsewhere) is not.
pub fn session_page(session_url: &str) -> Option<url::Url> {
    let url = url::Url::parse(session_url).ok()?;
    match url.scheme() {
        "https" => Some(url),
        "http" if dinie::is_loopback(&url) => Some(url),
        _ => None,
    }
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

/// Closes a customer's capture window once every selfie was received (or the customer left
/// `pending_kyc`), and forgets the session.
pub fn close_when_done<R: Runtime>(app: &AppHandle<R>, customer: &dinie::Customer) {
    let selfies: Vec<_> = customer
        .kyc
        .iter()
        .filter(|k| k.requirement_type.is_captured_by_biometrics())
        .collect();
    let done = customer.status != dinie::CustomerStatus::PendingKyc
        || (!selfies.is_empty() && selfies.iter().all(|k| k.is_complete() || k.is_accepted()));
    if !done {
        return;
    }
    if let Some(window) = app.get_webview_window(&label(customer.id.as_str())) {
        if let Err(e) = window.close() {
            tracing::warn!(error = %e, "could not close the capture window");
        }
    }
    if let Some(sessions) = app.try_state::<Sessions>() {
        sessions.forget(customer.id.as_str());
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

    #[test]
    fn only_https_or_a_local_sandbox_may_open_in_the_capture_window() {
        assert!(session_page("https://bio.dinie.com.br/s/abc").is_some());
        assert!(session_page("http://127.0.0.1:8080/api/v3/biometrics/x").is_some());
        for bad in [
            "http://example.com/x",
            "file:///etc/hostname",
            "tauri://localhost/index.html",
            "asset://localhost/%2Fetc%2Fhostname",
            "javascript:alert(1)",
            "not a url",
        ] {
            assert!(session_page(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn one_window_label_per_customer_made_of_safe_characters() {
        assert_eq!(label("cust_Ab1"), "biometrics-custAb1");
    }
}
