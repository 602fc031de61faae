//! [`App`]: one test's world and the WebDriver session on the app's main window.

use std::future::Future;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use futures_util::FutureExt;
use serde_json::json;

use crate::processes::{self, Managed};

/// How long a wait for the page may take before the test fails.
const WAIT: Duration = Duration::from_secs(20);

/// Where screenshots go: `target/e2e-artifacts/`.
pub fn artifacts_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/e2e-artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The app binary under test: `DINIE_DESK_BIN`, or the debug build.
pub fn app_binary() -> PathBuf {
    let path = std::env::var_os("DINIE_DESK_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/debug/dinie-desk")
        });
    assert!(
        path.exists(),
        "{} is missing: build it with `cargo build -p dinie-desk` (make test does)",
        path.display()
    );
    path
}

/// A running app in its own world. Dropping it stops the app and every helper process.
pub struct App {
    /// The WebDriver session on the main window.
    pub driver: Client,
    display: String,
    env: Vec<(String, String)>,
    home: tempfile::TempDir,
    port: u16,
    // Shared with `run`, which keeps the world up until it has captured a failure.
    world: std::sync::Arc<Vec<Managed>>,
}

impl App {
    /// Starts the world and the app, and waits until its page is ready.
    pub async fn launch() -> App {
        Self::launch_with(true).await
    }

    /// Like [`launch`](Self::launch); `keyring: false` leaves the world without an unlocked
    /// Secret Service (as on a desktop whose keyring is locked or missing).
    pub async fn launch_with(keyring: bool) -> App {
        let home = tempfile::Builder::new()
            .prefix("dinie-e2e-")
            .tempdir()
            .unwrap();
        Self::launch_in(home, keyring).await
    }

    async fn launch_in(home: tempfile::TempDir, with_keyring: bool) -> App {
        let (env, helpers) = processes::world(home.path(), with_keyring);
        let logs = home.path().join("logs");
        let [port, native_port] = processes::free_ports::<2>();
        let mut cmd = Command::new(tauri_driver());
        cmd.args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native_port.to_string(),
        ])
        .envs(env.iter().map(|(k, v)| (k, v)));
        let driver_log = logs.join("tauri-driver.log");
        let mut driver_process = Managed::spawn("tauri-driver", cmd, &driver_log);
        processes::wait_until("tauri-driver", Duration::from_secs(15), || {
            TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
        driver_process.assert_running(&driver_log);

        let driver = open_session(port, &driver_log).await;
        let display = env[0].1.clone();
        let app = App {
            driver,
            display,
            env,
            home,
            port,
            // Stopped in reverse order of start: driver (and app), keyring, bus, display.
            world: std::sync::Arc::new(std::iter::once(driver_process).chain(helpers).collect()),
        };
        app.wait_for("body[data-ready='true']").await;
        app
    }

    /// Runs `body` on a fresh app; on failure saves a screenshot named `name` and fails.
    pub async fn run<F, Fut>(name: &str, body: F)
    where
        F: FnOnce(App) -> Fut,
        Fut: Future<Output = App>,
    {
        Self::run_in(name, App::launch().await, body).await
    }

    /// [`run`](Self::run) in a world without an unlocked keyring.
    pub async fn run_without_keyring<F, Fut>(name: &str, body: F)
    where
        F: FnOnce(App) -> Fut,
        Fut: Future<Output = App>,
    {
        Self::run_in(name, App::launch_with(false).await, body).await
    }

    async fn run_in<F, Fut>(name: &str, app: App, body: F)
    where
        F: FnOnce(App) -> Fut,
        Fut: Future<Output = App>,
    {
        let display = app.display.clone();
        let logs = app.home.path().join("logs");
        let world = app.world.clone();
        let outcome = std::panic::AssertUnwindSafe(body(app)).catch_unwind().await;
        match outcome {
            Ok(app) => app.close().await,
            Err(panic) => {
                let file = artifacts_dir().join(format!("{name}-failure.png"));
                if capture(&display, &file) {
                    eprintln!("screenshot of the failure: {}", file.display());
                }
                for log in ["tauri-driver.log", "keyring.log"] {
                    eprintln!(
                        "--- {log}\n{}",
                        std::fs::read_to_string(logs.join(log)).unwrap_or_default()
                    );
                }
                // Only now may the display and the rest of the world stop.
                drop(world);
                std::panic::resume_unwind(panic);
            }
        }
    }

    /// Ends the WebDriver session (closing the app), then stops the world.
    pub async fn close(self) {
        let _ = self.driver.clone().close().await;
    }

    /// The environment the app runs in (DISPLAY, D-Bus, HOME, XDG folders).
    pub fn env(&self) -> &[(String, String)] {
        &self.env
    }

    /// The app's data folder (`$XDG_DATA_HOME/br.com.dinie.desk`).
    pub fn data_dir(&self) -> PathBuf {
        self.home.path().join("data/br.com.dinie.desk")
    }

    /// Waits for an element matching `css` to exist.
    pub async fn wait_for(&self, css: &str) -> Element {
        self.driver
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element {css}: {e}"))
    }

    /// Waits until the text of `css` contains `text`; returns the whole text.
    pub async fn wait_for_text(&self, css: &str, text: &str) -> String {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            if let Ok(el) = self.driver.find(Locator::Css(css)).await {
                // WebKitWebDriver reports no text for some elements it lays out inside
                // transformed containers (the virtual list); their textContent is right.
                let shown = match el.text().await {
                    Ok(t) if !t.is_empty() => Ok(t),
                    _ => el.prop("textContent").await.map(|t| t.unwrap_or_default()),
                };
                if let Ok(t) = shown {
                    if t.contains(text) {
                        return t;
                    }
                    assert!(
                        tokio::time::Instant::now() < deadline,
                        "{css} says {t:?}, not {text:?}"
                    );
                }
            }
            assert!(tokio::time::Instant::now() < deadline, "no element {css}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Clicks the element matching `css` (again, if the page re-rendered it meanwhile).
    pub async fn click(&self, css: &str) {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let found = self
                .driver
                .wait()
                .at_most(WAIT)
                .for_element(Locator::Css(css))
                .await;
            self.scroll_into_view(css).await;
            let clicked = match found {
                Ok(el) => el.click().await.map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            match clicked {
                Ok(()) => return,
                Err(e)
                    // The page re-rendered the element between finding and clicking it
                    // (WebKit says "stale", that the node "was not found", or nothing at all
                    // when the node went away while the click was being dispatched).
                    if (e.to_lowercase().contains("stale")
                        || e.contains("was not found")
                        || e.trim_end().ends_with("error:"))
                        && tokio::time::Instant::now() < deadline =>
                {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(e) => panic!("could not click {css}: {e}"),
            }
        }
    }

    /// Replaces the value of an input with `text`, typing it as an agent would.
    pub async fn fill(&self, css: &str, text: &str) {
        let input = self.wait_for(css).await;
        self.scroll_into_view(css).await;
        input
            .clear()
            .await
            .unwrap_or_else(|e| panic!("could not clear {css}: {e}"));
        if text.is_empty() {
            return;
        }
        input
            .send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("could not type into {css}: {e}"));
    }

    async fn scroll_into_view(&self, css: &str) {
        let js = format!("document.querySelector({css:?})?.scrollIntoView({{block: 'center'}})");
        self.script(&js).await;
    }

    /// Chooses the option with `value` in a select.
    pub async fn select(&self, css: &str, value: &str) {
        self.wait_for(css)
            .await
            .select_by_value(value)
            .await
            .unwrap();
    }

    /// The text of the newest toast.
    pub async fn toast(&self) -> String {
        self.wait_for_text(".toast:last-child", "").await
    }

    /// Runs JavaScript in the page and returns its (JSON) result.
    pub async fn script(&self, js: &str) -> serde_json::Value {
        self.driver
            .execute(js, vec![])
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{js}"))
    }

    /// Runs asynchronous JavaScript; the script calls `arguments[0](result)` when done.
    pub async fn script_async(&self, js: &str) -> serde_json::Value {
        self.driver
            .execute_async(js, vec![])
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{js}"))
    }

    /// Invokes an app command as the page does; returns its answer, or `{"error": …}`.
    pub async fn invoke(&self, command: &str, args: serde_json::Value) -> serde_json::Value {
        let js = format!(
            "const done = arguments[0]; window.__TAURI_INTERNALS__.invoke({command:?}, {args}).then((v) => done(v ?? null), (e) => done({{ error: e }}));"
        );
        self.script_async(&js).await
    }

    /// Saves a screenshot of the window to `target/e2e-artifacts/{name}.png`.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let file = artifacts_dir().join(format!("{name}.png"));
        assert!(
            capture(&self.display, &file),
            "could not capture {}",
            file.display()
        );
        file
    }
}

/// Captures the X display to a PNG. WebKitWebDriver's own screenshot command never answers
/// under Xvfb (measured with WebKitGTK 2.50 on Debian 12), so the harness reads the screen.
fn capture(display: &str, file: &Path) -> bool {
    Command::new("import")
        .args([
            "-display",
            display,
            "-window",
            "root",
            &file.display().to_string(),
        ])
        .status()
        .is_ok_and(|s| s.success())
}

async fn open_session(port: u16, driver_log: &Path) -> Client {
    // WebKitWebDriver, started by tauri-driver for the session, is occasionally not listening
    // yet on the first try.
    for _ in 0..2 {
        if let Ok(client) = try_open_session(port).await {
            return client;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    try_open_session(port).await.unwrap_or_else(|e| {
        let log = std::fs::read_to_string(driver_log).unwrap_or_default();
        panic!("could not open a WebDriver session: {e}\n{log}")
    })
}

async fn try_open_session(port: u16) -> Result<Client, fantoccini::error::NewSessionError> {
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), json!("wry"));
    caps.insert(
        "tauri:options".into(),
        json!({ "application": app_binary() }),
    );
    // WebDriver speaks plain HTTP on loopback: no TLS stack needed.
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
}

fn tauri_driver() -> PathBuf {
    if let Some(p) = std::env::var_os("TAURI_DRIVER") {
        return PathBuf::from(p);
    }
    let cargo_bin = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .map(|c| c.join("bin/tauri-driver"));
    match cargo_bin {
        Some(p) if p.exists() => p,
        _ => PathBuf::from("tauri-driver"),
    }
}

impl App {
    /// The titles of this world's X windows (`xwininfo -root -tree`): windows WebDriver cannot
    /// see, such as the capture window in its own private browsing context.
    pub fn window_titles(&self) -> String {
        let out = Command::new("xwininfo")
            .args(["-root", "-tree"])
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Presses `key` (an X keysym, `Return`) in the top-level window whose title contains
    /// `title`, as a person at the keyboard would: for windows WebDriver cannot reach (the
    /// capture window's private browsing context). False when no such window exists.
    pub fn press_in_window(&self, title: &str, key: &str) -> bool {
        let env = || self.env.iter().map(|(k, v)| (k, v));
        let found = Command::new("xdotool")
            .args(["search", "--name", title])
            .envs(env())
            .output()
            .unwrap();
        let ids = String::from_utf8_lossy(&found.stdout).into_owned();
        let mut pressed = false;
        for id in ids.split_whitespace() {
            let ok = Command::new("xdotool")
                .args(["windowfocus", "--sync", id, "key", "--clearmodifiers", key])
                .envs(env())
                .status()
                .is_ok_and(|s| s.success());
            pressed |= ok;
        }
        pressed
    }

    /// Picks `paths` as the agent would in the native file dialog; returns the chosen files as
    /// the page gets them (`[{token, name, size}]`).
    pub async fn pick(&self, paths: &[&str]) -> serde_json::Value {
        self.queue_picks(paths);
        let picked = self.invoke("pick_documents", serde_json::json!({})).await;
        assert!(picked.is_array(), "{picked}");
        picked
    }

    /// Makes a program that writes down each link it is given the world's handler of `mailto:`
    /// and `https:` links (as a desktop's mail client and browser are); returns where it writes.
    pub fn record_links(&self) -> PathBuf {
        let env = |name: &str| {
            self.env()
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| std::path::PathBuf::from(v))
                .unwrap()
        };
        let (data, config) = (env("XDG_DATA_HOME"), env("XDG_CONFIG_HOME"));
        let opened = data.join("opened-links.txt");
        let script = data.join("record-link.sh");
        std::fs::write(
            &script,
            format!(
                "#!/bin/sh\nprintf '%s\\n' \"$1\" >> '{}'\n",
                opened.display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .unwrap();
        std::fs::create_dir_all(data.join("applications")).unwrap();
        std::fs::write(
            data.join("applications/record-link.desktop"),
            format!(
                "[Desktop Entry]\nType=Application\nName=Record link\nExec={} %u\nMimeType=x-scheme-handler/mailto;x-scheme-handler/https;\nNoDisplay=true\n",
                script.display()
            ),
        )
        .unwrap();
        std::fs::write(
            config.join("mimeapps.list"),
            "[Default Applications]\nx-scheme-handler/mailto=record-link.desktop\nx-scheme-handler/https=record-link.desktop\n",
        )
        .unwrap();
        opened
    }

    /// Answers the next file dialog the page opens as the agent would, with `paths`.
    pub fn queue_picks(&self, paths: &[&str]) {
        std::fs::write(self.home.path().join("picks.txt"), paths.join("\n")).unwrap();
    }

    /// Answers the next save dialog as the agent would, with `path`.
    pub fn save_to(&self, path: &std::path::Path) {
        std::fs::write(
            self.home.path().join("saves.txt"),
            path.display().to_string(),
        )
        .unwrap();
    }

    /// Picks one CSV as the agent would; returns it as the page gets it (`{token, name, size}`).
    pub async fn pick_csv(&self, path: &str) -> serde_json::Value {
        std::fs::write(self.home.path().join("picks.txt"), path).unwrap();
        let picked = self.invoke("pick_csv", serde_json::json!({})).await;
        assert!(picked["token"].is_string(), "{picked}");
        picked
    }
}

impl App {
    /// Runs `secret-tool` in the app's world (its D-Bus and keyring); returns stdout.
    pub fn secret_tool(&self, args: &[&str]) -> String {
        let out = Command::new("secret-tool")
            .args(args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

impl App {
    /// Launches the app binary a second time in this world (as a second double click would)
    /// and waits up to `within` for it to exit; `None` when it is still running then (killed).
    pub fn launch_second(&self, within: std::time::Duration) -> Option<std::process::ExitStatus> {
        let mut child = Command::new(app_binary())
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let started = std::time::Instant::now();
        while started.elapsed() < within {
            if let Some(status) = child.try_wait().unwrap() {
                return Some(status);
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let _ = child.kill();
        let _ = child.wait();
        None
    }

    /// Quits the app and starts it again in the same world (same data, same keychain).
    pub async fn restart(mut self) -> App {
        let _ = self.driver.clone().close().await;
        let log = self.home.path().join("logs/tauri-driver.log");
        self.driver = open_session(self.port, &log).await;
        self.wait_for("body[data-ready='true']").await;
        self
    }

    /// Kills the app process with SIGKILL (as a power cut would stop it), leaving the world up
    /// for [`restart`](Self::restart).
    pub fn kill_app(&self) {
        assert_eq!(
            self.kill_world_process("dinie-desk"),
            1,
            "exactly one app process of this world"
        );
    }

    /// Stops this world's keyring daemon: from then on the app finds no Secret Service, as on a
    /// desktop whose keyring is locked or gone.
    pub fn stop_keyring(&self) {
        assert_eq!(
            self.kill_world_process("gnome-keyring-daemon"),
            1,
            "exactly one keyring of this world"
        );
    }

    /// SIGKILLs the processes named `name` that run in this world (its HOME); returns how many.
    fn kill_world_process(&self, name: &str) -> usize {
        let home = format!("HOME={}", self.home.path().join("home").display());
        let mut killed = 0;
        for entry in std::fs::read_dir("/proc").unwrap().flatten() {
            let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else {
                continue;
            };
            let exe = std::fs::read_link(entry.path().join("exe")).unwrap_or_default();
            if exe.file_name().is_none_or(|n| n != name) {
                continue;
            }
            let environ = std::fs::read(entry.path().join("environ")).unwrap_or_default();
            if environ.split(|b| *b == 0).any(|v| v == home.as_bytes()) {
                nix::sys::signal::kill(
                    nix::unistd::Pid::from_raw(pid),
                    nix::sys::signal::Signal::SIGKILL,
                )
                .unwrap();
                killed += 1;
            }
        }
        killed
    }

    /// Every file below the app's HOME and XDG folders (data, config, cache).
    pub fn written_files(&self) -> Vec<PathBuf> {
        fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
            let Ok(entries) = std::fs::read_dir(dir) else {
                return;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, out);
                } else if path.is_file() {
                    out.push(path);
                }
            }
        }
        let mut out = Vec::new();
        for dir in ["home", "data", "config", "cache"] {
            walk(&self.home.path().join(dir), &mut out);
        }
        out
    }
}

/// The embedded sandbox's secret in the test worlds (the app reads it from
/// `DINIE_DESK_EMBEDDED_SECRET`; without it, the secret is random).
pub const EMBEDDED_SECRET: &str = "dinie_cs_test_e2e_embedded";
/// The embedded sandbox's client id (`dinie_desk::services::connection::EMBEDDED_CLIENT_ID`).
pub const EMBEDDED_CLIENT_ID: &str = "dinie_ci_test_embedded";

impl App {
    /// The base URL of the app's embedded sandbox, which Settings shows.
    pub async fn embedded_url(&self) -> String {
        self.click("#nav-settings").await;
        let host = self.wait_for("#settings-host").await.text().await.unwrap();
        self.click("#nav-customers").await;
        format!("http://{host}/api/v3")
    }

    /// A client for the app's embedded sandbox, with the secret the test world gave it.
    pub async fn embedded_api(&self) -> dinie::Client {
        dinie::Client::builder()
            .base_url(self.embedded_url().await)
            .credentials(EMBEDDED_CLIENT_ID, EMBEDDED_SECRET)
            .backoff_base(std::time::Duration::from_millis(20))
            .build()
            .unwrap()
    }
}

impl App {
    /// Fills and saves a custom-URL connection in Settings → Connections.
    pub async fn add_custom_profile(&self, name: &str, url: &str, client_id: &str, secret: &str) {
        self.click("#nav-settings").await;
        self.click("#add-profile").await;
        self.fill("#profile-name", name).await;
        self.select("#profile-kind", "custom").await;
        self.fill("#profile-url", url).await;
        self.fill("#profile-client-id", client_id).await;
        self.fill("#profile-secret", secret).await;
        self.click("#profile-save").await;
    }

    /// Adds a custom connection named `name` to a sandbox at `url`, with the sandbox's own
    /// credentials.
    pub async fn add_sandbox_profile(&self, name: &str, url: &str) {
        self.add_custom_profile(
            name,
            url,
            dinie_sandbox::DEFAULT_CLIENT_ID,
            dinie_sandbox::DEFAULT_CLIENT_SECRET,
        )
        .await;
    }

    /// Adds a connection to the sandbox at `url` (see [`add_sandbox_profile`](Self::add_sandbox_profile))
    /// and makes it the active one.
    pub async fn use_sandbox(&self, name: &str, url: &str) {
        self.add_sandbox_profile(name, url).await;
        self.use_profile(name).await;
    }

    /// The drafts' counts, as the header gets them.
    pub async fn draft_counts(&self) -> serde_json::Value {
        self.invoke("draft_status", serde_json::json!({})).await["counts"].clone()
    }

    /// The id of the connection row named `name` in Settings → Connections.
    pub async fn profile_id(&self, name: &str) -> String {
        self.wait_for_text("#profile-list", name).await;
        let js = format!(
            "return [...document.querySelectorAll('.profile')].find(p => p.querySelector('.profile-name').textContent === {name:?}).dataset.id"
        );
        self.script(&js).await.as_str().unwrap().to_owned()
    }

    /// Makes the connection named `name` the active one.
    pub async fn use_profile(&self, name: &str) {
        self.wait_for_text("#profile-list", name).await;
        let js = format!(
            "[...document.querySelectorAll('.profile')].find(p => p.querySelector('.profile-name').textContent === {name:?}).querySelector('button[id^=use-]').click()"
        );
        self.script(&js).await;
        self.wait_for("#connection-badge:not([data-kind='embedded'])")
            .await;
    }
}
