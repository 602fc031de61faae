//! Files the agent chose. The native picker and a native drop hand their paths to Rust, which
//! keeps them and gives the page an opaque token for each; every command that reads a file
//! takes a token, never a path. So a script in the page (a future bug, a tampered module) cannot
//! make the app read, upload or preview a file the agent did not choose, nor probe for one.
//! Network and device paths (`\\server\share`, `\\?\…`, `\\.\…`) are refused outright: opening
//! one would already talk to another machine.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::Serialize;

use crate::locks::lock;

/// A chosen file, as the page knows it.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Picked {
    /// What the page sends back to mean this file.
    pub token: String,
    /// The file name (shown to the agent).
    pub name: String,
    pub size: u64,
}

/// Why a token or a path is refused.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PickError {
    /// The token names no file the agent chose.
    #[error("this file was not chosen with the file picker or dropped on the window")]
    NotPicked,
    /// A path the app does not open (network, device, relative, not a file).
    #[error("{0}")]
    Refused(String),
}

/// The files chosen in this run, by token.
#[derive(Default)]
pub struct PickedFiles(Mutex<HashMap<String, PathBuf>>);

impl PickedFiles {
    /// Keeps `path` (after the checks above) and returns its token.
    pub fn register(&self, path: PathBuf) -> Result<Picked, PickError> {
        check_local(&path)?;
        let meta = std::fs::metadata(&path)
            .map_err(|e| PickError::Refused(format!("{}: {e}", path.display())))?;
        if !meta.is_file() {
            return Err(PickError::Refused(format!(
                "{} is not a file",
                path.display()
            )));
        }
        let picked = Picked {
            token: uuid::Uuid::new_v4().simple().to_string(),
            name: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            size: meta.len(),
        };
        lock(&self.0).insert(picked.token.clone(), path);
        Ok(picked)
    }

    /// Keeps every path that passes the checks (the others are logged and left out).
    pub fn register_all(&self, paths: impl IntoIterator<Item = PathBuf>) -> Vec<Picked> {
        paths
            .into_iter()
            .filter_map(|p| match self.register(p) {
                Ok(picked) => Some(picked),
                Err(e) => {
                    tracing::info!(error = %e, "a chosen file was left out");
                    None
                }
            })
            .collect()
    }

    /// The file a token stands for.
    pub fn path(&self, token: &str) -> Result<PathBuf, PickError> {
        lock(&self.0)
            .get(token)
            .cloned()
            .ok_or(PickError::NotPicked)
    }

    /// The files several tokens stand for, in order.
    pub fn paths(&self, tokens: &[String]) -> Result<Vec<PathBuf>, PickError> {
        tokens.iter().map(|t| self.path(t)).collect()
    }
}

/// Refuses paths that are not plain local files: relative ones, and on any platform the
/// network (UNC) and device namespaces of Windows.
fn check_local(path: &Path) -> Result<(), PickError> {
    let text = path.to_string_lossy();
    if text.starts_with("\\\\") || text.starts_with("//") {
        return Err(PickError::Refused(format!(
            "{text} is on the network or a device; copy it to this computer first"
        )));
    }
    #[cfg(windows)]
    if let Some(std::path::Component::Prefix(prefix)) = path.components().next() {
        use std::path::Prefix;
        if !matches!(prefix.kind(), Prefix::Disk(_) | Prefix::VerbatimDisk(_)) {
            return Err(PickError::Refused(format!(
                "{text} is on the network or a device; copy it to this computer first"
            )));
        }
    }
    if !path.is_absolute() {
        return Err(PickError::Refused(format!("{text} is not a full path")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_chosen_local_files_get_a_token() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("cnh.pdf");
        std::fs::write(&file, b"%PDF-1.4").unwrap();
        let picked = PickedFiles::default();
        let token = picked.register(file.clone()).unwrap();
        assert_eq!((token.name.as_str(), token.size), ("cnh.pdf", 8));
        assert_eq!(picked.path(&token.token).unwrap(), file);
        assert_eq!(picked.path("/etc/hostname"), Err(PickError::NotPicked));
        for refused in [
            PathBuf::from(r"\\evil\share\a.pdf"),
            PathBuf::from("//evil/share/a.pdf"),
            PathBuf::from("relative.pdf"),
            dir.path().to_path_buf(),
            dir.path().join("missing.pdf"),
        ] {
            assert!(
                matches!(picked.register(refused.clone()), Err(PickError::Refused(_))),
                "{}",
                refused.display()
            );
        }
    }
}
