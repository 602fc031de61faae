//! Preferences kept in `tauri-plugin-store` (`settings.json`): things that can be lost without
//! harm. Never secrets, never drafts.

use tauri::{AppHandle, Runtime};
use tauri_plugin_store::StoreExt;

const FILE: &str = "settings.json";
const LANGUAGE: &str = "language";

/// Languages the UI has a dictionary for; the first is the default.
pub const LANGUAGES: [&str; 2] = ["pt-BR", "en"];

/// Why a preference could not be read or saved.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// The language has no dictionary.
    #[error("unsupported language {0:?}; use one of pt-BR, en")]
    UnsupportedLanguage(String),
    /// The store failed.
    #[error("could not save the preference: {0}")]
    Store(#[from] tauri_plugin_store::Error),
}

/// The chosen language, pt-BR unless the agent chose another.
pub fn language<R: Runtime>(app: &AppHandle<R>) -> String {
    app.store(FILE)
        .ok()
        .and_then(|s| s.get(LANGUAGE))
        .and_then(|v| v.as_str().map(str::to_owned))
        .filter(|l| LANGUAGES.contains(&l.as_str()))
        .unwrap_or_else(|| LANGUAGES[0].to_owned())
}

/// Saves the language.
pub fn set_language<R: Runtime>(app: &AppHandle<R>, language: &str) -> Result<(), SettingsError> {
    if !LANGUAGES.contains(&language) {
        return Err(SettingsError::UnsupportedLanguage(language.to_owned()));
    }
    let store = app.store(FILE)?;
    store.set(LANGUAGE, language);
    store.save()?;
    Ok(())
}
