//! The one error type of the crate, and the API's RFC 9457 problem details.

use std::path::PathBuf;

use reqwest::StatusCode;
use serde::{Deserialize, Serialize};

/// Everything a call can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The API answered with an error status and (usually) a problem+json body.
    #[error("{0}")]
    Api(Box<ApiError>),
    /// The client credentials were refused, or the token endpoint failed.
    #[error("authentication failed: {message}{}", request_id_suffix(.request_id))]
    Authentication {
        /// What the server said.
        message: String,
        /// HTTP status of the token endpoint (401, 400, …), when it answered.
        status: Option<u16>,
        /// The server's `x-request-id`.
        request_id: Option<String>,
    },
    /// The server could not be reached (DNS, refused connection, TLS, reset).
    #[error("could not connect to {url}: {source}")]
    Connection {
        /// The URL that was being requested.
        url: String,
        /// The underlying error.
        #[source]
        source: reqwest::Error,
    },
    /// No answer within the configured timeout.
    #[error("the request to {url} timed out")]
    Timeout {
        /// The URL that was being requested.
        url: String,
    },
    /// The server answered something that is not the documented shape.
    #[error("could not decode the response at `{path}`: {message}{}", request_id_suffix(.request_id))]
    Decode {
        /// JSON path of the failing field (`data[3].kyc[0].status`), `.` for the whole body.
        path: String,
        /// What went wrong.
        message: String,
        /// HTTP status of the response.
        status: u16,
        /// The server's `x-request-id`.
        request_id: Option<String>,
    },
    /// The call was refused before anything was sent.
    #[error(transparent)]
    InvalidInput(#[from] InvalidInput),
    /// Not sent: Dinie asked this client to wait (a 429, or a window with no request left),
    /// and the wait is longer than a request may be kept waiting.
    #[error("Dinie asked to wait {} s before the next request", .wait.as_secs().max(1))]
    Throttled {
        /// How long is left to wait.
        wait: std::time::Duration,
    },
}

fn request_id_suffix(id: &Option<String>) -> String {
    id.as_ref()
        .map(|id| format!(" (request id {id})"))
        .unwrap_or_default()
}

impl Error {
    /// The `x-request-id` of the response that failed, if there was one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.request_id.as_deref(),
            Error::Authentication { request_id, .. } | Error::Decode { request_id, .. } => {
                request_id.as_deref()
            }
            _ => None,
        }
    }

    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(e) => Some(e.status.as_u16()),
            Error::Authentication { status, .. } => *status,
            Error::Decode { status, .. } => Some(*status),
            Error::Throttled { .. } => Some(429),
            _ => None,
        }
    }

    /// How long the server asked to wait before the next request (a 429), as it asked.
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        match self {
            Error::Api(e) => e.retry_after.map(std::time::Duration::from_secs),
            Error::Throttled { wait } => Some(*wait),
            _ => None,
        }
    }

    /// The problem `code` (`invalid_cpf`, `customer_already_exists`, …) of an API error.
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.problem.code.as_deref(),
            _ => None,
        }
    }

    /// The API error, when this is one.
    pub fn as_api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// True when the server was not reached or did not answer in time: the connection, not the
    /// request, is at fault.
    pub fn is_unreachable(&self) -> bool {
        matches!(self, Error::Connection { .. } | Error::Timeout { .. })
    }

    /// True when the credentials themselves were refused (not an expired token, which the
    /// client renews on its own).
    pub fn is_credentials_refused(&self) -> bool {
        matches!(
            self,
            Error::Authentication {
                status: Some(400 | 401 | 403),
                ..
            }
        )
    }

    /// True for failures where the same request may succeed later (network, 408, 429, 5xx).
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Connection { .. } | Error::Timeout { .. } => true,
            Error::Api(e) => is_retryable_status(e.status),
            _ => false,
        }
    }
}

pub(crate) fn is_retryable_status(status: StatusCode) -> bool {
    status == StatusCode::REQUEST_TIMEOUT
        || status == StatusCode::TOO_MANY_REQUESTS
        || status.is_server_error()
}

/// An error answer of the API.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{} ({}){}{}", self.summary(), status, self.problem.code.as_deref().map(|c| format!(" [{c}]")).unwrap_or_default(), request_id_suffix(&self.request_id))]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// The problem+json body (synthesised from the status when the body was not one).
    pub problem: Problem,
    /// The response's `x-request-id`: show it to the user, support asks for it.
    pub request_id: Option<String>,
    /// `Retry-After`, in seconds, when the server sent one.
    pub retry_after: Option<u64>,
}

impl ApiError {
    fn summary(&self) -> &str {
        self.problem
            .detail
            .as_deref()
            .or(self.problem.title.as_deref())
            .unwrap_or("the API returned an error")
    }
}

/// RFC 9457 problem details as Dinie sends them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Problem {
    /// A URI that identifies the problem type.
    #[serde(rename = "type", default)]
    pub type_uri: Option<String>,
    /// Short summary.
    #[serde(default)]
    pub title: Option<String>,
    /// HTTP status, repeated.
    #[serde(default)]
    pub status: Option<u16>,
    /// Explanation of this occurrence.
    #[serde(default)]
    pub detail: Option<String>,
    /// URI of this occurrence.
    #[serde(default)]
    pub instance: Option<String>,
    /// Machine-readable code (`invalid_cpf`, `token_expired`, …).
    #[serde(default)]
    pub code: Option<String>,
    /// The request field at fault.
    #[serde(default)]
    pub param: Option<String>,
    /// One entry per invalid field.
    #[serde(default)]
    pub errors: Vec<FieldError>,
    /// Members beyond RFC 9457's and Dinie's usual ones (for example `customer_id`, the
    /// existing customer of a `customer_already_exists` conflict).
    #[serde(flatten)]
    pub extensions: serde_json::Map<String, serde_json::Value>,
}

impl Problem {
    /// The detail of the field error for `param`, or the top-level detail when `param` is the
    /// problem's own.
    pub fn field_detail(&self, param: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.param.as_deref() == Some(param))
            .and_then(|e| e.detail.as_deref())
            .or_else(|| {
                (self.param.as_deref() == Some(param))
                    .then_some(self.detail.as_deref())
                    .flatten()
            })
    }

    /// An extension member as a string (`customer_id`, …).
    pub fn extension_str(&self, name: &str) -> Option<&str> {
        self.extensions.get(name).and_then(|v| v.as_str())
    }
}

/// One invalid field of a request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FieldError {
    /// Field name (`cpf`, `email`, …).
    #[serde(default)]
    pub param: Option<String>,
    /// What is wrong with it.
    #[serde(default)]
    pub detail: Option<String>,
    /// Machine-readable code.
    #[serde(default)]
    pub code: Option<String>,
}

/// Why a call was refused before anything was sent.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidInput {
    /// The base URL is not usable (not http(s), no version prefix, …).
    #[error("invalid base URL {url:?}: {reason}")]
    BaseUrl {
        /// What was given.
        url: String,
        /// Why it was refused.
        reason: String,
    },
    /// Client id or secret missing.
    #[error("missing {0}")]
    MissingCredential(&'static str),
    /// The customer's `kyc` has no requirement with this id.
    #[error("this customer has no KYC requirement `{requirement_id}` (it has: {})", .listed.join(", "))]
    RequirementNotListed {
        /// The id given.
        requirement_id: String,
        /// The requirement ids the customer's `kyc` lists.
        listed: Vec<String>,
    },
    /// The requirement does not take this evidence or attachment.
    #[error("the `{requirement_type}` requirement does not take `{evidence_type}` / `{attachment_type}` (it takes: {})", .accepted.join(", "))]
    EvidenceNotAccepted {
        /// The requirement's type.
        requirement_type: String,
        /// The evidence given.
        evidence_type: String,
        /// The attachment given.
        attachment_type: String,
        /// What it takes, `evidence/attachment`.
        accepted: Vec<String>,
    },
    /// Selfies are taken by the biometrics session; a partner cannot upload them.
    #[error("the selfie is taken by the biometrics capture; start a biometrics session instead")]
    SelfieOnlyByBiometrics,
    /// A data requirement (an e-mail) needs a text value, a document requirement a file.
    #[error("the `{requirement_type}` requirement takes {expected}")]
    WrongEvidenceForm {
        /// The requirement's type.
        requirement_type: String,
        /// `a file` or `a text value`.
        expected: &'static str,
    },
    /// The file is not a PDF, JPEG or PNG by content.
    #[error("{name} is not a PDF, JPEG or PNG file (its content looks like {detected})")]
    UnsupportedContent {
        /// File name.
        name: String,
        /// What the first bytes look like.
        detected: String,
    },
    /// The file is over the size limit.
    #[error("{name} is {size} bytes, over the {limit}-byte limit")]
    TooLarge {
        /// File name.
        name: String,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The file is empty.
    #[error("{name} is empty")]
    EmptyFile {
        /// File name.
        name: String,
    },
    /// The file could not be read.
    #[error("could not read {}: {source}", .path.display())]
    Unreadable {
        /// Its path.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// A document source that cannot be sent again was asked to be retried.
    #[error("{0}")]
    Other(String),
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
