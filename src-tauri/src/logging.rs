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

fn patterns() -> &'static [Regex] {
    static PATTERNS: OnceLock<Vec<Regex>> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        [
            // CNPJ, numeric or alphanumeric, masked or not.
            r"\b[0-9A-Z]{2}\.?[0-9A-Z]{3}\.?[0-9A-Z]{3}/?[0-9A-Z]{4}-?[0-9]{2}\b",
            // CPF, masked or not.
            r"\b[0-9]{3}\.?[0-9]{3}\.?[0-9]{3}-?[0-9]{2}\b",
        ]
        .iter()
        .filter_map(|p| Regex::new(p).ok())
        .collect()
    })
}

/// Replaces every CPF and CNPJ in `text` with a mask that keeps the last two digits.
pub fn mask(text: &str) -> String {
    let mut out = text.to_owned();
    for re in patterns() {
        out = re
            .replace_all(&out, |caps: &regex::Captures<'_>| {
                let m = &caps[0];
                let keep: String = m
                    .chars()
                    .rev()
                    .take(2)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect();
                format!("[doc ***{keep}]")
            })
            .into_owned();
    }
    out
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
            .with_writer(MaskingMaker(std::sync::Mutex::new(appender)))
    });
    let stderr_layer = tracing_subscriber::fmt::layer().with_writer(MaskingMaker(std::io::stderr));
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(stderr_layer)
        .with(file_layer)
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

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
