//! Dinie's official Python SDK (`dinie-sdk-sandbox`, pinned in `tests/sdk/requirements.txt`)
//! drives a partner's whole flow against the sandbox binary: `tests/sdk/python_flow.py`.
//!
//! The interpreter is the one of the virtual environment `make test` prepares (`.venv` at the
//! workspace root, or `$DINIE_SDK_VENV`). Without it the test fails and says how to make one: a
//! conformance check that silently skips would prove nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::Command;

#[path = "venv.rs"]
mod venv;

#[test]
fn the_official_python_sdk_runs_a_partners_whole_flow() {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/sdk/python_flow.py");
    let out = Command::new(venv::tool("python"))
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_dinie-sandbox"))
        .output()
        .expect("python runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the SDK flow failed:\n{stdout}\n{stderr}"
    );
    assert!(
        stdout.contains("the official Python SDK's flow passed"),
        "{stdout}"
    );
}
