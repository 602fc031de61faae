//! Logs: to stderr and to a daily-rotated file in the app's log folder. Every line passes
//! through [`mask`], which hides CPF and CNPJ numbers; secrets and tokens are never logged in
//! the first place (the client and the keychain code never format them).

use std::io::Write;
use std::path::Path;
use std::sync::OnceLock;

use regex::Regex;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::EnvFilter;

/// Log files kept (one a day).
const KEEP_FILES: usize = 14;
/// Most bytes written to the log file in a day: past it, lines are dropped until the next day
/// (a loop logging on every tick must not fill the agent's disk; 14 days at most 140 MB).
const MAX_BYTES_A_DAY: u64 = 10 << 20;

/// Characters (and their URL encodings) that may stand between the digits of a CPF, CNPJ or
/// phone as people and programs write them.
const SEPARATORS: &[&str] = &[".", "-", "/", " ", "\t", "%2E", "%2D", "%2F", "%20", "+"];

/// The separator at the start of `rest`, if any (URL encodings in either case).
fn separator(rest: &str) -> Option<usize> {
    SEPARATORS
        .iter()
        .find(|sep| {
            rest.len() >= sep.len()
                && rest.is_char_boundary(sep.len())
                && rest[..sep.len()].eq_ignore_ascii_case(sep)
        })
        .map(|sep| sep.len())
}

/// The length of the run of digits and separators at the start of `text` that ends on a
/// digit, and how many digits it holds.
fn digit_run(text: &str) -> (usize, usize) {
    let (mut end, mut digits, mut i) = (0, 0, 0);
    while i < text.len() {
        let rest = &text[i..];
        if rest.as_bytes()[0].is_ascii_digit() {
            i += 1;
            digits += 1;
            end = i;
        } else if let Some(len) = separator(rest) {
            i += len;
        } else {
            break;
        }
    }
    (end, digits)
}

/// Candidates for an alphanumeric CNPJ (a fixed pattern, tested below).
fn alphanumeric_cnpjs() -> Option<&'static Regex> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(?i)[0-9a-z]{2}\.?[0-9a-z]{3}\.?[0-9a-z]{3}/?[0-9a-z]{4}-?[0-9]{2}").ok()
    })
    .as_ref()
}

fn masked(kept: &str) -> String {
    let digits: Vec<char> = kept.chars().filter(char::is_ascii_digit).collect();
    let keep: String = digits[digits.len().saturating_sub(2)..].iter().collect();
    format!("[doc ***{keep}]")
}

/// Hides CPFs, CNPJs and phones in `text`, keeping the last two digits: every run of nine or
/// more digits (with dots, dashes, slashes, spaces, `+` or their URL encodings between them,
/// whatever surrounds it), and every valid alphanumeric CNPJ in any case.
pub fn mask(text: &str) -> String {
    let with_cnpjs = match alphanumeric_cnpjs() {
        Some(re) => re.replace_all(text, |caps: &regex::Captures<'_>| {
            let m = &caps[0];
            if dinie::br::Cnpj::parse(m).is_ok() {
                masked(m)
            } else {
                m.to_owned()
            }
        }),
        None => std::borrow::Cow::Borrowed(text),
    };
    let text = with_cnpjs.as_ref();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        if text.as_bytes()[i].is_ascii_digit() {
            let (len, digits) = digit_run(&text[i..]);
            if digits >= 9 {
                out.push_str(&masked(&text[i..i + len]));
            } else {
                out.push_str(&text[i..i + len]);
            }
            i += len;
        } else {
            let ch_len = text[i..].chars().next().map_or(1, char::len_utf8);
            out.push_str(&text[i..i + ch_len]);
            i += ch_len;
        }
    }
    out
}

/// Sends a panic's message to the log, masked, instead of printing it raw to stderr.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        tracing::error!(target: "dinie_desk::panic", "panicked{location}: {}", mask(&message));
    }));
}

/// A writer that masks each buffer before passing it on.
pub struct Masking<W>(W);

impl<W: Write> Write for Masking<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        self.0.write_all(mask(&text).as_bytes())?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// Caps what reaches the log file in a day at `max` bytes; the line that crosses it is replaced
/// by a notice saying so.
struct Capped<M> {
    inner: M,
    max: u64,
    /// (day number, bytes written that day)
    today: std::sync::Mutex<(i64, u64)>,
}

impl<M> Capped<M> {
    fn new(inner: M, max: u64) -> Self {
        Self {
            inner,
            max,
            today: std::sync::Mutex::new((0, 0)),
        }
    }
}

/// A writer of [`Capped`]: writes through while the day's budget lasts.
struct CappedWriter<'a, W> {
    inner: W,
    max: u64,
    today: &'a std::sync::Mutex<(i64, u64)>,
}

impl<W: Write> Write for CappedWriter<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let day = chrono::Utc::now().timestamp() / 86_400;
        let mut today = self
            .today
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if today.0 != day {
            *today = (day, 0);
        }
        let before = today.1;
        today.1 = today.1.saturating_add(buf.len() as u64);
        if today.1 <= self.max {
            self.inner.write_all(buf)?;
        } else if before <= self.max {
            self.inner.write_all(
                b"log limit for today reached: further lines are dropped until tomorrow\n",
            )?;
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for Capped<M> {
    type Writer = CappedWriter<'a, M::Writer>;
    fn make_writer(&'a self) -> Self::Writer {
        CappedWriter {
            inner: self.inner.make_writer(),
            max: self.max,
            today: &self.today,
        }
    }
}

struct MaskingMaker<M>(M);

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for MaskingMaker<M> {
    type Writer = Masking<M::Writer>;
    fn make_writer(&'a self) -> Self::Writer {
        Masking(self.0.make_writer())
    }
}

/// Starts logging to stderr and to `dir/dinie-desk.log.YYYY-MM-DD`. `DINIE_DESK_LOG` sets the
/// filter (default `dinie_desk=info`).
pub fn init(dir: &Path) {
    if let Err(e) = crate::platform::private_dir(dir) {
        eprintln!("the log folder could not be made private: {e}");
    }
    let filter = EnvFilter::try_from_env("DINIE_DESK_LOG")
        .unwrap_or_else(|_| "dinie_desk=info,dinie_sandbox=warn".into());
    let file = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix("dinie-desk.log")
        .max_log_files(KEEP_FILES)
        .build(dir);
    let file_layer = file.ok().map(|appender| {
        tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .with_writer(MaskingMaker(Capped::new(
                std::sync::Mutex::new(appender),
                MAX_BYTES_A_DAY,
            )))
    });
    let stderr_layer = tracing_subscriber::fmt::layer().with_writer(MaskingMaker(std::io::stderr));
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(stderr_layer)
        .with(file_layer)
        .try_init();
    install_panic_hook();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_of_logging_is_capped_with_a_notice() {
        let sink = std::sync::Arc::new(std::sync::Mutex::new(Vec::<u8>::new()));
        struct Shared(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
        impl Write for Shared {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(buf);
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let sink2 = sink.clone();
        let capped = Capped::new(move || Shared(sink2.clone()), 1000);
        let line = [b'x'; 99];
        for _ in 0..100 {
            capped.make_writer().write_all(&line).unwrap();
        }
        let written = sink.lock().unwrap().clone();
        assert!(written.len() < 1100, "{}", written.len());
        let text = String::from_utf8_lossy(&written);
        assert_eq!(text.matches("log limit for today reached").count(), 1);
    }

    #[test]
    fn the_cnpj_pattern_compiles() {
        assert!(alphanumeric_cnpjs().is_some());
    }

    #[test]
    fn masks_the_forms_the_review_found() {
        for (raw, kept) in [
            ("12.abc.345/01de-35", "35"),
            ("cpf12345678909", "09"),
            ("cpf_12345678909", "09"),
            ("123 456 789 09", "09"),
            ("cpf%3D12345678909", "09"),
            ("cpf=123%2E456%2E789%2D09", "09"),
            ("+55 11 98765-4321", "21"),
        ] {
            let out = mask(&format!("x {raw} y"));
            assert!(out.contains(&format!("[doc ***{kept}]")), "{raw} -> {out}");
        }
    }

    #[test]
    fn masks_cpf_and_cnpj_in_any_form() {
        assert_eq!(mask("cpf=123.456.789-09 ok"), "cpf=[doc ***09] ok");
        assert_eq!(mask("cpf 12345678909"), "cpf [doc ***09]");
        assert_eq!(mask("cnpj 12.ABC.345/01DE-35."), "cnpj [doc ***35].");
        assert_eq!(mask("cnpj 12345678000195"), "cnpj [doc ***95]");
        assert_eq!(
            mask("customer cust_AbC123 status=active req_9x"),
            "customer cust_AbC123 status=active req_9x"
        );
        assert_eq!(mask("latency=1234 ms"), "latency=1234 ms");
    }
}
