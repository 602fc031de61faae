//! Domain services: what the commands call. They know Dinie and the app's data, not the page.

pub mod customers;
pub mod diagnostics;
pub mod profiles;
pub mod settings;
