//! Brazilian identifiers: [`Cpf`], [`Cnpj`] (numeric and alphanumeric) and [`Phone`] (+55).
//!
//! Every type parses masked or raw input (`123.456.789-09` or `12345678909`), keeps the raw
//! canonical form (`as_str`), and formats with the usual mask through `Display`. Parsing checks
//! the length, the characters and the check digits, and says which of them failed.
//!
//! ```
//! use dinie::br::{Cnpj, Cpf, Phone};
//!
//! let cpf: Cpf = "123.456.789-09".parse()?;
//! assert_eq!(cpf.as_str(), "12345678909");
//! assert_eq!(cpf.to_string(), "123.456.789-09");
//!
//! let cnpj: Cnpj = "12.abc.345/01de-35".parse()?;
//! assert_eq!(cnpj.to_string(), "12.ABC.345/01DE-35");
//!
//! let phone: Phone = "(11) 98765-4321".parse()?;
//! assert_eq!(phone.e164(), "+5511987654321");
//! # Ok::<(), dinie::br::IdentifierError>(())
//! ```

mod cnpj;
mod cpf;
mod phone;

pub use cnpj::Cnpj;
pub use cpf::Cpf;
pub use phone::{Phone, PhoneKind};

/// Why a CPF, CNPJ or phone number was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdentifierError {
    /// The input is empty (or only mask characters).
    #[error("{kind} is empty")]
    Empty {
        /// `CPF`, `CNPJ` or `phone`.
        kind: &'static str,
    },
    /// Wrong number of significant characters after removing the mask.
    #[error("{kind} must have {expected} characters, found {found}")]
    WrongLength {
        /// `CPF`, `CNPJ` or `phone`.
        kind: &'static str,
        /// What the format needs (for example "11" or "10 or 11").
        expected: &'static str,
        /// How many significant characters the input had.
        found: usize,
    },
    /// A character that cannot appear at that position.
    #[error("{kind} has an invalid character {character:?} at position {position}")]
    InvalidCharacter {
        /// `CPF`, `CNPJ` or `phone`.
        kind: &'static str,
        /// The offending character.
        character: char,
        /// 1-based position among the significant characters.
        position: usize,
    },
    /// All digits are the same (`111.111.111-11`): passes the arithmetic but is never issued.
    #[error("{kind} cannot have all digits equal")]
    Repeated {
        /// `CPF` or `CNPJ`.
        kind: &'static str,
    },
    /// The check digits do not match the rest of the number: usually a typo.
    #[error("{kind} check digits do not match (expected {expected}, found {found})")]
    CheckDigits {
        /// `CPF` or `CNPJ`.
        kind: &'static str,
        /// The check digits the body implies.
        expected: String,
        /// The check digits typed.
        found: String,
    },
    /// A phone with a country code other than Brazil's +55.
    #[error("phone must be a Brazilian number (+55), found country code +{0}")]
    ForeignCountryCode(String),
    /// A phone with an area code (DDD) that does not exist.
    #[error("phone area code {0} does not exist")]
    InvalidAreaCode(String),
    /// A phone whose subscriber number is neither a mobile (9 digits, starting with 9) nor a
    /// landline (8 digits, starting with 2 to 5).
    #[error("phone number must be a mobile (9 digits starting with 9) or a landline (8 digits starting with 2 to 5)")]
    InvalidSubscriberNumber,
}

/// The check digit of a mod-11 scheme: remainder below 2 → 0, else 11 − remainder.
fn mod11_digit(values: impl Iterator<Item = u32>, weights: &[u32]) -> u32 {
    let sum: u32 = values.zip(weights).map(|(v, w)| v * w).sum();
    match sum % 11 {
        r if r < 2 => 0,
        r => 11 - r,
    }
}

/// Removes the usual mask characters (`.`, `-`, `/`, spaces, parentheses).
fn strip_mask(input: &str) -> impl Iterator<Item = char> + '_ {
    input
        .chars()
        .filter(|c| !matches!(c, '.' | '-' | '/' | ' ' | '(' | ')' | '\u{a0}' | '\t'))
}
