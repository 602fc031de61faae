//! Domain services: what the commands call. They know Dinie and the app's data, not the page.

pub mod customer_detail;
pub mod customers;
pub mod diagnostics;
pub mod documents;
pub mod drafts;
pub mod follow;
pub mod profiles;
pub mod sealing;
pub mod settings;
pub mod sync;
