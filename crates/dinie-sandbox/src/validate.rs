//! Field validation as Dinie does it, shared by create and update. Identifiers use the client
//! crate's `br` module, so the sandbox and the client agree on what a valid CPF is.

use dinie::br::{Cnpj, Cpf, Phone};
use serde_json::{Map, Value};

use crate::error::FieldError;

/// Fields a PATCH may change.
pub const MUTABLE_FIELDS: [&str; 2] = ["email", "phone"];
/// Fields a PATCH must not touch.
pub const IMMUTABLE_FIELDS: [&str; 5] = ["cpf", "cnpj", "name", "trading_name", "external_id"];

/// A string member, or a field error when present with another type.
pub fn string_field(
    body: &Map<String, Value>,
    name: &str,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    match body.get(name) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.trim().to_owned()),
        Some(_) => {
            errors.push(FieldError::new(
                name,
                "invalid_format",
                format!("{name} must be a string"),
            ));
            None
        }
    }
}

/// Required and non-blank.
pub fn required(value: Option<String>, name: &str, errors: &mut Vec<FieldError>) -> Option<String> {
    match value {
        Some(v) if !v.is_empty() => Some(v),
        _ => {
            errors.push(FieldError::new(
                name,
                "missing_required_field",
                format!("{name} is required"),
            ));
            None
        }
    }
}

/// A CPF in canonical form.
pub fn cpf(raw: &str, errors: &mut Vec<FieldError>) -> Option<String> {
    match Cpf::parse(raw) {
        Ok(c) => Some(c.as_str().to_owned()),
        Err(e) => {
            errors.push(FieldError::new(
                "cpf",
                "invalid_cpf",
                format!("invalid CPF: {e}"),
            ));
            None
        }
    }
}

/// A CNPJ in canonical form (numeric or alphanumeric).
pub fn cnpj(raw: &str, errors: &mut Vec<FieldError>) -> Option<String> {
    match Cnpj::parse(raw) {
        Ok(c) => Some(c.as_str().to_owned()),
        Err(e) => {
            errors.push(FieldError::new(
                "cnpj",
                "invalid_cnpj",
                format!("invalid CNPJ: {e}"),
            ));
            None
        }
    }
}

/// A phone in E.164: `+55`, area code, number. Masks are refused, as Dinie does.
pub fn phone(raw: &str, errors: &mut Vec<FieldError>) -> Option<String> {
    let e164_shape =
        raw.starts_with("+55") && raw.len() > 3 && raw[1..].bytes().all(|b| b.is_ascii_digit());
    match Phone::parse(raw) {
        Ok(p) if e164_shape => Some(p.e164()),
        Ok(p) => {
            errors.push(FieldError::new(
                "phone",
                "invalid_format",
                format!("phone must be in E.164 format, e.g. {}", p.e164()),
            ));
            None
        }
        Err(e) => {
            errors.push(FieldError::new(
                "phone",
                "invalid_format",
                format!("invalid phone: {e}"),
            ));
            None
        }
    }
}

/// An e-mail address (the rule lives in `dinie::email`).
pub fn email(raw: &str, errors: &mut Vec<FieldError>) -> Option<String> {
    match dinie::email::check(raw) {
        Ok(()) => Some(raw.to_owned()),
        Err(e) => {
            errors.push(FieldError::new("email", "invalid_format", e.to_string()));
            None
        }
    }
}

/// A free-text field of at most `max` characters.
pub fn text(raw: String, name: &str, max: usize, errors: &mut Vec<FieldError>) -> Option<String> {
    if raw.chars().count() > max {
        errors.push(FieldError::new(
            name,
            "invalid_format",
            format!("{name} must have at most {max} characters"),
        ));
        None
    } else {
        Some(raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_must_be_e164() {
        let mut e = Vec::new();
        assert_eq!(
            phone("+5511987654321", &mut e).as_deref(),
            Some("+5511987654321")
        );
        assert!(phone("(11) 98765-4321", &mut e).is_none());
        assert!(e[0].detail.contains("+5511987654321"));
    }
}
