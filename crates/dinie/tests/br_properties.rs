//! Property tests of the Brazilian identifiers: every generated valid number round-trips
//! through its mask, and single-character changes are caught.
//!
//! A mod-11 check digit maps remainders 0 and 1 to the same digit (and the CPF's second sum
//! gives the first digit weight 11 ≡ 0), so a few single-digit changes of a CPF or CNPJ body are
//! undetectable *by the scheme itself* (about 0.2 % for a CPF; `088.184.358-09` and
//! `188.184.358-09` are both valid). The properties assert that every change is caught except
//! exactly those, identified independently by their remainders; a changed check digit is
//! always caught.

use dinie::br::{Cnpj, Cpf, Phone};
use proptest::prelude::*;

fn remainder(values: &[u32], weights: &[u32]) -> u32 {
    values.iter().zip(weights).map(|(v, w)| v * w).sum::<u32>() % 11
}

fn cpf_blind_spot(a: &[u32], b: &[u32]) -> bool {
    let r = |d: &[u32]| {
        (
            remainder(&d[..9], &[10, 9, 8, 7, 6, 5, 4, 3, 2]),
            remainder(&d[..10], &[11, 10, 9, 8, 7, 6, 5, 4, 3, 2]),
        )
    };
    let ((a1, a2), (b1, b2)) = (r(a), r(b));
    same_digit(a1, b1) && same_digit(a2, b2)
}

/// Two remainders give the same check digit when equal, or when both are 0 or 1.
fn same_digit(r: u32, s: u32) -> bool {
    r == s || (r < 2 && s < 2)
}

fn digits(s: &str) -> Vec<u32> {
    s.bytes().map(|b| u32::from(b) - 48).collect()
}

fn valid_cpf() -> impl Strategy<Value = Cpf> {
    prop::array::uniform9(0u8..10)
        .prop_filter_map("all digits equal", |body| Cpf::from_body(body).ok())
}

fn valid_cnpj() -> impl Strategy<Value = Cnpj> {
    let ch = prop::sample::select(
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
            .chars()
            .collect::<Vec<_>>(),
    );
    prop::collection::vec(ch, 12).prop_filter_map("all equal", |cs| {
        Cnpj::from_body(&cs.into_iter().collect::<String>()).ok()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn cpf_round_trips(cpf in valid_cpf()) {
        let masked = cpf.to_string();
        prop_assert_eq!(masked.len(), 14);
        prop_assert_eq!(Cpf::parse(&masked).unwrap(), cpf.clone());
        prop_assert_eq!(Cpf::parse(cpf.as_str()).unwrap(), cpf);
    }

    #[test]
    fn cpf_single_digit_changes_are_caught(cpf in valid_cpf(), pos in 0usize..11, delta in 1u32..10) {
        let original = digits(cpf.as_str());
        let mut changed = original.clone();
        changed[pos] = (changed[pos] + delta) % 10;
        let text: String = changed.iter().map(|d| char::from(b'0' + *d as u8)).collect();
        if Cpf::parse(&text).is_ok() {
            // Only a body change that the scheme cannot see may pass.
            prop_assert!(pos < 9, "a changed check digit passed: {text}");
            prop_assert!(cpf_blind_spot(&original, &changed), "{} → {text} passed", cpf.as_str());
        }
    }

    #[test]
    fn cnpj_round_trips(cnpj in valid_cnpj()) {
        let masked = cnpj.to_string();
        prop_assert_eq!(masked.len(), 18);
        prop_assert_eq!(Cnpj::parse(&masked).unwrap(), cnpj.clone());
        prop_assert_eq!(Cnpj::parse(&masked.to_lowercase()).unwrap(), cnpj);
    }

    #[test]
    fn cnpj_check_digit_changes_are_caught(cnpj in valid_cnpj(), pos in 12usize..14, delta in 1u32..10) {
        let mut chars: Vec<char> = cnpj.as_str().chars().collect();
        let d = chars[pos].to_digit(10).unwrap();
        chars[pos] = char::from_digit((d + delta) % 10, 10).unwrap();
        let text: String = chars.into_iter().collect();
        prop_assert!(Cnpj::parse(&text).is_err(), "{text}");
    }

    #[test]
    fn cnpj_single_digit_body_changes_are_caught(body in prop::collection::vec(0u32..10, 12), pos in 0usize..12, delta in 1u32..10) {
        let body_text: String = body.iter().map(|d| char::from_digit(*d, 10).unwrap()).collect();
        let Ok(cnpj) = Cnpj::from_body(&body_text) else { return Ok(()) };
        let original = digits(cnpj.as_str());
        let mut changed = original.clone();
        changed[pos] = (changed[pos] + delta) % 10;
        let text: String = changed.iter().map(|d| char::from_digit(*d, 10).unwrap()).collect();
        if Cnpj::parse(&text).is_ok() {
            let w1 = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];
            let w2 = [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];
            let blind = same_digit(remainder(&original[..12], &w1), remainder(&changed[..12], &w1))
                && same_digit(remainder(&original[..13], &w2), remainder(&changed[..13], &w2));
            prop_assert!(blind, "{} → {text} passed", cnpj.as_str());
        }
    }

    #[test]
    fn phone_round_trips(area in 11u32..100, mobile in any::<bool>(), rest in 0u32..10_000_000) {
        prop_assume!(area % 10 != 0);
        let number = if mobile { format!("9{:08}", rest * 10 % 100_000_000) } else { format!("3{:07}", rest) };
        let e164 = format!("+55{area}{number}");
        let phone = Phone::parse(&e164).unwrap();
        prop_assert_eq!(phone.e164(), e164.clone());
        prop_assert_eq!(Phone::parse(&phone.to_string()).unwrap().e164(), e164);
    }
}

#[test]
fn the_blind_spot_is_real() {
    // Both are valid CPFs one digit apart: no implementation can tell them apart.
    assert!(Cpf::parse("088.184.358-09").is_ok());
    assert!(Cpf::parse("188.184.358-09").is_ok());
}

#[test]
fn alphanumeric_example_from_the_spec() {
    assert!(Cnpj::parse("12.ABC.345/01DE-35").is_ok());
    assert!(Cnpj::parse("12.ABC.345/01DE-36").is_err());
}
