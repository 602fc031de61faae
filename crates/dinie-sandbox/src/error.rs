//! `ApiError`: every failure the sandbox answers, as RFC 9457 problem+json.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Map, Value};

/// One invalid field.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FieldError {
    /// The field.
    pub param: String,
    /// What is wrong.
    pub detail: String,
    /// Machine-readable code.
    pub code: String,
}

impl FieldError {
    /// A field error.
    pub fn new(param: &str, code: &str, detail: impl Into<String>) -> Self {
        Self {
            param: param.into(),
            detail: detail.into(),
            code: code.into(),
        }
    }
}

/// An error answer.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// `invalid_cpf`, `customer_already_exists`, …
    pub code: &'static str,
    /// Explanation.
    pub detail: String,
    /// The field at fault.
    pub param: Option<String>,
    /// Every invalid field.
    pub errors: Vec<FieldError>,
    /// Extra members (for example `customer_id` on a conflict).
    pub extensions: Box<Map<String, Value>>,
    /// `Retry-After`, seconds.
    pub retry_after: Option<u64>,
}

impl ApiError {
    /// An error with a status, code and detail.
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Self {
            status,
            code,
            detail: detail.into(),
            param: None,
            errors: Vec::new(),
            extensions: Box::default(),
            retry_after: None,
        }
    }

    /// Names the field at fault.
    pub fn param(mut self, param: impl Into<String>) -> Self {
        self.param = Some(param.into());
        self
    }

    /// 400 `invalid_request`.
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", detail)
    }

    /// 404 `not_found`.
    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{what} not found"),
        )
    }

    /// 401 `authentication_failed`.
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "authentication_failed", detail)
    }

    /// 422 with one entry per invalid field; the first names the top-level code and param.
    pub fn validation(errors: Vec<FieldError>) -> Self {
        let first = errors.first().cloned();
        let code: &'static str = match first.as_ref().map(|e| e.code.as_str()) {
            Some("invalid_cpf") => "invalid_cpf",
            Some("invalid_cnpj") => "invalid_cnpj",
            Some("missing_required_field") => "missing_required_field",
            Some("immutable_field") => "immutable_field",
            Some("unknown_bank") => "unknown_bank",
            _ => "invalid_format",
        };
        let detail = match &first {
            Some(e) if errors.len() == 1 => e.detail.clone(),
            _ => format!("{} fields are invalid", errors.len()),
        };
        Self {
            param: first.map(|e| e.param),
            errors,
            ..Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, detail)
        }
    }

    /// 500, without internal details.
    pub fn internal(err: impl std::fmt::Display) -> Self {
        tracing::error!(error = %err, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "the sandbox failed to process the request",
        )
    }

    /// The problem `type`: Dinie's catalogue, one URL per kind of failure.
    pub fn type_url(&self) -> &'static str {
        match self.status.as_u16() {
            400 | 405 | 413 | 415 => "https://docs.dinie.com/errors/invalid-request",
            401 => "https://docs.dinie.com/errors/authentication-failed",
            403 => "https://docs.dinie.com/errors/forbidden",
            404 => "https://docs.dinie.com/errors/not-found",
            409 => "https://docs.dinie.com/errors/conflict",
            422 => "https://docs.dinie.com/errors/validation-failed",
            429 => "https://docs.dinie.com/errors/rate-limit-exceeded",
            _ => "https://docs.dinie.com/errors/internal",
        }
    }

    fn title(&self) -> &'static str {
        match self.status.as_u16() {
            400 => "Invalid request",
            401 => "Authentication failed",
            403 => "Forbidden",
            404 => "Not found",
            405 => "Method not allowed",
            409 => "Conflict",
            413 => "Payload too large",
            415 => "Unsupported media type",
            422 => "Validation failed",
            429 => "Rate limit exceeded",
            _ => "Internal error",
        }
    }

    /// The problem+json body.
    pub fn body(&self) -> Value {
        let mut body = Map::new();
        body.insert("type".into(), self.type_url().into());
        body.insert("title".into(), self.title().into());
        body.insert("status".into(), self.status.as_u16().into());
        body.insert("detail".into(), self.detail.clone().into());
        body.insert("code".into(), self.code.into());
        body.insert(
            "param".into(),
            self.param.clone().map(Value::from).unwrap_or(Value::Null),
        );
        body.insert(
            "errors".into(),
            serde_json::to_value(&self.errors).unwrap_or_default(),
        );
        for (k, v) in self.extensions.iter() {
            body.insert(k.clone(), v.clone());
        }
        Value::Object(body)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut resp = (
            self.status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            self.body().to_string(),
        )
            .into_response();
        if let Some(secs) = self.retry_after {
            if let Ok(v) = secs.to_string().parse() {
                resp.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        resp
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        Self::internal(e)
    }
}

impl From<axum::extract::rejection::JsonRejection> for ApiError {
    fn from(r: axum::extract::rejection::JsonRejection) -> Self {
        use axum::extract::rejection::JsonRejection::*;
        match r {
            MissingJsonContentType(_) => Self::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "invalid_request",
                "send the body as JSON with Content-Type: application/json",
            ),
            other => {
                Self::bad_request(format!("the body is not valid JSON: {}", other.body_text()))
            }
        }
    }
}

/// Handlers' result type.
pub type ApiResult<T> = Result<T, ApiError>;
