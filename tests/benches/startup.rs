//! `make bench`: start-up and idle of Dinie Desk beside Chromium showing the same page
//! (`chromium --app=file://…/ui/index.html`, what a web console costs an agent's PC), in one
//! interleaved run: the two alternate, the order turning every round, each launch in a fresh
//! world (its own Xvfb, D-Bus, unlocked keyring, HOME) once the machine is quiet.
//!
//! Read from outside, as an agent's PC would feel it: when the window is mapped and when the
//! sidebar is first painted (the X server's own pixels), when the screen settles on the
//! customer list (Dinie Desk only: Chromium runs none of the page's script from `file://`),
//! then, from 5 to 15 s after the window mapped with nothing to do, the Σ PSS of the whole
//! process tree, its CPU time and the wake-ups of the main process. `BENCH_ROUNDS` (default 5)
//! sets the number of measured rounds; one warm-up round is not counted. `BENCH_EARLIER` names
//! another build of the app (an earlier release) to run in the same rounds, for a before/after.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use dinie_desk_e2e::measure::{self, Screen};
use dinie_desk_e2e::{app_binary, world, Managed};

/// The sidebar's colour (light and dark themes) and a pixel of its padding.
const SIDEBAR: [u32; 2] = [0x0f172a, 0x020617];
const SIDEBAR_PIXEL: (i16, i16) = (4, 776);
/// Where the screen is watched for settling: three columns and three rows of the content area.
const COLUMNS: [i16; 3] = [600, 700, 800];
const ROWS: [i16; 3] = [250, 350, 450];

#[derive(Clone, Copy, PartialEq)]
enum Subject {
    Desk,
    Chromium,
    /// The build named by `BENCH_EARLIER`.
    Earlier,
}

impl Subject {
    fn name(self) -> &'static str {
        match self {
            Subject::Desk => "Dinie Desk",
            Subject::Chromium => "Chromium --app",
            Subject::Earlier => "earlier build",
        }
    }
}

#[derive(Default, Clone)]
struct Launch {
    mapped_ms: f64,
    painted_ms: Option<f64>,
    settled_ms: Option<f64>,
    pss_mib: f64,
    /// Each process's PSS (MiB), by name.
    parts: Vec<(String, f64)>,
    cpu_ms: f64,
    wakeups: u64,
}

fn command(subject: Subject, home: &Path) -> Command {
    match subject {
        Subject::Desk => Command::new(app_binary()),
        Subject::Earlier => Command::new(std::env::var_os("BENCH_EARLIER").unwrap_or_default()),
        Subject::Chromium => {
            let page = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../ui/index.html")
                .canonicalize()
                .unwrap();
            let mut cmd = Command::new("chromium");
            cmd.arg(format!("--app=file://{}", page.display()))
                .arg(format!(
                    "--user-data-dir={}",
                    home.join("chromium").display()
                ))
                .args([
                    "--window-position=0,0",
                    "--window-size=1200,780",
                    "--no-first-run",
                    "--no-default-browser-check",
                    "--password-store=basic",
                ]);
            // Chromium refuses to run as root with its sandbox.
            if nix::unistd::Uid::effective().is_root() {
                cmd.arg("--no-sandbox");
            }
            cmd
        }
    }
}

/// The hash of the watched strips of the screen.
fn strips(screen: &Screen) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for x in COLUMNS {
        screen.pixels(x, 80, 1, 680).hash(&mut h);
    }
    for y in ROWS {
        screen.pixels(240, y, 950, 1).hash(&mut h);
    }
    h.finish()
}

fn launch(subject: Subject) -> Launch {
    let home = tempfile::Builder::new()
        .prefix("dinie-bench-")
        .tempdir()
        .unwrap();
    let (env, helpers) = world(home.path(), true);
    // A desktop has an accessibility bus, and WebKit's processes talk to it as they start.
    let mut a11y = Command::new("/usr/libexec/at-spi-bus-launcher");
    a11y.arg("--launch-immediately")
        .envs(env.iter().map(|(k, v)| (k, v)));
    let a11y = Managed::spawn(
        "at-spi-bus-launcher",
        a11y,
        &home.path().join("logs/a11y.log"),
    );
    let display = env[0].1.clone();
    let screen = Screen::open(&display);
    measure::wait_until_quiet(Duration::from_secs(15));

    let mut cmd = command(subject, home.path());
    cmd.envs(env.iter().map(|(k, v)| (k, v)));
    let t0 = Instant::now();
    let program = Managed::spawn("the program", cmd, &home.path().join("logs/program.log"));
    let pid = program.pid();
    let ms = |t: Instant| (t - t0).as_secs_f64() * 1000.0;

    let mut out = Launch::default();
    let mut mapped = None;
    let mut painted = None;
    let mut samples: Vec<(Instant, u64)> = Vec::new();
    let give_up = t0 + Duration::from_secs(20);
    while Instant::now() < give_up {
        let now = Instant::now();
        match (mapped, painted) {
            (None, _) => {
                if screen.mapped_window(400).is_some() {
                    mapped = Some(now);
                    out.mapped_ms = ms(now);
                }
            }
            (Some(_), None) => {
                let (x, y) = SIDEBAR_PIXEL;
                if screen.pixel(x, y).is_some_and(|c| SIDEBAR.contains(&c)) {
                    painted = Some(now);
                    out.painted_ms = Some(ms(now));
                }
            }
            (Some(_), Some(p)) => {
                if now - p > Duration::from_secs(3) {
                    break;
                }
                samples.push((now, strips(&screen)));
            }
        }
        if let Some(m) = mapped {
            if now - m > Duration::from_secs(5) {
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let Some(mapped) = mapped else {
        panic!(
            "{} never mapped a window:\n{}",
            subject.name(),
            std::fs::read_to_string(home.path().join("logs/program.log")).unwrap_or_default()
        );
    };

    // Idle: from 5 to 15 s after the window mapped.
    std::thread::sleep((mapped + Duration::from_secs(5)).saturating_duration_since(Instant::now()));
    let last = strips(&screen);
    // Settled: the first sample from which the screen no longer changed until now.
    let changed_after = samples
        .iter()
        .rposition(|&(_, h)| h != last)
        .map_or(0, |i| i + 1);
    out.settled_ms = samples.get(changed_after).map(|&(t, _)| ms(t));
    out.parts = measure::process_tree(pid)
        .into_iter()
        .map(|p| (measure::name_of(p), measure::pss_mib(p)))
        .filter(|(_, pss)| *pss > 0.0)
        .collect();
    out.pss_mib = out.parts.iter().map(|(_, pss)| pss).sum();
    let (cpu0, wake0) = (measure::tree_cpu(pid), measure::wakeups(pid));
    std::thread::sleep(Duration::from_secs(10));
    out.cpu_ms = (measure::tree_cpu(pid) - cpu0).as_secs_f64() * 1000.0;
    out.wakeups = measure::wakeups_since(pid, &wake0);
    drop(program);
    drop(a11y);
    drop(helpers);
    out
}

fn median_range(mut v: Vec<f64>) -> String {
    if v.is_empty() {
        return "—".into();
    }
    v.sort_by(f64::total_cmp);
    format!(
        "{:.0} [{:.0}..{:.0}] ({})",
        median(&v),
        v[0],
        v[v.len() - 1],
        v.len()
    )
}

fn median(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

fn med(v: impl Iterator<Item = f64>) -> f64 {
    let mut v: Vec<f64> = v.collect();
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        f64::NAN
    } else {
        median(&v)
    }
}

/// One figure of a launch (none when it was not seen).
type Figure<'a> = &'a dyn Fn(&Launch) -> Option<f64>;

fn main() {
    let rounds: usize = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let earlier = std::env::var_os("BENCH_EARLIER").is_some();
    let mut desk = Vec::new();
    let mut chromium = Vec::new();
    let mut before = Vec::new();
    for round in 0..=rounds {
        let mut order = vec![Subject::Desk, Subject::Chromium];
        if earlier {
            order.push(Subject::Earlier);
        }
        let turn = round % order.len();
        order.rotate_left(turn);
        for subject in order {
            let l = launch(subject);
            let parts: Vec<String> = l
                .parts
                .iter()
                .map(|(name, pss)| format!("{name} {pss:.1}"))
                .collect();
            eprintln!(
                "round {round}{} {}: mapped {:.0} ms, painted {:?} ms, settled {:?} ms, Σ PSS {:.1} MiB ({}), idle CPU {:.0} ms, {} wake-ups",
                if round == 0 { " (warm-up)" } else { "" },
                subject.name(),
                l.mapped_ms,
                l.painted_ms.map(|v| v.round()),
                l.settled_ms.map(|v| v.round()),
                l.pss_mib,
                parts.join(", "),
                l.cpu_ms,
                l.wakeups
            );
            if round > 0 {
                match subject {
                    Subject::Desk => desk.push(l),
                    Subject::Chromium => chromium.push(l),
                    Subject::Earlier => before.push(l),
                }
            }
        }
    }

    let col = |v: &[Launch], f: Figure| -> Vec<f64> { v.iter().filter_map(f).collect() };
    let figures: [(&str, Figure); 6] = [
        ("exec → window mapped (ms)", &|l| Some(l.mapped_ms)),
        ("exec → first paint (ms)", &|l| l.painted_ms),
        ("exec → customer list painted (ms)", &|l| l.settled_ms),
        ("idle Σ PSS, whole tree (MiB)", &|l| Some(l.pss_mib)),
        ("idle CPU per 10 s (ms)", &|l| Some(l.cpu_ms)),
        ("idle wake-ups per 10 s, main process", &|l| {
            Some(l.wakeups as f64)
        }),
    ];
    println!("start-up and idle, {rounds} interleaved rounds (median [min..max] (n)):");
    println!(
        "  {:<40} {:<26} {:<26} ratio{}",
        "figure",
        "Chromium --app",
        "Dinie Desk",
        if earlier { "   earlier build" } else { "" }
    );
    for (name, f) in figures {
        let (c, d) = (col(&chromium, f), col(&desk, f));
        let ratio = if name.contains("list") {
            "—".to_owned()
        } else {
            format!("{:.2}", med(d.iter().copied()) / med(c.iter().copied()))
        };
        let then = if earlier {
            format!("   {}", median_range(col(&before, f)))
        } else {
            String::new()
        };
        println!(
            "  {name:<40} {:<26} {:<26} {ratio:<5}{then}",
            median_range(c),
            median_range(d)
        );
    }
    let chromium_paint = med(chromium.iter().filter_map(|l| l.painted_ms));
    let slow = desk
        .iter()
        .filter(|l| l.painted_ms.is_none_or(|p| p > 1.2 * chromium_paint))
        .count();
    println!(
        "  Dinie Desk launches painted later than 1.2× Chromium's median: {slow} of {}",
        desk.len()
    );
}
