//! Windows the app opens besides its main one, each with its own security policy.

pub mod biometrics;
