// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

/// On glibc the app's own allocations go to jemalloc (configured in `.cargo/config.toml`).
/// glibc gives every thread that allocates an arena of its own, up to eight per core, and keeps
/// the pages each arena once held: with 10,000 customers listed the app's process stayed at
/// 126 MiB, against 108 MiB with this (`make bench`, workspace). GTK's and WebKit's own C
/// allocations stay with glibc.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() {
    dinie_desk::platform::prepare_environment();
    dinie_desk::platform::forbid_core_dumps();
    if let Err(e) = dinie_desk::run(tauri::Builder::default()) {
        eprintln!("Dinie Desk could not start: {e}");
        std::process::exit(1);
    }
}
