use std::fmt;
use std::str::FromStr;

use super::{mod11_digit, strip_mask, IdentifierError};

const KIND: &str = "CPF";

/// A valid CPF (Cadastro de Pessoas Físicas): 11 digits with two mod-11 check digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cpf(String);

impl Cpf {
    /// Parses a CPF typed with or without the mask `000.000.000-00`.
    pub fn parse(input: &str) -> Result<Self, IdentifierError> {
        let raw: String = strip_mask(input).collect();
        if raw.is_empty() {
            return Err(IdentifierError::Empty { kind: KIND });
        }
        if let Some((i, c)) = raw.chars().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
            return Err(IdentifierError::InvalidCharacter {
                kind: KIND,
                character: c,
                position: i + 1,
            });
        }
        if raw.len() != 11 {
            return Err(IdentifierError::WrongLength {
                kind: KIND,
                expected: "11",
                found: raw.chars().count(),
            });
        }
        let digits: Vec<u32> = raw.bytes().map(|b| u32::from(b - b'0')).collect();
        if digits.iter().all(|d| *d == digits[0]) {
            return Err(IdentifierError::Repeated { kind: KIND });
        }
        let expected = Self::check_digits(&digits[..9]);
        let found = &raw[9..];
        if expected != found {
            return Err(IdentifierError::CheckDigits {
                kind: KIND,
                expected,
                found: found.to_owned(),
            });
        }
        Ok(Self(raw))
    }

    /// The two check digits of a 9-digit CPF body.
    pub(crate) fn check_digits(body: &[u32]) -> String {
        let first = mod11_digit(body.iter().copied(), &[10, 9, 8, 7, 6, 5, 4, 3, 2]);
        let second = mod11_digit(
            body.iter().copied().chain([first]),
            &[11, 10, 9, 8, 7, 6, 5, 4, 3, 2],
        );
        format!("{first}{second}")
    }

    /// The 11 digits, without the mask (the form the API takes).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Completes a 9-digit body with its check digits (for generators and tests).
    pub fn from_body(body: [u8; 9]) -> Result<Self, IdentifierError> {
        let digits: Vec<u32> = body.iter().map(|d| u32::from(*d % 10)).collect();
        let mut raw: String = digits.iter().map(|d| char::from(b'0' + *d as u8)).collect();
        raw.push_str(&Self::check_digits(&digits));
        Self::parse(&raw)
    }
}

impl FromStr for Cpf {
    type Err = IdentifierError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// Formats with the mask `000.000.000-00`.
impl fmt::Display for Cpf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.0;
        write!(f, "{}.{}.{}-{}", &s[..3], &s[3..6], &s[6..9], &s[9..])
    }
}

impl AsRef<str> for Cpf {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_masked_and_raw() {
        assert_eq!(
            Cpf::parse("123.456.789-09").unwrap().as_str(),
            "12345678909"
        );
        assert_eq!(
            Cpf::parse("12345678909").unwrap().to_string(),
            "123.456.789-09"
        );
        assert_eq!(
            Cpf::parse(" 123 456 789 09 ").unwrap().as_str(),
            "12345678909"
        );
    }

    #[test]
    fn says_what_is_wrong() {
        assert!(matches!(
            Cpf::parse("123.456.789-00"),
            Err(IdentifierError::CheckDigits { .. })
        ));
        assert!(matches!(
            Cpf::parse("111.111.111-11"),
            Err(IdentifierError::Repeated { .. })
        ));
        assert!(matches!(
            Cpf::parse("1234567890"),
            Err(IdentifierError::WrongLength { found: 10, .. })
        ));
        assert!(matches!(
            Cpf::parse("123.456.78a-09"),
            Err(IdentifierError::InvalidCharacter {
                character: 'a',
                position: 9,
                ..
            })
        ));
        assert!(matches!(
            Cpf::parse(" .-"),
            Err(IdentifierError::Empty { .. })
        ));
    }
}
