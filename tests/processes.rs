//! The helper processes of a test world, each in its own process group so that stopping it
//! stops everything it started (tauri-driver → WebKitWebDriver → the app).

use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;

/// A child process killed with its whole group on drop.
pub struct Managed {
    name: &'static str,
    child: Child,
}

impl Managed {
    /// Spawns `cmd` in a new process group, its output to `log`.
    pub fn spawn(name: &'static str, mut cmd: Command, log: &Path) -> Self {
        use std::os::unix::process::CommandExt;
        let out = std::fs::File::create(log).unwrap();
        let err = out.try_clone().unwrap();
        cmd.process_group(0)
            .stdout(out)
            .stderr(err)
            .stdin(Stdio::null());
        let child = cmd.spawn().unwrap_or_else(|e| {
            panic!("could not start {name} ({e}); run `make test`, which installs it")
        });
        Self { name, child }
    }

    /// The process's id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Panics (with the log) if the process already exited.
    pub fn assert_running(&mut self, log: &Path) {
        if let Ok(Some(status)) = self.child.try_wait() {
            let text = std::fs::read_to_string(log).unwrap_or_default();
            panic!("{} exited early ({status}):\n{text}", self.name);
        }
    }
}

impl Drop for Managed {
    fn drop(&mut self) {
        let pgid = Pid::from_raw(self.child.id() as i32);
        let _ = killpg(pgid, Signal::SIGTERM);
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                // The leader is gone; make sure nothing of its group lingers.
                let _ = killpg(pgid, Signal::SIGKILL);
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = killpg(pgid, Signal::SIGKILL);
        let _ = self.child.wait();
    }
}

/// A TCP port free on loopback right now.
pub fn free_port() -> u16 {
    free_ports::<1>()[0]
}

/// `N` distinct TCP ports free on loopback right now (all held until all are chosen, so that
/// the same port is not handed out twice).
pub fn free_ports<const N: usize>() -> [u16; N] {
    let listeners: Vec<TcpListener> = (0..N)
        .map(|_| TcpListener::bind("127.0.0.1:0").unwrap())
        .collect();
    std::array::from_fn(|i| listeners[i].local_addr().unwrap().port())
}

/// Waits until `check` holds, or panics after `timeout` with `what`.
pub fn wait_until(what: &str, timeout: Duration, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A test world under `root`: its folders, a private X server, a D-Bus session and (with
/// `with_keyring`) an unlocked Secret Service. Returns the environment a program runs in there
/// and the helper processes, to be stopped in this order (keyring, bus, display).
pub fn world(root: &Path, with_keyring: bool) -> (Vec<(String, String)>, Vec<Managed>) {
    for dir in ["home", "data", "config", "cache", "runtime", "logs"] {
        std::fs::create_dir_all(root.join(dir)).unwrap();
    }
    std::fs::set_permissions(
        root.join("runtime"),
        std::os::unix::fs::PermissionsExt::from_mode(0o700),
    )
    .unwrap();
    let logs = root.join("logs");
    let (xvfb, display) = xvfb(&logs);
    let (bus, bus_address) = dbus(&logs);
    let path = |d: &str| root.join(d).display().to_string();
    let env: Vec<(String, String)> = vec![
        ("DISPLAY".into(), display),
        ("DBUS_SESSION_BUS_ADDRESS".into(), bus_address),
        ("HOME".into(), path("home")),
        ("XDG_DATA_HOME".into(), path("data")),
        ("XDG_CONFIG_HOME".into(), path("config")),
        ("XDG_CACHE_HOME".into(), path("cache")),
        ("XDG_RUNTIME_DIR".into(), path("runtime")),
        ("GDK_BACKEND".into(), "x11".into()),
        ("DINIE_DESK_LOG".into(), "dinie_desk=debug".into()),
        // The embedded sandbox's secret is random on every start; the tests set it to
        // drive the sandbox from outside (see `embedded_api`).
        (
            "DINIE_DESK_EMBEDDED_SECRET".into(),
            crate::app::EMBEDDED_SECRET.into(),
        ),
        // No one clicks in a file dialog here: the next pick returns what `pick` queued.
        ("DINIE_DESK_TEST_PICKS".into(), path("picks.txt")),
        // Nor in a save dialog: the next save goes where `save_to` said.
        ("DINIE_DESK_TEST_SAVES".into(), path("saves.txt")),
    ];
    let keyring = with_keyring.then(|| keyring(&logs, &env));
    let helpers = [keyring, Some(bus), Some(xvfb)]
        .into_iter()
        .flatten()
        .collect();
    (env, helpers)
}

/// A private X server on a free display.
pub fn xvfb(dir: &Path) -> (Managed, String) {
    for _ in 0..50 {
        let n = 100 + fastrand::u32(0..800);
        if Path::new(&format!("/tmp/.X{n}-lock")).exists() {
            continue;
        }
        let mut cmd = Command::new("Xvfb");
        cmd.args([
            &format!(":{n}"),
            "-screen",
            "0",
            "1200x780x24",
            "-nolisten",
            "tcp",
            "-noreset",
        ]);
        let log = dir.join("xvfb.log");
        let mut x = Managed::spawn("Xvfb", cmd, &log);
        let socket = PathBuf::from(format!("/tmp/.X11-unix/X{n}"));
        let deadline = Instant::now() + Duration::from_secs(10);
        while !socket.exists() && Instant::now() < deadline {
            if let Ok(Some(_)) = x.child.try_wait() {
                break; // display taken by someone else: try another
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        if socket.exists() {
            x.assert_running(&log);
            return (x, format!(":{n}"));
        }
    }
    panic!("no free X display for Xvfb");
}

/// A private D-Bus session bus; returns it and its address. It has no service directories:
/// nothing is started on demand, so that only the Secret Service the harness starts (unlocked)
/// can own `org.freedesktop.secrets` — an activated, locked one would otherwise win the race.
pub fn dbus(dir: &Path) -> (Managed, String) {
    let socket = dir.join("bus");
    let address = format!("unix:path={}", socket.display());
    let config = dir.join("session.conf");
    std::fs::write(
        &config,
        format!(
            r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>{address}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#
        ),
    )
    .unwrap();
    let mut cmd = Command::new("dbus-daemon");
    cmd.args(["--nofork", "--nopidfile"])
        .arg(format!("--config-file={}", config.display()));
    let bus = Managed::spawn("dbus-daemon", cmd, &dir.join("dbus.log"));
    wait_until("the D-Bus socket", Duration::from_secs(10), || {
        socket.exists()
    });
    (bus, address)
}

/// GNOME Keyring's Secret Service on that bus, with a login keyring unlocked by a password.
/// Under load the daemon sometimes comes up without a usable login collection; it is then
/// restarted (three tries), and the last log is shown if it never becomes usable.
pub fn keyring(dir: &Path, env: &[(String, String)]) -> Managed {
    let log = dir.join("keyring.log");
    for attempt in 1..=3 {
        let k = start_keyring(&log, env);
        let deadline = Instant::now() + Duration::from_secs(10);
        // The daemon prints its control directory once it owns the bus name.
        while Instant::now() < deadline
            && !std::fs::read_to_string(&log)
                .unwrap_or_default()
                .contains("GNOME_KEYRING_CONTROL=")
        {
            std::thread::sleep(Duration::from_millis(50));
        }
        while Instant::now() < deadline {
            if probe_secret_service(env) {
                let _ = Command::new("secret-tool")
                    .args(["clear", "service", "dinie-e2e-probe"])
                    .envs(env.iter().map(|(k, v)| (k, v)))
                    .status();
                return k;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        eprintln!(
            "the Secret Service was not usable after 10 s (try {attempt} of 3); restarting it"
        );
        drop(k);
    }
    panic!(
        "the Secret Service never became usable:\n{}",
        std::fs::read_to_string(&log).unwrap_or_default()
    );
}

fn start_keyring(log: &Path, env: &[(String, String)]) -> Managed {
    use std::os::unix::process::CommandExt;
    let out = std::fs::File::create(log).unwrap();
    let mut cmd = Command::new("gnome-keyring-daemon");
    cmd.args([
        "--foreground",
        "--replace",
        "--unlock",
        "--components=secrets",
    ])
    .envs(env.iter().map(|(k, v)| (k, v)))
    .process_group(0)
    .stdin(Stdio::piped())
    .stdout(out.try_clone().unwrap())
    .stderr(out);
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("could not start gnome-keyring-daemon ({e}); run `make test`"));
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(b"e2e-keyring-password").unwrap();
    }
    Managed {
        name: "gnome-keyring-daemon",
        child,
    }
}

/// Whether a secret can be stored in the default collection (it exists and is unlocked). The
/// store is given 3 s: a locked collection would otherwise wait on a prompt.
fn probe_secret_service(env: &[(String, String)]) -> bool {
    let store = Command::new("secret-tool")
        .args([
            "store",
            "--label=dinie-e2e-probe",
            "service",
            "dinie-e2e-probe",
        ])
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    let Ok(mut store) = store else { return false };
    if let Some(mut stdin) = store.stdin.take() {
        let _ = stdin.write_all(b"probe");
    }
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        match store.try_wait() {
            Ok(Some(status)) => return status.success(),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
            _ => {
                let _ = store.kill();
                let _ = store.wait();
                return false;
            }
        }
    }
}
