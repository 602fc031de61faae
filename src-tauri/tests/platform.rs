//! The process's own hardening, checked on the running test process.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[cfg(target_os = "linux")]
#[test]
fn no_core_dump_and_not_dumpable() {
    dinie_desk::platform::forbid_core_dumps();
    let core = rustix::process::getrlimit(rustix::process::Resource::Core);
    assert_eq!(core.current, Some(0));
    assert_eq!(
        rustix::process::dumpable_behavior().unwrap(),
        rustix::process::DumpableBehavior::NotDumpable
    );
}

#[cfg(unix)]
#[test]
fn private_folders_are_0700() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("a/b/logs");
    dinie_desk::platform::private_dir(&logs).unwrap();
    assert_eq!(
        std::fs::metadata(&logs).unwrap().permissions().mode() & 0o777,
        0o700
    );
}
