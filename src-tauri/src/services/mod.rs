//! Domain services: what the commands and the workers call. They know Dinie and the app's
//! data, not the page: no commands and no events here (what the page must hear goes
//! out on channels that the layers above subscribe to: [`connection::Connections::subscribe`],
//! [`drafts::outbox::Outbox::changed`]). Tauri appears only where a plugin or the runtime needs
//! it (`tauri-plugin-store` for settings and profiles, the async runtime for uploads).

pub mod activation;
pub mod biometrics;
pub mod connection;
pub mod customer_detail;
pub mod customer_index;
pub mod customer_open;
pub mod customers;
pub mod diagnostics;
pub mod documents;
pub mod drafts;
pub mod evidence;
pub mod follow;
pub mod json_file;
pub mod keychain;
pub mod pdf;
pub mod picked;
pub mod pickers;
pub mod profiles;
pub mod reason;
pub mod settings;
pub mod startup;
pub mod text;
