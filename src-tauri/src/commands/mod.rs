//! The commands the page may invoke, and nothing else: each parses its arguments, calls one
//! service and maps the error to a [`CommandError`](error::CommandError). The list lives three
//! times, by Tauri's design: here (the handlers, registered in `lib.rs`), in `build.rs` (the
//! permissions) and in `capabilities/main.json` (the grants); a test keeps them equal.

pub mod app;
pub mod biometrics;
pub mod connections;
pub mod customers;
pub mod documents;
pub mod drafts;
pub mod error;
