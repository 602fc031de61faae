//! The app's background loops: each runs until the app exits, uses services, and tells the
//! page through [`crate::events`] and the desktop through [`crate::notify`].

pub mod follow;
pub mod outbox;
