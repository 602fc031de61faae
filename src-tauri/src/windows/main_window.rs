//! The main window: built from its entry in `tauri.conf.json` (`create: false` there, so that
//! it is built here, with its guards), with WebView2's autofill off (one borrower's data is not
//! offered for the next) and a navigation guard: only the app's own pages load in it. Files
//! dropped on it are kept in Rust ([`PickedFiles`], see `events::on_webview_event`) and the page
//! hears of them by token; their thumbnails come through the `preview:` protocol, by token too.

use tauri::http::{header, Request, Response, StatusCode};
use tauri::{AppHandle, Manager, Runtime, WebviewWindow, WebviewWindowBuilder};

use crate::services::documents::{inspect_file, DocumentCheck};
use crate::services::picked::PickedFiles;

/// The URI scheme of thumbnails: `preview://localhost/<token>` (`http://preview.localhost/…`
/// on Windows).
pub const PREVIEW_SCHEME: &str = "preview";
/// The largest image shown as a thumbnail.
const PREVIEW_LIMIT: u64 = 20 << 20;

/// The window's label, as the capabilities name it.
pub const LABEL: &str = "main";

/// Whether `url` is one of the app's own pages (`tauri://localhost` on Linux and macOS,
/// `http(s)://tauri.localhost` on Windows).
pub fn is_app_page(url: &url::Url) -> bool {
    matches!(
        (url.scheme(), url.host_str()),
        ("tauri", Some("localhost")) | ("http" | "https", Some("tauri.localhost"))
    )
}

/// Builds the main window from its configuration, with the cache model of an app's own pages.
pub fn open<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let config = app
        .config()
        .app
        .windows
        .iter()
        .find(|w| w.label == LABEL)
        .cloned()
        .unwrap_or_default();
    let window = WebviewWindowBuilder::from_config(app, &config)?
        .general_autofill_enabled(false)
        .on_navigation(|url| {
            let allowed = is_app_page(url);
            if !allowed {
                tracing::warn!(%url, "navigation away from the app refused");
            }
            allowed
        })
        .build()?;
    document_viewer(&window);
    Ok(())
}

/// WebKitGTK's cache model for a few local pages, not a browser's: no back/forward page cache,
/// a small memory cache (with a browser's, ten customer details opened and left kept 30 MiB
/// more in the web process: `make bench`).
#[cfg(target_os = "linux")]
fn document_viewer<R: Runtime>(window: &WebviewWindow<R>) {
    use webkit2gtk::{CacheModel, WebContextExt, WebViewExt};
    let _ = window.with_webview(|webview| {
        if let Some(context) = webview.inner().context() {
            context.set_cache_model(CacheModel::DocumentViewer);
        }
    });
}

#[cfg(not(target_os = "linux"))]
fn document_viewer<R: Runtime>(_: &WebviewWindow<R>) {}

/// Brings the main window to the front (a second launch of the app asked for it).
pub fn focus<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window(LABEL) {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

/// Serves the thumbnail of a chosen image: `preview://localhost/<token>`. Anything else (a
/// token never given, a file that is not a JPEG or PNG by content, a large one) is a 404.
pub fn preview<R: Runtime>(app: &AppHandle<R>, request: &Request<Vec<u8>>) -> Response<Vec<u8>> {
    let token = request.uri().path().trim_start_matches('/');
    let image = app
        .try_state::<PickedFiles>()
        .and_then(|picked| picked.path(token).ok())
        .map(|path| (inspect_file(&path, PREVIEW_LIMIT, false), path))
        .filter(|(check, _)| DocumentCheck::is_previewable(check))
        .and_then(|(check, path)| Some((check.format?, std::fs::read(path).ok()?)));
    let built = match image {
        Some((format, bytes)) => Response::builder()
            .header(header::CONTENT_TYPE, format!("image/{format}"))
            .header(header::CACHE_CONTROL, "no-store")
            .body(bytes),
        None => Response::builder()
            .status(StatusCode::NOT_FOUND)
            .body(Vec::new()),
    };
    built.unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_app_pages_may_load() {
        let ok = |u: &str| is_app_page(&url::Url::parse(u).unwrap());
        assert!(ok("tauri://localhost/index.html"));
        assert!(ok("http://tauri.localhost/index.html"));
        assert!(!ok("https://example.com/"));
        assert!(!ok("https://tauri.localhost.example.com/"));
        assert!(!ok("file:///etc/passwd"));
    }

    #[test]
    fn the_config_turns_autofill_off_and_leaves_creation_to_the_app() {
        let config: serde_json::Value =
            serde_json::from_str(include_str!("../../tauri.conf.json")).unwrap();
        let main = config["app"]["windows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["label"] == LABEL)
            .unwrap();
        assert_eq!(main["generalAutofillEnabled"], false);
        assert_eq!(
            main["create"], false,
            "built by open(), with its navigation guard"
        );
    }
}
