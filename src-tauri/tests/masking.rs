//! What reaches the log: no nine digits of a CPF in order survive `mask`, whatever surrounds
//! them or separates them, and a panic's message goes to the log masked.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::sync::{Arc, Mutex};

use dinie_desk::logging::{install_panic_hook, mask};
use proptest::prelude::*;

/// The text with every separator `mask` knows removed, lower-cased.
fn squeezed(text: &str) -> String {
    let mut t = text.to_ascii_lowercase();
    for sep in ["%2e", "%2d", "%2f", "%20", ".", "-", "/", " ", "\t", "+"] {
        t = t.replace(sep, "");
    }
    t
}

fn longest_digit_run(text: &str) -> usize {
    text.split(|c: char| !c.is_ascii_digit())
        .map(str::len)
        .max()
        .unwrap_or(0)
}

proptest! {
    #[test]
    fn no_nine_digits_of_a_cpf_survive(
        body in proptest::array::uniform9(0u8..10),
        before in "[a-zA-Z_=:%3D]{0,6}",
        after in "[a-zA-Z_,;)]{0,6}",
        seps in proptest::collection::vec(prop_oneof![
            Just(""), Just("."), Just("-"), Just(" "), Just("%2E"), Just("%2d"), Just("/"),
        ], 10),
    ) {
        let Ok(cpf) = dinie::br::Cpf::from_body(body) else { return Ok(()) };
        let digits = cpf.as_str().to_owned();
        let mut written = String::new();
        for (i, d) in digits.chars().enumerate() {
            written.push(d);
            if i < 10 {
                written.push_str(seps[i]);
            }
        }
        let line = format!("{before}{written}{after} done");
        let out = mask(&line);
        prop_assert!(longest_digit_run(&squeezed(&out)) < 9, "{line} -> {out}");
        prop_assert!(!squeezed(&out).contains(&digits[..9]), "{line} -> {out}");
    }
}

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_panic_reaches_the_log_masked() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    install_panic_hook();
    let result = std::panic::catch_unwind(|| panic!("could not send the draft of 123.456.789-09"));
    assert!(result.is_err());
    let _ = std::panic::take_hook();
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains("panicked"), "{log}");
    assert!(log.contains("[doc ***09]"), "{log}");
    assert!(!log.contains("456"), "{log}");
}
