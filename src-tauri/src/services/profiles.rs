//! Connection profiles: the embedded sandbox (always there), Dinie's sandbox, production, and
//! custom base URLs. Non-secret data lives in `profiles.json` in the app's data folder, written
//! atomically with a backup ([`crate::services::json_file`]: a crash while saving a connection
//! must not lose every connection, and the drafts waiting for them); the client
//! id and secret live in the OS keychain ([`crate::services::keychain`]), and the page only ever sees a
//! masked client id and whether a secret is stored.

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager, Runtime};

use crate::services::json_file;

use crate::services::keychain::{self, Credential, KeychainError};
use crate::services::reason::{Reason, ReasonCode};

const FILE: &str = "profiles.json";
const PROFILES: &str = "profiles";
const ACTIVE: &str = "active";
/// The version of `profiles.json`: 1 adds this key (a file without it, written by
/// `tauri-plugin-store` in earlier releases, has the same shape and reads as is).
const FORMAT: &str = "format";
const FORMAT_VERSION: u64 = 1;
/// Id of the built-in embedded-sandbox profile.
pub const EMBEDDED_ID: &str = "embedded";

/// Where a profile leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProfileKind {
    /// The sandbox inside the app.
    Embedded,
    /// `https://sandbox.api.dinie.com.br/api/v3`
    DinieSandbox,
    /// `https://api.dinie.com.br/api/v3`
    Production,
    /// Any other base URL (a partner's own sandbox).
    Custom,
}

/// A profile as stored and as the page sees it: no secret in it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub id: String,
    pub name: String,
    pub kind: ProfileKind,
    pub base_url: String,
    /// `dinie_ci_test_…a1b2`
    pub masked_client_id: Option<String>,
    /// `test` or `live`, from the client id.
    pub environment: Option<String>,
    #[serde(default)]
    pub has_secret: bool,
}

impl Profile {
    /// The built-in profile of the embedded sandbox.
    pub fn embedded() -> Self {
        Self {
            id: EMBEDDED_ID.into(),
            name: "Sandbox embutido".into(),
            kind: ProfileKind::Embedded,
            base_url: String::new(),
            masked_client_id: None,
            environment: Some("test".into()),
            has_secret: false,
        }
    }

    /// Real borrowers: the production kind or a live client id. Switching to one asks first.
    pub fn is_live(&self) -> bool {
        self.kind == ProfileKind::Production || self.environment.as_deref() == Some("live")
    }
}

/// What the page sends to create or edit a profile. `client_id`/`client_secret` left empty on
/// an edit keep the stored ones, unless the edit changes where they would be sent (the kind or
/// the API's origin): then both must be typed again. `Debug` never shows the secret.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileInput {
    pub id: Option<String>,
    pub name: String,
    pub kind: ProfileKind,
    #[serde(default)]
    pub base_url: Option<String>,
    #[serde(default)]
    pub client_id: Option<String>,
    #[serde(default)]
    pub client_secret: Option<SecretString>,
}

/// Why a profile could not be saved or used.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// A field is wrong; the page shows why next to it.
    #[error("{field} is not valid: {reason}")]
    Invalid {
        /// `name`, `baseUrl`, `clientId` or `clientSecret`.
        field: &'static str,
        /// What is wrong.
        reason: Reason,
    },
    /// No such profile.
    #[error("this connection no longer exists")]
    NotFound,
    /// The built-in profile cannot be changed.
    #[error("the embedded sandbox cannot be edited or deleted")]
    BuiltIn,
    /// The keychain failed.
    #[error(transparent)]
    Keychain(#[from] KeychainError),
    /// The file could not be written.
    #[error("could not save the connection: {0}")]
    Store(#[from] std::io::Error),
    /// No folder for the app's data.
    #[error("could not find the app's data folder: {0}")]
    Folder(#[from] tauri::Error),
}

fn invalid(field: &'static str, code: ReasonCode) -> ProfileError {
    ProfileError::Invalid {
        field,
        reason: Reason::new(code),
    }
}

fn file<R: Runtime>(app: &AppHandle<R>) -> Result<std::path::PathBuf, tauri::Error> {
    Ok(app.path().app_data_dir()?.join(FILE))
}

/// What `profiles.json` holds (an empty document when there is none).
fn stored<R: Runtime>(app: &AppHandle<R>) -> serde_json::Map<String, serde_json::Value> {
    file(app)
        .ok()
        .and_then(|path| json_file::read(&path))
        .and_then(|v| match v {
            serde_json::Value::Object(map) => Some(map),
            _ => None,
        })
        .unwrap_or_default()
}

/// Changes one key of `profiles.json` and writes it.
fn store_key<R: Runtime>(
    app: &AppHandle<R>,
    key: &str,
    value: serde_json::Value,
) -> Result<(), ProfileError> {
    let mut doc = stored(app);
    doc.insert(key.to_owned(), value);
    doc.insert(FORMAT.to_owned(), FORMAT_VERSION.into());
    let path = file(app)?;
    crate::platform::private_dir(path.parent().unwrap_or(&path))?;
    json_file::write(&path, &serde_json::Value::Object(doc))?;
    Ok(())
}

/// Every profile, the embedded one first.
pub fn list<R: Runtime>(app: &AppHandle<R>) -> Vec<Profile> {
    let stored: Vec<Profile> = stored(app)
        .remove(PROFILES)
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default();
    std::iter::once(Profile::embedded()).chain(stored).collect()
}

/// One profile.
pub fn get<R: Runtime>(app: &AppHandle<R>, id: &str) -> Result<Profile, ProfileError> {
    list(app)
        .into_iter()
        .find(|p| p.id == id)
        .ok_or(ProfileError::NotFound)
}

/// The active profile's id (the embedded one unless another was chosen and still exists).
pub fn active_id<R: Runtime>(app: &AppHandle<R>) -> String {
    let chosen = stored(app)
        .remove(ACTIVE)
        .and_then(|v| v.as_str().map(str::to_owned));
    match chosen {
        Some(id) if list(app).iter().any(|p| p.id == id) => id,
        _ => EMBEDDED_ID.into(),
    }
}

/// Records the active profile.
pub fn set_active<R: Runtime>(app: &AppHandle<R>, id: &str) -> Result<(), ProfileError> {
    store_key(app, ACTIVE, id.into())
}

fn write<R: Runtime>(app: &AppHandle<R>, profiles: &[Profile]) -> Result<(), ProfileError> {
    let stored: Vec<&Profile> = profiles.iter().filter(|p| p.id != EMBEDDED_ID).collect();
    store_key(
        app,
        PROFILES,
        serde_json::to_value(stored).unwrap_or_default(),
    )
}

/// `dinie_ci_test_…a1b2`: the prefix up to the environment, then the last four characters.
pub fn mask_client_id(id: &str) -> String {
    let prefix_len = ["dinie_ci_test_", "dinie_ci_live_", "dinie_ci_"]
        .iter()
        .find(|p| id.starts_with(*p))
        .map(|p| p.len())
        .unwrap_or(0);
    let chars: Vec<char> = id.chars().collect();
    if chars.len() <= prefix_len + 4 {
        return format!("{}…", chars.iter().take(prefix_len).collect::<String>());
    }
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!(
        "{}…{tail}",
        chars.iter().take(prefix_len).collect::<String>()
    )
}

/// The base URL of a kind (the given one for custom), checked by the client's own rules
/// (https, or http only to a loopback address; a version segment).
fn base_url_for(kind: ProfileKind, given: Option<&str>) -> Result<String, ProfileError> {
    let url = match kind {
        ProfileKind::DinieSandbox => dinie::SANDBOX_URL.to_owned(),
        ProfileKind::Production => dinie::PRODUCTION_URL.to_owned(),
        ProfileKind::Custom => given
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .ok_or_else(|| invalid("baseUrl", ReasonCode::ConnectionUrlMissing))?
            .to_owned(),
        ProfileKind::Embedded => return Err(ProfileError::BuiltIn),
    };
    dinie::Config::new(&url, "probe", "probe").map_err(|_| {
        let plain_http = url.trim_start().to_ascii_lowercase().starts_with("http://");
        invalid(
            "baseUrl",
            if plain_http {
                ReasonCode::ConnectionUrlHttp
            } else {
                ReasonCode::ConnectionUrlInvalid
            },
        )
    })?;
    Ok(url)
}

/// Creates or edits a profile; secrets go to the keychain before anything is recorded.
pub fn save<R: Runtime>(app: &AppHandle<R>, input: ProfileInput) -> Result<Profile, ProfileError> {
    let mut profiles = list(app);
    let name = input.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 60 {
        return Err(invalid("name", ReasonCode::ConnectionNameLength));
    }
    let editing = input.id.clone();
    if editing.as_deref() == Some(EMBEDDED_ID) {
        return Err(ProfileError::BuiltIn);
    }
    if profiles
        .iter()
        .any(|p| p.name.eq_ignore_ascii_case(&name) && Some(&p.id) != editing.as_ref())
    {
        return Err(invalid("name", ReasonCode::ConnectionNameTaken));
    }
    let base_url = base_url_for(input.kind, input.base_url.as_deref())?;
    let client_id = input
        .client_id
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty());
    let secret = input
        .client_secret
        .filter(|s| !s.expose_secret().is_empty());
    if let Some(id) = &client_id {
        if id.chars().any(char::is_whitespace) || id.len() > 200 {
            return Err(invalid("clientId", ReasonCode::ConnectionClientIdInvalid));
        }
    }

    let (id, mut profile) = match &editing {
        Some(id) => {
            let existing = profiles
                .iter()
                .find(|p| &p.id == id)
                .cloned()
                .ok_or(ProfileError::NotFound)?;
            // The stored credentials go only where they were typed for: an edit that would
            // send them to another kind of API or another origin needs them typed again.
            let moved =
                existing.kind != input.kind || origin(&existing.base_url) != origin(&base_url);
            if moved && (client_id.is_none() || secret.is_none()) {
                let field = if client_id.is_none() {
                    "clientId"
                } else {
                    "clientSecret"
                };
                return Err(invalid(field, ReasonCode::ConnectionRetype));
            }
            (id.clone(), existing)
        }
        None => {
            if client_id.is_none() {
                return Err(invalid("clientId", ReasonCode::ConnectionClientIdMissing));
            }
            if secret.is_none() {
                return Err(invalid("clientSecret", ReasonCode::ConnectionSecretMissing));
            }
            let id = format!("p_{}", uuid::Uuid::new_v4().simple());
            let fresh = Profile {
                id: id.clone(),
                name: name.clone(),
                kind: input.kind,
                base_url: base_url.clone(),
                masked_client_id: None,
                environment: None,
                has_secret: false,
            };
            (id, fresh)
        }
    };
    if let Some(client_id) = &client_id {
        keychain::store(
            &id,
            Credential::ClientId,
            &SecretString::from(client_id.clone()),
        )?;
        profile.masked_client_id = Some(mask_client_id(client_id));
        profile.environment = dinie::Config::new(&base_url, client_id.as_str(), "x")
            .ok()
            .and_then(|c| c.environment().map(str::to_owned));
    }
    if let Some(secret) = &secret {
        keychain::store(&id, Credential::ClientSecret, secret)?;
        profile.has_secret = true;
    }
    profile.name = name;
    profile.kind = input.kind;
    profile.base_url = base_url;
    match profiles.iter_mut().find(|p| p.id == id) {
        Some(slot) => *slot = profile.clone(),
        None => profiles.push(profile.clone()),
    }
    write(app, &profiles)?;
    tracing::info!(profile = %profile.id, kind = ?profile.kind, "connection saved");
    Ok(profile)
}

/// The origin (scheme, host, port) of a base URL; the whole text when it is not one.
fn origin(url: &str) -> String {
    url::Url::parse(url)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_else(|_| url.to_owned())
}

/// Deletes a profile and its keychain entries; the embedded one becomes active if it was.
pub fn delete<R: Runtime>(app: &AppHandle<R>, id: &str) -> Result<(), ProfileError> {
    if id == EMBEDDED_ID {
        return Err(ProfileError::BuiltIn);
    }
    let mut profiles = list(app);
    let before = profiles.len();
    profiles.retain(|p| p.id != id);
    if profiles.len() == before {
        return Err(ProfileError::NotFound);
    }
    keychain::delete_profile(id)?;
    write(app, &profiles)?;
    if active_id(app) == EMBEDDED_ID {
        set_active(app, EMBEDDED_ID)?;
    }
    tracing::info!(profile = %id, "connection deleted");
    Ok(())
}

/// The profile's credentials from the keychain.
pub fn credentials(profile: &Profile) -> Result<(String, SecretString), ProfileError> {
    let id = keychain::load(&profile.id, Credential::ClientId)?
        .ok_or_else(|| invalid("clientId", ReasonCode::ConnectionClientIdNotStored))?;
    let secret = keychain::load(&profile.id, Credential::ClientSecret)?
        .ok_or_else(|| invalid("clientSecret", ReasonCode::ConnectionSecretNotStored))?;
    Ok((id.expose_secret().to_owned(), secret))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_is_not_in_debug_output() {
        let input: ProfileInput = serde_json::from_value(serde_json::json!({
            "name": "Produção", "kind": "production",
            "clientId": "dinie_ci_live_abc", "clientSecret": "dinie_cs_live_topsecret"
        }))
        .unwrap();
        let shown = format!("{input:?}");
        assert!(!shown.contains("topsecret"), "{shown}");
        assert_eq!(
            input.client_secret.as_ref().map(|s| s.expose_secret()),
            Some("dinie_cs_live_topsecret")
        );
    }

    #[test]
    fn origins_compare_scheme_host_and_port() {
        assert_eq!(
            origin("https://a.example/api/v3"),
            origin("https://a.example:443/v3")
        );
        assert_ne!(
            origin("https://a.example/api/v3"),
            origin("https://b.example/api/v3")
        );
        assert_ne!(
            origin("http://127.0.0.1:8080/api/v3"),
            origin("http://127.0.0.1:8081/api/v3")
        );
    }

    #[test]
    fn masks_client_ids() {
        assert_eq!(
            mask_client_id("dinie_ci_test_9f8e7d6c5b4aa1b2"),
            "dinie_ci_test_…a1b2"
        );
        assert_eq!(mask_client_id("dinie_ci_live_abc"), "dinie_ci_live_…");
        assert_eq!(mask_client_id("partner-client-123456"), "…3456");
    }

    #[test]
    fn base_urls_follow_the_rules() {
        assert_eq!(
            base_url_for(ProfileKind::Production, None).unwrap(),
            dinie::PRODUCTION_URL
        );
        assert!(base_url_for(ProfileKind::Custom, Some("http://127.0.0.1:9/api/v3")).is_ok());
        assert!(matches!(
            base_url_for(
                ProfileKind::Custom,
                Some("http://sandbox.partner.com/api/v3")
            ),
            Err(ProfileError::Invalid {
                field: "baseUrl",
                ..
            })
        ));
        assert!(base_url_for(ProfileKind::Custom, Some(" ")).is_err());
    }
}
