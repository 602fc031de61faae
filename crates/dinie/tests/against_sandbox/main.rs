//! `crates/dinie` against the real sandbox over loopback HTTP: no HTTP mocks. Where a test needs
//! a server misbehaving in ways Dinie does (503s, 429s, garbage), a tiny axum server stands in.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod util;

mod auth;
mod biometrics_and_offers;
mod customers;
mod kyc;
mod pagination;
mod persistence;
mod retries;
mod webhooks;
