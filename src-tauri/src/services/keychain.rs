//! The OS keychain (`keyring`: Secret Service on Linux, Keychain on macOS, Credential Manager on
//! Windows): where a profile's client id and secret live. There is no plaintext fallback: a
//! keychain that is missing or locked is an error that says how to fix it.

use secrecy::{ExposeSecret, SecretString};

/// Service name under which every entry is stored.
pub const SERVICE: &str = "br.com.dinie.desk";

/// Why the keychain could not be used.
#[derive(Debug, thiserror::Error)]
pub enum KeychainError {
    /// No keychain, or it is locked.
    #[error("{}", unavailable_message())]
    Unavailable(String),
    /// Anything else the keychain said.
    #[error("the system keychain failed: {0}")]
    Failed(String),
}

fn unavailable_message() -> &'static str {
    if cfg!(target_os = "linux") {
        "The system keychain is locked or not running. Unlock the \"login\" keyring (GNOME Keyring or KWallet: log out and in, or open \"Passwords and Keys\"), then try again."
    } else if cfg!(target_os = "macos") {
        "The macOS Keychain is locked. Unlock it in Keychain Access, then try again."
    } else {
        "The Windows Credential Manager is not available. Sign in to Windows again, then try again."
    }
}

impl From<keyring::Error> for KeychainError {
    fn from(e: keyring::Error) -> Self {
        match e {
            keyring::Error::NoStorageAccess(inner) | keyring::Error::PlatformFailure(inner) => {
                KeychainError::Unavailable(inner.to_string())
            }
            other => KeychainError::Failed(other.to_string()),
        }
    }
}

/// Which credential of a profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    /// `dinie_ci_…`
    ClientId,
    /// `dinie_cs_…`
    ClientSecret,
}

impl Credential {
    fn account(self, profile_id: &str) -> String {
        match self {
            Credential::ClientId => format!("{profile_id}:client_id"),
            Credential::ClientSecret => format!("{profile_id}:client_secret"),
        }
    }
}

fn entry(profile_id: &str, which: Credential) -> Result<keyring::Entry, KeychainError> {
    Ok(keyring::Entry::new(SERVICE, &which.account(profile_id))?)
}

/// The account of the key that encrypts drafts at rest.
pub const DRAFTS_KEY: &str = "drafts:key";

/// Stores an app secret under its own account name (replacing any earlier one).
pub fn store_named(account: &str, value: &SecretString) -> Result<(), KeychainError> {
    keyring::Entry::new(SERVICE, account)?.set_password(value.expose_secret())?;
    Ok(())
}

/// Reads an app secret stored with [`store_named`]; `None` when there is none.
pub fn load_named(account: &str) -> Result<Option<SecretString>, KeychainError> {
    match keyring::Entry::new(SERVICE, account)?.get_password() {
        Ok(v) => Ok(Some(SecretString::from(v))),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Stores a credential (replacing any earlier one).
pub fn store(
    profile_id: &str,
    which: Credential,
    value: &SecretString,
) -> Result<(), KeychainError> {
    store_named(&which.account(profile_id), value)
}

/// Reads a credential; `None` when none is stored.
pub fn load(profile_id: &str, which: Credential) -> Result<Option<SecretString>, KeychainError> {
    load_named(&which.account(profile_id))
}

/// Deletes both credentials of a profile (absent ones are fine).
pub fn delete_profile(profile_id: &str) -> Result<(), KeychainError> {
    for which in [Credential::ClientId, Credential::ClientSecret] {
        match entry(profile_id, which)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}
