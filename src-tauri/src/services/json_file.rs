//! A small JSON document on disk (the connections) written so that a crash, a power cut or a
//! full disk never loses it: the new text goes to a temporary file, is flushed, and replaces
//! the old one by a rename; the version before is kept as `<name>.bak`, read when the file is
//! missing, empty or does not parse (a file written in place by an earlier release and cut
//! short).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde_json::Value;

/// One writer at a time in this process (two edits of connections at once must not interleave).
static WRITING: Mutex<()> = Mutex::new(());

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

/// The backup kept beside `path`.
pub fn backup_of(path: &Path) -> PathBuf {
    with_suffix(path, ".bak")
}

fn parse(path: &Path) -> Option<Value> {
    let text = std::fs::read(path).ok()?;
    serde_json::from_slice::<Value>(&text)
        .ok()
        .filter(Value::is_object)
}

/// The document at `path`, or its backup when it is unreadable; `None` when neither is there.
pub fn read(path: &Path) -> Option<Value> {
    if let Some(v) = parse(path) {
        return Some(v);
    }
    let backup = parse(&backup_of(path));
    if backup.is_some() && path.exists() {
        tracing::warn!(file = %path.display(), "a damaged file was replaced by its backup");
    }
    backup
}

/// Writes `value` to `path` atomically, keeping the current file (when sound) as the backup.
pub fn write(path: &Path, value: &Value) -> std::io::Result<()> {
    let _one = WRITING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let text = serde_json::to_vec_pretty(value).map_err(std::io::Error::other)?;
    let tmp = with_suffix(path, ".tmp");
    {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(&text)?;
        file.sync_all()?;
    }
    if parse(path).is_some() {
        std::fs::copy(path, backup_of(path))?;
    }
    std::fs::rename(&tmp, path)?;
    if let Some(dir) = path.parent() {
        // The rename itself made durable (on Unix a directory can be synced; elsewhere this
        // is a no-op that may fail harmlessly).
        let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_short_file_is_read_from_its_backup_and_writes_keep_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("profiles.json");
        assert_eq!(read(&path), None);
        write(&path, &serde_json::json!({ "n": 1 })).unwrap();
        write(&path, &serde_json::json!({ "n": 2 })).unwrap();
        assert_eq!(read(&path).unwrap()["n"], 2);
        assert_eq!(parse(&backup_of(&path)).unwrap()["n"], 1);
        // A crash of an in-place writer, or a full disk: the file is cut short.
        std::fs::write(&path, b"{\"n\": 3, \"prof").unwrap();
        assert_eq!(read(&path).unwrap()["n"], 1);
        std::fs::write(&path, b"").unwrap();
        assert_eq!(read(&path).unwrap()["n"], 1);
        // The next write does not make the damaged file the backup.
        write(&path, &serde_json::json!({ "n": 4 })).unwrap();
        assert_eq!(parse(&backup_of(&path)).unwrap()["n"], 1);
        assert!(!dir.path().join("profiles.json.tmp").exists());
    }
}
