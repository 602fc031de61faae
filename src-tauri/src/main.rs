// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    dinie_desk::platform::prepare_environment();
    dinie_desk::platform::forbid_core_dumps();
    if let Err(e) = dinie_desk::run(tauri::Builder::default()) {
        eprintln!("Dinie Desk could not start: {e}");
        std::process::exit(1);
    }
}
