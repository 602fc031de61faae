//! What a bench reads from outside a running program: its process tree's memory (PSS, which
//! shares each library page among the processes mapping it), CPU time and wake-ups, from
//! `/proc`; and what is on a private X server's screen (which window is mapped, the colour of
//! a pixel), through the X protocol.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use x11rb::connection::Connection;
use x11rb::protocol::xproto::{ConnectionExt, ImageFormat, MapState, Window};
use x11rb::rust_connection::RustConnection;

/// `pid` and every process descended from it, now.
pub fn process_tree(pid: u32) -> Vec<u32> {
    let parents: Vec<(u32, u32)> = std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|p| Some((p, parent_of(p)?)))
        .collect();
    let mut tree = vec![pid];
    let mut seen: HashSet<u32> = tree.iter().copied().collect();
    let mut i = 0;
    while i < tree.len() {
        let parent = tree[i];
        for &(child, _) in parents.iter().filter(|(_, pp)| *pp == parent) {
            if seen.insert(child) {
                tree.push(child);
            }
        }
        i += 1;
    }
    tree
}

fn stat_fields(pid: u32) -> Option<Vec<String>> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces.
    let after = &stat[stat.rfind(')')? + 2..];
    Some(after.split_whitespace().map(str::to_owned).collect())
}

fn parent_of(pid: u32) -> Option<u32> {
    stat_fields(pid)?.get(1)?.parse().ok()
}

/// The newest process whose command name is `name` (as `pgrep -n -x`).
pub fn newest_process(name: &str) -> Option<u32> {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&p| name_of(p) == name)
        .max_by_key(|&p| stat_fields(p).and_then(|f| f.get(19)?.parse::<u64>().ok()))
}

/// The newest process of the app binary under test ([`crate::app_binary`]).
pub fn app_process() -> Option<u32> {
    let binary = crate::app_binary();
    let name: String = binary
        .file_name()?
        .to_string_lossy()
        .chars()
        .take(15)
        .collect();
    newest_process(&name)
}

/// Σ PSS (MiB) of the processes of `pid`'s tree whose command name starts with `prefix`
/// (`WebKitWebProces`: the kernel keeps 15 characters of a name).
pub fn tree_pss_of(pid: u32, prefix: &str) -> f64 {
    process_tree(pid)
        .into_iter()
        .filter(|&p| name_of(p).starts_with(prefix))
        .map(pss_mib)
        .sum()
}

/// The command name of `pid` (`/proc/<pid>/comm`).
pub fn name_of(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .unwrap_or_default()
        .trim()
        .to_owned()
}

/// A field of `/proc/<pid>/status` in KiB (`VmRSS:`, `VmHWM:`…), 0 when absent.
pub fn status_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// The proportional set size of one process, in MiB.
pub fn pss_mib(pid: u32) -> f64 {
    let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
    let kib: u64 = rollup
        .lines()
        .find(|l| l.starts_with("Pss:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    kib as f64 / 1024.0
}

/// Σ PSS of `pid`'s whole tree, in MiB.
pub fn tree_pss_mib(pid: u32) -> f64 {
    process_tree(pid).into_iter().map(pss_mib).sum()
}

/// CPU time (user + system) used so far by `pid`'s whole tree.
pub fn tree_cpu(pid: u32) -> Duration {
    let ticks_per_s = 100.0; // USER_HZ on Linux
    let ticks: u64 = process_tree(pid)
        .into_iter()
        .filter_map(stat_fields)
        .map(|f| {
            // utime and stime are fields 14 and 15 of stat: 11 and 12 after the name.
            let n = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
            n(11) + n(12)
        })
        .sum();
    Duration::from_secs_f64(ticks as f64 / ticks_per_s)
}

/// How many times each thread of `pid` (that process alone) has been switched out so far,
/// voluntarily or not, by thread id: each is a wake-up of a thread that then ran.
pub fn wakeups(pid: u32) -> std::collections::HashMap<u32, u64> {
    std::fs::read_dir(format!("/proc/{pid}/task"))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|task| {
            let tid = task.file_name().to_str()?.parse::<u32>().ok()?;
            let status = std::fs::read_to_string(task.path().join("status")).ok()?;
            let switches = status
                .lines()
                .filter(|l| l.contains("ctxt_switches:"))
                .filter_map(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
                .sum::<u64>();
            Some((tid, switches))
        })
        .collect()
}

/// The wake-ups of `pid`'s threads since `before` (a [`wakeups`] reading). Thread by thread:
/// a thread that ended meanwhile takes its count with it, which a difference of two sums
/// turned into a negative figure (it wrapped around in a release build). Such a thread's
/// wake-ups after `before` are not counted; a thread that began meanwhile counts whole.
pub fn wakeups_since(pid: u32, before: &std::collections::HashMap<u32, u64>) -> u64 {
    wakeups(pid)
        .into_iter()
        .map(|(tid, now)| now.saturating_sub(before.get(&tid).copied().unwrap_or(0)))
        .sum()
}

/// Waits (up to `within`) until the machine has been quiet — under 10 % of one CPU busy —
/// for half a second, so that one launch's figures do not carry the last one's tail.
pub fn wait_until_quiet(within: Duration) {
    fn busy_and_total() -> (u64, u64) {
        let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
        let cpu: Vec<u64> = stat
            .lines()
            .next()
            .unwrap_or_default()
            .split_whitespace()
            .skip(1)
            .filter_map(|v| v.parse().ok())
            .collect();
        let idle = cpu.get(3).copied().unwrap_or(0) + cpu.get(4).copied().unwrap_or(0);
        let total: u64 = cpu.iter().take(8).sum();
        (total - idle, total)
    }
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        let (b0, _) = busy_and_total();
        std::thread::sleep(Duration::from_millis(500));
        let (b1, _) = busy_and_total();
        // USER_HZ ticks: 50 ticks in 0.5 s is one whole CPU.
        if b1 - b0 < 5 {
            return;
        }
    }
}

/// A connection to an X server's screen, for looking at what is shown.
pub struct Screen {
    conn: RustConnection,
    root: Window,
}

impl Screen {
    /// Connects to `display` (`:123`).
    pub fn open(display: &str) -> Screen {
        let (conn, n) = x11rb::connect(Some(display)).unwrap();
        let root = conn.setup().roots[n].root;
        Screen { conn, root }
    }

    /// The first mapped top-level window at least `min_width` wide, if any.
    pub fn mapped_window(&self, min_width: u16) -> Option<Window> {
        let tree = self.conn.query_tree(self.root).ok()?.reply().ok()?;
        tree.children.into_iter().find(|&w| {
            let viewable = self
                .conn
                .get_window_attributes(w)
                .ok()
                .and_then(|c| c.reply().ok())
                .is_some_and(|a| a.map_state == MapState::VIEWABLE);
            viewable
                && self
                    .conn
                    .get_geometry(w)
                    .ok()
                    .and_then(|c| c.reply().ok())
                    .is_some_and(|g| g.width >= min_width)
        })
    }

    /// The pixels of a rectangle of the screen (as the X server keeps them), or nothing if it
    /// could not be read.
    pub fn pixels(&self, x: i16, y: i16, width: u16, height: u16) -> Vec<u8> {
        self.conn
            .get_image(
                ImageFormat::Z_PIXMAP,
                self.root,
                x,
                y,
                width,
                height,
                u32::MAX,
            )
            .ok()
            .and_then(|c| c.reply().ok())
            .map(|r| r.data)
            .unwrap_or_default()
    }

    /// The colour of one pixel as `0xRRGGBB` (a 24-bit TrueColor screen, as Xvfb's is).
    pub fn pixel(&self, x: i16, y: i16) -> Option<u32> {
        let data = self.pixels(x, y, 1, 1);
        // ZPixmap at depth 24 is 32 bits a pixel, little-endian BGRx.
        (data.len() >= 3)
            .then(|| u32::from(data[2]) << 16 | u32::from(data[1]) << 8 | u32::from(data[0]))
    }
}
