//! The error a command returns to the page: a stable [`ErrorCode`] the UI translates
//! (`error.<code>` in its dictionaries), a message (English, for logs and for a code of the
//! API's that no dictionary has), the API's request id, per-field [`Reason`]s and, where the
//! code alone does not say enough, a [`Reason`] of its own (`reason.<code>`). Every service
//! error becomes one here, and only here.

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

use crate::services::activation::ActivationError;
use crate::services::biometrics::{BiometricsError, ShareError};
use crate::services::connection::ConnectionError;
use crate::services::customer_index::IndexError;
use crate::services::customers::{ApiProblem, FieldProblem, NoLiveCheck};
use crate::services::diagnostics::TestFailure;
use crate::services::documents::{FileProblem, FileProblemCode, UploadError};
use crate::services::drafts::files::FileError;
use crate::services::drafts::sealing::SealError;
use crate::services::drafts::sheets::SheetError;
use crate::services::drafts::submit::SubmitError;
use crate::services::drafts::{DraftError, DraftProblem};
use crate::services::keychain::KeychainError;
use crate::services::picked::PickError;
use crate::services::profiles::ProfileError;
use crate::services::reason::{Reason, ReasonCode};
use crate::services::settings::SettingsError;
use crate::services::startup::StartupError;
use crate::windows::biometrics::WindowError;

/// Declares the codes once: each variant and its wire name.
macro_rules! error_codes {
    ($($(#[$meta:meta])* $variant:ident = $raw:literal),+ $(,)?) => {
        /// What went wrong, as the page's dictionary names it.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum ErrorCode {
            $($(#[$meta])* $variant,)+
            /// A code of the API's own (`invalid_request`, `idempotency_key_reused`, …), passed on.
            Api(String),
        }

        impl ErrorCode {
            /// Every named code (for the dictionary test).
            pub const NAMED: &[&str] = &[$($raw),+];

            /// The wire name.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $raw,)+
                    Self::Api(raw) => raw,
                }
            }

            /// The code named `raw` (one of the API's own when it is none of ours).
            pub fn parse(raw: &str) -> Self {
                match raw {
                    $($raw => Self::$variant,)+
                    other => Self::Api(other.to_owned()),
                }
            }
        }
    };
}

error_codes! {
    /// The API could not be reached.
    Offline = "offline",
    /// The API did not answer in time.
    Timeout = "timeout",
    /// The API refused the credentials.
    AuthFailed = "auth_failed",
    /// The API answered something the app cannot read.
    UnexpectedAnswer = "unexpected_answer",
    /// The request itself is wrong (a bug of the page, or a value no form can produce).
    InvalidInput = "invalid_input",
    NotFound = "not_found",
    Conflict = "conflict",
    /// Fields are wrong: see `fields`.
    Validation = "validation",
    RateLimited = "rate_limited",
    ServerError = "server_error",
    /// An API error with no code of its own.
    ApiError = "api_error",
    Internal = "internal",
    Cancelled = "cancelled",
    KeychainUnavailable = "keychain_unavailable",
    KeychainFailed = "keychain_failed",
    WrongCredentials = "wrong_credentials",
    Unreachable = "unreachable",
    TlsFailed = "tls_failed",
    NotDinie = "not_dinie",
    /// Switching to production needs the agent's confirmation.
    ConfirmLive = "confirm_live",
    /// A capture session opened elsewhere is still open; `message` says until when.
    SessionElsewhere = "session_elsewhere",
    /// The capture session this app opened has expired: start another.
    SessionExpired = "session_expired",
    /// The system has no program for the link (no mail or web handler).
    NoHandler = "no_handler",
    OfflineNoDraft = "offline_no_draft",
    DraftLocked = "draft_locked",
    /// The draft belongs to another connection: move it first.
    DraftOtherConnection = "draft_other_connection",
    /// A create may have reached Dinie: CPF, CNPJ and external id are frozen.
    DraftIdentityFrozen = "draft_identity_frozen",
    /// Sealed with a key the keychain no longer has.
    DraftUnreadable = "draft_unreadable",
    /// A document's file of the draft is missing on this computer.
    DraftFileMissing = "draft_file_missing",
    DocumentNotNeeded = "document_not_needed",
    Refused = "refused",
    Missing = "missing",
    Unreadable = "unreadable",
    Empty = "empty",
    TooLarge = "too_large",
    NotADocument = "not_a_document",
    TypeNotNeeded = "type_not_needed",
    AlreadyApproved = "already_approved",
    ChooseType = "choose_type",
    InvalidFile = "invalid_file",
    /// A file could not be written where the agent chose.
    NotSaved = "not_saved",
}

impl Serialize for ErrorCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A failure as the page sees it.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct CommandError {
    pub code: ErrorCode,
    /// What happened, for people.
    pub message: String,
    /// The API's `x-request-id`, to quote to support.
    pub request_id: Option<String>,
    /// Form field (camelCase) → why.
    pub fields: Vec<(String, Reason)>,
    /// What the code alone does not say (which columns a CSV lacks, …).
    pub reason: Option<Box<Reason>>,
    /// The existing customer of a `customer_already_exists` conflict.
    pub customer_id: Option<Box<str>>,
}

impl CommandError {
    /// An error with a code and message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            request_id: None,
            fields: Vec::new(),
            reason: None,
            customer_id: None,
        }
    }

    /// With the reason the page shows beside the code's sentence.
    pub fn because(mut self, reason: Reason) -> Self {
        self.reason = Some(Box::new(reason));
        self
    }

    pub(crate) fn internal(e: impl std::fmt::Display) -> Self {
        Self::new(ErrorCode::Internal, e.to_string())
    }
}

impl From<dinie::Error> for CommandError {
    fn from(e: dinie::Error) -> Self {
        use dinie::Error as E;
        let problem = ApiProblem::of(&e);
        let code = match &e {
            E::Connection { .. } => ErrorCode::Offline,
            E::Timeout { .. } => ErrorCode::Timeout,
            // No status: the connection has no credentials (the keychain did not give them).
            E::Authentication { status: None, .. } => ErrorCode::KeychainUnavailable,
            E::Authentication { .. } => ErrorCode::AuthFailed,
            E::Decode { .. } => ErrorCode::UnexpectedAnswer,
            E::InvalidInput(_) => ErrorCode::InvalidInput,
            E::Throttled { .. } => ErrorCode::RateLimited,
            E::Api(_) => problem
                .code
                .as_deref()
                .map_or(ErrorCode::ApiError, ErrorCode::parse),
            _ => ErrorCode::Internal,
        };
        Self {
            code,
            message: e.to_string(),
            request_id: e.request_id().map(str::to_owned),
            fields: problem.fields.into_iter().collect(),
            reason: None,
            customer_id: problem.customer_id.map(String::into_boxed_str),
        }
    }
}

impl From<KeychainError> for CommandError {
    fn from(e: KeychainError) -> Self {
        let code = match &e {
            KeychainError::Unavailable(_) => ErrorCode::KeychainUnavailable,
            KeychainError::Failed(_) => ErrorCode::KeychainFailed,
        };
        Self::new(code, e.to_string())
    }
}

impl From<ProfileError> for CommandError {
    fn from(e: ProfileError) -> Self {
        let code = match e {
            ProfileError::Keychain(k) => return k.into(),
            ProfileError::Invalid { .. } => ErrorCode::Validation,
            ProfileError::NotFound => ErrorCode::NotFound,
            ProfileError::BuiltIn => ErrorCode::InvalidInput,
            ProfileError::Store(_) | ProfileError::Folder(_) => ErrorCode::Internal,
        };
        let mut err = Self::new(code, e.to_string());
        if let ProfileError::Invalid { field, reason } = &e {
            err.fields.push(((*field).to_owned(), reason.clone()));
        }
        err
    }
}

impl From<TestFailure> for CommandError {
    fn from(e: TestFailure) -> Self {
        let message = e.to_string();
        match e {
            TestFailure::Other(inner) => inner.into(),
            TestFailure::WrongCredentials(request_id) => Self {
                request_id,
                ..Self::new(ErrorCode::WrongCredentials, message)
            },
            TestFailure::Unreachable(_) => Self::new(ErrorCode::Unreachable, message),
            TestFailure::Tls(_) => Self::new(ErrorCode::TlsFailed, message),
            TestFailure::NotDinie(_) => Self::new(ErrorCode::NotDinie, message),
            TestFailure::Timeout(_) => Self::new(ErrorCode::Timeout, message),
        }
    }
}

impl From<ConnectionError> for CommandError {
    fn from(e: ConnectionError) -> Self {
        match e {
            ConnectionError::Client(inner) => inner.into(),
            other => Self::internal(other),
        }
    }
}

impl From<ActivationError> for CommandError {
    fn from(e: ActivationError) -> Self {
        match e {
            ActivationError::ConfirmLive => Self::new(ErrorCode::ConfirmLive, e.to_string()),
            ActivationError::EmbeddedNotActive => Self::new(ErrorCode::InvalidInput, e.to_string()),
            ActivationError::Profile(p) => p.into(),
            ActivationError::Connection(c) => c.into(),
            ActivationError::Test(t) => t.into(),
        }
    }
}

impl From<StartupError> for CommandError {
    fn from(e: StartupError) -> Self {
        Self::internal(e)
    }
}

impl From<SettingsError> for CommandError {
    fn from(e: SettingsError) -> Self {
        match e {
            SettingsError::UnsupportedLanguage(_) => {
                Self::new(ErrorCode::InvalidInput, e.to_string())
            }
            other => Self::internal(other),
        }
    }
}

impl From<NoLiveCheck> for CommandError {
    fn from(e: NoLiveCheck) -> Self {
        Self::new(ErrorCode::InvalidInput, e.to_string())
    }
}

impl From<FileProblem> for CommandError {
    fn from(p: FileProblem) -> Self {
        let code = match p.code {
            FileProblemCode::Missing => ErrorCode::Missing,
            FileProblemCode::Unreadable => ErrorCode::Unreadable,
            FileProblemCode::Empty => ErrorCode::Empty,
            FileProblemCode::TooLarge => ErrorCode::TooLarge,
            FileProblemCode::NotADocument => ErrorCode::NotADocument,
            FileProblemCode::TypeNotNeeded => ErrorCode::TypeNotNeeded,
            FileProblemCode::AlreadyApproved => ErrorCode::AlreadyApproved,
            FileProblemCode::ChooseType => ErrorCode::ChooseType,
            FileProblemCode::InvalidFile => ErrorCode::InvalidFile,
        };
        let too_large = (p.code == FileProblemCode::TooLarge)
            .then(|| p.vars.get("size").zip(p.vars.get("limit")))
            .flatten()
            .map(|(size, limit)| {
                Reason::new(ReasonCode::FileTooLarge)
                    .with("size", size)
                    .with("limit", limit)
            });
        let err = Self::new(code, p.message);
        match too_large {
            Some(reason) => err.because(reason),
            None => err,
        }
    }
}

impl From<PickError> for CommandError {
    fn from(e: PickError) -> Self {
        Self::new(ErrorCode::InvalidInput, e.to_string())
    }
}

impl From<UploadError> for CommandError {
    fn from(e: UploadError) -> Self {
        match e {
            UploadError::Refused(p) => p.into(),
            UploadError::NotPicked(p) => p.into(),
            UploadError::Cancelled => Self::new(ErrorCode::Cancelled, e.to_string()),
            UploadError::Api(inner) => inner.into(),
        }
    }
}

impl From<BiometricsError> for CommandError {
    fn from(e: BiometricsError) -> Self {
        match e {
            BiometricsError::OpenElsewhere { until, error } => {
                let mut err = Self::from(error);
                err.code = ErrorCode::SessionElsewhere;
                // The page shows when the other session ends.
                err.message = until;
                err
            }
            BiometricsError::Api(inner) => inner.into(),
        }
    }
}

impl From<IndexError> for CommandError {
    fn from(e: IndexError) -> Self {
        match e {
            IndexError::Key(d) => d.into(),
            IndexError::Api(a) => a.into(),
            other => Self::internal(other),
        }
    }
}

impl From<ShareError> for CommandError {
    fn from(e: ShareError) -> Self {
        match e {
            ShareError::NoSession => Self::new(ErrorCode::SessionExpired, e.to_string()),
            ShareError::WithoutLink => Self::new(ErrorCode::InvalidInput, e.to_string()),
            ShareError::Open(_) => Self::new(ErrorCode::NoHandler, e.to_string()),
            ShareError::Api(inner) => inner.into(),
        }
    }
}

impl From<WindowError> for CommandError {
    fn from(e: WindowError) -> Self {
        match e {
            WindowError::BadUrl => Self::new(ErrorCode::UnexpectedAnswer, e.to_string()),
            WindowError::Tauri(_) => Self::internal(e),
        }
    }
}

impl From<DraftError> for CommandError {
    fn from(e: DraftError) -> Self {
        let code = match e {
            DraftError::Seal(SealError::Keychain(k)) => return k.into(),
            DraftError::NotFound => ErrorCode::NotFound,
            DraftError::Locked(_) => ErrorCode::DraftLocked,
            DraftError::Unavailable(_) => ErrorCode::KeychainUnavailable,
            DraftError::OtherConnection { .. } => ErrorCode::DraftOtherConnection,
            DraftError::IdentityFrozen => ErrorCode::DraftIdentityFrozen,
            DraftError::OtherKey => ErrorCode::DraftUnreadable,
            DraftError::MissingFile => ErrorCode::DraftFileMissing,
            DraftError::UnknownDocumentType(_) => ErrorCode::InvalidInput,
            _ => ErrorCode::Internal,
        };
        Self::new(code, e.to_string())
    }
}

impl From<FileError> for CommandError {
    fn from(e: FileError) -> Self {
        match e {
            FileError::Refused(p) => p.into(),
            FileError::Draft(e) => e.into(),
            FileError::NotPicked(p) => p.into(),
            FileError::Import(e) => {
                Self::new(ErrorCode::InvalidFile, e.to_string()).because(e.reason())
            }
        }
    }
}

impl From<SheetError> for CommandError {
    fn from(e: SheetError) -> Self {
        let message = e.to_string();
        match e {
            SheetError::NotPicked(p) => p.into(),
            SheetError::Source(_) => Self::new(ErrorCode::Unreadable, message),
            SheetError::Import(import) => {
                Self::new(ErrorCode::InvalidFile, message).because(import.reason())
            }
            SheetError::NoRows => Self::new(ErrorCode::InvalidFile, message),
            SheetError::Write { .. } => Self::new(ErrorCode::NotSaved, message),
        }
    }
}

/// The fields a local check refused, for the form.
impl From<Vec<FieldProblem>> for CommandError {
    fn from(problems: Vec<FieldProblem>) -> Self {
        let mut err = Self::new(ErrorCode::Validation, "check the highlighted fields");
        err.fields = problems
            .into_iter()
            .map(|p| (p.field.to_owned(), p.reason))
            .collect();
        err
    }
}

impl From<DraftProblem> for CommandError {
    fn from(problem: DraftProblem) -> Self {
        let mut err = Self::new(ErrorCode::parse(&problem.code), problem.reason.to_string())
            .because(problem.reason);
        err.fields = problem.fields.into_iter().collect();
        err.customer_id = problem.customer_id.map(String::into_boxed_str);
        err
    }
}

impl From<SubmitError> for CommandError {
    fn from(e: SubmitError) -> Self {
        match e {
            SubmitError::Form(problems) => problems.into(),
            SubmitError::Refused {
                problem,
                error: Some(error),
            } => {
                let mut err = Self::from(error).because(problem.reason);
                err.fields = problem.fields.into_iter().collect();
                err.customer_id = problem.customer_id.map(String::into_boxed_str);
                err
            }
            SubmitError::Refused {
                problem,
                error: None,
            } => problem.into(),
            SubmitError::Api(inner) => inner.into(),
            SubmitError::OfflineWithoutDraft { .. } => {
                Self::new(ErrorCode::OfflineNoDraft, e.to_string())
            }
            SubmitError::Draft(inner) => inner.into(),
        }
    }
}

impl Serialize for CommandError {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("CommandError", 6)?;
        st.serialize_field("code", &self.code)?;
        st.serialize_field("message", &self.message)?;
        st.serialize_field("requestId", &self.request_id)?;
        let fields: std::collections::BTreeMap<&str, &Reason> =
            self.fields.iter().map(|(k, v)| (k.as_str(), v)).collect();
        st.serialize_field("fields", &fields)?;
        st.serialize_field("reason", &self.reason)?;
        st.serialize_field("customerId", &self.customer_id)?;
        st.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_as_an_object_for_the_page() {
        let mut e = CommandError::new(ErrorCode::Validation, "2 fields are invalid");
        e.request_id = Some("req_1".into());
        e.fields.push((
            "cpf".into(),
            Reason::new(crate::services::reason::ReasonCode::CpfRepeated),
        ));
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"code":"validation","message":"2 fields are invalid","requestId":"req_1","fields":{"cpf":{"code":"cpf.repeated"}},"reason":null,"customerId":null})
        );
    }

    #[test]
    fn codes_round_trip_and_unknown_ones_pass_through() {
        for name in ErrorCode::NAMED {
            assert_eq!(ErrorCode::parse(name).as_str(), *name);
        }
        assert_eq!(
            ErrorCode::parse("idempotency_key_reused"),
            ErrorCode::Api("idempotency_key_reused".into())
        );
    }

    #[test]
    fn api_field_errors_reach_the_form_in_its_own_spelling() {
        let error = dinie::Error::Api(Box::new(dinie::ApiError {
            status: tauri::http::StatusCode::UNPROCESSABLE_ENTITY,
            problem: serde_json::from_value(serde_json::json!({
                "code": "invalid_format",
                "errors": [{"param": "trading_name", "detail": "too long"}],
            }))
            .unwrap(),
            request_id: Some("req_9".into()),
            retry_after: None,
        }));
        let err = CommandError::from(error);
        assert_eq!(err.code, ErrorCode::Validation);
        assert_eq!(
            err.fields,
            [(
                "tradingName".to_owned(),
                Reason::api_field(None, Some("too long"))
            )]
        );
        assert_eq!(err.request_id.as_deref(), Some("req_9"));
    }
}
