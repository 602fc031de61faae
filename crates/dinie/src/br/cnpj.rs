use std::fmt;
use std::str::FromStr;

use super::{mod11_digit, strip_mask, IdentifierError};

const KIND: &str = "CNPJ";
const FIRST_WEIGHTS: [u32; 12] = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];
const SECOND_WEIGHTS: [u32; 13] = [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];

/// A valid CNPJ (Cadastro Nacional da Pessoa Jurídica), numeric or alphanumeric.
///
/// Since July 2026 the first 12 characters may be letters `A`–`Z` as well as digits; each
/// character is worth its ASCII code minus 48 in the check-digit sums, and the two check digits
/// stay numeric. Letters are accepted in either case and kept upper-case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cnpj(String);

impl Cnpj {
    /// Parses a CNPJ typed with or without the mask `00.000.000/0000-00`.
    pub fn parse(input: &str) -> Result<Self, IdentifierError> {
        let raw: String = strip_mask(input).map(|c| c.to_ascii_uppercase()).collect();
        if raw.is_empty() {
            return Err(IdentifierError::Empty { kind: KIND });
        }
        for (i, c) in raw.chars().enumerate() {
            let allowed = if i < 12 {
                c.is_ascii_digit() || c.is_ascii_uppercase()
            } else {
                c.is_ascii_digit()
            };
            if !allowed {
                return Err(IdentifierError::InvalidCharacter {
                    kind: KIND,
                    character: c,
                    position: i + 1,
                });
            }
        }
        if raw.len() != 14 {
            return Err(IdentifierError::WrongLength {
                kind: KIND,
                expected: "14",
                found: raw.len(),
            });
        }
        let first = raw.as_bytes()[0];
        if raw.bytes().all(|b| b == first) {
            return Err(IdentifierError::Repeated { kind: KIND });
        }
        let expected = Self::check_digits(&raw[..12]);
        let found = &raw[12..];
        if expected != found {
            return Err(IdentifierError::CheckDigits {
                kind: KIND,
                expected,
                found: found.to_owned(),
            });
        }
        Ok(Self(raw))
    }

    /// The two check digits of a 12-character body (digits or upper-case letters).
    pub(crate) fn check_digits(body: &str) -> String {
        let values: Vec<u32> = body.bytes().map(|b| u32::from(b) - 48).collect();
        let first = mod11_digit(values.iter().copied(), &FIRST_WEIGHTS);
        let second = mod11_digit(values.iter().copied().chain([first]), &SECOND_WEIGHTS);
        format!("{first}{second}")
    }

    /// Completes a 12-character body (digits or letters) with its check digits.
    pub fn from_body(body: &str) -> Result<Self, IdentifierError> {
        let body = body.to_ascii_uppercase();
        if body.len() != 12 || !body.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(IdentifierError::WrongLength {
                kind: KIND,
                expected: "12 (body)",
                found: body.len(),
            });
        }
        Self::parse(&format!("{body}{}", Self::check_digits(&body)))
    }

    /// The 14 characters without the mask (the form the API takes).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True when the CNPJ uses the alphanumeric format (has a letter).
    pub fn is_alphanumeric(&self) -> bool {
        self.0.bytes().any(|b| b.is_ascii_uppercase())
    }
}

impl FromStr for Cnpj {
    type Err = IdentifierError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// Formats with the mask `00.000.000/0000-00`.
impl fmt::Display for Cnpj {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.0;
        write!(
            f,
            "{}.{}.{}/{}-{}",
            &s[..2],
            &s[2..5],
            &s[5..8],
            &s[8..12],
            &s[12..]
        )
    }
}

impl AsRef<str> for Cnpj {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_and_alphanumeric() {
        let numeric = Cnpj::parse("12.345.678/0001-95").unwrap();
        assert_eq!(numeric.as_str(), "12345678000195");
        assert!(!numeric.is_alphanumeric());
        let alpha = Cnpj::parse("12.ABC.345/01DE-35").unwrap();
        assert_eq!(alpha.as_str(), "12ABC34501DE35");
        assert!(alpha.is_alphanumeric());
        assert_eq!(
            Cnpj::parse("12abc34501de35").unwrap().to_string(),
            "12.ABC.345/01DE-35"
        );
    }

    #[test]
    fn says_what_is_wrong() {
        assert!(matches!(
            Cnpj::parse("12.345.678/0001-96"),
            Err(IdentifierError::CheckDigits { .. })
        ));
        assert!(matches!(
            Cnpj::parse("12.ABC.345/01DE-3A"),
            Err(IdentifierError::InvalidCharacter {
                character: 'A',
                position: 14,
                ..
            })
        ));
        assert!(matches!(
            Cnpj::parse("00.000.000/0000-00"),
            Err(IdentifierError::Repeated { .. })
        ));
        assert!(matches!(
            Cnpj::parse("12.345.678/0001"),
            Err(IdentifierError::WrongLength { found: 12, .. })
        ));
    }
}
