//! Per-platform set-up that must happen before the windowing toolkit starts, and the process's
//! own hardening: no core dumps, private folders.

use std::path::Path;

/// On Linux, WebKitGTK's DMA-BUF renderer leaves a blank window on many NVIDIA and some
/// Wayland setups (tauri-apps/tauri #9394, #13885; WebKit bug 261874). Like other Tauri apps we
/// turn it off, unless the user chose otherwise. Runs first thing in `main`, before any thread
/// starts.
pub fn prepare_environment() {
    #[cfg(target_os = "linux")]
    if std::env::var_os("WEBKIT_DISABLE_DMABUF_RENDERER").is_none() {
        std::env::set_var("WEBKIT_DISABLE_DMABUF_RENDERER", "1");
    }
}

/// The process holds decrypted drafts, ID photos and tokens in memory: it must not be dumped
/// to disk when it crashes (apport, systemd-coredump), nor be readable by a debugger of the
/// same user that was not its parent. Best effort: a refusal is reported on stderr (this runs
/// before logging starts), not fatal.
pub fn forbid_core_dumps() {
    #[cfg(unix)]
    {
        use rustix::process::{setrlimit, Resource, Rlimit};
        let none = Rlimit {
            current: Some(0),
            maximum: Some(0),
        };
        if let Err(e) = setrlimit(Resource::Core, none) {
            eprintln!("could not turn core dumps off: {e}");
        }
        #[cfg(any(target_os = "linux", target_os = "android"))]
        if let Err(e) =
            rustix::process::set_dumpable_behavior(rustix::process::DumpableBehavior::NotDumpable)
        {
            eprintln!("could not mark the process as not dumpable: {e}");
        }
    }
}

/// Moves what an earlier release kept in `from` (on Windows, the roaming profile) into `to`
/// (the machine's local data: SQLite in WAL mode must not sit on a redirected network folder),
/// for each of `names` that is in `from` and not yet in `to`. The same folder on Linux and
/// macOS: nothing to do there.
pub fn move_to_local(from: &Path, to: &Path, names: &[&str]) -> std::io::Result<()> {
    if from == to {
        return Ok(());
    }
    private_dir(to)?;
    for name in names {
        let (old, new) = (from.join(name), to.join(name));
        if old.exists() && !new.exists() {
            std::fs::rename(&old, &new)?;
        }
    }
    Ok(())
}

/// Creates `dir` (and its parents) readable by this user only (0700 on Unix): the drafts, the
/// logs and the embedded sandbox's data are nobody else's business.
pub fn private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_earlier_releases_data_move_to_the_local_folder_once() {
        let dir = tempfile::tempdir().unwrap();
        let (roaming, local) = (dir.path().join("Roaming"), dir.path().join("Local"));
        std::fs::create_dir_all(roaming.join("drafts")).unwrap();
        std::fs::write(roaming.join("drafts/drafts.db"), b"db").unwrap();
        std::fs::write(roaming.join("embedded-sandbox.db"), b"sb").unwrap();
        move_to_local(
            &roaming,
            &local,
            &["drafts", "embedded-sandbox.db", "absent"],
        )
        .unwrap();
        assert_eq!(
            std::fs::read(local.join("drafts/drafts.db")).unwrap(),
            b"db"
        );
        assert!(!roaming.join("drafts").exists());
        // A later start finds them there and moves nothing over them.
        std::fs::create_dir_all(roaming.join("drafts")).unwrap();
        move_to_local(&roaming, &local, &["drafts"]).unwrap();
        assert!(local.join("drafts/drafts.db").exists());
        move_to_local(&local, &local, &["drafts"]).unwrap();
    }
}
