//! Per-platform set-up that must happen before the windowing toolkit starts.

/// On Linux, WebKitGTK's DMA-BUF renderer leaves a blank window on many NVIDIA and some
/// Wayland setups (tauri-apps/tauri #9394, #13885; WebKit bug 261874). Like other Tauri apps we
/// turn it off, unless the user chose otherwise. Runs first thing in `main`, before any thread
/// starts.
pub fn prepare_environment() {
    #[cfg(target_os = "linux")]
    if std::env::var_os("WEBKIT_DISABLE_DMABUF_RENDERER").is_none() {
        std::env::set_var("WEBKIT_DISABLE_DMABUF_RENDERER", "1");
    }
}
