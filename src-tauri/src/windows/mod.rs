//! The app's windows, each with its own security policy.

pub mod biometrics;
pub mod main_window;
