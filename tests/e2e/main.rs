//! End-to-end tests: the real app window, clicked and typed into as an agent would.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod agent_day;
mod documents;
mod drafts;
mod harness;
mod profiles;
mod resilience;
mod security;
mod shell;
mod workspace;
