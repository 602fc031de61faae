//! Why a value or a request was refused, as a code the page's dictionaries translate
//! (`reason.<code>` in `ui/i18n/*.js`) with the values its sentence names. Rust writes no
//! sentence for people: a reason stored in a draft reads right in either language, also after
//! the agent switches, and one list of codes ([`ReasonCode::ALL`]) is what a test walks to find
//! a code with no Portuguese text.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Declares the codes once: each variant, its name in the dictionaries and the values its
/// sentence may use.
macro_rules! reason_codes {
    ($($(#[$meta:meta])* $variant:ident = $raw:literal [$($var:literal),*]),+ $(,)?) => {
        /// A reason's code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum ReasonCode {
            $($(#[$meta])* $variant,)+
        }

        impl ReasonCode {
            /// Every code with the values it carries (for the dictionary test).
            pub const ALL: &[(&str, &[&str])] = &[$(($raw, &[$($var),*])),+];

            /// The name in the dictionaries (after `reason.`).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $raw,)+
                }
            }

            /// The values its sentence may name.
            pub fn vars(self) -> &'static [&'static str] {
                match self {
                    $(Self::$variant => &[$($var),*],)+
                }
            }
        }
    };
}

reason_codes! {
    CpfEmpty = "cpf.empty" [],
    CpfLength = "cpf.length" ["expected", "found"],
    CpfCharacter = "cpf.character" ["character", "position"],
    CpfRepeated = "cpf.repeated" [],
    CpfCheckDigits = "cpf.check_digits" ["expected", "found"],
    /// Dinie refused the CPF (its own check).
    CpfInvalid = "cpf.invalid" [],
    CnpjEmpty = "cnpj.empty" [],
    CnpjLength = "cnpj.length" ["expected", "found"],
    CnpjCharacter = "cnpj.character" ["character", "position"],
    CnpjRepeated = "cnpj.repeated" [],
    CnpjCheckDigits = "cnpj.check_digits" ["expected", "found"],
    CnpjInvalid = "cnpj.invalid" [],
    /// Every Dinie borrower is a company: the CPF is its owner's.
    CnpjRequired = "cnpj.required" [],
    PhoneEmpty = "phone.empty" [],
    PhoneLength = "phone.length" ["expected", "found"],
    PhoneCharacter = "phone.character" ["character", "position"],
    PhoneCountry = "phone.country" ["code"],
    PhoneAreaCode = "phone.area_code" ["ddd"],
    PhoneSubscriber = "phone.subscriber" [],
    EmailInvalid = "email.invalid" [],
    /// A value refused for a reason this release has no words of its own for.
    FieldInvalid = "field.invalid" [],
    /// A name that a spreadsheet would run as a formula.
    NameFormula = "name.formula" ["first"],
    NameTooLong = "name.too_long" ["count", "max"],
    /// A 409: Dinie has a customer with this CPF.
    CpfRegistered = "cpf.registered" [],
    /// A 409 where the agent typed an external id: the customer has another one.
    ExternalIdOther = "external_id.other" [],
    /// Dinie registered this draft's external id with another CPF.
    CpfOtherRegistration = "cpf.other_registration" ["cpf"],
    /// A CSV row whose CPF an earlier row of the same file has.
    CpfRepeatedInFile = "cpf.repeated_in_file" ["row"],
    /// A CSV row whose CPF already has a draft.
    CpfHasDraft = "cpf.has_draft" [],
    /// A field Dinie said is required.
    ApiRequired = "api.required" [],
    /// A field Dinie refused for its format.
    ApiFormat = "api.format" [],
    /// A field Dinie refused with a code this release does not know; `detail` is Dinie's
    /// (English) text.
    ApiRefused = "api.refused" ["detail"],
    /// A reason stored by a release that kept sentences, not codes (English).
    Legacy = "legacy" ["text"],
    /// See the fields marked.
    CheckFields = "check_fields" [],
    /// Dinie registered this draft's external id with another CPF.
    IdentityMismatch = "identity_mismatch" ["cpf"],
    /// A CSV row, checked with the form's rules: see its fields.
    CsvRow = "csv.row" ["row"],
    CsvEmpty = "csv.empty" [],
    CsvMissingColumns = "csv.missing_columns" ["columns"],
    CsvNotCsv = "csv.not_csv" ["kind"],
    CsvMalformed = "csv.malformed" ["row"],
    CsvMixedEncoding = "csv.mixed_encoding" ["row"],
    CsvTooManyRows = "csv.too_many_rows" ["max"],
    /// Some documents of a draft were not sent; each says why.
    DocumentsRefused = "documents.refused" ["files"],
    /// The link is too slow for a document: it timed out again and again.
    DocumentTooSlow = "document.too_slow" ["mb", "times"],
    /// The customer's checklist has no requirement this document fits.
    DocumentNotAsked = "document.not_asked" ["type"],
    /// The customer has no requirement of that id (a slot of another customer's).
    DocumentNoRequirement = "document.no_requirement" [],
    /// Dinie accepted the requirement already.
    DocumentAccepted = "document.accepted" ["label"],
    /// The requirement takes no file (the biometrics, a form).
    DocumentNoFile = "document.no_file" ["label"],
    /// The requirement takes another kind of document.
    DocumentWrongKind = "document.wrong_kind" ["label"],
    /// The selfie is the biometrics capture's.
    DocumentSelfie = "document.selfie" [],
    /// No type chosen for the file yet.
    DocumentChooseType = "document.choose_type" [],
    /// Dinie already had it.
    DocumentAlreadySent = "document.already_sent" ["type"],
    /// A file over Dinie's size limit (both in MB).
    FileTooLarge = "file.too_large" ["size", "limit"],
    /// A file of the draft is missing or damaged on this computer.
    DraftLocalFile = "draft.local_file" [],
    ConnectionUrlMissing = "connection.url_missing" [],
    /// Plain http to a host that is not this computer.
    ConnectionUrlHttp = "connection.url_http" [],
    ConnectionUrlInvalid = "connection.url_invalid" [],
    ConnectionNameLength = "connection.name_length" [],
    ConnectionNameTaken = "connection.name_taken" [],
    ConnectionClientIdInvalid = "connection.client_id_invalid" [],
    ConnectionClientIdMissing = "connection.client_id_missing" [],
    ConnectionSecretMissing = "connection.secret_missing" [],
    /// The connection's address changed: the credentials must be typed again.
    ConnectionRetype = "connection.retype" [],
    ConnectionClientIdNotStored = "connection.client_id_not_stored" [],
    ConnectionSecretNotStored = "connection.secret_not_stored" [],
}

/// Why something was refused: a code and the values its sentence names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    pub code: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub vars: BTreeMap<String, String>,
}

impl Reason {
    pub fn new(code: ReasonCode) -> Self {
        Self {
            code: code.as_str().to_owned(),
            vars: BTreeMap::new(),
        }
    }

    /// With the value `name` (one its code declares).
    pub fn with(mut self, name: &str, value: impl ToString) -> Self {
        debug_assert!(
            ReasonCode::ALL
                .iter()
                .any(|(code, vars)| *code == self.code && vars.contains(&name)),
            "{} does not declare {name}",
            self.code
        );
        self.vars.insert(name.to_owned(), value.to_string());
        self
    }

    /// A sentence stored by an earlier release, kept as it was.
    pub fn legacy(text: impl ToString) -> Self {
        Self::new(ReasonCode::Legacy).with("text", text)
    }

    /// Why a CPF, CNPJ or phone was refused.
    pub fn identifier(field: Identifier, e: &dinie::br::IdentifierError) -> Self {
        use dinie::br::IdentifierError as E;
        use Identifier::{Cnpj, Cpf, Phone};
        use ReasonCode as C;
        let by_field = |cpf, cnpj, phone| match field {
            Cpf => cpf,
            Cnpj => cnpj,
            Phone => phone,
        };
        match e {
            E::Empty { .. } => Self::new(by_field(C::CpfEmpty, C::CnpjEmpty, C::PhoneEmpty)),
            E::WrongLength {
                expected, found, ..
            } => Self::new(by_field(C::CpfLength, C::CnpjLength, C::PhoneLength))
                .with("expected", expected)
                .with("found", found),
            E::InvalidCharacter {
                character,
                position,
                ..
            } => Self::new(by_field(
                C::CpfCharacter,
                C::CnpjCharacter,
                C::PhoneCharacter,
            ))
            .with("character", character)
            .with("position", position),
            E::Repeated { .. } if field != Phone => {
                Self::new(by_field(C::CpfRepeated, C::CnpjRepeated, C::FieldInvalid))
            }
            E::CheckDigits {
                expected, found, ..
            } if field != Phone => Self::new(by_field(
                C::CpfCheckDigits,
                C::CnpjCheckDigits,
                C::FieldInvalid,
            ))
            .with("expected", expected)
            .with("found", found),
            E::ForeignCountryCode(code) => Self::new(C::PhoneCountry).with("code", code),
            E::InvalidAreaCode(ddd) => Self::new(C::PhoneAreaCode).with("ddd", ddd),
            E::InvalidSubscriberNumber => Self::new(C::PhoneSubscriber),
            // A refusal a newer `dinie` knows (or none a phone has): "check this field".
            _ => Self::new(C::FieldInvalid),
        }
    }

    /// A field error of Dinie's own (a 422's `errors[]`).
    pub fn api_field(code: Option<&str>, detail: Option<&str>) -> Self {
        match code {
            Some("missing_required_field") => Self::new(ReasonCode::ApiRequired),
            Some("invalid_cpf") => Self::new(ReasonCode::CpfInvalid),
            Some("invalid_cnpj") => Self::new(ReasonCode::CnpjInvalid),
            Some("invalid_email") => Self::new(ReasonCode::EmailInvalid),
            Some("invalid_format") => Self::new(ReasonCode::ApiFormat),
            _ => Self::new(ReasonCode::ApiRefused).with("detail", detail.unwrap_or_default()),
        }
    }
}

/// Which identifier a [`Reason::identifier`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Identifier {
    Cpf,
    Cnpj,
    Phone,
}

/// Logs name the code only: the values may be a person's data.
impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.code)
    }
}

/// Reads a reason, or the sentence an earlier release stored in its place.
impl<'de> Deserialize<'de> for Reason {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Coded {
            code: String,
            #[serde(default)]
            vars: BTreeMap<String, String>,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Stored {
            Coded(Coded),
            Sentence(String),
        }
        Ok(match Stored::deserialize(d)? {
            Stored::Coded(Coded { code, vars }) => Self { code, vars },
            Stored::Sentence(text) => Self::legacy(text),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sentence_of_an_earlier_release_reads_as_a_legacy_reason() {
        let old: Reason = serde_json::from_str(r#""already registered""#).unwrap();
        assert_eq!(old, Reason::legacy("already registered"));
        let coded = Reason::new(ReasonCode::CpfCheckDigits)
            .with("expected", "09")
            .with("found", "00");
        let json = serde_json::to_string(&coded).unwrap();
        assert_eq!(
            json,
            r#"{"code":"cpf.check_digits","vars":{"expected":"09","found":"00"}}"#
        );
        assert_eq!(serde_json::from_str::<Reason>(&json).unwrap(), coded);
    }

    #[test]
    fn every_identifier_refusal_has_a_code_of_its_field() {
        let cases = [
            (Identifier::Cpf, "", "cpf.empty"),
            (Identifier::Cpf, "123", "cpf.length"),
            (Identifier::Cpf, "111.111.111-11", "cpf.repeated"),
            (Identifier::Cpf, "123.456.789-00", "cpf.check_digits"),
            (Identifier::Cpf, "123.456.78a-09", "cpf.character"),
            (Identifier::Cnpj, "12.345.678/0001-00", "cnpj.check_digits"),
            (Identifier::Phone, "(20) 98765-4321", "phone.area_code"),
            (Identifier::Phone, "(11) 8765-4321", "phone.subscriber"),
            (Identifier::Phone, "+1 415 555 0100", "phone.country"),
        ];
        for (field, input, code) in cases {
            let e = match field {
                Identifier::Cpf => dinie::br::Cpf::parse(input).unwrap_err(),
                Identifier::Cnpj => dinie::br::Cnpj::parse(input).unwrap_err(),
                Identifier::Phone => dinie::br::Phone::parse(input).unwrap_err(),
            };
            assert_eq!(Reason::identifier(field, &e).code, code, "{input}");
        }
        let digits = Reason::identifier(
            Identifier::Cpf,
            &dinie::br::Cpf::parse("123.456.789-00").unwrap_err(),
        );
        assert_eq!(digits.vars["expected"], "09");
    }
}
