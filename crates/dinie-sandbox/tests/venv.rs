//! The virtual environment with Dinie's Python SDK and schemathesis (see `sdk/requirements.txt`),
//! made by `scripts/prerequisites.sh test`.

use std::path::PathBuf;

/// A program of the environment (`python`, `st`); panics, saying how to make it, when absent.
pub fn tool(name: &str) -> PathBuf {
    let venv = std::env::var_os("DINIE_SDK_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.venv"));
    let path = venv.join("bin").join(name);
    assert!(
        path.exists(),
        "{} is missing: run `scripts/prerequisites.sh test` (it makes .venv from crates/dinie-sandbox/tests/sdk/requirements.txt) or set DINIE_SDK_VENV",
        path.display()
    );
    path
}
